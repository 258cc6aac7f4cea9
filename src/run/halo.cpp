#include "run/halo.hpp"

#include <algorithm>

namespace psst::run {

namespace {

// The presynaptic neurons outside `owned` that synapses held here read, ascending.
std::vector<std::uint32_t> remote_presynaptic(const std::vector<std::uint32_t>& pre, const NeuronRange& owned,
                                              std::vector<char>& seen) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t neuron : pre)
    if ((neuron < owned.begin || neuron >= owned.end) && !seen[neuron]) {
      seen[neuron] = 1;
      out.push_back(neuron);
    }
  return out;
}

}  // namespace

Halo::Halo(const std::vector<std::unique_ptr<Population>>& populations,
           const std::vector<std::unique_ptr<Projection>>& projections, const std::vector<std::size_t>& projection_pre,
           std::size_t stages, const comm::Partition& partition, comm::Communicator& communicator,
           backend::Backend& backend)
    : populations_(populations), communicator_(communicator), backend_(backend), stage_items_(stages) {
  if (communicator.size() == 1) return;
  for (std::size_t p = 0; p < populations.size(); ++p) {
    std::vector<std::uint32_t> needed;
    std::vector<char> seen(populations[p]->size(), 0);
    for (std::size_t k = 0; k < projections.size(); ++k) {
      if (projection_pre[k] != p) continue;
      const Projection& projection = *projections[k];
      bool reads = !projection.step_presynaptic_reads().empty();
      for (std::size_t s = 0; s < stages; ++s) reads = reads || !projection.presynaptic_reads(s).empty();
      if (!reads) continue;
      auto more = remote_presynaptic(projection.connectivity().pre, populations[p]->owned(), seen);
      needed.insert(needed.end(), more.begin(), more.end());
    }
    std::sort(needed.begin(), needed.end());
    communicator.plan_halo(p, partition, std::move(needed));
  }
  for (std::size_t k = 0; k < projections.size(); ++k) {
    for (std::size_t s = 0; s < stages; ++s)
      for (const auto& buffer : projections[k]->presynaptic_reads(s)) add(stage_items_[s], projection_pre[k], buffer);
    for (const auto& buffer : projections[k]->step_presynaptic_reads()) add(step_items_, projection_pre[k], buffer);
  }
}

void Halo::add(std::vector<Item>& items, std::size_t population, const backend::BufferHandle& buffer) {
  for (const auto& item : items)
    if (item.buffer == buffer) return;
  auto host = std::find_if(host_.begin(), host_.end(), [&](const auto& h) { return h.first == buffer; });
  if (host == host_.end()) {
    host_.emplace_back(buffer, std::make_unique<std::vector<double>>(backend_.download(*buffer)));
    host = host_.end() - 1;
  }
  items.push_back({population, populations_[population]->owned(), buffer, host->second.get()});
}

// Own block to the host, the halo exchanged there, the whole array back.
void Halo::exchange(const std::vector<Item>& items) {
  for (const auto& item : items) {
    std::span<double> whole(*item.host);
    backend_.download(*item.buffer, whole.subspan(item.owned.begin, item.owned.end - item.owned.begin),
                      item.owned.begin);
    communicator_.exchange_halo(item.population, whole);
    backend_.upload(*item.buffer, std::span<const double>(whole));
  }
}

}  // namespace psst::run
