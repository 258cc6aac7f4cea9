// Simulations of any length: split-and-resume equality, crash safety, clean
// interruption, NaN detection and bad input on the command line.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <tuple>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

using psst::test::run_command;
using psst::test::TempDir;

const std::string cli = PSST_CLI;

std::string model(const std::string& name) { return psst::test::model_path(name).string(); }

// Every dataset outside /checkpoint, as raw bytes, with its shape.
std::map<std::string, std::string> datasets(const std::filesystem::path& path) {
  auto file = psst::io::Hdf5File::open_read_only(path);
  std::map<std::string, std::string> out;
  std::vector<std::string> paths{"/time"};
  for (const char* pop : {"HH", "PN", "LN", "cells"}) {
    std::string g = std::string("/populations/") + pop;
    if (!file.exists(g)) continue;
    for (const char* d : {"/spikes/index", "/spikes/time", "/state/V", "/state/Ca", "/state/neurons"})
      if (file.exists(g + d)) paths.push_back(g + d);
  }
  for (const auto& p : paths) {
    auto m = file.read_matrix_double(p);
    std::string bytes(reinterpret_cast<const char*>(m.values.data()), m.values.size() * sizeof(double));
    out[p] = std::to_string(m.rows) + "x" + std::to_string(m.cols) + ":" + bytes;
  }
  return out;
}

void expect_same_datasets(const std::filesystem::path& a, const std::filesystem::path& b) {
  auto da = datasets(a), db = datasets(b);
  ASSERT_EQ(da.size(), db.size());
  ASSERT_GT(da.size(), 3u);
  for (const auto& [path, bytes] : da) {
    ASSERT_TRUE(db.count(path)) << path;
    EXPECT_TRUE(bytes == db[path]) << path << " differs (" << bytes.substr(0, bytes.find(':')) << " vs "
                                   << db[path].substr(0, db[path].find(':')) << ")";
  }
}

