#!/usr/bin/env bash
# Fuzzes the model-file reader for a bounded time (default 60 s) with libFuzzer
# (clang, ASan, UBSan), seeded with models/. A crash input is left in
# build-fuzz/crashes/; copy it to tests/fuzz/regressions/ to keep it as a test.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/setup.sh
if ! command -v clang++ > /dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq clang libclang-rt-14-dev
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DPSST_FUZZ=ON -DPSST_SANITIZE=address,undefined -DPSST_BUILD_TESTS=OFF \
  -DPSST_BUILD_BENCH=OFF -DPSST_MPI=OFF > /dev/null
cmake --build build-fuzz --target psst_fuzz_model_file
mkdir -p build-fuzz/corpus build-fuzz/crashes
cp models/*.toml build-fuzz/corpus/
cp tests/fuzz/regressions/* build-fuzz/corpus/ 2> /dev/null || true
(cd build-fuzz && ctest --output-on-failure --no-tests=error -R FuzzRegression)
# libFuzzer's progress log is long: it goes to build-fuzz/fuzz.log, and only its
# end is shown (all of it when the fuzzer finds a crash).
echo "fuzzing the model-file reader for $seconds s (log: build-fuzz/fuzz.log)"
if ./build-fuzz/tests/fuzz/psst_fuzz_model_file build-fuzz/corpus -max_total_time="$seconds" -max_len=8192 \
  -timeout=10 -rss_limit_mb=2048 -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 > build-fuzz/fuzz.log 2>&1; then
  grep -E "^(Done|stat::)" build-fuzz/fuzz.log || tail -5 build-fuzz/fuzz.log
else
  status=$?
  cat build-fuzz/fuzz.log
  echo "fuzz.sh: the fuzzer failed (status $status); the input is in build-fuzz/crashes/" >&2
  exit "$status"
fi
