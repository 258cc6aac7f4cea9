#pragma once
// Where a step's wall time goes (`psst run --profile`): a backend that forwards
// every call to the real one and times each kernel launch and each primitive,
// by phase. The run layer wraps its backend in it only when asked; it computes
// nothing and touches no state, so a profiled run gives the same bits. Wall
// time only (steady_clock, two reads per call: ~50 ns each, visible on a small
// model such as the antennal lobe; the report says how many calls it timed).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"

namespace psst::run {

// The accumulated time of one phase: a kernel (by program name) or a primitive.
struct StepPhase {
  std::string name;
  double seconds = 0.0;
  std::uint64_t calls = 0;
};

class ProfilingBackend final : public backend::Backend {
 public:
  explicit ProfilingBackend(std::unique_ptr<backend::Backend> inner);

  // The run layer's bracket of each step and of the observers within it (recording, checks):
  // backend calls made by observers are counted apart from the step's own.
  void begin_step();
  void end_step();
  void begin_observers();
  void end_observers();
  // A table: per phase seconds, microseconds per step, share of the step, calls per step;
  // host-side orchestration is the step's wall time not spent in any timed call.
  std::string profile_report() const;
  // The rows of that table, largest first after a first row summing every kernel.
  std::vector<StepPhase> phases() const;
  std::int64_t steps() const { return steps_; }
  double step_seconds() const { return step_seconds_; }
  std::string report() const override { return inner_->report(); }  // the wrapped backend's set-up

  std::string name() const override { return inner_->name(); }
  void finalize() override { inner_->finalize(); }

  backend::BufferHandle allocate(backend::ElementType type, std::size_t size) override;
  void upload(backend::Buffer& b, std::span<const double> v, std::size_t offset) override;
  void upload(backend::Buffer& b, std::span<const std::uint32_t> v, std::size_t offset) override;
  void download(const backend::Buffer& b, std::span<double> out, std::size_t offset) const override;
  void download(const backend::Buffer& b, std::span<std::uint32_t> out, std::size_t offset) const override;
  void fill(backend::Buffer& b, double value) override;
  void copy(const backend::Buffer& source, backend::Buffer& destination) override;
  void gather(const backend::Buffer& source, const backend::Buffer& index, backend::Buffer& destination,
              std::size_t offset) override;
  std::unique_ptr<backend::BoundKernel> bind(const graph::Program& program,
                                             const backend::KernelArguments& arguments) override;
  void add_row_sums(const backend::Buffer& contributions, const backend::Buffer& offsets, backend::Buffer& targets,
                    std::size_t first_row, std::size_t last_row) override;
  std::size_t detect_crossings(const backend::Buffer& condition, backend::Buffer& previous, backend::Buffer& lastspike,
                               double spike_time, backend::Buffer& spikes, std::size_t first,
                               std::size_t last) override;
  backend::EventQueueHandle make_event_queue(std::size_t ring_size) override;
  void queue_spikes(backend::EventQueue& queue, std::int64_t due_step, std::span<const std::uint32_t> neurons) override;
  void deliver_events(backend::EventProjection& projection, std::int64_t step,
                      std::span<const double> scalars) override;
  std::vector<std::vector<std::uint32_t>> download_queue(const backend::EventQueue& queue) const override;
  void upload_queue(backend::EventQueue& queue, const std::vector<std::vector<std::uint32_t>>& entries) override;
  backend::InputSourceHandle make_input(backend::InputSchedule schedule) override;
  void sample_input(const backend::InputSource& input, std::int64_t step, backend::Buffer& out) override;
  std::size_t first_non_finite(const backend::Buffer& buffer) const override;

  // Adds the time since `start` to phase `phase` (kernels call it through their wrapper).
  void add(std::size_t phase, std::chrono::steady_clock::time_point start) const;

 private:
  // The fixed phases; kernels get one each after these.
  enum Fixed : std::size_t {
    RowSums, SpikeDetection, SpikeListDownload, EventQueueing, EventDelivery, InputSampling, Zeroing,
    HostTransfer, ObserverTransfer, FiniteCheck, ObserverHost, ClockReads, Orchestration, FixedCount
  };
  std::size_t phase_for_kernel(const std::string& program);
  std::size_t transfer_phase() const { return in_observers_ ? ObserverTransfer : HostTransfer; }

  std::unique_ptr<backend::Backend> inner_;
  mutable std::vector<StepPhase> phases_;
  mutable double nested_seconds_ = 0.0;  // time added since deliver_events began (its event kernel)
  std::chrono::steady_clock::time_point step_start_, observers_start_;
  double step_seconds_ = 0.0, observers_seconds_ = 0.0;
  double clock_read_seconds_ = 0.0;  // one steady_clock::now(), measured at construction
  // Process CPU time against wall time from the first step to the last sample (end_step):
  // below 1 on a busy machine, where wall times include waiting for a core.
  std::chrono::steady_clock::time_point first_start_, sampled_end_;
  double first_cpu_ = 0.0, sampled_cpu_ = 0.0;
  std::int64_t steps_ = 0;
  bool in_step_ = false, in_observers_ = false;
};

}  // namespace psst::run
