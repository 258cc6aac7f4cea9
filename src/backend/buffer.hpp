#pragma once
// An array in a backend's memory space. To the run layer a buffer is an opaque
// handle: it allocates one through its backend, binds it to kernels and
// primitives, and reads or writes its contents only through the backend's
// explicit download and upload calls (recording, checkpoints, the
// finite-state report, tests), never in the middle of a step.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace psst::backend {

// Float64: state, parameters, contributions (double). Index: neuron and
// synapse indices, CSR offsets and spike lists (std::uint32_t).
enum class ElementType { Float64, Index };

class Buffer {
 public:
  Buffer(ElementType type, std::size_t size) : type_(type), size_(size) {}
  virtual ~Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ElementType type() const { return type_; }
  std::size_t size() const { return size_; }

 private:
  ElementType type_;
  std::size_t size_;
};

using BufferHandle = std::shared_ptr<Buffer>;

// A queue of spikes in flight on one projection, in the backend's memory:
// presynaptic neuron indices (global) by the step at which they are due.
class EventQueue {
 public:
  virtual ~EventQueue() = default;
};
using EventQueueHandle = std::shared_ptr<EventQueue>;

// A time-varying input table in the backend's memory (see input_schedule.hpp).
class InputSource {
 public:
  virtual ~InputSource() = default;
};
using InputSourceHandle = std::shared_ptr<InputSource>;

}  // namespace psst::backend
