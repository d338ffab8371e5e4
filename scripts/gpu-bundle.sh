#!/usr/bin/env bash
# `make gpu-bundle`: what the GPU machine needs besides the working tree, in gpu-bundle/ (git-ignored, carried to
# the device with `run ... carry: ["gpu-bundle"]`, 64 MiB at most): the `make dist` tarball, the transformers
# fixtures, stories260K, the GPT-2 tokenizer, the VADER lexicon and 2,000 IMDb reviews for the PPO check.
#
#   scripts/gpu-bundle.sh DIST_DIR SHARED MODELS
set -euo pipefail
dist_dir="${1:?usage: scripts/gpu-bundle.sh DIST_DIR SHARED MODELS}"; shared="${2:?}"; models="${3:?}"
cd "$(dirname "$0")/.."
tarball="$(ls "$dist_dir"/rlhf-*-linux-*.tar.xz 2>/dev/null | head -1)"
[ -n "$tarball" ] || { echo "gpu-bundle: no tarball in $dist_dir: run make dist" >&2; exit 1; }
[ -f "$models/vader/vader_lexicon.txt" ] || { echo "gpu-bundle: $models/vader is missing: run make models" >&2; exit 1; }
rm -rf gpu-bundle
mkdir -p gpu-bundle/shared/data gpu-bundle/models
cp "$tarball" gpu-bundle/
cp -r "$shared/fixtures" gpu-bundle/shared/
cp -r "$shared/data/stories260K" "$shared/data/gpt2" gpu-bundle/shared/data/
cp -r "$models/vader" gpu-bundle/models/
for split in train test; do
  { gzip -dc "$shared/data/imdb-$split.jsonl.gz" || true; } | head -2000 | gzip -9 > "gpu-bundle/shared/data/imdb-$split.jsonl.gz"
done
size=$(du -sm gpu-bundle | cut -f1)
echo "gpu-bundle: $size MiB ($(basename "$tarball"))"
[ "$size" -le 60 ] || { echo "gpu-bundle: $size MiB is over the 60 MiB the device carry allows with the tree" >&2; exit 1; }
