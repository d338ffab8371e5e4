import RLHFProtoC

extension Control {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) -> UnsafeMutablePointer<Rlhf__V1__Control> {
        let message = arena.message(Rlhf__V1__Control.self)
        message.pointee.command = switch self {
        case .drain: RLHF__V1__COMMAND__COMMAND_DRAIN
        case .stop: RLHF__V1__COMMAND__COMMAND_STOP
        case .checkpoint: RLHF__V1__COMMAND__COMMAND_CHECKPOINT
        }
        return message
    }

    /// The command of an unpacked message, checked: one this version knows.
    init(proto message: Rlhf__V1__Control) throws(WireError) {
        switch message.command {
        case RLHF__V1__COMMAND__COMMAND_DRAIN: self = .drain
        case RLHF__V1__COMMAND__COMMAND_STOP: self = .stop
        case RLHF__V1__COMMAND__COMMAND_CHECKPOINT: self = .checkpoint
        default:
            throw .outOfRange(field: "Control.command", value: "\(Int32(bitPattern: message.command.rawValue))", expected: "drain, stop or checkpoint")
        }
    }
}
