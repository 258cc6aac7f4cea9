#pragma once
// How a network is split over processes (ranks): each population into
// contiguous blocks of neurons, one per rank, sizes differing by at most one;
// every synapse lives with its postsynaptic neuron. One of the two places
// (with the Communicator) that know about ranks.
#include <cstddef>
#include <vector>

namespace psst::comm {

struct Block {
  std::size_t begin = 0, end = 0;  // neurons [begin, end)
  std::size_t size() const { return end - begin; }
};

class Partition {
 public:
  Partition(std::vector<std::size_t> population_sizes, int ranks);
  int ranks() const { return ranks_; }
  // The neurons of population `population` that rank `rank` owns.
  Block block(std::size_t population, int rank) const;
  // The rank that owns a neuron (and every synapse onto it).
  int owner(std::size_t population, std::size_t neuron) const;

 private:
  std::vector<std::size_t> sizes_;
  int ranks_;
};

}  // namespace psst::comm
