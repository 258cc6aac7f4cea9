// Ensembles and sweeps (run/ensemble.hpp, issue 16): instance k of an ensemble run
// with seed S equals, bit for bit, the single run with seed S + k (and its swept
// values given by --set), on every backend and thread count; the grid order; the
// located errors; the output layout; resume.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "run/driver.hpp"
#include "run/finite_state_guard.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

// Everything drawn at set-up and during the run: Poisson spikes, random connectivity
// (probability and fixed in-degree), random parameters, an expression of i and N,
// random refractory periods, jitter, an input on some neurons, event delays,
// continuous coupling, reset, in-kernel draws (randn() in equations, rand() in a
// reset, rand() and randn() in on_pre: each instance draws with its own seed's key)
// and spike-time input.
constexpr const char* model_text = R"toml(
[simulation]
duration = 30.0
dt = 0.05
method = "rk2"
seed = 11

[populations.noise]
size = 6
poisson_rate = 300.0

[populations.Z]
size = 5
threshold = "z > 0.8"
reset = "z = 0.2 * rand()"
equations = "dz/dt = (0.7 + 0.6 * randn() - z) / 2"
initial = { z = 0.3 }

[populations.times]
size = 3
spike_times = { times = [1.0, 2.0, 5.0, 12.5], indices = [0, 1, 0, 2] }

[projections.timed]
pre = "times"
post = "E"
connect = "all_to_all"
parameters = { w = 0.4 }
on_pre = "v_post += w"

[populations.E]
size = 8
threshold = "v > 1"
reset = "v = 0"
refractory = { distribution = "uniform", low = 0.5, high = 2.0 }
jitter = 0.1
equations = "dv/dt = not_refractory * (drive + I_syn + I_in - v) / tau"
parameters = { tau = { distribution = "normal", mean = 10.0, std = 1.0 }, drive = "0.9 + 0.2 * i / N" }
initial = { v = { distribution = "uniform", low = 0.0, high = 1.0 } }

[populations.E.inputs.I_in]
segments = [ { start = 10.0, end = 20.0, value = 0.5, neurons = [1, 5] } ]

[projections.kick]
pre = "noise"
post = "E"
connect = { rule = "probability", p = 0.4 }
parameters = { w = { distribution = "uniform", low = 0.05, high = 0.15 } }
on_pre = "v_post += w * (0.5 + rand())"  # instances have different synapse counts: draws by instance-local synapse
delay = { distribution = "uniform", low = 0.1, high = 0.6 }  # per synapse: each instance draws its own

[projections.rec]
pre = "E"
post = "E"
connect = { rule = "fixed_indegree", k = 3, self = false }
equations = "ds/dt = -s / tau_s"
parameters = { tau_s = 5.0, g = 0.3 }
initial = { s = 0.0 }
on_pre = "s += 1 + 0.2 * randn()"
summed = { I_syn = "g * s" }

[record.E]
variables = ["v"]
)toml";

std::vector<std::uint64_t> bits(const std::vector<double>& values) {
  std::vector<std::uint64_t> out;
  for (double v : values) out.push_back(std::bit_cast<std::uint64_t>(v));
  return out;
}

template <class T>
std::vector<T> slice(const std::vector<T>& v, std::size_t begin, std::size_t end) {
  return {v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end)};
}

// What a run leaves: spikes (population, instance, neuron, time), every persistent
// array of every population and projection, and the synapses, per instance.
struct Instance {
  std::vector<std::tuple<std::size_t, std::size_t, double>> spikes;  // population, local neuron, time
  std::vector<std::vector<std::uint64_t>> arrays;
  std::vector<std::vector<std::uint32_t>> synapses;  // pre, post (local) per projection
};

