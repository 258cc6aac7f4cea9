// [record.POP] rate_bin (docs/model-files.md, docs/output.md): the population's
// spikes counted per bin, checked against spikes given exactly (spike_times) and,
// for an ensemble of Poisson populations, against a histogram of the recorded
// spikes of each instance; on every backend. Errors: a bin that is not a whole
// number of steps, a population without threshold, a projection; a definition
// named in `variables`.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

class RecordRate : public ::testing::TestWithParam<std::string> {};

psst::test::CommandResult run_model(const psst::test::TempDir& dir, const std::string& text,
                                    const std::string& backend) {
  std::ofstream(dir / "rate.toml") << text;
  return psst::test::run_command(fmt::format("cd '{}' && '{}' run -q --backend {} rate.toml -o out.h5 2>&1",
                                             dir.path().string(), PSST_CLI, backend));
}

// Bins of 0.5 ms over 2.2 ms (dt 0.1): four complete bins; the spike at 2.1 ms falls
// in a fifth that the run does not complete, which is not written.
TEST_P(RecordRate, CountsTheGivenSpikesPerBin) {
  psst::test::TempDir dir;
  auto r = run_model(dir, R"toml(
[simulation]
duration = 2.2
dt = 0.1
[populations.src]
size = 3
spike_times = { times = [0.0, 0.4, 0.5, 0.5, 0.9, 1.9, 2.1], indices = [0, 1, 2, 0, 1, 2, 0] }
[record.src]
rate_bin = 0.5
)toml", GetParam());
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = psst::io::Hdf5File::open_read_only(dir / "out.h5");
  EXPECT_EQ(file.read_vector_int64("/populations/src/rate/count"), (std::vector<std::int64_t>{2, 3, 0, 1}));
  EXPECT_EQ(file.read_vector_double("/populations/src/rate/time"), (std::vector<double>{0.0, 0.5, 1.0, 1.5}));
  EXPECT_EQ(file.read_vector_int64("/populations/src/spikes/index").size(), 7u);  // spikes still recorded
}

// Two instances of 20 Poisson neurons at 300 Hz: count[b, k] is the number of
// instance k's recorded spikes in bin b.
TEST_P(RecordRate, AnEnsembleCountsEachInstance) {
  psst::test::TempDir dir;
  auto r = run_model(dir, R"toml(
[simulation]
duration = 5.0
dt = 0.1
instances = 2
[populations.src]
size = 20
poisson_rate = 300.0
[record.src]
rate_bin = 1.0
)toml", GetParam());
  ASSERT_EQ(r.status, 0) << r.output;
  auto file = psst::io::Hdf5File::open_read_only(dir / "out.h5");
  const auto count = file.read_matrix_double("/populations/src/rate/count");
  ASSERT_EQ(count.rows, 5u);
  ASSERT_EQ(count.cols, 2u);
  const auto time = file.read_vector_double("/populations/src/spikes/time");
  const auto instance = file.read_vector_int64("/populations/src/spikes/instance");
  std::vector<double> expected(10, 0.0);
  for (std::size_t s = 0; s < time.size(); ++s)
    expected[static_cast<std::size_t>(std::floor(time[s] + 1e-9)) * 2 + static_cast<std::size_t>(instance[s])] += 1;
  EXPECT_EQ(count.values, expected);
  // 20 neurons x 300 Hz x 1 ms = 6 expected per bin and instance: 60 in all, and the instances differ.
  double total = 0;
  for (double c : count.values) total += c;
  EXPECT_GT(total, 30);
  EXPECT_LT(total, 100);
  std::vector<double> first, second;  // instance 0's and 1's counts: different seeds
  for (std::size_t b = 0; b < count.rows; ++b) {
    first.push_back(count.at(b, 0));
    second.push_back(count.at(b, 1));
  }
  EXPECT_NE(first, second);
}

// A run of 2.2 ms ends within its fifth bin; `psst resume --until 5.0` continues
// that bin from its counts at the checkpoint: the same file as one run of 5.0 ms.
TEST_P(RecordRate, ABinCutByACheckpointContinuesOnResume) {
  const std::string model = R"toml(
[simulation]
duration = {}
dt = 0.1
[populations.src]
size = 3
spike_times = {{ times = [0.0, 0.4, 0.5, 0.5, 0.9, 1.9, 2.0, 2.1, 2.3, 2.4, 3.0, 4.9], indices = [0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 1, 0] }}
[record.src]
rate_bin = 0.5
)toml";
  psst::test::TempDir whole, split;
  ASSERT_EQ(run_model(whole, fmt::format(fmt::runtime(model), 5.0), GetParam()).status, 0);
  ASSERT_EQ(run_model(split, fmt::format(fmt::runtime(model), 2.2), GetParam()).status, 0);
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' resume out.h5 -q --backend {} --until 5.0 2>&1",
                                               split.path().string(), PSST_CLI, GetParam()));
  ASSERT_EQ(r.status, 0) << r.output;
  auto a = psst::io::Hdf5File::open_read_only(whole / "out.h5");
  auto b = psst::io::Hdf5File::open_read_only(split / "out.h5");
  const std::vector<std::int64_t> expected{2, 3, 0, 1, 4, 0, 1, 0, 0, 1};
  EXPECT_EQ(a.read_vector_int64("/populations/src/rate/count"), expected);
  EXPECT_EQ(b.read_vector_int64("/populations/src/rate/count"), expected);
  EXPECT_EQ(a.read_vector_double("/populations/src/rate/time"), b.read_vector_double("/populations/src/rate/time"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordRate, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName{});

std::string error_of(const std::string& record) {
  psst::test::TempDir dir;
  auto r = run_model(dir, fmt::format(R"toml(
[simulation]
duration = 1.0
dt = 0.1
[populations.src]
size = 2
spike_times = {{ times = [0.0], indices = [0] }}
[populations.dst]
size = 2
equations = """
dg/dt = -h
h = 2 * g
"""
initial = {{ g = 0.0 }}
[projections.p]
pre = "src"
post = "dst"
connect = "one_to_one"
on_pre = "g_post += 1"
{}
)toml", record), "reference");
  EXPECT_NE(r.status, 0) << r.output;
  return r.output;
}

// psst check lists a population's rate recording with its bin.
TEST(RecordRateCheck, ListedByCheck) {
  psst::test::TempDir dir;
  std::ofstream(dir / "model.toml") << R"toml(
[simulation]
duration = 2.0
dt = 0.1
[populations.src]
size = 3
poisson_rate = 10.0
[record.src]
rate_bin = 0.5
)toml";
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check model.toml", dir.path().string(), PSST_CLI));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("population rate: spike counts per 0.5 ms bin\n"), std::string::npos) << r.output;
}

TEST(RecordRateErrors, NamedWithTheValidChoices) {
  EXPECT_NE(error_of("[record.src]\nrate_bin = 0.25").find("not a whole number of time steps"), std::string::npos);
  EXPECT_NE(error_of("[record.dst]\nrate_bin = 0.5").find("has no threshold"), std::string::npos);
  EXPECT_NE(error_of("[record.p]\nrate_bin = 0.5").find("is a projection"), std::string::npos);
  EXPECT_NE(error_of("[record.src]\nrate_bin = -1").find("must be a positive number"), std::string::npos);
  // An unknown variable: said so, with what is recordable (definitions too).
  EXPECT_NE(error_of("[record.dst]\nvariables = [\"q\"]")
                .find("[record.dst]: population 'dst' has no variable 'q'; recordable are its state variables: g; "
                      "definitions: h"),
            std::string::npos);
}

}  // namespace
