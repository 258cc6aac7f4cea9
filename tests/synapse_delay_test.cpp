// Per-synapse delays (`delay` in any per-synapse value form): arrival steps checked
// exactly against hand-computed ones, a neuron whose spikes of two delay classes arrive
// in the same step, bitwise equality of a random network with random delays across
// backends and thread counts, and the located errors of bad delays.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "model/error.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

psst::model::NetworkSpec parse(const std::string& text, const std::string& file = "delays.toml") {
  return psst::lang::parse_model_text(text, file, std::filesystem::current_path());
}

class SynapseDelay : public ::testing::TestWithParam<std::string> {
 protected:
  RunOverrides overrides(int threads = 0) const {
    RunOverrides o;
    o.backend = GetParam();
    o.threads = threads;
    return o;
  }
};

// Three sources with V' = 1 from V(0) = 0.5, 0.3, 0.5, spiking at V >= 1 and reset to 0
// (so every ~100 steps of dt = 0.01 ms); three targets with g' = 0; all-to-all (9 synapses,
// ordered by target, then source), on_pre g_post += w with w = 2^s for synapse s, so that
// g of a target says exactly which synapses' spikes have arrived.
constexpr const char* sources_model = R"toml(
[simulation]
duration = 4.0
dt = 0.01
method = "euler"
[populations.src]
size = 3
equations = "dV/dt = 1"
threshold = "V >= 1"
reset = "V = 0"
initial = { V = [0.5, 0.3, 0.5] }
[populations.dst]
size = 3
equations = "dg/dt = 0"
initial = { g = 0.0 }
[projections.p]
pre = "src"
post = "dst"
connect = "all_to_all"
on_pre = "g_post += w"
parameters = { w = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0] }
# target 0: 0, 0.5, 0.01 ms; target 1: 1.01, 0.01, 0.033; target 2: 1.02, 1.0, 0.994
delay = [0.0, 0.5, 0.01, 1.01, 0.01, 0.033, 1.02, 1.0, 0.994]
)toml";

std::int64_t steps_of(double delay) { return std::max<std::int64_t>(1, std::llround(delay / 0.01)); }

TEST_P(SynapseDelay, EveryEventArrivesAtItsOwnDelayExactly) {
  Simulation sim(parse(sources_model), overrides());
  const std::vector<double> delays = {0.0, 0.5, 0.01, 1.01, 0.01, 0.033, 1.02, 1.0, 0.994};
  const auto& projection = sim.projection("p");
  EXPECT_EQ(projection.delay_steps(), 102);  // the queue: the largest delay, 1.02 ms
  EXPECT_EQ(projection.delay_classes(), (std::vector<std::int64_t>{1, 3, 50, 99, 100, 101, 102}));
  SpikeCollector spikes;
  sim.add_observer(&spikes);
  const auto& conn = projection.connectivity();
  std::size_t src = 0;  // the population index of "src" (populations are not in file order)
  while (sim.populations()[src]->name() != "src") ++src;
  std::size_t coincident = 0;  // events of one source with two delays arriving in the same step
  while (sim.step() < sim.total_steps()) {
    sim.run_until_step(sim.step() + 1);
    std::vector<double> expected(3, 0.0);
    std::vector<int> arrivals_now(3, 0);
    for (const auto& s : spikes.spikes()) {
      if (s.population != src) continue;
      const std::int64_t k = std::llround(s.time / 0.01);  // spike in step k
      for (std::size_t syn = 0; syn < conn.size(); ++syn) {
        if (conn.pre[syn] != s.neuron) continue;
        const std::int64_t arrival = k + steps_of(delays[syn]);  // g changes after step k + D
        if (arrival <= sim.step()) expected[conn.post[syn]] += std::ldexp(1.0, static_cast<int>(syn));
        arrivals_now[s.neuron] += arrival == sim.step();
      }
    }
    for (int a : arrivals_now) coincident += a >= 2;
    const auto g = sim.population("dst").state("g");
    for (std::size_t j = 0; j < 3; ++j) ASSERT_EQ(g[j], expected[j]) << "target " << j << " after step " << sim.step();
  }
  EXPECT_GE(spikes.spikes().size(), 9u);  // every source spikes 3 or 4 times in 4 ms
  // Source 0 fires every P = 100 or 101 steps (V' = 1 from 0 to 1, round-off deciding):
  // the 1-step event (synapse 0) of one spike and the P + 1 = 101- or 102-step event
  // (synapse 3 or 6) of the spike before arrive in the same step.
  EXPECT_GE(coincident, 1u);
}

