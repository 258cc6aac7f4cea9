#pragma once
// Checks of a whole model before anything is built, for mistakes that would
// otherwise run and give a silently wrong result, or fail late after minutes
// and gigabytes: names that are not identifiers, a summed synaptic input that
// a parameter or state variable shadows or that no equation reads, a matrix
// rule's values beside a parameter of the same name, `lastspike` in a
// projection, and connectivity or delay queues that cannot fit in memory.
// Each is a UserError naming the file, line, the thing, the bad value and what
// is valid.
#include "model/network.hpp"

namespace psst::run {

// Throws UserError at the first problem found. `dt` is the run's time step (ms),
// for the size of delay queues; `memory_bytes` the memory there is (0: unknown,
// memory is then not checked).
void check_model(const model::NetworkSpec& spec, double dt, double memory_bytes, std::size_t instances = 1);

// Physical memory of this machine in bytes (0 when unknown).
double physical_memory_bytes();

// The number of synapses a connection rule is expected to make between slices
// of n_pre and n_post neurons (before any is drawn): exact for every rule but
// `probability`, whose count is its mean p n_pre n_post.
double expected_synapses(const model::ConnectSpec& connect, double n_pre, double n_post);

}  // namespace psst::run
