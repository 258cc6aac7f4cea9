#pragma once
// The random draws of a projection's on_pre statements (rand(), randn()): what the
// event kernel reads to key them (math/random.hpp).
//
// A draw is keyed by (seed of the synapse's instance, "<projection>/on_pre") and
// counted by (global synapse index, step at which the event is applied, draw number
// of the call within the statement list). The global synapse index is the synapse's
// place in the whole projection of one process (ordered by postsynaptic, then
// presynaptic neuron), so the numbers do not depend on thread count, backend, the
// ranks' partition or the ensemble's layout: instance k of an ensemble draws what the
// single run with seed S + k draws.
//
// A synapse receives at most one event per step: it belongs to one delay group (its
// presynaptic neuron and delay class), a neuron spikes at most once per step and each
// spike queues its group once, so two events never share (synapse, step) and their
// draws never repeat.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace psst::run {

// Sites of one instance span [0, 2^32) (a projection has below 2^32 synapses), so a
// site k 2^32 + s is exact in float64 for k < 2^21 instances.
inline constexpr double event_random_instance_span = 4294967296.0;  // 2^32

struct EventRandomTables {
  std::vector<double> key_table;  // 2^32, then each instance's key as two float64 words (Slot::RandomKey)
  std::vector<double> sites;      // per local synapse: instance k 2^32 + its global index s within k (Slot::RandomSite)
};

// `name`: the projection; `seeds`: one per instance; `instance_offsets`: the local
// synapses' instance blocks (empty: one instance); `first`: the global index of the
// first local synapse (one instance); `count`: the local synapses; `steps`: the run's.
EventRandomTables event_random_tables(const std::string& name, const std::vector<std::uint64_t>& seeds,
                                      const std::vector<std::size_t>& instance_offsets, std::size_t first,
                                      std::size_t count, std::int64_t steps);

}  // namespace psst::run
