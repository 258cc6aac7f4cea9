#pragma once
// A time-varying input sampled per time step (PSST's I[neuron, step]), read from
// the model's table file or segments into the data a backend holds and samples.
#include <cstdint>
#include <string>

#include "backend/input_schedule.hpp"
#include "model/network.hpp"

namespace psst::run {

// Reads the file or converts the segments for a run of `steps` steps of length dt.
backend::InputSchedule make_input_schedule(const model::InputSpec& spec, const std::string& population,
                                           std::size_t size, double dt, std::int64_t steps);

}  // namespace psst::run
