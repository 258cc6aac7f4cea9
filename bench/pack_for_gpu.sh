#!/usr/bin/env bash
# Packs what a GPU machine with nothing installable needs to run psst's CUDA tests
# and benchmarks (bench/gpu_session.sh): the built programs and the shared libraries
# they load that are not part of a base system, one compressed archive small enough
# to travel with the working tree (the device tool carries 64 MiB in all).
#   bench/pack_for_gpu.sh [DEST=build/gpu-pack] [BUILD=build]
# DEST/psst-gpu.tar.xz holds:
#   build/psst, build/tests/psst_tests, build/bench/psst_bench_*   the programs
#   lib/                 every library `ldd` lists for them that glibc does not own
#                        (ld-linux, libc, libm, libpthread, libdl, librt, libresolv, ...
#                        must be the machine's own: its libc is another version)
#   lib/fallback/        libstdc++.so.6 and libgcc_s.so.1, put on the path only where the
#                        machine's own are missing or too old (a newer host compiler run by
#                        the cpu backend needs the newer ones)
#   lib/nvrtc/           libnvrtc.so.13 and libnvrtc-builtins.so.13.0 (from the CUDA
#                        toolkit here; psst opens NVRTC at run time)
#   source_dir.txt       the source directory compiled into the programs (models/, tests/)
# Environment: NVRTC_DIR (default /usr/local/cuda/lib64), XZ_LEVEL (default 6).
# Run it on the machine that built BUILD (x86-64 Debian 12 here).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${1:-build/gpu-pack}
BUILD=${2:-build}
NVRTC_DIR=${NVRTC_DIR:-/usr/local/cuda/lib64}
XZ_LEVEL=${XZ_LEVEL:-6}

programs=("$BUILD/psst" "$BUILD/tests/psst_tests")
for p in "$BUILD"/bench/psst_bench_*; do [[ -x $p && -f $p ]] && programs+=("$p"); done
for p in "${programs[@]}"; do [[ -x $p ]] || { echo "pack_for_gpu.sh: $p is missing (build first)" >&2; exit 1; }; done

stage=$(mktemp -d "${TMPDIR:-/tmp}/psst-gpu-pack.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib/fallback" "$stage/lib/nvrtc"
for p in "${programs[@]}"; do
  mkdir -p "$stage/$(dirname "$p")"
  cp "$p" "$stage/$p"
done

# glibc's own libraries stay behind: they must match the machine's libc.
is_glibc() {
  case $(basename "$1") in
    linux-vdso.so* | ld-linux* | libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | libresolv.so* | \
      libutil.so* | libanl.so* | libnss_* | libmvec.so* | libBrokenLocale.so* | libthread_db.so* | libc_malloc_debug.so*)
      return 0 ;;
  esac
  if command -v dpkg > /dev/null 2>&1; then
    local owner
    owner=$(dpkg -S "$(readlink -f "$1")" 2> /dev/null | cut -d: -f1 || true)
    [[ $owner == libc6 ]] && return 0
  fi
  return 1
}

nvrtc=$NVRTC_DIR/libnvrtc.so.13
builtins=$NVRTC_DIR/libnvrtc-builtins.so.13.0
declare -A seen=()
copied=0
# ldd of every program (and of NVRTC, whose needs are glibc's alone today).
while read -r name path; do
  [[ -n $path && -f $path ]] || continue
  [[ -n ${seen[$name]:-} ]] && continue
  seen[$name]=1
  if is_glibc "$path"; then continue; fi
  case $name in
    libstdc++.so.* | libgcc_s.so.*) cp -L "$path" "$stage/lib/fallback/$name" ;;
    *) cp -L "$path" "$stage/lib/$name" ;;
  esac
  copied=$((copied + 1))
done < <(for p in "${programs[@]}" $( [[ -f $nvrtc ]] && echo "$nvrtc"); do ldd "$p"; done |
  awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u)

if [[ -f $nvrtc && -f $builtins ]]; then
  cp -L "$nvrtc" "$builtins" "$stage/lib/nvrtc/"
else
  echo "pack_for_gpu.sh: no NVRTC in $NVRTC_DIR (set NVRTC_DIR): the pack relies on the GPU machine's own" >&2
fi
# The source directory compiled into the programs (PSST_SOURCE_DIR, PSST_CLI's build/).
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2> /dev/null)
echo "${src:-$(pwd)}" > "$stage/source_dir.txt"
git rev-parse HEAD > "$stage/commit.txt" 2> /dev/null || true

mkdir -p "$DEST"
rm -f "$DEST/psst-gpu.tar.xz"
tar -C "$stage" -cf - . | xz -T0 "-$XZ_LEVEL" > "$DEST/psst-gpu.tar.xz"
size=$(stat -c %s "$DEST/psst-gpu.tar.xz")
echo "pack_for_gpu.sh: $DEST/psst-gpu.tar.xz: ${#programs[@]} programs, $copied libraries, NVRTC $( [[ -f $stage/lib/nvrtc/libnvrtc.so.13 ]] && echo yes || echo no); $(( size / 1048576 )) MiB compressed ($(du -sm "$stage" | cut -f1) MiB unpacked)"
if (( size > 56 * 1048576 )); then
  echo "pack_for_gpu.sh: warning: over 56 MiB; with the working tree it may not fit the device tool's 64 MiB" >&2
fi
tar -tJf "$DEST/psst-gpu.tar.xz" | sed 's#^\./##' | grep -v '/$' | sort > "$DEST/contents.txt"
