#include "run/connectivity_output.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace psst::run {

std::vector<std::string> Projection::parameter_names() const {
  std::vector<std::string> names;
  for (const auto& [name, values] : parameters_) names.push_back(name);
  return names;
}

std::vector<double> Projection::parameter_values(const std::string& name) const {
  return backend_.download(*buffer("param." + name));
}

// A synapse's delay class from the groups (presynaptic neuron * classes + class) that
// list it, as the backend holds them.
std::vector<std::int64_t> Projection::synapse_delay_steps() const {
  if (!event_kernel_) return {};
  const std::vector<std::uint32_t> offsets = backend_.download_indices(*buffer("conn.pre_offsets"));
  const std::vector<std::uint32_t> synapses = backend_.download_indices(*buffer("conn.outgoing"));
  std::vector<std::int64_t> steps(size(), delay_classes_[0]);
  for (std::size_t g = 0; g + 1 < offsets.size(); ++g)
    for (std::uint32_t k = offsets[g]; k < offsets[g + 1]; ++k)
      steps[synapses[k]] = delay_classes_[g % delay_classes_.size()];
  return steps;
}

backend::BufferHandle Projection::recordable(const std::string& name) const {
  if (system_.is_state(name)) return buffer("x." + name);
  if (parameters_.contains(name) && buffer("param." + name)->size() == size() &&
      std::find(uniform_.begin(), uniform_.end(), name) == uniform_.end())
    return buffer("param." + name);
  return nullptr;
}

namespace {

// Every rank's values in rank order (the synapses' global order), on rank 0.
std::vector<double> gathered(const Simulation& simulation, const std::vector<double>& local) {
  return simulation.communicator().gather(local);
}

template <class T>
std::vector<double> as_doubles(const std::vector<T>& values) {
  return {values.begin(), values.end()};
}

std::vector<std::int64_t> as_int64(const std::vector<double>& values) {
  return {values.begin(), values.end()};  // indices and steps below 2^53: exact
}

}  // namespace

void write_connectivity(const Simulation& simulation, io::Hdf5File* file) {
  for (const auto& projection : simulation.projections()) {
    const std::string group = "/projections/" + projection->name();
    const Connectivity& conn = projection->connectivity();
    const auto pre = gathered(simulation, as_doubles(conn.pre));
    const auto post = gathered(simulation, as_doubles(conn.post));
    if (file) {
      file->create_group(group);
      file->write_vector(group + "/pre", std::span<const std::int64_t>(as_int64(pre)));
      file->write_vector(group + "/post", std::span<const std::int64_t>(as_int64(post)));
    }
    if (file && !projection->parameter_names().empty()) file->create_group(group + "/parameters");
    for (const auto& name : projection->parameter_names()) {
      std::vector<double> values = projection->parameter_values(name);
      const bool uniform = values.size() != conn.size();  // one value held for every synapse
      if (uniform) values.assign(conn.size(), values.empty() ? 0.0 : values[0]);
      const auto all = gathered(simulation, values);
      if (file) file->write_vector(group + "/parameters/" + name, std::span<const double>(all));
    }
    if (projection->has_events()) {
      const auto steps = gathered(simulation, as_doubles(projection->synapse_delay_steps()));
      if (file) file->write_vector(group + "/delay_steps", std::span<const std::int64_t>(as_int64(steps)));
    }
  }
}

}  // namespace psst::run
