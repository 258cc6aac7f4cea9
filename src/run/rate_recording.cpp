// [record.POP] rate_bin: the population's spikes counted per bin of rate_bin ms,
// from the spikes every step hands the recorder (no backend state is read).
// Bin b holds the spikes of steps [b * B, (b + 1) * B) (B = rate_bin / dt; a
// spike's time is the start of its step), written when the bin is complete; a
// last bin that the run does not complete is not written.
#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "run/hdf5_recorder.hpp"

namespace psst::run {

void check_rate_record(const Simulation& simulation, const model::RecordSpec& record, const Population& population) {
  if (record.rate_bin <= 0.0) return;
  const std::string what = fmt::format("[record.{}].rate_bin", record.population);
  if (!population.has_threshold())
    throw UserError(record.where, fmt::format("{} = {} ms: population '{}' has no threshold, so no spikes to count",
                                              what, record.rate_bin, population.name()));
  try {
    (void)whole_steps(record.rate_bin, simulation.dt(), what);
  } catch (const UserError& e) {
    throw UserError(record.where, e.what());
  }
}

void Hdf5Recorder::open_rate_monitor(const Simulation& simulation, std::size_t population,
                                     const model::RecordSpec& record,
                                     const std::map<std::string, std::size_t>* resume_rows) {
  const Population& pop = *simulation.populations()[population];
  const std::string group = "/populations/" + pop.name() + "/rate";
  const std::size_t instances = pop.instances();
  RateMonitor m{population, whole_steps(record.rate_bin, simulation.dt(), "rate_bin"),
                std::vector<std::int64_t>(instances, 0),
                series(group + "/count", io::DataType::Int64, instances > 1 ? instances : 0, resume_rows),
                series(group + "/time", io::DataType::Float64, 0, resume_rows)};
  if (resume_rows)  // the counts of a bin the checkpoint fell within
    for (std::size_t k = 0; k < instances; ++k) {
      auto it = resume_rows->find(fmt::format("{}#partial{}", m.count.dataset_path(), k));
      if (it != resume_rows->end()) m.counts[k] = static_cast<std::int64_t>(it->second);
    }
  rates_.push_back(std::move(m));
}

void Hdf5Recorder::count_rates(const Simulation& simulation, std::int64_t step,
                               const std::vector<std::vector<std::size_t>>& spikes) {
  for (auto& m : rates_) {
    const std::size_t size = simulation.populations()[m.population]->instance_size();
    for (std::size_t neuron : spikes[m.population]) ++m.counts[neuron / size];
    if (step % m.bin_steps != 0) continue;  // steps 1..n hold the spikes of times 0..(n-1) dt
    if (m.counts.size() == 1) {
      m.count.append_value(m.counts[0]);
    } else {
      m.count.append_row(std::span<const std::int64_t>(m.counts));
    }
    m.time.append_value(static_cast<double>(step - m.bin_steps) * simulation.dt());
    std::fill(m.counts.begin(), m.counts.end(), 0);
  }
}

}  // namespace psst::run
