#include "run/model_checks.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <unistd.h>

#include "model/error.hpp"

namespace psst::run {

namespace {

using model::ConnectSpec;
using model::NetworkSpec;
using model::PopulationSpec;
using model::ProjectionSpec;

bool is_identifier(const std::string& name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !letter(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || digit(c); });
}

void check_name(const std::string& name, const char* kind, const SourceLocation& where) {
  if (is_identifier(name)) return;
  throw UserError(where, fmt::format("the {} name '{}' is not valid: a name is letters, digits and '_', not starting "
                                     "with a digit ([A-Za-z_][A-Za-z0-9_]*), e.g. 'cells_2'",
                                     kind, name));
}

// Every name an expression of the population reads: equations, threshold, reset, refractoriness.
std::vector<std::string> names_read(const PopulationSpec& population) {
  std::vector<const model::Expr*> names;
  for (const auto& equation : population.equations) model::collect_names(equation.rhs, names);
  if (population.threshold) model::collect_names(population.threshold, names);
  std::vector<std::string> read;
  for (const auto* n : names) read.push_back(n->name);
  return read;
}

bool has_equation(const PopulationSpec& population, const std::string& name, model::Equation::Kind kind) {
  return std::any_of(population.equations.begin(), population.equations.end(),
                     [&](const model::Equation& e) { return e.name == name && e.kind == kind; });
}

void check_summed(const ProjectionSpec& projection, const PopulationSpec& post) {
  const std::vector<std::string> read = names_read(post);
  for (const auto& summed : projection.summed) {
    const std::string& target = summed.target;
    const char* shadowed = post.parameters.count(target)                                          ? "a parameter"
                           : has_equation(post, target, model::Equation::Kind::Derivative)          ? "a state variable"
                           : has_equation(post, target, model::Equation::Kind::Definition)          ? "a definition"
                           : std::any_of(post.inputs.begin(), post.inputs.end(),
                                         [&](const model::InputSpec& in) { return in.name == target; }) ? "an input"
                                                                                                           : nullptr;
    if (shadowed)
      throw UserError(summed.where,
                      fmt::format("projection '{}' sums into '{}', but '{}' is {} of population '{}', which would "
                                  "hide the summed input; give the summed input its own name (e.g. '{}_syn') and "
                                  "read that name in the equations of '{}'",
                                  projection.name, target, target, shadowed, post.name, target, post.name));
    if (std::find(read.begin(), read.end(), target) == read.end())
      throw UserError(summed.where,
                      fmt::format("projection '{}' sums into '{}', but no equation of population '{}' reads '{}', so "
                                  "the synapses would have no effect; read '{}' in an equation of '{}' (e.g. dV/dt = ... + {}) "
                                  "or sum into a name it reads",
                                  projection.name, target, post.name, target, target, post.name, target));
  }
}

void check_projection_names(const ProjectionSpec& projection) {
  const std::string& values = projection.connect.matrix_values;
  if (!values.empty() && projection.parameters.count(values))
    throw UserError(projection.connect.where,
                    fmt::format("projection '{}': connect.values = \"{}\" makes the matrix entries the per-synapse "
                                "parameter '{}', but '{}' is also given in [projections.{}.parameters]; remove one "
                                "of the two",
                                projection.name, values, values, values, projection.name));
  auto refuse_lastspike = [&](const model::ExprPtr& expr, const std::string& context) {
    std::vector<const model::Expr*> names;
    model::collect_names(expr, names);
    for (const auto* n : names)
      if (n->name == "lastspike")
        throw UserError(n->where, fmt::format("'lastspike' in {} of projection '{}': a synapse has no spike time of "
                                              "its own; use lastspike_pre (the presynaptic neuron's) or "
                                              "lastspike_post (the postsynaptic neuron's)",
                                              context, projection.name));
  };
  for (const auto& equation : projection.equations)
    refuse_lastspike(equation.rhs, fmt::format("the equation of '{}'", equation.name));
  for (const auto& summed : projection.summed) refuse_lastspike(summed.value, "a summed contribution");
  for (const auto& statement : projection.on_pre) refuse_lastspike(statement.value, "on_pre");
}

std::size_t slice_size(std::size_t begin, std::size_t end, std::size_t size) {
  const std::size_t last = end == 0 ? size : std::min(end, size);
  return last > begin ? last - begin : 0;
}

// Whether an expression calls rand() or randn().
bool draws_random(const model::Expr& expr) {
  if (expr.kind == model::Expr::Kind::Call && (expr.name == "rand" || expr.name == "randn")) return true;
  return std::any_of(expr.args.begin(), expr.args.end(), [](const auto& arg) { return draws_random(*arg); });
}

// The largest delay (ms) a projection's value form can give, where it is known before
// the values are read or drawn: a number, a list's largest entry, a uniform's upper
// bound; 0 otherwise (a file is checked when it is read, a normal has no bound).
double largest_delay(const model::ValueSpec& delay) {
  using Kind = model::ValueSpec::Kind;
  if (delay.kind == Kind::Constant) return delay.value;
  if (delay.kind == Kind::Uniform) return delay.high;
  if (delay.kind == Kind::List && !delay.values.empty()) {
    double largest = delay.values[0];
    for (double d : delay.values) largest = std::isnan(d) ? d : std::max(largest, d);
    return largest;
  }
  return 0.0;
}

// An ensemble of K instances has K times the synapses of one (block-diagonal).
void check_projection_memory(const ProjectionSpec& projection, const NetworkSpec& spec, double dt, double memory,
                             std::size_t instances) {
  const PopulationSpec* pre = spec.find_population(projection.pre);
  const PopulationSpec* post = spec.find_population(projection.post);
  if (!pre || !post) return;  // reported by the plan, with the populations that exist
  const double n_pre = static_cast<double>(slice_size(projection.pre_begin, projection.pre_end, pre->size));
  const double n_post = static_cast<double>(slice_size(projection.post_begin, projection.post_end, post->size));
  const double synapses = expected_synapses(projection.connect, n_pre, n_post) * static_cast<double>(instances);
  const std::string in_instances = instances > 1 ? fmt::format(" in {} instances", instances) : "";
  const double max_synapses = 4294967295.0;
  if (synapses > max_synapses)
    throw UserError(projection.where, fmt::format("projection '{}' would have about {:.4g} synapses ({:.4g} x {:.4g} "
                                                  "neurons{}); at most {:.0f} are supported; use a sparser rule or "
                                                  "smaller populations{}",
                                                  projection.name, synapses, n_pre, n_post, in_instances, max_synapses,
                                                  instances > 1 ? " or fewer instances" : ""));
  // Per synapse: indices (pre, post, outgoing, three event lists), the index i, and for each
  // state variable x, k and acc, each parameter, summed contribution and on_pre value; the
  // random site when on_pre draws.
  std::size_t states = 0;
  for (const auto& e : projection.equations) states += e.kind == model::Equation::Kind::Derivative ? 1 : 0;
  const bool site = std::any_of(projection.on_pre.begin(), projection.on_pre.end(),
                                [](const auto& statement) { return draws_random(*statement.value); });
  const double per_synapse = 6.0 * 4.0 + 8.0 * static_cast<double>(1 + 3 * states + projection.parameters.size() +
                                                                  projection.summed.size() + projection.on_pre.size() +
                                                                  (site ? 1 : 0));
  const double bytes = synapses * per_synapse;
  if (memory > 0 && bytes > memory)
    throw UserError(projection.where,
                    fmt::format("out of memory: projection '{}' would have about {:.4g} synapses ({:.4g} x {:.4g} "
                                "neurons{}), about {:.3g} GiB, more than this machine's {:.3g} GiB; use a sparser rule "
                                "or smaller populations{}",
                                projection.name, synapses, n_pre, n_post, in_instances, bytes / 1073741824.0,
                                memory / 1073741824.0, instances > 1 ? " or fewer instances" : ""));
  const double delay = largest_delay(projection.delay);
  if (projection.on_pre.empty() || !(delay >= 0.0) || !std::isfinite(delay)) return;
  const double ring = std::round(delay / dt) + 2.0;  // delay + 1 steps, and one more for rounding
  const double ring_bytes = ring * 32.0;
  if ((memory > 0 && ring_bytes > memory) || ring > 0x1p52)
    throw UserError(projection.where,
                    fmt::format("out of memory: the delay {} ms of projection '{}' is {:.4g} steps of dt = {} ms; its "
                                "queue of spikes in flight needs about {:.3g} GiB, more than this machine's {:.3g} "
                                "GiB; use a shorter delay or a larger dt",
                                delay, projection.name, ring - 2.0, dt, ring_bytes / 1073741824.0,
                                memory / 1073741824.0));
}

}  // namespace

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

double expected_synapses(const ConnectSpec& connect, double n_pre, double n_post) {
  switch (connect.rule) {
    case ConnectSpec::Rule::AllToAll: return n_pre * n_post;
    case ConnectSpec::Rule::OneToOne: return std::min(n_pre, n_post);
    case ConnectSpec::Rule::Probability: return std::clamp(connect.probability, 0.0, 1.0) * n_pre * n_post;
    case ConnectSpec::Rule::FixedInDegree: return static_cast<double>(connect.in_degree) * n_post;
    case ConnectSpec::Rule::List: return static_cast<double>(connect.pre.size());
    case ConnectSpec::Rule::Matrix: return 0.0;  // its file, read whole, holds every pair already
  }
  return 0.0;
}

void check_model(const NetworkSpec& spec, double dt, double memory_bytes, std::size_t instances) {
  for (const auto& population : spec.populations) check_name(population.name, "population", population.where);
  for (const auto& projection : spec.projections) {
    check_name(projection.name, "projection", projection.where);
    check_projection_names(projection);
    if (const PopulationSpec* post = spec.find_population(projection.post)) check_summed(projection, *post);
    check_projection_memory(projection, spec, dt, memory_bytes, instances);
  }
}

}  // namespace psst::run
