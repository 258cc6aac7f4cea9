#include "run/step_profile.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace psst::run {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// A bound kernel whose launches are timed under its program's phase.
class TimedKernel final : public backend::BoundKernel {
 public:
  TimedKernel(std::unique_ptr<backend::BoundKernel> inner, const ProfilingBackend& profiler, std::size_t phase)
      : inner_(std::move(inner)), profiler_(profiler), phase_(phase) {}
  void launch(std::span<const double> scalars, std::size_t begin, std::size_t end) override {
    const auto start = Clock::now();
    inner_->launch(scalars, begin, end);
    profiler_.add(phase_, start);
  }

 private:
  std::unique_ptr<backend::BoundKernel> inner_;
  const ProfilingBackend& profiler_;
  std::size_t phase_;
};

}  // namespace

ProfilingBackend::ProfilingBackend(std::unique_ptr<backend::Backend> inner) : inner_(std::move(inner)) {
  phases_.resize(FixedCount);
  const char* names[FixedCount] = {"row sums (add_row_sums)",     "spike detection (detect_crossings)",
                                   "spike list download",         "event queueing (queue_spikes)",
                                   "event delivery (deliver_events)", "input sampling (sample_input)",
                                   "zeroing synaptic inputs (fill)",  "other host transfers in the step",
                                   "observers: gather, download",  "observers: finite check",
                                   "observers: host work (HDF5, progress)", "profiler's clock reads (estimate)",
                                   "host orchestration (untimed rest)"};
  for (std::size_t k = 0; k < FixedCount; ++k) phases_[k].name = names[k];
  // The profiler's own cost: two clock reads per timed call, part inside and part outside the
  // intervals; reported as its own line and not counted as orchestration.
  constexpr int reads = 4096;
  const auto start = Clock::now();
  for (int k = 0; k < reads; ++k) (void)Clock::now();
  clock_read_seconds_ = seconds_since(start) / reads;
}

void ProfilingBackend::add(std::size_t phase, Clock::time_point start) const {
  if (!in_step_) return;  // set-up, checkpoints between steps
  const double s = seconds_since(start);
  phases_[phase].seconds += s;
  ++phases_[phase].calls;
  nested_seconds_ += s;  // read by deliver_events, whose event kernel has a line of its own
}

void ProfilingBackend::begin_step() {
  in_step_ = true;
  step_start_ = Clock::now();
  if (steps_ == 0) {
    first_start_ = sampled_end_ = step_start_;
    first_cpu_ = sampled_cpu_ = process_cpu_seconds();
  }
}

void ProfilingBackend::end_step() {
  step_seconds_ += seconds_since(step_start_);
  ++steps_;
  in_step_ = false;
  // Every 1024 steps, and at the powers of two before (short runs): CPU time is a system call.
  if (steps_ % 1024 == 0 || (steps_ < 1024 && (steps_ & (steps_ - 1)) == 0)) {
    sampled_end_ = Clock::now();
    sampled_cpu_ = process_cpu_seconds();
  }
}

void ProfilingBackend::begin_observers() {
  in_observers_ = true;
  observers_start_ = Clock::now();
}

void ProfilingBackend::end_observers() {
  observers_seconds_ += seconds_since(observers_start_);
  in_observers_ = false;
}

std::size_t ProfilingBackend::phase_for_kernel(const std::string& program) {
  const std::string name = "kernel " + program;
  for (std::size_t k = FixedCount; k < phases_.size(); ++k)
    if (phases_[k].name == name) return k;
  phases_.push_back({name, 0.0, 0});
  return phases_.size() - 1;
}

std::vector<StepPhase> ProfilingBackend::phases() const {
  std::vector<StepPhase> rows = phases_;
  double observed = rows[ObserverTransfer].seconds + rows[FiniteCheck].seconds, timed = 0.0;
  for (const auto& p : rows) timed += p.seconds;
  std::uint64_t timed_calls = 0;
  for (const auto& p : rows) timed_calls += p.calls;
  rows[ObserverHost].seconds = std::max(0.0, observers_seconds_ - observed);
  rows[ObserverHost].calls = static_cast<std::uint64_t>(steps_);
  rows[ClockReads].seconds = 2.0 * clock_read_seconds_ * static_cast<double>(timed_calls);
  rows[Orchestration].seconds =
      std::max(0.0, step_seconds_ - timed - rows[ObserverHost].seconds - rows[ClockReads].seconds);
  rows[Orchestration].calls = static_cast<std::uint64_t>(steps_);
  StepPhase kernels{"all kernels (sum of the kernel lines)", 0.0, 0};
  for (std::size_t k = FixedCount; k < rows.size(); ++k) {
    kernels.seconds += rows[k].seconds;
    kernels.calls += rows[k].calls;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.seconds > b.seconds; });
  rows.insert(rows.begin(), kernels);
  return rows;
}

std::string ProfilingBackend::profile_report() const {
  const std::vector<StepPhase> rows = phases();
  std::uint64_t timed_calls = 0;
  for (std::size_t k = 1; k < rows.size(); ++k) timed_calls += rows[k].calls;  // rows[0]: the kernels' sum
  timed_calls -= 2 * static_cast<std::uint64_t>(steps_);  // the two derived rows (observers' host work, orchestration)
  const double steps = std::max<double>(1.0, static_cast<double>(steps_));
  const double sampled_wall = std::chrono::duration<double>(sampled_end_ - first_start_).count();
  std::string out = fmt::format("step profile: {} steps, {:.3f} s wall, {:.2f} us per step ({} backend calls timed, "
                                "{:.1f} per step; one clock read {:.0f} ns); process CPU / wall over the steps: {:.2f} "
                                "(below 1: the machine was busy, wall times include waiting)\n"
                                "{:<44} {:>9} {:>10} {:>6} {:>10}\n",
                                steps_, step_seconds_, 1e6 * step_seconds_ / steps, timed_calls,
                                static_cast<double>(timed_calls) / steps, 1e9 * clock_read_seconds_,
                                sampled_wall > 0 ? (sampled_cpu_ - first_cpu_) / sampled_wall : 0.0, "phase", "s",
                                "us/step", "%", "calls/step");
  for (const auto& p : rows)
    if (p.calls > 0 || p.seconds > 0.0)
      out += fmt::format("{:<44} {:>9.3f} {:>10.3f} {:>6.1f} {:>10.2f}\n", p.name, p.seconds, 1e6 * p.seconds / steps,
                         step_seconds_ > 0 ? 100.0 * p.seconds / step_seconds_ : 0.0,
                         static_cast<double>(p.calls) / steps);
  return out;
}

