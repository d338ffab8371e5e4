#!/usr/bin/env bash
# One epoch of each reward-model recipe of issue 10 with `rlhf reward train` and with the PyTorch +
# transformers reference (scripts/peer/reward_train.py), back to back on the same data, the same MiniLM
# backbone and head, the same schedule; every JSON result line is appended to OUT tagged with its side.
#   usage: scripts/bench-reward-side-by-side.sh [OUT] [THREADS] [RECIPES...]   (recipes: hh dexperts imdb)
set -euo pipefail
out=${1:-reward-results.jsonl}; threads=${2:-2}; shift $(( $# > 2 ? 2 : $# )) || true
recipes=("$@"); [[ ${#recipes[@]} -gt 0 ]] || recipes=(dexperts imdb hh)
py=${PEER:-$HOME/.cache/swift-rlhf-peer}/venv/bin/python
shared=${RLHF_SHARED:-../shared}
model=${RLHF_MINILM:-models/all-minilm-l6-v2}
[[ -x $py ]] || { echo "error: no peer venv: run $shared/peer/setup.sh" >&2; exit 2; }
make -s build >/dev/null
rlhf=$(swift build -c release --show-bin-path)/rlhf
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
for recipe in "${recipes[@]}"; do
  case $recipe in
    hh) data=(--format hh --data "$shared/data/hh-rlhf-harmless-base-test.jsonl.gz"); lr=2e-5 ;;
    dexperts) data=(--format dexperts --data "$shared/data/dexperts-human-judgments.jsonl.gz"); lr=2e-5 ;;
    imdb) data=(--format imdb --data "$shared/data/imdb-train.jsonl.gz" --eval-data "$shared/data/imdb-test.jsonl.gz"
                --train-size 2000 --eval-size 2000); lr=5e-5 ;;
    *) echo "error: unknown recipe $recipe (hh, dexperts, imdb)" >&2; exit 2 ;;
  esac
  line=$("$rlhf" reward train --model "$model" "${data[@]}" --lr $lr --batch 8 --max-len 256 \
         --threads "$threads" --output "$scratch/$recipe" --json 2>/dev/null | tail -n 1)
  echo "{\"side\": \"swift\", \"recipe\": \"$recipe\", \"threads\": $threads, \"result\": $line}" | tee -a "$out"
  rm -rf "${scratch:?}/$recipe"
  line=$(OMP_WAIT_POLICY=passive "$py" scripts/peer/reward_train.py --model "$model" "${data[@]}" --lr $lr \
         --batch 8 --max-len 256 --threads "$threads" 2>/dev/null | tail -n 1)
  echo "{\"side\": \"pytorch\", \"recipe\": \"$recipe\", \"threads\": $threads, \"result\": $line}" | tee -a "$out"
done
