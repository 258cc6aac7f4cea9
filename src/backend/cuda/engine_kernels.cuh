// psst's own CUDA kernels: the primitives of backend.hpp on the device, each in the
// order backend.hpp specifies. Compiled into the engine module by NVRTC for the GPU
// and by the host compiler under emulation (--backend cuda-emulated), so they use
// no atomics, no __syncthreads and no warp intrinsics: what a thread writes is a
// function of its index and of what earlier launches wrote, whatever the schedule.
// Embedded into psst at build time (cmake/cuda_engine_source.hpp.in).

#define PSST_THREAD (blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x)

// The fan-in of one level of the scans below (counts, then sums of 32 counts, ...).
#define PSST_SCAN_FAN 32

extern "C" __global__ void psst_fill(double* x, double value, std::size_t n) {
  const std::size_t i = PSST_THREAD;
  if (i < n) x[i] = value;
}

// The finite-state check's snapshot: out[i] = x[i].
extern "C" __global__ void psst_copy(const double* x, double* out, std::size_t n) {
  const std::size_t i = PSST_THREAD;
  if (i < n) out[i] = x[i];
}

// Recording: out[j] = x[index[j]].
extern "C" __global__ void psst_gather(const double* x, const std::uint32_t* index, double* out, std::size_t n) {
  const std::size_t j = PSST_THREAD;
  if (j < n) out[j] = x[index[j]];
}

// targets[i] += the sum of row i, from 0.0 in ascending synapse order (one thread per row).
extern "C" __global__ void psst_row_sums(const double* contributions, const std::uint32_t* offsets, double* targets,
                                         std::size_t first, std::size_t last) {
  const std::size_t i = first + PSST_THREAD;
  if (i >= last) return;
  double row = 0.0;
  for (std::uint32_t s = offsets[i]; s < offsets[i + 1]; ++s) row += contributions[s];
  targets[i] += row;
}

// Threshold crossing: flags[i - first] = 1 where neuron i crossed (lastspike set).
extern "C" __global__ void psst_crossing_flags(const double* now, double* before, double* lastspike, double spike_time,
                                               std::uint32_t* flags, std::size_t first, std::size_t last) {
  const std::size_t i = first + PSST_THREAD;
  if (i >= last) return;
  const bool crossed = now[i] != 0.0 && before[i] == 0.0;
  if (crossed) lastspike[i] = spike_time;
  before[i] = now[i];
  flags[i - first] = crossed ? 1u : 0u;
}

// flags[i] = 1 where x[i] is NaN or +-inf (x * 0 is 0 for every finite x).
extern "C" __global__ void psst_non_finite_flags(const double* x, std::uint32_t* flags, std::size_t n) {
  const std::size_t i = PSST_THREAD;
  if (i < n) flags[i] = (x[i] * 0.0 == 0.0) ? 0u : 1u;
}

// sums[c] = values[PSST_SCAN_FAN c] + ... (one level of the upsweep).
extern "C" __global__ void psst_fan_sums(const std::uint32_t* values, std::size_t n, std::uint32_t* sums) {
  const std::size_t c = PSST_THREAD, begin = c * PSST_SCAN_FAN;
  if (begin >= n) return;
  const std::size_t end = n - begin < PSST_SCAN_FAN ? n : begin + PSST_SCAN_FAN;
  std::uint32_t sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += values[i];
  sums[c] = sum;
}

// Exclusive prefix sums of x[0, n) in place by one thread; x[n] = the total.
extern "C" __global__ void psst_serial_scan(std::uint32_t* x, std::size_t n) {
  if (PSST_THREAD != 0) return;
  std::uint32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = x[i];
    x[i] = total;
    total += v;
  }
  x[n] = total;
}

// One level of the downsweep: starts[i] = the exclusive prefix sum of values at i,
// given the exclusive prefix sums of the fan sums (chunk_starts).
extern "C" __global__ void psst_fan_starts(const std::uint32_t* values, std::size_t n, const std::uint32_t* chunk_starts,
                                           std::uint32_t* starts) {
  const std::size_t c = PSST_THREAD, begin = c * PSST_SCAN_FAN;
  if (begin >= n) return;
  const std::size_t end = n - begin < PSST_SCAN_FAN ? n : begin + PSST_SCAN_FAN;
  std::uint32_t k = chunk_starts[c];
  for (std::size_t i = begin; i < end; ++i) {  // in place (starts == values) too
    const std::uint32_t v = values[i];
    starts[i] = k;
    k += v;
  }
}

