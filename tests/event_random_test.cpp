// rand() and randn() in a projection's on_pre (run/event_random.hpp): each draw is
// the counter-based draw of (seed, "<projection>/on_pre") at (global synapse index,
// step at which the event is applied, draw number of the call in the statement list),
// recomputed here from the spikes of a run on every backend; the increments' statistics;
// the same bits on every backend, thread count and precision with per-synapse delays.
// Ensembles (instance k = seed S + k): ensemble_test.cpp; ranks: mpi/equality_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "math/random.hpp"
#include "run/random.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

Simulation make(const std::string& text, const std::string& backend, int threads) {
  RunOverrides overrides;
  overrides.backend = backend;
  overrides.threads = threads;
  return Simulation(psst::lang::parse_model_text(text, "on_pre.toml", "."), overrides);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// Three spike sources onto 40 neurons (120 synapses, 3 ms delay): two sources spike
// in the same step (t = 0.5), and a source in consecutive steps (2.0, 2.1).
constexpr const char* timed_model = R"toml(
[simulation]
duration = 6.0
dt = 0.1
seed = 7
[populations.src]
size = 3
spike_times = { times = [0.0, 0.5, 0.5, 2.0, 2.0, 2.1, 3.1], indices = [0, 0, 1, 0, 2, 0, 1] }
[populations.dst]
size = 40
equations = "dg/dt = 0"
initial = { g = 0 }
[projections.noisy]
pre = "src"
post = "dst"
connect = "all_to_all"
equations = """
dx/dt = 0
dy/dt = 0
"""
initial = { x = 0, y = 0 }
delay = 0.3
on_pre = "x += rand(); y += randn(); g_post += 0.5 * rand()"
)toml";

class EventRandom : public ::testing::TestWithParam<std::string> {};

// Every increment is the draw the key, synapse, step and call site give, recomputed here.
TEST_P(EventRandom, DrawsAreTheCounterBasedDrawsOfSynapseStepAndCallSite) {
  Simulation simulation = make(timed_model, GetParam(), 2);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  ASSERT_EQ(collector.spikes().size(), 7u);
  const auto& projection = simulation.projection("noisy");
  const auto& c = projection.connectivity();
  ASSERT_EQ(c.size(), 120u);
  // Events by the step they are applied at (spike step + 3), in ascending presynaptic neuron order.
  std::map<std::int64_t, std::vector<std::size_t>> events;
  for (const auto& spike : collector.spikes()) events[std::llround(spike.time / 0.1) + 3].push_back(spike.neuron);
  const psst::run::CounterRandom random(7, "noisy/on_pre");
  auto draw = [](std::int64_t step, std::uint32_t d) { return psst::math::random_draw(static_cast<double>(step), d); };
  std::vector<double> x(c.size(), 0.0), y(c.size(), 0.0), g(40, 0.0);
  for (auto& [step, pre] : events) {
    std::sort(pre.begin(), pre.end());
    for (std::size_t j : pre)
      for (std::size_t s = 0; s < c.size(); ++s) {
        if (c.pre[s] != j) continue;
        x[s] += random.uniform(s, draw(step, 0));
        y[s] += random.normal(s, draw(step, 1));
        g[c.post[s]] += 0.5 * random.uniform(s, draw(step, 2));
      }
  }
  EXPECT_TRUE(same_bits(projection.state("x"), x)) << GetParam();
  EXPECT_TRUE(same_bits(projection.state("y"), y)) << GetParam();
  EXPECT_TRUE(same_bits(simulation.population("dst").state("g"), g)) << GetParam();
  EXPECT_NE(x[0], x[3]);  // synapses of one presynaptic neuron draw apart
}

// A recurrent network with random connectivity, per-synapse delays (several delay
// classes), noisy weights and noisy postsynaptic kicks: each backend at 1 and 2
// threads, in double and single precision, equals the reference interpreter bit for bit.
std::string noisy_network(const std::string& precision) {
  return fmt::format(R"toml(
[simulation]
duration = 30.0
dt = 0.1
method = "euler"
precision = "{}"
seed = 5
[populations.cells]
size = 200
equations = "dv/dt = (1.3 - v) / 10"
threshold = "v > 1"
reset = "v = 0"
initial = {{ v = {{ distribution = "uniform", low = 0.0, high = 1.0 }} }}
[projections.recurrent]
pre = "cells"
post = "cells"
connect = {{ rule = "probability", p = 0.05 }}
equations = "dw/dt = (0.2 - w) / 50"
initial = {{ w = 0.2 }}
delay = {{ distribution = "uniform", low = 0.5, high = 2.0 }}
on_pre = """
v_post += w * (0.5 + rand())
w += 0.05 * randn()
"""
)toml",
                     precision);
}

std::vector<double> final_state(const std::string& text, const std::string& backend, int threads,
                                std::vector<double>* weights, std::size_t* spikes) {
  Simulation simulation = make(text, backend, threads);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  *spikes = collector.spikes().size();
  *weights = simulation.projection("recurrent").state("w");
  return simulation.population("cells").state("v");
}

