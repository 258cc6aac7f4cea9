// The primitives of backend.hpp on the device, in their specified order, as
// launches of psst's engine kernels (engine_kernels.cuh).
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/cuda_state.hpp"
#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

constexpr auto F64 = ElementType::Float64;
constexpr auto Index = ElementType::Index;
constexpr std::size_t scan_fan = 32;         // PSST_SCAN_FAN in engine_kernels.cuh
constexpr std::size_t serial_scan_max = 1024;  // the top level of a scan, summed by one thread
constexpr std::uint32_t no_event = 0xffffffffu;

std::size_t chunks(std::size_t n) { return (n + scan_fan - 1) / scan_fan; }

int operation_code(EventTarget::Operation operation) {
  using Operation = EventTarget::Operation;
  switch (operation) {
    case Operation::Assign: return 0;
    case Operation::Add: return 1;
    case Operation::Subtract: return 2;
    case Operation::Multiply: return 3;
  }
  return 1;
}

}  // namespace

void CudaBackend::add_row_sums(const Buffer& contributions, const Buffer& offsets, Buffer& targets,
                               std::size_t first_row, std::size_t last_row) {
  if (last_row > targets.size() || offsets.size() < last_row + 1) throw InternalError("row sums out of range");
  if (last_row <= first_row) return;
  state_->run("psst_row_sums", last_row - first_row, device_pointer(contributions, F64), device_pointer(offsets, Index),
              device_pointer(targets, F64), first_row, last_row);
}

// Scan level 0 holds n flags. Level k + 1 holds the sums of PSST_SCAN_FAN values of
// level k, up to a level of at most serial_scan_max values that one thread scans; the
// downsweep then turns levels back into exclusive prefix sums, down to level 1: the
// first output position of every chunk of PSST_SCAN_FAN flags.
std::size_t CudaBackend::count_flags(std::size_t n, std::size_t first, Buffer* positions) const {
  CudaState& s = *state_;
  // n < 2^32 indices, fan-in 32: at most 7 levels of sums above the flags.
  std::array<std::size_t, 8> sizes{n};
  std::array<DevicePointer, 8> levels{s.scan_level(0, n)};
  std::size_t top = 0;
  do {
    ++top;
    sizes[top] = chunks(sizes[top - 1]);
    levels[top] = s.scan_level(top, sizes[top] + 1);
    s.run("psst_fan_sums", sizes[top], levels[top - 1], sizes[top - 1], levels[top]);
  } while (sizes[top] > serial_scan_max);
  s.run("psst_serial_scan", 1, levels[top], sizes[top]);
  std::uint32_t total = 0;
  s.device->copy_to_host(&total, levels[top] + sizes[top] * sizeof(std::uint32_t), sizeof total);
  if (total == 0 || !positions) return total;
  for (std::size_t k = top - 1; k >= 1; --k)
    s.run("psst_fan_starts", sizes[k + 1], levels[k], sizes[k], levels[k + 1], levels[k]);
  s.run("psst_compact", sizes[1], levels[0], n, levels[1], first, device_pointer(*positions, Index));
  return total;
}

std::size_t CudaBackend::detect_crossings(const Buffer& condition, Buffer& previous, Buffer& lastspike,
                                          double spike_time, Buffer& spikes, std::size_t first, std::size_t last) {
  if (last > condition.size() || previous.size() < last || lastspike.size() < last || spikes.size() < last - first)
    throw InternalError("threshold crossing out of range");
  if (last <= first) return 0;
  const std::size_t n = last - first;
  state_->run("psst_crossing_flags", n, device_pointer(condition, F64), device_pointer(previous, F64),
              device_pointer(lastspike, F64), spike_time, state_->scan_level(0, n), first, last);
  return count_flags(n, first, &spikes);
}

std::size_t CudaBackend::first_non_finite(const Buffer& buffer) const {
  const std::size_t n = buffer.size();
  if (n == 0) return 0;
  state_->run("psst_non_finite_flags", n, device_pointer(buffer, F64), state_->scan_level(0, n), n);
  if (count_flags(n, 0, nullptr) == 0) return n;
  // Something is not finite (the run is about to stop): find the first on the host.
  const std::vector<double> values = download(buffer);
  for (std::size_t i = 0; i < n; ++i)
    if (!(values[i] * 0.0 == 0.0)) return i;
  return n;
}

EventQueueHandle CudaBackend::make_event_queue(std::size_t ring_size) {
  return std::make_shared<CudaEventQueue>(ring_size);
}

void CudaBackend::queue_spikes(EventQueue& queue, std::int64_t due_step, std::span<const std::uint32_t> neurons) {
  dynamic_cast<CudaEventQueue&>(queue).ring.add(due_step, neurons);
}

std::vector<std::vector<std::uint32_t>> CudaBackend::download_queue(const EventQueue& queue) const {
  return dynamic_cast<const CudaEventQueue&>(queue).ring.entries();
}

void CudaBackend::upload_queue(EventQueue& queue, const std::vector<std::vector<std::uint32_t>>& entries) {
  dynamic_cast<CudaEventQueue&>(queue).ring.restore(entries);
}

