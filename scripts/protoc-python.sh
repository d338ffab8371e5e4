#!/usr/bin/env bash
# Generates the Python client's protobuf classes (clients/python/rlhf_client/proto) from
# Proto/rlhf/v1/*.proto into OUT (default clients/python/rlhf_client/proto): OUT/X_pb2.py and OUT/X_pb2.pyi
# per .proto, with protoc's absolute imports between them (`from rlhf.v1 import X_pb2`) made relative
# (`from . import X_pb2`) and the module names they register made the package's, so the classes load as
# `rlhf_client.proto.X_pb2` wherever the package is installed. Debian's protoc (protobuf-compiler 3.21,
# the libprotoc protoc-c is built on) writes them; the protobuf runtime from pip reads them (4.21 and
# later). `make proto` runs it; `make proto-check` runs it into a temporary folder and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-clients/python/rlhf_client/proto}"
protoc="${PROTOC:-protoc}"
command -v "$protoc" >/dev/null || { echo "protoc-python.sh: $protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
raw="$(mktemp -d)"
trap 'rm -rf "$raw"' EXIT
shopt -s nullglob
protos=(Proto/rlhf/v1/*.proto)
[ ${#protos[@]} -gt 0 ] || { echo "protoc-python.sh: no Proto/rlhf/v1/*.proto" >&2; exit 1; }
"$protoc" -IProto --python_out="$raw" --pyi_out="$raw" "${protos[@]}"
mkdir -p "$out"
rm -f "$out"/*_pb2.py "$out"/*_pb2.pyi
for file in "$raw"/rlhf/v1/*_pb2.py "$raw"/rlhf/v1/*_pb2.pyi; do
  sed -E -e 's|^from rlhf\.v1 import ([A-Za-z0-9_]+_pb2)|from . import \1|' \
         -e "s|'rlhf\.v1\.([A-Za-z0-9_]+_pb2)'|'rlhf_client.proto.\1'|g" "$file" > "$out/$(basename "$file")"
done
cat > "$out/__init__.py" <<'INIT'
"""Protobuf classes of the rlhf wire protocol, generated from Proto/rlhf/v1 by scripts/protoc-python.sh
(`make proto`); never edit them by hand."""
INIT
