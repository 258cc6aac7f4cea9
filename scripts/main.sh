#!/usr/bin/env bash
# The main job: set up, build, run the flagship model and plot it.
#   scripts/main.sh [MODEL.toml]     (default: models/locust_al.toml, the antennal lobe)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/locust_al.toml}
name=$(basename "$model" .toml)
scripts/setup.sh
# build/ holds the command line of the README's examples (build/psst); scripts/test.sh
# builds in build-test/, so neither command changes the other's build options.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPSST_BUILD_TESTS=OFF -DPSST_BUILD_BENCH=OFF \
  -DPSST_SANITIZE= -DPSST_FUZZ=OFF -DPSST_PYTHON=ON > /dev/null
cmake --build build --target psst_cli psst_python
# `import psst` for Debian's /usr/bin/python3 (docs/python.md); from the build tree: PYTHONPATH=build/python
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" cmake --install build --component python > /dev/null
echo "main: installed the Python module psst: /usr/bin/python3 -c 'import psst'"
mkdir -p out
./build/psst run "$model" --out "out/$name.h5" --overwrite
/usr/bin/python3 scripts/plot.py "out/$name.h5" --out "out/$name.png"
echo "main: wrote out/$name.h5 and out/$name.png"
