import RLHFProtoC

extension WorkerRole {
    /// The role a `Register` names, or nil for one this version does not know.
    init?(proto: Rlhf__V1__Role) {
        switch proto {
        case RLHF__V1__ROLE__ROLE_ROLLOUT: self = .rollout
        case RLHF__V1__ROLE__ROLE_REWARD: self = .reward
        case RLHF__V1__ROLE__ROLE_REFERENCE: self = .reference
        default: return nil
        }
    }

    /// The wire's value of the role.
    var proto: Rlhf__V1__Role {
        switch self {
        case .rollout: RLHF__V1__ROLE__ROLE_ROLLOUT
        case .reward: RLHF__V1__ROLE__ROLE_REWARD
        case .reference: RLHF__V1__ROLE__ROLE_REFERENCE
        }
    }
}

extension Register {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__Register> {
        let message = arena.message(Rlhf__V1__Register.self)
        message.pointee.role = role.proto
        message.pointee.protocol_version = WireProtocol.version
        message.pointee.host = try arena.string(host, field: "Register.host")
        message.pointee.pid = try wireInt32(pid, "Register.pid")
        message.pointee.device = try arena.string(device, field: "Register.device")
        let capabilities = arena.message(Rlhf__V1__Capabilities.self)
        capabilities.pointee.max_rows_per_task = try wireInt32(self.capabilities.maxRowsPerTask, "Capabilities.max_rows_per_task")
        capabilities.pointee.n_backends = self.capabilities.backends.count
        capabilities.pointee.backends = try arena.strings(self.capabilities.backends, field: "Capabilities.backends")
        capabilities.pointee.score_texts = self.capabilities.scoreTexts ? 1 : 0
        message.pointee.capabilities = capabilities
        return message
    }

    /// The value of an unpacked message, checked.
    init(proto message: Rlhf__V1__Register) throws(WireError) {
        guard let role = WorkerRole(proto: message.role) else {
            throw .outOfRange(field: "Register.role", value: "\(Int32(bitPattern: message.role.rawValue))", expected: "rollout, reward or reference")
        }
        guard message.protocol_version == WireProtocol.version else { throw .protocolVersion(message.protocol_version) }
        let capabilities = try FieldDecoding.required(message.capabilities, "Register.capabilities")
        var backends: [String] = []
        for i in 0..<capabilities.n_backends {
            backends.append(try FieldDecoding.name(capabilities.backends[i], "Capabilities.backends[\(i)]"))
        }
        // only a reward worker is sent score requests, so only it may ask for their texts
        let scoreTexts = capabilities.score_texts != 0
        guard !scoreTexts || role == .reward else {
            throw .inconsistent("a \(role) worker set Capabilities.score_texts, which only reward workers may ask for")
        }
        self.init(role: role, host: try FieldDecoding.name(message.host, "Register.host"),
                  pid: try FieldDecoding.int(message.pid, "Register.pid", atLeast: 1),
                  device: try FieldDecoding.name(message.device, "Register.device"),
                  capabilities: WorkerCapabilities(
                      maxRowsPerTask: try FieldDecoding.int(capabilities.max_rows_per_task, "Capabilities.max_rows_per_task", atLeast: 1),
                      backends: backends, scoreTexts: scoreTexts))
    }
}

extension Welcome {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__Welcome> {
        let message = arena.message(Rlhf__V1__Welcome.self)
        message.pointee.worker_id = worker
        message.pointee.heartbeat_interval_ms = try wireUInt32(heartbeatMilliseconds, "Welcome.heartbeat_interval_ms")
        message.pointee.run_seed = runSeed
        message.pointee.policy_version = Int64(policyVersion)
        guard configDigest.count <= WireProtocol.digestLimit else {
            throw .unrepresentable(field: "Welcome.config_digest", value: "\(configDigest.count) bytes (at most \(WireProtocol.digestLimit))")
        }
        message.pointee.config_digest = ProtobufCBinaryData(len: configDigest.count, data: arena.array(configDigest))
        guard runConfig.utf8.count <= WireProtocol.configLimit, configOverrides.count <= 4096 else {
            throw .unrepresentable(field: "Welcome.run_config", value: "\(runConfig.utf8.count) bytes and \(configOverrides.count) overrides")
        }
        message.pointee.run_config = try arena.string(runConfig, field: "Welcome.run_config")
        message.pointee.n_config_overrides = configOverrides.count
        message.pointee.config_overrides = try arena.strings(configOverrides, field: "Welcome.config_overrides")
        return message
    }

    /// The value of an unpacked message, checked.
    init(proto message: Rlhf__V1__Welcome) throws(WireError) {
        let digest = message.config_digest
        guard digest.len <= WireProtocol.digestLimit else {
            throw .outOfRange(field: "Welcome.config_digest", value: "\(digest.len) bytes", expected: "at most \(WireProtocol.digestLimit) bytes")
        }
        self.init(worker: UInt32(try FieldDecoding.int(message.worker_id, "Welcome.worker_id", atLeast: 1)),
                  heartbeatMilliseconds: try FieldDecoding.int(message.heartbeat_interval_ms, "Welcome.heartbeat_interval_ms", atLeast: 1),
                  runSeed: message.run_seed,
                  policyVersion: try FieldDecoding.int(message.policy_version, "Welcome.policy_version"),
                  configDigest: digest.len == 0 ? [] : Array(UnsafeBufferPointer(start: digest.data, count: digest.len)),
                  runConfig: try FieldDecoding.text(message.run_config, "Welcome.run_config"),
                  configOverrides: try (0..<message.n_config_overrides).map { i throws(WireError) in
                      try FieldDecoding.text(message.config_overrides[i], "Welcome.config_overrides")
                  })
        guard runConfig.utf8.count <= WireProtocol.configLimit, configOverrides.count <= 4096 else {
            throw .outOfRange(field: "Welcome.run_config", value: "\(runConfig.utf8.count) bytes and \(configOverrides.count) overrides",
                              expected: "at most \(WireProtocol.configLimit) bytes and 4096 overrides")
        }
    }
}
