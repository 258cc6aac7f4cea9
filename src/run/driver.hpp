#pragma once
// Runs a model into an HDF5 file, or continues one from its checkpoint: what
// `psst run` and `psst resume` do, with checkpoints, NaN detection, progress
// and a clean stop when asked (SIGINT, SIGTERM).
#include <atomic>
#include <filesystem>
#include <optional>
#include <string>

#include "model/network.hpp"
#include "run/simulation.hpp"

namespace psst::run {

struct DriverOptions {
  std::filesystem::path out;
  bool overwrite = false;
  double checkpoint_every = 0.0;            // ms; 0: no periodic checkpoints
  bool progress = false;                    // print the progress line
  const std::atomic<int>* stop = nullptr;   // non-zero: stop at the next step boundary
};

struct DriverResult {
  bool interrupted = false;   // stopped by `stop`; a checkpoint was written
  double time = 0.0;          // ms reached
  std::int64_t steps = 0;     // steps done in this call
  double seconds = 0.0;       // wall time of the steps
  double cpu_seconds = 0.0;   // CPU time of this process (all threads) during the steps
  std::size_t spikes = 0;
  std::size_t neurons = 0;
  std::string method, backend;
  std::string backend_report;  // the backend's set-up (compiled or loaded kernels), or ""
  double dt = 0.0;
  int ranks = 1;          // MPI ranks of the run
  comm::Traffic traffic;  // what this rank sent in the step exchanges (halo, spikes)
  std::size_t connectivity_bytes = 0;  // this rank's synapse index structures (Connectivity::bytes)
  std::string profile;  // RunOverrides::profile: the steps' time by phase (Simulation::profile_report), else ""
};

// What an output file says about the run that wrote it: its effective model
// (run/effective_model.hpp). Files written before psst stored the attributes
// `overrides` and `input_files` lack them: `given` and `input_files` are then empty.
struct StoredRun {
  std::string model_text;  // the full model text
  std::string model_file;  // where it was read from
  RunOverrides settings;   // dt, method, seed, record_every, precision of that run, and its --set overrides
  std::optional<RunOverrides> given;       // the overrides as given to `psst run` (attribute `overrides`)
  std::optional<std::string> input_files;  // "SHA256  PATH" lines of the files the model read
};
StoredRun read_stored_run(const std::filesystem::path& out);

// Runs `spec` into `options.out`, which stores the effective model: the model
// text, `overrides` (including every ParameterSetting) and the SHA-256 of
// every file the model read.
DriverResult run_to_file(model::NetworkSpec spec, const RunOverrides& overrides, const DriverOptions& options);

// Continues `options.out` from its newest checkpoint to `until` ms. `spec` must be
// the stored model (parsed by the caller from StoredRun::model_text, without the
// overrides); settings (dt, method, seed, record_every, precision, --set) come
// from the file, the backend from `overrides`. Refuses (UserError) when the
// model file or a file the model read has changed or is missing.
DriverResult resume_file(model::NetworkSpec spec, double until, const RunOverrides& overrides,
                         const DriverOptions& options);

}  // namespace psst::run
