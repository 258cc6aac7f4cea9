#pragma once
// What the host backends (reference, cpu) share: buffers in host memory, and
// every primitive of backend.hpp as plain loops in its specified order. A host
// backend supplies only its kernels (compile) and, if it has threads, a
// parallel loop whose split never changes a result.
#include <functional>
#include <memory>

#include "backend/backend.hpp"
#include "backend/host/host_kernel.hpp"

namespace psst::backend::host {

class HostBackend : public Backend {
 public:
  // The kernel of `program` over host pointers bound as `bindings` says.
  virtual std::unique_ptr<Kernel> compile(const graph::Program& program, const std::vector<Binding>& bindings) = 0;

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

 protected:
  // Calls body(first, last) on disjoint ranges covering [0, n), possibly in parallel;
  // `work` is the cost per item. Used only where the split cannot change a result.
  virtual void parallel_for(std::size_t n, std::size_t work,
                            const std::function<void(std::size_t, std::size_t)>& body) {
    (void)work;
    body(0, n);
  }
};

}  // namespace psst::backend::host
