#!/usr/bin/env bash
# The GPU checks and benchmarks of issue 22 in one go, on the lent GPU machine (no Swift, no network; it has the
# NVIDIA driver, PyTorch and NVIDIA's cuBLAS and NVRTC wheels). It runs from the repository root of the carried
# working tree with gpu-bundle/ (`make gpu-bundle`) carried beside it, and writes every result to OUT:
#
#   run: scripts/gpu-check.sh "$OUT"      (carry: ["gpu-bundle"], timeout_s: 540)
#
# Steps, each under its own time limit (together 470 s, plus unpacking) so the whole stays within 8 minutes and a second attempt fits the
# 15-minute device budget: unpack the tarball; `rlhf devices`; `rlhf check-gpu` (every kernel against the CPU
# backend, the fixtures, generation) in fp32, then the kernels in tf32 and bf16; a short PPO run on stories260K
# on the GPU and on the CPU; the benchmarks side by side with PyTorch (scripts/gpu-peer.py). OUT/summary.txt
# lists each step's status and seconds; the device time used is the sum.
set -uo pipefail
out="${1:-${OUT:-gpu-check-results}}"
mkdir -p "$out"
cd "$(dirname "$0")/.."
summary="$out/summary.txt"
: > "$summary"
started=$(date +%s)

step() {  # step NAME SECONDS COMMAND...: runs COMMAND with a time limit, output to OUT/NAME.txt
  local name="$1" limit="$2"; shift 2
  local t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.txt" 2>&1
  local status=$?
  printf '%-22s status %3d  %4d s\n' "$name" "$status" "$(( $(date +%s) - t0 ))" | tee -a "$summary"
  return $status
}

tarball="$(ls gpu-bundle/rlhf-*-linux-*.tar.xz 2>/dev/null | head -1)"
[ -n "$tarball" ] || { echo "gpu-check: gpu-bundle/ has no tarball: run make gpu-bundle and carry gpu-bundle" | tee -a "$summary"; exit 1; }
dist="$(mktemp -d)"
tar -xJf "$tarball" -C "$dist"
rlhf="$(ls "$dist"/*/rlhf)"
export RLHF_SHARED="$PWD/gpu-bundle/shared" RLHF_MODELS="$PWD/gpu-bundle/models"
# the CUDA libraries of NVIDIA's Python wheels (PyTorch's own), found through Python
libs="$(python3 - <<'PY' 2>/dev/null
import glob, site, sys
# CUDA 13 wheels put every library in nvidia/cu13/lib, CUDA 12 ones in nvidia/PACKAGE/lib
roots = site.getsitepackages() + [site.getusersitepackages()] + sys.path
print(":".join(dict.fromkeys(d for r in roots for d in sorted(glob.glob(r + "/nvidia/*/lib")))))
PY
)"
export RLHF_CUDA_LIBRARY_PATH="$libs${RLHF_CUDA_LIBRARY_PATH:+:$RLHF_CUDA_LIBRARY_PATH}"
echo "CUDA libraries from: $RLHF_CUDA_LIBRARY_PATH" >> "$summary"

step nvidia-smi 10 nvidia-smi
step devices 20 "$rlhf" devices
step check-fp32 80 "$rlhf" check-gpu --device cuda:0 --precision fp32
step check-tf32 30 "$rlhf" check-gpu --device cuda:0 --precision tf32 --only kernel
step check-bf16 30 "$rlhf" check-gpu --device cuda:0 --precision bf16 --only kernel

# PPO learns on the GPU as on the CPU: 12 iterations of the stories260K sentiment run on each
ppo=(ppo --config cluster/configs/sentiment-stories260k.yaml --set iterations=12 --set eval_every=0 --set save_every=0 --force)
step ppo-cuda 60 "$rlhf" "${ppo[@]}" --device cuda:0 --output "$out/ppo-cuda"
step ppo-cpu 40 "$rlhf" "${ppo[@]}" --device cpu --output "$out/ppo-cpu"
python3 scripts/gpu-compare-ppo.py "$out/ppo-cpu/metrics.jsonl" "$out/ppo-cuda/metrics.jsonl" > "$out/ppo-compare.txt" 2>&1
echo "ppo-compare: $(tail -1 "$out/ppo-compare.txt")" >> "$summary"

# the numbers, side by side with PyTorch on the same GPU
step bench-train-bf16 45 "$rlhf" bench train --model gpt2-small --batch 16 --seq 1024 --warmup 1 --runs 3 --device cuda:0 --precision bf16 --json
step peer-train-bf16 45 python3 scripts/gpu-peer.py --case train --batch 16 --seq 1024 --runs 3
step bench-generate 35 "$rlhf" bench generate --model llama-smol --batch 64 --prompt-len 16 --new-tokens 48 --warmup 1 --runs 3 --device cuda:0 --json
step peer-generate 35 python3 scripts/gpu-peer.py --case generate --batch 64 --prompt-len 16 --new-tokens 48 --runs 3
step bench-ppo 40 "$rlhf" bench ppo --model llama-smol --batch 16 --device cuda:0 --json   # the SmolLM2 shape; TRL is not on the image

echo "total $(( $(date +%s) - started )) s" | tee -a "$summary"
rm -rf "$dist"
