// psst: the command-line program. `psst run MODEL.toml`, `psst check MODEL.toml`,
// `psst resume OUT.h5`, `psst codegen MODEL.toml`.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <thread>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "backend/cpu/cpu_backend.hpp"
#include "comm/mpi_session.hpp"
#include "lang/model_file.hpp"
#include "run/driver.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/simulation.hpp"
#include "version.hpp"

namespace {

// Set by SIGINT/SIGTERM; the run stops at the next step boundary and checkpoints.
// (A signal handler can only talk to the program through a global.)
std::atomic<int> stop_signal{0};

extern "C" void on_stop_signal(int signal) { stop_signal.store(signal); }

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A file-size limit (ulimit -f) then shows as a write error with a message, not a silent kill.
  std::signal(SIGXFSZ, SIG_IGN);
}

struct RunArguments {
  std::string model;
  std::string out;
  std::optional<double> duration, dt, record_every;
  std::optional<std::string> method, precision, math;
  std::optional<std::size_t> instances;
  std::optional<std::string> seed_text;  // as given: CLI11 would wrap "-1" around to 2^64 - 1
  std::string backend = "default";
  int threads = 0;
  int device = 0;
  bool no_march_native = false;
  bool profile = false;
  std::vector<std::string> sets;  // POP.NAME=VALUE
  bool quiet = false;
  bool overwrite = false;
  double checkpoint_every = 0.0;
  double until = 0.0;
};

void add_backend_options(CLI::App* command, RunArguments& a) {
  command->add_option("--backend", a.backend,
                      "where kernels run: cpu (compiled C++, threaded), reference (the interpreter), cuda (an NVIDIA "
                      "GPU), cuda-emulated (the CUDA backend run on the host, for testing), or default (cpu when a "
                      "C++ compiler is found)")
      ->capture_default_str();
  command->add_option("--device", a.device, "cuda backend: the GPU to use (CUDA device number)")->capture_default_str();
  command->add_option("--threads", a.threads, "threads of the cpu backend (0: all cores)")->capture_default_str();
  command->add_flag("--no-march-native", a.no_march_native,
                    "cpu backend: compile for generic x86-64, not -march=native");
  command->add_flag("--profile", a.profile,
                    "print the wall time per step split by phase (each kernel and backend primitive, recording, "
                    "host orchestration) at the end");
}

void add_model_overrides(CLI::App* command, RunArguments& a) {
  command->add_option("--duration", a.duration, "simulated time in ms (overrides the model file)");
  command->add_option("--dt", a.dt, "time step in ms (overrides the model file)");
  command->add_option("--method", a.method, "integration method: euler, heun, rk2, rk4, exponential_euler (euler and heun integrate white noise)");
  command->add_option("--seed", a.seed_text, "random seed (jitter, random parameters): a non-negative integer");
  command->add_option("--instances", a.instances,
                      "an ensemble of K independent instances of the network in one run; instance k has seed S + k "
                      "(overrides [simulation] instances)");
  command->add_option("--precision", a.precision, "kernel arithmetic: double (float64, default) or single (float32)");
  command->add_option("--math", a.math,
                      "exact (default: every operation as written) or fast (x / c as x * (1/c), a shared divisor inverted once, "
                      "a * b + c as fma, exp and log as exp_fast and log_fast)");
  command->add_option("--record-every", a.record_every, "state sampling interval in ms (0: every step)");
  add_backend_options(command, a);
  command->add_option("--set", a.sets,
                      "POP.NAME=VALUE: set parameter NAME of population or projection POP to a number (repeatable); "
                      "compiled kernels are reused, parameters are run-time data");
}

// Command-line values that CLI11 accepts but psst cannot use: a message naming the option and what is valid.
void check_arguments(const RunArguments& a) {
  if (a.threads < 0)
    throw psst::UserError(fmt::format("--threads is {}; give 0 (all cores) or a positive number of threads", a.threads));
  if (a.device < 0) throw psst::UserError(fmt::format("--device is {}; give a CUDA device number (0, 1, ...)", a.device));
  if (!(a.checkpoint_every >= 0.0) || !std::isfinite(a.checkpoint_every))
    throw psst::UserError(fmt::format("--checkpoint-every is {} ms; give a positive number of ms, or 0 for no periodic "
                                      "checkpoints", a.checkpoint_every));
}