// ---- forwarding, timed -------------------------------------------------------------------

backend::BufferHandle ProfilingBackend::allocate(backend::ElementType type, std::size_t size) {
  return inner_->allocate(type, size);
}

void ProfilingBackend::upload(backend::Buffer& b, std::span<const double> v, std::size_t offset) {
  const auto start = Clock::now();
  inner_->upload(b, v, offset);
  add(transfer_phase(), start);
}

void ProfilingBackend::upload(backend::Buffer& b, std::span<const std::uint32_t> v, std::size_t offset) {
  const auto start = Clock::now();
  inner_->upload(b, v, offset);
  add(transfer_phase(), start);
}

void ProfilingBackend::download(const backend::Buffer& b, std::span<double> out, std::size_t offset) const {
  const auto start = Clock::now();
  inner_->download(b, out, offset);
  add(transfer_phase(), start);
}

void ProfilingBackend::download(const backend::Buffer& b, std::span<std::uint32_t> out, std::size_t offset) const {
  const auto start = Clock::now();
  inner_->download(b, out, offset);
  add(in_observers_ ? ObserverTransfer : SpikeListDownload, start);  // the step downloads only spike lists
}

void ProfilingBackend::fill(backend::Buffer& b, double value) {
  const auto start = Clock::now();
  inner_->fill(b, value);
  add(Zeroing, start);
}

// The finite-state check's snapshot (StateSnapshot) is its only per-run user.
void ProfilingBackend::copy(const backend::Buffer& source, backend::Buffer& destination) {
  const auto start = Clock::now();
  inner_->copy(source, destination);
  add(FiniteCheck, start);
}

void ProfilingBackend::gather(const backend::Buffer& source, const backend::Buffer& index,
                              backend::Buffer& destination, std::size_t offset) {
  const auto start = Clock::now();
  inner_->gather(source, index, destination, offset);
  add(transfer_phase(), start);
}

std::unique_ptr<backend::BoundKernel> ProfilingBackend::bind(const graph::Program& program,
                                                             const backend::KernelArguments& arguments) {
  return std::make_unique<TimedKernel>(inner_->bind(program, arguments), *this, phase_for_kernel(program.name));
}

void ProfilingBackend::add_row_sums(const backend::Buffer& contributions, const backend::Buffer& offsets,
                                    backend::Buffer& targets, std::size_t first_row, std::size_t last_row) {
  const auto start = Clock::now();
  inner_->add_row_sums(contributions, offsets, targets, first_row, last_row);
  add(RowSums, start);
}

std::size_t ProfilingBackend::detect_crossings(const backend::Buffer& condition, backend::Buffer& previous,
                                               backend::Buffer& lastspike, double spike_time, backend::Buffer& spikes,
                                               std::size_t first, std::size_t last) {
  const auto start = Clock::now();
  const std::size_t count = inner_->detect_crossings(condition, previous, lastspike, spike_time, spikes, first, last);
  add(SpikeDetection, start);
  return count;
}

backend::EventQueueHandle ProfilingBackend::make_event_queue(std::size_t ring_size) {
  return inner_->make_event_queue(ring_size);
}

void ProfilingBackend::queue_spikes(backend::EventQueue& queue, std::int64_t due_step,
                                    std::span<const std::uint32_t> neurons) {
  const auto start = Clock::now();
  inner_->queue_spikes(queue, due_step, neurons);
  add(EventQueueing, start);
}

void ProfilingBackend::deliver_events(backend::EventProjection& projection, std::int64_t step,
                                      std::span<const double> scalars) {
  const auto start = Clock::now();
  nested_seconds_ = 0.0;
  inner_->deliver_events(projection, step, scalars);
  const double nested = nested_seconds_;  // the event kernel's launch, counted on its own line
  add(EventDelivery, start);
  if (in_step_) phases_[EventDelivery].seconds -= nested;
}

std::vector<std::vector<std::uint32_t>> ProfilingBackend::download_queue(const backend::EventQueue& queue) const {
  return inner_->download_queue(queue);
}

void ProfilingBackend::upload_queue(backend::EventQueue& queue,
                                    const std::vector<std::vector<std::uint32_t>>& entries) {
  inner_->upload_queue(queue, entries);
}

backend::InputSourceHandle ProfilingBackend::make_input(backend::InputSchedule schedule) {
  return inner_->make_input(std::move(schedule));
}

void ProfilingBackend::sample_input(const backend::InputSource& input, std::int64_t step, backend::Buffer& out) {
  const auto start = Clock::now();
  inner_->sample_input(input, step, out);
  add(InputSampling, start);
}

std::size_t ProfilingBackend::first_non_finite(const backend::Buffer& buffer) const {
  const auto start = Clock::now();
  const std::size_t index = inner_->first_non_finite(buffer);
  add(FiniteCheck, start);
  return index;
}

}  // namespace psst::run
