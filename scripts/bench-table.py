#!/usr/bin/env python3
"""Summarises scripts/bench-side-by-side.sh output: per case, the median over rounds of each side's
tokens/s and peak RSS, and the ratio swift/torch (and, for runs with PLAIN=..., the plain build against
`make build`).   usage: scripts/bench-table.py results.jsonl"""
import json
import statistics
import sys


def case_of(side, r):
    if side == "torch":
        kind = {"train": "train", "forward": "forward", "generate": "generate"}[r["case"]]
    else:
        kind = r["workload"]
    return f"{kind} b{r['batch']}"


rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    if "side" not in d:
        continue
    r = d["result"]
    rows.setdefault(case_of(d["side"], r), {}).setdefault(d["side"], []).append(r)

print("| case | PyTorch tokens/s | swift-rlhf tokens/s | ratio | PyTorch peak RSS MB | swift-rlhf peak RSS MB | swift sgemm share | rounds |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for case, sides in rows.items():
    t, s = sides.get("torch", []), sides.get("swift", [])
    if not t or not s:
        continue
    tt = statistics.median(x["tokens_per_s"] for x in t)
    st = statistics.median(x["tokens_per_s"] for x in s)
    trss = statistics.median(x["peak_rss_mb"] for x in t)
    srss = statistics.median(x["peak_rss_mb"] for x in s)
    share = statistics.median(x["sgemm_fraction"] for x in s)
    print(f"| {case} | {tt:.1f} | {st:.1f} | {st / tt:.2f}x | {trss:.0f} | {srss:.0f} | {share:.0%} | {min(len(t), len(s))} |")
if any("plain" in sides for sides in rows.values()):
    print()
    print("| case | PyTorch tokens/s | plain build tokens/s | make build tokens/s | plain / make | plain / PyTorch | make / PyTorch | rounds |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for case, sides in rows.items():
        t, s, p = sides.get("torch", []), sides.get("swift", []), sides.get("plain", [])
        if not t or not s or not p:
            continue
        tt, st, pt = (statistics.median(x["tokens_per_s"] for x in side) for side in (t, s, p))
        print(f"| {case} | {tt:.1f} | {pt:.1f} | {st:.1f} | {pt / st:.3f} | {pt / tt:.2f}x | {st / tt:.2f}x | {min(len(t), len(s), len(p))} |")
dec = [x["decode"] for sides in rows.values() for x in sides.get("swift", []) if x.get("decode")]
if dec:
    print()
    print("| generate | step (ms) | weights read per step (MB) | read bandwidth (GB/s) | bound step (ms) | fraction of bound |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case, sides in rows.items():
        ds = [x for x in sides.get("swift", []) if x.get("decode")]
        if not ds:
            continue
        med = lambda k: statistics.median(x["decode"][k] for x in ds)
        print(f"| {case} | {med('step_s') * 1e3:.1f} | {med('weight_bytes') / 1e6:.0f} | {med('read_gbps'):.1f} | "
              f"{med('bound_step_s') * 1e3:.1f} | {med('fraction_of_bound'):.0%} |")