// --seed as given: a decimal integer in [0, 2^64).
std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, seed);
  if (text.empty() || error != std::errc() || ptr != end)
    throw psst::UserError(fmt::format("--seed is '{}'; the seed is a non-negative integer (0 to 18446744073709551615)",
                                      text));
  return seed;
}

psst::run::RunOverrides overrides(const RunArguments& a) {
  psst::run::RunOverrides o;
  o.duration = a.duration;
  o.dt = a.dt;
  o.record_every = a.record_every;
  o.method = a.method;
  o.precision = a.precision;
  o.math = a.math;
  check_arguments(a);
  if (a.seed_text) o.seed = parse_seed(*a.seed_text);
  o.instances = a.instances;
  o.backend = a.backend;
  o.threads = a.threads;
  o.device = a.device;
  o.march_native = !a.no_march_native;
  o.profile = a.profile;
  for (const auto& set : a.sets) o.sets.push_back(psst::run::parse_setting(set));
  return o;
}

psst::run::DriverOptions driver_options(const RunArguments& a, const std::string& out, int rank) {
  psst::run::DriverOptions options;
  options.out = out;
  options.overwrite = a.overwrite;
  options.checkpoint_every = a.checkpoint_every;
  options.progress = rank == 0 && !a.quiet && isatty(STDERR_FILENO) && std::getenv("PSST_QUIET") == nullptr;
  options.stop = &stop_signal;
  return options;
}

int report(const psst::run::DriverResult& r, const RunArguments& a, const std::string& out, int rank) {
  if (rank != 0) return r.interrupted ? 128 + stop_signal.load() : 0;
  if (r.interrupted) {
    fmt::print(stderr, "psst: interrupted at t = {} ms; the output up to there and a checkpoint are in {}.\n"
                       "psst: continue with: psst resume {} --until MS\n",
               r.time, out, out);
    return 128 + stop_signal.load();
  }
  if (!r.profile.empty()) fmt::print("{}", r.profile);
  if (!a.quiet) {
    double neuron_steps = static_cast<double>(r.neurons) * static_cast<double>(r.steps);
    if (!r.backend_report.empty()) fmt::print("psst: {}\n", r.backend_report);
    fmt::print("psst: simulated to {} ms ({} steps of {} ms, {}) in {:.3f} s on '{}': {} spikes, {:.3g} "
               "neuron-steps/s\npsst: wrote {}\n",
               r.time, r.steps, r.dt, r.method, r.seconds, r.backend, r.spikes,
               r.seconds > 0 ? neuron_steps / r.seconds : 0.0, out);
    if (r.traffic.messages > 0 && r.steps > 0) {  // started by mpirun
      const double steps = static_cast<double>(r.steps);
      fmt::print("psst: {} MPI rank(s); rank 0 sent {:.1f} bytes in {:.2f} messages per step (halo values and spikes); "
                 "{:.3f} s in MPI; CPU {:.3f} s, {:.3f} s of it in MPI; connectivity {:.2f} MB\n",
                 r.ranks, static_cast<double>(r.traffic.bytes) / steps, static_cast<double>(r.traffic.messages) / steps,
                 r.traffic.seconds, r.cpu_seconds, r.traffic.cpu_seconds,
                 static_cast<double>(r.connectivity_bytes) / 1e6);
    }
  }
  return 0;
}

// The output file must not be the model file: writing it would destroy the model.
void check_output_is_not_model(const std::string& model, const std::string& out) {
  std::error_code error;
  const bool same = std::filesystem::exists(out, error) ? std::filesystem::equivalent(model, out, error)
                                                        : std::filesystem::weakly_canonical(model, error) ==
                                                              std::filesystem::weakly_canonical(out, error);
  if (same)
    throw psst::UserError(fmt::format("--out '{}' is the model file '{}' itself; writing the output there would "
                                      "destroy the model; give another file name, e.g. --out {}.h5",
                                      out, model, std::filesystem::path(model).stem().string()));
}

int run_command(const RunArguments& a, int rank) {
  std::string out = a.out.empty() ? std::filesystem::path(a.model).stem().string() + ".h5" : a.out;
  check_output_is_not_model(a.model, out);
  auto result = psst::run::run_to_file(psst::lang::read_model_file(a.model), overrides(a),
                                       driver_options(a, out, rank));
  return report(result, a, out, rank);
}

