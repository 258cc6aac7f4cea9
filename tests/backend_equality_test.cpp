// Every backend against the reference interpreter, psst's ground truth: the
// same bits in every state array, every spike and every spike in flight, for
// every model, on one and two threads, in exact and in fast math (math = "fast": the
// graph's rewrites are the same on every backend). Parameterised over the backends present
// (cpu today; each new backend joins by being listed by backend_names()).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

// Everything that carries over between steps, by name, and every spike.
struct Outcome {
  std::vector<std::pair<std::string, std::vector<double>>> arrays;
  std::vector<std::vector<std::uint32_t>> in_flight;
  std::vector<SpikeCollector::Spike> spikes;
};

Outcome run_model(const std::string& model, const std::string& backend, int threads, std::optional<double> duration,
                  const std::string& math) {
  RunOverrides o;
  o.math = math;
  o.backend = backend;
  o.threads = threads;
  o.duration = duration;
  Simulation simulation(psst::lang::read_model_file(psst::test::model_path(model)), o);
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  Outcome outcome;
  for (auto& p : simulation.populations())
    for (const auto& name : p->persistent_arrays()) outcome.arrays.emplace_back(p->name() + "/" + name, p->download(name));
  for (auto& p : simulation.projections()) {
    for (const auto& name : p->persistent_arrays()) outcome.arrays.emplace_back(p->name() + "/" + name, p->download(name));
    for (auto& due : p->events_in_flight()) outcome.in_flight.push_back(due);
  }
  outcome.spikes = spikes.spikes();
  return outcome;
}

void expect_bitwise_equal(const Outcome& expected, const Outcome& actual, const std::string& what) {
  ASSERT_EQ(expected.arrays.size(), actual.arrays.size()) << what;
  for (std::size_t a = 0; a < expected.arrays.size(); ++a) {
    const auto& [name, x] = expected.arrays[a];
    const auto& y = actual.arrays[a].second;
    ASSERT_EQ(name, actual.arrays[a].first) << what;
    ASSERT_EQ(x.size(), y.size()) << what << ": " << name;
    if (std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0) {
      for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(x[i]), std::bit_cast<std::uint64_t>(y[i]))
            << what << ": " << name << "[" << i << "] = " << x[i] << " vs " << y[i];
    }
  }
  EXPECT_EQ(expected.in_flight, actual.in_flight) << what << ": spikes in flight";
  ASSERT_EQ(expected.spikes.size(), actual.spikes.size()) << what;
  for (std::size_t s = 0; s < expected.spikes.size(); ++s) {
    EXPECT_EQ(expected.spikes[s].population, actual.spikes[s].population) << what;
    EXPECT_EQ(expected.spikes[s].neuron, actual.spikes[s].neuron) << what;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(expected.spikes[s].time), std::bit_cast<std::uint64_t>(actual.spikes[s].time))
        << what;
  }
}

struct ModelCase {
  const char* file;
  std::optional<double> duration;
  const char* math = "exact";  // [simulation] math: "fast" cases check that its rewrites are the same everywhere
};

const ModelCase model_cases[] = {{"hh.toml", std::nullopt},
                                 {"psst_three_neurons.toml", std::nullopt},
                                 {"locust_al.toml", 200.0},
                                 {"cobahh.toml", 200.0},
                                 {"hh.toml", std::nullopt, "fast"},
                                 {"psst_three_neurons.toml", std::nullopt, "fast"},
                                 {"locust_al.toml", 20.0, "fast"},
                                 {"cobahh.toml", 50.0, "fast"}};

// Every backend but the reference, compared with it.
std::vector<std::string> compared_backends() {
  std::vector<std::string> names;
  for (const auto& b : psst::test::backends())
    if (b != "reference") names.push_back(b);
  return names;
}

class BackendEquality : public ::testing::TestWithParam<std::tuple<ModelCase, std::string>> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BackendEquality);

TEST_P(BackendEquality, BitwiseIdenticalToReferenceOnOneAndTwoThreads) {
  const auto& [model, backend] = GetParam();
  Outcome reference = run_model(model.file, "reference", 0, model.duration, model.math);
  std::size_t values = 0, spikes = reference.spikes.size();
  for (const auto& [name, x] : reference.arrays) values += x.size();
  ASSERT_GT(values, 0u);
  std::cout << "[ " << model.file << ", math " << model.math << " ] " << values << " state values, " << spikes << " spikes\n";
  for (int threads : {1, 2}) {
    Outcome other = run_model(model.file, backend, threads, model.duration, model.math);
    expect_bitwise_equal(reference, other,
                         std::string(model.file) + " (math " + model.math + ") on " + backend + " with " +
                             std::to_string(threads) + " thread(s)");
  }
}

INSTANTIATE_TEST_SUITE_P(Models, BackendEquality,
                         ::testing::Combine(::testing::ValuesIn(model_cases),
                                            ::testing::ValuesIn(compared_backends())),
                         [](const auto& test_info) {
                           std::string name = std::get<0>(test_info.param).file;
                           name = name.substr(0, name.find('.'));
                           std::erase(name, '_');
                           std::string backend = std::get<1>(test_info.param);
                           std::replace(backend.begin(), backend.end(), '-', '_');
                           const std::string math = std::get<0>(test_info.param).math;
                           return name + (math == "exact" ? "" : "_" + math) + "_" + backend;
                         });

TEST(BackendEqualityPresent, AnotherBackendThanTheReference) {
  if (compared_backends().empty())
    GTEST_SKIP() << "only the reference backend is available here (no C++ compiler for cpu): nothing to compare";
  SUCCEED();
}

}  // namespace