// 200 LIF neurons with a reset, p = 0.1 random connectivity, excitatory and inhibitory
// weights and delays drawn uniformly in [0, 3) ms (31 classes at dt = 0.1 ms).
constexpr const char* random_model = R"toml(
[simulation]
duration = 100.0
dt = 0.1
method = "exponential_euler"
seed = 3
[populations.cells]
size = 200
threshold = "v > -50"
reset = "v = -60"
refractory = 2.0
equations = """
dv/dt = not_refractory * (ge + gi - (v + 49)) / 20
dge/dt = -ge / 5
dgi/dt = -gi / 10
"""
initial = { v = { distribution = "uniform", low = -60.0, high = -45.0 }, ge = 0.0, gi = 0.0 }
[projections.excitatory]
pre = "cells[0:160]"
post = "cells"
connect = { rule = "probability", p = 0.1 }
on_pre = "ge_post += w"
parameters = { w = { distribution = "uniform", low = 0.5, high = 3.0 } }
delay = { distribution = "uniform", low = 0.0, high = 3.0 }
[projections.inhibitory]
pre = "cells[160:200]"
post = "cells"
connect = { rule = "probability", p = 0.1 }
on_pre = "gi_post -= w"
parameters = { w = { distribution = "normal", mean = 6.0, std = 1.0 } }
delay = { distribution = "normal", mean = 1.5, std = 0.3 }
)toml";

struct Outcome {
  std::vector<std::vector<double>> state;
  std::vector<std::vector<std::uint32_t>> in_flight;
  std::vector<SpikeCollector::Spike> spikes;
};

Outcome run_random(const RunOverrides& o) {
  Simulation sim(parse(random_model), o);
  SpikeCollector spikes;
  sim.add_observer(&spikes);
  sim.run();
  Outcome out;
  for (const char* v : {"v", "ge", "gi"}) out.state.push_back(sim.population("cells").state(v));
  for (const char* p : {"excitatory", "inhibitory"})
    for (auto& due : sim.projection(p).events_in_flight()) out.in_flight.push_back(due);
  out.spikes = spikes.spikes();
  return out;
}

TEST_P(SynapseDelay, RandomDelaysGiveTheSameBitsOnEveryBackendAndThreadCount) {
  RunOverrides reference;
  reference.backend = "reference";
  const Outcome expected = run_random(reference);
  std::cout << "[ random delays ] " << expected.spikes.size() << " spikes in 100 ms\n";
  ASSERT_GT(expected.spikes.size(), 100u);  // the network is active: events of many delays meet
  for (int threads : {1, 2}) {
    const Outcome actual = run_random(overrides(threads));
    SCOPED_TRACE(GetParam() + " on " + std::to_string(threads) + " thread(s)");
    ASSERT_EQ(actual.spikes.size(), expected.spikes.size());
    for (std::size_t s = 0; s < expected.spikes.size(); ++s) {
      EXPECT_EQ(actual.spikes[s].neuron, expected.spikes[s].neuron);
      EXPECT_EQ(actual.spikes[s].time, expected.spikes[s].time);
    }
    for (std::size_t a = 0; a < expected.state.size(); ++a)
      for (std::size_t i = 0; i < expected.state[a].size(); ++i)
        ASSERT_EQ(std::bit_cast<std::uint64_t>(actual.state[a][i]), std::bit_cast<std::uint64_t>(expected.state[a][i]))
            << "state " << a << " of neuron " << i;
    EXPECT_EQ(actual.in_flight, expected.in_flight);
  }
}

