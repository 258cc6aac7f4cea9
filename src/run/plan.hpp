#pragma once
// The planning pass: what the model's step needs, decided once from the model
// before any kernel is built, so that no object changes another's kernels
// afterwards. Per population: the synaptic inputs its incoming projections sum
// into, and the state variables whose stage state projections read (which
// makes the population run stage by stage instead of as one fused step
// kernel); per projection: its two populations.
#include <cstddef>
#include <string>
#include <vector>

#include "model/network.hpp"

namespace psst::run {

struct PopulationPlan {
  std::vector<std::string> synaptic_inputs;  // e.g. I_gaba, in order of first appearance
  std::vector<std::string> shared_state;     // variables read by synapses as X_pre or X_post
  // Whether the population may run its whole step as one kernel: nothing reads its
  // stage state. (The graph decides whether the equations allow it at all.)
  bool may_fuse() const { return shared_state.empty(); }
};

struct ProjectionPlan {
  std::size_t pre = 0, post = 0;  // population indices
};

struct ModelPlan {
  std::vector<PopulationPlan> populations;
  std::vector<ProjectionPlan> projections;
};

// Throws UserError for a projection naming a population that does not exist.
ModelPlan plan_model(const model::NetworkSpec& spec);

}  // namespace psst::run
