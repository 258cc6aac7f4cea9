// Throughput of N independent PSST HH neurons (models/hh.toml with N copies):
//   psst_bench_hh [N=10000] [duration_ms=100] [backend=reference] [method=rk4] [threads=0 (all cores)]
//                 [precision=double] [math=exact]
// Prints wall time and neuron-steps per second. Measured, never asserted.
#include <chrono>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/simulation.hpp"

// Counts spikes, so that runs of different backends and peers can be compared.
struct SpikeCounter final : psst::run::StepObserver {
  std::size_t count = 0;
  void on_step(const psst::run::Simulation&, std::int64_t, const std::vector<std::vector<std::size_t>>& spikes) override {
    for (const auto& s : spikes) count += s.size();
  }
};

int main(int argc, char** argv) {
  std::size_t neurons = argc > 1 ? static_cast<std::size_t>(std::stod(argv[1])) : 10000;  // 1e6 as well as 1000000
  double duration = argc > 2 ? std::stod(argv[2]) : 100.0;
  psst::run::RunOverrides overrides;
  overrides.backend = argc > 3 ? argv[3] : "reference";
  overrides.method = argc > 4 ? argv[4] : "rk4";
  overrides.duration = duration;
  overrides.threads = argc > 5 ? std::stoi(argv[5]) : 0;
  overrides.precision = argc > 6 ? argv[6] : "double";
  overrides.math = argc > 7 ? argv[7] : "exact";
  auto spec = psst::lang::read_model_file(std::string(PSST_SOURCE_DIR) + "/models/hh.toml");
  spec.populations[0].size = neurons;
  spec.records.clear();
  auto setup_start = std::chrono::steady_clock::now();
  psst::run::Simulation simulation(spec, overrides);
  SpikeCounter spikes;
  simulation.add_observer(&spikes);
  auto start = std::chrono::steady_clock::now();
  simulation.run();
  auto end = std::chrono::steady_clock::now();
  double setup = std::chrono::duration<double>(start - setup_start).count();
  if (auto report = simulation.backend().report(); !report.empty()) fmt::print("{}\n", report);
  double seconds = std::chrono::duration<double>(end - start).count();
  double neuron_steps = static_cast<double>(neurons) * static_cast<double>(simulation.total_steps());
  fmt::print("hh_throughput backend={} precision={} method={} N={} duration={} ms dt={} ms: setup {:.3f} s, run {:.3f} s, "
             "{:.3g} neuron-steps/s, {} spikes\n",
             overrides.backend, *overrides.precision, *overrides.method, neurons, duration, simulation.dt(), setup, seconds,
             neuron_steps / seconds, spikes.count);
  return 0;
}
