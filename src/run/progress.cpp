#include "run/progress.hpp"

#include <fmt/format.h>

namespace psst::run {

void ProgressReporter::on_start(const Simulation& simulation) {
  start_ = last_print_ = std::chrono::steady_clock::now();
  first_step_ = simulation.step();
}

void ProgressReporter::on_spikes(const Simulation&, std::int64_t, const std::vector<std::vector<std::size_t>>& spikes) {
  for (const auto& s : spikes) spikes_ += s.size();
}

void ProgressReporter::on_step(const Simulation& simulation, std::int64_t step,
                               const std::vector<std::vector<std::size_t>>&) {
  if (!enabled_ || (step & 255) != 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < std::chrono::milliseconds(500)) return;
  last_print_ = now;
  print(simulation, false);
}

void ProgressReporter::on_finish(const Simulation& simulation) {
  if (enabled_) print(simulation, true);
}

double ProgressReporter::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::print(const Simulation& simulation, bool final) {
  double elapsed = elapsed_seconds();
  double simulated = static_cast<double>(simulation.step() - first_step_) * simulation.dt();
  double total = static_cast<double>(simulation.total_steps()) * simulation.dt();
  std::string line = fmt::format("t = {:.1f} / {:.1f} ms ({:3.0f}%)  elapsed {:.1f} s  {:.1f} ms/s  {} spikes",
                                 simulation.time(), total, 100.0 * simulation.time() / std::max(total, 1e-300), elapsed,
                                 elapsed > 0 ? simulated / elapsed : 0.0, spikes_);
  fmt::print(out_, "\r{:<78}{}", line, final ? "\n" : "");
  std::fflush(out_);
}

}  // namespace psst::run
