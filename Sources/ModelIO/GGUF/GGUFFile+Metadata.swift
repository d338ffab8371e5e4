/// Typed metadata look-ups that throw `missingKey` / `wrongValueType` naming the file and key.
extension GGUFFile {
    /// The string at `key`.
    public func string(_ key: String) throws -> String {
        let value = try required(key)
        guard let s = value.stringValue else { throw wrongType(key, "string", value) }
        return s
    }

    /// The string at `key`, or nil when absent.
    public func optionalString(_ key: String) throws -> String? {
        metadata[key] == nil ? nil : try string(key)
    }

    /// The integer (any integer type) at `key`.
    public func int(_ key: String) throws -> Int {
        let value = try required(key)
        guard let i = value.intValue else { throw wrongType(key, "an integer", value) }
        return i
    }

    /// The integer at `key`, or nil when absent.
    public func optionalInt(_ key: String) throws -> Int? {
        metadata[key] == nil ? nil : try int(key)
    }

    /// The number (float or integer) at `key`, or nil when absent.
    public func optionalDouble(_ key: String) throws -> Double? {
        guard let value = metadata[key] else { return nil }
        guard let d = value.doubleValue else { throw wrongType(key, "a number", value) }
        return d
    }

    /// The bool at `key`, or nil when absent.
    public func optionalBool(_ key: String) throws -> Bool? {
        guard let value = metadata[key] else { return nil }
        guard let b = value.boolValue else { throw wrongType(key, "a bool", value) }
        return b
    }

    /// The array of strings at `key`, or nil when absent.
    public func optionalStringArray(_ key: String) throws -> [String]? {
        guard let value = metadata[key] else { return nil }
        guard case let .array(.string, values) = value else { throw wrongType(key, "array of string", value) }
        return values.map { $0.stringValue ?? "" }
    }

    /// The array of integers at `key`, or nil when absent.
    public func optionalIntArray(_ key: String) throws -> [Int]? {
        guard let value = metadata[key] else { return nil }
        guard case let .array(_, values) = value else { throw wrongType(key, "array of integers", value) }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for v in values {
            guard let i = v.intValue else { throw wrongType(key, "array of integers", value) }
            result.append(i)
        }
        return result
    }

    /// The array of numbers at `key` as Float, or nil when absent.
    public func optionalFloatArray(_ key: String) throws -> [Float]? {
        guard let value = metadata[key] else { return nil }
        guard case let .array(_, values) = value else { throw wrongType(key, "array of numbers", value) }
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for v in values {
            guard let d = v.doubleValue else { throw wrongType(key, "array of numbers", value) }
            result.append(Float(d))
        }
        return result
    }

    /// `general.architecture`.
    public func architecture() throws -> String { try string("general.architecture") }

    private func required(_ key: String) throws -> GGUFMetadataValue {
        guard let value = metadata[key] else { throw GGUFError.missingKey(file: path, key: key) }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ value: GGUFMetadataValue) -> GGUFError {
        GGUFError.wrongValueType(file: path, key: key, expected: expected, found: value.typeDescription)
    }
}
