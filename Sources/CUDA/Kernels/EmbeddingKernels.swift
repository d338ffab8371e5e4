/// Embedding lookups and their deterministic scatter-add: the backward pass sorts the rows by id (a stable
/// rank sort, so equal ids keep row order), then one block per run of equal ids adds that run's gradient
/// rows into the table row in row order, with no atomics: the CPU's order of additions, on every run.
enum EmbeddingKernels {
    static let program = KernelProgram(name: "embedding", source: source, kernels: [
        "rlhf_embedding_forward", "rlhf_embedding_rank_rows", "rlhf_embedding_backward_runs",
    ])

    static let source = #"""
/* out[N,C] = table[ids[n], C] (or += when accumulate); table[V,C]. A negative id reads nothing (a zero row). */
extern "C" __global__ void rlhf_embedding_forward(float* out, const int* ids, const float* table, int rows, int channels,
                                                  int accumulate) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * channels) return;
    long long n = i / channels, c = i - n * channels;
    int id = ids[n];
    float value = id >= 0 ? table[(long long)id * channels + c] : 0.0f;
    out[i] = accumulate ? out[i] + value : value;
}

/* order[N]: the rows sorted by (ids[n], n), and runEnd[N]: at the sorted position where a run of equal ids
   starts, the position just past the run (0 elsewhere). Row n's rank is the number of rows m with
   ids[m] < ids[n] (`less`), plus those with ids[m] == ids[n] and m < n (a stable sort; ranks are distinct);
   the first row of each id (rank == less) marks its run's start with less + (rows with that id).
   One thread per row; ids staged through shared memory 256 at a time. Block: 256 threads. */
extern "C" __global__ void rlhf_embedding_rank_rows(const int* ids, int rows, int* order, int* runEnd) {
    __shared__ int tile[256];
    int n = blockIdx.x * 256 + threadIdx.x;
    int id = n < rows ? ids[n] : 0;
    int less = 0, before = 0, equal = 0;
    for (int start = 0; start < rows; start += 256) {
        __syncthreads();
        if (start + (int)threadIdx.x < rows) tile[threadIdx.x] = ids[start + threadIdx.x];
        __syncthreads();
        int count = rows - start < 256 ? rows - start : 256;
        for (int j = 0; j < count; ++j) {
            int other = tile[j];
            less += other < id;
            equal += other == id;
            before += other == id && start + j < n;
        }
    }
    if (n >= rows) return;
    order[less + before] = n;
    runEnd[less + before] = before == 0 ? less + equal : 0;
}

/* dTable[V,C] += dOut[N,C] scattered by ids[N]. Block x = sorted position s, block y = a block of channels.
   The block at the start of a run of equal ids walks the run in sorted (= row) order, adding each row into a
   register that starts from the table's value: per (id, channel) dTable + dOut[n1] + dOut[n2] + ... in row
   order, the CPU's order of additions. Rows with negative ids are skipped. */
extern "C" __global__ void rlhf_embedding_backward_runs(float* dTable, const float* dOut, const int* ids, const int* order,
                                                        const int* runEnd, int channels) {
    int s = blockIdx.x, end = runEnd[s];
    if (end == 0) return;
    int id = ids[order[s]];
    int c = blockIdx.y * blockDim.x + threadIdx.x;
    if (id < 0 || c >= channels) return;
    float* target = dTable + (long long)id * channels + c;
    float sum = *target;
#pragma unroll 4
    for (int r = s; r < end; ++r) sum += dOut[(long long)order[r] * channels + c];
    *target = sum;
}
"""#
}
