#pragma once
// Everything the run loop exchanges between ranks, in one interface: the
// presynaptic values that synapses on other ranks read (at every stage), the
// spikes of a step gathered in ascending global index, the reductions of the
// stop signal and the finite-state check, and the set-up and checkpoint
// collectives (synapse offsets, gathers to the writer rank, broadcasts from
// it). SingleProcess is the implementation for one process; MpiCommunicator
// (mpi_communicator.hpp) the one for MPI. Only the Communicator and the
// Partition know about ranks.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "comm/partition.hpp"

namespace psst::comm {

// What this rank sent in the step exchanges (halo and spikes) since the start:
// payload bytes, and messages (a point-to-point send or a collective call).
// Also the wall time spent in these and in the other collectives of the time loop
// (stop signal, finite-state check, gathers of recorded values), waiting included.
// CPU time of this process in them too (what polling for messages costs).
struct Traffic {
  std::uint64_t bytes = 0, messages = 0;
  double seconds = 0.0, cpu_seconds = 0.0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Ranks on this machine (to share its cores among them).
  virtual int ranks_on_this_node() const { return 1; }

  // Set-up, on every rank, for every population in order: the neurons of `population`
  // that this rank reads but does not own (ascending global indices).
  virtual void plan_halo(std::size_t population, const Partition& partition, std::vector<std::uint32_t> needed) = 0;
  // `values` is a whole array of the population (global indices) whose owned block is
  // current; on return, the entries planned as needed hold their owners' values.
  virtual void exchange_halo(std::size_t population, std::span<double> values) = 0;
  // The spikes of one step, per population: on entry this rank's (ascending, global
  // indices), on return every rank's concatenated in rank order (ascending global order).
  virtual void gather_spikes(std::vector<std::vector<std::uint32_t>>& spikes) = 0;
  // True on every rank when it is true on any (a stop request).
  virtual bool any(bool local) = 0;
  // The smallest of every rank's value (the finite-state check: the lowest global
  // index of a non-finite value, or the array's size).
  virtual std::uint64_t min(std::uint64_t local) = 0;
  // The sum of the values of the ranks before this one (0 on rank 0), and of all ranks.
  virtual std::uint64_t exclusive_sum(std::uint64_t local) = 0;
  virtual std::uint64_t sum(std::uint64_t local) = 0;
  // Every rank's values concatenated in rank order, on rank 0 (empty elsewhere).
  virtual std::vector<double> gather(std::span<const double> local) = 0;
  // Rank 0's `values` (size included) on every rank.
  virtual void broadcast(std::vector<double>& values) = 0;
  // Rank 0 holds `whole`; every rank receives the next `local_count` values in rank order.
  virtual std::vector<double> scatter(const std::vector<double>& whole, std::size_t local_count) = 0;
  virtual void barrier() = 0;
  virtual Traffic traffic() const { return {}; }
};

// One process owns everything: exchanges are identities.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void plan_halo(std::size_t, const Partition&, std::vector<std::uint32_t>) override {}
  void exchange_halo(std::size_t, std::span<double>) override {}
  void gather_spikes(std::vector<std::vector<std::uint32_t>>&) override {}
  bool any(bool local) override { return local; }
  std::uint64_t min(std::uint64_t local) override { return local; }
  std::uint64_t exclusive_sum(std::uint64_t) override { return 0; }
  std::uint64_t sum(std::uint64_t local) override { return local; }
  std::vector<double> gather(std::span<const double> local) override { return {local.begin(), local.end()}; }
  void broadcast(std::vector<double>&) override {}
  std::vector<double> scatter(const std::vector<double>& whole, std::size_t local_count) override {
    return {whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(std::min(local_count, whole.size()))};
  }
  void barrier() override {}
};

// The communicator of this process: MPI's world when psst was started by mpirun
// (an MpiSession is alive), else SingleProcess.
std::unique_ptr<Communicator> make_communicator();

}  // namespace psst::comm
