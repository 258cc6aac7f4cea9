// Recording definitions and summed synaptic inputs (docs/output.md, "Definitions and
// synaptic inputs"): the value at sample time t is what the first stage of the next
// step sees, from the state at t. Checked bit for bit against values recomputed here
// from recorded state and the connectivity, against the next Euler step, across
// backends and thread counts, in an ensemble, and split with a checkpoint and resumed.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "math/functions.hpp"
#include "run/hdf5_recorder.hpp"
#include "test_support.hpp"

namespace {

using psst::io::Hdf5File;
using psst::io::Matrix;

// Two sources with linear voltages drive two targets through two projections that sum
// into the same input I_syn: p (all to all, 4 synapses; T of the presynaptic voltage is
// hoisted into a per-neuron kernel in the step) and q (source 1 -> target 1). The
// targets integrate dv/dt = -I_syn + drive with Euler, so the recorded I_syn and drive
// at step n give v at step n + 1. drive reads an input table (1.0 for target 1 from
// 0.5 ms to 1 ms), total reads the summed input.
constexpr const char* tiny_model = R"toml(
[simulation]
duration = 2.0
dt = 0.01
method = "euler"
[populations.src]
size = 2
equations = "dV/dt = a"
parameters = { a = [1.5, -2.0] }
initial = { V = [-1.0, 1.5] }
[populations.dst]
size = 2
equations = """
dv/dt = -I_syn + drive
drive = I_ext * k
total = I_syn + drive
"""
parameters = { k = 0.5 }
initial = { v = 0.0 }
[populations.dst.inputs.I_ext]
segments = [ { start = 0.5, end = 1.0, value = 2.0, neurons = [1] } ]
[projections.p]
pre = "src"
post = "dst"
connect = "all_to_all"
equations = "T = 1 / (1 + exp(-V_pre))"
parameters = { w = [0.5, -1.0, 2.0, 0.25] }
summed = { I_syn = "w * T" }
[projections.q]
pre = "src"
post = "dst"
connect = { rule = "list", pre = [1], post = [1] }
parameters = { c = 0.1 }
summed = { I_syn = "c * V_pre" }
[record.src]
variables = ["V"]
[record.dst]
variables = ["v", "I_syn", "drive", "total"]
neurons = [1, 0]
)toml";

// Definitions that read white noise, rand() and not_refractory: the draws and the
// refractory state of the next step (Euler: v_{n+1} = v_n + dt (drift + noise) bit for
// bit, except where the step ended in a spike and its reset).
constexpr const char* random_population = R"toml(
[populations.n]
size = 3
threshold = "v > 1"
reset = "v = 0"
refractory = 0.5
equations = """
dv/dt = drift + noise
drift = (I - v) * gate
gate = not_refractory
noise = s * xi + 0.1 * rand()
"""
parameters = { I = 3.0, s = 0.5 }
initial = { v = 0.0 }
[record.n]
variables = ["v", "drift", "noise", "gate"]
)toml";

