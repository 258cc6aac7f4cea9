#pragma once
// Resolves how the user gave per-neuron values (a constant, a list, a file,
// a seeded distribution, an expression) into numbers.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/equation_system.hpp"
#include "model/network.hpp"

namespace psst::run {

// Values of one quantity: one entry (the same for every neuron, passed to
// kernels as a broadcast scalar) or one per neuron.
using Values = std::vector<double>;

struct ValueContext {
  std::string what;         // e.g. "parameter 'g_Na' of population 'HH'", for messages
  std::string random_name;  // purpose of seeded draws (with the seed, the key of the generator)
  std::size_t size = 1;     // population size
  std::uint64_t seed = 0;
};

// Constant, List, File, Normal, Uniform. Expression values need kernels: see evaluate_expression.
Values resolve_values(const model::ValueSpec& spec, const ValueContext& context);

// Elements [first, first + count) of values given for `context.size` elements: one entry
// when the value is the same for all (a constant, or a list of one), else `count` entries
// equal to that slice of the whole (drawn alone for distributions).
Values resolve_slice(const model::ValueSpec& spec, const ValueContext& context, std::size_t first, std::size_t count);

// Normal or Uniform values of elements [begin, end) (neurons, or synapses): element i's value
// is a function of (seed, random_name, i) alone, so any slice can be drawn on its own.
Values draw_values(const model::ValueSpec& spec, const ValueContext& context, std::size_t begin, std::size_t end);

// PSST's multiplicative jitter, values[k] *= 1 + jitter N(0, 1), where values[k] is element
// first + k and its normal deviate is keyed by (seed, purpose, first + k).
void apply_jitter(std::span<double> values, std::size_t first, double jitter, std::uint64_t seed,
                  const std::string& purpose);

// Evaluates an expression of parameters, i, N and dt per neuron (t and lastspike read 0).
// In an ensemble (instance_size < size) i and N are those of the neuron in its instance.
Values evaluate_expression(const graph::EquationSystem& system, const model::Expr& expr,
                           const std::vector<std::pair<std::string, const Values*>>& parameters, std::size_t size,
                           double dt, backend::Backend& backend, const std::string& what,
                           std::size_t instance_size = 0);

}  // namespace psst::run
