#pragma once
// The kernels of one population under one integration scheme, as IR programs.
// Slot names are the contract with the run layer, which binds each to an array
// or to one broadcast value:
//   x.<var>      state at t_n (updated in place by the last stage)
//   k.<var>      derivative of the previous stage (in), of this stage (out)
//   acc.<var>    running weighted sum of the stage derivatives
//   param.<name> parameters;  input.<name> time-varying inputs
//   t, dt, lastspike, i, N    built-ins (t is the stage time)
#include <string>
#include <vector>

#include "graph/equation_system.hpp"
#include "graph/ir.hpp"
#include "graph/scheme.hpp"

namespace psst::graph {

struct PopulationKernels {
  std::vector<Program> stages;  // run in order each step; the last one writes x.<var>
  Program threshold;            // output "spiking" (1 or 0) from x at time t; empty code if no threshold
  bool has_threshold = false;
};

// Throws UserError when the scheme cannot integrate the equations (e.g.
// exponential Euler on an equation that is not conditionally linear), naming
// the equation, its line and the reason.
PopulationKernels build_population_kernels(const EquationSystem& system, const Scheme& scheme,
                                           const model::ExprPtr& threshold);

// A program computing one expression per element ("value"), e.g. an initial value.
Program build_expression_program(const EquationSystem& system, const model::Expr& expr, const std::string& name);

}  // namespace psst::graph
