import BackendChecks
import Tensor
import XCTest

/// The `rlhf check-gpu` harness on the CPU: a second CPU backend passes every case, and a backend with
/// one broken function fails exactly the cases of that function.
final class BackendChecksTests: XCTestCase {
    func testCPUAgainstCPUPassesEveryCase() {
        let report = BackendCheckReport.run(candidate: CPUBackend(), reference: CPUBackend(), tolerance: .fp32, seed: 1)
        XCTAssertEqual(report.lines.count, BackendCheckCase.all.count)
        XCTAssertTrue(report.allPassed, report.text)
        XCTAssertTrue(report.text.hasSuffix("\(report.lines.count) of \(report.lines.count) cases passed\n"), report.text)
        print(report.text)
    }

    func testCPUAgainstCPUPassesUnderEveryToleranceAndSeed() {
        for (tolerance, seed) in [(BackendCheckTolerance.bf16, UInt64(2)), (.tf32, 3), (.fp32, 0xDEAD_BEEF)] {
            let report = BackendCheckReport.run(candidate: CPUBackend(), reference: CPUBackend(), tolerance: tolerance, seed: seed)
            XCTAssertTrue(report.allPassed, report.text)
        }
    }

    /// The CPU kernels on every other instruction set this machine runs (other vector widths and sum
    /// orders, FMA or not) round differently from the reference's, and still pass at fp32: the bounds
    /// are not tighter than an honest reordering needs. (The BLAS products are the same library either way.)
    func testCPUOnAnotherInstructionSetPasses() {
        let others = InstructionSet.supported.filter { $0 != InstructionSet.active }
        for isa in others {
            let report = BackendCheckReport.run(candidate: FaultyBackend(nil, instructionSet: isa), reference: CPUBackend(),
                                                tolerance: .fp32, seed: 1)
            XCTAssertTrue(report.allPassed, report.text)
            print(report.text)
        }
    }

    /// Every `Backend` function that computes something has at least one case, and names are unique.
    func testEveryBackendFunctionHasACase() {
        let functions: Set = [
            "makeBuffer", "zero", "copy", "fill", "upload", "upload(tokens)", "matmulForward", "matmulBackward",
            "packedMatmulForward", "embeddingForward", "embeddingBackward", "add", "addColumns", "copyColumns", "geluForward",
            "geluBackward", "geluErfForward", "geluErfBackward", "swigluForward", "swigluBackward", "layerNormForward",
            "layerNormBackward", "rmsNormForward", "rmsNormBackward", "rope", "attentionForward", "attentionBackward",
            "cachedAttention", "crossEntropyForward", "crossEntropyBackward", "logSoftmaxGather", "tokenLogProbsForward",
            "tokenLogProbsBackward", "sampleTokens", "adamWStep", "sumOfSquares", "scale",
        ]
        XCTAssertEqual(Set(BackendCheckCase.all.map(\.function)), functions)
        let names = BackendCheckCase.all.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "case names repeat")
    }

    /// A filter runs a subset with the same shapes and inputs as the whole run draws for it.
    func testFilterKeepsEachCaseItsInputs() {
        let whole = BackendCheckReport.run(candidate: CPUBackend(), reference: CPUBackend(), seed: 5)
        let some = BackendCheckReport.run(candidate: CPUBackend(), reference: CPUBackend(), seed: 5, filter: "ATTENTION")
        XCTAssertEqual(some.lines.map(\.name), BackendCheckCase.all.filter { $0.function.lowercased().contains("attention") }.map(\.name))
        for line in some.lines {
            XCTAssertEqual(line.shape, whole.lines.first { $0.name == line.name }?.shape, line.name)
        }
    }

    func testTolerances() {
        XCTAssertEqual(BackendCheckTolerance.fp32.floatBound(products: 4096), 1e-5)
        XCTAssertEqual(BackendCheckTolerance.bf16.floatBound(products: 0), 1e-5)
        XCTAssertEqual(BackendCheckTolerance.bf16.floatBound(products: 1), 4 * 0x1p-8)
        XCTAssertEqual(BackendCheckTolerance.bf16.floatBound(products: 1024), 32 * 0x1p-8)
        XCTAssertEqual(BackendCheckTolerance.tf32.floatBound(products: 64), 8 * 0x1p-11)
    }

    /// Each fault fails exactly the cases `expected` picks (at least one) and passes all the others.
    func testFaultyBackendFailsExactlyItsCases() {
        let table: [(FaultyBackend.Fault, (BackendCheckCase) -> Bool)] = [
            (.makeBufferNotZeroed, { $0.function == "makeBuffer" }),
            (.addWrongWhenOutIsA, { $0.function == "add" && $0.name.contains("out==a") }),
            (.matmulForwardDropsBias, { $0.function == "matmulForward" && $0.name.contains("bias") && !$0.name.contains("no bias") }),
            (.matmulBackwardOverwritesWeightGradient, { $0.function == "matmulBackward" && $0.name.contains("dWeight") }),
            (.embeddingForwardNeverAccumulates, { $0.function == "embeddingForward" && $0.name.contains("+=") }),
            (.embeddingBackwardOff, { $0.function == "embeddingBackward" }),
            (.geluForwardWritesPastTheEnd, { $0.function == "geluForward" }),
            (.layerNormBackwardOff, { $0.function == "layerNormBackward" }),
            (.ropeInverseOff, { $0.function == "rope" && $0.name.hasPrefix("rope inverse") }),
            (.attentionBackwardOff, { $0.function == "attentionBackward" }),
            (.cachedAttentionOff, { $0.function == "cachedAttention" }),
            (.tokenLogProbsBackwardDropsEntropy, { $0.function == "tokenLogProbsBackward" && $0.name.contains("dEntropy") }),
            (.sampleTokensWrongToken, { $0.function == "sampleTokens" }),
            (.sampleTokensExtraDraw, { $0.function == "sampleTokens" }),
            (.adamWStepOff, { $0.function == "adamWStep" }),
            (.sumOfSquaresOff, { $0.function == "sumOfSquares" }),
        ]
        XCTAssertEqual(Set(table.map(\.0)), Set(FaultyBackend.Fault.allCases))
        for (fault, expected) in table {
            let report = BackendCheckReport.run(candidate: FaultyBackend(fault), reference: CPUBackend(), tolerance: .fp32, seed: 1)
            let want = BackendCheckCase.all.filter(expected).map(\.name)
            XCTAssertFalse(want.isEmpty, "\(fault): no case expected to fail")
            XCTAssertEqual(report.failures.map(\.name), want, "\(fault)\n\(report.text)")
            print("\(fault): \(report.failures.count) failed: "
                  + report.failures.map { "\($0.name) [\($0.output) \($0.maxError) > \($0.tolerance)]" }.joined(separator: "; "))
        }
    }
}

