#!/usr/bin/env bash
# Runs each benchmark case with PyTorch (../shared/peer/bench.py) and with `rlhf bench`, back to back,
# ROUNDS times, interleaved, and appends every JSON line to OUT. scripts/bench-table.py turns OUT into
# the tables in docs/PERFORMANCE.md (medians over rounds and their ratios).
#   usage: scripts/bench-side-by-side.sh [OUT] [ROUNDS] [CASES...]
#   cases: train forward gen8 gen32 (default: all)
#   PLAIN=path/to/rlhf also runs a second binary (e.g. one from a plain `swift build -c release`) tagged
#   "plain" in each case, its order against the `make build` binary alternating from round to round.
set -euo pipefail
out=${1:-results.jsonl}; rounds=${2:-3}; shift $(( $# > 2 ? 2 : $# )) || true
cases=("$@"); [[ ${#cases[@]} -gt 0 ]] || cases=(train forward gen8 gen32)
peer=${PEER:-$HOME/.cache/swift-rlhf-peer}
py=$peer/venv/bin/python
shared=${RLHF_SHARED:-../shared}
[[ -x $py ]] || { echo "error: no peer venv at $peer: run $shared/peer/setup.sh" >&2; exit 2; }
make -s build >/dev/null
rlhf=$(swift build -c release --show-bin-path)/rlhf
run() {  # tag, command...
  local tag=$1; shift
  local line; line=$("$@" 2>/dev/null | grep '^{' | tail -n 1) || true
  [[ -n $line ]] || { echo "error: $tag produced no result" >&2; return; }
  echo "{\"side\": \"$tag\", \"result\": $line}" | tee -a "$out"
}
ours() {  # round, arguments...: the make-build binary and, with PLAIN, the plain one, alternating order
  local round=$1; shift
  if [[ -z ${PLAIN:-} ]]; then run swift "$rlhf" "$@"; return; fi
  if (( round % 2 )); then run swift "$rlhf" "$@"; run plain "$PLAIN" "$@"
  else run plain "$PLAIN" "$@"; run swift "$rlhf" "$@"; fi
}
for ((r = 1; r <= rounds; r++)); do
  for c in "${cases[@]}"; do
    case $c in
      train)
        run torch $py "$shared/peer/bench.py" --case train --model small --threads 2 --warmup 1 --runs 5
        ours $r bench train --model gpt2-small --batch 8 --seq 128 --threads 2 --warmup 1 --runs 5 --json ;;
      forward)
        run torch $py "$shared/peer/bench.py" --case forward --model small --threads 2 --warmup 1 --runs 5
        ours $r bench forward --model gpt2-small --batch 8 --seq 128 --threads 2 --warmup 1 --runs 5 --json ;;
      gen8|gen32)
        b=${c#gen}
        run torch $py "$shared/peer/bench.py" --case generate --model llama-smol --threads 2 --batch "$b" --warmup 1 --runs 3
        ours $r bench generate --model llama-smol --batch "$b" --prompt-len 16 --new-tokens 48 --threads 2 --warmup 1 --runs 3 --json ;;
      *) echo "error: unknown case $c (train, forward, gen8, gen32)" >&2; exit 2 ;;
    esac
  done
done
