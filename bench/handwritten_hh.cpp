// The practical ceiling for benchmark (c): N independent PSST HH neurons
// (models/hh.toml), integrated with RK4 by a minimal hand-written
// structure-of-arrays kernel, compiled with -O3 -march=native -ffast-math (so
// that g++ calls glibc's vectorised exp). psst itself never uses fast-math;
// this program exists only to be timed beside it (bench/side_by_side.py).
//   psst_bench_handwritten [N=100000] [duration_ms=100] [threads=1]
// Prints wall time, neuron-steps per second and the number of spikes (upward
// crossings of 0 mV), which must equal psst's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

// The HH neuron of models/hh.toml (Traub kinetics, PSST Day 3).
constexpr double kInjected = 10.0, kCapacitance = 1.0, kGNa = 100.0, kENa = 50.0, kGK = 10.0, kEK = -95.0,
                 kGL = 0.15, kEL = -55.0;

struct Derivatives {
  double V, m, h, n;
};

inline Derivatives derivatives(double V, double m, double h, double n) {
  const double phi = std::pow(3.0, (22.0 - 36.0) / 10.0);
  const double u = V + 50.0;
  const double alpha_m = 0.32 * (13.0 - u) / (std::exp((13.0 - u) / 4.0) - 1.0);
  const double beta_m = 0.28 * (u - 40.0) / (std::exp((u - 40.0) / 5.0) - 1.0);
  const double alpha_h = 0.128 * std::exp((17.0 - u) / 18.0);
  const double beta_h = 4.0 / (std::exp((40.0 - u) / 5.0) + 1.0);
  const double alpha_n = 0.02 * (15.0 - u) / (std::exp((15.0 - u) / 5.0) - 1.0);
  const double beta_n = 0.5 * std::exp((10.0 - u) / 40.0);
  const double I_Na = kGNa * m * m * m * h * (V - kENa);
  const double I_K = kGK * n * n * n * n * (V - kEK);
  const double I_L = kGL * (V - kEL);
  return {(kInjected - I_Na - I_K - I_L) / kCapacitance,
          (alpha_m * (1.0 - m) - beta_m * m) * phi,
          (alpha_h * (1.0 - h) - beta_h * h) * phi,
          (alpha_n * (1.0 - n) - beta_n * n) * phi};
}

struct State {
  std::vector<double> V, m, h, n;
};

// One RK4 step of neurons [begin, end); returns the number of upward crossings of 0 mV.
long rk4_steps(State& s, std::size_t begin, std::size_t end, double dt, long steps) {
  long spikes = 0;
  double* __restrict V = s.V.data();
  double* __restrict m = s.m.data();
  double* __restrict h = s.h.data();
  double* __restrict n = s.n.data();
  for (long step = 0; step < steps; ++step) {
    long count = 0;
#pragma omp simd reduction(+ : count)
    for (std::size_t i = begin; i < end; ++i) {
      const double v0 = V[i], m0 = m[i], h0 = h[i], n0 = n[i];
      const Derivatives k1 = derivatives(v0, m0, h0, n0);
      const Derivatives k2 = derivatives(v0 + 0.5 * dt * k1.V, m0 + 0.5 * dt * k1.m, h0 + 0.5 * dt * k1.h,
                                         n0 + 0.5 * dt * k1.n);
      const Derivatives k3 = derivatives(v0 + 0.5 * dt * k2.V, m0 + 0.5 * dt * k2.m, h0 + 0.5 * dt * k2.h,
                                         n0 + 0.5 * dt * k2.n);
      const Derivatives k4 = derivatives(v0 + dt * k3.V, m0 + dt * k3.m, h0 + dt * k3.h, n0 + dt * k3.n);
      const double v1 = v0 + dt / 6.0 * (k1.V + 2.0 * k2.V + 2.0 * k3.V + k4.V);
      V[i] = v1;
      m[i] = m0 + dt / 6.0 * (k1.m + 2.0 * k2.m + 2.0 * k3.m + k4.m);
      h[i] = h0 + dt / 6.0 * (k1.h + 2.0 * k2.h + 2.0 * k3.h + k4.h);
      n[i] = n0 + dt / 6.0 * (k1.n + 2.0 * k2.n + 2.0 * k3.n + k4.n);
      count += (v0 < 0.0 && v1 >= 0.0) ? 1 : 0;
    }
    spikes += count;
  }
  return spikes;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t neurons = argc > 1 ? static_cast<std::size_t>(std::atof(argv[1])) : 100000;
  const double duration = argc > 2 ? std::atof(argv[2]) : 100.0;
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 1;
  const double dt = 0.01;
  const long steps = std::lround(duration / dt);
  State s{std::vector<double>(neurons, -71.0), std::vector<double>(neurons, 0.0), std::vector<double>(neurons, 0.0),
          std::vector<double>(neurons, 0.0)};
  std::vector<long> spikes(threads, 0);
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      // Chunks of whole cache lines, so that threads never share one.
      const std::size_t chunk = (neurons / threads + 7) / 8 * 8;
      const std::size_t begin = std::min(neurons, t * chunk), end = t + 1 == threads ? neurons : std::min(neurons, begin + chunk);
      workers.emplace_back([&, t, begin, end] { spikes[t] = rk4_steps(s, begin, end, dt, steps); });
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long total = 0;
  for (long k : spikes) total += k;
  std::printf("handwritten_hh (-O3 -march=native -ffast-math) N=%zu duration=%g ms dt=%g ms threads=%u: run %.3f s, "
              "%.3g neuron-steps/s, %ld spikes\n",
              neurons, duration, dt, threads, seconds, static_cast<double>(neurons) * static_cast<double>(steps) / seconds,
              total);
  return 0;
}
