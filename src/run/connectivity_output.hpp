#pragma once
// The connectivity of every projection in the output file: each synapse's pre- and
// postsynaptic neuron, its per-synapse parameters and its delay, in the projection's
// synapse order (by postsynaptic, then presynaptic neuron), gathered from every rank.
#include "io/hdf5_file.hpp"
#include "run/simulation.hpp"

namespace psst::run {

// Every rank calls it (the gathers are collective); rank 0 passes its file, the others nullptr.
void write_connectivity(const Simulation& simulation, io::Hdf5File* file);

}  // namespace psst::run