/// A `Backend` that forwards every call to a `CPUBackend`, except that `fault` spoils one function:
/// an element off by 1e-3 relative, a wrong token, an extra draw, a skipped accumulate, a write past the end.
/// With `instructionSet` the CPU kernels run on that set (another vector width, no FMA): an honest
/// backend that rounds differently from the reference.
final class FaultyBackend: Backend {
    enum Fault: CaseIterable, Sendable {
        case makeBufferNotZeroed, addWrongWhenOutIsA, matmulForwardDropsBias, matmulBackwardOverwritesWeightGradient
        case embeddingForwardNeverAccumulates, embeddingBackwardOff, geluForwardWritesPastTheEnd, layerNormBackwardOff
        case ropeInverseOff, attentionBackwardOff, cachedAttentionOff, tokenLogProbsBackwardDropsEntropy
        case sampleTokensWrongToken, sampleTokensExtraDraw, adamWStepOff, sumOfSquaresOff
    }

    let base = CPUBackend()
    /// The function spoiled (nil: none).
    let fault: Fault?
    /// The instruction set the forwarded kernels run on (nil: the active one).
    let instructionSet: InstructionSet?

    init(_ fault: Fault?, instructionSet: InstructionSet? = nil) { self.fault = fault; self.instructionSet = instructionSet }

    /// Runs a forwarded call on `instructionSet`.
    private func cpu<R>(_ body: () -> R) -> R {
        guard let instructionSet else { return body() }
        return InstructionSet.with(instructionSet, body)
    }

    /// Multiplies the largest-magnitude float of p[count] by 1 + 1e-3.
    static func nudgeLargest(_ p: FloatPointer, count: Int) {
        guard count > 0 else { return }
        var largest = 0
        for i in 0..<count where abs(p[i]) > abs(p[largest]) { largest = i }
        p[largest] *= 1 + 1e-3
    }

    var name: String { "faulty(\(fault.map { "\($0)" } ?? "none")\(instructionSet.map { ", \($0)" } ?? ""))" }

    func makeBuffer(count: Int) -> FloatBuffer {
        let buffer = base.makeBuffer(count: count)
        if fault == .makeBufferNotZeroed { buffer.pointer[count / 2] = 1 }
        return buffer
    }
    func zero(_ p: FloatPointer, count: Int) { base.zero(p, count: count) }
    func copy(from: FloatPointer, to: FloatPointer, count: Int) { base.copy(from: from, to: to, count: count) }
    func fill(_ p: FloatPointer, count: Int, value: Float) { base.fill(p, count: count, value: value) }
    func makeTokenBuffer(count: Int) -> TokenBuffer { base.makeTokenBuffer(count: count) }
    func upload(_ source: UnsafeBufferPointer<Float>, to destination: FloatPointer) { base.upload(source, to: destination) }
    func upload(_ source: UnsafeBufferPointer<Int32>, to destination: TokenPointer) { base.upload(source, to: destination) }
    func download(_ source: FloatPointer, into destination: UnsafeMutableBufferPointer<Float>) { base.download(source, into: destination) }

