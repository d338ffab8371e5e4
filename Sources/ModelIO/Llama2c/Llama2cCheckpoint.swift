import Foundation
import Models
import Tensor

/// Loads a legacy llama2.c checkpoint (`stories15M.bin` and friends) into the Swift Llama.
///
/// llama2.c stores each weight kind for all layers back to back: token_embedding [V,C], rms_att [L,C],
/// wq [L,C,C], wk [L,KV·D,C], wv [L,KV·D,C], wo [L,C,C], rms_ffn [L,C], w1 [L,F,C], w2 [L,C,F],
/// w3 [L,F,C], rms_final [C], freq_cis_real and freq_cis_imag [seq_len, D/2] (skipped), wcls [V,C] if
/// not shared. w1 is the gate, w3 the up projection, w2 the down projection. Its RoPE rotates pairs
/// (2i, 2i+1), so wq and wk rows are reordered per head into the half-split order of our model.
public enum Llama2cCheckpoint {
    /// Reads the checkpoint at `url` into a store on `backend`; the file size must match the header exactly.
    /// Each tensor is copied into one reused host buffer, checked for NaN and infinity, and uploaded.
    public static func load(url: URL, backend: Backend = DefaultBackend.current) throws
        -> (config: TransformerConfig, parameters: ParameterStore) {
        let path = url.path
        let mapping = try MappedFile(path: path) { Llama2cError.cannotOpen(file: path, reason: $0) }
        let header = try Llama2cHeader(bytes: mapping.bytes, file: path)
        if mapping.size < header.fileSize {
            throw Llama2cError.truncated(file: path, expectedBytes: header.fileSize, actualBytes: mapping.size)
        }
        if mapping.size > header.fileSize {
            throw Llama2cError.trailingBytes(file: path, expectedBytes: header.fileSize, actualBytes: mapping.size)
        }
        let config = header.config
        let parameters = ParameterStore(specs: ParameterLayout.specs(for: config), backend: backend)
        guard let base = mapping.base else { return (config, parameters) }
        var reader = Llama2cWeightReader(next: base + Llama2cHeader.byteCount, staging: WeightStaging(backend: backend, file: path))
        try fill(parameters, config: config, from: &reader)
        return (config, parameters)
    }

    /// Copies every tensor from `reader` (positioned after the header) into `parameters`.
    private static func fill(_ parameters: ParameterStore, config: TransformerConfig, from reader: inout Llama2cWeightReader) throws {
        let C = config.width, F = config.ffnWidth, D = config.headDim, V = config.vocabSize, L = config.layers
        let qRows = config.heads * D, kvRows = config.kvHeads * D
        func layer(_ l: Int, _ name: String) -> FloatPointer { parameters.value("layers.\(l).\(name)") }
        let halfSplit = { (row: Int) in GGUFRotaryRows.halfSplitRow(forInterleavedRow: row, headDim: D) }

        try reader.copy("token_embedding_table", rows: V, columns: C, into: parameters.value("embed.tokens"))                       // [V, C]
        for l in 0..<L { try reader.copy("rms_att_weight[\(l)]", rows: 1, columns: C, into: layer(l, "attn_norm.weight")) }        // [C]
        for l in 0..<L { try reader.copy("wq[\(l)]", rows: qRows, columns: C, into: layer(l, "attn.qkv.weight"), destinationRow: halfSplit) }
        for l in 0..<L {                                                                               // k rows
            try reader.copy("wk[\(l)]", rows: kvRows, columns: C, into: layer(l, "attn.qkv.weight") + qRows * C, destinationRow: halfSplit)
        }
        for l in 0..<L { try reader.copy("wv[\(l)]", rows: kvRows, columns: C, into: layer(l, "attn.qkv.weight") + (qRows + kvRows) * C) }
        for l in 0..<L { try reader.copy("wo[\(l)]", rows: C, columns: qRows, into: layer(l, "attn.out.weight")) }     // [C, H·D]
        for l in 0..<L { try reader.copy("rms_ffn_weight[\(l)]", rows: 1, columns: C, into: layer(l, "mlp_norm.weight")) }         // [C]
        for l in 0..<L { try reader.copy("w1[\(l)]", rows: F, columns: C, into: layer(l, "mlp.gate_up.weight")) }      // w1: gate [F, C]
        for l in 0..<L { try reader.copy("w2[\(l)]", rows: C, columns: F, into: layer(l, "mlp.down.weight")) }         // w2: [C, F]
        for l in 0..<L { try reader.copy("w3[\(l)]", rows: F, columns: C, into: layer(l, "mlp.gate_up.weight") + F * C) } // w3: up [F, C]
        try reader.copy("rms_final_weight", rows: 1, columns: C, into: parameters.value("final_norm.weight"))                  // [C]
        reader.skip(floats: 2 * config.maxPositions * D / 2)                                           // freq_cis real, imag
        if !config.tiedEmbeddings { try reader.copy("wcls", rows: V, columns: C, into: parameters.value("lm_head.weight")) }
    }
}

/// A cursor over the float32 weights of a llama2.c file (bounds are checked once, against the header);
/// each block goes through the host staging buffer to the backend.
struct Llama2cWeightReader {
    var next: UnsafeRawPointer
    let staging: WeightStaging

    /// Copies the [rows, columns] block `name`; source row r goes to row `destinationRow(r)` of `destination`.
    mutating func copy(_ name: String, rows: Int, columns: Int, into destination: FloatPointer,
                       destinationRow: ((Int) -> Int)? = nil) throws {
        let rowBytes = 4 * columns
        let host = staging.floats(rows * columns)
        if let destinationRow {
            for row in 0..<rows {
                UnsafeMutableRawPointer(host + destinationRow(row) * columns).copyMemory(from: next + row * rowBytes, byteCount: rowBytes)
            }
        } else {
            UnsafeMutableRawPointer(host).copyMemory(from: next, byteCount: rows * rowBytes)
        }
        try staging.upload(host, count: rows * columns, to: destination, tensor: name)
        next += rows * rowBytes
    }

    /// Moves past `floats` values.
    mutating func skip(floats: Int) { next += 4 * floats }
}
