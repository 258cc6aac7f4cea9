#include "run/values.hpp"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "graph/element_kernels.hpp"
#include "io/table_reader.hpp"
#include "run/random.hpp"

namespace psst::run {

Values draw_values(const model::ValueSpec& spec, const ValueContext& context, std::size_t begin, std::size_t end) {
  using Kind = model::ValueSpec::Kind;
  if (spec.kind == Kind::Normal && !(spec.std >= 0.0))
    throw UserError(spec.where, fmt::format("{}: the standard deviation must be >= 0, got {}", context.what, spec.std));
  if (spec.kind == Kind::Uniform && !(spec.low <= spec.high))
    throw UserError(spec.where, fmt::format("{}: uniform needs low <= high, got low = {}, high = {}", context.what,
                                            spec.low, spec.high));
  if (spec.kind != Kind::Normal && spec.kind != Kind::Uniform)
    throw InternalError("draw_values: only normal and uniform values are drawn");
  const CounterRandom random(context.seed, context.random_name);
  Values v(end - begin);
  for (std::size_t i = begin; i < end; ++i)
    v[i - begin] = spec.kind == Kind::Normal ? spec.mean + spec.std * random.normal(i, 0)
                                             : spec.low + (spec.high - spec.low) * random.uniform(i, 0);
  return v;
}

void apply_jitter(std::span<double> values, std::size_t first, double jitter, std::uint64_t seed,
                  const std::string& purpose) {
  const CounterRandom random(seed, purpose);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] *= 1.0 + jitter * random.normal(first + k, 0);
}

namespace {

// A parameter or initial value must be a finite number: NaN or infinity would run and
// then be blamed on the time step. The message names the element with the first one.
const Values& finite(const Values& values, const SourceLocation& where, const std::string& what) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (std::isfinite(values[k])) continue;
    const bool synapse = what.find("projection") != std::string::npos;
    throw UserError(where, fmt::format("{} is {}{}; parameters and initial values must be finite numbers", what,
                                       values[k],
                                       values.size() == 1 ? ""
                                                          : fmt::format(" for {} {}", synapse ? "synapse" : "neuron", k)));
  }
  return values;
}

Values resolve_any(const model::ValueSpec& spec, const ValueContext& context);

}  // namespace

Values resolve_values(const model::ValueSpec& spec, const ValueContext& context) {
  return finite(resolve_any(spec, context), spec.where, context.what);
}

namespace {

Values resolve_any(const model::ValueSpec& spec, const ValueContext& context) {
  using Kind = model::ValueSpec::Kind;
  auto check_size = [&](std::size_t count, const std::string& source) {
    if (count != context.size)
      throw UserError(spec.where, fmt::format("{} has {} values{}, but the population has {} neurons", context.what,
                                              count, source, context.size));
  };
  switch (spec.kind) {
    case Kind::Constant: return {spec.value};
    case Kind::List: check_size(spec.values.size(), ""); return spec.values;
    case Kind::File: {
      io::Table table;
      try {
        table = io::read_table(spec.file);
      } catch (const IoError& e) {  // say which value of which model line wanted the file
        throw IoError(spec.where, fmt::format("{}: {}", context.what, e.what()));
      }
      check_size(table.values.size(), fmt::format(" in '{}' ({} x {})", spec.file, table.rows, table.cols));
      return table.values;
    }
    case Kind::Normal:
    case Kind::Uniform: return draw_values(spec, context, 0, context.size);
    case Kind::Expression: break;
  }
  throw InternalError("expression values must be evaluated with evaluate_expression");
}

}  // namespace

Values resolve_slice(const model::ValueSpec& spec, const ValueContext& context, std::size_t first, std::size_t count) {
  using Kind = model::ValueSpec::Kind;
  if (spec.kind == Kind::Normal || spec.kind == Kind::Uniform) {
    if (context.size == 1) return draw_values(spec, context, 0, 1);
    return draw_values(spec, context, first, first + count);
  }
  Values whole = resolve_values(spec, context);
  if (whole.size() == 1) return whole;
  const auto begin = whole.begin() + static_cast<std::ptrdiff_t>(first);
  return {begin, begin + static_cast<std::ptrdiff_t>(count)};
}

Values evaluate_expression(const graph::EquationSystem& system, const model::Expr& expr,
                           const std::vector<std::pair<std::string, const Values*>>& parameters, std::size_t size,
                           double dt, backend::Backend& backend, const std::string& what,
                           std::size_t instance_size) {
  graph::Program program = graph::build_expression_program(system, expr, what);
  if (instance_size == 0) instance_size = size;
  std::vector<double> index(size);
  for (std::size_t i = 0; i < size; ++i) index[i] = static_cast<double>(i % instance_size);
  // Set-up expressions run once: the interpreter (the semantics of every backend) is enough,
  // and compiles nothing.
  (void)backend;
  auto interpreter = backend::make_backend("reference");
  auto zero = interpreter->allocate(backend::ElementType::Float64, 1);
  backend::KernelArguments arguments;
  for (std::size_t k = 0; k < program.inputs.size(); ++k) {
    using Kind = graph::Slot::Kind;
    const graph::Slot slot = program.input_slot(k);
    std::optional<backend::KernelInput> input;
    if (slot.kind == Kind::Index) input = backend::KernelInput::array(interpreter->allocate_with(index));
    if (slot.kind == Kind::Count) input = backend::KernelInput::launch_scalar(2);
    if (slot.kind == Kind::TimeStep) input = backend::KernelInput::launch_scalar(1);
    if (slot.kind == Kind::Time || slot.kind == Kind::LastSpike) input = backend::KernelInput::broadcast(zero);
    if (slot.kind == Kind::Parameter)
      for (const auto& [name, values] : parameters)
        if (name == slot.name) {
          auto buffer = interpreter->allocate_with(*values);
          input = values->size() == 1 ? backend::KernelInput::broadcast(buffer) : backend::KernelInput::array(buffer);
        }
    if (!input && (slot.kind == Kind::RandomKey || slot.kind == Kind::Step))
      throw UserError(expr.where, fmt::format("{} reads white noise (xi), which exists only in the equations; for a "
                                              "random value use a distribution, e.g. {{ distribution = \"normal\", "
                                              "mean = 0, std = 1 }}",
                                              what));
    if (!input)
      throw UserError(expr.where, fmt::format("{} can only read parameters, i, N, dt and t (= 0); '{}' is not available",
                                              what, slot.name.empty() ? slot.text() : slot.name));
    arguments.inputs.push_back(*input);
  }
  auto result = interpreter->allocate(backend::ElementType::Float64, size);
  arguments.outputs.push_back(result);
  const double scalars[] = {0.0, dt, static_cast<double>(instance_size)};
  interpreter->bind(program, arguments)->launch(scalars, 0, size);
  Values values = interpreter->download(*result);
  finite(values, expr.where, what);
  return values;
}

}  // namespace psst::run