std::vector<Instance> run(const std::string& text, RunOverrides overrides) {
  Simulation simulation(psst::lang::parse_model_text(text, "ensemble.toml", "."), overrides);
  psst::test::SpikeCollector collector;
  simulation.add_observer(&collector);
  simulation.run();
  const std::size_t k_count = simulation.instances();
  std::vector<Instance> out(k_count);
  for (const auto& s : collector.spikes()) {
    const std::size_t n = simulation.populations()[s.population]->instance_size();
    out[s.neuron / n].spikes.emplace_back(s.population, s.neuron % n, s.time);
  }
  for (const auto& p : simulation.populations())
    for (const auto& array : p->persistent_arrays()) {
      const auto values = p->download(array);
      for (std::size_t k = 0; k < k_count; ++k)
        out[k].arrays.push_back(bits(slice(values, k * p->instance_size(), (k + 1) * p->instance_size())));
    }
  for (const auto& p : simulation.projections()) {
    const auto& c = p->connectivity();
    std::vector<std::size_t> offsets = c.instance_offsets;
    if (offsets.empty()) offsets = {0, c.size()};
    const std::size_t n_pre = p->pre().instance_size(), n_post = p->post().instance_size();
    for (const auto& array : p->persistent_arrays()) {
      const auto values = p->download(array);
      for (std::size_t k = 0; k < k_count; ++k) out[k].arrays.push_back(bits(slice(values, offsets[k], offsets[k + 1])));
    }
    for (std::size_t k = 0; k < k_count; ++k) {
      std::vector<std::uint32_t> pairs;
      for (std::size_t s = offsets[k]; s < offsets[k + 1]; ++s) {
        pairs.push_back(static_cast<std::uint32_t>(c.pre[s] - k * n_pre));
        pairs.push_back(static_cast<std::uint32_t>(c.post[s] - k * n_post));
      }
      out[k].synapses.push_back(pairs);
    }
  }
  return out;
}

void expect_same(const Instance& ensemble, const Instance& single, const std::string& what) {
  EXPECT_EQ(ensemble.synapses, single.synapses) << what;
  EXPECT_EQ(ensemble.spikes, single.spikes) << what;
  ASSERT_EQ(ensemble.arrays.size(), single.arrays.size()) << what;
  for (std::size_t a = 0; a < single.arrays.size(); ++a) EXPECT_EQ(ensemble.arrays[a], single.arrays[a]) << what << ", array " << a;
}

class Ensemble : public ::testing::TestWithParam<std::string> {};

// Instance k of a 3-instance ensemble with seed 11 (on 1 and 2 threads) is the single run with seed 11 + k.
TEST_P(Ensemble, InstanceEqualsSingleRunWithSeedPlusK) {
  RunOverrides single;
  single.backend = GetParam();
  single.threads = 1;
  std::vector<Instance> singles;
  for (std::uint64_t k = 0; k < 3; ++k) {
    single.seed = 11 + k;
    singles.push_back(run(model_text, single).front());
    ASSERT_GT(singles.back().spikes.size(), 20u);  // the network is active: spikes of noise and E
  }
  EXPECT_NE(singles[0].spikes, singles[1].spikes);  // the seeds matter
  EXPECT_NE(singles[0].synapses, singles[1].synapses);
  for (int threads : {1, 2}) {
    RunOverrides ensemble;
    ensemble.backend = GetParam();
    ensemble.threads = threads;
    ensemble.instances = 3;
    const auto instances = run(model_text, ensemble);
    ASSERT_EQ(instances.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) expect_same(instances[k], singles[k], fmt::format("instance {}, {} thread(s)", k, threads));
  }
}

// A grid sweep of a population parameter and a projection parameter: instance k is the
// single run with seed 11 + k and those values given by --set (the last entry varies fastest).
TEST_P(Ensemble, SweepInstanceEqualsSetRun) {
  const std::string text = std::string(model_text) + R"toml(
[sweep]
grid = true
"E.tau" = [8.0, 12.0]
"rec.g" = [0.1, 0.3, 0.6]
)toml";
  RunOverrides ensemble;
  ensemble.backend = GetParam();
  ensemble.threads = 2;
  const auto instances = run(text, ensemble);
  ASSERT_EQ(instances.size(), 6u);
  const double tau[] = {8.0, 12.0}, g[] = {0.1, 0.3, 0.6};
  for (std::size_t k = 0; k < 6; ++k) {
    RunOverrides single;
    single.backend = GetParam();
    single.threads = 1;
    single.seed = 11 + k;
    single.sets = {{"E", "tau", tau[k / 3]}, {"rec", "g", g[k % 3]}};
    expect_same(instances[k], run(model_text, single).front(), fmt::format("instance {}", k));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Ensemble, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName());

