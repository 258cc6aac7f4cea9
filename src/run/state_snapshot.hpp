#pragma once
// A copy of everything that carries over between steps, kept in the backend's own
// memory: what a checkpoint holds (every population's and projection's persistent
// arrays: state, last spikes, threshold conditions, refractoriness; the spikes in
// flight on delayed projections; the step counter), without the file. The
// finite-state check saves one at each good check and, when a later check finds a
// NaN or infinity, restores it and replays the steps one by one to find the first
// bad one. Everything else a step reads is a function of the step counter (input
// tables, spike times, random draws) or is rebuilt within the step (stage state,
// summed inputs, the halo), so the replay gives the same bits as the run.
#include <cstdint>
#include <vector>

#include "backend/backend.hpp"
#include "run/simulation.hpp"

namespace psst::run {

class StateSnapshot {
 public:
  explicit StateSnapshot(Simulation& simulation) : simulation_(simulation) {}
  // Copies the simulation's state into the snapshot (buffers allocated on first use).
  void save();
  // Puts the saved state back and sets the step counter to the saved step.
  void restore();
  bool saved() const { return step_ >= 0; }
  std::int64_t step() const { return step_; }
  // The saved copy of a population's persistent array (Population::persistent_arrays).
  const backend::Buffer& population_array(std::size_t population, const std::string& name) const;

 private:
  struct Copy {
    backend::BufferHandle live, saved;
  };
  void allocate();
  Simulation& simulation_;
  std::vector<std::vector<Copy>> populations_, projections_;  // in persistent_arrays() order
  std::vector<std::vector<std::vector<std::uint32_t>>> in_flight_;  // per projection, by ring position
  std::int64_t step_ = -1;
};

}  // namespace psst::run
