// The HDF5 output layout, read back: what README.md and docs/output.md promise.
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

using psst::io::Hdf5File;
using psst::test::run_command;
using psst::test::TempDir;

std::vector<double> reference_spike_times() {
  std::ifstream in(psst::test::shared_dir() / "reference" / "hh_single_spikes.csv");
  std::string line;
  std::getline(in, line);
  std::vector<double> times;
  while (std::getline(in, line)) times.push_back(std::stod(line.substr(0, line.find(','))));
  return times;
}

TEST(OutputLayout, HodgkinHuxleyFileHasTheDocumentedLayout) {
  TempDir dir;
  auto out = dir / "hh.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 50 -o {}", PSST_CLI,
                                   psst::test::model_path("hh.toml").string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = Hdf5File::open_read_only(out);
  auto time = file.read_vector_double("/time");
  ASSERT_EQ(time.size(), 5001u);  // 50 ms / 0.01 ms + the initial sample
  EXPECT_EQ(time.front(), 0.0);
  for (std::size_t k = 1; k < time.size(); ++k) ASSERT_NEAR(time[k] - time[k - 1], 0.01, 1e-12);
  EXPECT_NEAR(time.back(), 50.0, 1e-12);
  for (const char* variable : {"V", "m", "h", "n"}) {
    auto shape = file.shape(std::string("/populations/HH/state/") + variable);
    ASSERT_EQ(shape.size(), 2u) << variable;
    EXPECT_EQ(shape[0], 5001u) << variable;
    EXPECT_EQ(shape[1], 1u) << variable;
  }
  auto v = file.read_matrix_double("/populations/HH/state/V");
  EXPECT_EQ(v.at(0, 0), -71.0);
  EXPECT_GT(*std::max_element(v.values.begin(), v.values.end()), 30.0);  // it spiked
  EXPECT_EQ(file.read_vector_int64("/populations/HH/state/neurons"), std::vector<std::int64_t>{0});
  auto index = file.read_vector_int64("/populations/HH/spikes/index");
  auto spikes = file.read_vector_double("/populations/HH/spikes/time");
  ASSERT_EQ(index.size(), spikes.size());
  auto reference = reference_spike_times();
  std::size_t expected = 0;
  while (expected < reference.size() && reference[expected] < 50.0) ++expected;
  ASSERT_EQ(spikes.size(), expected);
  for (std::size_t k = 0; k < spikes.size(); ++k) {
    EXPECT_EQ(index[k], 0);
    EXPECT_NEAR(spikes[k], reference[k], 1e-9);
    if (k) {
      EXPECT_LE(spikes[k - 1], spikes[k]);
    }
  }
  EXPECT_EQ(file.get_attribute_double("/", "dt"), 0.01);
  EXPECT_EQ(file.get_attribute_double("/", "duration"), 50.0);
  EXPECT_EQ(file.get_attribute_int64("/", "steps"), 5000);
  EXPECT_EQ(file.get_attribute_string("/", "method"), "rk4");
  EXPECT_EQ(file.get_attribute_string("/", "backend").empty(), false);
  EXPECT_EQ(file.get_attribute_int64("/", "seed"), 0);
  EXPECT_NE(file.get_attribute_string("/", "model").find("dV/dt = (I_inj - I_Na - I_K - I_L) / C_m"),
            std::string::npos);
  EXPECT_FALSE(file.get_attribute_string("/", "psst_version").empty());
}

TEST(OutputLayout, RecordEveryAndNeuronSelection) {
  TempDir dir;
  auto out = dir / "al.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 20 --record-every 0.5 -o {}", PSST_CLI,
                                   psst::test::model_path("locust_al.toml").string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = Hdf5File::open_read_only(out);
  EXPECT_EQ(file.shape("/time")[0], 41u);
  EXPECT_EQ(file.shape("/populations/PN/state/V"), (std::vector<std::size_t>{41, 90}));
  EXPECT_EQ(file.shape("/populations/LN/state/Ca"), (std::vector<std::size_t>{41, 30}));
  EXPECT_EQ(file.get_attribute_double("/", "record_every"), 0.5);
}

TEST(OutputLayout, PlotScriptDrawsTheFile) {
  if (!std::filesystem::exists("/usr/bin/python3") ||
      run_command("/usr/bin/python3 -c 'import h5py, matplotlib'").status != 0)
    GTEST_SKIP() << "/usr/bin/python3 with h5py and matplotlib is not installed (scripts/setup.sh installs them)";
  TempDir dir;
  auto out = dir / "three.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 200 -o {}", PSST_CLI,
                                   psst::test::model_path("psst_three_neurons.toml").string(), out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("/usr/bin/python3 {}/scripts/plot.py {} --out {}", PSST_SOURCE_DIR, out.string(),
                              (dir / "three.png").string()));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("HH: 8 spikes from 2 neurons"), std::string::npos) << r.output;
  EXPECT_GT(std::filesystem::file_size(dir / "three.png"), 10000u);
  r = run_command(fmt::format("/usr/bin/python3 {}/scripts/plot.py {}/README.md", PSST_SOURCE_DIR, PSST_SOURCE_DIR));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot read"), std::string::npos) << r.output;
}

}  // namespace
