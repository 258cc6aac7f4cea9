#pragma once
// The CUDA backend: every buffer in device memory for the whole run, every
// kernel printed from the IR in the CUDA dialect, every primitive of backend.hpp
// as psst's own kernels (engine_kernels.cuh) in the order it specifies: no
// atomics, spikes compacted by prefix sums in ascending order, events applied
// per target in ascending (presynaptic neuron, synapse) order. Host-device
// copies only where the interface asks for host values (downloads, spike
// counts, the due spikes of a step). The same class runs on the GPU and, with
// EmulatedDevice, on the host (--backend cuda-emulated).
#include <memory>

#include "backend/backend.hpp"
#include "backend/cuda/device.hpp"

namespace psst::backend::cuda {

struct CudaState;

class CudaBackend final : public Backend {
 public:
  CudaBackend(std::unique_ptr<Device> device, const BackendOptions& options, std::string name);
  ~CudaBackend() override;
  std::string name() const override { return name_; }
  void finalize() override;
  std::string report() const override;
  // Every CUDA kernel bound so far, as compiled (psst codegen --backend cuda).
  std::string source() const;
  // Every generated kernel bound so far, as one module (what finalize() compiles at once).
  ModuleSource module_source() const;
  Device& device();
  std::shared_ptr<Device> shared_device();  // for device memory owned outside the backend (DeviceArray)

  BufferHandle allocate(ElementType type, std::size_t size) override;
  void upload(Buffer& buffer, std::span<const double> values, std::size_t offset) override;
  void upload(Buffer& buffer, std::span<const std::uint32_t> values, std::size_t offset) override;
  void download(const Buffer& buffer, std::span<double> out, std::size_t offset) const override;
  void download(const Buffer& buffer, std::span<std::uint32_t> out, std::size_t offset) const override;
  using Backend::download;
  void fill(Buffer& buffer, double value) override;
  void copy(const Buffer& source, Buffer& destination) override;
  void gather(const Buffer& source, const Buffer& index, Buffer& destination, std::size_t offset) override;

  std::unique_ptr<BoundKernel> bind(const graph::Program& program, const KernelArguments& arguments) override;

  void add_row_sums(const Buffer& contributions, const Buffer& offsets, Buffer& targets, std::size_t first_row,
                    std::size_t last_row) override;
  std::size_t detect_crossings(const Buffer& condition, Buffer& previous, Buffer& lastspike, double spike_time,
                               Buffer& spikes, std::size_t first, std::size_t last) override;
  EventQueueHandle make_event_queue(std::size_t ring_size) override;
  void queue_spikes(EventQueue& queue, std::int64_t due_step, std::span<const std::uint32_t> neurons) override;
  void deliver_events(EventProjection& projection, std::int64_t step, std::span<const double> scalars) override;
  std::vector<std::vector<std::uint32_t>> download_queue(const EventQueue& queue) const override;
  void upload_queue(EventQueue& queue, const std::vector<std::vector<std::uint32_t>>& entries) override;
  InputSourceHandle make_input(InputSchedule schedule) override;
  void sample_input(const InputSource& input, std::int64_t step, Buffer& out) override;
  std::size_t first_non_finite(const Buffer& buffer) const override;

 private:
  // The number of flags set in flags[0, n) (Index scratch); with `positions`, also
  // writes first + i for every set flag i there, in ascending order.
  std::size_t count_flags(std::size_t n, std::size_t first, Buffer* positions) const;

  std::string name_;
  std::shared_ptr<CudaState> state_;
};

}  // namespace psst::backend::cuda
