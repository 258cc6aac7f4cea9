#include "run/plan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::run {

namespace {

std::size_t population_index(const model::NetworkSpec& spec, const model::ProjectionSpec& projection,
                             const std::string& name, const char* side) {
  for (std::size_t i = 0; i < spec.populations.size(); ++i)
    if (spec.populations[i].name == name) return i;
  std::string names;
  for (const auto& p : spec.populations) names += (names.empty() ? "" : ", ") + p.name;
  throw UserError(projection.where, fmt::format("projection '{}': {} population '{}' does not exist; the populations "
                                                "are {}", projection.name, side, name, names));
}

bool is_state(const model::PopulationSpec& population, const std::string& name) {
  return std::any_of(population.equations.begin(), population.equations.end(), [&](const model::Equation& e) {
    return e.kind == model::Equation::Kind::Derivative && e.name == name;
  });
}

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

// State variables of `pre` and `post` that a projection's equations and summed values read.
void collect_shared(const model::ProjectionSpec& projection, const model::PopulationSpec& pre,
                    const model::PopulationSpec& post, PopulationPlan& pre_plan, PopulationPlan& post_plan) {
  auto collect = [&](const model::ExprPtr& expr) {
    std::vector<const model::Expr*> names;
    model::collect_names(expr, names);
    for (const auto* name : names) {
      const std::string& s = name->name;
      if (s.size() > 4 && s.ends_with("_pre") && is_state(pre, s.substr(0, s.size() - 4)))
        add_unique(pre_plan.shared_state, s.substr(0, s.size() - 4));
      if (s.size() > 5 && s.ends_with("_post") && is_state(post, s.substr(0, s.size() - 5)))
        add_unique(post_plan.shared_state, s.substr(0, s.size() - 5));
    }
  };
  for (const auto& equation : projection.equations) collect(equation.rhs);
  for (const auto& summed : projection.summed) collect(summed.value);
}

}  // namespace

ModelPlan plan_model(const model::NetworkSpec& spec) {
  ModelPlan plan;
  plan.populations.resize(spec.populations.size());
  for (const auto& projection : spec.projections) {
    ProjectionPlan p;
    p.pre = population_index(spec, projection, projection.pre, "presynaptic");
    p.post = population_index(spec, projection, projection.post, "postsynaptic");
    for (const auto& s : projection.summed) add_unique(plan.populations[p.post].synaptic_inputs, s.target);
    collect_shared(projection, spec.populations[p.pre], spec.populations[p.post], plan.populations[p.pre],
                   plan.populations[p.post]);
    plan.projections.push_back(p);
  }
  return plan;
}

}  // namespace psst::run
