#include "run/driver.hpp"

#include <ctime>


#include <fmt/format.h>

#include "run/checkpoint.hpp"
#include "run/effective_model.hpp"
#include "run/finite_state_guard.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/progress.hpp"

namespace psst::run {

namespace {

// Runs to the end or until asked to stop; a stop or a blow-up leaves a flushed file.
DriverResult drive(Simulation& simulation, Hdf5Recorder& recorder, const DriverOptions& options) {
  ProgressReporter progress(stderr, options.progress);
  std::optional<Checkpointer> checkpointer;
  std::int64_t checkpoint_steps = 0;
  if (options.checkpoint_every > 0) {
    checkpoint_steps =
        std::max<std::int64_t>(whole_steps(options.checkpoint_every, simulation.dt(), "--checkpoint-every"), 1);
    if (recorder.writer()) recorder.file().set_attribute("/", "checkpoint_every", options.checkpoint_every);
    checkpointer.emplace(simulation, recorder, checkpoint_steps);
    simulation.align_spike_exchanges(checkpoint_steps);  // no spikes pending at a checkpoint
  }
  FiniteStateGuard guard(simulation, 64, checkpoint_steps);
  simulation.add_observer(&recorder);
  simulation.add_observer(&guard);
  if (checkpointer) simulation.add_observer(&*checkpointer);
  simulation.add_observer(&progress);
  DriverResult result;
  const std::int64_t first = simulation.step();
  const std::clock_t cpu_start = std::clock();
  try {
    while (simulation.step() < simulation.total_steps()) {
      // A stop asked of any rank stops every rank at the same step.
      if (simulation.communicator().any(options.stop && options.stop->load() != 0)) {
        guard.check();  // never checkpoint a blown-up state
        write_checkpoint(simulation, recorder);
        result.interrupted = true;
        break;
      }
      // To the next multiple of 64 (the guard's checks, so a blow-up's file has every spike before it).
      simulation.run_until_step(std::min((simulation.step() / 64 + 1) * 64, simulation.total_steps()));
    }
    if (simulation.total_steps() == simulation.step()) {
      simulation.run_until_step(simulation.step());  // observers' on_finish
      write_checkpoint(simulation, recorder);         // so that `psst resume --until` can extend any run
    }
  } catch (const NumericalError&) {
    recorder.flush();
    throw;
  }
  recorder.flush();
  result.time = simulation.time();
  result.steps = simulation.step() - first;
  result.seconds = progress.elapsed_seconds();
  result.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  result.spikes = progress.spike_count();
  for (const auto& p : simulation.populations()) result.neurons += p->size();
  result.method = simulation.scheme().name;
  result.backend = simulation.backend_name();
  result.backend_report = simulation.backend().report();
  result.profile = simulation.profile_report();
  result.dt = simulation.dt();
  result.ranks = simulation.communicator().size();
  result.traffic = simulation.communicator().traffic();
  for (const auto& p : simulation.projections()) result.connectivity_bytes += p->connectivity().bytes();
  return result;
}

}  // namespace

DriverResult run_to_file(model::NetworkSpec spec, const RunOverrides& overrides, const DriverOptions& options) {
  Simulation simulation(std::move(spec), overrides);
  const std::string input_hashes = hash_input_files(simulation.spec());  // before the file exists: errors leave none
  Hdf5Recorder recorder(simulation, options.out, options.overwrite);
  if (recorder.writer()) write_effective_model(recorder.file(), overrides, input_hashes);
  return drive(simulation, recorder, options);
}

StoredRun read_stored_run(const std::filesystem::path& out) {
  io::Hdf5File file = io::Hdf5File::open_read_only(out);
  StoredRun stored;
  stored.model_text = file.get_attribute_string("/", "model");
  stored.model_file = file.get_attribute_string("/", "model_file");
  stored.settings.dt = file.get_attribute_double("/", "dt");
  stored.settings.method = file.get_attribute_string("/", "method");
  stored.settings.seed = static_cast<std::uint64_t>(file.get_attribute_int64("/", "seed"));
  stored.settings.record_every = file.get_attribute_double("/", "record_every");
  if (file.has_attribute("/", "precision")) stored.settings.precision = file.get_attribute_string("/", "precision");
  if (file.has_attribute("/", "instances"))  // an ensemble (written when it has more than one instance)
    stored.settings.instances = static_cast<std::size_t>(file.get_attribute_int64("/", "instances"));
  if (file.has_attribute("/", "math")) stored.settings.math = file.get_attribute_string("/", "math");
  if (file.has_attribute("/", "overrides")) {
    stored.given = parse_overrides(file.get_attribute_string("/", "overrides"), out.string());
    stored.settings.sets = stored.given->sets;
  }
  if (file.has_attribute("/", "input_files")) stored.input_files = file.get_attribute_string("/", "input_files");
  return stored;
}

DriverResult resume_file(model::NetworkSpec spec, double until, const RunOverrides& overrides,
                         const DriverOptions& options) {
  StoredRun stored = read_stored_run(options.out);
  check_model_file(stored.model_file, stored.model_text, options.out);
  if (stored.input_files) check_input_files(*stored.input_files, options.out);
  RunOverrides settings = stored.settings;
  settings.backend = overrides.backend;
  settings.threads = overrides.threads;
  settings.march_native = overrides.march_native;
  settings.cache_dir = overrides.cache_dir;
  settings.profile = overrides.profile;
  settings.duration = until;
  Simulation simulation(std::move(spec), settings);
  comm::Communicator& communicator = simulation.communicator();
  communicator.barrier();  // every rank is done reading the file; rank 0 now opens it to write
  std::optional<io::Hdf5File> file;
  std::optional<CheckpointInfo> checkpoint;
  // Rank 0 reads the file and tells the others the checkpoint's step and the checkpoint interval.
  std::vector<double> found{-1.0, options.checkpoint_every};
  if (communicator.rank() == 0) {
    file = io::Hdf5File::open_read_write(options.out);
    checkpoint = find_checkpoint(*file);
    if (checkpoint) found[0] = static_cast<double>(checkpoint->step);
    if (found[1] == 0 && file->has_attribute("/", "checkpoint_every"))
      found[1] = file->get_attribute_double("/", "checkpoint_every");
  }
  communicator.broadcast(found);
  if (found[0] < 0)
    throw UserError(fmt::format("'{}' has no checkpoint to resume from; runs write one with --checkpoint-every MS "
                                "and when interrupted (Ctrl-C)",
                                options.out.string()));
  if (!checkpoint) checkpoint = CheckpointInfo{"", static_cast<std::int64_t>(found[0]), {}};
  if (simulation.total_steps() < checkpoint->step)
    throw UserError(fmt::format("--until {} ms is before the checkpoint at {} ms", until,
                                static_cast<double>(checkpoint->step) * simulation.dt()));
  restore_checkpoint(simulation, file ? &*file : nullptr, *checkpoint);
  Hdf5Recorder recorder(simulation, std::move(file), checkpoint->rows);
  if (stored.given && recorder.writer()) {  // the same effective model, now asked to run to `until`
    RunOverrides given = *stored.given;
    given.duration = until;
    write_effective_model(recorder.file(), given, stored.input_files.value_or(""));
  }
  DriverOptions resumed = options;
  resumed.checkpoint_every = found[1];
  return drive(simulation, recorder, resumed);
}

}  // namespace psst::run
