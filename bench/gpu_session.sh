#!/usr/bin/env bash
# ONE prepared run on a machine lent with an NVIDIA GPU for ~10 minutes, where nothing
# can be installed (issue 12, item 6): the CUDA tests, then the benchmarks of
# bench/cuda_bench.sh on cuda (and on cpu, the host's cores, for the COBAHH target),
# everything written under $OUT.
#
# Before (on the build machine):
#   cmake --build build && bench/pack_for_gpu.sh            # -> build/gpu-pack/psst-gpu.tar.xz
# Then, with the device tool, from the repository root (the pack is an ignored path):
#   run(command="bash bench/gpu_session.sh build/gpu-pack", carry=["build/gpu-pack"], timeout_s=600)
#
#   bench/gpu_session.sh [PACK=build/gpu-pack]
# Environment:
#   OUT              where results go (the device tool sets it; default ./gpu-session-out)
#   SESSION_LIMIT=540  seconds for the whole script (tests and benchmarks share them)
#   TEST_LIMIT=180     seconds for the tests on the GPU
#   BENCH_LIMIT=90     seconds each benchmark command may run
#   SKIP_TESTS=1, SKIP_BENCH=1
# Without a usable GPU (tried here: psst --backend cuda refuses) it runs the quick
# cpu and cuda-emulated rows and the same test filter instead, under the same limits,
# so that the script itself is tested on machines without a GPU.
#
# What comes back (at most 8 files): session.md (the machine, what ran, how long, the
# test summary), tests.log, cuda.md and cuda.log (bench/cuda_bench.sh), gpu.txt (nvidia-smi).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PACK=${1:-build/gpu-pack}
OUT=${OUT:-$ROOT/gpu-session-out}
SESSION_LIMIT=${SESSION_LIMIT:-540}
TEST_LIMIT=${TEST_LIMIT:-180}
BENCH_LIMIT=${BENCH_LIMIT:-90}
T0=$(date +%s)
mkdir -p "$OUT"
SUMMARY=$OUT/session.md
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
left() { echo $(( SESSION_LIMIT - ($(date +%s) - T0) )); }

say "# psst GPU session, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say
say "- host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(uname -srm)"
say "- OS: $(. /etc/os-release 2> /dev/null && echo "$PRETTY_NAME"), glibc $(ldd --version 2> /dev/null | head -1 | awk '{ print $NF }')"
if command -v nvidia-smi > /dev/null 2>&1; then
  nvidia-smi > "$OUT/gpu.txt" 2>&1
  say "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2> /dev/null | head -1)"
else
  say "- GPU: nvidia-smi not found"
fi
say "- host C++ compiler (the cpu and cuda-emulated backends need one): $( (command -v c++ || command -v g++ || echo none) | head -1) $(c++ --version 2> /dev/null | head -1)"

