#pragma once
// An ensemble: K independent instances of one network in one run (issue 16).
// Every population of N neurons becomes K x N elements (instance k owns
// [k N, (k + 1) N)) and every projection's synapses are block-diagonal by
// instance, so the graph, the IR and the kernels are those of one instance,
// compiled once, and threads fill up across instances.
//
// Instance k is, bit for bit, the single run with seed S + k and its swept
// values given by --set: everything drawn at set-up (connectivity, jitter,
// random values, delays) is drawn with a CounterRandom seeded
// instance_seed(k) and the instance-local element index, and kernels read the
// instance-local index i and size N. Draws made inside kernels (rand, randn, xi,
// Poisson) are keyed the same way: the key table holds one key per instance
// (Population::set_up_random_key) and math::kernel_random_site maps element e to
// its instance's key and local index.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backend/input_schedule.hpp"
#include "model/network.hpp"
#include "run/connectivity.hpp"
#include "run/settings.hpp"
#include "run/values.hpp"

namespace psst::run {

class Ensemble {
 public:
  // The ensemble `spec` describes ([simulation] instances, [sweep]); `instances` (--instances) overrides the count.
  // UserErrors name the [sweep] entry or the setting at fault.
  Ensemble(const model::NetworkSpec& spec, std::optional<std::size_t> instances, std::uint64_t seed);

  std::size_t instances() const { return instances_; }
  std::uint64_t instance_seed(std::size_t k) const { return seed_ + k; }
  // Instance k's spec: the run's spec with its swept values set.
  const model::NetworkSpec& spec(std::size_t k) const { return specs_.empty() ? *base_ : specs_[k]; }
  // Instance k's swept values, as --set would give them (empty without a sweep).
  const std::vector<ParameterSetting>& swept(std::size_t k) const;
  bool swept() const { return !specs_.empty(); }

 private:
  const model::NetworkSpec* base_;
  std::size_t instances_ = 1;
  std::uint64_t seed_ = 0;
  std::vector<std::vector<ParameterSetting>> swept_;
  std::vector<model::NetworkSpec> specs_;
};

// What a population or projection resolves per instance; `ensemble` may be null (one instance: `spec`, `seed`).
inline std::size_t instance_count(const Ensemble* ensemble) { return ensemble ? ensemble->instances() : 1; }
inline std::uint64_t instance_seed(const Ensemble* ensemble, std::size_t k, std::uint64_t seed) {
  return ensemble ? ensemble->instance_seed(k) : seed;
}
const model::PopulationSpec& instance_spec(const Ensemble* ensemble, std::size_t k, const model::PopulationSpec& spec);
const model::ProjectionSpec& instance_spec(const Ensemble* ensemble, std::size_t k, const model::ProjectionSpec& spec);

// The values of K instances (instance k's given per_instance[k], one value or `size` values)
// as one array of K x size, or one value when every instance has the same single value.
Values join_instances(const std::vector<Values>& per_instance, std::size_t size);
// The same for instances of different sizes: instance k's elements are [offsets[k], offsets[k + 1]).
Values join_instances(const std::vector<Values>& per_instance, const std::vector<std::size_t>& offsets);

// An input schedule of one instance (`size` neurons) repeated for `instances` instances.
backend::InputSchedule repeat_schedule(backend::InputSchedule schedule, std::size_t instances);

// Block-diagonal connectivity: instance k's synapses (parts[k], between populations of
// pre_size and post_size neurons) connect neurons k pre_size.. to k post_size..
Connectivity join_connectivity(const std::vector<Connectivity>& parts, std::size_t pre_size, std::size_t post_size);

}  // namespace psst::run
