#!/usr/bin/env bash
# Start-up time of the relocatable tarball's rlhf against the built binary, interleaved, medians of N runs:
# `rlhf --version` (loading and linking alone) and a stories260K `rlhf score` (start-up plus a small model).
#
#   scripts/measure-dist-startup.sh BUILT_RLHF TARBALL [N]
set -euo pipefail
built="${1:?usage: BUILT_RLHF TARBALL [N]}"; tarball="${2:?}"; n="${3:-21}"
shared="${RLHF_SHARED:-$(dirname "$0")/../../shared}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp"
unpacked="$(echo "$tmp"/rlhf-*/rlhf)"
score=(score --model "$shared/data/stories260K/stories260K.bin" --tokenizer "$shared/data/stories260K/tok512.bin" --text "Once upon a time")
python3 - "$built" "$unpacked" "$n" "${score[@]}" <<'PY'
import subprocess, sys, time, statistics
built, unpacked, n, score = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
for name, args in (("--version", ["--version"]), ("score stories260K", score)):
    times = {built: [], unpacked: []}
    for _ in range(n):
        for binary in (built, unpacked):
            start = time.perf_counter()
            subprocess.run([binary] + args, check=True, stdout=subprocess.DEVNULL)
            times[binary].append(time.perf_counter() - start)
    b, u = statistics.median(times[built]), statistics.median(times[unpacked])
    print(f"{name}: built {b * 1000:.1f} ms, tarball {u * 1000:.1f} ms, ratio {u / b:.2f} (medians of {n})")
PY
