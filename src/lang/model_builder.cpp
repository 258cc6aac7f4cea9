#include "lang/model_builder.hpp"

#include "lang/parser.hpp"

namespace psst {

PopulationBuilder& PopulationBuilder::equations(std::string_view text, const lang::TextOrigin& origin) {
  auto parsed = lang::parse_equations(text, origin);
  auto& eqs = spec().equations;
  eqs.insert(eqs.end(), parsed.begin(), parsed.end());
  return *this;
}

PopulationBuilder& PopulationBuilder::parameter(const std::string& name, double value) {
  return parameter(name, model::ValueSpec::constant(value));
}

PopulationBuilder& PopulationBuilder::parameter(const std::string& name, std::vector<double> per_neuron) {
  model::ValueSpec v;
  v.kind = model::ValueSpec::Kind::List;
  v.values = std::move(per_neuron);
  return parameter(name, std::move(v));
}

PopulationBuilder& PopulationBuilder::parameter(const std::string& name, model::ValueSpec value) {
  spec().parameters[name] = std::move(value);
  return *this;
}

PopulationBuilder& PopulationBuilder::initial(const std::string& name, double value) {
  return initial(name, model::ValueSpec::constant(value));
}

PopulationBuilder& PopulationBuilder::initial(const std::string& name, model::ValueSpec value) {
  spec().initial[name] = std::move(value);
  return *this;
}

PopulationBuilder& PopulationBuilder::initial_expression(const std::string& name, std::string_view expression) {
  model::ValueSpec v;
  v.kind = model::ValueSpec::Kind::Expression;
  v.expression = lang::parse_expression(expression, {"<api>", 1, 1});
  return initial(name, std::move(v));
}

PopulationBuilder& PopulationBuilder::threshold(std::string_view condition, const lang::TextOrigin& origin) {
  spec().threshold = lang::parse_expression(condition, origin);
  return *this;
}

PopulationBuilder& PopulationBuilder::jitter(double relative_std) {
  spec().jitter = relative_std;
  return *this;
}

PopulationBuilder& PopulationBuilder::reset(std::string_view statements, const lang::TextOrigin& origin) {
  auto parsed = lang::parse_statements(statements, origin);
  spec().reset.insert(spec().reset.end(), parsed.begin(), parsed.end());
  return *this;
}

PopulationBuilder& PopulationBuilder::poisson_rate(model::ValueSpec hz) {
  const SourceLocation where = hz.where;
  spec().poisson = true;
  spec().parameters["poisson_rate"] = std::move(hz);
  // rand() is drawn per (seed, population, neuron, step) in the threshold kernel.
  spec().threshold = lang::parse_expression("rand() < poisson_rate * dt / 1000", {where.file, where.line, 1});
  return *this;
}

PopulationBuilder& PopulationBuilder::spike_times(model::PopulationSpec::SpikeTimes spikes) {
  const SourceLocation where = spikes.where;
  spec().spike_times = std::move(spikes);
  spec().threshold = lang::parse_expression("spike_due > 0", {where.file, where.line, 1});
  return *this;
}

PopulationBuilder& PopulationBuilder::refractory(model::ValueSpec ms) {
  spec().refractory = std::move(ms);
  spec().refractory_condition = nullptr;
  return *this;
}

PopulationBuilder& PopulationBuilder::refractory_condition(std::string_view condition, const lang::TextOrigin& origin) {
  spec().refractory_condition = lang::parse_expression(condition, origin);
  spec().refractory.reset();
  return *this;
}

PopulationBuilder& PopulationBuilder::input(model::InputSpec input) {
  spec().inputs.push_back(std::move(input));
  return *this;
}

ProjectionBuilder& ProjectionBuilder::connect(model::ConnectSpec connect) {
  spec().connect = std::move(connect);
  return *this;
}

ProjectionBuilder& ProjectionBuilder::equations(std::string_view text, const lang::TextOrigin& origin) {
  auto parsed = lang::parse_equations(text, origin);
  spec().equations.insert(spec().equations.end(), parsed.begin(), parsed.end());
  return *this;
}

ProjectionBuilder& ProjectionBuilder::parameter(const std::string& name, double value) {
  return parameter(name, model::ValueSpec::constant(value));
}

ProjectionBuilder& ProjectionBuilder::parameter(const std::string& name, model::ValueSpec value) {
  spec().parameters[name] = std::move(value);
  return *this;
}

ProjectionBuilder& ProjectionBuilder::initial(const std::string& name, double value) {
  return initial(name, model::ValueSpec::constant(value));
}

ProjectionBuilder& ProjectionBuilder::initial(const std::string& name, model::ValueSpec value) {
  spec().initial[name] = std::move(value);
  return *this;
}

ProjectionBuilder& ProjectionBuilder::summed(const std::string& target, std::string_view expression,
                                             const lang::TextOrigin& origin) {
  spec().summed.push_back({target, lang::parse_expression(expression, origin), {origin.file, origin.first_line, 0}});
  return *this;
}

ProjectionBuilder& ProjectionBuilder::on_pre(std::string_view statements, const lang::TextOrigin& origin) {
  auto parsed = lang::parse_statements(statements, origin);
  spec().on_pre.insert(spec().on_pre.end(), parsed.begin(), parsed.end());
  return *this;
}

ProjectionBuilder& ProjectionBuilder::delay(double ms) {
  spec().delay = model::ValueSpec::constant(ms, spec().where);
  return *this;
}

ProjectionBuilder& ProjectionBuilder::delay(model::ValueSpec per_synapse_ms) {
  spec().delay = std::move(per_synapse_ms);
  return *this;
}

void parse_population_slice(const std::string& text, const SourceLocation& where, std::string& name,
                            std::size_t& begin, std::size_t& end) {
  auto open = text.find('[');
  name = text.substr(0, open);
  begin = end = 0;
  if (open == std::string::npos) return;
  auto colon = text.find(':', open);
  auto close = text.find(']', open);
  auto bad = [&] {
    return UserError(where, "'" + text + "' is not a population or a slice like 'cells[0:3200]' (begin:end, end "
                            "excluded)");
  };
  if (colon == std::string::npos || close == std::string::npos || close != text.size() - 1 || colon > close) throw bad();
  try {
    std::size_t used = 0;
    std::string first = text.substr(open + 1, colon - open - 1), second = text.substr(colon + 1, close - colon - 1);
    begin = std::stoul(first, &used);
    if (used != first.size()) throw bad();
    end = std::stoul(second, &used);
    if (used != second.size()) throw bad();
  } catch (const std::logic_error&) {
    throw bad();
  }
  if (end <= begin) throw UserError(where, "slice '" + text + "' is empty: its end must be after its begin");
}

ModelBuilder::ModelBuilder(std::string source_name) { spec_.source_file = std::move(source_name); }

ModelBuilder& ModelBuilder::simulation(double duration_ms, double dt_ms, std::string method) {
  spec_.simulation.duration = duration_ms;
  spec_.simulation.dt = dt_ms;
  spec_.simulation.method = std::move(method);
  return *this;
}

ModelBuilder& ModelBuilder::seed(std::uint64_t seed) {
  spec_.simulation.seed = seed;
  return *this;
}

ModelBuilder& ModelBuilder::record_every(double ms) {
  spec_.simulation.record_every = ms;
  return *this;
}

PopulationBuilder ModelBuilder::population(const std::string& name, std::size_t size) {
  model::PopulationSpec p;
  p.name = name;
  p.size = size;
  p.where = {spec_.source_file, 0, 0};
  spec_.populations.push_back(std::move(p));
  return PopulationBuilder(spec_, spec_.populations.size() - 1);
}

ProjectionBuilder ModelBuilder::projection(const std::string& name, const std::string& pre, const std::string& post,
                                           const SourceLocation& where) {
  model::ProjectionSpec p;
  p.name = name;
  p.where = where;
  parse_population_slice(pre, where, p.pre, p.pre_begin, p.pre_end);
  parse_population_slice(post, where, p.post, p.post_begin, p.post_end);
  spec_.projections.push_back(std::move(p));
  return ProjectionBuilder(spec_, spec_.projections.size() - 1);
}

ModelBuilder& ModelBuilder::record(const std::string& population, std::vector<std::string> variables,
                                   std::optional<std::vector<std::size_t>> neurons, bool spikes) {
  model::RecordSpec r;
  r.population = population;
  r.variables = std::move(variables);
  r.neurons = std::move(neurons);
  r.spikes = spikes;
  spec_.records.push_back(std::move(r));
  return *this;
}

}  // namespace psst
