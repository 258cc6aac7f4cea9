// Random numbers drawn in the kernels (graph::Op::RandomUniform/RandomNormal):
// white noise xi under Euler-Maruyama and stochastic Heun against the exact
// statistics of the discretised Ornstein-Uhlenbeck process (mean, variance,
// correlation at a lag; bounds from the sample size), rand() and randn() in
// equations and reset, the same bits on every backend and thread count, and the
// refusals (methods that cannot integrate noise, noise outside equations,
// random numbers in initial values; in projections: event_random_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/random.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

// dx/dt = -x/tau + sigma sqrt(2/tau) xi, started from its stationary law N(0, sigma^2).
std::string ornstein_uhlenbeck(const std::string& method, std::size_t size, double duration) {
  return fmt::format(R"toml(
[simulation]
duration = {}
dt = 0.1
method = "{}"
seed = 11
[populations.ou]
size = {}
equations = "dx/dt = -x/tau + sigma*sqrt(2/tau)*xi"
parameters = {{ tau = 10.0, sigma = 2.0 }}
initial = {{ x = {{ distribution = "normal", mean = 0, std = 2.0 }} }}
)toml",
                     duration, method, size);
}

Simulation make(const std::string& text, const std::string& backend = "reference", int threads = 1) {
  RunOverrides overrides;
  overrides.backend = backend;
  overrides.threads = threads;
  return Simulation(psst::lang::parse_model_text(text, "noise.toml", "."), overrides);
}

// The discretised process is exactly x' = phi x + s N with N standard normal:
// Euler-Maruyama phi = 1 - a, s = sqrt(2 a) sigma (a = dt/tau); stochastic Heun on
// a linear drift phi = 1 - a + a^2/2, s = sqrt(2 a) sigma (1 - a/2). Its stationary
// variance s^2 / (1 - phi^2) and lag-k correlation phi^k are what the runs must give.
struct Discrete {
  double phi, s;
  double variance() const { return s * s / (1.0 - phi * phi); }
};

Discrete discrete(const std::string& method, double dt, double tau, double sigma) {
  const double a = dt / tau;
  if (method == "euler") return {1.0 - a, std::sqrt(2.0 * a) * sigma};
  return {1.0 - a + a * a / 2.0, std::sqrt(2.0 * a) * sigma * (1.0 - a / 2.0)};
}

class OrnsteinUhlenbeck : public ::testing::TestWithParam<std::string> {};

// 4000 independent neurons observed at steps 200 and 300 (lag 10 ms = tau): mean,
// variance and correlation within 5 standard errors of the discrete theory.
TEST_P(OrnsteinUhlenbeck, MeanVarianceAndCorrelationTimeMatchTheory) {
  const std::string method = GetParam();
  const std::size_t n = 4000;
  Simulation simulation = make(ornstein_uhlenbeck(method, n, 30.0), "default");
  simulation.run_until_step(200);
  const std::vector<double> x0 = simulation.population("ou").state("x");
  simulation.run_until_step(300);
  const std::vector<double> x1 = simulation.population("ou").state("x");
  const Discrete theory = discrete(method, 0.1, 10.0, 2.0);
  const double variance = theory.variance(), rho = std::pow(theory.phi, 100);
  const auto nd = static_cast<double>(n);
  double m0 = 0, m1 = 0;
  for (std::size_t i = 0; i < n; ++i) m0 += x0[i] / nd, m1 += x1[i] / nd;
  double v0 = 0, v1 = 0, c = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v0 += (x0[i] - m0) * (x0[i] - m0) / (nd - 1);
    v1 += (x1[i] - m1) * (x1[i] - m1) / (nd - 1);
    c += (x0[i] - m0) * (x1[i] - m1) / (nd - 1);
  }
  const double r = c / std::sqrt(v0 * v1);
  EXPECT_LT(std::fabs(m0), 5.0 * std::sqrt(variance / nd)) << m0;
  EXPECT_LT(std::fabs(m1), 5.0 * std::sqrt(variance / nd)) << m1;
  // The sample variance of n normals: standard error sqrt(2 / (n - 1)) relative.
  EXPECT_LT(std::fabs(v0 / variance - 1.0), 5.0 * std::sqrt(2.0 / (nd - 1))) << v0 << " vs " << variance;
  EXPECT_LT(std::fabs(v1 / variance - 1.0), 5.0 * std::sqrt(2.0 / (nd - 1))) << v1 << " vs " << variance;
  // The sample correlation: standard error (1 - rho^2) / sqrt(n).
  EXPECT_LT(std::fabs(r - rho), 5.0 * (1.0 - rho * rho) / std::sqrt(nd)) << r << " vs " << rho;
  // As a correlation time: -lag / ln r against the continuous process's tau (within 10%).
  const double tau_estimate = -10.0 / std::log(r);
  EXPECT_NEAR(tau_estimate, 10.0, 1.0);
  // The variance against the continuous process's sigma^2 = 4 (the discretisation's bias is 0.5%).
  EXPECT_NEAR(v1, 4.0, 0.25);
}

