#!/usr/bin/env bash
# The benchmarks of the CUDA backend (issue 12, item 7), one markdown table:
#   bench/cuda_bench.sh [backend...]      (default: cpu cuda-emulated, and cuda when it runs here)
# For every backend given:
#   - N independent PSST HH neurons (models/hh.toml, float64, RK4, dt = 0.01 ms):
#     psst (psst_bench_hh) beside the hand-written kernel at the same N in the same
#     run: psst_bench_cuda_handwritten (fused CUDA kernel through psst's Device layer)
#     on cuda and cuda-emulated, psst_bench_handwritten (the CPU ceiling, -ffast-math)
#     on cpu; neuron-steps/s and psst / hand-written;
#   - COBAHH (models/cobahh.toml) at 4,000 and 64,000 neurons with ~80 synapses per
#     neuron (p = 80 / N, the model's p = 0.02 at 4,000), and Brian2GeNN's variant with
#     1,000 synapses per neuron (p = 1000 / N, w_e = w_i = 0 as in its COBAHH.py):
#     seconds of wall time per biological second;
#   - the locust antennal lobe (models/locust_al.toml), seconds per biological second.
# Compile time (psst's backend report: compiled, or loaded from its cache) and the
# rest outside the simulation loop (model, connectivity, uploads, HDF5 output:
# "set-up + transfers") are columns of their own; the hand-written kernel's uploads
# and downloads are timed apart. Durations are short where a backend is slow; each
# row says its duration. Nothing here asserts a speed.
#
# Environment:
#   PSST_BUILD=build             the build directory (psst, bench/psst_bench_*)
#   RESULTS=bench/results/cuda.md where the table goes (a .log beside it keeps every output)
#   LIMIT=300                    seconds each command may run (timeout)
#   THREADS=0                    cpu backend threads (0: all cores)
#   QUICK=1                      only the smallest rows (HH 1e3 and 1e4, COBAHH 4,000, AL short)
#   HH_SIZES, COBAHH_SIZES, COBAHH1000_SIZES   override the sizes of every backend
#   DURATION_SCALE=1             multiplies every duration (each still capped)
#   NOTE                         a line about the machine for the header (e.g. "loaded by other jobs")
#   PSST_CACHE_DIR               psst's kernel cache (default: a fresh one under the work dir,
#                                so the first model run shows the cold compile)
set -u
cd "$(dirname "$0")/.."
BUILD=${PSST_BUILD:-build}
RESULTS=${RESULTS:-bench/results/cuda.md}
LOG=${RESULTS%.md}.log
LIMIT=${LIMIT:-300}
THREADS=${THREADS:-0}
QUICK=${QUICK:-0}
SCALE=${DURATION_SCALE:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/psst-cuda-bench.XXXXXX")
export PSST_CACHE_DIR=${PSST_CACHE_DIR:-$WORK/cache}
mkdir -p "$(dirname "$RESULTS")"

for program in "$BUILD/psst" "$BUILD/bench/psst_bench_hh" "$BUILD/bench/psst_bench_cuda_handwritten"; do
  [[ -x $program ]] || { echo "cuda_bench.sh: $program is missing (build first)" >&2; exit 1; }
done

gpu_available() {
  timeout 120 "$BUILD/psst" run models/hh.toml --backend cuda --duration 0.1 -q --out "$WORK/probe.h5" --overwrite \
    > "$WORK/probe.txt" 2>&1
}

ARGS="$*"
backends=("$@")
GPU_NOTE="not measured: no GPU on this machine"
if (( ${#backends[@]} == 0 )); then
  backends=(cpu cuda-emulated)
  if gpu_available; then backends+=(cuda); fi
fi
have_cuda=0
for b in "${backends[@]}"; do [[ $b == cuda ]] && have_cuda=1; done
if (( have_cuda )) && ! gpu_available; then
  GPU_NOTE="not measured: --backend cuda does not run here ($(head -c 300 "$WORK/probe.txt" | tr '\n|' '  '))"
  kept=()
  for b in "${backends[@]}"; do [[ $b == cuda ]] || kept+=("$b"); done
  backends=("${kept[@]}")
  have_cuda=0
fi

# ---- the machine, the header ----
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cores=$(nproc)
gpu_name="none"
if command -v nvidia-smi > /dev/null 2>&1; then
  gpu_name=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2> /dev/null | head -1)
  [[ -n $gpu_name ]] || gpu_name="none (nvidia-smi found no GPU)"
fi
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2> /dev/null || echo unknown)

ROWS=()     # markdown rows
add_row() { ROWS+=("$@"); write_results; }
COMMANDS=() # every command, in order
: > "$LOG"

# run_timed OUTFILE CMD...: runs CMD under the time limit, output to OUTFILE and the
# log; sets WALL (s) and RC.
run_timed() {
  local out=$1
  shift
  COMMANDS+=("$*")
  echo "\$ $*" >> "$LOG"
  local t0 t1
  t0=$(date +%s.%N)
  timeout "$LIMIT" "$@" > "$out" 2>&1
  RC=$?
  t1=$(date +%s.%N)
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  cat "$out" >> "$LOG"
  echo "(exit $RC, wall $WALL s)" >> "$LOG"
  echo "  [$RC, ${WALL}s] $*" >&2
}

failure() { # why a run gave no figures
  if (( RC == 124 )); then echo "timed out after ${LIMIT} s"; else echo "failed (exit $RC): $(grep -v '^$' "$1" | tail -1 | tr '|' '/' | head -c 200)"; fi
}

# field FILE REGEX: the first capture group of the first match (perl-free: sed -E).
field() { sed -nE "s#.*$2.*#\\1#p" "$1" | head -1; }

fmt3() { awk -v x="$1" 'BEGIN { if (x == "") print "-"; else printf "%.3g", x }'; }

# hh_duration BUDGET N: simulated ms so that N x steps is about BUDGET neuron-steps,
# at least one step, at most 100 ms, times DURATION_SCALE.
hh_duration() {
  awk -v budget="$1" -v n="$2" -v s="$SCALE" 'BEGIN {
    ms = budget / n * 0.01 * s; if (ms > 100) ms = 100; if (ms < 0.01) ms = 0.01
    ms = int(ms / 0.01 + 0.5) * 0.01; printf "%g", ms }'
}

scaled() { awk -v ms="$1" -v s="$SCALE" 'BEGIN { x = ms * s; if (x > 1000) x = 1000; printf "%g", x }'; }

threads_of() { if [[ $1 == cpu ]]; then echo "$THREADS"; else echo 1; fi; }

# ---- the markdown, rewritten after every row (an interrupted run keeps what it measured) ----
write_results() {
  {
    echo "# CUDA backend benchmarks (issue 12, item 7)"
    echo
    echo "Written by \`bench/cuda_bench.sh $ARGS\` (psst $commit), $started."
    echo
    echo "- machine: $cpu_model, $cores cores (nproc), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- GPU: $gpu_name"
    [[ -n ${NOTE:-} ]] && echo "- note: $NOTE"
    echo "- load average at the start: $load_start; when written: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- cpu backend threads: $THREADS (0 = all cores); limit per command: ${LIMIT} s; duration scale: $SCALE; quick: $QUICK"
    echo
    echo "Columns: compile = psst's backend report (kernels compiled, or loaded from psst's cache);"
    echo "set-up + transfers = the rest outside the simulation loop (\`psst run\`: process wall time"
    echo "minus simulation and compile: model, connectivity, uploads, HDF5 output; \`psst_bench_hh\`:"
    echo "constructing the Simulation, minus the compile); sim = the simulation loop only."
    echo "The hand-written CUDA kernel reports its own compile, upload and download times apart from"
    echo "its run. Independent HH: float64, RK4, dt = 0.01 ms; the hand-written kernel runs the same N"
    echo "and duration right after psst in the same run (on cpu: the CPU ceiling \`psst_bench_handwritten\`,"
    echo "-ffast-math, all threads). COBAHH: exponential Euler, dt = 0.1 ms, p = 80 / N (the model's"
    echo "0.02 at 4,000); Brian2GeNN's variant p = 1000 / N with zero weights, as its COBAHH.py (its"
    echo "3 ms refractory period is not in psst's model: psst counts upward crossings of -20 mV)."
    echo
    echo "| benchmark | backend | N | synapses per neuron | duration (ms) | compile (s) | set-up + transfers (s) | sim (s) | result | spikes / notes |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "## Commands"
    echo
    echo "In this order (PSST_CACHE_DIR=$PSST_CACHE_DIR; every output is in \`$(basename "$LOG")\`)."
    echo "\`cobahh_N.toml\` and \`cobahh1000_N.toml\` are copies of models/cobahh.toml with the size, the"
    echo "two slices, p (and for the second the weights) replaced: \`cobahh_model\` in cuda_bench.sh."
    echo
    for c in "${COMMANDS[@]}"; do echo "    $c"; done
  } > "$RESULTS"
}

# ---- the per-backend plan ----
plan() { # sets HH_N, HH_BUDGET, COBAHH_N, COBAHH_MS (per N), C1000_N, AL_MS
  local b=$1
  case $b in
    cpu)
      HH_N="1e3 1e4 1e5 1e6 1e7"; HH_BUDGET=2e7
      COBAHH_N="4000 64000"; C1000_N="4000"; AL_MS=1000 ;;
    cuda-emulated)
      HH_N="1e3 1e4"; HH_BUDGET=2e6
      COBAHH_N="4000 64000"; C1000_N="4000"; AL_MS=50 ;;
    cuda)
      HH_N="1e3 1e4 1e5 1e6 1e7"; HH_BUDGET=1e11
      COBAHH_N="4000 64000"; C1000_N="4000 64000"; AL_MS=1000 ;;
    *)
      HH_N="1e3 1e4"; HH_BUDGET=1e7
      COBAHH_N="4000"; C1000_N="4000"; AL_MS=100 ;;
  esac
  if (( QUICK )); then
    HH_N=$(echo "$HH_N" | cut -d' ' -f1-2)
    COBAHH_N="4000"; C1000_N="4000"
    [[ $b == cuda ]] || AL_MS=$(awk -v a="$AL_MS" 'BEGIN { print (a > 100 ? 100 : a) }')
  fi
  HH_N=${HH_SIZES:-$HH_N}
  COBAHH_N=${COBAHH_SIZES:-$COBAHH_N}
  C1000_N=${COBAHH1000_SIZES:-$C1000_N}
  AL_MS=$(scaled "$AL_MS")
}

