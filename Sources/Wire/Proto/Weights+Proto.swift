import RLHFProtoC

extension WeightDType {
    /// The dtype a tensor entry names, or nil for one this version does not know.
    init?(proto: Rlhf__V1__DType) {
        switch proto {
        case RLHF__V1__DTYPE__DTYPE_F32: self = .f32
        case RLHF__V1__DTYPE__DTYPE_F16: self = .f16
        case RLHF__V1__DTYPE__DTYPE_BF16: self = .bf16
        default: return nil
        }
    }

    /// The wire's value of the dtype.
    var proto: Rlhf__V1__DType {
        switch self {
        case .f32: RLHF__V1__DTYPE__DTYPE_F32
        case .f16: RLHF__V1__DTYPE__DTYPE_F16
        case .bf16: RLHF__V1__DTYPE__DTYPE_BF16
        }
    }
}

extension WeightsManifest {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__WeightsManifest> {
        let message = arena.message(Rlhf__V1__WeightsManifest.self)
        message.pointee.version = Int64(version)
        if let replaces {
            message.pointee.previous_case = RLHF__V1__WEIGHTS_MANIFEST__PREVIOUS_REPLACES
            message.pointee.replaces = Int64(replaces)
        }
        var entries: [UnsafeMutablePointer<Rlhf__V1__TensorEntry>] = []
        entries.reserveCapacity(tensors.count)
        for tensor in tensors {
            let entry = arena.message(Rlhf__V1__TensorEntry.self)
            entry.pointee.name = try arena.string(tensor.name, field: "TensorEntry.name")
            entry.pointee.n_shape = tensor.shape.count
            entry.pointee.shape = arena.array(tensor.shape.map { Int64($0) })
            entry.pointee.dtype = tensor.dtype.proto
            entry.pointee.byte_offset = try wireUInt64(tensor.byteOffset, "TensorEntry.byte_offset")
            entry.pointee.crc32c = tensor.crc32c
            entries.append(entry)
        }
        message.pointee.n_tensors = entries.count
        message.pointee.tensors = arena.messages(entries)
        message.pointee.total_bytes = try wireUInt64(totalBytes, "WeightsManifest.total_bytes")
        if let sharedMemory {
            guard SharedWeightsPath.isValid(sharedMemory) else {
                throw .unrepresentable(field: "WeightsManifest.shared_memory", value: "a path outside \(SharedWeightsPath.folder)/\(SharedWeightsPath.prefix)*")
            }
            message.pointee.shared_memory = try arena.string(sharedMemory, field: "WeightsManifest.shared_memory")
        }
        if let sealed { message.pointee.sealed = try sealed.proto(in: arena) }
        return message
    }

