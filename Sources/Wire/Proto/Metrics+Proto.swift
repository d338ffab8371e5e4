import RLHFProtoC

extension Metrics {
    /// The message struct, in `arena`, its values sorted by name (so equal metrics pack to equal bytes).
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__Metrics> {
        let message = arena.message(Rlhf__V1__Metrics.self)
        message.pointee.iteration = Int64(iteration)
        var entries: [UnsafeMutablePointer<Rlhf__V1__Metric>] = []
        entries.reserveCapacity(values.count)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            let entry = arena.message(Rlhf__V1__Metric.self)
            entry.pointee.name = try arena.string(name, field: "Metric.name")
            entry.pointee.value = value
            entries.append(entry)
        }
        message.pointee.n_values = entries.count
        message.pointee.values = arena.messages(entries)
        return message
    }

    /// The value of an unpacked message, checked: the iteration ≥ 0, names not empty and not repeated.
    init(proto message: Rlhf__V1__Metrics) throws(WireError) {
        var values: [String: Double] = [:]
        values.reserveCapacity(message.n_values)
        for i in 0..<message.n_values {
            let entry = try FieldDecoding.required(message.values[i], "Metrics.values[\(i)]")
            let name = try FieldDecoding.name(entry.name, "Metrics.values[\(i)].name")
            guard values.updateValue(entry.value, forKey: name) == nil else { throw .inconsistent("Metrics names \"\(name)\" twice") }
        }
        self.init(iteration: try FieldDecoding.int(message.iteration, "Metrics.iteration"), values: values)
    }
}