psst::model::NetworkSpec parse(const std::string& extra) {
  return psst::lang::parse_model_text(std::string(model_text) + extra, "ensemble.toml", ".");
}

TEST(EnsembleSweep, GridOrderAndOneValuePerInstance) {
  const auto grid = parse("[sweep]\ngrid = true\n\"rec.g\" = [1, 2]\n\"E.tau\" = [3, 4, 5]\n");
  psst::run::Ensemble e(grid, std::nullopt, 4);
  ASSERT_EQ(e.instances(), 6u);
  for (std::size_t k = 0; k < 6; ++k) {
    ASSERT_EQ(e.swept(k).size(), 2u);
    EXPECT_EQ(e.swept(k)[0].text(), fmt::format("rec.g={}", 1 + k / 3));  // the file's order; the last fastest
    EXPECT_EQ(e.swept(k)[1].text(), fmt::format("E.tau={}", 3 + k % 3));
    EXPECT_EQ(e.instance_seed(k), 4 + k);
    EXPECT_EQ(e.spec(k).find_population("E")->parameters.at("tau").value, static_cast<double>(3 + k % 3));
  }
  const auto zipped = parse("[sweep]\n\"rec.g\" = [1, 2]\n\"E.tau\" = [3, 4]\n");
  psst::run::Ensemble z(zipped, 2, 0);
  ASSERT_EQ(z.instances(), 2u);
  EXPECT_EQ(z.swept(1)[0].text(), "rec.g=2");
  EXPECT_EQ(z.swept(1)[1].text(), "E.tau=4");
}

std::string error_of(const std::string& extra, std::optional<std::size_t> instances = std::nullopt,
                     std::vector<psst::run::ParameterSetting> sets = {}) {
  try {
    RunOverrides o;
    o.backend = "reference";
    o.instances = instances;
    o.sets = std::move(sets);
    o.duration = 0.0;
    Simulation simulation(parse(extra), o);
  } catch (const psst::UserError& e) {
    return e.what();
  }
  return "no error";
}

TEST(EnsembleSweep, ErrorsNameTheEntryAndWhatIsValid) {
  const int line = 63;  // the first line after model_text
  EXPECT_EQ(error_of("[sweep]\n\"E.tau\" = [1, 2]\n\"rec.g\" = [1, 2, 3]\n"),
            fmt::format("ensemble.toml:{}:11: error: [sweep] \"rec.g\" has 3 values but \"E.tau\" has 2; without grid = true "
                        "every entry gives one value per instance (or set grid = true for the Cartesian product)",
                        line + 2));
  EXPECT_EQ(error_of("[sweep]\n\"E.tau_x\" = [1, 2]\n"),
            fmt::format("ensemble.toml:{}:13: error: [sweep] \"E.tau_x\": --set 'E.tau_x=1': 'E' has no parameter 'tau_x'; "
                        "its parameters are drive, tau", line + 1));
  EXPECT_EQ(error_of("[sweep]\n\"F.tau\" = [1, 2]\n"),
            fmt::format("ensemble.toml:{}:11: error: [sweep] \"F.tau\": --set 'F.tau=1': there is no population or "
                        "projection 'F'; the model has E, Z, noise, times, kick, rec, timed", line + 1));
  EXPECT_EQ(error_of("[sweep]\n\"E.tau\" = [1, 2]\n", 3),
            "--instances is 3, but [sweep] gives 2 instances; leave the instance count out or make them agree");
  EXPECT_EQ(error_of("[sweep]\n\"E.tau\" = [1, 2]\n", std::nullopt, {{"E", "tau", 3.0}}),
            fmt::format("ensemble.toml:{}:11: error: --set E.tau=3 sets a parameter that [sweep] gives per instance; sweep it "
                        "or set it, not both", line + 1));
  EXPECT_EQ(error_of("[sweep]\n\"tau\" = [1, 2]\n"),
            fmt::format("ensemble.toml:{}:9: error: [sweep] key 'tau' must name a parameter as \"POPULATION.NAME\" or "
                        "\"PROJECTION.NAME\" (quoted), or be grid = true", line + 1));
  EXPECT_EQ(error_of("", 0), "--instances is 0; an ensemble has at least 1 instance");
  EXPECT_EQ(error_of("", std::size_t{1} << 25), "--instances is 33554432; at most 16777216 instances are supported");
}

