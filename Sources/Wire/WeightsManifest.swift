/// How a tensor's values are stored in a weight stream.
package enum WeightDType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary32.
    case f32
    /// IEEE 754 binary16.
    case f16
    /// bfloat16 (the top half of a binary32).
    case bf16

    /// Bytes per element.
    package var byteWidth: Int { self == .f32 ? 4 : 2 }

    /// The dtype's name (`bf16`).
    package var description: String { rawValue }
}

/// One tensor of a `WeightsManifest`: where its bytes lie in the version's byte stream, and their checksum.
package struct ManifestTensor: Sendable, Equatable {
    /// The parameter's name (the policy's `ParameterStore` names); not empty.
    package var name: String
    /// Its shape; every dimension ≥ 1.
    package var shape: [Int]
    /// How its values are stored.
    package var dtype: WeightDType
    /// Where its bytes start in the stream.
    package var byteOffset: Int
    /// CRC-32C (Castagnoli) of its bytes.
    package var crc32c: UInt32

    /// Creates an entry.
    package init(name: String, shape: [Int], dtype: WeightDType, byteOffset: Int, crc32c: UInt32) {
        self.name = name; self.shape = shape; self.dtype = dtype; self.byteOffset = byteOffset; self.crc32c = crc32c
    }

    /// Bytes the tensor takes (elements × width), or nil when that overflows or a dimension is below 1.
    package var byteCount: Int? {
        var total = dtype.byteWidth
        for dimension in shape {
            guard dimension >= 1 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }
}

/// `WEIGHTS_MANIFEST`: what policy version `version` consists of, sent before its chunks (PROTOCOL.md
/// section 7). The tensors are listed in byte order, do not overlap, and end within `totalBytes`. A
/// generator assembles the whole stream, checks every tensor's CRC-32C, and only then swaps weights.
package struct WeightsManifest: Sendable, Equatable {
    /// The version (≥ 0).
    package var version: Int
    /// The version it replaces (below `version`), nil for the first.
    package var replaces: Int?
    /// The tensors, in byte order.
    package var tensors: [ManifestTensor]
    /// The length of the version's byte stream.
    package var totalBytes: Int
    /// A file holding the whole byte stream, for generators on the learner's host (`SharedWeightsPath`);
    /// nil: the stream comes in chunks only.
    package var sharedMemory: String?
    /// For a generator of another host under CurveZMQ: where and how its chunks come sealed (nil: over the
    /// learner's channel).
    package var sealed: SealedStream?

    /// Creates a manifest.
    package init(version: Int, replaces: Int?, tensors: [ManifestTensor], totalBytes: Int, sharedMemory: String? = nil,
                 sealed: SealedStream? = nil) {
        self.version = version; self.replaces = replaces; self.tensors = tensors; self.totalBytes = totalBytes
        self.sharedMemory = sharedMemory
        self.sealed = sealed
    }
}

/// The files a learner writes a version's byte stream into for generators on its host: under `/dev/shm`,
/// named `rlhf-weights-NAME` (NAME: ASCII letters, digits, `-` and `.`, not starting with `.`), so a
/// manifest can name no other file.
package enum SharedWeightsPath {
    /// The folder.
    package static let folder = "/dev/shm"
    /// The names' start.
    package static let prefix = "rlhf-weights-"

    /// Whether `path` is such a file's path.
    package static func isValid(_ path: String) -> Bool {
        guard path.hasPrefix("\(folder)/\(prefix)"), path.utf8.count <= 255 else { return false }
        let name = path.dropFirst(folder.count + 1 + prefix.count)
        return !name.isEmpty && !name.hasPrefix(".") && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}
