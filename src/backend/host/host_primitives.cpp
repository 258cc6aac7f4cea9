// The primitives of backend.hpp on host memory, in their specified order.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "backend/host/host_backend.hpp"
#include "backend/host/host_buffer.hpp"
#include "model/error.hpp"

namespace psst::backend::host {

namespace {
constexpr auto F64 = ElementType::Float64;
constexpr auto Index = ElementType::Index;
}  // namespace

void HostBackend::add_row_sums(const Buffer& contributions, const Buffer& offsets, Buffer& targets,
                               std::size_t first_row, std::size_t last_row) {
  if (last_row > targets.size() || offsets.size() < last_row + 1) throw InternalError("row sums out of range");
  const double* contribution = host(contributions, F64).values();
  const std::uint32_t* offset = host(offsets, Index).indices();
  double* target = host(targets, F64).values();
  if (last_row <= first_row) return;
  const std::size_t rows = last_row - first_row;
  const std::size_t synapses_per_row = (offset[last_row] - offset[first_row]) / rows + 1;
  // Rows are independent; each is summed in ascending synapse order whatever the split.
  parallel_for(rows, synapses_per_row, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = first_row + begin; i < first_row + end; ++i) {
      double row = 0.0;
      for (std::uint32_t s = offset[i]; s < offset[i + 1]; ++s) row += contribution[s];
      target[i] += row;
    }
  });
}

std::size_t HostBackend::detect_crossings(const Buffer& condition, Buffer& previous, Buffer& lastspike,
                                          double spike_time, Buffer& spikes, std::size_t first, std::size_t last) {
  if (last > condition.size() || previous.size() < last || lastspike.size() < last || spikes.size() < last - first)
    throw InternalError("threshold crossing out of range");
  const double* now = host(condition, F64).values();
  double* before = host(previous, F64).values();
  double* last_spike = host(lastspike, F64).values();
  std::uint32_t* list = host(spikes, Index).indices();
  std::size_t count = 0;
  for (std::size_t i = first; i < last; ++i) {
    if (now[i] != 0.0 && before[i] == 0.0) {
      list[count++] = static_cast<std::uint32_t>(i);
      last_spike[i] = spike_time;
    }
    before[i] = now[i];
  }
  return count;
}

EventQueueHandle HostBackend::make_event_queue(std::size_t ring_size) {
  return std::make_shared<HostEventQueue>(ring_size);
}

void HostBackend::queue_spikes(EventQueue& queue, std::int64_t due_step, std::span<const std::uint32_t> neurons) {
  dynamic_cast<HostEventQueue&>(queue).ring.add(due_step, neurons);
}

void HostBackend::deliver_events(EventProjection& p, std::int64_t step, std::span<const double> scalars) {
  auto& due = dynamic_cast<HostEventQueue&>(*p.queue).ring.slot(step);
  if (due.empty()) return;
  // Ascending groups (spikes of several steps could share a slot), so ascending
  // presynaptic neurons, then each group's synapses in ascending order.
  std::sort(due.begin(), due.end());
  const std::uint32_t classes = p.delay_classes;
  const std::uint32_t* pre_offsets = host(*p.pre_offsets, Index).indices();
  const std::uint32_t* outgoing = host(*p.outgoing, Index).indices();
  const std::uint32_t* post = host(*p.post, Index).indices();
  std::uint32_t* due_synapse = host(*p.due_synapse, Index).indices();
  std::uint32_t* due_pre = host(*p.due_pre, Index).indices();
  std::uint32_t* due_post = host(*p.due_post, Index).indices();
  std::size_t events = 0;
  for (std::size_t d = 0; d < due.size(); ++d) {
    const std::uint32_t group = due[d], neuron = group / classes;
    const std::size_t first_of_neuron = events;
    for (std::uint32_t k = pre_offsets[group]; k < pre_offsets[group + 1]; ++k) {
      if (events >= p.due_synapse->size()) throw InternalError("more events in one step than synapses");
      const std::uint32_t s = outgoing[k];
      due_synapse[events] = s;
      due_pre[events] = neuron;
      ++events;
    }
    // Several delay classes of one neuron due together: their synapses merged into ascending order.
    if (classes > 1 && d > 0 && due[d - 1] / classes == neuron) {
      std::size_t begin = first_of_neuron;
      while (begin > 0 && due_pre[begin - 1] == neuron) --begin;
      std::sort(due_synapse + begin, due_synapse + events);
    }
  }
  for (std::size_t e = 0; e < events; ++e) due_post[e] = post[due_synapse[e]];
  due.clear();
  if (events == 0) return;
  // Right-hand sides of every event first (state at the step boundary), then the updates in order.
  p.kernel->launch(scalars, 0, events);
  using Operation = EventTarget::Operation;
  for (std::size_t k = 0; k < p.targets.size(); ++k) {
    const EventTarget& t = p.targets[k];
    double* target = host(*t.target, F64).values();
    const double* values = host(*p.values[k], F64).values();
    const std::uint32_t* where = t.postsynaptic ? due_post : due_synapse;
    for (std::size_t e = 0; e < events; ++e) {
      double& x = target[where[e]];
      switch (t.operation) {
        case Operation::Assign: x = values[e]; break;
        case Operation::Add: x += values[e]; break;
        case Operation::Subtract: x -= values[e]; break;
        case Operation::Multiply: x *= values[e]; break;
      }
    }
  }
}

std::vector<std::vector<std::uint32_t>> HostBackend::download_queue(const EventQueue& queue) const {
  return dynamic_cast<const HostEventQueue&>(queue).ring.entries();
}

void HostBackend::upload_queue(EventQueue& queue, const std::vector<std::vector<std::uint32_t>>& entries) {
  dynamic_cast<HostEventQueue&>(queue).ring.restore(entries);
}

std::size_t HostBackend::first_non_finite(const Buffer& buffer) const {
  const double* values = host(buffer, F64).values();
  const std::size_t n = buffer.size();
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += values[i] * 0.0;  // 0 for finite values, NaN for NaN and +-inf
  if (sum == 0.0) return n;
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i])) return i;
  return n;
}

}  // namespace psst::backend::host
