#!/usr/bin/env bash
# Builds the CPU emulator of the CUDA driver and cuBLAS into OUT_DIR:
#   libcuda.so.1        the driver API the backend calls, with every kernel of Sources/CUDA/Kernels compiled for the CPU
#   libcublas.so.12     Sgemm, SgemmStridedBatched, GemmEx (float and bfloat16)
#   libcublasLt.so.12   a stub (the backend opens it before cuBLAS)
# Rerun it whenever the kernels change (it does nothing when its inputs have not changed). Then:
#   RLHF_CUDA_LIBRARY_PATH=OUT_DIR:<folder of libnvrtc.so.12> rlhf check-gpu --device cuda:0
#
# usage: scripts/cuda-emulator/build.sh OUT_DIR [--selftest]
# env:   CXX (default: c++, g++ or clang++, whichever is found first), JOBS (parallel compiles, default: CPUs)
set -euo pipefail

if [ $# -lt 1 ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $0 OUT_DIR [--selftest]" >&2
    exit 2
fi
OUT=$1
SELFTEST=${2:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "${CXX:-}" ]; then
    for candidate in c++ g++ clang++; do
        if command -v "$candidate" >/dev/null 2>&1; then CXX=$candidate; break; fi
    done
fi
if [ -z "${CXX:-}" ]; then
    echo "$0: no C++ compiler found (set CXX)" >&2
    exit 1
fi
PYTHON=${PYTHON:-$(command -v python3 || command -v python || true)}
if [ -z "$PYTHON" ]; then
    echo "$0: python3 is needed to extract the kernels from the Swift sources" >&2
    exit 1
fi
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}

# -ffp-contract=off: no fused multiply-adds the source does not ask for (the same bits with every compiler);
# -fno-math-errno keeps libm calls inline-able without changing results.
COMMON=(-std=c++17 -fPIC -pthread -fvisibility=hidden -fno-fast-math -ffp-contract=off -fno-math-errno -g1 -Wall -Wno-unknown-pragmas -Wno-unused-function -Wno-unused-variable)
# -fstack-clash-protection: a frame larger than a page probes each page, so a kernel that overflows its fiber's
# stack hits the guard page below it instead of jumping over it.
KERNEL_FLAGS=(-O2 "${COMMON[@]}" -I"$HERE")
if echo 'int x;' | "$CXX" -x c++ -fstack-clash-protection -c -o /dev/null - >/dev/null 2>&1; then
    KERNEL_FLAGS+=(-fstack-clash-protection)
fi
BLAS_FLAGS=(-O3 "${COMMON[@]}")

GEN="$OUT/gen"
OBJ="$OUT/obj"
mkdir -p "$GEN" "$OBJ"
"$PYTHON" "$HERE/extract_kernels.py" "$ROOT/Sources/CUDA" "$GEN" >/dev/null

# Everything the libraries depend on; nothing to do when it matches the last build.
STAMP=$( { "$CXX" --version 2>&1 | head -1; echo "${KERNEL_FLAGS[*]} ${BLAS_FLAGS[*]}";
           cat "$HERE/cuda_emu.h" "$HERE/fake_cuda.cpp" "$HERE/fake_cublas.cpp" "$HERE/fake_cublaslt.cpp" "$GEN"/kernels_*.cpp; } \
         | cksum | cut -d' ' -f1)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ] && [ -f "$OUT/libcuda.so.1" ] \
   && [ -f "$OUT/libcublas.so.12" ] && [ -f "$OUT/libcublasLt.so.12" ] && [ -z "$SELFTEST" ]; then
    echo "cuda-emulator: $OUT is up to date"
    exit 0
fi
rm -f "$OUT/.stamp"

started=$(date +%s)
pids=()
objects=()
compile() {  # source object flags...
    local source=$1 object=$2
    shift 2
    "$CXX" "$@" -c "$source" -o "$object" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
}
for unit in "$GEN"/kernels_*.cpp; do
    object="$OBJ/$(basename "${unit%.cpp}").o"
    objects+=("$object")
    compile "$unit" "$object" "${KERNEL_FLAGS[@]}"
done
compile "$HERE/fake_cuda.cpp" "$OBJ/fake_cuda.o" "${KERNEL_FLAGS[@]}"
compile "$HERE/fake_cublas.cpp" "$OBJ/fake_cublas.o" "${BLAS_FLAGS[@]}"
compile "$HERE/fake_cublaslt.cpp" "$OBJ/fake_cublaslt.o" "${BLAS_FLAGS[@]}"
for pid in "${pids[@]}"; do wait "$pid"; done

"$CXX" -shared -pthread -Wl,-soname,libcuda.so.1 -Wl,--no-undefined -o "$OUT/libcuda.so.1" "$OBJ/fake_cuda.o" "${objects[@]}" -ldl -lm
"$CXX" -shared -pthread -Wl,-soname,libcublas.so.12 -Wl,--no-undefined -o "$OUT/libcublas.so.12" "$OBJ/fake_cublas.o" -ldl
"$CXX" -shared -Wl,-soname,libcublasLt.so.12 -o "$OUT/libcublasLt.so.12" "$OBJ/fake_cublaslt.o"
echo "$STAMP" > "$OUT/.stamp"
echo "cuda-emulator: built $OUT/libcuda.so.1 ($(ls "$GEN"/kernels_*.cpp | wc -l) kernel programs), libcublas.so.12, libcublasLt.so.12 in $(( $(date +%s) - started )) s with $CXX"

if [ "$SELFTEST" = "--selftest" ]; then
    "$CXX" "${KERNEL_FLAGS[@]}" -rdynamic -o "$OUT/selftest" "$HERE/selftest.cpp" "$OBJ/fake_cuda.o" -ldl
    "$OUT/selftest" "$OUT"
fi
