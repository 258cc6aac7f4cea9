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

PopulationBuilder& PopulationBuilder::input(model::InputSpec input) {
  spec().inputs.push_back(std::move(input));
  return *this;
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