TEST_P(EventRandom, NoisyEventsAreBitwiseEqualToTheReferenceAtOneAndTwoThreads) {
  for (const char* precision : {"double", "single"}) {
    const std::string text = noisy_network(precision);
    std::vector<double> reference_w, w;
    std::size_t reference_spikes = 0, spikes = 0;
    const auto reference = final_state(text, "reference", 1, &reference_w, &reference_spikes);
    EXPECT_GT(reference_spikes, 300u) << precision;  // thousands of events
    for (int threads : {1, 2}) {
      const auto v = final_state(text, GetParam(), threads, &w, &spikes);
      EXPECT_TRUE(same_bits(v, reference)) << GetParam() << " " << precision << " " << threads;
      EXPECT_TRUE(same_bits(w, reference_w)) << GetParam() << " " << precision << " " << threads;
      EXPECT_EQ(spikes, reference_spikes);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EventRandom, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName{});

// One source spiking 10 times onto 3000 synapses: x (10 uniforms) has mean 5 and
// variance 10/12, y (10 normals) mean 0 and variance 10; x and y, and neighbouring
// synapses, are uncorrelated. Bounds: 5 standard errors.
TEST(EventRandomStatistics, IncrementsHaveTheMeanVarianceAndIndependenceOfTheirLaw) {
  Simulation simulation = make(R"toml(
[simulation]
duration = 3.0
dt = 0.1
seed = 21
[populations.src]
size = 1
spike_times = { times = [0.0, 0.1, 0.2, 0.5, 0.9, 1.0, 1.4, 2.0, 2.2, 2.5], indices = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }
[populations.dst]
size = 3000
equations = "dg/dt = 0"
initial = { g = 0 }
[projections.noisy]
pre = "src"
post = "dst"
connect = "all_to_all"
equations = """
dx/dt = 0
dy/dt = 0
"""
initial = { x = 0, y = 0 }
on_pre = "x += rand(); y += randn()"
)toml",
                               "reference", 1);
  simulation.run();
  const auto x = simulation.projection("noisy").state("x"), y = simulation.projection("noisy").state("y");
  const auto n = static_cast<double>(x.size());
  ASSERT_EQ(x.size(), 3000u);
  double mx = 0, my = 0;
  for (std::size_t s = 0; s < x.size(); ++s) mx += x[s] / n, my += y[s] / n;
  double vx = 0, vy = 0, cxy = 0, cxx = 0;
  for (std::size_t s = 0; s < x.size(); ++s) {
    vx += (x[s] - mx) * (x[s] - mx) / (n - 1);
    vy += (y[s] - my) * (y[s] - my) / (n - 1);
    cxy += (x[s] - mx) * (y[s] - my) / (n - 1);
    if (s + 1 < x.size()) cxx += (x[s] - mx) * (x[s + 1] - mx) / (n - 2);
  }
  const double var_x = 10.0 / 12.0, var_y = 10.0;
  EXPECT_LT(std::fabs(mx - 5.0), 5.0 * std::sqrt(var_x / n)) << mx;
  EXPECT_LT(std::fabs(my), 5.0 * std::sqrt(var_y / n)) << my;
  // Sample variance: relative standard error sqrt((kurtosis - 1) / n), kurtosis 3 - 1.2/10 for x, 3 for y.
  EXPECT_LT(std::fabs(vx / var_x - 1.0), 5.0 * std::sqrt((2.0 - 0.12) / n)) << vx;
  EXPECT_LT(std::fabs(vy / var_y - 1.0), 5.0 * std::sqrt(2.0 / n)) << vy;
  // Correlations: standard error 1 / sqrt(n).
  EXPECT_LT(std::fabs(cxy / std::sqrt(vx * vy)), 5.0 / std::sqrt(n)) << cxy;
  EXPECT_LT(std::fabs(cxx / vx), 5.0 / std::sqrt(n)) << cxx;
}

std::string refusal(const std::string& body) {
  try {
    make("[simulation]\nduration = 1.0\ndt = 0.1\n" + body, "reference", 1);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// A projection's equations and summed contributions still draw nothing: refused where written.
TEST(EventRandomRefusals, RandomNumbersInProjectionEquationsAndSummedAreRefused) {
  const std::string head = R"toml([populations.p]
size = 2
equations = "dx/dt = -x/10 + I_s"
threshold = "x > 1"
initial = { x = 0 }
[projections.q]
pre = "p"
post = "p"
connect = "all_to_all"
)toml";
  const std::string summed = refusal(head + "summed = { I_s = \"randn()\" }\n");
  EXPECT_NE(summed.find("randn()"), std::string::npos) << summed;
  EXPECT_NE(summed.find("on_pre"), std::string::npos) << summed;
  const std::string equations =
      refusal(head + "summed = { I_s = \"0.1\" }\nequations = \"ds/dt = rand()\"\ninitial = { s = 0 }\n");
  EXPECT_NE(equations.find("on_pre.toml:14"), std::string::npos) << equations;  // the equations' line
  EXPECT_NE(equations.find("rand()"), std::string::npos) << equations;
  EXPECT_NE(equations.find("on_pre"), std::string::npos) << equations;
}

}  // namespace
