// What the finite-state check costs a run: a model run without it, with it (a check
// and, when the check passes, an in-backend snapshot every 64 steps), and the
// snapshot's save alone against the time of 64 steps.
//   psst_bench_finite_check [model=models/cobahh.toml] [duration_ms=200] [backend=cpu] [threads=0] [repeats=3]
// Prints wall times. Measured, never asserted.
#include <chrono>
#include <string>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/finite_state_guard.hpp"
#include "run/state_snapshot.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double run_seconds(const psst::model::NetworkSpec& spec, const psst::run::RunOverrides& overrides, bool guarded) {
  psst::run::Simulation simulation(spec, overrides);
  psst::run::FiniteStateGuard guard(simulation);
  if (guarded) simulation.add_observer(&guard);
  const auto start = std::chrono::steady_clock::now();
  simulation.run();
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : std::string(PSST_SOURCE_DIR) + "/models/cobahh.toml";
  psst::run::RunOverrides overrides;
  overrides.duration = argc > 2 ? std::stod(argv[2]) : 200.0;
  overrides.backend = argc > 3 ? argv[3] : "cpu";
  overrides.threads = argc > 4 ? std::stoi(argv[4]) : 0;
  const int repeats = argc > 5 ? std::stoi(argv[5]) : 3;
  auto spec = psst::lang::read_model_file(model);
  spec.records.clear();
  for (int r = 0; r < repeats; ++r) {  // interleaved, so that a change in the machine's load hits both
    const double without = run_seconds(spec, overrides, false), with = run_seconds(spec, overrides, true);
    fmt::print("run: {:.3f} s without the check, {:.3f} s with it ({:+.2f}%)\n", without, with,
               100.0 * (with - without) / without);
  }
  psst::run::Simulation simulation(spec, overrides);
  psst::run::StateSnapshot snapshot(simulation);
  snapshot.save();  // allocates
  auto start = std::chrono::steady_clock::now();
  simulation.run_until_step(std::min<std::int64_t>(640, simulation.total_steps()));
  const double step = seconds_since(start) / static_cast<double>(simulation.step());
  start = std::chrono::steady_clock::now();
  for (int k = 0; k < 100; ++k) snapshot.save();
  const double save = seconds_since(start) / 100;
  fmt::print("snapshot save: {:.1f} us; 64 steps: {:.1f} us; save / 64 steps = {:.3f}%\n", save * 1e6,
             64 * step * 1e6, 100.0 * save / (64 * step));
}
