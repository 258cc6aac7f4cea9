#pragma once
// The synapses of a projection, stored sparse: sorted by postsynaptic neuron,
// then presynaptic (row-major order of a post x pre matrix), with row offsets
// per postsynaptic neuron (CSR) for ordered sums, and the reverse lists per
// presynaptic neuron for spike delivery. Memory grows with the number of
// synapses, never with pre x post.
#include <cstdint>
#include <string>
#include <vector>

#include "model/network.hpp"

namespace psst::run {

using NeuronIndex = std::uint32_t;

struct Connectivity {
  std::size_t pre_size = 0, post_size = 0;         // whole populations
  std::vector<NeuronIndex> pre, post;              // per synapse
  std::vector<std::size_t> post_offsets;           // post_size + 1: synapses of post i are [offsets[i], offsets[i+1])
  std::vector<std::size_t> pre_offsets;            // pre_size + 1, into outgoing
  std::vector<std::uint32_t> outgoing;             // synapse indices grouped by presynaptic neuron, ascending
  std::vector<double> matrix_values;               // Matrix rule: the nonzero entries, per synapse
  std::vector<std::size_t> instance_offsets;       // an ensemble's: synapses of instance k are [offsets[k], offsets[k+1]); else empty

  std::size_t size() const { return pre.size(); }
  std::size_t bytes() const;  // memory of the index structures
};

struct ProjectionGeometry {
  std::size_t pre_size, post_size;                 // population sizes
  std::size_t pre_begin, pre_end, post_begin, post_end;  // slices
  bool same_population;
};

// Rows to build: postsynaptic neurons (population indices) in [begin, end); the default is all.
struct PostRows {
  std::size_t begin = 0, end = SIZE_MAX;
};

// Builds the synapses of `spec`. Random rules draw row i (postsynaptic neuron i) from a
// counter-based generator keyed by (seed, "connectivity/" + projection) and i alone, so a
// build of some rows equals those rows of the whole build (only those rows have synapses;
// the sizes and offsets still span the whole populations).
// Fills the offsets and the reverse lists of `c` from its synapses (pre, post, in row-major order).
void finish_connectivity(Connectivity& c);

Connectivity build_connectivity(const model::ConnectSpec& spec, const ProjectionGeometry& geometry,
                                std::uint64_t seed, const std::string& projection, PostRows rows = {});

}  // namespace psst::run