int resume_command(const RunArguments& a, int rank) {
  const std::string& out = a.out;
  // The stored model text; resume_file applies the stored overrides and checks the input files.
  psst::run::StoredRun stored = psst::run::read_stored_run(out);
  auto spec = psst::lang::parse_model_text(stored.model_text, stored.model_file,
                                           std::filesystem::path(stored.model_file).parent_path());
  auto result = psst::run::resume_file(std::move(spec), a.until, overrides(a), driver_options(a, out, rank));
  return report(result, a, out, rank);
}

// Prints the C++ of every kernel of the model as the cpu backend compiles it (nothing is compiled).
int codegen_command(const RunArguments& a) {
  psst::run::RunOverrides o = overrides(a);
  o.backend = "cpu";
  o.compile_kernels = false;
  o.duration = 0.0;
  psst::run::Simulation simulation(psst::lang::read_model_file(a.model), o);
  auto* cpu = dynamic_cast<psst::backend::cpu::CpuBackend*>(&simulation.backend());
  if (!cpu) throw psst::InternalError("psst codegen: the simulation did not use the cpu backend");
  fmt::print("{}", cpu->source());
  return 0;
}

// An ensemble: its instances, their seeds and swept values, and the memory of its arrays.
void print_ensemble(const psst::run::Simulation& simulation) {
  const auto& ensemble = simulation.ensemble();
  const std::size_t k = ensemble.instances();
  double bytes = 0.0;
  for (const auto& p : simulation.populations()) bytes += p->bytes();
  for (const auto& p : simulation.projections())
    bytes += p->bytes_per_synapse() * static_cast<double>(p->size()) + static_cast<double>(p->connectivity().bytes());
  fmt::print("  ensemble: {} instances (seeds {} to {}), every population and projection {} times in one set of "
             "arrays: {:.3g} MiB of state, parameters and synapses\n",
             k, ensemble.instance_seed(0), ensemble.instance_seed(k - 1), k, bytes / 1048576.0);
  if (!ensemble.swept()) return;
  for (std::size_t e = 0; e < ensemble.swept(0).size(); ++e) {
    std::vector<double> values;
    for (std::size_t i = 0; i < k; ++i) values.push_back(ensemble.swept(i)[e].value);
    fmt::print("  sweep {}.{}: {}\n", ensemble.swept(0)[e].owner, ensemble.swept(0)[e].name, fmt::join(values, ", "));
  }
}

int check_command(const RunArguments& a) {
  psst::run::RunOverrides o = overrides(a);
  o.compile_kernels = false;  // checking needs no machine code; the interpreter runs set-up kernels
  psst::run::Simulation simulation(psst::lang::read_model_file(a.model), o);
  psst::run::check_records(simulation);  // what `psst run` checks when it creates the output file
  const auto& sim = simulation.spec().simulation;
  fmt::print("model {}: OK\n", a.model);
  fmt::print("  simulation: {} ms, dt = {} ms ({} steps), method {} ({}), seed {}, {} precision, {} math\n",
             sim.duration, simulation.dt(), simulation.total_steps(), simulation.scheme().name,
             simulation.scheme().description, simulation.seed(), sim.precision, sim.math);
  if (simulation.instances() > 1) print_ensemble(simulation);
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
    for (const auto& record : simulation.spec().records) {
      if (record.population != p->name()) continue;
      if (record.rate_bin > 0.0)
        fmt::print("    population rate: spike counts per {} ms bin{}\n", record.rate_bin,
                   simulation.instances() > 1 ? ", per instance" : "");
      if (record.variables.empty()) continue;
      std::vector<std::string> recorded;  // definitions and summed inputs are evaluated at each sample
      for (const auto& v : record.variables)
        recorded.push_back(system.is_state(v)      ? v
                           : system.is_external(v) ? v + " (summed synaptic input)"
                                                   : v + " (definition)");
      fmt::print("    recorded every {} ms: {}\n", static_cast<double>(simulation.record_every_steps()) * simulation.dt(),
                 fmt::join(recorded, ", "));
    }
  }
  for (const auto& p : simulation.projections()) {
    const auto& delays = p->delay_classes();
    fmt::print("  projection {}: {} -> {}, {} synapses, {:.1f} MiB ({:.1f} bytes per synapse)\n", p->name(),
               p->pre().name(), p->post().name(), p->size(), p->bytes() / 1048576.0, p->bytes_per_synapse());
    if (p->has_events())
      fmt::print("    delay: {} step(s){}; queue of spikes in flight: {} steps\n",
                 delays.size() == 1 ? fmt::format("{}", delays[0])
                                    : fmt::format("{} to {}", delays.front(), delays.back()),
                 delays.size() == 1 ? "" : fmt::format(" per synapse, {} distinct", delays.size()), p->ring_size());
  }
  return 0;
}

