// The HDF5 output layout, read back through the CLI: what README.md and
// docs/output.md promise, and the plot script that reads it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

using psst::io::Hdf5File;
using psst::test::CommandResult;
using psst::test::run_command;
using psst::test::TempDir;

CommandResult psst_run(const std::filesystem::path& model, const std::filesystem::path& out,
                       const std::string& options = "") {
  return run_command(fmt::format("{} run '{}' -q -o '{}' {}", PSST_CLI, model.string(), out.string(), options));
}

// Column 1 of the reference: RK4, dt = 0.01, spike times at the step's start (PSST).
std::vector<double> reference_spike_times() {
  std::ifstream in(psst::test::shared_dir() / "reference" / "hh_single_spikes.csv");
  EXPECT_TRUE(in) << "missing " << (psst::test::shared_dir() / "reference" / "hh_single_spikes.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> times;
  while (std::getline(in, line))
    if (!line.empty()) times.push_back(std::stod(line.substr(0, line.find(','))));
  return times;
}

// Two recorded populations and one that records nothing, small and fast (Euler, dt 0.1).
constexpr const char* small_network = R"(
[simulation]
duration = 10.0
dt = 0.1
method = "euler"
record_every = 0.5

[populations.A]
size = 3
equations = "dV/dt = (I - V) / tau"
threshold = "V >= 1"
parameters = { I = [0.5, 2.0, 3.0], tau = 2.0 }
initial = { V = [0.0, 0.1, 0.2] }

[populations.B]
size = 4
equations = "dV/dt = -V / tau"
parameters = { tau = 5.0 }
initial = { V = "i" }

[populations.C]
size = 2
equations = "dV/dt = 0"
initial = { V = 0.0 }

[record.A]
variables = ["V"]
neurons = [2, 0]

[record.B]
variables = ["V"]

[record.C]
variables = []
spikes = false
)";

std::filesystem::path write_small_network(const TempDir& dir) {
  auto path = dir / "small.toml";
  std::ofstream(path) << small_network;
  return path;
}

bool have_python_with_h5py() {
  return std::filesystem::exists("/usr/bin/python3") &&
         run_command("/usr/bin/python3 -c 'import h5py, matplotlib, numpy'").status == 0;
}

