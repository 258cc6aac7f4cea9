#pragma once
// Everything the run loop exchanges between ranks, in one interface: the
// presynaptic values that synapses on other ranks read (at every stage), the
// spikes of a step gathered in ascending global index, and the reductions of
// the stop signal and the finite-state check. SingleProcess is the
// implementation for one process; the run loop always goes through it, so an
// MPI implementation is an addition, not a change of the loop.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "comm/partition.hpp"

namespace psst::comm {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Makes values[begin, end) of every rank's block of a population's array present
  // where remote synapses read them. `values` is the host copy of the local block.
  virtual void exchange_halo(std::size_t population, std::span<double> values) = 0;
  // The spikes of one population this step: each rank's (ascending, global indices)
  // concatenated in rank order, which is ascending global order.
  virtual std::vector<std::uint32_t> gather_spikes(std::span<const std::uint32_t> local) = 0;
  // True on every rank when it is true on any (a stop request).
  virtual bool any(bool local) = 0;
  // The smallest of every rank's value (the finite-state check: the lowest global
  // index of a non-finite value, or the array's size).
  virtual std::uint64_t min(std::uint64_t local) = 0;
};

// One process owns everything: exchanges are identities.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void exchange_halo(std::size_t, std::span<double>) override {}
  std::vector<std::uint32_t> gather_spikes(std::span<const std::uint32_t> local) override {
    return {local.begin(), local.end()};
  }
  bool any(bool local) override { return local; }
  std::uint64_t min(std::uint64_t local) override { return local; }
};

}  // namespace psst::comm
