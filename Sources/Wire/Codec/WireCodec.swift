import RLHFProtoC

/// Messages to and from the frames of one ZeroMQ multipart message (PROTOCOL.md section 2): frame 0 is
/// the `Header` (protocol version, kind, worker, sequence), frame 1 the body of that kind, frame 2 a
/// weight chunk's raw bytes. Decoding checks everything a hostile or broken peer could send (frame
/// counts and sizes, the version, the kind and its sender, every field's presence and range, rows that
/// do not add up) and answers a `WireError` for it; it never traps, and protobuf-c unpacks within a memory
/// budget proportional to the frame (`unpackBudget`), freeing what it unpacked with the same allocator.
package enum WireCodec {
    /// The frames of `message` with `header` (the codec fills in the protocol version and the kind).
    /// Throws when a value does not fit the wire (an id over Int32, a negative offset, a NUL in a string, a
    /// log-prob row that does not match its response) or a frame would exceed its limit. Ranges the
    /// receiver checks (versions ≥ 0, temperature > 0, ...) are not checked here.
    package static func encode(_ message: WireMessage, header: WireHeader) throws(WireError) -> [[UInt8]] {
        let head = try header.packed(kind: message.kind)
        let body = try encodeBody(message)
        guard body.count <= WireProtocol.bodyLimit else {
            throw .frameTooLarge(frame: 1, bytes: body.count, limit: WireProtocol.bodyLimit)
        }
        guard case let .weightsChunk(chunk) = message else { return [head, body] }
        guard !chunk.bytes.isEmpty else { throw .unrepresentable(field: "WeightsChunk payload", value: "0 bytes") }
        guard chunk.bytes.count <= WireProtocol.chunkLimit else {
            throw .frameTooLarge(frame: 2, bytes: chunk.bytes.count, limit: WireProtocol.chunkLimit)
        }
        return [head, body, chunk.bytes]
    }

    /// Decodes the frames of one message that `sender` sent (for the learner's `ROUTER`, without the
    /// identity frame). Checked in this order: at least one frame; the header's size, parse, protocol
    /// version, kind and sequence; whether `sender` sends that kind; the frame count the kind needs; the
    /// body's (and payload's) size; the body. Without `copyingChunk`, a `WEIGHTS_CHUNK`'s bytes stay in
    /// frame 2, where the caller reads them (the decoded chunk's `bytes` are empty).
    package static func decode<Frame: WireFrame>(frames: [Frame], from sender: WirePeer, copyingChunk: Bool = true) throws(WireError) -> WireEnvelope {
        guard let first = frames.first else { throw .frameCount(got: 0, expected: 2, kind: nil) }
        guard first.count <= WireProtocol.headerLimit else {
            throw .frameTooLarge(frame: 0, bytes: first.count, limit: WireProtocol.headerLimit)
        }
        let (kind, header) = try first.withWireBytes { bytes throws(WireError) in try WireHeader.unpacked(bytes) }
        guard kind.isSent(by: sender) else { throw .wrongSender(kind, sender) }
        guard frames.count == kind.frameCount else { throw .frameCount(got: frames.count, expected: kind.frameCount, kind: kind) }
        guard frames[1].count <= WireProtocol.bodyLimit else {
            throw .frameTooLarge(frame: 1, bytes: frames[1].count, limit: WireProtocol.bodyLimit)
        }
        guard kind == .weightsChunk else {
            let message = try frames[1].withWireBytes { body throws(WireError) in try decodeBody(kind, body) }
            return WireEnvelope(header: header, message: message)
        }
        guard frames[2].count <= WireProtocol.chunkLimit else {
            throw .frameTooLarge(frame: 2, bytes: frames[2].count, limit: WireProtocol.chunkLimit)
        }
        let message = try frames[1].withWireBytes { body throws(WireError) in
            try frames[2].withWireBytes { payload throws(WireError) in try decodeBody(kind, body, payload: payload, copyingChunk: copyingChunk) }
        }
        return WireEnvelope(header: header, message: message)
    }

    /// The kind a header frame names, or nil when it does not parse (a look at frame 0 alone, for routing).
    package static func kind<Frame: WireFrame>(ofHeader frame: Frame) -> MessageKind? {
        guard frame.count <= WireProtocol.headerLimit else { return nil }
        return try? frame.withWireBytes { bytes throws(WireError) in try WireHeader.unpacked(bytes) }.0
    }

    /// Frame 1 of `message`: the protobuf body of its kind (empty for `HEARTBEAT`).
    static func encodeBody(_ message: WireMessage) throws(WireError) -> [UInt8] {
        let arena = PackArena()
        return switch message {
        case let .register(registration): packed(try registration.proto(in: arena))
        case let .welcome(welcome): packed(try welcome.proto(in: arena))
        case .heartbeat: packed(arena.message(Rlhf__V1__Heartbeat.self))
        case let .ready(ready): packed(try ready.proto(in: arena))
        case let .rolloutTask(task): packed(try task.proto(in: arena))
        case let .rollout(rollout): packed(try rollout.proto(in: arena))
        case let .scoreRequest(request), let .referenceRequest(request): packed(try request.proto(in: arena))
        case let .scoreResult(result): packed(result.proto(in: arena))
        case let .referenceResult(result): packed(try result.proto(in: arena))
        case let .weightsManifest(manifest): packed(try manifest.proto(in: arena))
        case let .weightsChunk(chunk): packed(try chunk.proto(in: arena))
        case let .weightsRequest(request): packed(try request.proto(in: arena))
        case let .weightsInstalled(version): packed(WeightsAnswerProto.installed(version: version, in: arena))
        case let .weightsRefused(version, reason): packed(try WeightsAnswerProto.refused(version: version, reason: reason, in: arena))
        case let .taskFailed(task, reason): packed(try TaskFailedProto.proto(task: task, reason: reason, in: arena))
        case let .control(control): packed(control.proto(in: arena))
        case let .metrics(metrics): packed(try metrics.proto(in: arena))
        case let .operatorRequest(request): packed(try request.proto(in: arena))
        case let .operatorAnswer(answer): packed(try answer.proto(in: arena))
        case let .monitorUpdate(update): packed(try update.proto(in: arena))
        }
    }

    /// The message a body of `kind` holds; `payload` is a weight chunk's bytes (frame 2). `books`, when
    /// given, receives protobuf-c's memory use (for tests of the budget).
    static func decodeBody(_ kind: MessageKind, _ body: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer? = nil, copyingChunk: Bool = true,
                           books: UnsafeMutablePointer<UnpackBooks>? = nil) throws(WireError) -> WireMessage {
        switch kind {
        case .register:
            return .register(try unpacked(Rlhf__V1__Register.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Register(proto: m) })
        case .welcome:
            return .welcome(try unpacked(Rlhf__V1__Welcome.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Welcome(proto: m) })
        case .heartbeat:
            try unpacked(Rlhf__V1__Heartbeat.self, body, part: "\(kind) body", books: books) { _ in }
            return .heartbeat
        case .ready:
            return .ready(try unpacked(Rlhf__V1__Ready.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Ready(proto: m) })
        case .rolloutTask:
            return .rolloutTask(try unpacked(Rlhf__V1__RolloutTask.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try RolloutTask(proto: m) })
        case .rollout:
            return .rollout(try unpacked(Rlhf__V1__Rollout.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Rollout(proto: m) })
        case .scoreRequest:
            return .scoreRequest(try unpacked(Rlhf__V1__SequenceRequest.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try SequenceRequest(proto: m) })
        case .scoreResult:
            return .scoreResult(try unpacked(Rlhf__V1__ScoreResult.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try ScoreResult(proto: m) })
        case .referenceRequest:
            return .referenceRequest(try unpacked(Rlhf__V1__SequenceRequest.self, body, part: "\(kind) body", books: books) { m throws(WireError) in
                let request = try SequenceRequest(proto: m)
                guard request.texts == nil else { throw .inconsistent("a REFERENCE_REQUEST carries texts; only a SCORE_REQUEST may") }
                return request
            })
        case .referenceResult:
            return .referenceResult(try unpacked(Rlhf__V1__ReferenceResult.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try ReferenceResult(proto: m) })
        case .weightsManifest:
            return .weightsManifest(try unpacked(Rlhf__V1__WeightsManifest.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try WeightsManifest(proto: m) })
        case .weightsChunk:
            let payload = payload ?? UnsafeRawBufferPointer(start: nil, count: 0)
            return .weightsChunk(try unpacked(Rlhf__V1__WeightsChunk.self, body, part: "\(kind) body", books: books) { m throws(WireError) in
                try WeightsChunk(proto: m, payload: payload, copying: copyingChunk)
            })
        case .weightsRequest:
            return .weightsRequest(try unpacked(Rlhf__V1__WeightsRequest.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try WeightsRequest(proto: m) })
        case .weightsInstalled:
            return try unpacked(Rlhf__V1__WeightsInstalled.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try WeightsAnswerProto.value(m) }
        case .weightsRefused:
            return try unpacked(Rlhf__V1__WeightsRefused.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try WeightsAnswerProto.value(m) }
        case .taskFailed:
            return try unpacked(Rlhf__V1__TaskFailed.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try TaskFailedProto.value(m) }
        case .control:
            return .control(try unpacked(Rlhf__V1__Control.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Control(proto: m) })
        case .metrics:
            return .metrics(try unpacked(Rlhf__V1__Metrics.self, body, part: "\(kind) body", books: books) { m throws(WireError) in try Metrics(proto: m) })
        case .operatorRequest:
            return .operatorRequest(try unpacked(Rlhf__V1__OperatorRequest.self, body, part: "\(kind) body", books: books) { m throws(WireError) in
                try OperatorRequest(proto: m)
            })
        case .operatorAnswer:
            return .operatorAnswer(try unpacked(Rlhf__V1__OperatorAnswer.self, body, part: "\(kind) body", books: books) { m throws(WireError) in
                try OperatorAnswer(proto: m)
            })
        case .monitorUpdate:
            return .monitorUpdate(try unpacked(Rlhf__V1__MonitorUpdate.self, body, part: "\(kind) body", books: books) { m throws(WireError) in
                try MonitorUpdate(proto: m)
            })
        }
    }
}