# Simulated ms of a COBAHH run: the whole second on a GPU, shorter where slow.
cobahh_ms() { # backend N synapses-per-neuron
  local ms
  case $1 in
    cuda) ms=1000 ;;
    cpu) ms=$(awk -v n="$2" -v k="$3" 'BEGIN { x = 5e7 / (n * k); if (x > 1000) x = 1000; if (x < 5) x = 5; printf "%d", x }') ;;
    *) ms=$(awk -v n="$2" -v k="$3" 'BEGIN { x = 8e6 / (n * k); if (x > 200) x = 200; if (x < 2) x = 2; printf "%d", x }') ;;
  esac
  scaled "$ms"
}

# A copy of models/cobahh.toml with N neurons (80 % excitatory), p and the weights.
cobahh_model() { # N P WEIGHTS(keep|zero) FILE
  local n=$1 p=$2 weights=$3 file=$4 ne=$(( $1 * 4 / 5 ))
  sed -E -e "s/^size = 4000\$/size = $n/" -e "s/cells\\[0:3200\\]/cells[0:$ne]/" -e "s/cells\\[3200:4000\\]/cells[$ne:$n]/" \
    -e "s/p = 0\\.02 \\}/p = $p }/" models/cobahh.toml > "$file"
  if [[ $weights == zero ]]; then sed -i -E -e 's/w_e = 6\.0/w_e = 0.0/' -e 's/w_i = 67\.0/w_i = 0.0/' "$file"; fi
  # Guard against a changed model file: every substitution must have happened.
  local expect=4
  [[ $weights == zero ]] && expect=6
  local got
  got=$(grep -cE "^size = $n\$|cells\\[0:$ne\\]|cells\\[$ne:$n\\]|p = $p \\}|w_e = 0\\.0|w_i = 0\\.0" "$file")
  if (( got < expect )); then echo "cuda_bench.sh: could not scale models/cobahh.toml ($got of $expect edits)" >&2; return 1; fi
  # The recorded neurons must exist at any N >= 3205 (they do at 4,000 and up).
}

