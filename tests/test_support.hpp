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
