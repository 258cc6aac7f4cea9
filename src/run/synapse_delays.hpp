#pragma once
// Per-synapse delays (any per-synapse value form, in ms, rounded to whole steps)
// as delay classes: the distinct delays of the whole projection, ascending. A spike
// of presynaptic neuron j is queued once per class k, as the group g = j K + k due
// `steps[k]` steps later; a group's synapses are those of j whose delay is class k.
// With one class (one delay for all, the common case) g = j and the groups are the
// connectivity's own outgoing lists.
#include <cstdint>
#include <vector>

#include "model/network.hpp"
#include "run/connectivity.hpp"

namespace psst::run {

struct DelayClasses {
  std::vector<std::int64_t> steps;             // delay of each class in steps (>= 1), ascending
  std::vector<std::uint32_t> group_offsets;    // pre_size * K + 1, into group_synapses
  std::vector<std::uint32_t> group_synapses;   // this process's synapses by group, ascending within a group

  std::size_t count() const { return steps.size(); }
  std::int64_t largest() const { return steps.back(); }
};

// The classes of the whole projection (`total` synapses, so every process has the
// same classes and the same spikes in flight) and the groups of the local synapses,
// which are [first, first + local.size()) of the whole. Delays that are negative or
// not finite are errors naming the synapse. `seeds`: the run's seed, or one per
// ensemble instance (whose synapses are local.instance_offsets' blocks).
DelayClasses build_delay_classes(const model::ProjectionSpec& spec, const Connectivity& local, std::size_t first,
                                 std::size_t total, double dt, const std::vector<std::uint64_t>& seeds);

}  // namespace psst::run