# ---- unpack the programs and libraries ----
UNPACK=${UNPACK:-/tmp/psst-gpu}
BUILD=$ROOT/build
if [[ -f $PACK/psst-gpu.tar.xz ]]; then
  rm -rf "$UNPACK" && mkdir -p "$UNPACK"
  if command -v xz > /dev/null 2>&1; then
    tar -C "$UNPACK" -xJf "$PACK/psst-gpu.tar.xz"
  else # no xz: Python's tarfile reads it
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$PACK/psst-gpu.tar.xz" "$UNPACK"
  fi || { say "- unpacking $PACK/psst-gpu.tar.xz FAILED"; exit 1; }
  BUILD=$UNPACK/build
  say "- unpacked $PACK/psst-gpu.tar.xz (commit $(cat "$UNPACK/commit.txt" 2> /dev/null)) in $(( $(date +%s) - T0 )) s"
  # The programs were built in another directory: PSST_SOURCE_DIR (models/, tests/) and
  # PSST_CLI (build/psst) are compiled in. Recreate that directory where it is missing.
  src=$(cat "$UNPACK/source_dir.txt")
  if [[ ! -e $src ]]; then
    mkdir -p "$src"
    for entry in "$ROOT"/*; do ln -s "$entry" "$src/$(basename "$entry")"; done
    rm -f "$src/build" && ln -s "$BUILD" "$src/build"
    say "- recreated the build's source directory $src (links to $ROOT; build -> $BUILD)"
  fi
  LIBS=$UNPACK/lib:$UNPACK/lib/nvrtc
  export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # The carried libstdc++ and libgcc_s only where the machine's own do not do: a
  # newer host compiler (run by the cpu backend under this path) needs its newer ones.
  if ! "$BUILD/psst" --version > /dev/null 2>&1; then
    export LD_LIBRARY_PATH=$LIBS:$UNPACK/lib/fallback${LD_LIBRARY_PATH#"$LIBS"}
    say "- the machine's libstdc++/libgcc_s did not do: the carried ones are on the path"
  fi
  [[ -f $UNPACK/lib/nvrtc/libnvrtc.so.13 ]] && export PSST_NVRTC=$UNPACK/lib/nvrtc/libnvrtc.so.13
else
  say "- no pack at $PACK/psst-gpu.tar.xz: using $BUILD as it is"
fi
say "- psst: $("$BUILD/psst" --version 2>&1 | head -1); LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
if ! "$BUILD/psst" --version > /dev/null 2>&1; then
  say "- psst does not start:"
  "$BUILD/psst" --version 2>&1 | head -5 | tee -a "$SUMMARY"
  ldd "$BUILD/psst" 2>&1 | grep "not found" | tee -a "$SUMMARY"
  exit 1
fi

export PSST_CACHE_DIR=${PSST_CACHE_DIR:-/tmp/psst-gpu-cache}
gpu=0
probe=$(timeout 120 "$BUILD/psst" run models/hh.toml --backend cuda --duration 0.1 --out /tmp/psst-probe.h5 --overwrite 2>&1)
probe_rc=$?
say "- probe \`psst run models/hh.toml --backend cuda --duration 0.1\`: exit $probe_rc"
echo "$probe" | sed 's/^/      /' | tee -a "$SUMMARY"
(( probe_rc == 0 )) && gpu=1
say

# ---- the tests ----
if [[ ${SKIP_TESTS:-0} != 1 ]]; then
  limit=$TEST_LIMIT
  (( limit > $(left) - 60 )) && limit=$(( $(left) - 60 ))
  if (( gpu )); then
    # Those on the GPU first (instances named .../cuda or ..._cuda, and the Cuda suites),
    # then the emulated ones in the time that is left.
    first='*_cuda:*/cuda:*_cuda/*:Cuda*.*'
  else
    first='*cuda*:*Cuda*'
  fi
  t=$(date +%s)
  timeout "$limit" "$BUILD/tests/psst_tests" --gtest_filter="$first" > "$OUT/tests.log" 2>&1
  rc=$?
  say "## Tests"
  say
  say "- \`psst_tests --gtest_filter='$first'\`: exit $rc$( ((rc == 124)) && echo " (timed out after $limit s)") in $(( $(date +%s) - t )) s"
  grep -E '^\[  (PASSED|FAILED|SKIPPED) |tests? from .* ran|^\[  FAILED  \] ' "$OUT/tests.log" | sed 's/^/    /' | tee -a "$SUMMARY"
  if (( gpu )); then
    rest=$(( $(left) - 240 ))  # keep four minutes for the benchmarks
    if (( rest > 30 )); then
      (( rest > TEST_LIMIT )) && rest=$TEST_LIMIT
      t=$(date +%s)
      echo "==== the emulated ones ====" >> "$OUT/tests.log"
      timeout "$rest" "$BUILD/tests/psst_tests" --gtest_filter="*cuda*:*Cuda*:-$first" >> "$OUT/tests.log" 2>&1
      rc=$?
      say "- then \`--gtest_filter='*cuda*:*Cuda*:-$first'\`: exit $rc$( ((rc == 124)) && echo " (timed out after $rest s)") in $(( $(date +%s) - t )) s"
    fi
  fi
  say
fi

# ---- the benchmarks ----
if [[ ${SKIP_BENCH:-0} != 1 ]]; then
  limit=$(( $(left) - 10 ))
  if (( limit < 30 )); then
    say "- no time left for the benchmarks"
  else
    if (( gpu )); then
      backends=(cuda cpu)
      quick=0
    else
      backends=(cpu cuda-emulated)
      quick=1
    fi
    t=$(date +%s)
    PSST_BUILD=$BUILD RESULTS=$OUT/cuda.md LIMIT=$BENCH_LIMIT QUICK=${QUICK:-$quick} \
      timeout "$limit" bash bench/cuda_bench.sh "${backends[@]}" 2> "$OUT/bench_progress.txt"
    rc=$?
    say "## Benchmarks"
    say
    say "- \`bench/cuda_bench.sh ${backends[*]}\` (QUICK=${QUICK:-$quick}, LIMIT=$BENCH_LIMIT): exit $rc$( ((rc == 124)) && echo " (stopped after $limit s; the table keeps the rows measured)") in $(( $(date +%s) - t )) s; table in cuda.md"
  fi
fi
say
say "- session: $(( $(date +%s) - T0 )) s"
