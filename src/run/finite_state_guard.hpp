#pragma once
// Stops a run at the first NaN or infinity in any state variable, naming the
// population, variable, neuron and time, and suggesting a remedy.
#include "run/simulation.hpp"

namespace psst::run {

// A numerical blow-up; what was recorded up to it is kept.
class NumericalError : public UserError {
 public:
  using UserError::UserError;
};

class FiniteStateGuard final : public StepObserver {
 public:
  // Checks every `every_steps` steps (a sum per array; NaN and inf propagate into it).
  explicit FiniteStateGuard(std::int64_t every_steps = 1) : every_(every_steps) {}
  void on_start(const Simulation& simulation) override { check(simulation); }
  void on_step(const Simulation& simulation, std::int64_t step, const std::vector<std::vector<std::size_t>>&) override {
    if (step % every_ == 0) check(simulation);
  }
  void check(const Simulation& simulation) const;

 private:
  std::int64_t every_;
};

}  // namespace psst::run
