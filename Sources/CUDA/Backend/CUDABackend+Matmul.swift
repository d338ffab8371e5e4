import Tensor

extension CUDABackend {
    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]).
    ///
    /// Row-major out is column-major outᵀ[OC,N] = Wᵀ·inputᵀ: cuBLAS's (T, N) product of the weight
    /// (column-major [C,OC]) and the input (column-major [C,N]).
    public func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                              rows: Int, inFeatures: Int, outFeatures: Int) {
        guard rows > 0 else { return }
        if let bias {
            device.launch("rlhf_bias_rows", .covering(rows * outFeatures), [.floats(out), .floats(bias), .int(rows), .int(outFeatures)])
        }
        gemm(transA: true, transB: false, m: outFeatures, n: rows, k: inFeatures, a: weight, lda: inFeatures,
             b: input, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
    }

    /// dInput[N,C] (= or += per `accumulateInput`), dWeight[OC,C] +=, dBias[OC] +=, from dOut[N,OC].
    public func matmulBackward(dInput: FloatPointer?, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer,
                               input: FloatPointer, weight: FloatPointer, rows: Int, inFeatures: Int,
                               outFeatures: Int, accumulateInput: Bool) {
        guard rows > 0 else { return }
        if let dInput {
            // dInputᵀ[C,N] = W (column-major [C,OC]) · dOutᵀ (column-major [OC,N])
            gemm(transA: false, transB: false, m: inFeatures, n: rows, k: outFeatures, a: weight, lda: inFeatures,
                 b: dOut, ldb: outFeatures, beta: accumulateInput ? 1 : 0, c: dInput, ldc: inFeatures)
        }
        if let dWeight {
            // dWᵀ[C,OC] += inputᵀ (column-major [C,N]) · dOut (column-major [OC,N] transposed)
            gemm(transA: false, transB: true, m: inFeatures, n: outFeatures, k: rows, a: input, lda: inFeatures,
                 b: dOut, ldb: outFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        }
        if let dBias {
            device.launch("rlhf_column_sums_add", LaunchShape(blocks: (outFeatures + 31) / 32, threads: 256),
                          [.floats(dBias), .floats(dOut), .int(rows), .int(outFeatures)])
        }
    }

    /// Floats a weight[OC,C] takes packed: the plain layout, or its bfloat16 copy (two per float) with
    /// `--precision bf16`, so generation reads half the bytes per step.
    public func packedWeightCount(inFeatures: Int, outFeatures: Int) -> Int {
        precision == .bf16 ? (inFeatures * outFeatures + 1) / 2 : inFeatures * outFeatures
    }

    /// Copies weight[OC,C] into the packed layout (rounded to bfloat16 with `--precision bf16`).
    public func packWeight(_ weight: FloatPointer, into packed: FloatPointer, inFeatures: Int, outFeatures: Int) {
        let count = inFeatures * outFeatures
        if precision == .bf16 {
            device.launch("rlhf_to_bf16", .covering(count), [.floats(weight), .floats(packed), .int(count)])
        } else {
            copy(from: weight, to: packed, count: count)
        }
    }

    /// out[N,OC] = input[N,C] · weightᵀ (+ bias[OC]) with the weight as `packWeight` left it.
    public func packedMatmulForward(out: FloatPointer, input: FloatPointer, packed: FloatPointer, bias: FloatPointer?,
                                    rows: Int, inFeatures: Int, outFeatures: Int) {
        guard precision == .bf16 else {
            return matmulForward(out: out, input: input, weight: packed, bias: bias, rows: rows, inFeatures: inFeatures,
                                 outFeatures: outFeatures)
        }
        guard rows > 0 else { return }
        if let bias {
            device.launch("rlhf_bias_rows", .covering(rows * outFeatures), [.floats(out), .floats(bias), .int(rows), .int(outFeatures)])
        }
        let inputHalf = bfloat16Copy(input, count: rows * inFeatures, key: "gemm.b16")
        gemmBFloat16(transA: true, transB: false, m: outFeatures, n: rows, k: inFeatures, aHalf: packed, lda: inFeatures,
                     bHalf: inputHalf, ldb: inFeatures, beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
    }

    /// C[m,n] (column-major) = alpha·op(A)·op(B) + beta·C, in the backend's precision.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: FloatPointer, lda: Int, b: FloatPointer, ldb: Int,
              beta: Float, c: FloatPointer, ldc: Int, alpha: Float = 1) {
        let blas = device.libraries.blas
        device.makeCurrent()
        let ta = transA ? CuBLASConstant.transpose : CuBLASConstant.noTranspose
        let tb = transB ? CuBLASConstant.transpose : CuBLASConstant.noTranspose
        var alpha = alpha, beta = beta
        if precision == .bf16 {
            // bfloat16 copies of both operands, float32 sums into the float32 output
            let aHalf = bfloat16Copy(a, count: (transA ? m : k) * lda, key: "gemm.a16")
            let bHalf = bfloat16Copy(b, count: (transB ? k : n) * ldb, key: "gemm.b16")
            gemmBFloat16(transA: transA, transB: transB, m: m, n: n, k: k, aHalf: aHalf, lda: lda, bHalf: bHalf, ldb: ldb,
                         beta: beta, c: c, ldc: ldc, alpha: alpha)
        } else {
            let status = blas.cublasSgemm(device.blasHandle, ta, tb, Int32(m), Int32(n), Int32(k), &alpha, a, Int32(lda), b, Int32(ldb),
                                          &beta, c, Int32(ldc))
            device.checkedBLAS(status, "cublasSgemm(\(m)x\(n)x\(k))")
        }
    }

    /// A bfloat16 copy of x[count] in this thread's scratch `key` (two values per float slot).
    func bfloat16Copy(_ x: FloatPointer, count: Int, key: String) -> FloatPointer {
        let half = scratch(key, count: (count + 1) / 2)
        device.launch("rlhf_to_bf16", .covering(count), [.floats(x), .floats(half), .int(count)])
        return half
    }

    /// C[m,n] (column-major, float32) = alpha·op(A)·op(B) + beta·C with A and B bfloat16, float32 sums.
    func gemmBFloat16(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, aHalf: FloatPointer, lda: Int, bHalf: FloatPointer,
                      ldb: Int, beta: Float, c: FloatPointer, ldc: Int, alpha: Float = 1) {
        let blas = device.libraries.blas
        device.makeCurrent()
        var alpha = alpha, beta = beta
        let status = blas.cublasGemmEx(device.blasHandle, transA ? CuBLASConstant.transpose : CuBLASConstant.noTranspose,
                                       transB ? CuBLASConstant.transpose : CuBLASConstant.noTranspose, Int32(m), Int32(n), Int32(k), &alpha,
                                       UnsafeRawPointer(aHalf), CuBLASConstant.bfloat16, Int32(lda),
                                       UnsafeRawPointer(bHalf), CuBLASConstant.bfloat16, Int32(ldb), &beta,
                                       UnsafeMutableRawPointer(c), CuBLASConstant.float32, Int32(ldc),
                                       CuBLASConstant.compute32F, CuBLASConstant.gemmDefault)
        device.checkedBLAS(status, "cublasGemmEx(\(m)x\(n)x\(k))")
    }

    /// `batches` products C_i = alpha·op(A_i)·op(B_i) + beta·C_i (column-major), operands `stride*` floats apart.
    func gemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: FloatPointer, lda: Int, strideA: Int,
                     b: FloatPointer, ldb: Int, strideB: Int, beta: Float, c: FloatPointer, ldc: Int, strideC: Int,
                     batches: Int, alpha: Float = 1) {
        let blas = device.libraries.blas
        device.makeCurrent()
        var alpha = alpha, beta = beta
        let status = blas.cublasSgemmStridedBatched(device.blasHandle, transA ? CuBLASConstant.transpose : CuBLASConstant.noTranspose,
                                                    transB ? CuBLASConstant.transpose : CuBLASConstant.noTranspose,
                                                    Int32(m), Int32(n), Int32(k), &alpha, a, Int32(lda), Int64(strideA),
                                                    b, Int32(ldb), Int64(strideB), &beta, c, Int32(ldc), Int64(strideC), Int32(batches))
        device.checkedBLAS(status, "cublasSgemmStridedBatched(\(m)x\(n)x\(k)x\(batches))")
    }
}
