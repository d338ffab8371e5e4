#!/usr/bin/env bash
# Measures a generator joining a running cluster (docs/PERFORMANCE.md, "Joining generators"): a keyed
# `rlhf launch` of the SmolLM2-135M sentiment config with one generator; right after an iteration ends
# (its next round's generation begins), `rlhf scale --rollout +1`; the learner's status then gives the new
# generator's seconds from registering to holding the policy (its role built and the weights streamed
# from the learner, checked and installed: ready for work) and to its first lease. Then `--rollout -1`
# drains it, and the next round measures again.
# usage: scripts/measure-join.sh RLHF_BINARY [JOINS]
set -euo pipefail
rlhf="$1"; joins="${2:-3}"
cd "$(dirname "$0")/.."
export RLHF_SHARED="${RLHF_SHARED:-../shared}" RLHF_MODELS="${RLHF_MODELS:-models}"
work="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
printf 'localhost slots=6 cores=shared\n' > "$work/hosts"
out="$work/run"
lines() { [ -f "$out/metrics.jsonl" ] && wc -l < "$out/metrics.jsonl" || echo 0; }
"$rlhf" launch --hostfile "$work/hosts" --config cluster/configs/sentiment-smollm2.yaml --output "$out" \
  --set iterations=$((2 * joins + 4)) --set save_every=0 --set eval_every=0 --set roles.rollout=1 > "$work/launch.log" 2>&1 &
for join in $(seq "$joins"); do
  done_before=$(lines); while [ "$(lines)" -le "$done_before" ]; do sleep 0.05; done
  "$rlhf" scale --run "$out" --rollout +1 > /dev/null
  name=""
  for _ in $(seq 600); do
    sleep 0.1
    report=$("$rlhf" status --run "$out" --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
new = [w for w in s["worker_list"] if w["role"] == "rollout" and w["name"] != "rollout-0" and w["state"] != "draining"]
if new and new[0].get("ready_seconds") is not None and new[0].get("first_work_seconds") is not None:
    w = new[0]; print(w["name"], w["ready_seconds"], w["first_work_seconds"])')
    [ -n "$report" ] && break
  done
  set -- $report
  python3 -c "import sys; print(f'join $join: {sys.argv[1]} ready for work {float(sys.argv[2]):.2f} s after registering, first lease at {float(sys.argv[3]):.2f} s')" "$@"
  "$rlhf" scale --run "$out" --rollout -1 > /dev/null
done
"$rlhf" stop --run "$out" > /dev/null
wait
