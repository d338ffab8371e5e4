/// Every kernel program the CUDA backend compiles at start (and `make cuda-ptx` compiles on the CPU).
package enum KernelSources {
    package static let programs: [KernelProgram] = [
        CoreKernels.program, ElementwiseKernels.program, EmbeddingKernels.program, NormKernels.program, RoPEKernels.program,
        LossKernels.program, AttentionKernels.program, SamplingKernels.program,
    ]
}
