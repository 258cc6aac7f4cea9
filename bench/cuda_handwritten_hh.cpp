// The practical limit of benchmark item 7 of the CUDA backend: N independent PSST
// HH neurons (models/hh.toml: the same equations, parameters, RK4 and dt = 0.01 ms)
// in a minimal hand-written fused CUDA kernel, one thread per neuron, the state in
// registers across many steps per launch. It uses psst's own exp (math_source(),
// the text the generated kernels include) and is loaded and launched through
// psst's Device layer, so it runs on the GPU (device=cuda) and emulated on the host
// (device=cuda-emulated), compiled with the options psst compiles its kernels with
// (NVRTC: --fmad=false, no fast math).
//   psst_bench_cuda_handwritten [N=10000] [duration_ms=10] [device=cuda-emulated|cuda]
//                               [threads_per_block=128] [steps_per_launch=1000]
//   psst_bench_cuda_handwritten ptx    compiles the kernel with NVRTC to PTX (no GPU needed)
// Prints compile time, transfer times, run time (launches only), neuron-steps/s,
// and a checksum to compare with psst: V of neuron 0 at the end and the spikes
// (upward crossings of 0 mV; every neuron is identical, so spikes = N x neuron 0's).
// Measured, never asserted.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "backend/backend.hpp"
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/cuda_source.hpp"
#include "backend/cuda/device.hpp"
#include "math/pow.hpp"
#ifdef PSST_HAVE_CUDA
#include "backend/cuda/gpu/gpu_device.hpp"
#endif

