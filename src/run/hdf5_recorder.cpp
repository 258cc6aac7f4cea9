#include "run/hdf5_recorder.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "run/connectivity_output.hpp"
#include "version.hpp"

namespace psst::run {

namespace {

std::size_t chunk_rows_for(std::size_t columns) {
  // About 256 KiB per chunk: large writes, small buffers.
  return std::clamp<std::size_t>(32768 / std::max<std::size_t>(columns, 1), 16, 4096);
}

std::size_t population_index(const Simulation& simulation, const model::RecordSpec& record) {
  const auto& pops = simulation.populations();
  for (std::size_t p = 0; p < pops.size(); ++p)
    if (pops[p]->name() == record.population) return p;
  std::string names;
  for (const auto& p : pops) names += (names.empty() ? "" : ", ") + p->name();
  throw UserError(record.where, fmt::format("[record.{}]: there is no population '{}'; the populations are {}",
                                            record.population, record.population, names));
}

std::optional<io::Hdf5File> create_checked(const Simulation& simulation, const std::filesystem::path& path,
                                           bool overwrite) {
  check_records(simulation);
  if (simulation.communicator().rank() != 0) return std::nullopt;
  return io::Hdf5File::create(path, overwrite);
}

}  // namespace

void check_records(const Simulation& simulation) {
  for (const auto& record : simulation.spec().records) {
    if (const Projection* projection = recorded_projection(simulation, record)) {
      if (record.rate_bin > 0.0)
        throw UserError(record.where, fmt::format("[record.{}]: rate_bin counts a population's spikes; '{}' is a "
                                                  "projection", record.population, record.population));
      check_projection_record(simulation, record, *projection);
      continue;
    }
    const Population& population = *simulation.populations()[population_index(simulation, record)];
    check_rate_record(simulation, record, population);
    if (record.neurons && record.neurons->empty())
      throw UserError(record.where, fmt::format("[record.{}]: 'neurons' is an empty list; list neuron indices (0 to "
                                                "{}) or write neurons = \"all\"",
                                                record.population, population.size() - 1));
    if (record.neurons)
      for (std::size_t n : *record.neurons)
        if (n >= population.instance_size())  // in an ensemble, of every instance
          throw UserError(record.where, fmt::format("[record.{}]: neuron {} does not exist; the population has {} "
                                                    "neurons (0 to {})",
                                                    record.population, n, population.instance_size(),
                                                    population.instance_size() - 1));
    for (std::size_t k = 0; k < record.variables.size(); ++k) {
      const std::string& variable = record.variables[k];
      if (std::count(record.variables.begin(), record.variables.begin() + static_cast<std::ptrdiff_t>(k), variable))
        throw UserError(record.where, fmt::format("[record.{}]: '{}' is listed twice in 'variables'",
                                                  record.population, variable));
      const auto& system = population.system();
      const auto& definitions = system.definitions();
      // State variables, definitions and summed synaptic inputs (the last two evaluated at
      // each sample time: Simulation::observe).
      if (!system.is_state(variable) && !system.is_external(variable) &&
          std::count(definitions.begin(), definitions.end(), variable) == 0) {
        std::string names = fmt::format("state variables: {}", fmt::join(system.state_variables(), ", "));
        if (!definitions.empty()) names += fmt::format("; definitions: {}", fmt::join(definitions, ", "));
        if (!system.external_names().empty())
          names += fmt::format("; summed synaptic inputs: {}", fmt::join(system.external_names(), ", "));
        const auto& inputs = system.inputs();
        const bool input = std::count(inputs.begin(), inputs.end(), variable) > 0;
        const std::string what = input ? fmt::format("'{}' of population '{}' is an input table, which psst does not "
                                                     "record", variable, population.name())
                                       : fmt::format("population '{}' has no variable '{}'", population.name(), variable);
        throw UserError(record.where, fmt::format("[record.{}]: {}; recordable are its {}", record.population, what, names));
      }
    }
  }
}

Hdf5Recorder::Hdf5Recorder(Simulation& simulation, const std::filesystem::path& path, bool overwrite)
    : simulation_(simulation),
      backend_(simulation.backend()),
      file_(create_checked(simulation, path, overwrite)),
      last_flush_(std::chrono::steady_clock::now()) {
  write_attributes(simulation);
  write_connectivity(simulation, file_ ? &*file_ : nullptr);  // a resumed run's file has it already
  open_monitors(simulation, nullptr);
}

Hdf5Recorder::Hdf5Recorder(Simulation& simulation, std::optional<io::Hdf5File> file,
                           const std::map<std::string, std::size_t>& rows)
    : simulation_(simulation), backend_(simulation.backend()), file_(std::move(file)), last_flush_(std::chrono::steady_clock::now()), resuming_(true) {
  check_records(simulation);
  write_attributes(simulation);
  open_monitors(simulation, &rows);
}

io::Hdf5File& Hdf5Recorder::file() {
  if (!file_) throw InternalError("the output file is written by rank 0 only");
  return *file_;
}

void Hdf5Recorder::write_attributes(const Simulation& simulation) {
  if (!file_) return;
  auto& file = *file_;
  const auto& spec = simulation.spec();
  file.set_attribute("/", "psst_version", psst::version);
  file.set_attribute("/", "dt", simulation.dt());
  file.set_attribute("/", "duration", spec.simulation.duration);
  file.set_attribute("/", "steps", simulation.total_steps());
  file.set_attribute("/", "method", simulation.scheme().name);
  file.set_attribute("/", "precision", spec.simulation.precision);
  file.set_attribute("/", "math", spec.simulation.math);
  file.set_attribute("/", "seed", static_cast<std::int64_t>(simulation.seed()));
  file.set_attribute("/", "backend", simulation.backend_name());
  file.set_attribute("/", "record_every", static_cast<double>(simulation.record_every_steps()) * simulation.dt());
  file.set_attribute("/", "model_file", spec.source_file);
  file.set_attribute("/", "model", spec.source_text);
  if (simulation.instances() > 1) write_instances(simulation);
}

// An ensemble: the attribute `instances` (K), /instances/seed (instance k's seed) and, per swept
// parameter, /instances/<OWNER.NAME> (instance k's value).
void Hdf5Recorder::write_instances(const Simulation& simulation) {
  auto& file = *file_;
  const Ensemble& ensemble = simulation.ensemble();
  file.set_attribute("/", "instances", static_cast<std::int64_t>(ensemble.instances()));
  if (file.exists("/instances/seed")) return;  // resuming
  std::vector<std::int64_t> seeds;
  for (std::size_t k = 0; k < ensemble.instances(); ++k) seeds.push_back(static_cast<std::int64_t>(ensemble.instance_seed(k)));
  file.write_vector("/instances/seed", seeds);
  if (!ensemble.swept()) return;
  for (std::size_t e = 0; e < ensemble.swept(0).size(); ++e) {
    std::vector<double> values;
    for (std::size_t k = 0; k < ensemble.instances(); ++k) values.push_back(ensemble.swept(k)[e].value);
    const auto& first = ensemble.swept(0)[e];
    file.write_vector(fmt::format("/instances/{}.{}", first.owner, first.name), values);
  }
}

io::AppendableSeries Hdf5Recorder::series(const std::string& path, io::DataType type, std::size_t columns,
                                          const std::map<std::string, std::size_t>* resume_rows, std::size_t blocks) {
  std::size_t chunk = columns == 0 ? 4096 : chunk_rows_for(columns);
  io::Hdf5File& out = file();
  if (!resume_rows) return out.create_series(path, type, columns, chunk, blocks);
  auto it = resume_rows->find(path);
  if (it == resume_rows->end() || !out.exists(path))
    throw UserError(fmt::format("cannot resume '{}': dataset {} is missing from the file or its checkpoint",
                                out.path(), path));
  out.truncate_series(path, it->second);
  return out.open_series(path, chunk);
}

void Hdf5Recorder::open_monitors(const Simulation& simulation, const std::map<std::string, std::size_t>* resume_rows) {
  const auto& spec = simulation.spec();
  if (file_) time_ = std::make_unique<io::AppendableSeries>(series("/time", io::DataType::Float64, 0, resume_rows));
  std::vector<bool> spikes_recorded(simulation.populations().size(), false);
  for (const auto& record : spec.records) {
    if (recorded_projection(simulation, record)) {
      open_synapse_monitors(simulation, record, resume_rows);
      continue;
    }
    std::size_t p = population_index(simulation, record);
    const Population& population = *simulation.populations()[p];
    std::vector<std::size_t> neurons;  // within an instance
    if (record.neurons) {
      neurons = *record.neurons;  // checked by check_records
    } else {
      neurons.resize(population.instance_size());
      for (std::size_t i = 0; i < neurons.size(); ++i) neurons[i] = i;
    }
    // An ensemble records them in every instance: rows of (instances, neurons).
    const std::size_t instances = population.instances();
    std::vector<std::size_t> elements;
    for (std::size_t k = 0; k < instances; ++k)
      for (std::size_t n : neurons) elements.push_back(k * population.instance_size() + n);
    const std::string group = "/populations/" + population.name();
    for (const auto& variable : record.variables) {
      std::vector<std::int64_t> indices(neurons.begin(), neurons.end());
      if (file_ && !resume_rows) file_->write_vector(group + "/state/neurons", indices);
      std::optional<io::AppendableSeries> values;
      if (file_)
        values = series(group + "/state/" + variable, io::DataType::Float64, elements.size(), resume_rows,
                        instances > 1 ? instances : 0);
      add_state_monitor(simulation, p, variable, elements, std::move(values));
    }
    if (file_ && record.spikes && !spikes_recorded[p] && population.has_threshold()) {
      spikes_recorded[p] = true;
      spikes_.push_back({p, series(group + "/spikes/index", io::DataType::Int64, 0, resume_rows),
                         series(group + "/spikes/time", io::DataType::Float64, 0, resume_rows), std::nullopt});
      if (instances > 1)
        spikes_.back().instance = series(group + "/spikes/instance", io::DataType::Int64, 0, resume_rows);
    }
    if (file_ && record.rate_bin > 0.0) open_rate_monitor(simulation, p, record, resume_rows);
  }
}

std::map<std::string, std::size_t> Hdf5Recorder::rows() const {
  if (!file_) return {};
  std::map<std::string, std::size_t> rows{{time_->dataset_path(), time_->rows_written()}};
  for (const auto& m : states_) rows[m.series->dataset_path()] = m.series->rows_written();
  for (const auto& m : spikes_) {
    rows[m.index.dataset_path()] = m.index.rows_written();
    rows[m.time.dataset_path()] = m.time.rows_written();
    if (m.instance) rows[m.instance->dataset_path()] = m.instance->rows_written();
  }
  for (const auto& m : rates_) {
    rows[m.count.dataset_path()] = m.count.rows_written();
    rows[m.time.dataset_path()] = m.time.rows_written();
    // The bin in progress (a checkpoint may fall within a bin): its counts so far.
    for (std::size_t k = 0; k < m.counts.size(); ++k)
      rows[fmt::format("{}#partial{}", m.count.dataset_path(), k)] = static_cast<std::size_t>(m.counts[k]);
  }
  return rows;
}

void Hdf5Recorder::add_state_monitor(const Simulation& simulation, std::size_t population,
                                     const std::string& variable, std::vector<std::size_t> neurons,
                                     std::optional<io::AppendableSeries> series) {
  StateMonitor m;
  m.population = population;
  m.variable = variable;
  m.series = std::move(series);
  m.buffer = simulation.populations()[population]->recorded_buffer(variable);
  // Which rank owns each recorded neuron, and where it is in that rank's list.
  const auto& partition = simulation.partition();
  const int rank = simulation.communicator().rank();
  m.rank_count.assign(static_cast<std::size_t>(simulation.communicator().size()), 0);
  std::vector<std::uint32_t> local;
  for (std::size_t n : neurons) {
    const auto owner = static_cast<std::size_t>(partition.owner(population, n));
    m.owner.push_back(owner);
    m.source.push_back(m.rank_count[owner]++);
    if (static_cast<int>(owner) == rank) local.push_back(static_cast<std::uint32_t>(n));
  }
  m.rank_first.assign(m.rank_count.size(), 0);
  for (std::size_t r = 1; r < m.rank_count.size(); ++r) m.rank_first[r] = m.rank_first[r - 1] + m.rank_count[r - 1];
  m.local_count = local.size();
  if (!local.empty()) m.local = backend_.allocate_with(std::span<const std::uint32_t>(local));
  // Up to 1 MiB of samples of the whole row (at most 256) staged before one download:
  // the same batch on every rank, so that every rank drains at the same sample.
  m.batch = std::clamp<std::size_t>((std::size_t{1} << 17) / std::max<std::size_t>(1, neurons.size()), 1, 256);
  m.staging = backend_.allocate(backend::ElementType::Float64, m.batch * m.local_count);
  m.neurons = std::move(neurons);
  states_.push_back(std::move(m));
}

void Hdf5Recorder::sample(const Simulation& simulation) {
  if (time_) time_->append_value(simulation.time());
  if (!states_.empty()) simulation.observe();  // recorded definitions and synaptic inputs, if any
  for (auto& monitor : states_) {
    if (monitor.local_count > 0)
      backend_.gather(*monitor.buffer, *monitor.local, *monitor.staging, monitor.staged * monitor.local_count);
    if (++monitor.staged == monitor.batch) drain(simulation, monitor);
  }
}

void Hdf5Recorder::drain(const Simulation& simulation, StateMonitor& monitor) {
  if (monitor.staged == 0) return;
  std::vector<double> staged(monitor.staged * monitor.local_count);
  backend_.download(*monitor.staging, std::span<double>(staged), 0);
  // By rank, each rank's block sample by sample, each sample in the order of `neurons`.
  const std::vector<double> all = simulation.communicator().gather(staged);
  if (monitor.series) {
    std::vector<double> row(monitor.neurons.size());
    for (std::size_t r = 0; r < monitor.staged; ++r) {
      for (std::size_t j = 0; j < row.size(); ++j) {
        const std::size_t owner = monitor.owner[j];
        row[j] = all[monitor.rank_first[owner] * monitor.staged + r * monitor.rank_count[owner] + monitor.source[j]];
      }
      monitor.series->append_row(row);
    }
  }
  monitor.staged = 0;
}

void Hdf5Recorder::on_start(const Simulation& simulation) {
  // A resumed run's checkpoint step was sampled before the checkpoint was taken.
  if (!resuming_ && simulation.step() % simulation.record_every_steps() == 0) sample(simulation);
}

void Hdf5Recorder::on_spikes(const Simulation& simulation, std::int64_t step,
                             const std::vector<std::vector<std::size_t>>& spikes) {
  const double spike_time = static_cast<double>(step - 1) * simulation.dt();
  for (auto& monitor : spikes_) {
    const std::size_t size = simulation.populations()[monitor.population]->instance_size();
    for (std::size_t neuron : spikes[monitor.population]) {
      monitor.index.append_value(static_cast<std::int64_t>(monitor.instance ? neuron % size : neuron));
      if (monitor.instance) monitor.instance->append_value(static_cast<std::int64_t>(neuron / size));
      monitor.time.append_value(spike_time);
    }
  }
  count_rates(simulation, step, spikes);
}

void Hdf5Recorder::on_step(const Simulation& simulation, std::int64_t step, const std::vector<std::vector<std::size_t>>&) {
  if (step % simulation.record_every_steps() == 0) sample(simulation);
  // Bound what a crash can lose: flush at least every 10 s of wall time.
  // (The rows drained so far; staged samples are drained by every rank together.)
  if (file_ && (step & 1023) == 0 && std::chrono::steady_clock::now() - last_flush_ > std::chrono::seconds(10)) {
    file_->flush();
    last_flush_ = std::chrono::steady_clock::now();
  }
}

void Hdf5Recorder::on_finish(const Simulation&) { flush(); }

void Hdf5Recorder::flush() {
  for (auto& monitor : states_) drain(simulation_, monitor);
  if (!file_) return;
  file_->flush();  // writes the buffers of every series first
  last_flush_ = std::chrono::steady_clock::now();
}

}  // namespace psst::run