// The tiny model for 5 ms, with the population of random_population and the neuron of
// models/hh.toml recording its currents (definitions): one model, one compilation.
std::string combined_model() {
  std::ifstream in(psst::test::model_path("hh.toml"));
  std::string hh((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto begin = hh.find("[populations.HH]"), end = hh.find("[record.HH]");
  if (begin == std::string::npos || end == std::string::npos) throw std::runtime_error("hh.toml changed");
  std::string text = tiny_model;
  text.replace(text.find("duration = 2.0"), 14, "duration = 5.0\nseed = 7");
  return text + random_population + hh.substr(begin, end - begin) +
         "[record.HH]\nvariables = [\"V\", \"m\", \"h\", \"n\", \"I_Na\", \"I_K\"]\n";
}

struct Recorded {
  std::map<std::string, Matrix> data;
  const Matrix& operator[](const std::string& path) const { return data.at(path); }
};

// Runs `text` in this process with the HDF5 recorder and reads back `paths`.
Recorded run(const std::string& text, const std::string& backend, int threads, const std::vector<std::string>& paths,
        std::size_t instances = 0) {
  psst::test::TempDir dir;
  std::ofstream(dir / "model.toml") << text;
  psst::run::RunOverrides o;
  o.backend = backend;
  o.threads = threads;
  if (instances > 0) o.instances = instances;
  {
    psst::run::Simulation sim(psst::lang::read_model_file(dir / "model.toml"), o);
    psst::run::Hdf5Recorder recorder(sim, dir / "out.h5", true);
    sim.add_observer(&recorder);
    sim.run();
  }
  auto file = Hdf5File::open_read_only(dir / "out.h5");
  Recorded r;
  for (const auto& p : paths) r.data[p] = file.read_matrix_double(p);
  return r;
}

const std::vector<std::string> tiny_paths{"/populations/src/state/V", "/populations/dst/state/v",
                                          "/populations/dst/state/I_syn", "/populations/dst/state/drive",
                                          "/populations/dst/state/total"};
const std::vector<std::string> hh_paths{"/populations/HH/state/V", "/populations/HH/state/m",
                                        "/populations/HH/state/h", "/populations/HH/state/n",
                                        "/populations/HH/state/I_Na", "/populations/HH/state/I_K"};
const std::vector<std::string> random_paths{"/populations/n/state/v", "/populations/n/state/drift",
                                            "/populations/n/state/noise", "/populations/n/state/gate"};

std::vector<std::string> combined_paths() {
  std::vector<std::string> paths = tiny_paths;
  paths.insert(paths.end(), hh_paths.begin(), hh_paths.end());
  paths.insert(paths.end(), random_paths.begin(), random_paths.end());
  return paths;
}

// I_syn, drive and total of the tiny model, recomputed from the recorded state.
void expect_tiny_model_values(const Recorded& r) {
  const Matrix &V = r["/populations/src/state/V"], &v = r["/populations/dst/state/v"];
  const Matrix &I = r["/populations/dst/state/I_syn"], &drive = r["/populations/dst/state/drive"];
  const Matrix& total = r["/populations/dst/state/total"];
  ASSERT_GE(I.rows, 201u);  // t = 0 and at least 200 steps
  ASSERT_EQ(I.cols, 2u);
  const double w[4] = {0.5, -1.0, 2.0, 0.25};  // synapses by (target, source)
  std::size_t driven = 0;
  for (std::size_t n = 0; n < I.rows; ++n) {
    double T[2];
    for (int s = 0; s < 2; ++s) T[s] = 1.0 / (1.0 + psst::math::exp(-V.at(n, static_cast<std::size_t>(s))));
    for (std::size_t col = 0; col < 2; ++col) {
      const std::size_t j = 1 - col;  // neurons = [1, 0]
      // The step's order: zeroed, projection p's row (from 0.0, by source), then q's.
      double expected = 0.0;
      expected += (0.0 + w[2 * j] * T[0]) + w[2 * j + 1] * T[1];
      if (j == 1) expected += 0.0 + 0.1 * V.at(n, 1);
      ASSERT_EQ(I.at(n, col), expected) << "row " << n << " neuron " << j;
      ASSERT_EQ(total.at(n, col), I.at(n, col) + drive.at(n, col));
      ASSERT_TRUE(drive.at(n, col) == 0.0 || (j == 1 && drive.at(n, col) == 1.0)) << n;
      driven += drive.at(n, col) == 1.0;
      // What the step from n to n + 1 saw: v_{n+1} = v_n + dt (-I_syn + drive).
      if (n + 1 < I.rows) {
        ASSERT_EQ(v.at(n + 1, col), v.at(n, col) + 0.01 * (-I.at(n, col) + drive.at(n, col))) << n;
      }
    }
  }
  EXPECT_EQ(driven, 50u);  // steps 50 to 99: [0.5 ms, 1 ms)
}

void expect_same(const Recorded& a, const Recorded& b) {
  for (const auto& [path, m] : a.data) {
    ASSERT_EQ(m.rows, b[path].rows) << path;
    EXPECT_TRUE(m.values == b[path].values) << path;
  }
}

// I_Na and I_K of the HH neuron, recomputed from its recorded V, m, h, n.
void expect_hh_currents(const Recorded& r) {
  const Matrix &V = r["/populations/HH/state/V"], &m = r["/populations/HH/state/m"];
  const Matrix &h = r["/populations/HH/state/h"], &n = r["/populations/HH/state/n"];
  const Matrix &I_Na = r["/populations/HH/state/I_Na"], &I_K = r["/populations/HH/state/I_K"];
  ASSERT_EQ(I_Na.rows, 501u);
  double largest = 0.0;
  for (std::size_t k = 0; k < I_Na.rows; ++k) {
    // psst's m^3 = m * (m * m), n^4 = (n * n) * (n * n); products left to right.
    const double m3 = m.at(k, 0) * (m.at(k, 0) * m.at(k, 0)), n2 = n.at(k, 0) * n.at(k, 0);
    ASSERT_EQ(I_Na.at(k, 0), 100.0 * m3 * h.at(k, 0) * (V.at(k, 0) - 50.0)) << k;
    ASSERT_EQ(I_K.at(k, 0), 10.0 * (n2 * n2) * (V.at(k, 0) - -95.0)) << k;
    largest = std::max(largest, std::fabs(I_Na.at(k, 0)));
  }
  EXPECT_GT(largest, 100.0);  // the neuron spikes within 5 ms: a real sodium current
}

void expect_next_step_draws(const Recorded& r) {
  const Matrix &v = r[random_paths[0]], &drift = r[random_paths[1]], &noise = r[random_paths[2]];
  const Matrix& gate = r[random_paths[3]];
  ASSERT_EQ(v.rows, 501u);
  std::size_t resets = 0, refractory = 0;
  for (std::size_t k = 0; k + 1 < v.rows; ++k)
    for (std::size_t j = 0; j < 3; ++j) {
      const double next = v.at(k, j) + 0.01 * (drift.at(k, j) + noise.at(k, j));
      refractory += gate.at(k, j) == 0.0;
      if (next > 1.0 && v.at(k + 1, j) == 0.0) {
        ++resets;
        continue;
      }
      ASSERT_EQ(v.at(k + 1, j), next) << k << " " << j;
    }
  EXPECT_GE(resets, 10u);
  EXPECT_GE(refractory, 500u);  // 0.5 ms after each spike: 50 samples
}

class RecordObserved : public ::testing::TestWithParam<std::string> {};

// On every backend: the values recomputed from recorded state, the same bits on 2
// threads, and the same bits as the interpreter.
TEST_P(RecordObserved, ValuesAreWhatTheNextStepSeesOnEveryBackendAndThreadCount) {
  const Recorded r = run(combined_model(), GetParam(), 1, combined_paths());
  expect_tiny_model_values(r);
  expect_hh_currents(r);
  expect_next_step_draws(r);
  expect_same(r, run(combined_model(), GetParam(), 2, combined_paths()));
  if (GetParam() != "reference") expect_same(r, run(combined_model(), "reference", 1, combined_paths()));
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordObserved, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

// An ensemble of two instances (no random draws: both are the single run) records
// (instances, neurons) rows of the observed values as of state.
TEST(RecordObservedEnsemble, EveryInstanceRecordsItsSingleRun) {
  const Recorded single = run(tiny_model, "reference", 1, tiny_paths);
  const Recorded both = run(tiny_model, "reference", 1, tiny_paths, 2);
  for (const char* path : {"/populations/dst/state/I_syn", "/populations/dst/state/drive"}) {
    const Matrix &one = single[path], &two = both[path];
    ASSERT_EQ(two.rows, one.rows);
    ASSERT_EQ(two.values.size(), 2 * one.values.size());
    for (std::size_t k = 0; k < one.rows; ++k)
      for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 2; ++j) ASSERT_EQ(two.values[k * 4 + i * 2 + j], one.at(k, j)) << path;
  }
}

// Recording them changes nothing: the state is that of a run recording state only.
TEST(RecordObservedEnsemble, RecordingThemLeavesTheRunUnchanged) {
  std::string text = tiny_model;
  const std::string listed = "\"I_syn\", \"drive\", \"total\"]";
  text.replace(text.find(listed), listed.size(), "]");
  const std::string v = "/populations/dst/state/v";
  const Recorded plain = run(text, "reference", 1, {v}), observed = run(tiny_model, "reference", 1, {v});
  ASSERT_EQ(plain[v].rows, 201u);
  EXPECT_TRUE(plain[v].values == observed[v].values);
}

// Cut at a time that is no sample time, with a checkpoint, and resumed: the same bits.
TEST(RecordObservedResume, SplitRunEqualsOneRun) {
  psst::test::TempDir dir;
  std::ofstream(dir / "model.toml") << tiny_model;
  const std::string cli = PSST_CLI, at = dir.path().string();
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' run -q --backend reference model.toml -o whole.h5 "
                                               "--record-every 0.02", at, cli));
  ASSERT_EQ(r.status, 0) << r.output;
  r = psst::test::run_command(fmt::format("cd '{}' && '{}' run -q --backend reference model.toml -o split.h5 "
                                          "--record-every 0.02 --duration 0.73 --checkpoint-every 0.25", at, cli));
  ASSERT_EQ(r.status, 0) << r.output;
  r = psst::test::run_command(fmt::format("cd '{}' && '{}' resume -q --backend reference split.h5 --until 2", at, cli));
  ASSERT_EQ(r.status, 0) << r.output;
  auto whole = Hdf5File::open_read_only(dir / "whole.h5"), split = Hdf5File::open_read_only(dir / "split.h5");
  for (const auto& path : tiny_paths) {
    const Matrix a = whole.read_matrix_double(path), b = split.read_matrix_double(path);
    ASSERT_EQ(a.rows, 101u) << path;
    ASSERT_EQ(b.rows, a.rows) << path;
    EXPECT_TRUE(a.values == b.values) << path;
  }
}

// psst check lists what each population records, and what kind of name each is.
TEST(RecordObservedCheck, ListsTheRecordedNamesAndTheirKinds) {
  psst::test::TempDir dir;
  std::ofstream(dir / "model.toml") << tiny_model;
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check model.toml", dir.path().string(), PSST_CLI));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("recorded every 0.01 ms: v, I_syn (summed synaptic input), drive (definition), total "
                          "(definition)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("recorded every 0.01 ms: V\n"), std::string::npos) << r.output;
  // An input table is not recordable: said so, with every recordable name.
  std::string text = tiny_model;
  const std::string listed = "\"drive\", \"total\"]";
  text.replace(text.find(listed), listed.size(), "\"I_ext\"]");
  std::ofstream(dir / "model.toml") << text;
  r = psst::test::run_command(fmt::format("cd '{}' && '{}' check model.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("[record.dst]: 'I_ext' of population 'dst' is an input table, which psst does not record; "
                          "recordable are its state variables: v; definitions: drive, total; summed synaptic inputs: "
                          "I_syn"), std::string::npos) << r.output;
}

}  // namespace