# psst_run_row LABEL BACKEND MODEL MS N SYN_PER_NEURON: one `psst run`, a row in s per biological s.
psst_run_row() {
  local label=$1 b=$2 model=$3 ms=$4 n=$5 syn=$6
  local out="$WORK/run.txt" threads
  threads=$(threads_of "$b")
  run_timed "$out" "$BUILD/psst" run "$model" --backend "$b" --threads "$threads" --duration "$ms" --out "$WORK/out.h5" --overwrite
  if (( RC != 0 )); then
    add_row "| $label | $b | $n | $syn | $ms | | | | | $(failure "$out") |"
    return
  fi
  local sim compile how spikes setup per_s
  sim=$(field "$out" 'simulated to .* in ([0-9.]+) s on')
  spikes=$(field "$out" "on '[^']*': ([0-9]+) spikes")
  compile=$(sed -nE 's/.*kernels (compiled|loaded from the cache) in ([0-9.]+) s.*/\2/p' "$out" | head -1)
  how=$(sed -nE 's/.*kernels (compiled|loaded from the cache) in.*/\1/p' "$out" | head -1)
  [[ $how == "loaded from the cache" ]] && how=cached
  setup=$(awk -v w="$WALL" -v s="$sim" -v c="${compile:-0}" 'BEGIN { printf "%.3f", w - s - c }')
  per_s=$(awk -v s="$sim" -v ms="$ms" 'BEGIN { printf "%.3g", s / (ms / 1000) }')
  add_row "| $label | $b | $n | $syn | $ms | ${compile:-0} ($how) | $setup | $sim | **$per_s s per biological s** | $spikes spikes |"
}

