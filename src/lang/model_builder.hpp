#pragma once
// psst's C++ API for building a model in code: the same model a TOML file
// describes (the model-file reader is built on this class). Equations are
// text, parsed by the same parser, so errors carry line and column.
//
//   psst::ModelBuilder model;
//   model.simulation(200.0, 0.01, "rk4");
//   model.population("HH", 1)
//       .equations("dV/dt = (I - g_L*(V - E_L)) / C_m")
//       .parameter("I", 10).parameter("g_L", 0.1).parameter("E_L", -65).parameter("C_m", 1)
//       .initial("V", -65).threshold("V >= 0");
//   psst::model::NetworkSpec spec = model.build();
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lang/lexer.hpp"
#include "model/network.hpp"

namespace psst {

class PopulationBuilder {
 public:
  PopulationBuilder(model::NetworkSpec& network, std::size_t index) : network_(&network), index_(index) {}

  PopulationBuilder& equations(std::string_view text, const lang::TextOrigin& origin = {"<api>", 1, 1});
  PopulationBuilder& parameter(const std::string& name, double value);
  PopulationBuilder& parameter(const std::string& name, std::vector<double> per_neuron);
  PopulationBuilder& parameter(const std::string& name, model::ValueSpec value);
  PopulationBuilder& initial(const std::string& name, double value);
  PopulationBuilder& initial(const std::string& name, model::ValueSpec value);
  // A value computed per neuron from parameters, i (neuron index) and N, e.g. "-70 + 5 * i / N".
  PopulationBuilder& initial_expression(const std::string& name, std::string_view expression);
  PopulationBuilder& threshold(std::string_view condition, const lang::TextOrigin& origin = {"<api>", 1, 1});
  PopulationBuilder& jitter(double relative_std);
  // Statements applied right after a spike, e.g. "V = V_r; w += b" (targets: state variables).
  PopulationBuilder& reset(std::string_view statements, const lang::TextOrigin& origin = {"<api>", 1, 1});
  // Refractory period in ms (a number or any per-neuron value form), or a condition such as "V > -20".
  PopulationBuilder& refractory(model::ValueSpec ms);
  // A Poisson population (no equations): each neuron spikes in a step with probability rate dt / 1000,
  // rate in Hz (spikes per second; a number or any per-neuron value form).
  PopulationBuilder& poisson_rate(model::ValueSpec hz);
  // A spike-time population: its threshold is the input spike_due (1 in the steps of its spikes).
  PopulationBuilder& spike_times(model::PopulationSpec::SpikeTimes spikes);
  PopulationBuilder& refractory_condition(std::string_view condition, const lang::TextOrigin& origin = {"<api>", 1, 1});
  PopulationBuilder& input(model::InputSpec input);
  model::PopulationSpec& spec() { return network_->populations[index_]; }

 private:
  model::NetworkSpec* network_;
  std::size_t index_;
};

// A projection: synapses from `pre` to `post` (population names, optionally
// sliced: "cells[0:3200]"), e.g.
//   model.projection("ach", "PN", "LN").connect(rule).equations("do/dt = ...")
//        .summed("I_ach", "g * o * (V_post - E)");
class ProjectionBuilder {
 public:
  ProjectionBuilder(model::NetworkSpec& network, std::size_t index) : network_(&network), index_(index) {}

  ProjectionBuilder& connect(model::ConnectSpec connect);
  ProjectionBuilder& equations(std::string_view text, const lang::TextOrigin& origin = {"<api>", 1, 1});
  ProjectionBuilder& parameter(const std::string& name, double value);
  ProjectionBuilder& parameter(const std::string& name, model::ValueSpec value);
  ProjectionBuilder& initial(const std::string& name, double value);
  ProjectionBuilder& initial(const std::string& name, model::ValueSpec value);
  ProjectionBuilder& summed(const std::string& target, std::string_view expression,
                            const lang::TextOrigin& origin = {"<api>", 1, 1});
  ProjectionBuilder& on_pre(std::string_view statements, const lang::TextOrigin& origin = {"<api>", 1, 1});
  ProjectionBuilder& delay(double ms);
  ProjectionBuilder& delay(model::ValueSpec per_synapse_ms);  // any per-synapse value form
  model::ProjectionSpec& spec() { return network_->projections[index_]; }

 private:
  model::NetworkSpec* network_;
  std::size_t index_;
};

// "PN" or "PN[0:45]" -> name and slice [begin, end) (end 0: to the end).
void parse_population_slice(const std::string& text, const SourceLocation& where, std::string& name,
                            std::size_t& begin, std::size_t& end);

class ModelBuilder {
 public:
  explicit ModelBuilder(std::string source_name = "<api>");

  ModelBuilder& simulation(double duration_ms, double dt_ms, std::string method = "rk4");
  ModelBuilder& seed(std::uint64_t seed);
  ModelBuilder& record_every(double ms);
  PopulationBuilder population(const std::string& name, std::size_t size);
  ProjectionBuilder projection(const std::string& name, const std::string& pre, const std::string& post,
                               const SourceLocation& where = {"<api>", 0, 0});
  ModelBuilder& record(const std::string& population, std::vector<std::string> variables,
                       std::optional<std::vector<std::size_t>> neurons = std::nullopt, bool spikes = true);
  model::NetworkSpec& spec() { return spec_; }
  model::NetworkSpec build() const { return spec_; }

 private:
  model::NetworkSpec spec_;
};

}  // namespace psst
