// [record.PROJECTION]: synapse state variables and per-synapse parameters of chosen
// synapses, sampled like population state (staged in backend memory with gather,
// downloaded in batches, put in order on the writer).
#include <algorithm>

#include <fmt/format.h>

#include "run/hdf5_recorder.hpp"

namespace psst::run {

const Projection* recorded_projection(const Simulation& simulation, const model::RecordSpec& record) {
  for (const auto& p : simulation.populations())
    if (p->name() == record.population) return nullptr;
  for (const auto& q : simulation.projections())
    if (q->name() == record.population) return q.get();
  return nullptr;
}

void check_projection_record(const Simulation& simulation, const model::RecordSpec& record,
                             const Projection& projection) {
  const std::size_t total = projection.slice().total;
  const std::string what = fmt::format("[record.{}]", record.population);
  if (record.neurons && record.neurons->empty())
    throw UserError(record.where, fmt::format("{}: 'synapses' is an empty list; list synapse indices (0 to {}) or "
                                              "write synapses = \"all\"", what, total - 1));
  if (record.neurons)
    for (std::size_t s : *record.neurons)
      if (s >= total)
        throw UserError(record.where, fmt::format("{}: synapse {} does not exist; projection '{}' has {} synapses "
                                                  "(0 to {})", what, s, projection.name(), total, total - 1));
  for (std::size_t k = 0; k < record.variables.size(); ++k) {
    const std::string& variable = record.variables[k];
    if (std::count(record.variables.begin(), record.variables.begin() + static_cast<std::ptrdiff_t>(k), variable))
      throw UserError(record.where, fmt::format("{}: '{}' is listed twice in 'variables'", what, variable));
    if (!projection.recordable(variable)) {
      std::vector<std::string> names = projection.system().state_variables();
      for (const auto& p : projection.parameter_names())
        if (projection.recordable(p)) names.push_back(p);
      throw UserError(record.where, fmt::format("{}: '{}' is not a state variable or per-synapse parameter of "
                                                "projection '{}'; recordable: {}", what, variable, projection.name(),
                                                names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", "))));
    }
  }
  (void)simulation;
}

void Hdf5Recorder::open_synapse_monitors(const Simulation& simulation, const model::RecordSpec& record,
                                         const std::map<std::string, std::size_t>* resume_rows) {
  const Projection& projection = *recorded_projection(simulation, record);
  std::vector<std::size_t> synapses;
  if (record.neurons) {
    synapses = *record.neurons;  // checked by check_records
  } else {
    synapses.resize(projection.slice().total);
    for (std::size_t s = 0; s < synapses.size(); ++s) synapses[s] = s;
  }
  const std::string group = "/projections/" + projection.name();
  for (const auto& variable : record.variables) {
    std::vector<std::int64_t> indices(synapses.begin(), synapses.end());
    if (file_ && !resume_rows) file_->write_vector(group + "/state/synapses", indices);
    std::optional<io::AppendableSeries> values;
    if (file_) values = series(group + "/state/" + variable, io::DataType::Float64, synapses.size(), resume_rows);
    add_synapse_monitor(simulation, projection, variable, synapses, std::move(values));
  }
}

void Hdf5Recorder::add_synapse_monitor(const Simulation& simulation, const Projection& projection,
                                       const std::string& variable, std::vector<std::size_t> synapses,
                                       std::optional<io::AppendableSeries> series) {
  StateMonitor m;
  m.variable = variable;
  m.series = std::move(series);
  m.buffer = projection.recordable(variable);
  // This rank holds synapses [first, first + count) of the whole, in a buffer of its own.
  const std::size_t first = projection.slice().first, count = projection.size();
  std::vector<std::uint32_t> local;
  for (std::size_t s : synapses)
    if (s >= first && s < first + count) local.push_back(static_cast<std::uint32_t>(s - first));
  // The writer finds each synapse's rank from every rank's range (a collective gather).
  const std::vector<double> range{static_cast<double>(first), static_cast<double>(count)};
  const std::vector<double> ranges = simulation.communicator().gather(range);
  const std::size_t ranks = ranges.size() / 2;
  m.rank_count.assign(ranks, 0);
  for (std::size_t s : synapses) {
    const auto x = static_cast<double>(s);  // synapse indices are below 2^32: exact
    std::size_t owner = 0;
    while (owner < ranks && !(x >= ranges[2 * owner] && x < ranges[2 * owner] + ranges[2 * owner + 1])) ++owner;
    if (owner == ranks) continue;  // not the writer: ranges is empty, owners are not needed
    m.owner.push_back(owner);
    m.source.push_back(m.rank_count[owner]++);
  }
  m.rank_first.assign(m.rank_count.size(), 0);
  for (std::size_t r = 1; r < m.rank_count.size(); ++r) m.rank_first[r] = m.rank_first[r - 1] + m.rank_count[r - 1];
  m.local_count = local.size();
  if (!local.empty()) m.local = backend_.allocate_with(std::span<const std::uint32_t>(local));
  m.batch = std::clamp<std::size_t>((std::size_t{1} << 17) / std::max<std::size_t>(1, synapses.size()), 1, 256);
  m.staging = backend_.allocate(backend::ElementType::Float64, m.batch * m.local_count);
  m.neurons = std::move(synapses);
  states_.push_back(std::move(m));
}

}  // namespace psst::run
