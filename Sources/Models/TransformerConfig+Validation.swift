import Foundation

/// Why a `TransformerConfig` cannot become a model: one field, its value and what is wrong with it.
public struct TransformerConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The config fields a check can name (loaders map them onto their own keys).
    public enum Field: String, Sendable, CaseIterable {
        case vocabSize, maxPositions, layers, width, heads, kvHeads, headDim, ffnWidth, normEps, ropeBase, typeVocabSize
    }

    /// The field at fault.
    public let field: Field
    /// Its value, as text.
    public let value: String
    /// What is wrong with it.
    public let reason: String

    /// An error for `field`.
    public init(field: Field, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    /// A one-line description.
    public var description: String { "\(field.rawValue) = \(value): \(reason)" }
}

extension TransformerConfig {
    /// The largest size accepted for one dimension (vocabulary, width, feed-forward width, positions).
    public static let maximumDimension = 1 << 24
    /// The most layers accepted.
    public static let maximumLayers = 1 << 12

    /// Floats that fit in this machine's physical memory: the bound on what one model may allocate.
    public static var physicalMemoryFloats: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / UInt64(MemoryLayout<Float>.size))
    }

    /// Checks everything a model built from this config relies on, before anything is allocated: positive
    /// sizes under sane bounds, heads that divide the width and key/value heads that divide the heads, an
    /// even head dimension for RoPE, finite positive norm epsilon and RoPE base, and parameters plus the
    /// RoPE table under `maximumFloats` (all arithmetic overflow-checked).
    public func validate(maximumFloats: Int = TransformerConfig.physicalMemoryFloats) throws {
        func fail(_ field: TransformerConfigError.Field, _ value: Any, _ reason: String) -> TransformerConfigError {
            TransformerConfigError(field: field, value: "\(value)", reason: reason)
        }
        let sizes: [(TransformerConfigError.Field, Int, Int)] = [
            (.vocabSize, vocabSize, Self.maximumDimension), (.maxPositions, maxPositions, Self.maximumDimension),
            (.layers, layers, Self.maximumLayers), (.width, width, Self.maximumDimension),
            (.heads, heads, Self.maximumDimension), (.kvHeads, kvHeads, Self.maximumDimension),
            (.headDim, headDim, Self.maximumDimension), (.ffnWidth, ffnWidth, Self.maximumDimension),
        ]
        for (field, value, limit) in sizes {
            guard value > 0 else { throw fail(field, value, "must be positive") }
            guard value <= limit else { throw fail(field, value, "is larger than the \(limit) this runtime accepts") }
        }
        guard heads % kvHeads == 0 else { throw fail(.kvHeads, kvHeads, "must divide the \(heads) query heads") }
        switch architecture {
        case .gpt2, .bert:
            guard width % heads == 0, headDim == width / heads, kvHeads == heads else {
                throw fail(.heads, heads, "must divide the width \(width) into heads of \(headDim)")
            }
        case .llama:
            guard headDim % 2 == 0 else { throw fail(.headDim, headDim, "must be even for rotary embeddings") }
            guard ropeBase.isFinite, ropeBase > 1 else { throw fail(.ropeBase, ropeBase, "must be a finite number above 1") }
        }
        if architecture == .bert {
            guard typeVocabSize > 0, typeVocabSize <= Self.maximumDimension else {
                throw fail(.typeVocabSize, typeVocabSize, "must be positive and at most \(Self.maximumDimension)")
            }
        }
        guard normEps.isFinite, normEps > 0 else { throw fail(.normEps, normEps, "must be a finite positive number") }
        guard let floats = checkedFloatCount, floats <= maximumFloats else {
            let size = checkedFloatCount.map { "\($0) floats" } ?? "more floats than an Int counts"
            throw fail(.width, width, "the model needs \(size) of parameters and tables; this machine's memory holds \(maximumFloats)")
        }
    }

    /// Floats of the parameters (an upper bound including biases) plus the RoPE or position table, or nil
    /// when the count overflows.
    public var checkedFloatCount: Int? {
        func product(_ factors: Int...) -> Int? {
            var total = 1
            for f in factors {
                let (p, overflow) = total.multipliedReportingOverflow(by: f)
                if overflow { return nil }
                total = p
            }
            return total
        }
        func sum(_ terms: Int?...) -> Int? {
            var total = 0
            for t in terms {
                guard let t else { return nil }
                let (s, overflow) = total.addingReportingOverflow(t)
                if overflow { return nil }
                total = s
            }
            return total
        }
        guard let qkvRows = sum(heads, kvHeads, kvHeads).flatMap({ product($0, headDim) }),
              let attentionRows = product(heads, headDim) else { return nil }
        let perLayer = sum(product(qkvRows, width), qkvRows, product(attentionRows, width), width,
                           product(3, ffnWidth, width), ffnWidth, width, product(4, width))
        let embeddings = product(tiedEmbeddings ? 1 : 2, vocabSize, width)
        let positions = product(maxPositions, max(width, headDim))  // GPT-2's table, or RoPE's cos and sin
        let encoderExtras = architecture == .bert ? sum(product(typeVocabSize, width), product(width, width), product(3, width)) : 0
        return sum(perLayer.flatMap { product($0, layers) }, embeddings, positions, product(2, width), encoderExtras)
    }
}
