// Poisson populations (`poisson_rate`, docs/model-files.md "Poisson populations"):
// spike counts within binomial bounds, spikes in consecutive steps (each step
// is an independent draw, not an edge), a rate per neuron, delivery to a
// projection, and the same spikes on every backend as on the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

struct Spikes {
  std::vector<std::vector<std::int64_t>> steps;  // per neuron of the Poisson population
  std::vector<double> received;                  // counter of population 1
};

Spikes run(const std::string& rate, std::size_t size, double duration, const std::string& backend,
           std::uint64_t seed = 7) {
  const std::string text = fmt::format(R"(
[simulation]
duration = {}
dt = 0.1
seed = {}
[populations.input]
size = {}
poisson_rate = {}
[populations.counter]
size = {}
equations = "dc/dt = 0"
initial = {{ c = 0 }}
[projections.drive]
pre = "input"
post = "counter"
connect = "one_to_one"
on_pre = "c_post += 1"
)",
                                       duration, seed, size, rate, size);
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(psst::lang::parse_model_text(text, "poisson.toml", "."), overrides);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  Spikes s;
  s.steps.resize(size);
  for (const auto& spike : collector.spikes())
    if (simulation.populations()[spike.population]->name() == "input")
      s.steps[spike.neuron].push_back(std::llround(spike.time / 0.1));
  s.received = simulation.population("counter").state("c");
  return s;
}

class Poisson : public ::testing::TestWithParam<std::string> {};

// 1000 neurons at 20 Hz for 1 s in steps of 0.1 ms: each count is Binomial(10000, 0.002),
// mean 20, variance 19.96; the total has standard deviation 141.
TEST_P(Poisson, CountsAreWithinBinomialBounds) {
  const Spikes s = run("20.0", 1000, 1000.0, GetParam());
  double total = 0, squares = 0;
  for (const auto& neuron : s.steps) {
    total += static_cast<double>(neuron.size());
    squares += static_cast<double>(neuron.size() * neuron.size());
  }
  const double mean = total / 1000.0, variance = squares / 1000.0 - mean * mean;
  EXPECT_NEAR(total, 20000.0, 5 * std::sqrt(10000.0 * 1000.0 * 0.002 * 0.998));  // 5 standard deviations
  EXPECT_NEAR(variance, 19.96, 5 * 19.96 * std::sqrt(2.0 / 999.0));
  // Every spike reached the counter through the projection (a spike in step n arrives at its end).
  for (std::size_t i = 0; i < 1000; ++i) ASSERT_EQ(s.received[i], static_cast<double>(s.steps[i].size())) << i;
}

// p = 0.5 per step: half the steps spike, many in consecutive steps.
TEST_P(Poisson, ConsecutiveStepsSpikeIndependently) {
  const Spikes s = run("5000.0", 10, 100.0, GetParam());
  double total = 0, consecutive = 0;
  for (const auto& neuron : s.steps) {
    total += static_cast<double>(neuron.size());
    for (std::size_t k = 1; k < neuron.size(); ++k) consecutive += neuron[k] == neuron[k - 1] + 1 ? 1.0 : 0.0;
  }
  EXPECT_NEAR(total, 5000.0, 5 * std::sqrt(10000.0 * 0.25));
  EXPECT_NEAR(consecutive, 2500.0, 250.0);  // about 1 in 2 spikes follows a spike
}

TEST_P(Poisson, RatePerNeuronFromAnExpression) {
  const Spikes s = run("\"100.0 * i\"", 4, 1000.0, GetParam());
  EXPECT_TRUE(s.steps[0].empty());  // 0 Hz
  for (std::size_t i = 1; i < 4; ++i) {
    const double n = 10000.0, p = 0.01 * static_cast<double>(i);
    EXPECT_NEAR(static_cast<double>(s.steps[i].size()), n * p, 5 * std::sqrt(n * p * (1 - p))) << "neuron " << i;
  }
}

TEST_P(Poisson, SameSpikesAsTheReferenceAndAnotherSeedDiffers) {
  const Spikes here = run("50.0", 200, 500.0, GetParam()), reference = run("50.0", 200, 500.0, "reference");
  EXPECT_EQ(here.steps, reference.steps);
  EXPECT_EQ(here.received, reference.received);
  EXPECT_NE(run("50.0", 200, 500.0, GetParam(), 8).steps, here.steps);
}

INSTANTIATE_TEST_SUITE_P(Backends, Poisson, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

}  // namespace
