#include "run/ensemble.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace psst::run {

namespace {

constexpr std::size_t kMaxInstances = std::size_t{1} << 24;  // 16.7 million: far beyond memory for any network

// Instance k's swept values: entry e's value k (one value per instance), or, on a grid,
// the point k of the Cartesian product with the last entry varying fastest.
std::vector<std::vector<ParameterSetting>> sweep_settings(const model::SweepSpec& sweep, std::size_t& count) {
  count = 1;
  for (const auto& entry : sweep.entries) {
    if (sweep.grid) {
      if (entry.values.size() > kMaxInstances / count)
        throw UserError(sweep.where, fmt::format("[sweep] grid = true: the product of the lengths exceeds {} "
                                                 "instances; sweep fewer values", kMaxInstances));
      count *= entry.values.size();
    } else if (entry.values.size() != sweep.entries.front().values.size()) {
      const auto& first = sweep.entries.front();
      throw UserError(entry.where, fmt::format("[sweep] \"{}.{}\" has {} values but \"{}.{}\" has {}; without grid = "
                                               "true every entry gives one value per instance (or set grid = true "
                                               "for the Cartesian product)",
                                               entry.owner, entry.name, entry.values.size(), first.owner, first.name,
                                               first.values.size()));
    }
  }
  if (!sweep.grid) count = sweep.entries.front().values.size();
  std::vector<std::vector<ParameterSetting>> settings(count);
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t rest = k;
    for (std::size_t e = sweep.entries.size(); e-- > 0;) {
      const auto& entry = sweep.entries[e];
      const std::size_t j = sweep.grid ? rest % entry.values.size() : k;
      if (sweep.grid) rest /= entry.values.size();
      settings[k].push_back({entry.owner, entry.name, entry.values[j]});
    }
    std::reverse(settings[k].begin(), settings[k].end());  // in the order of the file
  }
  return settings;
}

}  // namespace

Ensemble::Ensemble(const model::NetworkSpec& spec, std::optional<std::size_t> instances, std::uint64_t seed)
    : base_(&spec), seed_(seed) {
  const auto& sim = spec.simulation;
  if (instances && *instances == 0)
    throw UserError("--instances is 0; an ensemble has at least 1 instance");
  std::size_t given = instances ? *instances : sim.instances;
  if (given > kMaxInstances) {
    const std::string message = fmt::format("{} is {}; at most {} instances are supported",
                                            instances ? "--instances" : "simulation.instances", given, kMaxInstances);
    if (instances || sim.where.line == 0) throw UserError(message);
    throw UserError(sim.where, message);
  }
  if (spec.sweep.entries.empty()) {
    if (spec.sweep.grid) throw UserError(spec.sweep.where, "[sweep] has grid = true but no parameter to sweep");
    instances_ = given == 0 ? 1 : given;
    return;
  }
  std::size_t count = 0;
  swept_ = sweep_settings(spec.sweep, count);
  if (given != 0 && given != count) {
    const std::string message =
        fmt::format("{} is {}, but [sweep] gives {} instances{}; leave the instance count out or make them agree",
                    instances ? "--instances" : "simulation.instances", given, count,
                    spec.sweep.grid ? " (the product of its lengths)" : "");
    if (instances || sim.where.line == 0) throw UserError(message);
    throw UserError(sim.where, message);
  }
  instances_ = count;
  for (const auto& entry : spec.sweep.entries) {  // an unknown name: a message pointing at the [sweep] entry
    try {
      (void)apply_settings(spec, {{entry.owner, entry.name, entry.values.front()}});
    } catch (const UserError& e) {
      throw UserError(entry.where, fmt::format("[sweep] \"{}.{}\": {}", entry.owner, entry.name, e.what()));
    }
  }
  specs_.reserve(count);
  for (std::size_t k = 0; k < count; ++k) specs_.push_back(apply_settings(spec, swept_[k]));
}

const std::vector<ParameterSetting>& Ensemble::swept(std::size_t k) const {
  static const std::vector<ParameterSetting> none;
  return swept_.empty() ? none : swept_.at(k);
}

const model::PopulationSpec& instance_spec(const Ensemble* ensemble, std::size_t k, const model::PopulationSpec& spec) {
  if (!ensemble || !ensemble->swept()) return spec;
  const model::PopulationSpec* found = ensemble->spec(k).find_population(spec.name);
  if (!found) throw InternalError(fmt::format("instance {} has no population '{}'", k, spec.name));
  return *found;
}

const model::ProjectionSpec& instance_spec(const Ensemble* ensemble, std::size_t k, const model::ProjectionSpec& spec) {
  if (!ensemble || !ensemble->swept()) return spec;
  for (const auto& p : ensemble->spec(k).projections)
    if (p.name == spec.name) return p;
  throw InternalError(fmt::format("instance {} has no projection '{}'", k, spec.name));
}

Values join_instances(const std::vector<Values>& per_instance, const std::vector<std::size_t>& offsets) {
  bool same = true;
  for (const auto& v : per_instance) same = same && v.size() == 1 && v[0] == per_instance.front()[0];
  if (same) return per_instance.front();
  Values all;
  all.reserve(offsets.back());
  for (std::size_t k = 0; k < per_instance.size(); ++k) {
    const Values& v = per_instance[k];
    if (v.size() == 1) all.insert(all.end(), offsets[k + 1] - offsets[k], v[0]);
    else all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

Values join_instances(const std::vector<Values>& per_instance, std::size_t size) {
  std::vector<std::size_t> offsets(per_instance.size() + 1);
  for (std::size_t k = 0; k < offsets.size(); ++k) offsets[k] = k * size;
  return join_instances(per_instance, offsets);
}

backend::InputSchedule repeat_schedule(backend::InputSchedule schedule, std::size_t instances) {
  const std::size_t size = schedule.size;
  if (instances == 1) return schedule;
  schedule.size = size * instances;
  if (schedule.rows > 1) {  // one row per neuron: the rows again for every instance
    const std::vector<double> one = schedule.table;
    for (std::size_t k = 1; k < instances; ++k) schedule.table.insert(schedule.table.end(), one.begin(), one.end());
    schedule.rows *= instances;
  }
  for (auto& range : schedule.ranges) {
    if (range.neurons.empty()) continue;
    const std::vector<std::size_t> one = range.neurons;
    for (std::size_t k = 1; k < instances; ++k)
      for (std::size_t n : one) range.neurons.push_back(k * size + n);
  }
  return schedule;
}

Connectivity join_connectivity(const std::vector<Connectivity>& parts, std::size_t pre_size, std::size_t post_size) {
  Connectivity c;
  c.pre_size = pre_size * parts.size();
  c.post_size = post_size * parts.size();
  c.instance_offsets.push_back(0);
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto& part = parts[k];
    for (std::size_t s = 0; s < part.size(); ++s) {
      c.pre.push_back(static_cast<NeuronIndex>(k * pre_size + part.pre[s]));
      c.post.push_back(static_cast<NeuronIndex>(k * post_size + part.post[s]));
    }
    c.matrix_values.insert(c.matrix_values.end(), part.matrix_values.begin(), part.matrix_values.end());
    c.instance_offsets.push_back(c.pre.size());
  }
  finish_connectivity(c);
  return c;
}

}  // namespace psst::run
