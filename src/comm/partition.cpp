#include "comm/partition.hpp"

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::comm {

Partition::Partition(std::vector<std::size_t> population_sizes, int ranks)
    : sizes_(std::move(population_sizes)), ranks_(ranks) {
  if (ranks < 1) throw InternalError(fmt::format("a partition over {} ranks", ranks));
}

Block Partition::block(std::size_t population, int rank) const {
  const std::size_t n = sizes_.at(population), r = static_cast<std::size_t>(ranks_), k = static_cast<std::size_t>(rank);
  // The first n % r blocks have one neuron more.
  const std::size_t base = n / r, extra = n % r;
  const std::size_t begin = k * base + std::min(k, extra);
  return {begin, begin + base + (k < extra ? 1 : 0)};
}

int Partition::owner(std::size_t population, std::size_t neuron) const {
  const std::size_t n = sizes_.at(population), r = static_cast<std::size_t>(ranks_);
  if (neuron >= n) throw InternalError(fmt::format("neuron {} of a population of {}", neuron, n));
  const std::size_t base = n / r, extra = n % r;
  const std::size_t in_large = extra * (base + 1);  // neurons in the blocks that have one more
  if (neuron < in_large) return static_cast<int>(neuron / (base + 1));
  return static_cast<int>(extra + (neuron - in_large) / base);
}

}  // namespace psst::comm
