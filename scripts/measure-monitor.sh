#!/usr/bin/env bash
# Measures what a monitor that reads nothing costs the learner (docs/PERFORMANCE.md, "The monitor"):
# rounds of two keyed `rlhf launch` runs of the stories260K sentiment config, one with no monitor and one
# with an `rlhf monitor --json` attached and then stopped with SIGSTOP for the whole run (it reads
# nothing; its queue fills and the learner's socket drops its updates); prints the median
# `time/iteration` of each run.
# usage: scripts/measure-monitor.sh RLHF_BINARY [ROUNDS] [ITERATIONS]
set -euo pipefail
rlhf="$1"; rounds="${2:-3}"; iterations="${3:-600}"
cd "$(dirname "$0")/.."
export RLHF_SHARED="${RLHF_SHARED:-../shared}" RLHF_MODELS="${RLHF_MODELS:-models}"
work="$(mktemp -d)"; trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
median() { python3 -c '
import json, statistics, sys
times = [json.loads(l)["time/iteration"] for l in open(sys.argv[1]) if l.strip()][5:]
print(f"{statistics.median(times) * 1000:.1f} ms over {len(times)} iterations")' "$1/metrics.jsonl"; }
for round in $(seq "$rounds"); do
  for mode in none stalled; do
    out="$work/$mode-$round"
    "$rlhf" launch --hostfile cluster/hosts-shared.txt --config cluster/configs/sentiment-stories260k.yaml --output "$out" \
      --set iterations="$iterations" --set save_every=0 --set eval_every=0 > "$work/launch-$mode-$round.log" 2>&1 &
    launch=$!
    if [ "$mode" = stalled ]; then
      while [ ! -f "$out/cluster.json" ]; do sleep 0.05; done; sleep 1
      "$rlhf" monitor --run "$out" --json > /dev/null &
      monitor=$!; sleep 1; kill -STOP "$monitor"
    fi
    wait "$launch"
    [ "$mode" = stalled ] && kill -9 "$monitor"
    echo "round $round, monitor $mode: median time/iteration $(median "$out")"
  done
done