// Single precision: instance 1 is the single-precision run with seed 12.
TEST(EnsembleChecks, SinglePrecision) {
  RunOverrides o;
  o.backend = "reference";
  o.precision = "single";
  o.instances = 3;
  const auto instances = run(model_text, o);
  o.instances = std::nullopt;
  o.seed = 12;
  expect_same(instances[1], run(model_text, o).front(), "instance 1, single precision");
}

// The finite-state check names the instance, its seed and the neuron within it.
TEST(EnsembleChecks, BlowUpNamesTheInstance) {
  psst::test::TempDir dir;
  // Five neurons, x' = g x^2 for neuron 3 from x = 2: only instance 2 (g = 1) diverges.
  const std::string text = R"toml(
[simulation]
duration = 10.0
dt = 0.1
method = "euler"
[populations.cells]
size = 5
threshold = "x > 1e300"
equations = "dx/dt = where(i == 3, g * x * x, 0)"
parameters = { g = 1.0 }
initial = { x = 2.0 }
[sweep]
"cells.g" = [0.0, 0.0, 1.0]
[record.cells]
variables = ["x"]
)toml";
  auto spec = psst::lang::parse_model_text(text, "blowup.toml", ".");
  RunOverrides o;
  o.backend = "reference";
  psst::run::DriverOptions options;
  options.out = dir / "blowup.h5";
  try {
    psst::run::run_to_file(spec, o, options);
    FAIL() << "no blow-up reported";
  } catch (const psst::run::NumericalError& e) {
    // At the step where it appeared (x <- x + 0.1 x x from 2 is inf after 16 steps), not at the check.
    EXPECT_NE(std::string(e.what()).find("at t = 1.6 ms (step 16): population 'cells', variable 'x', instance 2 "
                                         "(seed 2), neuron 3 is inf"),
              std::string::npos) << e.what();
  }
}

// K times the synapses of one instance are checked before anything is built.
TEST(EnsembleChecks, SynapsesOfAllInstancesAreCheckedFirst) {
  const std::string text = R"toml(
[populations.A]
size = 1000
equations = "dv/dt = -v"
initial = { v = 0 }
[projections.all]
pre = "A"
post = "A"
connect = "all_to_all"
)toml";
  RunOverrides o;
  o.backend = "reference";
  o.instances = 5000;
  try {
    Simulation simulation(psst::lang::parse_model_text(text, "big.toml", "."), o);
    FAIL() << "no error";
  } catch (const psst::UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "big.toml:6:1: error: projection 'all' would have about 5e+09 synapses (1000 x 1000 neurons in 5000 "
              "instances); at most 4294967295 are supported; use a sparser rule or smaller populations or fewer "
              "instances");
  }
}

// psst check: the instance count, the seeds, the swept values and the memory, which grows with K.
TEST(EnsembleCli, CheckReportsInstancesSeedsSweepAndMemory) {
  psst::test::TempDir dir;
  const std::string model = (dir / "ensemble.toml").string();
  { std::ofstream(model) << model_text << "[sweep]\n\"rec.g\" = [0.1, 0.5, 0.9]\n"; }
  auto r = psst::test::run_command(fmt::format("{} check {}", PSST_CLI, model));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ensemble: 3 instances (seeds 11 to 13)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sweep rec.g: 0.1, 0.5, 0.9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("population E: 24 neurons"), std::string::npos) << r.output;
  { std::ofstream(model) << model_text; }
  auto mib = [&](int instances) {
    auto out = psst::test::run_command(fmt::format("{} check {} --instances {}", PSST_CLI, model, instances));
    const auto at = out.output.find(" MiB of state");
    EXPECT_NE(at, std::string::npos) << out.output;
    return std::stod(out.output.substr(out.output.rfind(' ', at - 1) + 1));
  };
  const double ratio = mib(40) / mib(4);  // everything per neuron and per synapse, 10 times
  EXPECT_GT(ratio, 9.0);
  EXPECT_LT(ratio, 10.5);
  r = psst::test::run_command(fmt::format("{} check {} --instances 1", PSST_CLI, model));
  EXPECT_EQ(r.output.find("ensemble:"), std::string::npos) << r.output;  // one instance: as before
}

