#pragma once
// The kernels of a population's spikes beyond the threshold: refractoriness and
// reset (Brian2's semantics, docs/model-files.md "Reset and refractoriness").
// Both are full-population element kernels, so every backend runs them with the
// same bits and no new primitive:
//   refractory  at the start of step n (t = t_n): input.not_refractory =
//               timestep(t - lastspike) >= timestep(refractory), timestep(x) =
//               floor((x + 1e-3 dt) / dt) (whole steps, as Brian2), or, for a
//               condition, not_refractory or not(condition on x)
//   reset       after the crossings of step n were found (t = t_n, the spike
//               time): for the neurons with lastspike == t, the reset statements
//               in order, each reading what the previous ones wrote; and
//               not_refractory = 0 for them
#include <string>
#include <vector>

#include "graph/equation_system.hpp"
#include "graph/ir.hpp"

namespace psst::graph {

// The slot of the refractory period (ms) of a time-based refractoriness; not a name users can write.
inline constexpr const char* refractory_period_slot = "param.refractory.period";
inline constexpr const char* not_refractory_name = "not_refractory";

// Output "input.not_refractory"; condition null: time-based, reading refractory_period_slot.
Program build_refractory_program(const EquationSystem& system, const model::ExprPtr& condition);

// Outputs x.<target> for each target (once), and input.not_refractory when `refractory`.
Program build_reset_program(const EquationSystem& system, const std::vector<model::EventStatement>& reset,
                            bool refractory);

// The threshold a refractory population evaluates: (threshold) and not_refractory.
model::ExprPtr refractory_threshold(const model::ExprPtr& threshold);

}  // namespace psst::graph
