#pragma once
// A one-line progress report on long runs: simulated time, wall time and
// simulated ms per wall second, rewritten in place on a terminal.
#include <chrono>
#include <cstdio>

#include "run/simulation.hpp"

namespace psst::run {

class ProgressReporter final : public StepObserver {
 public:
  // Prints only when `enabled` (the CLI passes: stderr is a terminal and not --quiet).
  ProgressReporter(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}

  void on_start(const Simulation& simulation) override;
  void on_step(const Simulation& simulation, std::int64_t step,
               const std::vector<std::vector<std::size_t>>& spikes) override;
  void on_spikes(const Simulation& simulation, std::int64_t step,
                 const std::vector<std::vector<std::size_t>>& spikes) override;
  void on_finish(const Simulation& simulation) override;
  double elapsed_seconds() const;
  std::size_t spike_count() const { return spikes_; }

 private:
  void print(const Simulation& simulation, bool final);

  std::FILE* out_;
  bool enabled_;
  std::size_t spikes_ = 0;
  std::int64_t first_step_ = 0;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace psst::run