hh_rows() { # backend
  local b=$1 n count ms threads out hw_out
  threads=$(threads_of "$b")
  for n in $HH_N; do
    ms=$(hh_duration "$HH_BUDGET" "$n")
    count=$(awk -v n="$n" 'BEGIN { printf "%d", n }')  # psst_bench_hh reads an integer
    out="$WORK/hh.txt"
    run_timed "$out" "$BUILD/bench/psst_bench_hh" "$count" "$ms" "$b" rk4 "$threads" double
    local p_rate p_sim p_setup p_compile p_how p_spikes note=""
    if (( RC == 0 )); then
      p_rate=$(field "$out" ' ([0-9.e+-]+) neuron-steps/s')
      p_sim=$(field "$out" 'run ([0-9.]+) s,')
      p_setup=$(field "$out" 'setup ([0-9.]+) s')
      p_spikes=$(field "$out" 'neuron-steps/s, ([0-9]+) spikes')
      p_compile=$(sed -nE 's/.*kernels (compiled|loaded from the cache) in ([0-9.]+) s.*/\2/p' "$out" | head -1)
      p_how=$(sed -nE 's/.*kernels (compiled|loaded from the cache) in.*/\1/p' "$out" | head -1)
      [[ $p_how == "loaded from the cache" ]] && p_how=cached
      p_setup=$(awk -v s="$p_setup" -v c="${p_compile:-0}" 'BEGIN { printf "%.3f", s - c }')  # its setup includes the compile
    else
      note=$(failure "$out")
    fi
    # The hand-written kernel at the same N and duration.
    hw_out="$WORK/hw.txt"
    if [[ $b == cpu ]]; then
      local hw_threads=$THREADS
      (( hw_threads == 0 )) && hw_threads=$cores
      if [[ -x $BUILD/bench/psst_bench_handwritten ]]; then
        run_timed "$hw_out" "$BUILD/bench/psst_bench_handwritten" "$count" "$ms" "$hw_threads"
      else
        RC=127; echo "psst_bench_handwritten not built" > "$hw_out"
      fi
    else
      run_timed "$hw_out" "$BUILD/bench/psst_bench_cuda_handwritten" "$count" "$ms" "$b"
    fi
    local h_rate="" h_spikes="" h_detail="" ratio="-"
    if (( RC == 0 )); then
      h_rate=$(field "$hw_out" ' ([0-9.e+-]+) neuron-steps/s')
      h_spikes=$(field "$hw_out" 'neuron-steps/s, ([0-9]+) spikes')
      if [[ $b == cpu ]]; then
        h_detail="CPU -ffast-math, $(field "$hw_out" 'threads=([0-9]+)') thr"
      else
        h_detail="compile $(field "$hw_out" 'compile ([0-9.]+ s \([a-z]+\))'), up $(field "$hw_out" 'upload ([0-9.]+) s') s, down $(field "$hw_out" 'download ([0-9.]+) s') s, V0 $(field "$hw_out" 'V\[0\] = ([-0-9.e+]+)')"
      fi
      [[ -n ${p_rate:-} ]] && ratio=$(awk -v a="$p_rate" -v h="$h_rate" 'BEGIN { printf "%.2f", a / h }')
      if [[ -n ${p_spikes:-} && $p_spikes != "$h_spikes" ]]; then note="$note spikes differ: psst $p_spikes, hand-written $h_spikes"; fi
    else
      h_detail="hand-written $(failure "$hw_out")"
    fi
    add_row "| HH independent | $b | $n | - | $ms | ${p_compile:--} (${p_how:-}) | ${p_setup:--} | ${p_sim:--} | **$(fmt3 "${p_rate:-}")** neuron-steps/s; hand-written $(fmt3 "$h_rate") ($h_detail); psst/hand-written **$ratio** | ${p_spikes:-?} spikes $note |"
    unset p_rate p_sim p_setup p_compile p_how p_spikes
  done
}

