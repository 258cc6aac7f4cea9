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

class Hdf5Recorder final : public StepObserver {
 public:
  // Checks the record specs (check_records), then creates the file (on the writer
  // rank): a bad [record] table leaves no file behind.
  Hdf5Recorder(const Simulation& simulation, const std::filesystem::path& path, bool overwrite);
  // Continues a file (the writer's; none on other ranks): every series is cut back
  // to its length at the checkpoint (`rows`, by dataset path), then appended to.
  Hdf5Recorder(const Simulation& simulation, std::optional<io::Hdf5File> file,
               const std::map<std::string, std::size_t>& rows);

  void on_start(const Simulation& simulation) override;
  void on_step(const Simulation& simulation, std::int64_t step,
               const std::vector<std::vector<std::size_t>>& spikes) override;
  void on_finish(const Simulation& simulation) override;
  void flush();
  // Rows of every series (after flush(): all on disk), by dataset path.
  std::map<std::string, std::size_t> rows() const;
  // Whether this rank writes the file (rank 0); file() is the writer's only.
  bool writer() const { return file_.has_value(); }
  io::Hdf5File& file();

 private:
  struct StateMonitor {
    std::size_t population = 0;
    std::string variable;
    std::vector<std::size_t> neurons;
    std::optional<io::AppendableSeries> series;  // the writer's
    std::vector<double> row;
    backend::BufferHandle buffer;  // the variable's state buffer
  };
  struct SpikeMonitor {
    std::size_t population = 0;
    io::AppendableSeries index, time;
  };
  void sample(const Simulation& simulation);
  void write_attributes(const Simulation& simulation);
  // Creates (or, when resuming, reopens and truncates) the series of every monitor.
  void open_monitors(const Simulation& simulation, const std::map<std::string, std::size_t>* resume_rows);
  io::AppendableSeries series(const std::string& path, io::DataType type, std::size_t columns,
                              const std::map<std::string, std::size_t>* resume_rows);

  std::optional<io::Hdf5File> file_;
  std::unique_ptr<io::AppendableSeries> time_;
  std::vector<StateMonitor> states_;
  std::vector<SpikeMonitor> spikes_;
  std::chrono::steady_clock::time_point last_flush_;
  bool resuming_ = false;
};

}  // namespace psst::run
