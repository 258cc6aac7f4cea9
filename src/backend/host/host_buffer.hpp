#pragma once
// Buffers, event queues and input sources of the host backends: plain host memory.
#include <vector>

#include "backend/backend.hpp"
#include "backend/spike_ring.hpp"

namespace psst::backend::host {

class HostBuffer final : public Buffer {
 public:
  HostBuffer(ElementType type, std::size_t size)
      : Buffer(type, size),
        values_(type == ElementType::Float64 ? size : 0, 0.0),
        indices_(type == ElementType::Index ? size : 0, 0u) {}
  double* values() { return values_.data(); }
  const double* values() const { return values_.data(); }
  std::uint32_t* indices() { return indices_.data(); }
  const std::uint32_t* indices() const { return indices_.data(); }

 private:
  std::vector<double> values_;
  std::vector<std::uint32_t> indices_;
};

// The host memory of a buffer; InternalError when it is not a host buffer of that type.
HostBuffer& host(Buffer& buffer, ElementType type);
const HostBuffer& host(const Buffer& buffer, ElementType type);

struct HostEventQueue final : public EventQueue {
  explicit HostEventQueue(std::size_t steps) : ring(steps) {}
  SpikeRing ring;
};

struct HostInputSource final : public InputSource {
  InputSchedule schedule;
};

}  // namespace psst::backend::host