void CudaBackend::deliver_events(EventProjection& p, std::int64_t step, std::span<const double> scalars) {
  auto& queue = dynamic_cast<CudaEventQueue&>(*p.queue);
  auto& due = queue.ring.slot(step);
  if (due.empty()) return;
  CudaState& s = *state_;
  const std::size_t synapses = p.due_synapse->size();
  if (queue.pre_offsets.empty()) {  // the first delivery: set up what every later one needs
    queue.pre_offsets = download_indices(*p.pre_offsets);
    queue.due = DeviceArray(s.device, (2 * queue.pre_offsets.size() + 1) * sizeof(std::uint32_t));
    const std::vector<std::uint32_t> none(synapses, no_event);
    queue.event_of_synapse = DeviceArray(s.device, std::max<std::size_t>(1, synapses) * sizeof(std::uint32_t));
    s.device->copy_to_device(queue.event_of_synapse.get(), none.data(), synapses * sizeof(std::uint32_t));
  }
  // Ascending groups (presynaptic neurons, or neuron * delay classes + class), each due once
  // (one slot holds the spikes of one step per class). Postsynaptic targets are applied
  // row by row in synapse order (psst_apply_to_neurons), whatever the order of the events.
  std::sort(due.begin(), due.end());
  if (std::adjacent_find(due.begin(), due.end()) != due.end())
    throw InternalError("a presynaptic neuron (group) is due twice in one step of an event queue");
  // Due neurons, then the first event of each and the total: events numbered on the host.
  const std::size_t m = due.size();
  std::vector<std::uint32_t>& staged = queue.staged;
  staged.assign(due.begin(), due.end());
  std::uint32_t events = 0;
  for (std::uint32_t neuron : due) {
    if (neuron + 1 >= queue.pre_offsets.size()) throw InternalError("a due neuron (group) outside the projection");
    staged.push_back(events);
    events += queue.pre_offsets[neuron + 1] - queue.pre_offsets[neuron];
  }
  staged.push_back(events);
  due.clear();
  if (events == 0) return;
  if (events > synapses) throw InternalError("more events in one step than synapses");
  s.device->copy_to_device(queue.due.get(), staged.data(), staged.size() * sizeof(std::uint32_t));
  const DevicePointer due_neurons = queue.due.get(), due_starts = due_neurons + m * sizeof(std::uint32_t);
  const DevicePointer due_synapse = device_pointer(*p.due_synapse, Index);
  s.run("psst_expand_events", events, due_neurons, due_starts, m, device_pointer(*p.pre_offsets, Index),
        device_pointer(*p.outgoing, Index), device_pointer(*p.post, Index), due_synapse,
        device_pointer(*p.due_pre, Index), device_pointer(*p.due_post, Index), std::size_t{events},
        std::uint32_t{p.delay_classes});
  // Right-hand sides of every event first (state at the step boundary), then the updates in order.
  p.kernel->launch(scalars, 0, events);
  const bool postsynaptic = std::any_of(p.targets.begin(), p.targets.end(), [](const auto& t) { return t.postsynaptic; });
  if (postsynaptic) s.run("psst_mark_events", events, due_synapse, queue.event_of_synapse.get(), std::size_t{events}, 0);
  for (std::size_t k = 0; k < p.targets.size(); ++k) {
    const EventTarget& t = p.targets[k];
    const DevicePointer target = device_pointer(*t.target, F64), values = device_pointer(*p.values[k], F64);
    if (t.postsynaptic) {
      const std::size_t neurons = p.post_offsets->size() - 1;
      s.run("psst_apply_to_neurons", neurons, target, values, device_pointer(*p.post_offsets, Index),
            queue.event_of_synapse.get(), neurons, operation_code(t.operation));
    } else {
      s.run("psst_apply_to_synapses", events, target, values, due_synapse, std::size_t{events},
            operation_code(t.operation));
    }
  }
  if (postsynaptic) s.run("psst_mark_events", events, due_synapse, queue.event_of_synapse.get(), std::size_t{events}, 1);
}

InputSourceHandle CudaBackend::make_input(InputSchedule schedule) {
  auto input = std::make_shared<CudaInputSource>();
  const std::shared_ptr<Device>& device = state_->device;
  if (!schedule.table.empty()) {
    input->table = DeviceArray(device, schedule.table.size() * sizeof(double));
    device->copy_to_device(input->table.get(), schedule.table.data(), schedule.table.size() * sizeof(double));
  }
  for (const auto& range : schedule.ranges) {
    std::vector<std::uint32_t> neurons(range.neurons.begin(), range.neurons.end());
    DeviceArray list(device, neurons.size() * sizeof(std::uint32_t));
    device->copy_to_device(list.get(), neurons.data(), neurons.size() * sizeof(std::uint32_t));
    input->range_neurons.push_back(std::move(list));
  }
  schedule.table.clear();
  schedule.table.shrink_to_fit();
  input->schedule = std::move(schedule);
  return input;
}

void CudaBackend::sample_input(const InputSource& source, std::int64_t step, Buffer& out) {
  const auto& input = dynamic_cast<const CudaInputSource&>(source);
  const InputSchedule& schedule = input.schedule;
  if (out.size() != schedule.size) throw InternalError("input sampled into a buffer of another size");
  const DevicePointer values = device_pointer(out, F64);
  if (input.table.get() != 0) {
    // Past the table's end the last step's value holds (the last RK stage reads step n + 1).
    const auto column = static_cast<std::size_t>(
        std::min<std::int64_t>(step, static_cast<std::int64_t>(schedule.columns) - 1));
    state_->run("psst_sample_table", schedule.size, input.table.get(), schedule.rows, schedule.columns, column, values,
                schedule.size);
    return;
  }
  state_->run("psst_fill", schedule.size, values, schedule.default_value, schedule.size);
  for (std::size_t r = 0; r < schedule.ranges.size(); ++r) {
    const auto& range = schedule.ranges[r];
    if (step < range.begin || step >= range.end) continue;
    if (range.neurons.empty())
      state_->run("psst_fill", schedule.size, values, range.value, schedule.size);
    else
      state_->run("psst_scatter_value", range.neurons.size(), values, input.range_neurons[r].get(),
                  range.neurons.size(), range.value);
  }
}

}  // namespace psst::backend::cuda
