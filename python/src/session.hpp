#pragma once
// A simulation driven from Python: the run::Simulation, its HDF5 recorder and
// its numerical guard, advanced a chunk of steps at a time (the Python side
// releases the GIL around each chunk, shows progress between chunks and turns
// Ctrl-C into a checkpoint). A run past the simulation's end, or a parameter
// set between runs, rebuilds the simulation from a checkpoint in its own file,
// as `psst resume` does: the kernels come from the kernel cache, so nothing is
// compiled again.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "model/network.hpp"
#include "run/finite_state_guard.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/simulation.hpp"

namespace psst::python {

struct SessionOptions {
  std::string backend = "default";
  int threads = 0;
  std::string precision;      // "" = the model's
  std::filesystem::path out;  // the output file
  bool overwrite = false;
  std::string cache_dir;      // "" = the default kernel cache
};

class Session {
 public:
  Session(model::NetworkSpec spec, run::RunOverrides overrides, const SessionOptions& options);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  double dt() const { return simulation_->dt(); }
  std::int64_t step() const { return simulation_->step(); }
  std::int64_t total_steps() const { return simulation_->total_steps(); }
  std::string backend_name() const { return simulation_->backend_name(); }
  const model::NetworkSpec& spec() const { return simulation_->spec(); }
  const std::filesystem::path& out() const { return out_; }

  // Makes the run reach `end_step`: rebuilds (from a checkpoint) when that is past
  // the simulation's end or a parameter was set since the last run.
  void prepare(std::int64_t end_step);
  // Advances to `last_step` (at most the end); safe to call without the GIL.
  std::int64_t advance(std::int64_t last_step);
  // `owner.name = value` from the next run on; a UserError names what exists.
  void set(const std::string& owner, const std::string& name, double value);
  // Flushes every sample to the file and writes a checkpoint there.
  void checkpoint();
  void flush();
  io::Hdf5File& file();
  // Host copy of a state variable of every neuron of a population, now.
  std::vector<double> current_state(const std::string& population, const std::string& variable) const;

 private:
  void start(std::unique_ptr<run::Simulation> simulation);
  void rebuild(std::int64_t total_steps);
  // A rebuild that failed half-way (the file could not be reopened) leaves no recorder.
  void require_recorder() const;

  model::NetworkSpec spec_;      // as given, without the settings
  run::RunOverrides overrides_;  // backend, precision, duration and every set
  std::filesystem::path out_;
  std::string input_hashes_;
  bool pending_settings_ = false;
  std::unique_ptr<run::Simulation> simulation_;
  std::unique_ptr<run::Hdf5Recorder> recorder_;  // after simulation_: destroyed first
  std::optional<run::FiniteStateGuard> guard_;  // of simulation_, destroyed before it
};

}  // namespace psst::python
