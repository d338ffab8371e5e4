#!/usr/bin/env bash
# Generates the RLHFProtoC target from Proto/rlhf/v1/*.proto into OUT (default Sources/RLHFProtoC):
# OUT/*.pb-c.c and OUT/include/*.pb-c.h, with the generated `#include "rlhf/v1/x.pb-c.h"` lines flattened
# to `#include "x.pb-c.h"` (SwiftPM imports include/ as one umbrella folder). `make proto` runs it;
# `make proto-check` runs it into a temporary folder and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-Sources/RLHFProtoC}"
protoc_c="${PROTOC_C:-protoc-c}"
command -v "$protoc_c" >/dev/null || { echo "protoc-c.sh: $protoc_c not found (apt-get install protobuf-c-compiler)" >&2; exit 1; }
raw="$(mktemp -d)"
trap 'rm -rf "$raw"' EXIT
shopt -s nullglob
protos=(Proto/rlhf/v1/*.proto)
[ ${#protos[@]} -gt 0 ] || { echo "protoc-c.sh: no Proto/rlhf/v1/*.proto" >&2; exit 1; }
"$protoc_c" -IProto --c_out="$raw" "${protos[@]}"
mkdir -p "$out/include"
rm -f "$out"/*.pb-c.c "$out"/include/*.pb-c.h
for file in "$raw"/rlhf/v1/*.pb-c.c "$raw"/rlhf/v1/*.pb-c.h; do
  case "$file" in *.c) dest="$out/$(basename "$file")" ;; *) dest="$out/include/$(basename "$file")" ;; esac
  sed -E 's|^#include "rlhf/v1/([A-Za-z0-9_]+\.pb-c\.h)"|#include "\1"|' "$file" > "$dest"
done