    /// The value of an unpacked message, checked: versions ≥ 0 with `replaces` below `version`; every tensor
    /// named (names unique), of a known dtype, with dimensions ≥ 1; tensors in byte order, not overlapping,
    /// all ending within `total_bytes`; a shared-memory file only under `/dev/shm/rlhf-weights-`.
    init(proto message: Rlhf__V1__WeightsManifest) throws(WireError) {
        let version = try FieldDecoding.int(message.version, "WeightsManifest.version")
        var replaces: Int?
        if message.previous_case == RLHF__V1__WEIGHTS_MANIFEST__PREVIOUS_REPLACES {
            let previous = try FieldDecoding.int(message.replaces, "WeightsManifest.replaces")
            guard previous < version else {
                throw .outOfRange(field: "WeightsManifest.replaces", value: "\(previous)", expected: "below the version, \(version)")
            }
            replaces = previous
        }
        guard message.total_bytes <= UInt64(Int.max) else {
            throw .outOfRange(field: "WeightsManifest.total_bytes", value: "\(message.total_bytes)", expected: "at most \(Int.max)")
        }
        let totalBytes = Int(message.total_bytes)
        var tensors: [ManifestTensor] = []
        tensors.reserveCapacity(message.n_tensors)
        var names = Set<String>()
        var end = 0
        for i in 0..<message.n_tensors {
            let field = "WeightsManifest.tensors[\(i)]"
            let entry = try FieldDecoding.required(message.tensors[i], field)
            let name = try FieldDecoding.name(entry.name, "\(field).name")
            guard names.insert(name).inserted else { throw .inconsistent("WeightsManifest names tensor \"\(name)\" twice") }
            guard let dtype = WeightDType(proto: entry.dtype) else {
                throw .outOfRange(field: "\(field).dtype", value: "\(Int32(bitPattern: entry.dtype.rawValue))", expected: "f32, f16 or bf16")
            }
            var shape: [Int] = []
            shape.reserveCapacity(entry.n_shape)
            for d in 0..<entry.n_shape {
                shape.append(try FieldDecoding.int(entry.shape[d], "\(field).shape[\(d)]", atLeast: 1))
            }
            guard entry.byte_offset <= UInt64(Int.max) else {
                throw .outOfRange(field: "\(field).byte_offset", value: "\(entry.byte_offset)", expected: "at most \(Int.max)")
            }
            let tensor = ManifestTensor(name: name, shape: shape, dtype: dtype, byteOffset: Int(entry.byte_offset), crc32c: entry.crc32c)
            guard tensor.byteOffset >= end else {
                throw .inconsistent("tensor \"\(name)\" starts at byte \(tensor.byteOffset), inside the one before it (which ends at \(end))")
            }
            guard let size = tensor.byteCount, size <= totalBytes - tensor.byteOffset else {
                throw .inconsistent("tensor \"\(name)\" (\(shape) \(dtype) at byte \(tensor.byteOffset)) ends past total_bytes, \(totalBytes)")
            }
            end = tensor.byteOffset + size
            tensors.append(tensor)
        }
        let shared = try FieldDecoding.text(message.shared_memory, "WeightsManifest.shared_memory")
        guard shared.isEmpty || SharedWeightsPath.isValid(shared) else {
            throw .outOfRange(field: "WeightsManifest.shared_memory", value: String(shared.prefix(80)),
                              expected: "\(SharedWeightsPath.folder)/\(SharedWeightsPath.prefix)NAME (letters, digits, '-', '.')")
        }
        let sealed = try message.sealed.map { pointer throws(WireError) in try SealedStream(proto: pointer.pointee) }
        self.init(version: version, replaces: replaces, tensors: tensors, totalBytes: totalBytes, sharedMemory: shared.isEmpty ? nil : shared,
                  sealed: sealed)
    }
}

extension SealedStream {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__SealedStream> {
        guard key.count == Self.keyBytes, ticket.count == Self.ticketBytes, 1...65535 ~= port else {
            throw .unrepresentable(field: "SealedStream", value: "a \(key.count)-byte key, a \(ticket.count)-byte ticket, port \(port)")
        }
        let message = arena.message(Rlhf__V1__SealedStream.self)
        message.pointee.key = ProtobufCBinaryData(len: key.count, data: arena.array(key))
        message.pointee.port = UInt32(port)
        message.pointee.ticket = ProtobufCBinaryData(len: ticket.count, data: arena.array(ticket))
        return message
    }

    /// The value of an unpacked message, checked: a 32-byte key, a 16-byte ticket, a port of 1 to 65535.
    init(proto message: Rlhf__V1__SealedStream) throws(WireError) {
        guard message.key.len == Self.keyBytes else {
            throw .outOfRange(field: "SealedStream.key", value: "\(message.key.len) bytes", expected: "\(Self.keyBytes) bytes")
        }
        guard message.ticket.len == Self.ticketBytes else {
            throw .outOfRange(field: "SealedStream.ticket", value: "\(message.ticket.len) bytes", expected: "\(Self.ticketBytes) bytes")
        }
        guard 1...65535 ~= message.port else {
            throw .outOfRange(field: "SealedStream.port", value: "\(message.port)", expected: "1 to 65535")
        }
        self.init(key: Array(UnsafeBufferPointer(start: message.key.data, count: message.key.len)), port: Int(message.port),
                  ticket: Array(UnsafeBufferPointer(start: message.ticket.data, count: message.ticket.len)))
    }
}

extension WeightsChunk {
    /// The body's message struct, in `arena` (the bytes go in their own frame).
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__WeightsChunk> {
        let message = arena.message(Rlhf__V1__WeightsChunk.self)
        message.pointee.version = Int64(version)
        message.pointee.byte_offset = try wireUInt64(byteOffset, "WeightsChunk.byte_offset")
        return message
    }

