// A population that nothing couples within a step runs each Runge-Kutta step as
// one fused kernel; the fused step must give bitwise the stage-by-stage result.
// The stage-by-stage run is forced by a projection that reads V_pre (and so
// needs the population's stage state) but contributes nothing back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

const char* hh_population = R"toml(
[populations.HH]
size = 4
threshold = "V >= 0"
equations = """
dV/dt = (I_inj - g_Na * m^3 * h * (V - E_Na) - g_K * n^4 * (V - E_K) - g_L * (V - E_L)) / C_m
dm/dt = -(m - m_0) / tau_m
dh/dt = -(h - h_0) / tau_h
dn/dt = -(n - n_0) / tau_n
u = V + 50
phi = 3^((22 - 36) / 10)
alpha_m = 0.32 * (13 - u) / (exp((13 - u) / 4) - 1)
beta_m  = 0.28 * (u - 40) / (exp((u - 40) / 5) - 1)
alpha_h = 0.128 * exp((17 - u) / 18)
beta_h  = 4 / (exp((40 - u) / 5) + 1)
alpha_n = 0.02 * (15 - u) / (exp((15 - u) / 5) - 1)
beta_n  = 0.5 * exp((10 - u) / 40)
m_0 = alpha_m / (alpha_m + beta_m)
h_0 = alpha_h / (alpha_h + beta_h)
n_0 = alpha_n / (alpha_n + beta_n)
tau_m = 1 / ((alpha_m + beta_m) * phi)
tau_h = 1 / ((alpha_h + beta_h) * phi)
tau_n = 1 / ((alpha_n + beta_n) * phi)
"""
initial = { V = -71.0, m = 0.0, h = 0.0, n = 0.0 }
parameters = { C_m = 1.0, g_Na = 100.0, E_Na = 50.0, g_K = 10.0, E_K = -95.0, g_L = 0.15, E_L = -55.0, I_inj = [3.0, 7.5, 10.0, 20.0] }
)toml";

// A listener reading the HH neurons' stage voltage; its own state does not act back.
const char* listener = R"toml(
[populations.listener]
size = 1
equations = "dx/dt = -x + I_in"
initial = { x = 0.0 }

[projections.probe]
pre = "HH"
post = "listener"
connect = { rule = "all_to_all" }
summed = { I_in = "0.001 * V_pre" }
)toml";

struct Result {
  bool fused = false;
  std::vector<std::vector<double>> state;  // V, m, h, n
  std::vector<psst::test::SpikeCollector::Spike> spikes;
};

Result run(const std::string& backend, const std::string& method, bool with_listener,
           const std::string& precision = "double") {
  std::string text = std::string("[simulation]\nduration = 40.0\ndt = 0.01\nmethod = \"") + method +
                     "\"\nprecision = \"" + precision + "\"\n" + hh_population + (with_listener ? listener : "");
  auto spec = psst::lang::parse_model_text(text, "fused.toml", ".");
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(spec, overrides);
  psst::test::SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  Result result;
  auto& hh = simulation.population("HH");
  result.fused = hh.fused_step();
  for (const char* v : {"V", "m", "h", "n"}) result.state.push_back(hh.state(v));
  result.spikes = spikes.spikes();
  return result;
}

class FusedStep : public ::testing::TestWithParam<std::string> {};

TEST_P(FusedStep, EqualsStageByStageBitwise) {
  for (const char* precision : {"double", "single"})
  for (const char* method : {"rk2", "rk4"}) {
    SCOPED_TRACE(std::string(method) + ", " + precision);
    Result fused = run(GetParam(), method, false, precision);
    Result staged = run(GetParam(), method, true, precision);
    ASSERT_TRUE(fused.fused) << "an uncoupled population should run fused steps";
    ASSERT_FALSE(staged.fused) << "a population whose stage state a projection reads must run stage by stage";
    EXPECT_EQ(fused.state, staged.state);  // bitwise: operator== on doubles
    std::size_t hh_spikes = 0;
    for (const auto& s : staged.spikes) hh_spikes += s.population == 0 ? 1 : 0;
    EXPECT_GE(hh_spikes, 6u);  // the run is not trivial: the driven neurons fire
    ASSERT_EQ(fused.spikes.size(), hh_spikes);
    for (std::size_t k = 0; k < fused.spikes.size(); ++k) EXPECT_EQ(fused.spikes[k].time, staged.spikes[k].time);
  }
}

// Euler and exponential Euler have one stage: there is nothing to fuse.
TEST_P(FusedStep, SingleStageMethodsRunTheirOneKernel) {
  EXPECT_FALSE(run(GetParam(), "euler", false).fused);
}

// A threshold that reads an input table (a spike generator): the input must be
// sampled every step, so the population is not fused.
TEST_P(FusedStep, ThresholdReadingAnInputKeepsItSampled) {
  auto spec = psst::lang::parse_model_text(R"toml(
[simulation]
duration = 30.0
dt = 0.1
method = "rk4"
[populations.generator]
size = 2
equations = "dx/dt = -x"
initial = { x = 1.0 }
threshold = "drive > 0.5"
[populations.generator.inputs.drive]
segments = [ { start = 10.0, end = 20.0, value = 1.0, neurons = [1] } ]
)toml",
                                           "generator.toml", ".");
  RunOverrides overrides;
  overrides.backend = GetParam();
  Simulation simulation(spec, overrides);
  psst::test::SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  EXPECT_FALSE(simulation.population("generator").fused_step());
  // One upward crossing: the condition is true at t = 10 ms (the input of step 100),
  // and a spike is stamped with the start of the step that ended there, as in PSST.
  ASSERT_EQ(spikes.spikes().size(), 1u);
  EXPECT_EQ(spikes.spikes()[0].neuron, 1u);
  EXPECT_NEAR(spikes.spikes()[0].time, 9.9, 1e-9);
}

// A constant derivative: its Runge-Kutta sums would be folded in float64 in a
// fused graph but rounded per stage by stage kernels; such a population runs
// stage by stage, and single precision stays bitwise the same either way.
TEST_P(FusedStep, ConstantDerivativeIsNotFused) {
  auto spec = psst::lang::parse_model_text(
      "[simulation]\nduration = 1.0\ndt = 0.1\nmethod = \"rk4\"\nprecision = \"single\"\n"
      "[populations.ramp]\nsize = 1\nequations = \"dx/dt = 0.01\"\ninitial = { x = 0.0 }\n",
      "ramp.toml", ".");
  RunOverrides overrides;
  overrides.backend = GetParam();
  Simulation simulation(spec, overrides);
  simulation.run();
  EXPECT_FALSE(simulation.population("ramp").fused_step());
  // Each step adds the float32 of (dt/6) * (0.01 + 2 * 0.01 + 2 * 0.01 + 0.01) with the sums rounded to float32.
  float x = 0.0f, k = 0.01f, dt = 0.1f;
  for (int step = 0; step < 10; ++step) {
    float acc = k;
    acc = acc + 2.0f * k;
    acc = acc + 2.0f * k;
    acc = acc + k;
    x = x + (dt / 6.0f) * acc;
  }
  EXPECT_EQ(simulation.population("ramp").state("x")[0], static_cast<double>(x));
}

INSTANTIATE_TEST_SUITE_P(Backends, FusedStep, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
