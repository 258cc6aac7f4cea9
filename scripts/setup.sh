#!/usr/bin/env bash
# Installs what psst needs to build, test and plot, and its Python module and
# tutorial notebooks, from Debian 12 packages only.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git
  libtomlplusplus-dev libhdf5-dev libcli11-dev libfmt-dev libgtest-dev libbenchmark-dev
  libopenmpi-dev openmpi-bin
  python3-numpy python3-h5py python3-matplotlib
  pybind11-dev python3-dev python3-pytest python3-tqdm python3-nbclient python3-nbformat python3-ipykernel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
