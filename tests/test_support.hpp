#pragma once
// Shared helpers: paths to the repository and ../shared, running a model to the
// end, and the list of backends each backend-parameterised test runs on.
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "lang/model_builder.hpp"
#include "run/simulation.hpp"

namespace psst::test {

inline std::filesystem::path source_dir() { return PSST_SOURCE_DIR; }
inline std::filesystem::path shared_dir() { return PSST_SHARED_DIR; }
inline std::filesystem::path model_path(const std::string& name) { return source_dir() / "models" / name; }

inline std::vector<std::string> backends() { return backend::backend_names(); }

// A gtest parameter name for a backend: "cuda-emulated" -> "cuda_emulated".
struct BackendName {
  template <class Info>
  std::string operator()(const Info& param) const {
    std::string name = param.param;
    for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    return name;
  }
};

// Five neurons, neuron 3 blows up (x' = x^2 from 2) within 10 ms; x is recorded.
inline constexpr const char* blowup_model = R"toml(
[simulation]
duration = 10.0
dt = 0.1
method = "euler"
[populations.cells]
size = 5
threshold = "x > 1e300"
equations = "dx/dt = where(i == 3, x * x, 0)"
initial = { x = 2.0 }
[record.cells]
variables = ["x"]
)toml";

// Poisson spikes, spike times, an input table, random draws in the equations, resets,
// refractoriness and delayed events (spikes in flight) drive a population y' = c y^2
// that blows up at a step no one can compute by hand (not a multiple of 64).
inline constexpr const char* driven_blowup_model = R"toml(
[simulation]
duration = 40.0
dt = 0.05
method = "rk2"
seed = 5
[populations.noise]
size = 6
poisson_rate = 300.0
[populations.times]
size = 2
spike_times = { times = [1.0, 2.0, 5.0], indices = [0, 1, 0] }
[populations.E]
size = 6
threshold = "v > 1"
reset = "v = 0"
refractory = 1.0
equations = "dv/dt = not_refractory * (0.9 + 0.3 * randn() + I_in - v) / 5"
initial = { v = { distribution = "uniform", low = 0.0, high = 1.0 } }
[populations.E.inputs.I_in]
segments = [ { start = 3.0, end = 20.0, value = 0.5, neurons = [1, 4] } ]
[projections.kick]
pre = "noise"
post = "E"
connect = { rule = "probability", p = 0.5 }
parameters = { w = 0.1 }
on_pre = "v_post += w"
delay = { distribution = "uniform", low = 0.1, high = 0.6 }
[projections.timed]
pre = "times"
post = "E"
connect = "all_to_all"
on_pre = "v_post += 0.4"
[populations.B]
size = 3
equations = "dy/dt = 0.05 * y * y"
initial = { y = 0.0 }
[projections.feed]
pre = "E"
post = "B"
connect = "all_to_all"
on_pre = "y_post += 0.1 * (1 + i_post)"
delay = 0.35
)toml";

// Records every spike of every population during a run.
class SpikeCollector final : public run::StepObserver {
 public:
  struct Spike {
    std::size_t population, neuron;
    double time;
  };
  void on_step(const run::Simulation& simulation, std::int64_t step,
               const std::vector<std::vector<std::size_t>>& spikes) override {
    for (std::size_t p = 0; p < spikes.size(); ++p)
      for (std::size_t n : spikes[p]) spikes_.push_back({p, n, static_cast<double>(step - 1) * simulation.dt()});
  }
  const std::vector<Spike>& spikes() const { return spikes_; }
  std::vector<double> times(std::size_t population = 0, std::size_t neuron = 0) const {
    std::vector<double> t;
    for (const auto& s : spikes_)
      if (s.population == population && s.neuron == neuron) t.push_back(s.time);
    return t;
  }

 private:
  std::vector<Spike> spikes_;
};

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Runs a command line, returns its exit status and what it printed (stdout and stderr).
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

}  // namespace psst::test
