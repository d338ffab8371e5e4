"""A run's metrics.jsonl as its numbers' own text, for a bit-for-bit comparison of two runs: every value
is kept as the characters the learner wrote (two equal texts are the same double), less the values that
measure the wall clock or the scheduling, which no two runs share."""

import json
from pathlib import Path
from typing import Dict, List

def is_clock(key: str) -> bool:
    """Whether `key` measures the wall clock (`time/...`, throughput, the cluster's seconds: any key under
    `cluster/` ending in `_s`) or the scheduling (`cluster/worker/NAME/...`: which of two rollout workers
    took how many tasks is a race; the tasks' results are not)."""
    return (key.startswith("time/") or "tokens_per_s" in key or key.startswith("cluster/worker/")
            or (key.startswith("cluster/") and key.endswith("_s")))


def read_metrics(output: Path) -> List[Dict[str, str]]:
    """Each line of `output/metrics.jsonl`: key → the value's text, clock keys left out."""
    lines = (output / "metrics.jsonl").read_text().splitlines()
    rows = []
    for line in lines:
        row = json.loads(line, parse_float=str, parse_int=str, parse_constant=str)
        rows.append({key: value for key, value in row.items() if not is_clock(key)})
    return rows


def differences(expected: List[Dict[str, str]], got: List[Dict[str, str]], keys=lambda key: True) -> List[str]:
    """Every line, key and value where `got` differs from `expected` (only keys `keys` accepts)."""
    found = []
    if len(expected) != len(got):
        found.append(f"{len(got)} lines; expected {len(expected)}")
    for number, (e, g) in enumerate(zip(expected, got), start=1):
        e = {k: v for k, v in e.items() if keys(k)}
        g = {k: v for k, v in g.items() if keys(k)}
        for key in sorted(set(e) | set(g)):
            if e.get(key) != g.get(key):
                found.append(f"line {number} {key}: {g.get(key)} (expected {e.get(key)})")
    return found