TEST(OutputLayout, HodgkinHuxleyFileHasTheDocumentedLayout) {
  TempDir dir;
  auto out = dir / "hh.h5";
  auto r = psst_run(psst::test::model_path("hh.toml"), out, "--duration 50");
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = Hdf5File::open_read_only(out);

  // /time: duration / record_every + 1 samples (t = 0 included), k * record_every.
  const double record_every = file.get_attribute_double("/", "record_every");
  EXPECT_EQ(record_every, 0.01);
  auto time = file.read_vector_double("/time");
  ASSERT_EQ(time.size(), static_cast<std::size_t>(std::llround(50.0 / record_every)) + 1);
  ASSERT_EQ(time.size(), 5001u);
  EXPECT_EQ(time.front(), 0.0);
  for (std::size_t k = 1; k < time.size(); ++k) {
    ASSERT_NEAR(time[k] - time[k - 1], record_every, 1e-12) << "sample " << k;
    ASSERT_EQ(time[k], static_cast<double>(k) * 0.01) << "sample " << k;
  }
  EXPECT_NEAR(time.back(), 50.0, 1e-12);

  // State: samples x recorded neurons, V first sample = the initial value.
  for (const char* variable : {"V", "m", "h", "n"}) {
    std::string path = std::string("/populations/HH/state/") + variable;
    ASSERT_TRUE(file.exists(path)) << path;
    EXPECT_EQ(file.shape(path), (std::vector<std::size_t>{time.size(), 1})) << path;
  }
  auto v = file.read_matrix_double("/populations/HH/state/V");
  EXPECT_EQ(v.at(0, 0), -71.0);
  EXPECT_EQ(file.read_matrix_double("/populations/HH/state/m").at(0, 0), 0.0);
  EXPECT_GT(*std::max_element(v.values.begin(), v.values.end()), 30.0);  // it spiked
  EXPECT_EQ(file.read_vector_int64("/populations/HH/state/neurons"), std::vector<std::int64_t>{0});

  // Spikes: equal lengths, in time order, at the reference step-start times.
  auto index = file.read_vector_int64("/populations/HH/spikes/index");
  auto spikes = file.read_vector_double("/populations/HH/spikes/time");
  ASSERT_EQ(index.size(), spikes.size());
  auto reference = reference_spike_times();
  std::size_t expected = 0;
  while (expected < reference.size() && reference[expected] < 50.0) ++expected;
  ASSERT_EQ(expected, 4u) << "the reference has 4 spikes before 50 ms";
  ASSERT_EQ(spikes.size(), expected);
  for (std::size_t k = 0; k < spikes.size(); ++k) {
    EXPECT_EQ(index[k], 0);
    EXPECT_NEAR(spikes[k], reference[k], 1e-9) << "spike " << k;
    EXPECT_NEAR(spikes[k] / 0.01, std::round(spikes[k] / 0.01), 1e-6) << "a step start";
    if (k) {
      EXPECT_LE(spikes[k - 1], spikes[k]);
    }
  }

  // Root attributes.
  EXPECT_EQ(file.get_attribute_double("/", "dt"), 0.01);
  EXPECT_EQ(file.get_attribute_double("/", "duration"), 50.0);
  EXPECT_EQ(file.get_attribute_int64("/", "steps"), 5000);
  EXPECT_EQ(file.get_attribute_string("/", "method"), "rk4");
  EXPECT_FALSE(file.get_attribute_string("/", "backend").empty());  // "cpu" or "reference", by default the fastest
  EXPECT_EQ(file.get_attribute_int64("/", "seed"), 0);
  EXPECT_TRUE(file.get_attribute_string("/", "model_file").ends_with("hh.toml"));
  const std::string model = file.get_attribute_string("/", "model");
  EXPECT_NE(model.find("dV/dt"), std::string::npos);
  std::ifstream source(psst::test::model_path("hh.toml"), std::ios::binary);
  EXPECT_EQ(model, std::string(std::istreambuf_iterator<char>(source), {})) << "the full model text";
  EXPECT_FALSE(file.get_attribute_string("/", "psst_version").empty());
  // The effective model: the command-line overrides, and hh.toml reads no file.
  EXPECT_EQ(file.get_attribute_string("/", "overrides"), "--duration 50\n");
  EXPECT_EQ(file.get_attribute_string("/", "input_files"), "");
}

TEST(OutputLayout, RecordEverySetsTheSampleCountNotTheRun) {
  TempDir dir;
  auto every_step = dir / "every_step.h5", sparse = dir / "sparse.h5";
  auto r = psst_run(psst::test::model_path("hh.toml"), every_step, "--duration 50");
  ASSERT_EQ(r.status, 0) << r.output;
  r = psst_run(psst::test::model_path("hh.toml"), sparse, "--duration 50 --record-every 0.1");
  ASSERT_EQ(r.status, 0) << r.output;
  auto full = Hdf5File::open_read_only(every_step);
  auto file = Hdf5File::open_read_only(sparse);
  EXPECT_EQ(file.get_attribute_double("/", "record_every"), 0.1);
  auto time = file.read_vector_double("/time");
  ASSERT_EQ(time.size(), 501u);  // 50 / 0.1 + 1
  EXPECT_EQ(time.front(), 0.0);
  for (std::size_t k = 1; k < time.size(); ++k) ASSERT_NEAR(time[k] - time[k - 1], 0.1, 1e-12) << "sample " << k;
  EXPECT_EQ(file.shape("/populations/HH/state/V"), (std::vector<std::size_t>{501, 1}));
  // Sampling does not change the run: every 10th sample of the every-step file, bit for bit.
  auto v = file.read_matrix_double("/populations/HH/state/V");
  auto v_full = full.read_matrix_double("/populations/HH/state/V");
  for (std::size_t k = 0; k < time.size(); ++k) ASSERT_EQ(v.at(k, 0), v_full.at(10 * k, 0)) << "sample " << k;
  // Spikes are recorded at every step whatever the sampling interval.
  EXPECT_EQ(file.read_vector_double("/populations/HH/spikes/time"),
            full.read_vector_double("/populations/HH/spikes/time"));
  // An interval that is not a whole number of steps is refused.
  r = psst_run(psst::test::model_path("hh.toml"), dir / "bad.h5", "--duration 50 --record-every 0.015");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("record_every"), std::string::npos) << r.output;
}

