// precision = "single": every kernel operation rounded to float32. Each backend
// must give bitwise the reference backend's single-precision result, and the
// error against float64 on the reference models must stay what docs/performance.md
// reports: the HH spike times unchanged, the three-neuron spikes within a step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

struct Outcome {
  std::vector<double> V;  // V of every neuron of the first population at the end
  std::vector<SpikeCollector::Spike> spikes;
  double max_abs_V_difference = 0.0;  // against `compare_to`, sampled every step
};

// Runs `model` to `duration` ms; when compare_to is given (a V trace per step of
// neuron 0), also records the largest |V - compare_to| over the run.
Outcome simulate(const std::string& model, const std::string& backend, const std::string& precision, double duration,
        std::vector<double>* trace = nullptr, const std::vector<double>* compare_to = nullptr) {
  RunOverrides overrides;
  overrides.backend = backend;
  overrides.precision = precision;
  overrides.duration = duration;
  auto spec = psst::lang::read_model_file(psst::test::model_path(model));
  spec.records.clear();
  Simulation simulation(spec, overrides);
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  Outcome result;
  auto& population = *simulation.populations().front();
  std::size_t n = 0;
  while (simulation.step() < simulation.total_steps()) {
    simulation.run_until_step(simulation.step() + 1);
    double V = population.state("V")[0];
    if (trace) trace->push_back(V);
    if (compare_to) result.max_abs_V_difference = std::max(result.max_abs_V_difference, std::fabs(V - compare_to->at(n)));
    ++n;
  }
  result.V = population.state("V");
  result.spikes = spikes.spikes();
  return result;
}

// Every backend but the reference against the reference.
TEST(SinglePrecisionBackends, EqualTheReferenceBackendBitwise) {
  std::vector<std::string> others = psst::test::backends();
  std::erase(others, std::string("reference"));
  if (others.empty()) GTEST_SKIP() << "only the reference backend is available: nothing to compare it with";
  for (const char* model : {"hh.toml", "psst_three_neurons.toml"}) {
    Outcome reference = simulate(model, "reference", "single", 60.0);
    for (const auto& backend : others) {
      SCOPED_TRACE(std::string(model) + " on " + backend);
      Outcome here = simulate(model, backend, "single", 60.0);
      EXPECT_EQ(here.V, reference.V);
      ASSERT_EQ(here.spikes.size(), reference.spikes.size());
      for (std::size_t k = 0; k < here.spikes.size(); ++k) EXPECT_EQ(here.spikes[k].time, reference.spikes[k].time);
    }
  }
}

class SinglePrecision : public ::testing::TestWithParam<std::string> {};

TEST_P(SinglePrecision, HodgkinHuxleyErrorAgainstDouble) {
  std::vector<double> trace;
  Outcome exact = simulate("hh.toml", GetParam(), "double", 200.0, &trace);
  Outcome single = simulate("hh.toml", GetParam(), "single", 200.0, nullptr, &trace);
  // Every value held is a float32.
  for (double V : single.V) EXPECT_EQ(V, static_cast<double>(static_cast<float>(V)));
  // It is single precision (the runs differ), and close: measured 0.0091 mV at most.
  EXPECT_GT(single.max_abs_V_difference, 1e-6);
  EXPECT_LT(single.max_abs_V_difference, 0.05);
  ASSERT_EQ(single.spikes.size(), 17u);
  ASSERT_EQ(single.spikes.size(), exact.spikes.size());
  for (std::size_t k = 0; k < exact.spikes.size(); ++k) EXPECT_EQ(single.spikes[k].time, exact.spikes[k].time);
}

TEST_P(SinglePrecision, ThreeNeuronSpikesWithinOneStep) {
  Outcome exact = simulate("psst_three_neurons.toml", GetParam(), "double", 200.0);
  Outcome single = simulate("psst_three_neurons.toml", GetParam(), "single", 200.0);
  ASSERT_EQ(single.spikes.size(), exact.spikes.size());
  for (std::size_t k = 0; k < exact.spikes.size(); ++k) {
    EXPECT_EQ(single.spikes[k].neuron, exact.spikes[k].neuron);
    EXPECT_NEAR(single.spikes[k].time, exact.spikes[k].time, 0.0100001) << "spike " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SinglePrecision, ::testing::ValuesIn(psst::test::backends()));

TEST(SinglePrecisionModel, UnknownPrecisionIsAUserError) {
  auto spec = psst::lang::read_model_file(psst::test::model_path("hh.toml"));
  RunOverrides overrides;
  overrides.precision = "half";
  try {
    Simulation simulation(spec, overrides);
    FAIL() << "precision = half was accepted";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("valid values are \"double\" (float64, the default) and \"single\""),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
