#pragma once
// Stops a run at the first NaN or infinity in any population's state, naming the
// step where it first appeared, the population, variable, neuron (its instance in
// an ensemble, its global index under MPI), its value and the value a step before,
// and a remedy: a smaller dt where the equations diverged, the upstream cause where
// an input of the neuron was already not finite.
#include <optional>

#include "run/simulation.hpp"
#include "run/state_snapshot.hpp"

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
  // After each good check the state is copied within the backend (StateSnapshot), so
  // that a bad check can replay the steps since, checking each, and name the first.
  explicit FiniteStateGuard(Simulation& simulation, std::int64_t every_steps = 64, std::int64_t also_every = 0)
      : simulation_(simulation), snapshot_(simulation), every_(every_steps), also_every_(also_every) {}
  void on_start(const Simulation&) override { check(); }
  void on_step(const Simulation&, std::int64_t step, const std::vector<std::vector<std::size_t>>&) override {
    if (step % every_ == 0 || (also_every_ > 0 && step % also_every_ == 0) || step == simulation_.total_steps())
      check();
  }
  // Collective. Throws NumericalError for a non-finite state (after the replay, the
  // simulation is back at the step it was checked at); else saves the snapshot.
  void check();

 private:
  struct Found {
    std::size_t population = 0;
    std::string variable;
    std::size_t neuron = 0;
  };
  // Collective: the first non-finite value by population, variable and lowest global index.
  std::optional<Found> find() const;
  // Collective: from the snapshot, step by step (no observer told) to the first bad step.
  Found replay(std::int64_t checked_step, Found found);
  [[noreturn]] void report(const Found& found, bool previous_known, std::int64_t checked_step);

  Simulation& simulation_;
  StateSnapshot snapshot_;
  std::int64_t every_, also_every_;
};

}  // namespace psst::run