// The file: spikes with an instance dataset, state (samples, K, recorded), the seeds and swept
// values; a run cut by a checkpoint and resumed equals the whole run.
TEST(EnsembleOutput, LayoutAndResume) {
  psst::test::TempDir dir;
  const std::string text = std::string(model_text) + "[sweep]\n\"rec.g\" = [0.1, 0.5, 0.9]\n";
  RunOverrides o;
  o.backend = "reference";
  psst::run::DriverOptions options;
  options.out = dir / "whole.h5";
  psst::run::run_to_file(psst::lang::parse_model_text(text, "ensemble.toml", "."), o, options);
  auto whole = psst::io::Hdf5File::open_read_only(dir / "whole.h5");
  EXPECT_EQ(whole.get_attribute_int64("/", "instances"), 3);
  EXPECT_EQ(whole.read_vector_int64("/instances/seed"), (std::vector<std::int64_t>{11, 12, 13}));
  EXPECT_EQ(whole.read_vector_double("/instances/rec.g"), (std::vector<double>{0.1, 0.5, 0.9}));
  EXPECT_EQ(whole.shape("/populations/E/state/v"), (std::vector<std::size_t>{601, 3, 8}));
  const auto instance = whole.read_vector_int64("/populations/E/spikes/instance");
  const auto index = whole.read_vector_int64("/populations/E/spikes/index");
  ASSERT_EQ(instance.size(), index.size());
  ASSERT_GT(instance.size(), 30u);
  // Instance 2's spikes and voltages are those of the single run with seed 13 and --set rec.g=0.9.
  o.seed = 13;
  o.sets = {{"rec", "g", 0.9}};
  options.out = dir / "single.h5";
  psst::run::run_to_file(psst::lang::parse_model_text(model_text, "ensemble.toml", "."), o, options);
  auto single = psst::io::Hdf5File::open_read_only(dir / "single.h5");
  const auto single_index = single.read_vector_int64("/populations/E/spikes/index");
  const auto single_time = single.read_vector_double("/populations/E/spikes/time");
  const auto time = whole.read_vector_double("/populations/E/spikes/time");
  std::vector<std::int64_t> picked_index;
  std::vector<double> picked_time;
  for (std::size_t s = 0; s < instance.size(); ++s)
    if (instance[s] == 2) picked_index.push_back(index[s]), picked_time.push_back(time[s]);
  EXPECT_EQ(picked_index, single_index);
  EXPECT_EQ(picked_time, single_time);
  const auto v = whole.read_matrix_double("/populations/E/state/v");
  const auto single_v = single.read_matrix_double("/populations/E/state/v");
  ASSERT_EQ(single_v.cols, 8u);
  for (std::size_t r = 0; r < v.rows; r += 50)
    for (std::size_t n = 0; n < 8; ++n) ASSERT_EQ(v.at(r, 2 * 8 + n), single_v.at(r, n)) << r << " " << n;
  // Cut at 12.35 ms with a checkpoint, resumed to the end: the same datasets.
  const std::string model = (dir / "ensemble.toml").string();
  { std::ofstream(model) << text; }
  const std::string cli = PSST_CLI;
  auto r = psst::test::run_command(fmt::format("{} run {} -q --backend reference --duration 12.35 --checkpoint-every 5 "
                                               "-o {}", cli, model, (dir / "split.h5").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = psst::test::run_command(fmt::format("{} resume {} -q --backend reference --until 30", cli, (dir / "split.h5").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  auto split = psst::io::Hdf5File::open_read_only(dir / "split.h5");
  for (const char* path : {"/populations/E/spikes/index", "/populations/E/spikes/instance"})
    EXPECT_EQ(split.read_vector_int64(path), whole.read_vector_int64(path)) << path;
  EXPECT_EQ(split.read_vector_double("/populations/E/spikes/time"), whole.read_vector_double("/populations/E/spikes/time"));
  EXPECT_EQ(bits(split.read_matrix_double("/populations/E/state/v").values), bits(v.values));
  EXPECT_EQ(split.shape("/populations/E/state/v"), (std::vector<std::size_t>{601, 3, 8}));
}

}  // namespace