// The flagged positions, ascending: chunk c (PSST_SCAN_FAN flags) writes from starts[c].
extern "C" __global__ void psst_compact(const std::uint32_t* flags, std::size_t n, const std::uint32_t* starts,
                                        std::size_t first, std::uint32_t* out) {
  const std::size_t c = PSST_THREAD, begin = c * PSST_SCAN_FAN;
  if (begin >= n) return;
  const std::size_t end = n - begin < PSST_SCAN_FAN ? n : begin + PSST_SCAN_FAN;
  std::uint32_t k = starts[c];
  for (std::size_t i = begin; i < end; ++i)
    if (flags[i]) out[k++] = static_cast<std::uint32_t>(first + i);
}

// Event e of a step: the (neuron, synapse) pairs of the due neurons (ascending) in
// order; due_starts[j] is the first event of due neuron j, due_starts[m] the total.
extern "C" __global__ void psst_expand_events(const std::uint32_t* due, const std::uint32_t* due_starts, std::size_t m,
                                              const std::uint32_t* pre_offsets, const std::uint32_t* outgoing,
                                              const std::uint32_t* post, std::uint32_t* due_synapse,
                                              std::uint32_t* due_pre, std::uint32_t* due_post, std::size_t events,
                                              std::uint32_t classes) {
  const std::size_t e = PSST_THREAD;
  if (e >= events) return;
  std::size_t lo = 0, hi = m;  // the last j with due_starts[j] <= e
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (due_starts[mid] <= e) lo = mid; else hi = mid;
  }
  const std::uint32_t group = due[lo];
  const std::uint32_t s = outgoing[pre_offsets[group] + static_cast<std::uint32_t>(e - due_starts[lo])];
  due_synapse[e] = s;
  due_pre[e] = group / classes;
  due_post[e] = post[s];
}

// x op= value, op as EventTarget::Operation (0 assign, 1 add, 2 subtract, 3 multiply).
__device__ __forceinline__ void psst_apply(double& x, double value, int operation) {
  if (operation == 0) x = value;
  else if (operation == 1) x += value;
  else if (operation == 2) x -= value;
  else x *= value;
}

// A synapse target: every event has its own synapse (a neuron is due at most once).
extern "C" __global__ void psst_apply_to_synapses(double* target, const double* values, const std::uint32_t* synapse,
                                                  std::size_t events, int operation) {
  const std::size_t e = PSST_THREAD;
  if (e < events) psst_apply(target[synapse[e]], values[e], operation);
}

// event_of_synapse[s] = e for the events of this step (else 0xffffffff).
extern "C" __global__ void psst_mark_events(const std::uint32_t* synapse, std::uint32_t* event_of_synapse,
                                            std::size_t events, int clear) {
  const std::size_t e = PSST_THREAD;
  if (e < events) event_of_synapse[synapse[e]] = clear ? 0xffffffffu : static_cast<std::uint32_t>(e);
}

// A postsynaptic target: one thread per neuron applies the events onto it in event
// order, which within a row (synapses ordered by (post, pre)) is ascending synapse order.
extern "C" __global__ void psst_apply_to_neurons(double* target, const double* values, const std::uint32_t* post_offsets,
                                                 const std::uint32_t* event_of_synapse, std::size_t neurons,
                                                 int operation) {
  const std::size_t i = PSST_THREAD;
  if (i >= neurons) return;
  double x = target[i];
  bool changed = false;
  for (std::uint32_t s = post_offsets[i]; s < post_offsets[i + 1]; ++s) {
    const std::uint32_t e = event_of_synapse[s];
    if (e == 0xffffffffu) continue;
    psst_apply(x, values[e], operation);
    changed = true;
  }
  if (changed) target[i] = x;
}

// Input tables: out[i] = table[row(i), column].
extern "C" __global__ void psst_sample_table(const double* table, std::size_t rows, std::size_t columns,
                                             std::size_t column, double* out, std::size_t n) {
  const std::size_t i = PSST_THREAD;
  if (i < n) out[i] = table[(rows == 1 ? 0 : i) * columns + column];
}

// Input ranges: out[neurons[k]] = value.
extern "C" __global__ void psst_scatter_value(double* out, const std::uint32_t* neurons, std::size_t count,
                                              double value) {
  const std::size_t k = PSST_THREAD;
  if (k < count) out[neurons[k]] = value;
}
