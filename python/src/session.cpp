#include "session.hpp"

#include <utility>

#include "run/checkpoint.hpp"
#include "run/effective_model.hpp"

namespace psst::python {

Session::Session(model::NetworkSpec spec, run::RunOverrides overrides, const SessionOptions& options)
    : spec_(std::move(spec)), overrides_(std::move(overrides)), out_(options.out) {
  overrides_.backend = options.backend;
  overrides_.threads = options.threads;
  overrides_.cache_dir = options.cache_dir;
  if (!options.precision.empty()) overrides_.precision = options.precision;
  auto simulation = std::make_unique<run::Simulation>(spec_, overrides_);
  input_hashes_ = run::hash_input_files(simulation->spec());  // before the file exists: errors leave none
  recorder_ = std::make_unique<run::Hdf5Recorder>(*simulation, out_, options.overwrite);
  run::write_effective_model(recorder_->file(), overrides_, input_hashes_);
  start(std::move(simulation));
}

Session::~Session() {
  try {
    if (recorder_) recorder_->flush();
  } catch (...) {  // a destructor reports nothing; the data written so far stays
  }
}

void Session::start(std::unique_ptr<run::Simulation> simulation) {
  guard_.reset();  // its snapshot is in the old simulation's backend
  simulation_ = std::move(simulation);
  guard_.emplace(*simulation_);
  simulation_->add_observer(recorder_.get());
  simulation_->add_observer(&*guard_);
  simulation_->run_until_step(simulation_->step());  // on_start: the first sample, the first check
}

void Session::prepare(std::int64_t end_step) {
  require_recorder();
  if (end_step > simulation_->total_steps() || pending_settings_)
    rebuild(std::max(end_step, simulation_->total_steps()));
}

std::int64_t Session::advance(std::int64_t last_step) {
  require_recorder();
  return simulation_->run_until_step(last_step);
}

void Session::set(const std::string& owner, const std::string& name, double value) {
  run::ParameterSetting setting{owner, name, value};
  (void)run::apply_settings(spec_, {setting});  // checks owner and name now
  overrides_.sets.push_back(setting);
  pending_settings_ = true;
}

void Session::checkpoint() {
  require_recorder();
  run::write_checkpoint(*simulation_, *recorder_);
}

void Session::flush() {
  require_recorder();
  recorder_->flush();
}

io::Hdf5File& Session::file() {
  require_recorder();
  return recorder_->file();
}

void Session::rebuild(std::int64_t total_steps) {
  checkpoint();
  run::RunOverrides next = overrides_;
  next.duration = static_cast<double>(total_steps) * simulation_->dt();
  // Built first: if this throws, the running simulation and its file stay as they were.
  auto simulation = std::make_unique<run::Simulation>(spec_, next);
  recorder_.reset();  // closes the file
  io::Hdf5File file = io::Hdf5File::open_read_write(out_);
  auto checkpoint = run::find_checkpoint(file);
  if (!checkpoint) throw InternalError("the checkpoint just written is missing from " + out_.string());
  run::restore_checkpoint(*simulation, file, *checkpoint);
  recorder_ = std::make_unique<run::Hdf5Recorder>(*simulation, std::move(file), checkpoint->rows);
  overrides_ = std::move(next);
  run::write_effective_model(recorder_->file(), overrides_, input_hashes_);
  pending_settings_ = false;
  start(std::move(simulation));
}

void Session::require_recorder() const {
  if (!recorder_)
    throw UserError("this simulation could not continue from its checkpoint in '" + out_.string() +
                    "' (see the error before); create a new psst.Simulation");
}

std::vector<double> Session::current_state(const std::string& population, const std::string& variable) const {
  const run::Population& p = simulation_->population(population);
  if (!p.system().is_state(variable)) {
    std::string names;
    for (const auto& v : p.system().state_variables()) names += (names.empty() ? "" : ", ") + v;
    throw UserError("'" + variable + "' is not a state variable of population '" + population +
                    "'; its state variables are " + names);
  }
  return p.state(variable);
}

}  // namespace psst::python