TEST(OutputLayout, EveryRecordedPopulationHasItsGroup) {
  TempDir dir;
  auto out = dir / "small.h5";
  auto r = psst_run(write_small_network(dir), out);
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = Hdf5File::open_read_only(out);
  EXPECT_EQ(file.shape("/time"), std::vector<std::size_t>{21});  // 10 ms / 0.5 ms + 1
  EXPECT_EQ(file.get_attribute_int64("/", "steps"), 100);
  EXPECT_EQ(file.get_attribute_string("/", "method"), "euler");

  // A: two selected neurons, in the order given, and its spikes.
  EXPECT_EQ(file.shape("/populations/A/state/V"), (std::vector<std::size_t>{21, 2}));
  EXPECT_EQ(file.read_vector_int64("/populations/A/state/neurons"), (std::vector<std::int64_t>{2, 0}));
  auto a = file.read_matrix_double("/populations/A/state/V");
  EXPECT_EQ(a.at(0, 0), 0.2);  // neuron 2
  EXPECT_EQ(a.at(0, 1), 0.0);  // neuron 0
  auto index = file.read_vector_int64("/populations/A/spikes/index");
  auto spikes = file.read_vector_double("/populations/A/spikes/time");
  // V -> I: neurons 1 (I = 2) and 2 (I = 3) cross 1 once, neuron 2 first; neuron 0 (I = 0.5) never.
  ASSERT_EQ(index, (std::vector<std::int64_t>{2, 1}));
  ASSERT_EQ(spikes.size(), 2u);
  EXPECT_LT(spikes[0], spikes[1]);
  EXPECT_GT(spikes[0], 0.0);

  // B: every neuron; an expression initial value ("i"); no threshold, so no spikes group.
  EXPECT_EQ(file.shape("/populations/B/state/V"), (std::vector<std::size_t>{21, 4}));
  EXPECT_EQ(file.read_vector_int64("/populations/B/state/neurons"), (std::vector<std::int64_t>{0, 1, 2, 3}));
  auto b = file.read_matrix_double("/populations/B/state/V");
  for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(b.at(0, j), static_cast<double>(j));
  EXPECT_FALSE(file.exists("/populations/B/spikes"));

  // C records nothing: no group at all.
  EXPECT_FALSE(file.exists("/populations/C"));
}

TEST(OutputLayout, PlotScriptDrawsTheFile) {
  if (!have_python_with_h5py())
    GTEST_SKIP() << "/usr/bin/python3 with h5py, matplotlib and numpy is not installed (scripts/setup.sh installs them)";
  TempDir dir;
  const std::string script = (psst::test::source_dir() / "scripts" / "plot.py").string();
  auto plot = [&](const std::filesystem::path& h5, const std::filesystem::path& png) {
    return run_command(fmt::format("/usr/bin/python3 '{}' '{}' --out '{}'", script, h5.string(), png.string()));
  };

  auto hh = dir / "hh.h5";
  auto r = psst_run(psst::test::model_path("hh.toml"), hh, "--duration 50");
  ASSERT_EQ(r.status, 0) << r.output;
  r = plot(hh, dir / "x.png");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("HH: 4 spikes from 1 neuron"), std::string::npos) << r.output;
  ASSERT_TRUE(std::filesystem::exists(dir / "x.png")) << r.output;
  EXPECT_GT(std::filesystem::file_size(dir / "x.png"), 10000u);

  // Several populations: traces, a heatmap, one without spikes.
  auto small = dir / "small.h5";
  r = psst_run(write_small_network(dir), small);
  ASSERT_EQ(r.status, 0) << r.output;
  r = plot(small, dir / "small.png");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("A: 2 spikes from 2 neurons"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("B: spikes not recorded"), std::string::npos) << r.output;
  EXPECT_GT(std::filesystem::file_size(dir / "small.png"), 10000u);

  // Not a psst output file: a message and exit status 1.
  r = plot(psst::test::source_dir() / "README.md", dir / "readme.png");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot read"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "readme.png"));
}

}  // namespace
