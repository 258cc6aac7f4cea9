#pragma once
// The CUDA backend's internals, shared by its files and by the kernels it binds:
// the device, the engine module (psst's own kernels, loaded at the first use),
// the generated kernels (compiled together at finalize() or the first launch),
// and the device-side objects behind buffers, event queues and inputs.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "backend/spike_ring.hpp"
#include "backend/cuda/device.hpp"

namespace psst::backend::cuda {

inline constexpr unsigned threads_per_block = 256;

class CudaBuffer final : public Buffer {
 public:
  CudaBuffer(std::shared_ptr<Device> device, ElementType type, std::size_t size)
      : Buffer(type, size), memory_(std::move(device), size * (type == ElementType::Float64 ? 8 : 4)) {}
  DevicePointer pointer() const { return memory_.get(); }

 private:
  DeviceArray memory_;
};

// The device address of a buffer of this backend; InternalError for another backend's or type.
DevicePointer device_pointer(const Buffer& buffer, ElementType type);

struct CudaEventQueue final : public EventQueue {
  explicit CudaEventQueue(std::size_t steps) : ring(steps) {}
  SpikeRing ring;
  // Set up at the first delivery: the CSR offsets on the host (to number the events of
  // a step), the due neurons and their first events on the device, and each synapse's
  // event of the step (0xffffffff: none) for postsynaptic targets.
  std::vector<std::uint32_t> pre_offsets;
  DeviceArray due;
  DeviceArray event_of_synapse;
  std::vector<std::uint32_t> staged;  // host side of `due`, reused every step
};

struct CudaInputSource final : public InputSource {
  InputSchedule schedule;  // its ranges; the table lives on the device
  DeviceArray table;
  std::vector<DeviceArray> range_neurons;  // one per range (empty: every neuron)
};

struct GeneratedKernel {
  std::string name, source;
  const void* function = nullptr;
};

struct CudaState {
  CudaState(std::unique_ptr<Device> d, graph::Precision p) : device(std::move(d)), precision(p) {}

  std::shared_ptr<Device> device;
  graph::Precision precision;
  std::unique_ptr<Module> engine;
  std::map<std::string, const void*> engine_functions;
  std::map<std::string, std::shared_ptr<GeneratedKernel>> generated;  // by name
  std::vector<std::shared_ptr<GeneratedKernel>> order;                // first bound first
  std::vector<std::unique_ptr<Module>> modules;
  double compile_seconds = 0.0;
  bool all_cache_hits = true;
  std::vector<DeviceArray> scan_levels;  // scratch of count_flags, reused

  // Compiles every generated kernel not compiled yet, as one module.
  void finalize();
  const void* engine_function(const std::string& name);
  // Runs engine kernel `name` with one thread per item; args as its parameters, by value.
  template <class... Args>
  void run(const char* name, std::size_t items, Args... args) {
    if (items == 0) return;
    void* params[] = {static_cast<void*>(&args)...};
    device->launch(engine_function(name), blocks(items), block_size(items), params);
  }
  static unsigned blocks(std::size_t items);
  // Threads per block: threads_per_block, or fewer for a launch over fewer items.
  static unsigned block_size(std::size_t items) {
    return items < threads_per_block ? static_cast<unsigned>(items) : threads_per_block;
  }
  // Scratch level k of count_flags with room for `count` indices.
  DevicePointer scan_level(std::size_t k, std::size_t count);
};

}  // namespace psst::backend::cuda
