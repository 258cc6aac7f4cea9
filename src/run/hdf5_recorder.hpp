#pragma once
// Streams a run into one HDF5 file (layout in README.md, "Output files"):
//   /time                                  recorded sample times (ms)
//   /populations/<P>/spikes/index, /time   one entry per spike, in time order
//   /populations/<P>/state/<var>           samples x recorded neurons (float64)
//   /populations/<P>/state/neurons         the recorded neuron indices
// and root attributes dt, duration, method, seed, backend, psst_version, model.
// Every dataset is written in chunks as the run goes: memory does not grow
// with simulated time. In a distributed run every rank has a recorder, but only
// rank 0 (the writer) has the file: the others take part in the gathers of the
// recorded state.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/hdf5_file.hpp"
#include "run/simulation.hpp"

namespace psst::run {

// Checks the [record] tables against the simulation: unknown populations,
// variables that are not state variables, neuron indices out of range.
void check_records(const Simulation& simulation);
// A [record.POP] rate_bin: a population with a threshold, a whole number of steps.
void check_rate_record(const Simulation& simulation, const model::RecordSpec& record, const Population& population);

// The projection a [record.NAME] table names (no population has that name), or nullptr.
const Projection* recorded_projection(const Simulation& simulation, const model::RecordSpec& record);
// Checks a [record.PROJECTION] table: synapse indices, recordable variables.
void check_projection_record(const Simulation& simulation, const model::RecordSpec& record, const Projection& projection);

class Hdf5Recorder final : public StepObserver {
 public:
  // Checks the record specs (check_records), then creates the file (on the writer
  // rank): a bad [record] table leaves no file behind.
  Hdf5Recorder(Simulation& simulation, const std::filesystem::path& path, bool overwrite);
  // Continues a file (the writer's; none on other ranks): every series is cut back
  // to its length at the checkpoint (`rows`, by dataset path), then appended to.
  Hdf5Recorder(Simulation& simulation, std::optional<io::Hdf5File> file,
               const std::map<std::string, std::size_t>& rows);

  void on_start(const Simulation& simulation) override;
  void on_step(const Simulation& simulation, std::int64_t step,
               const std::vector<std::vector<std::size_t>>& spikes) override;  // state samples
  void on_spikes(const Simulation& simulation, std::int64_t step,
                 const std::vector<std::vector<std::size_t>>& spikes) override;
  void on_finish(const Simulation& simulation) override;
  // Writes every staged sample and every buffered row to the file. Collective: every
  // rank calls it at the same point (checkpoints, the end of the run).
  void flush();
  // Rows of every series (after flush(): all on disk), by dataset path.
  std::map<std::string, std::size_t> rows() const;
  // Whether this rank writes the file (rank 0); file() is the writer's only.
  bool writer() const { return file_.has_value(); }
  io::Hdf5File& file();

 private:
  // Each rank gathers the recorded neurons it owns into a staging buffer in the
  // backend's memory at every sample; `batch` samples at a time are downloaded and
  // gathered on the writer, which puts each row back in the order of `neurons`.
  struct StateMonitor {
    std::size_t population = 0;
    std::string variable;
    std::vector<std::size_t> neurons;            // recorded, in the file's order
    std::optional<io::AppendableSeries> series;  // the writer's
    backend::BufferHandle buffer;                // the variable's state buffer
    backend::BufferHandle local;                 // the recorded neurons this rank owns (Index)
    std::size_t local_count = 0;
    backend::BufferHandle staging;               // batch x local_count samples
    std::size_t batch = 1, staged = 0;
    std::vector<std::size_t> owner;              // the rank of recorded neuron j
    std::vector<std::size_t> source;             // writer: neuron j of a row is value source[j] of a gathered sample...
    std::vector<std::size_t> rank_first;         // ...within the block of its rank, which starts at rank_first[r] * staged
    std::vector<std::size_t> rank_count;
  };
  void add_state_monitor(const Simulation& simulation, std::size_t population, const std::string& variable,
                         std::vector<std::size_t> neurons, std::optional<io::AppendableSeries> series);
  // [record.PROJECTION]: a synapse variable of chosen synapses (global indices), each
  // gathered by the rank that holds it (synapse_recording.cpp).
  void add_synapse_monitor(const Simulation& simulation, const Projection& projection, const std::string& variable,
                           std::vector<std::size_t> synapses, std::optional<io::AppendableSeries> series);
  void open_synapse_monitors(const Simulation& simulation, const model::RecordSpec& record,
                             const std::map<std::string, std::size_t>* resume_rows);
  // Downloads the staged samples of every rank and appends them to the file (collective).
  void drain(const Simulation& simulation, StateMonitor& monitor);
  struct SpikeMonitor {
    std::size_t population = 0;
    io::AppendableSeries index, time;
    std::optional<io::AppendableSeries> instance;  // an ensemble's: index is then within the instance
  };
  // rate_bin: the spikes of the whole population (of each instance) counted per bin of
  // bin_steps steps, a row written when a bin is complete (rate_recording.cpp).
  struct RateMonitor {
    std::size_t population = 0;
    std::int64_t bin_steps = 1;
    std::vector<std::int64_t> counts;  // of the bin in progress, per instance
    io::AppendableSeries count, time;
  };
  void open_rate_monitor(const Simulation& simulation, std::size_t population, const model::RecordSpec& record,
                         const std::map<std::string, std::size_t>* resume_rows);
  void count_rates(const Simulation& simulation, std::int64_t step,
                   const std::vector<std::vector<std::size_t>>& spikes);
  void sample(const Simulation& simulation);
  void write_attributes(const Simulation& simulation);
  // Creates (or, when resuming, reopens and truncates) the series of every monitor.
  void open_monitors(const Simulation& simulation, const std::map<std::string, std::size_t>* resume_rows);
  io::AppendableSeries series(const std::string& path, io::DataType type, std::size_t columns,
                              const std::map<std::string, std::size_t>* resume_rows, std::size_t blocks = 0);
  void write_instances(const Simulation& simulation);  // an ensemble's seeds and swept values

  const Simulation& simulation_;
  backend::Backend& backend_;
  std::optional<io::Hdf5File> file_;
  std::unique_ptr<io::AppendableSeries> time_;
  std::vector<StateMonitor> states_;
  std::vector<SpikeMonitor> spikes_;
  std::vector<RateMonitor> rates_;
  std::chrono::steady_clock::time_point last_flush_;
  bool resuming_ = false;
};

}  // namespace psst::run