INSTANTIATE_TEST_SUITE_P(Methods, OrnsteinUhlenbeck, ::testing::Values("euler", "heun"));

// Noise, rand() and randn() in equations, randn() in a reset, two noise sources and
// multiplicative noise under Heun, and a summed synaptic input (so the population runs
// stage by stage, each stage kernel drawing the step's noise again): what each backend
// and thread count gives, bit for bit.
std::string noisy_network(const std::string& method, const std::string& precision) {
  return fmt::format(R"toml(
[simulation]
duration = 20.0
dt = 0.1
method = "{}"
precision = "{}"
seed = 3
[populations.cells]
size = 300
equations = """
dv/dt = (-v + I + I_gap)/tau + 0.5*sqrt(2/tau)*xi_a + 0.1*v*xi_b
I = 1.2 + 0.4*randn() + 0.1*rand()
"""
parameters = {{ tau = 5.0 }}
threshold = "v > 1"
reset = "v = 0.2*randn()"
initial = {{ v = 0.0 }}
[projections.gap]
pre = "cells"
post = "cells"
connect = {{ rule = "probability", p = 0.05 }}
summed = {{ I_gap = "0.02*(v_pre - v_post)" }}
)toml",
                     method, precision);
}

std::vector<double> final_state(const std::string& text, const std::string& backend, int threads,
                                std::size_t* spikes = nullptr) {
  Simulation simulation = make(text, backend, threads);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  if (spikes) *spikes = collector.spikes().size();
  return simulation.population("cells").state("v");
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

class NoiseEquality : public ::testing::TestWithParam<std::string> {};

TEST_P(NoiseEquality, NoisyRunsAreBitwiseEqualToTheReferenceAtOneAndTwoThreads) {
  for (const auto& [method, precision] : {std::pair{"euler", "double"}, std::pair{"heun", "single"}}) {
    const std::string text = noisy_network(method, precision);
    std::size_t reference_spikes = 0, spikes = 0;
    const auto reference = final_state(text, "reference", 1, &reference_spikes);
    EXPECT_GT(reference_spikes, 100u) << method << " " << precision;  // the reset's randn() is exercised
    for (int threads : {1, 2}) {
      const auto v = final_state(text, GetParam(), threads, &spikes);
      EXPECT_TRUE(same_bits(v, reference)) << GetParam() << " " << method << " " << precision << " " << threads;
      EXPECT_EQ(spikes, reference_spikes);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, NoiseEquality, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName{});

// A Poisson population draws in its threshold kernel: neuron i spikes in step n exactly
// when draw n of element i of CounterRandom(seed, "<population>/poisson") is below
// rate dt / 1000, the numbers the host drew and uploaded before the draws moved to the
// kernels (so Poisson spikes kept their bits), on every backend.
TEST_P(NoiseEquality, PoissonSpikesAreTheCounterBasedDrawsOfTheirKey) {
  Simulation simulation = make(R"toml(
[simulation]
duration = 20.0
dt = 0.1
seed = 5
[populations.input]
size = 50
poisson_rate = 200.0
)toml",
                               GetParam(), 2);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  std::vector<std::pair<std::int64_t, std::size_t>> spikes, expected;
  for (const auto& spike : collector.spikes()) spikes.emplace_back(std::llround(spike.time / 0.1), spike.neuron);
  const psst::run::CounterRandom random(5, "input/poisson");
  const double p = 200.0 * 0.1 / 1000;
  for (std::int64_t n = 0; n < 200; ++n)
    for (std::size_t i = 0; i < 50; ++i)
      if (random.uniform(i, static_cast<std::uint64_t>(n)) < p) expected.emplace_back(n, i);
  EXPECT_GT(expected.size(), 100u);
  EXPECT_EQ(spikes, expected);
}

// The seed changes every draw; the same seed gives the same draws; two noise sources differ.
TEST(Noise, SeedsAndSourcesGiveIndependentDraws) {
  const std::string text = noisy_network("euler", "double");
  const auto a = final_state(text, "reference", 1);
  EXPECT_TRUE(same_bits(a, final_state(text, "reference", 1)));
  std::string other = text;
  other.replace(other.find("seed = 3"), 8, "seed = 4");
  const auto b = final_state(other, "reference", 1);
  std::size_t equal = 0;
  for (std::size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  EXPECT_LT(equal, a.size() / 10);
  // One source read twice is one draw; two sources are independent.
  Simulation sources = make(R"toml(
[simulation]
duration = 1.0
dt = 0.1
method = "euler"
[populations.p]
size = 100
equations = """
dx/dt = xi
dy/dt = xi
dz/dt = xi_other
"""
initial = { x = 0, y = 0, z = 0 }
)toml");
  sources.run();
  const auto& p = sources.population("p");
  EXPECT_TRUE(same_bits(p.state("x"), p.state("y")));
  const auto x = p.state("x"), z = p.state("z");
  std::size_t same = 0;
  for (std::size_t i = 0; i < x.size(); ++i) same += x[i] == z[i];
  EXPECT_EQ(same, 0u);
}

// randn() in an equation: one draw per neuron and step, held over the step's stages:
// dv/dt = randn() integrates to v_n = dt * (sum of n standard normals) under any method.
TEST(Noise, RandnInAnEquationIsOneDrawPerStepWithUnitVariance) {
  for (const char* method : {"euler", "rk4"}) {
    Simulation simulation = make(fmt::format(R"toml(
[simulation]
duration = 10.0
dt = 0.1
method = "{}"
[populations.w]
size = 3000
equations = "dv/dt = randn()"
initial = {{ v = 0 }}
)toml",
                                             method));
    simulation.run();
    const auto v = simulation.population("w").state("v");
    const auto count = static_cast<double>(v.size());
    double m = 0, s2 = 0;
    for (double x : v) m += x / count;
    for (double x : v) s2 += (x - m) * (x - m) / (count - 1);
    const double variance = 100 * 0.01;  // 100 steps of dt^2 N^2
    EXPECT_LT(std::fabs(m), 5.0 * std::sqrt(variance / 3000)) << method;
    EXPECT_LT(std::fabs(s2 / variance - 1.0), 5.0 * std::sqrt(2.0 / 2999)) << method << " " << s2;
  }
}

std::string refusal(const std::string& body) {
  try {
    make("[simulation]\nduration = 1.0\ndt = 0.1\n" + body);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(Noise, MethodsThatCannotIntegrateNoiseRefuseItWithALocatedReason) {
  for (const char* method : {"rk4", "rk2", "exponential_euler"}) {
    const std::string message = refusal(fmt::format(R"toml(method = "{}"
[populations.p]
size = 2
equations = "dx/dt = -x/10 + xi"
initial = {{ x = 0 }}
)toml",
                                                    method));
    EXPECT_NE(message.find("noise.toml:7:30"), std::string::npos) << message;  // where xi is written
    EXPECT_NE(message.find("cannot integrate"), std::string::npos) << message;
    EXPECT_NE(message.find("\"heun\""), std::string::npos) << message;
  }
}

TEST(Noise, NoiseOutsideEquationsAndRandomNumbersInInitialValuesAreRefused) {
  const std::string threshold = refusal(R"toml([populations.p]
size = 2
equations = "dx/dt = -x/10"
threshold = "x + xi > 1"
initial = { x = 0 }
)toml");
  EXPECT_NE(threshold.find("white noise"), std::string::npos) << threshold;
  EXPECT_NE(threshold.find("the threshold"), std::string::npos) << threshold;
  for (const char* initial : {"\"xi + 1\"", "\"randn()\""}) {
    const std::string message = refusal(fmt::format(R"toml(method = "euler"
[populations.p]
size = 2
equations = "dx/dt = -x/10 + xi"
initial = {{ x = {} }}
)toml",
                                                    initial));
    EXPECT_NE(message.find("noise.toml:8"), std::string::npos) << message;
    EXPECT_NE(message.find("distribution = \"normal\""), std::string::npos) << message;
  }
}

}  // namespace