// Per-synapse delays change nothing where they are all equal: a list of one delay for
// every synapse gives the bits of the single `delay` number.
TEST_P(SynapseDelay, ListOfEqualDelaysIsTheSingleDelay) {
  std::string text = random_model;
  const std::string uniform = "delay = { distribution = \"uniform\", low = 0.0, high = 3.0 }";
  const std::string equal = "delay = { distribution = \"normal\", mean = 1.2, std = 0.0 }";
  text.replace(text.find(uniform), uniform.size(), equal);
  Simulation a(parse(text), overrides());
  text.replace(text.find(equal), equal.size(), "delay = 1.2");
  Simulation b(parse(text), overrides());
  EXPECT_EQ(a.projection("excitatory").delay_classes(), std::vector<std::int64_t>{12});
  a.run();
  b.run();
  for (const char* v : {"v", "ge", "gi"}) EXPECT_EQ(a.population("cells").state(v), b.population("cells").state(v)) << v;
}

INSTANTIATE_TEST_SUITE_P(Backends, SynapseDelay, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName{});

std::string error_of(const std::string& delay) {
  std::string text = sources_model;
  const std::string line = "delay = [0.0, 0.5, 0.01, 1.01, 0.01, 0.033, 1.02, 1.0, 0.994]";
  text.replace(text.find(line), line.size(), "delay = " + delay);
  RunOverrides o;
  o.backend = "reference";
  try {
    Simulation sim(parse(text, "bad_delay.toml"), o);
  } catch (const psst::UserError& e) {
    return e.what();
  }
  return "";
}

TEST(SynapseDelayErrors, BadDelaysAreLocatedErrors) {
  const std::string negative = error_of("[0.0, 0.5, 0.01, 1.01, -1.0, 0.033, 1.02, 1.0, 0.994]");
  EXPECT_NE(negative.find("bad_delay.toml"), std::string::npos) << negative;
  EXPECT_NE(negative.find("synapse 4"), std::string::npos) << negative;
  EXPECT_NE(negative.find("-1"), std::string::npos) << negative;
  const std::string short_list = error_of("[0.1, 0.2]");
  EXPECT_NE(short_list.find("delay"), std::string::npos) << short_list;
  EXPECT_NE(short_list.find("9"), std::string::npos) << short_list;  // the synapse count
  EXPECT_NE(error_of("\"1 + i\"").find("delay"), std::string::npos);
  const std::string nan = error_of("[0.0, 0.5, 0.01, 1.01, nan, 0.033, 1.02, 1.0, 0.994]");
  EXPECT_NE(nan.find("nan"), std::string::npos) << nan;
}

// `psst check` lists each projection: synapse count, memory, delays and queue.
TEST(SynapseDelayCheck, PsstCheckListsProjectionsWithDelays) {
  psst::test::TempDir dir;
  std::ofstream(dir / "delays.toml") << sources_model;
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check delays.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("  projection p: src -> dst, 9 synapses, "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("    delay: 1 to 102 step(s) per synapse, 7 distinct; queue of spikes in flight: 103 steps"),
            std::string::npos)
      << r.output;
}

// The output file holds every projection's connectivity, per-synapse parameters and
// delays, in synapse order (by target, then source: all-to-all 3 x 3 here).
TEST(SynapseDelayOutput, ConnectivityParametersAndDelaysAreWritten) {
  psst::test::TempDir dir;
  std::ofstream(dir / "delays.toml") << sources_model;
  auto r = psst::test::run_command(
      fmt::format("cd '{}' && '{}' run -q --duration 1 delays.toml -o out.h5", dir.path().string(), PSST_CLI));
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = psst::io::Hdf5File::open_read_only(dir / "out.h5");
  EXPECT_EQ(file.read_vector_int64("/projections/p/pre"), (std::vector<std::int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(file.read_vector_int64("/projections/p/post"), (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(file.read_vector_double("/projections/p/parameters/w"),
            (std::vector<double>{1, 2, 4, 8, 16, 32, 64, 128, 256}));
  EXPECT_EQ(file.read_vector_int64("/projections/p/delay_steps"),
            (std::vector<std::int64_t>{1, 50, 1, 101, 1, 3, 102, 100, 99}));
}

}  // namespace
