#pragma once
// The spikes in flight of one projection as the backends keep them: presynaptic
// neurons (global indices) by the step at which they are due, in a ring of
// delay + 1 steps. Kept on the host by every backend (the due neurons of a step
// are what a device needs to number that step's events).
#include <cstdint>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::backend {

class SpikeRing {
 public:
  explicit SpikeRing(std::size_t steps) : ring_(steps) {}
  void add(std::int64_t due_step, std::span<const std::uint32_t> neurons) {
    auto& due = slot(due_step);
    due.insert(due.end(), neurons.begin(), neurons.end());
  }
  // The neurons due at `step` (the caller empties the slot when it has delivered them).
  std::vector<std::uint32_t>& slot(std::int64_t step) {
    return ring_[static_cast<std::size_t>(step % static_cast<std::int64_t>(ring_.size()))];
  }
  const std::vector<std::vector<std::uint32_t>>& entries() const { return ring_; }
  void restore(const std::vector<std::vector<std::uint32_t>>& entries) {
    if (entries.size() != ring_.size())
      throw InternalError(fmt::format("event queue of {} steps given {}", ring_.size(), entries.size()));
    ring_ = entries;
  }

 private:
  std::vector<std::vector<std::uint32_t>> ring_;
};

}  // namespace psst::backend