void split_run_equals_unsplit(const std::string& name, double duration, const std::vector<double>& cuts,
                              double checkpoint_every, const std::string& options = "") {
  TempDir dir;
  auto whole = dir / "whole.h5", split = dir / "split.h5";
  auto r = run_command(
      fmt::format("{} run {} -q {} --duration {} -o {}", cli, model(name), options, duration, whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} run {} -q {} --duration {} --checkpoint-every {} -o {}", cli, model(name), options,
                              cuts[0], checkpoint_every, split.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  for (std::size_t k = 1; k < cuts.size(); ++k) {
    r = run_command(fmt::format("{} resume {} -q --until {}", cli, split.string(), cuts[k]));
    ASSERT_EQ(r.status, 0) << r.output;
  }
  expect_same_datasets(whole, split);
}

TEST(LongRun, ThreeNeuronsSplitInTwoAndSevenPiecesEqualsOneRun) {
  // Cut points and checkpoint intervals that are not multiples of the 0.1 ms recording interval.
  split_run_equals_unsplit("psst_three_neurons.toml", 700, {351.23, 700}, 0);
  split_run_equals_unsplit("psst_three_neurons.toml", 700, {33.37, 101.01, 202.02, 350.55, 470.07, 612.34, 700}, 29.99);
}

// A precision given on the command line is stored in the file and kept by resume.
TEST(LongRun, ResumeKeepsSinglePrecision) {
  split_run_equals_unsplit("psst_three_neurons.toml", 200, {70.07, 200}, 0, "--precision single");
}

TEST(LongRun, AntennalLobeSplitInTwoAndSevenPiecesEqualsOneRun) {
  split_run_equals_unsplit("locust_al.toml", 150, {77.77, 150}, 0);
  split_run_equals_unsplit("locust_al.toml", 150, {10.01, 33.33, 60.07, 99.99, 110.11, 140.03, 150}, 13.37);
}

// Every backend: a run split with checkpoints and resumed (on that backend) writes the
// same file, bit for bit, as one cpu run: recording, checkpoints, spikes in flight.
class SplitOnEveryBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(SplitOnEveryBackend, EqualsOneCpuRun) {
  for (const auto& [name, duration, cut] : {std::tuple{"psst_three_neurons.toml", 300.0, 123.45},
                                            std::tuple{"locust_al.toml", 60.0, 27.77}}) {
    TempDir dir;
    auto whole = dir / "whole.h5", split = dir / "split.h5";
    auto r = run_command(fmt::format("{} run {} -q --backend cpu --duration {} -o {}", cli, model(name), duration,
                                     whole.string()));
    ASSERT_EQ(r.status, 0) << r.output;
    r = run_command(fmt::format("{} run {} -q --backend {} --duration {} --checkpoint-every 10.01 -o {}", cli,
                                model(name), GetParam(), cut, split.string()));
    ASSERT_EQ(r.status, 0) << r.output;
    r = run_command(fmt::format("{} resume {} -q --backend {} --until {}", cli, split.string(), GetParam(), duration));
    ASSERT_EQ(r.status, 0) << r.output;
    expect_same_datasets(whole, split);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SplitOnEveryBackend, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

// Starts the CLI in the background; returns its pid.
pid_t spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits until the run has written at least `bytes` to its file (a few checkpoints), at most ~120 s.
bool wait_for_progress(const std::filesystem::path& path, std::uintmax_t bytes = 1u << 20) {
  for (int i = 0; i < 1200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) >= bytes && !ec) return true;
  }
  return false;
}

TEST(LongRun, KillNineThenResumeEqualsAnUninterruptedRun) {
  TempDir dir;
  auto whole = dir / "whole.h5", killed = dir / "killed.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 300 -o {}", cli, model("locust_al.toml"), whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  pid_t pid = spawn({cli, "run", model("locust_al.toml"), "-q", "--duration", "300", "--checkpoint-every", "5",
                     "-o", killed.string()});
  ASSERT_TRUE(wait_for_progress(killed));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it was killed; make it longer";
  r = run_command(fmt::format("{} resume {} -q --until 300", cli, killed.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(whole, killed);
}

TEST(LongRun, SigintStopsAtAStepBoundaryWithACheckpointAndAResumeHint) {
  TempDir dir;
  auto out = dir / "int.h5", whole = dir / "whole.h5";
  std::string log = (dir / "log.txt").string();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    execl(cli.c_str(), cli.c_str(), "run", model("locust_al.toml").c_str(), "-q", "--duration", "300",
          "--checkpoint-every", "5", "-o", out.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(wait_for_progress(out));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  std::ifstream in(log);
  std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(message.find("interrupted at t = "), std::string::npos) << message;
  EXPECT_NE(message.find("psst resume " + out.string() + " --until"), std::string::npos) << message;
  auto r = run_command(fmt::format("{} resume {} -q --until 300", cli, out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} run {} -q --duration 300 -o {}", cli, model("locust_al.toml"), whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(whole, out);
}

TEST(LongRun, NanIsDetectedWithPopulationVariableNeuronAndTime) {
  TempDir dir;
  std::ofstream(dir / "blowup.toml") << psst::test::blowup_model;
  auto out = dir / "blowup.h5";
  auto r = run_command(fmt::format("cd {} && {} run blowup.toml -o {}", dir.path().string(), cli, out.string()));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("numerical blow-up at t = "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("population 'cells', variable 'x', neuron 3 is inf"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("smaller time step"), std::string::npos) << r.output;
  // The data up to the blow-up is kept and readable.
  auto file = psst::io::Hdf5File::open_read_only(out);
  auto x = file.read_matrix_double("/populations/cells/state/x");
  EXPECT_GT(x.rows, 5u);
  EXPECT_EQ(x.at(0, 0), 2.0);
}

TEST(LongRun, ResumeRefusesAChangedModel) {
  TempDir dir;
  std::filesystem::copy(model("hh.toml"), dir / "hh.toml");
  auto out = dir / "hh.h5";
  auto r = run_command(fmt::format("cd {} && {} run hh.toml -q --duration 20 -o hh.h5", dir.path().string(), cli));
  ASSERT_EQ(r.status, 0) << r.output;
  std::ofstream(dir / "hh.toml", std::ios::app) << "\n# edited\n";
  r = run_command(fmt::format("cd {} && {} resume hh.h5 -q --until 40", dir.path().string(), cli));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("has changed since"), std::string::npos) << r.output;
  // Put it back: resuming works and extends the run.
  std::filesystem::copy(model("hh.toml"), dir / "hh.toml", std::filesystem::copy_options::overwrite_existing);
  r = run_command(fmt::format("cd {} && {} resume hh.h5 -q --until 40", dir.path().string(), cli));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(psst::io::Hdf5File::open_read_only(out).shape("/time")[0], 4001u);
}

TEST(LongRun, BadInputGetsAClearMessageAndNonZeroExit) {
  TempDir dir;
  struct Case {
    std::string args, fragment;
  };
  const std::vector<Case> cases{
      {"run " + model("hh.toml") + " --dt 0", "the time step dt must be a positive number"},
      {"run " + model("hh.toml") + " --dt -0.01", "the time step dt must be a positive number"},
      {"run " + model("hh.toml") + " --duration 10.005", "is not a whole number of time steps"},
      {"run " + model("hh.toml") + " -o /nonexistent_dir/x.h5", "/nonexistent_dir/x.h5"},
      {"run " + model("hh.toml") + " --checkpoint-every 0.005", "--checkpoint-every = 0.005 ms is not a whole number"},
      {"resume " + (dir / "missing.h5").string() + " --until 10", "missing.h5"},
      {"run " + (dir / "nothere.toml").string(), "cannot open model file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    auto r = run_command(fmt::format("cd {} && {} {} -q", dir.path().string(), cli, c.args));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(c.fragment), std::string::npos) << r.output;
  }
  // An existing output file is refused unless --overwrite, and is left untouched.
  auto out = dir / "exists.h5";
  std::ofstream(out) << "precious";
  auto r = run_command(fmt::format("{} run {} -q --duration 1 -o {}", cli, model("hh.toml"), out.string()));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--overwrite"), std::string::npos) << r.output;
  std::ifstream in(out);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "precious");
}

TEST(LongRun, FullDiskIsAWriteErrorWithAMessage) {
  // ulimit -f caps the file size (in 512-byte blocks here: 400 KiB): the run must fail
  // with a message naming the file, not be killed by SIGXFSZ.
  TempDir dir;
  auto r = run_command(fmt::format("ulimit -f 800; {} run {} -q --duration 200 -o {}", cli, model("hh.toml"),
                                   (dir / "full.h5").string()));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("full.h5"), std::string::npos) << r.output;
}

}  // namespace
