// Spike-time populations (`spike_times`, docs/model-files.md): the given spikes,
// recorded and delivered like any population's, on every backend, from a list or
// a CSV file; errors for indices out of range, unsorted or negative times, times
// off the step grid and two spikes of one neuron in a step.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

std::string model(const std::string& spike_times, const std::string& method = "rk4") {
  return fmt::format(R"toml(
[simulation]
duration = 5.0
dt = 0.1
method = "{}"
[populations.source]
size = 4
spike_times = {}
[populations.counter]
size = 4
equations = "dc/dt = 0"
initial = {{ c = 0 }}
[projections.drive]
pre = "source"
post = "counter"
connect = "one_to_one"
on_pre = "c_post += 1 + 10*i_pre"
)toml",
                     method, spike_times);
}

struct Result {
  std::vector<std::pair<std::int64_t, std::size_t>> spikes;  // (step, neuron) of the source
  std::vector<double> received;
};

Result run(const std::string& text, const std::string& backend, const std::string& directory = ".") {
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(psst::lang::parse_model_text(text, "spikes.toml", directory), overrides);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  Result r;
  for (const auto& s : collector.spikes())
    if (simulation.populations()[s.population]->name() == "source") r.spikes.emplace_back(std::llround(s.time / 0.1), s.neuron);
  r.received = simulation.population("counter").state("c");
  return r;
}

class SpikeTimes : public ::testing::TestWithParam<std::string> {};

// Neuron 2 spikes in consecutive steps (0.5, 0.6 ms): judged per step, not on an edge;
// a time past the run's end (9.0 ms) never fires. rk4 (its last stage samples step
// n + 1 for input tables) and euler give the same spikes.
TEST_P(SpikeTimes, TheGivenSpikesAreEmittedRecordedAndDelivered) {
  for (const char* method : {"rk4", "euler"}) {
    const Result r = run(model("{ times = [0.0, 0.5, 0.5, 0.6, 2.0, 9.0], indices = [1, 2, 0, 2, 3, 1] }", method),
                         GetParam());
    const std::vector<std::pair<std::int64_t, std::size_t>> expected{{0, 1}, {5, 0}, {5, 2}, {6, 2}, {20, 3}};
    EXPECT_EQ(r.spikes, expected) << method;
    EXPECT_EQ(r.received, (std::vector<double>{1, 11, 2 * 21, 31})) << method;
  }
}

TEST_P(SpikeTimes, ReadFromACsvFileOfIndexAndTime) {
  psst::test::TempDir dir;
  std::ofstream(dir / "spikes.csv") << "index,time\n3,0.2\n0,1.0\n3,1.0\n";
  const Result r = run(model("{ file = \"spikes.csv\" }"), GetParam(), dir.path().string());
  const std::vector<std::pair<std::int64_t, std::size_t>> expected{{2, 3}, {10, 0}, {10, 3}};
  EXPECT_EQ(r.spikes, expected);
}

INSTANTIATE_TEST_SUITE_P(Backends, SpikeTimes, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName{});

std::string error_of(const std::string& spike_times) {
  try {
    run(model(spike_times), "reference");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(SpikeTimesErrors, BadSpikesAreLocatedErrorsThatSayWhatIsValid) {
  const std::pair<const char*, const char*> cases[] = {
      {"{ times = [1.0], indices = [4] }", "neuron index 4; indices are whole numbers from 0 to 3"},
      {"{ times = [1.0], indices = [1.5] }", "neuron index 1.5"},
      {"{ times = [-0.1], indices = [0] }", "must be finite and >= 0"},
      {"{ times = [0.15], indices = [0] }", "not on the step grid of dt = 0.1 ms"},
      {"{ times = [1.0, 0.5], indices = [0, 1] }", "ascending order of time"},
      {"{ times = [1.0, 1.0], indices = [2, 2] }", "neuron 2 has two spikes in the step"},
      {"{ times = [1.0, 2.0], indices = [0] }", "2 times and 1 indices"},
      {"{ times = [1.0] }", "needs 'indices'"},
  };
  for (const auto& [given, expected] : cases) {
    const std::string message = error_of(given);
    EXPECT_NE(message.find("spikes.toml:"), std::string::npos) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << given << ": " << message;
  }
}

}  // namespace