    /// The chunk of an unpacked body and its payload frame, checked: the version ≥ 0, the offset fits, the
    /// payload is 1 byte to `WireProtocol.chunkLimit` (the codec checked the limit already). Without
    /// `copying`, `bytes` stay empty: the caller reads the payload where it lies.
    init(proto message: Rlhf__V1__WeightsChunk, payload: UnsafeRawBufferPointer, copying: Bool = true) throws(WireError) {
        guard message.byte_offset <= UInt64(Int.max - WireProtocol.chunkLimit) else {
            throw .outOfRange(field: "WeightsChunk.byte_offset", value: "\(message.byte_offset)", expected: "at most \(Int.max - WireProtocol.chunkLimit)")
        }
        guard !payload.isEmpty else { throw .outOfRange(field: "WeightsChunk payload", value: "0 bytes", expected: "at least 1 byte") }
        self.init(version: try FieldDecoding.int(message.version, "WeightsChunk.version"), byteOffset: Int(message.byte_offset),
                  bytes: copying ? [UInt8](payload) : [])
    }
}

extension WeightsRequest {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__WeightsRequest> {
        let message = arena.message(Rlhf__V1__WeightsRequest.self)
        message.pointee.version = Int64(version)
        message.pointee.byte_offset = try wireUInt64(byteOffset, "WeightsRequest.byte_offset")
        message.pointee.credit = try wireInt32(credit, "WeightsRequest.credit")
        guard ticket.isEmpty || ticket.count == SealedStream.ticketBytes else {
            throw .unrepresentable(field: "WeightsRequest.ticket", value: "\(ticket.count) bytes (0 or \(SealedStream.ticketBytes))")
        }
        if !ticket.isEmpty { message.pointee.ticket = ProtobufCBinaryData(len: ticket.count, data: arena.array(ticket)) }
        return message
    }

    /// The value of an unpacked message, checked: credit ≥ 1, a ticket of 0 or 16 bytes.
    init(proto message: Rlhf__V1__WeightsRequest) throws(WireError) {
        guard message.byte_offset <= UInt64(Int.max) else {
            throw .outOfRange(field: "WeightsRequest.byte_offset", value: "\(message.byte_offset)", expected: "at most \(Int.max)")
        }
        self.init(version: try FieldDecoding.int(message.version, "WeightsRequest.version"), byteOffset: Int(message.byte_offset),
                  credit: try FieldDecoding.int(message.credit, "WeightsRequest.credit", atLeast: 1),
                  ticket: try Self.ticket(message.ticket))
    }

    private static func ticket(_ bytes: ProtobufCBinaryData) throws(WireError) -> [UInt8] {
        guard bytes.len == 0 || bytes.len == SealedStream.ticketBytes else {
            throw .outOfRange(field: "WeightsRequest.ticket", value: "\(bytes.len) bytes", expected: "0 or \(SealedStream.ticketBytes) bytes")
        }
        return bytes.len == 0 ? [] : Array(UnsafeBufferPointer(start: bytes.data, count: bytes.len))
    }
}

/// The bodies of `WEIGHTS_INSTALLED` and `WEIGHTS_REFUSED`.
enum WeightsAnswerProto {
    /// `WEIGHTS_INSTALLED`'s message struct, in `arena`.
    static func installed(version: Int, in arena: PackArena) -> UnsafeMutablePointer<Rlhf__V1__WeightsInstalled> {
        let message = arena.message(Rlhf__V1__WeightsInstalled.self)
        message.pointee.version = Int64(version)
        return message
    }

    /// `WEIGHTS_REFUSED`'s message struct, in `arena`.
    static func refused(version: Int, reason: String, in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__WeightsRefused> {
        let message = arena.message(Rlhf__V1__WeightsRefused.self)
        message.pointee.version = Int64(version)
        message.pointee.reason = try arena.string(reason, field: "WeightsRefused.reason")
        return message
    }

    /// The message of an unpacked `WEIGHTS_INSTALLED`, checked.
    static func value(_ message: Rlhf__V1__WeightsInstalled) throws(WireError) -> WireMessage {
        .weightsInstalled(version: try FieldDecoding.int(message.version, "WeightsInstalled.version"))
    }

    /// The message of an unpacked `WEIGHTS_REFUSED`, checked.
    static func value(_ message: Rlhf__V1__WeightsRefused) throws(WireError) -> WireMessage {
        .weightsRefused(version: try FieldDecoding.int(message.version, "WeightsRefused.version"),
                        reason: try FieldDecoding.text(message.reason, "WeightsRefused.reason"))
    }
}