// An error: one process prints it and exits with `status`. Under MPI an error may
// happen on one rank or on all: rank 0 prints and ends the whole job at once
// (MPI_Abort, never a hang); another rank first gives rank 0 a moment to do
// that, so a message is printed once, then prints (naming its rank) and aborts.
int fail(const psst::comm::MpiSession& mpi, const std::string& message, int status) {
  if (!mpi.active() || mpi.size() == 1) {
    fmt::print(stderr, "psst: {}\n", message);
    return status;
  }
  if (mpi.rank() != 0) std::this_thread::sleep_for(std::chrono::seconds(2));
  if (mpi.rank() == 0)
    fmt::print(stderr, "psst: {}\n", message);
  else
    fmt::print(stderr, "psst (rank {}): {}\n", mpi.rank(), message);
  std::fflush(nullptr);
  mpi.abort(status);
}

}  // namespace

int main(int argc, char** argv) {
  psst::comm::MpiSession mpi(argc, argv);  // joins the MPI job when started by mpirun
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
  run->add_option("--checkpoint-every", args.checkpoint_every,
                  "write a checkpoint every MS of simulated time (resume with psst resume)");
  auto* resume = app.add_subcommand("resume", "continue a run from the newest checkpoint in its output file");
  resume->add_option("file", args.out, "output file of the run (HDF5)")->required();
  resume->add_option("--until", args.until, "simulated time to run to, in ms")->required();
  resume->add_option("--checkpoint-every", args.checkpoint_every, "checkpoint interval in ms (default: as before)");
  add_backend_options(resume, args);
  resume->add_flag("--quiet,-q", args.quiet, "no progress line or summary");
  auto* check = app.add_subcommand("check", "parse and validate a model file, print what it contains");
  check->add_option("model", args.model, "model file (TOML)")->required();
  add_model_overrides(check, args);
  auto* codegen = app.add_subcommand("codegen", "print the C++ source of every kernel of a model (cpu backend)");
  codegen->add_option("model", args.model, "model file (TOML)")->required();
  codegen->add_option("--method", args.method, "integration method: euler, heun, rk2, rk4, exponential_euler (euler and heun integrate white noise)");
  codegen->add_option("--precision", args.precision, "double or single, as for psst run");
  codegen->add_option("--math", args.math, "exact or fast, as for psst run: shows the rewritten kernels");
  codegen->add_option("--set", args.sets, "POP.NAME=VALUE, as for psst run");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a bad command line is a user error like any other: 1.
    return app.exit(e) == 0 ? 0 : 1;
  }
  try {
    install_signal_handlers();
    if (*run || *resume) {
      const int status = *run ? run_command(args, mpi.rank()) : resume_command(args, mpi.rank());
      // Stopped by a signal that mpirun passed on: it is ending the job, and would not
      // answer MPI_Finalize; the file is closed, so leave now.
      if (mpi.active() && stop_signal.load() != 0) {
        std::fflush(nullptr);
        std::_Exit(status);
      }
      return status;
    }
    if (*check) return check_command(args);
    if (*codegen) return codegen_command(args);
  } catch (const psst::IoError& e) {
    // After a failed write (a full disk) HDF5 1.10 can crash in its exit handler while
    // closing the half-closed file; what could be saved is on disk, so leave at once.
    fail(mpi, e.what(), 1);
    std::fflush(nullptr);
    std::_Exit(1);
  } catch (const psst::UserError& e) {
    return fail(mpi, e.what(), 1);
  } catch (const std::bad_alloc&) {
    return fail(mpi,
                "out of memory: the model needs more memory than there is; check the population sizes, the "
                "connectivity and what is recorded",
                1);
  } catch (const std::exception& e) {
    return fail(mpi, e.what(), 2);
  }
  return 0;
}
