#pragma once
// Streams a run into one HDF5 file (layout in README.md, "Output files"):
//   /time                                  recorded sample times (ms)
//   /populations/<P>/spikes/index, /time   one entry per spike, in time order
//   /populations/<P>/state/<var>           samples x recorded neurons (float64)
//   /populations/<P>/state/neurons         the recorded neuron indices
// and root attributes dt, duration, method, seed, backend, psst_version, model.
// Every dataset is written in chunks as the run goes: memory does not grow
// with simulated time.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
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
  // Checks the record specs (check_records), then creates the file: a bad
  // [record] table leaves no file behind.
  Hdf5Recorder(Simulation& simulation, const std::filesystem::path& path, bool overwrite);
  // Continues a file: every series is cut back to its length at the checkpoint
  // (`rows`, by dataset path), then appended to.
  Hdf5Recorder(Simulation& simulation, io::Hdf5File file, const std::map<std::string, std::size_t>& rows);

  void on_start(const Simulation& simulation) override;
  void on_step(const Simulation& simulation, std::int64_t step,
               const std::vector<std::vector<std::size_t>>& spikes) override;
  void on_finish(const Simulation& simulation) override;
  // Writes every staged sample and every buffered row to the file.
  void flush();
  // Rows of every series (after flush(): all on disk), by dataset path.
  std::map<std::string, std::size_t> rows() const;
  io::Hdf5File& file() { return file_; }

 private:
  // Samples of a variable are gathered into a staging buffer in the backend's memory
  // (the recorded neurons only) and downloaded `batch` samples at a time.
  struct StateMonitor {
    std::size_t population = 0;
    std::string variable;
    std::vector<std::size_t> neurons;
    io::AppendableSeries series;
    backend::BufferHandle buffer;   // the variable's state buffer
    backend::BufferHandle index;    // the recorded neurons (Index)
    backend::BufferHandle staging;  // batch x neurons samples
    std::size_t batch = 1, staged = 0;
    std::vector<double> rows;       // host copy of the staged samples
  };
  void drain(StateMonitor& monitor);
  struct SpikeMonitor {
    std::size_t population = 0;
    io::AppendableSeries index, time;
  };
  void sample(const Simulation& simulation);
  void write_attributes(const Simulation& simulation);
  // Creates (or, when resuming, reopens and truncates) the series of every monitor.
  void open_monitors(const Simulation& simulation, const std::map<std::string, std::size_t>* resume_rows);
  void add_state_monitor(std::size_t population, const std::string& variable, const std::vector<std::size_t>& neurons,
                         io::AppendableSeries series, const Simulation& simulation);
  io::AppendableSeries series(const std::string& path, io::DataType type, std::size_t columns,
                              const std::map<std::string, std::size_t>* resume_rows);

  backend::Backend& backend_;
  io::Hdf5File file_;
  std::unique_ptr<io::AppendableSeries> time_;
  std::vector<StateMonitor> states_;
  std::vector<SpikeMonitor> spikes_;
  std::chrono::steady_clock::time_point last_flush_;
  bool resuming_ = false;
};

}  // namespace psst::run
