#pragma once
// A spike-time population (`spike_times`, Brian2's SpikeGeneratorGroup) as an
// input schedule: its input spike_due is 1 for neuron i in step k when i has a
// spike at t = k dt, else 0; its threshold `spike_due > 0` is judged on the level,
// as a Poisson population's. Sampled by the backend like any input, so nothing is
// drawn or uploaded per step.
#include <cstdint>
#include <string>

#include "backend/input_schedule.hpp"
#include "model/network.hpp"

namespace psst::run {

// Checks the spikes (indices integers in [0, size), times finite, >= 0, on the step
// grid, in ascending order, one spike per neuron and step) and groups them by step.
// Times past the run's end never fire.
backend::InputSchedule make_spike_schedule(const model::PopulationSpec::SpikeTimes& spikes,
                                           const std::string& population, std::size_t size, double dt);

}  // namespace psst::run