    func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?, rows: Int, inFeatures: Int,
                       outFeatures: Int) {
        cpu {
            base.matmulForward(out: out, input: input, weight: weight, bias: fault == .matmulForwardDropsBias ? nil : bias, rows: rows,
                               inFeatures: inFeatures, outFeatures: outFeatures)
        }
    }
    func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer, input: FloatPointer,
                        weight: FloatPointer, rows: Int, inFeatures: Int, outFeatures: Int, accumulateInput: Bool) {
        if fault == .matmulBackwardOverwritesWeightGradient, let dWeight { base.zero(dWeight, count: inFeatures * outFeatures) }
        cpu {
            base.matmulBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input, weight: weight, rows: rows,
                                inFeatures: inFeatures, outFeatures: outFeatures, accumulateInput: accumulateInput)
        }
    }
    func packedWeightCount(inFeatures: Int, outFeatures: Int) -> Int {
        base.packedWeightCount(inFeatures: inFeatures, outFeatures: outFeatures)
    }
    func packWeight(_ weight: FloatPointer, into packed: FloatPointer, inFeatures: Int, outFeatures: Int) {
        cpu { base.packWeight(weight, into: packed, inFeatures: inFeatures, outFeatures: outFeatures) }
    }
    func packedMatmulForward(out: FloatPointer, input: FloatPointer, packed: FloatPointer, bias: FloatPointer?, rows: Int,
                             inFeatures: Int, outFeatures: Int) {
        cpu {
            base.packedMatmulForward(out: out, input: input, packed: packed, bias: bias, rows: rows, inFeatures: inFeatures,
                                     outFeatures: outFeatures)
        }
    }

    func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int, channels: Int, accumulate: Bool) {
        cpu {
            base.embeddingForward(out: out, ids: ids, table: table, rows: rows, channels: channels,
                                  accumulate: fault == .embeddingForwardNeverAccumulates ? false : accumulate)
        }
    }
    func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int) {
        cpu { base.embeddingBackward(dTable: dTable, dOut: dOut, ids: ids, rows: rows, channels: channels) }
        if fault == .embeddingBackwardOff { Self.nudgeLargest(dTable + Int(ids[0]) * channels, count: channels) }
    }

    func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        if fault == .addWrongWhenOutIsA, out == a { base.zero(out, count: count) }  // reads a after clearing it
        cpu { base.add(out: out, a, b, count: count) }
    }
    func addColumns(out: FloatPointer, outStride: Int, source: FloatPointer, rows: Int, columns: Int) {
        cpu { base.addColumns(out: out, outStride: outStride, source: source, rows: rows, columns: columns) }
    }
    func copyColumns(out: FloatPointer, source: FloatPointer, sourceStride: Int, rows: Int, columns: Int) {
        cpu { base.copyColumns(out: out, source: source, sourceStride: sourceStride, rows: rows, columns: columns) }
    }
    func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        cpu { base.geluForward(out: out, input: input, count: count) }
        if fault == .geluForwardWritesPastTheEnd { out[count] = 0 }
    }
    func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        cpu { base.geluBackward(dInput: dInput, dOut: dOut, input: input, count: count) }
    }
    func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int) {
        cpu { base.geluErfForward(out: out, input: input, count: count) }
    }
    func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        cpu { base.geluErfBackward(dInput: dInput, dOut: dOut, input: input, count: count) }
    }
    func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        cpu { base.swigluForward(out: out, gateUp: gateUp, rows: rows, hidden: hidden) }
    }
    func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        cpu { base.swigluBackward(dGateUp: dGateUp, dOut: dOut, gateUp: gateUp, rows: rows, hidden: hidden) }
    }

    func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer,
                          bias: FloatPointer, rows: Int, channels: Int, eps: Float) {
        cpu {
            base.layerNormForward(out: out, mean: mean, rstd: rstd, input: input, weight: weight, bias: bias, rows: rows,
                                  channels: channels, eps: eps)
        }
    }
    func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer, input: FloatPointer,
                           weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) {
        cpu {
            base.layerNormBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input, weight: weight, mean: mean,
                                   rstd: rstd, rows: rows, channels: channels)
        }
        if fault == .layerNormBackwardOff { Self.nudgeLargest(dInput, count: rows * channels) }
    }
    func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer, rows: Int, channels: Int,
                        eps: Float) {
        cpu { base.rmsNormForward(out: out, rstd: rstd, input: input, weight: weight, rows: rows, channels: channels, eps: eps) }
    }
    func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer, weight: FloatPointer,
                         rstd: FloatPointer, rows: Int, channels: Int) {
        cpu {
            base.rmsNormBackward(dInput: dInput, dWeight: dWeight, dOut: dOut, input: input, weight: weight, rstd: rstd, rows: rows,
                                 channels: channels)
        }
    }

    func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int, headDim: Int, rowStride: Int,
              inverse: Bool) {
        cpu {
            base.rope(x, positions: positions, table: table, rows: rows, heads: heads, headDim: headDim, rowStride: rowStride,
                      inverse: inverse)
        }
        if fault == .ropeInverseOff, inverse { Self.nudgeLargest(x, count: heads * headDim) }
    }
    func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?, shape: AttentionShape) {
        cpu { base.attentionForward(out: out, att: att, qkv: qkv, keyMask: keyMask, shape: shape) }
    }
    func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer, scratch: FloatPointer,
                           shape: AttentionShape) {
        cpu { base.attentionBackward(dQKV: dQKV, dOut: dOut, qkv: qkv, att: att, scratch: scratch, shape: shape) }
        if fault == .attentionBackwardOff { Self.nudgeLargest(dQKV, count: shape.batch * shape.length * shape.qkvStride) }
    }
    func cachedAttention(out: FloatPointer, qkv: FloatPointer, cache: KVCacheSlot, shape: AttentionShape) {
        cpu { base.cachedAttention(out: out, qkv: qkv, cache: cache, shape: shape) }
        if fault == .cachedAttentionOff { Self.nudgeLargest(out, count: shape.batch * shape.length * shape.heads * shape.headDim) }
    }

    func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int,
                             vocab: Int) {
        cpu { base.crossEntropyForward(losses: losses, logSumExp: logSumExp, logits: logits, targets: targets, rows: rows, vocab: vocab) }
    }
    func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer, targets: TokenPointer,
                              dLoss: FloatPointer, rows: Int, vocab: Int) {
        cpu {
            base.crossEntropyBackward(dLogits: dLogits, logits: logits, logSumExp: logSumExp, targets: targets, dLoss: dLoss, rows: rows,
                                      vocab: vocab)
        }
    }
    func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) {
        cpu { base.logSoftmaxGather(out: out, logits: logits, targets: targets, rows: rows, vocab: vocab) }
    }
    func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer, targets: TokenPointer, rows: Int,
                              vocab: Int, temperature: Float) {
        cpu {
            base.tokenLogProbsForward(logProbs: logProbs, entropy: entropy, logits: logits, targets: targets, rows: rows, vocab: vocab,
                                      temperature: temperature)
        }
    }
    func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer, dLogProbs: FloatPointer?,
                               dEntropy: FloatPointer?, rows: Int, vocab: Int, temperature: Float) {
        cpu {
            base.tokenLogProbsBackward(dLogits: dLogits, logits: logits, targets: targets, dLogProbs: dLogProbs,
                                       dEntropy: fault == .tokenLogProbsBackwardDropsEntropy ? nil : dEntropy, rows: rows, vocab: vocab,
                                       temperature: temperature)
        }
    }

    func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab: Int, rule: SamplingRule,
                      streams: inout [SplitMix64]) -> [SampledToken] {
        var picks = cpu { base.sampleTokens(logits: logits, scratch: scratch, rows: rows, vocab: vocab, rule: rule, streams: &streams) }
        if fault == .sampleTokensWrongToken, let last = picks.indices.last { picks[last].token = (picks[last].token + 1) % vocab }
        if fault == .sampleTokensExtraDraw, let row = rows.first { _ = streams[row].next() }
        return picks
    }

    func adamWStep(parameters: FloatPointer, gradients: FloatPointer, firstMoment: FloatPointer, secondMoment: FloatPointer, count: Int,
                   segments: [OptimizerSegment], scalars: [AdamWScalars]) {
        cpu {
            base.adamWStep(parameters: parameters, gradients: gradients, firstMoment: firstMoment, secondMoment: secondMoment,
                           count: count, segments: segments, scalars: scalars)
        }
        if fault == .adamWStepOff, let first = segments.first {
            Self.nudgeLargest(parameters + first.range.lowerBound, count: first.range.count)
        }
    }
    func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        cpu { base.sumOfSquares(x, count: count) } * (fault == .sumOfSquaresOff ? 1 + 1e-7 : 1)
    }
    func scale(_ x: FloatPointer, count: Int, by factor: Float) { cpu { base.scale(x, count: count, by: factor) } }
}
