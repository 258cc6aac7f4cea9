#include "run/state_snapshot.hpp"

#include <fmt/format.h>

namespace psst::run {

void StateSnapshot::allocate() {
  backend::Backend& backend = simulation_.backend();
  auto copy_of = [&](const backend::BufferHandle& live) {
    return Copy{live, backend.allocate(backend::ElementType::Float64, live->size())};
  };
  for (const auto& population : simulation_.populations()) {
    populations_.emplace_back();
    for (const auto& name : population->persistent_arrays())
      populations_.back().push_back(copy_of(population->persistent_buffer(name)));
  }
  for (const auto& projection : simulation_.projections()) {
    projections_.emplace_back();
    for (const auto& name : projection->persistent_arrays())
      projections_.back().push_back(copy_of(projection->persistent_buffer(name)));
  }
}

void StateSnapshot::save() {
  // Spikes held by the run layer until the next exchange are not in the backend's queues.
  if (simulation_.spikes_pending())
    throw InternalError(fmt::format("state snapshot at step {} within a spike-exchange interval", simulation_.step()));
  if (step_ < 0) allocate();
  backend::Backend& backend = simulation_.backend();
  for (auto* owners : {&populations_, &projections_})
    for (auto& arrays : *owners)
      for (auto& array : arrays) backend.copy(*array.live, *array.saved);
  // Spikes in flight live in the backend's event queues; they cross to the host (the
  // primitive checkpoints use), a few per neuron at most.
  in_flight_.clear();
  for (const auto& projection : simulation_.projections()) in_flight_.push_back(projection->events_in_flight());
  step_ = simulation_.step();
}

void StateSnapshot::restore() {
  if (step_ < 0) throw InternalError("a state snapshot restored before it was saved");
  backend::Backend& backend = simulation_.backend();
  for (auto* owners : {&populations_, &projections_})
    for (auto& arrays : *owners)
      for (auto& array : arrays) backend.copy(*array.saved, *array.live);
  for (std::size_t k = 0; k < in_flight_.size(); ++k)
    simulation_.projections()[k]->restore_events_in_flight(in_flight_[k]);
  simulation_.restore_step(step_);
}

const backend::Buffer& StateSnapshot::population_array(std::size_t population, const std::string& name) const {
  const auto names = simulation_.populations().at(population)->persistent_arrays();
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k] == name) return *populations_.at(population).at(k).saved;
  throw InternalError("no saved array " + name);
}

}  // namespace psst::run