network_rows() { # backend
  local b=$1 n p ms model
  for n in $COBAHH_N; do
    p=$(awk -v n="$n" 'BEGIN { printf "%.6g", 80 / n }')
    model="$WORK/cobahh_$n.toml"
    cobahh_model "$n" "$p" keep "$model" || continue
    ms=$(cobahh_ms "$b" "$n" 80)
    psst_run_row "COBAHH (p = $p)" "$b" "$model" "$ms" "$n" "~80"
  done
  for n in $C1000_N; do
    p=$(awk -v n="$n" 'BEGIN { printf "%.6g", 1000 / n }')
    model="$WORK/cobahh1000_$n.toml"
    cobahh_model "$n" "$p" zero "$model" || continue
    ms=$(cobahh_ms "$b" "$n" 1000)
    psst_run_row "COBAHH Brian2GeNN variant (p = $p, w = 0)" "$b" "$model" "$ms" "$n" "~1000"
  done
  psst_run_row "antennal lobe" "$b" models/locust_al.toml "$AL_MS" 120 "~26"
}

echo "cuda_bench.sh: backends ${backends[*]}; log $LOG; work $WORK" >&2
for b in "${backends[@]}"; do
  plan "$b"
  hh_rows "$b"
  network_rows "$b"
done
if (( ! have_cuda )); then
  # Without a GPU, NVRTC still compiles the hand-written kernel to PTX (where psst was built with the toolkit).
  run_timed "$WORK/ptx.txt" "$BUILD/bench/psst_bench_cuda_handwritten" ptx
  if (( RC == 0 )); then ptx_note="NVRTC compiles it to PTX here: $(field "$WORK/ptx.txt" 'kernel to (.*)$')"; else ptx_note="NVRTC check: $(failure "$WORK/ptx.txt")"; fi
  add_row "| hand-written CUDA kernel | cuda (NVRTC only) | - | | | | | | $ptx_note | |"
  for row in "HH independent|1e3 ... 1e7" "COBAHH (~80 synapses per neuron)|4000, 64000" \
             "COBAHH Brian2GeNN variant (1000 synapses per neuron)|4000, 64000" "antennal lobe|120"; do
    add_row "| ${row%%|*} | cuda | ${row##*|} | | | | | | $GPU_NOTE | |"
  done
fi

write_results
echo "cuda_bench.sh: wrote $RESULTS" >&2
rm -rf "$WORK/out.h5" "$WORK/probe.h5"
