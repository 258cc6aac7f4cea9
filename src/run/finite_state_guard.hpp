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
  // Checks every `every_steps` steps (a sum per array; NaN and inf propagate into
  // it), at every multiple of `also_every` (the checkpoint interval: no checkpoint
  // stores a blown-up state) and at the last step. Every 64 steps is far more often
  // than an output chunk fills, and costs ~0.1% of a run (every step: ~9% of COBAHH).
  explicit FiniteStateGuard(std::int64_t every_steps = 64, std::int64_t also_every = 0)
      : every_(every_steps), also_every_(also_every) {}
  void on_start(const Simulation& simulation) override { check(simulation); }
  void on_step(const Simulation& simulation, std::int64_t step, const std::vector<std::vector<std::size_t>>&) override {
    if (step % every_ == 0 || (also_every_ > 0 && step % also_every_ == 0) || step == simulation.total_steps())
      check(simulation);
  }
  void check(const Simulation& simulation) const;

 private:
  std::int64_t every_, also_every_;
};

}  // namespace psst::run
