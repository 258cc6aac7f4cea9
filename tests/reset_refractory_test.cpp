// Reset and refractoriness (docs/model-files.md, "Reset and refractoriness"):
// leaky integrate-and-fire neurons with constant input against their analytic
// inter-spike interval, in whole steps, on every backend, bitwise equal to the
// reference interpreter; the time form and the condition form of refractoriness
// give the same spikes; a refractory neuron cannot spike.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

// Three LIF neurons, dv/dt = not_refractory (R I - v) / tau, threshold v > 1, reset
// v = 0.25 (and a counter c += 1 + v, which reads the v just reset), refractory 2, 0
// and 5 ms; and one neuron whose equation is not clamped, refractory for 10 ms.
std::string lif_model(const std::string& method, const std::string& refractory) {
  return fmt::format(R"(
[simulation]
duration = 100.0
dt = 0.1
method = "{}"
[populations.lif]
size = 3
threshold = "v > v_th"
reset = "v = v_r; c += 1 + v"
refractory = {}
equations = """
dv/dt = not_refractory * (R * I - v) / tau
dc/dt = 0
"""
parameters = {{ R = 1.0, I = 2.0, tau = 10.0, v_th = 1.0, v_r = 0.25, ref_ms = [2.0, 0.0, 5.0] }}
initial = {{ v = 0.25, c = 0.0 }}
[populations.free]
threshold = "v > 1"
reset = "v = 0.25"
refractory = 10.0
equations = "dv/dt = (2 - v) / 10"
initial = {{ v = 0.25 }}
)",
                     method, refractory);
}

struct Result {
  std::vector<std::vector<std::int64_t>> spike_steps;  // lif's neurons 0 to 2, then free's neuron
  std::vector<double> v, c, v_free;
};

Result run(const std::string& text, const std::string& backend) {
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(psst::lang::parse_model_text(text, "lif.toml", "."), overrides);
  psst::test::SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  Result r;
  r.spike_steps.resize(4);
  for (const auto& s : spikes.spikes()) {
    const bool lif = simulation.populations()[s.population]->name() == "lif";
    r.spike_steps[lif ? s.neuron : 3].push_back(std::llround(s.time / simulation.dt()));
  }
  r.v = simulation.population("lif").state("v");
  r.c = simulation.population("lif").state("c");
  r.v_free = simulation.population("free").state("v");
  return r;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && !a.empty() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// From v_r the threshold is reached after T = tau ln((R I - v_r) / (R I - v_th)) = 10 ln(1.75)
// = 5.596 ms: the crossing is in the s-th step of free integration, s = ceil(T / dt) = 56.
// A spike in step m resets v; with a refractory period of P = timestep(refractory) steps the
// integration is free again from step m + max(1, P) (Brian2: not refractory when
// timestep(t - lastspike) >= P), so the next spike is in step m + max(1, P) + s - 1.
std::vector<std::int64_t> expected_steps(std::int64_t refractory_steps) {
  const double T = 10.0 * std::log(1.75);
  const auto s = static_cast<std::int64_t>(std::ceil(T / 0.1));
  EXPECT_EQ(s, 56);
  std::vector<std::int64_t> steps;
  for (std::int64_t m = s - 1; m < 1000; m += std::max<std::int64_t>(1, refractory_steps) + s - 1) steps.push_back(m);
  return steps;
}

class ResetRefractory : public ::testing::TestWithParam<std::string> {};

TEST_P(ResetRefractory, LifSpikesMatchTheAnalyticInterval) {
  for (const std::string method : {"exponential_euler", "rk4"}) {
    SCOPED_TRACE(method);
    const Result r = run(lif_model(method, "[2.0, 0.0, 5.0]"), GetParam());
    const std::int64_t periods[] = {20, 0, 50};
    for (std::size_t k = 0; k < 3; ++k) {
      SCOPED_TRACE(k);
      const auto expected = expected_steps(periods[k]);
      EXPECT_EQ(r.spike_steps[k], expected);
      // Each reset counted 1 + v_r = 1.25 (exact in binary): the second statement read the reset v.
      EXPECT_EQ(r.c[k], 1.25 * static_cast<double>(expected.size()));
      // After the last spike v was held at v_r while refractory, then rose freely until t = 100 ms.
      const std::int64_t free_from = expected.back() + std::max<std::int64_t>(1, periods[k]);
      const double v = 2.0 - 1.75 * std::exp(-static_cast<double>(1000 - free_from) * 0.1 / 10.0);
      EXPECT_NEAR(r.v[k], v, method == std::string("rk4") ? 1e-9 : 1e-12);
    }
    EXPECT_EQ(expected_steps(20).size(), 13u);  // 55, 130, ..., 955
    // Not clamped, refractory 10 ms: v passes the threshold 55 steps after a reset, but the
    // neuron cannot spike until step m + 100, when it spikes at once (v is above threshold).
    std::vector<std::int64_t> free_steps;
    for (std::int64_t m = 55; m < 1000; m += 100) free_steps.push_back(m);
    EXPECT_EQ(r.spike_steps[3], free_steps);
    // After the spike at 955 it rose freely for 44 steps.
    EXPECT_NEAR(r.v_free[0], 2.0 - 1.75 * std::exp(-4.4 / 10.0), method == std::string("rk4") ? 1e-9 : 1e-12);
  }
}

TEST_P(ResetRefractory, ConditionFormGivesTheSameSpikesAsTheTimeForm) {
  // Refractory while t - lastspike < ref_ms - 0.05 at the start of a step: the same
  // whole steps as refractory = ref_ms.
  const Result by_time = run(lif_model("exponential_euler", "[2.0, 0.0, 5.0]"), GetParam());
  const Result by_condition = run(lif_model("exponential_euler", "\"t - lastspike < ref_ms - 0.05\""), GetParam());
  EXPECT_EQ(by_condition.spike_steps, by_time.spike_steps);
  EXPECT_TRUE(same_bits(by_condition.v, by_time.v));
  EXPECT_EQ(by_time.spike_steps[0].size(), 13u);
}

TEST_P(ResetRefractory, BitwiseEqualToTheReferenceInterpreter) {
  for (const std::string method : {"exponential_euler", "rk4", "euler"}) {
    SCOPED_TRACE(method);
    const std::string text = lif_model(method, "[2.0, 0.0, 5.0]");
    const Result here = run(text, GetParam()), reference = run(text, "reference");
    EXPECT_EQ(here.spike_steps, reference.spike_steps);
    EXPECT_TRUE(same_bits(here.v, reference.v));
    EXPECT_TRUE(same_bits(here.c, reference.c));
    EXPECT_TRUE(same_bits(here.v_free, reference.v_free));
    EXPECT_GT(here.spike_steps[1].size(), 10u);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ResetRefractory, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

}  // namespace
