import RLHFProtoC

/// The checks every message conversion makes on unpacked fields: each turns a C field into a Swift value
/// or throws the `WireError` that names the field.
enum FieldDecoding {
    /// `value` as an Int at least `minimum`.
    static func int<I: BinaryInteger>(_ value: I, _ field: String, atLeast minimum: Int = 0) throws(WireError) -> Int {
        guard let result = Int(exactly: value), result >= minimum else {
            throw .outOfRange(field: field, value: "\(value)", expected: ">= \(minimum)")
        }
        return result
    }

    /// A float that is finite and within `range`, described by `expected`.
    static func float(_ value: Float, _ field: String, _ isValid: (Float) -> Bool, expected: String) throws(WireError) -> Float {
        guard value.isFinite, isValid(value) else { throw .outOfRange(field: field, value: "\(value)", expected: expected) }
        return value
    }

    /// Compute seconds: finite and ≥ 0.
    static func seconds(_ value: Double, _ field: String) throws(WireError) -> Double {
        guard value.isFinite, value >= 0 else { throw .outOfRange(field: field, value: "\(value)", expected: "finite and >= 0") }
        return value
    }

    /// A sub-message that must be present.
    static func required<M>(_ pointer: UnsafeMutablePointer<M>?, _ field: String) throws(WireError) -> M {
        guard let pointer else { throw .missingField(field) }
        return pointer.pointee
    }

    /// A C string as UTF-8 text (an absent one is empty).
    static func text(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(WireError) -> String {
        guard let pointer else { return "" }
        guard let text = String(validatingCString: pointer) else { throw .invalidText(field) }
        return text
    }

    /// A text that must not be empty.
    static func name(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(WireError) -> String {
        let name = try text(pointer, field)
        guard !name.isEmpty else { throw .missingField(field) }
        return name
    }

    /// `count` finite floats.
    static func floats(_ pointer: UnsafePointer<Float>?, _ count: Int, _ field: String) throws(WireError) -> [Float] {
        guard count > 0, let pointer else { return [] }
        let values = UnsafeBufferPointer(start: pointer, count: count)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .outOfRange(field: "\(field)[\(bad)]", value: "\(values[bad])", expected: "finite")
        }
        return Array(values)
    }

    /// `count` token ids, each ≥ 0.
    static func ids(_ pointer: UnsafePointer<Int32>?, _ count: Int, _ field: String) throws(WireError) -> [Int] {
        guard count > 0, let pointer else { return [] }
        let values = UnsafeBufferPointer(start: pointer, count: count)
        if let bad = values.firstIndex(where: { $0 < 0 }) {
            throw .outOfRange(field: "\(field)[\(bad)]", value: "\(values[bad])", expected: ">= 0")
        }
        return values.map { Int($0) }
    }

    /// Checks `rows` row lengths against `count` packed values: at most `WireProtocol.rowLimit` rows, each
    /// length ≥ 0, summing to exactly `count`.
    static func checkLengths(_ lengths: UnsafePointer<Int32>?, _ rows: Int, values count: Int,
                             _ lengthsField: String, _ valuesField: String) throws(WireError) {
        guard rows <= WireProtocol.rowLimit else {
            throw .outOfRange(field: lengthsField, value: "\(rows) rows", expected: "at most \(WireProtocol.rowLimit) rows")
        }
        guard rows > 0, let lengths else {
            guard count == 0 else { throw .inconsistent("\(lengthsField) is empty; \(valuesField) holds \(count) values") }
            return
        }
        var sum = 0
        for r in 0..<rows {
            let length = Int(lengths[r])
            guard length >= 0 else { throw .outOfRange(field: "\(lengthsField)[\(r)]", value: "\(length)", expected: ">= 0") }
            sum += length  // at most 2^16 rows of 2^31: no overflow
        }
        guard sum == count else { throw .inconsistent("\(lengthsField) sum to \(sum); \(valuesField) holds \(count) values") }
    }

    /// Rows of token ids (each ≥ 0) from a packed array and its row lengths.
    static func idRows(_ values: UnsafePointer<Int32>?, _ count: Int, lengths: UnsafePointer<Int32>?, _ rows: Int,
                       _ valuesField: String, _ lengthsField: String) throws(WireError) -> [[Int]] {
        try checkLengths(lengths, rows, values: count, lengthsField, valuesField)
        guard rows > 0, let lengths else { return [] }
        let flat = UnsafeBufferPointer(start: values, count: count)
        if let bad = flat.firstIndex(where: { $0 < 0 }) {
            throw .outOfRange(field: "\(valuesField)[\(bad)]", value: "\(flat[bad])", expected: ">= 0")
        }
        return split(flat, lengths, rows) { Int($0) }
    }

    /// Rows of finite floats from a packed array and its row lengths.
    static func floatRows(_ values: UnsafePointer<Float>?, _ count: Int, lengths: UnsafePointer<Int32>?, _ rows: Int,
                          _ valuesField: String, _ lengthsField: String) throws(WireError) -> [[Float]] {
        try checkLengths(lengths, rows, values: count, lengthsField, valuesField)
        guard rows > 0, let lengths else { return [] }
        let flat = UnsafeBufferPointer(start: values, count: count)
        if let bad = flat.firstIndex(where: { !$0.isFinite }) {
            throw .outOfRange(field: "\(valuesField)[\(bad)]", value: "\(flat[bad])", expected: "finite")
        }
        return split(flat, lengths, rows) { $0 }
    }

    /// Rows of text from packed UTF-8 bytes and each row's length in bytes: the lengths checked as
    /// `checkLengths` does, and every row valid UTF-8 (a NUL is kept).
    static func textRows(_ bytes: ProtobufCBinaryData, lengths: UnsafePointer<Int32>?, _ rows: Int,
                         _ bytesField: String, _ lengthsField: String) throws(WireError) -> [String] {
        try checkLengths(lengths, rows, values: bytes.len, lengthsField, bytesField)
        guard rows > 0, let lengths else { return [] }
        let flat = UnsafeBufferPointer(start: bytes.data, count: bytes.len)
        var result: [String] = []
        result.reserveCapacity(rows)
        var at = 0
        for r in 0..<rows {
            let length = Int(lengths[r])
            guard let text = String(validating: UnsafeBufferPointer(rebasing: flat[at..<(at + length)]), as: UTF8.self) else {
                throw .invalidText("\(bytesField) row \(r)")
            }
            result.append(text)
            at += length
        }
        return result
    }

    /// `flat` cut into rows of the checked `lengths`, each value converted by `convert`.
    private static func split<C, T>(_ flat: UnsafeBufferPointer<C>, _ lengths: UnsafePointer<Int32>, _ rows: Int,
                                    _ convert: (C) -> T) -> [[T]] {
        var result: [[T]] = []
        result.reserveCapacity(rows)
        var at = 0
        for r in 0..<rows {
            let length = Int(lengths[r])
            result.append(length == 0 ? [] : UnsafeBufferPointer(rebasing: flat[at..<(at + length)]).map(convert))
            at += length
        }
        return result
    }
}