namespace {

using psst::backend::cuda::DeviceArray;
using psst::backend::cuda::ModuleSource;

// models/hh.toml, written as psst writes it: dx/dt = -(x - x_0) / tau_x.
constexpr const char* kernel_source = R"cuda(
namespace hh {

struct State {
  double V, m, h, n;
};

__device__ __forceinline__ State derivatives(const State& s, double phi) {
  const double I_inj = 10.0, C_m = 1.0, g_Na = 100.0, E_Na = 50.0, g_K = 10.0, E_K = -95.0, g_L = 0.15,
               E_L = -55.0;
  const double u = s.V + 50.0;
  const double alpha_m = 0.32 * (13.0 - u) / (psst::math::exp((13.0 - u) / 4.0) - 1.0);
  const double beta_m = 0.28 * (u - 40.0) / (psst::math::exp((u - 40.0) / 5.0) - 1.0);
  const double alpha_h = 0.128 * psst::math::exp((17.0 - u) / 18.0);
  const double beta_h = 4.0 / (psst::math::exp((40.0 - u) / 5.0) + 1.0);
  const double alpha_n = 0.02 * (15.0 - u) / (psst::math::exp((15.0 - u) / 5.0) - 1.0);
  const double beta_n = 0.5 * psst::math::exp((10.0 - u) / 40.0);
  const double m_0 = alpha_m / (alpha_m + beta_m), h_0 = alpha_h / (alpha_h + beta_h),
               n_0 = alpha_n / (alpha_n + beta_n);
  const double tau_m = 1.0 / ((alpha_m + beta_m) * phi), tau_h = 1.0 / ((alpha_h + beta_h) * phi),
               tau_n = 1.0 / ((alpha_n + beta_n) * phi);
  const double I_Na = g_Na * (s.m * s.m * s.m) * s.h * (s.V - E_Na);
  const double I_K = g_K * (s.n * s.n * s.n * s.n) * (s.V - E_K);
  const double I_L = g_L * (s.V - E_L);
  return {(I_inj - I_Na - I_K - I_L) / C_m, -(s.m - m_0) / tau_m, -(s.h - h_0) / tau_h, -(s.n - n_0) / tau_n};
}

__device__ __forceinline__ State advance(const State& s, const State& k, double f) {
  return {s.V + f * k.V, s.m + f * k.m, s.h + f * k.h, s.n + f * k.n};
}

}  // namespace hh

// `steps` RK4 steps of neurons [0, count); spikes[i] counts neuron i's upward crossings of 0 mV.
extern "C" __global__ void psst_bench_hh_rk4(double* V, double* m, double* h, double* n, std::uint32_t* spikes,
                                             std::uint64_t count, std::int64_t steps, double dt, double phi) {
  const std::uint64_t i = blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x;
  if (i >= count) return;
  hh::State s{V[i], m[i], h[i], n[i]};
  std::uint32_t crossings = spikes[i];
  for (std::int64_t step = 0; step < steps; ++step) {
    const hh::State k1 = hh::derivatives(s, phi);
    const hh::State k2 = hh::derivatives(hh::advance(s, k1, 0.5 * dt), phi);
    const hh::State k3 = hh::derivatives(hh::advance(s, k2, 0.5 * dt), phi);
    const hh::State k4 = hh::derivatives(hh::advance(s, k3, dt), phi);
    const double before = s.V;
    s.V += dt / 6.0 * (k1.V + 2.0 * k2.V + 2.0 * k3.V + k4.V);
    s.m += dt / 6.0 * (k1.m + 2.0 * k2.m + 2.0 * k3.m + k4.m);
    s.h += dt / 6.0 * (k1.h + 2.0 * k2.h + 2.0 * k3.h + k4.h);
    s.n += dt / 6.0 * (k1.n + 2.0 * k2.n + 2.0 * k3.n + k4.n);
    crossings += (before < 0.0 && s.V >= 0.0) ? 1u : 0u;
  }
  V[i] = s.V;
  m[i] = s.m;
  h[i] = s.h;
  n[i] = s.n;
  spikes[i] = crossings;
}
)cuda";

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc > 1 && std::string(argv[1]) == "ptx") {
#ifdef PSST_HAVE_CUDA
    const auto start = std::chrono::steady_clock::now();
    const std::string ptx = psst::backend::cuda::compile_to_ptx(
        ModuleSource{psst::backend::cuda::math_source(), {{kernel_source, {"psst_bench_hh_rk4"}}}});
    fmt::print("cuda_handwritten_hh: NVRTC compiled the kernel to {} bytes of PTX in {:.3f} s\n", ptx.size(),
               seconds_since(start));
    return 0;
#else
    fmt::print(stderr, "psst_bench_cuda_handwritten: built without the CUDA toolkit: no NVRTC\n");
    return 1;
#endif
  }
  const auto neurons = static_cast<std::uint64_t>(argc > 1 ? std::stod(argv[1]) : 1e4);
  const double duration = argc > 2 ? std::stod(argv[2]) : 10.0;
  const std::string device_name = argc > 3 ? argv[3] : "cuda-emulated";
  const auto threads_per_block = static_cast<unsigned>(argc > 4 ? std::stoul(argv[4]) : 128);
  const auto steps_per_launch = static_cast<std::int64_t>(argc > 5 ? std::stoll(argv[5]) : 1000);
  if (neurons == 0 || threads_per_block == 0 || steps_per_launch <= 0) {
    fmt::print(stderr, "usage: psst_bench_cuda_handwritten N MS [cuda-emulated|cuda] [threads_per_block] [steps_per_launch]\n");
    return 2;
  }
  const double dt = 0.01;
  const auto steps = static_cast<std::int64_t>(std::llround(duration / dt));
  const double phi = psst::math::pow(3.0, (22.0 - 36.0) / 10.0);

  const auto setup_start = std::chrono::steady_clock::now();
  auto backend = psst::backend::make_backend(device_name, psst::backend::BackendOptions{});
  auto* cuda = dynamic_cast<psst::backend::cuda::CudaBackend*>(backend.get());
  if (!cuda) {
    fmt::print(stderr, "psst_bench_cuda_handwritten: '{}' is not a CUDA backend (cuda or cuda-emulated)\n", device_name);
    return 2;
  }
  const std::shared_ptr<psst::backend::cuda::Device> handle = cuda->shared_device();
  psst::backend::cuda::Device& device = *handle;
  const double setup_seconds = seconds_since(setup_start);

  // Compile (or load from psst's cache): reported apart from the run.
  const ModuleSource source{psst::backend::cuda::math_source(), {{kernel_source, {"psst_bench_hh_rk4"}}}};
  psst::backend::cuda::Device::Loaded loaded = device.load(source);
  const void* kernel = loaded.module->function("psst_bench_hh_rk4");

  // Initial state (models/hh.toml), uploaded: the transfer in.
  const std::size_t bytes = neurons * sizeof(double);
  std::vector<double> V(neurons, -71.0), zeros(neurons, 0.0);
  std::vector<std::uint32_t> spikes(neurons, 0);
  DeviceArray dV(handle, bytes), dm(handle, bytes), dh(handle, bytes), dn(handle, bytes),
      dspikes(handle, neurons * sizeof(std::uint32_t));
  const auto upload_start = std::chrono::steady_clock::now();
  device.copy_to_device(dV.get(), V.data(), bytes);
  device.copy_to_device(dm.get(), zeros.data(), bytes);
  device.copy_to_device(dh.get(), zeros.data(), bytes);
  device.copy_to_device(dn.get(), zeros.data(), bytes);
  device.copy_to_device(dspikes.get(), spikes.data(), neurons * sizeof(std::uint32_t));
  const double upload_seconds = seconds_since(upload_start);

  // The run: launches of steps_per_launch steps each, then a copy of one value
  // (every call is on the default stream, so it waits for the launches).
  const auto blocks = static_cast<unsigned>((neurons + threads_per_block - 1) / threads_per_block);
  psst::backend::cuda::DevicePointer pV = dV.get(), pm = dm.get(), ph = dh.get(), pn = dn.get(), ps = dspikes.get();
  std::uint64_t count = neurons;
  double step_dt = dt, step_phi = phi;
  std::int64_t launches = 0;
  const auto run_start = std::chrono::steady_clock::now();
  for (std::int64_t done = 0; done < steps; done += steps_per_launch) {
    std::int64_t chunk = std::min(steps_per_launch, steps - done);
    void* params[] = {&pV, &pm, &ph, &pn, &ps, &count, &chunk, &step_dt, &step_phi};
    device.launch(kernel, blocks, threads_per_block, params);
    ++launches;
  }
  double V0 = 0.0;
  device.copy_to_host(&V0, dV.get(), sizeof(double));
  const double run_seconds = seconds_since(run_start);

  // The transfer out: the final V and the spike counts.
  const auto download_start = std::chrono::steady_clock::now();
  device.copy_to_host(V.data(), dV.get(), bytes);
  device.copy_to_host(spikes.data(), dspikes.get(), neurons * sizeof(std::uint32_t));
  const double download_seconds = seconds_since(download_start);
  std::uint64_t total_spikes = 0;
  for (std::uint32_t s : spikes) total_spikes += s;

  const double neuron_steps = static_cast<double>(neurons) * static_cast<double>(steps);
  fmt::print("cuda_handwritten_hh device={} ({}) N={} duration={} ms dt={} ms steps={} launches={} x {} threads/block: "
             "backend set-up {:.3f} s, compile {:.3f} s ({}), upload {:.4f} s, run {:.3f} s, download {:.4f} s, "
             "{:.3g} neuron-steps/s, {} spikes, V[0] = {:.17g}\n",
             device_name, device.description(), neurons, duration, dt, steps, launches, threads_per_block,
             setup_seconds, loaded.seconds, loaded.cache_hit ? "cached" : "compiled", upload_seconds, run_seconds,
             download_seconds, neuron_steps / run_seconds, total_spikes, V[0]);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "psst_bench_cuda_handwritten: {}\n", e.what());
  return 1;
}
