#!/usr/bin/env bash
# `make dist`: a relocatable tarball of `rlhf` for hosts without Swift (the ssh launcher's installs, the GPU
# machines). It relinks the binary that `swift build` made (BIN_DIR) from the same object files, with the Swift
# standard library and Foundation linked statically and an `$ORIGIN/lib` RPATH (not RUNPATH, so it also
# serves the libraries' own dependencies), strips it, and puts the shared libraries it needs beside it in
# lib/, except glibc's and the C++ runtime's (every host has them). Out: DIST_DIR/rlhf-VERSION-linux-ARCH.tar.xz
# and its .sha256; the size and the glibc/libstdc++ the tarball needs are printed.
#
#   scripts/dist.sh BIN_DIR [DIST_DIR]
set -euo pipefail
bin_dir="${1:?usage: scripts/dist.sh BIN_DIR [DIST_DIR]}"
dist_dir="${2:-.build/dist}"
cd "$(dirname "$0")/.."

fail() { echo "dist: $*" >&2; exit 1; }
[ -x "$bin_dir/rlhf" ] || fail "$bin_dir/rlhf is missing: build first (make build)"
link_list="$bin_dir/rlhf.product/Objects.LinkFileList"
[ -f "$link_list" ] || fail "$link_list is missing: the build folder is not SwiftPM's"
manifest="$(dirname "$(dirname "$(readlink -f "$bin_dir")")")/$(basename "$(readlink -f "$bin_dir")").yaml"
[ -f "$manifest" ] || fail "cannot find SwiftPM's build manifest for $bin_dir"

version="$("$bin_dir/rlhf" --version)"
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
arch="$(uname -m)"
name="rlhf-$version-linux-$arch"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/lib" "$dist_dir"

# The link command SwiftPM ran for rlhf, from its manifest: the same objects and libraries, now with the
# static Swift runtime. The Foundation archives go in one group: their order among themselves is circular.
python3 - "$manifest" "$(readlink -f "$bin_dir")/rlhf" > "$stage/link-args" <<'PY'
import json, re, sys
manifest, output = sys.argv[1], sys.argv[2]
for line in open(manifest, encoding="utf-8"):
    line = line.strip()
    if line.startswith("args: [") and f'"-o","{output}"' in line.replace(", ", ","):
        args = json.loads(line[len("args: "):])
        break
else:
    sys.exit(f"dist: no link command for {output} in {manifest}")
drop = {"-g", "-enable-testing"}
out, skip = [], False
for i, a in enumerate(args[1:]):
    if skip:
        skip = False; continue
    if a in drop: continue
    if a == "-o": skip = True; continue
    if a.startswith("-rpath="):  # SwiftPM's $ORIGIN rpath (its -Xlinker comes just before it)
        out.pop(); continue
    out.append(a)
print("\n".join(out))
PY
mapfile -t link_args < "$stage/link-args"
group=()
for library in Foundation FoundationInternationalization FoundationEssentials _FoundationCollections _FoundationCShims _FoundationICU CoreFoundation; do
  group+=(-Xlinker "-l$library")
done
swiftc="$(dirname "$(readlink -f "$(command -v swift)")")/swiftc"
"$swiftc" "${link_args[@]}" -o "$stage/$name/rlhf" -static-stdlib \
  -Xlinker --disable-new-dtags -Xlinker -rpath -Xlinker '$ORIGIN/lib' \
  -Xlinker --start-group "${group[@]}" -Xlinker --end-group -Xlinker -lstdc++ 2> >(grep -v "mktemp" >&2)
strip --strip-unneeded "$stage/$name/rlhf"

# The shared libraries it loads, but glibc's own and the C++ runtime (GCC's, present wherever glibc is).
while read -r library path; do
  case "$library" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|libresolv.so*|ld-linux*|linux-vdso*|libstdc++.so*|libgcc_s.so*) ;;
    *) cp -L "$path" "$stage/$name/lib/$library" ;;
  esac
done < <(ldd "$stage/$name/rlhf" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
chmod 0644 "$stage/$name/lib/"*

glibc="$(objdump -T "$stage/$name/rlhf" "$stage/$name/lib/"* | awk '/UND/' | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"
cxx="$(objdump -T "$stage/$name/rlhf" "$stage/$name/lib/"* | awk '/UND/' | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1)"
cat > "$stage/$name/VERSION" <<EOF
rlhf $version (commit $commit), linux $arch
needs: ${glibc/_/ } or newer, libstdc++ with ${cxx} (GCC 12 or newer)
EOF
(cd "$stage/$name" && sha256sum rlhf lib/* > SHA256SUMS)

# Reproducible: fixed order, owner and times; fixed xz blocks so the bytes do not depend on the thread count.
mtime="@$(git log -1 --format=%ct 2>/dev/null || echo 0)"
tarball="$dist_dir/$name.tar.xz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -C "$stage" -cf - "$name" \
  | xz -6 -T0 --block-size=8MiB > "$tarball.partial"
mv "$tarball.partial" "$tarball"
(cd "$dist_dir" && sha256sum "$name.tar.xz" > "$name.tar.xz.sha256")
size=$(stat -c %s "$tarball")
echo "dist: $tarball ($((size / 1048576)) MiB; binary $(( $(stat -c %s "$stage/$name/rlhf") / 1048576 )) MiB, lib/ $(du -sm "$stage/$name/lib" | cut -f1) MiB unpacked)"
echo "dist: needs ${glibc/_/ } or newer and libstdc++ with $cxx; sha256 $(cut -d' ' -f1 "$dist_dir/$name.tar.xz.sha256")"
