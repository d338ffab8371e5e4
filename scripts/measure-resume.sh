#!/usr/bin/env bash
# Measures a learner restart (docs/PERFORMANCE.md, "Learner restart"): a keyed `rlhf launch` of the
# stories260K sentiment config, its learner killed with kill -9 once iteration 12 is logged, then
# `rlhf launch --resume`; prints the seconds from the resume's start to its first new iteration (the
# learner's start, its model load, the workers' rejoining, one iteration) and to the run's end.
# usage: scripts/measure-resume.sh RLHF_BINARY [ROUNDS]
set -euo pipefail
rlhf="$1"; rounds="${2:-3}"
cd "$(dirname "$0")/.."
export RLHF_SHARED="${RLHF_SHARED:-../shared}" RLHF_MODELS="${RLHF_MODELS:-models}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
lines() { [ -f "$1/metrics.jsonl" ] && wc -l < "$1/metrics.jsonl" || echo 0; }
for round in $(seq "$rounds"); do
  out="$work/run-$round"
  "$rlhf" launch --hostfile cluster/hosts-localhost.txt --config cluster/configs/sentiment-stories260k.yaml --output "$out" \
    --set iterations=40 --set save_every=5 --set eval_every=0 > "$work/launch-$round.log" 2>&1 &
  launch=$!
  while [ "$(lines "$out")" -lt 12 ]; do sleep 0.02; done
  learner=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['processes'][0]['pid'])" "$out/cluster.json")
  kill -9 "$learner"; wait "$launch" || true
  start=$(date +%s.%N)
  "$rlhf" launch --resume "$out" > "$work/resume-$round.log" 2>&1 &
  resume=$!
  # the resumed learner rewinds metrics.jsonl to its checkpoint (iteration 10), then logs iteration 11
  while [ "$(lines "$out")" -ge 11 ]; do sleep 0.01; done
  while [ "$(lines "$out")" -lt 11 ]; do sleep 0.01; done
  first=$(date +%s.%N)
  wait "$resume"
  end=$(date +%s.%N)
  python3 -c "import sys; s,f,e=map(float,sys.argv[1:]); print(f'round $round: first new iteration {f-s:.2f} s after the resume started; 30 iterations to the end {e-s:.2f} s')" "$start" "$first" "$end"
done
