#pragma once
// The halo of a distributed run: the values of presynaptic neurons owned by
// other ranks that this rank's synapses read. Planned once from the synapses
// this rank holds (the presynaptic neurons outside its own blocks), then
// exchanged through the Communicator before the projections' kernels of every
// stage (stage state, state) and once at the end of each step, before event
// delivery (what on_pre reads of the presynaptic neuron, and the last-spike
// times, which change only then). With one process it does nothing.
#include <cstddef>
#include <memory>
#include <vector>

#include "backend/backend.hpp"
#include "comm/communicator.hpp"
#include "run/population.hpp"
#include "run/projection.hpp"

namespace psst::run {

class Halo {
 public:
  // `projection_pre[k]` is the population index of projection k's presynaptic side.
  // Collective: every rank calls it with the same model.
  Halo(const std::vector<std::unique_ptr<Population>>& populations,
       const std::vector<std::unique_ptr<Projection>>& projections, const std::vector<std::size_t>& projection_pre,
       std::size_t stages, const comm::Partition& partition, comm::Communicator& communicator,
       backend::Backend& backend);
  // Before the projections' kernels of stage `stage`.
  void exchange_stage(std::size_t stage) { exchange(stage_items_.at(stage)); }
  // After spike detection, before event delivery.
  void exchange_step() { exchange(step_items_); }

 private:
  struct Item {
    std::size_t population;
    NeuronRange owned;
    backend::BufferHandle buffer;
    std::vector<double>* host;  // the whole array on the host, one per buffer
  };
  void add(std::vector<Item>& items, std::size_t population, const backend::BufferHandle& buffer);
  void exchange(const std::vector<Item>& items);

  const std::vector<std::unique_ptr<Population>>& populations_;
  comm::Communicator& communicator_;
  backend::Backend& backend_;
  std::vector<std::vector<Item>> stage_items_;
  std::vector<Item> step_items_;
  std::vector<std::pair<backend::BufferHandle, std::unique_ptr<std::vector<double>>>> host_;
};

}  // namespace psst::run
