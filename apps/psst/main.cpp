// psst: the command-line program. `psst run MODEL.toml`, `psst check MODEL.toml`.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/progress.hpp"
#include "run/simulation.hpp"
#include "version.hpp"

namespace {

struct RunArguments {
  std::string model;
  std::string out;
  std::optional<double> duration, dt, record_every;
  std::optional<std::string> method;
  std::optional<std::uint64_t> seed;
  std::string backend = "reference";
  bool quiet = false;
  bool overwrite = false;
};

void add_model_overrides(CLI::App* command, RunArguments& a) {
  command->add_option("--duration", a.duration, "simulated time in ms (overrides the model file)");
  command->add_option("--dt", a.dt, "time step in ms (overrides the model file)");
  command->add_option("--method", a.method, "integration method: euler, rk2, rk4, exponential_euler");
  command->add_option("--seed", a.seed, "random seed (jitter, random parameters)");
  command->add_option("--record-every", a.record_every, "state sampling interval in ms (0: every step)");
  command->add_option("--backend", a.backend, "where kernels run: reference")->capture_default_str();
}

psst::run::RunOverrides overrides(const RunArguments& a) {
  psst::run::RunOverrides o;
  o.duration = a.duration;
  o.dt = a.dt;
  o.record_every = a.record_every;
  o.method = a.method;
  o.seed = a.seed;
  o.backend = a.backend;
  return o;
}

int run_command(const RunArguments& a) {
  psst::run::Simulation simulation(psst::lang::read_model_file(a.model), overrides(a));
  std::string out = a.out.empty() ? std::filesystem::path(a.model).stem().string() + ".h5" : a.out;
  psst::run::Hdf5Recorder recorder(simulation, out, a.overwrite);
  bool show_progress = !a.quiet && isatty(STDERR_FILENO) && std::getenv("PSST_QUIET") == nullptr;
  psst::run::ProgressReporter progress(stderr, show_progress);
  simulation.add_observer(&recorder);
  simulation.add_observer(&progress);
  simulation.run();
  double seconds = progress.elapsed_seconds();
  if (!a.quiet) {
    std::size_t neurons = 0;
    for (const auto& p : simulation.populations()) neurons += p->size();
    double neuron_steps = static_cast<double>(neurons) * static_cast<double>(simulation.total_steps());
    fmt::print("psst: simulated {} ms ({} steps of {} ms, {}) in {:.3f} s on '{}': {} spikes, {:.3g} neuron-steps/s\n"
               "psst: wrote {}\n",
               simulation.time(), simulation.total_steps(), simulation.dt(), simulation.scheme().name, seconds,
               simulation.backend_name(), progress.spike_count(), seconds > 0 ? neuron_steps / seconds : 0.0, out);
  }
  return 0;
}

int check_command(const RunArguments& a) {
  psst::run::Simulation simulation(psst::lang::read_model_file(a.model), overrides(a));
  const auto& sim = simulation.spec().simulation;
  fmt::print("model {}: OK\n", a.model);
  fmt::print("  simulation: {} ms, dt = {} ms ({} steps), method {} ({}), seed {}\n", sim.duration, simulation.dt(),
             simulation.total_steps(), simulation.scheme().name, simulation.scheme().description, simulation.seed());
  for (const auto& p : simulation.populations()) {
    const auto& system = p->system();
    fmt::print("  population {}: {} neurons\n", p->name(), p->size());
    fmt::print("    state variables ({}): {}\n", system.state_variables().size(),
               fmt::join(system.state_variables(), ", "));
    fmt::print("    definitions ({}): {}\n", system.definitions().size(), fmt::join(system.definitions(), ", "));
    std::vector<std::string> params;
    for (const auto& name : system.parameters())
      params.push_back(p->parameter(name).size() == 1 ? fmt::format("{} = {}", name, p->parameter(name)[0])
                                                       : fmt::format("{} (per neuron)", name));
    fmt::print("    parameters ({}): {}\n", params.size(), fmt::join(params, ", "));
    if (!system.inputs().empty()) fmt::print("    inputs: {}\n", fmt::join(system.inputs(), ", "));
    std::size_t instructions = 0;
    for (const auto& program : p->programs().stages) instructions += program.code.size();
    fmt::print("    kernels: {} stage program(s), {} IR instructions{}\n", p->programs().stages.size(), instructions,
               p->has_threshold() ? ", threshold" : ", no threshold (no spikes)");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"psst: simulates networks of conductance-based neurons described by their equations"};
  app.set_version_flag("--version", std::string("psst ") + psst::version);
  app.require_subcommand(1);
  RunArguments args;
  auto* run = app.add_subcommand("run", "run a model file and write an HDF5 file");
  run->add_option("model", args.model, "model file (TOML)")->required();
  run->add_option("--out,-o", args.out, "output HDF5 file (default: MODEL.h5 in the current directory)");
  run->add_flag("--overwrite", args.overwrite, "replace an existing output file");
  run->add_flag("--quiet,-q", args.quiet, "no progress line or summary");
  add_model_overrides(run, args);
  auto* check = app.add_subcommand("check", "parse and validate a model file, print what it contains");
  check->add_option("model", args.model, "model file (TOML)")->required();
  add_model_overrides(check, args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*run) return run_command(args);
    if (*check) return check_command(args);
  } catch (const psst::UserError& e) {
    fmt::print(stderr, "psst: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "psst: {}\n", e.what());
    return 2;
  }
  return 0;
}
