// A population that nothing couples within a step runs each Runge-Kutta step as
// one fused kernel; the fused step must give bitwise the stage-by-stage result.
// The stage-by-stage run is forced by a projection that reads V_pre (and so
// needs the population's stage state) but contributes nothing back.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/element_kernels.hpp"
#include "graph/scheme.hpp"
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

// x of "dx/dt = -x" after 1 ms (10 steps of 0.1 ms), and whether it ran fused steps.
std::pair<double, bool> decay_one_ms(const std::string& backend, const std::string& method) {
  auto spec = psst::lang::parse_model_text("[simulation]\nduration = 1.0\ndt = 0.1\nmethod = \"" + method +
                                               "\"\n[populations.decay]\nsize = 1\nequations = \"dx/dt = -x\"\n"
                                               "initial = { x = 1.0 }\n",
                                           "decay.toml", ".");
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(spec, overrides);
  simulation.run();
  return {simulation.population("decay").state("x")[0], simulation.population("decay").fused_step()};
}

// Euler and exponential Euler have one stage: there is nothing to fuse, and
// their one stage kernel is the whole step, run once per step.
TEST_P(FusedStep, SingleStageMethodsRunTheirOneKernel) {
  auto spec = psst::lang::parse_model_text("[populations.p]\nsize = 1\nequations = \"dx/dt = -x\"\n"
                                           "initial = { x = 1.0 }\n", "p.toml", ".");
  const psst::graph::EquationSystem system(spec.populations.at(0));
  for (const char* method : {"euler", "exponential_euler"}) {
    auto kernels = psst::graph::build_population_kernels(system, psst::graph::find_scheme(method), nullptr);
    EXPECT_EQ(kernels.stages.size(), 1u) << method;
    EXPECT_FALSE(kernels.step.has_value()) << method;
  }
  auto [euler, euler_fused] = decay_one_ms(GetParam(), "euler");
  EXPECT_FALSE(euler_fused);
  double x = 1.0;
  for (int step = 0; step < 10; ++step) x = x + 0.1 * -x;  // x += dt f(x), the kernel's operations
  EXPECT_EQ(euler, x);
  auto [exponential, exponential_fused] = decay_one_ms(GetParam(), "exponential_euler");
  EXPECT_FALSE(exponential_fused);
  EXPECT_NEAR(exponential, std::exp(-1.0), 1e-15);  // exact for a linear equation, to rounding
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

// x of "dx/dt = 0.01" after 1 ms of RK4, and whether it ran fused steps; with a
// listener reading x_pre, the population must run stage by stage.
std::pair<double, bool> ramp(const std::string& backend, const std::string& precision, bool with_listener) {
  std::string text = "[simulation]\nduration = 1.0\ndt = 0.1\nmethod = \"rk4\"\nprecision = \"" + precision +
                     "\"\n[populations.ramp]\nsize = 1\nequations = \"dx/dt = 0.01\"\ninitial = { x = 0.0 }\n";
  if (with_listener)
    text += "[populations.listener]\nsize = 1\nequations = \"dy/dt = -y + I_in\"\ninitial = { y = 0.0 }\n"
            "[projections.probe]\npre = \"ramp\"\npost = \"listener\"\nconnect = { rule = \"all_to_all\" }\n"
            "summed = { I_in = \"0.001 * x_pre\" }\n";
  auto spec = psst::lang::parse_model_text(text, "ramp.toml", ".");
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(spec, overrides);
  simulation.run();
  return {simulation.population("ramp").state("x")[0], simulation.population("ramp").fused_step()};
}

// A constant derivative: the fused graph folds the Runge-Kutta sums that the
// stage kernels compute at run time; folded in the model's precision (float32
// in single), they are the same bits, so such a population runs fused too.
TEST_P(FusedStep, ConstantDerivativeIsFusedToTheSameBits) {
  for (const char* precision : {"double", "single"}) {
    SCOPED_TRACE(precision);
    auto [fused, fused_ran] = ramp(GetParam(), precision, false);
    auto [staged, staged_fused] = ramp(GetParam(), precision, true);
    EXPECT_TRUE(fused_ran);
    EXPECT_FALSE(staged_fused);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(fused), std::bit_cast<std::uint64_t>(staged));
  }
  // Single: each step adds the float32 of (dt/6) * (0.01 + 2 * 0.01 + 2 * 0.01 + 0.01), the sums rounded to
  // float32 (in float64 they would give another last bit).
  float x = 0.0f, k = 0.01f, dt = 0.1f;
  for (int step = 0; step < 10; ++step) {
    float acc = k;
    acc = acc + 2.0f * k;
    acc = acc + 2.0f * k;
    acc = acc + k;
    x = x + (dt / 6.0f) * acc;
  }
  EXPECT_EQ(ramp(GetParam(), "single", false).first, static_cast<double>(x));
}

INSTANTIATE_TEST_SUITE_P(Backends, FusedStep, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
