// Distributed runs (issue 13): `mpirun -n R psst run` writes the same file,
// bit for bit, as one process, for R = 1, 2, 3; a checkpoint written on R
// ranks resumes on any other number; an error on one rank ends the job with
// one message, never a hang. Every dataset of the output files is compared,
// checkpoints included. The tests launch mpirun on the psst command line; they
// skip, saying why, when psst was built without MPI.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "test_support.hpp"

namespace {

using psst::test::run_command;
using psst::test::TempDir;

const std::string cli = PSST_CLI;

std::string model(const std::string& name) { return psst::test::model_path(name).string(); }

#ifdef PSST_MPIRUN
// As root Open MPI needs --allow-run-as-root; more ranks than cores need --oversubscribe.
// Built with the sanitizers, the ranks leave Open MPI's own allocations to LeakSanitizer's
// suppressions (scripts/lsan-openmpi.supp; its frames need the slow unwinder).
std::string mpirun(int ranks) {
#ifdef PSST_LSAN_SUPPRESSIONS
  return fmt::format("env ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 "
                     "LSAN_OPTIONS=suppressions={}:print_suppressions=0 {} --allow-run-as-root --oversubscribe -n {}",
                     PSST_LSAN_SUPPRESSIONS, PSST_MPIRUN, ranks);
#else
  return fmt::format("{} --allow-run-as-root --oversubscribe -n {}", PSST_MPIRUN, ranks);
#endif
}
#define PSST_REQUIRE_MPI()
#else
std::string mpirun(int) { return ""; }
#define PSST_REQUIRE_MPI() GTEST_SKIP() << "psst was built without MPI (PSST_MPI=OFF or MPI not found)"
#endif

// Every dataset of an HDF5 file: its shape and raw bytes, by path.
struct Datasets {
  std::map<std::string, std::string> bytes;
};

herr_t collect(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto& out = static_cast<Datasets*>(data)->bytes;
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) return -1;
  if (H5Iget_type(object) == H5I_DATASET) {
    const hid_t space = H5Dget_space(object), type = H5Dget_type(object);
    const hid_t native = H5Tget_native_type(type, H5T_DIR_ASCEND);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    std::string shape;
    for (hsize_t d : dims) shape += std::to_string(d) + "x";
    const auto points = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    std::string raw(points * H5Tget_size(native), '\0');
    if (points > 0 && H5Dread(object, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) raw = "unreadable";
    out[name] = shape + ":" + raw;
    H5Tclose(native);
    H5Tclose(type);
    H5Sclose(space);
  }
  H5Oclose(object);
  return 0;
}

Datasets datasets(const std::filesystem::path& path) {
  Datasets out;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return out;
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, collect, &out);
  H5Fclose(file);
  return out;
}

// Every dataset equal; with `checkpoints` false, those under /checkpoint are left out
// (a split run has written both slots, an unsplit one only one).
void expect_same_datasets(const std::filesystem::path& expected, const std::filesystem::path& actual,
                          bool checkpoints = true) {
  auto a = datasets(expected).bytes, b = datasets(actual).bytes;
  if (!checkpoints)
    for (auto* m : {&a, &b}) std::erase_if(*m, [](const auto& entry) { return entry.first.starts_with("checkpoint"); });
  ASSERT_GT(a.size(), 3u) << expected;
  ASSERT_EQ(a.size(), b.size()) << actual;
  for (const auto& [path, bytes] : a) {
    auto other = b.find(path);
    ASSERT_TRUE(other != b.end()) << path << " is missing from " << actual;
    EXPECT_TRUE(bytes == other->second) << path << " differs in " << actual << " (shape "
                                        << bytes.substr(0, bytes.find(':')) << " vs "
                                        << other->second.substr(0, other->second.find(':')) << ")";
  }
}

// The number of spikes in a file (all populations).
std::size_t spike_count(const std::filesystem::path& path) {
  std::size_t count = 0;
  for (const auto& [name, bytes] : datasets(path).bytes)
    if (name.ends_with("spikes/index") && name.find("checkpoint") == std::string::npos)
      count += (bytes.size() - bytes.find(':') - 1) / sizeof(std::int64_t);
  return count;
}

struct Case {
  std::string model;
  double duration;
  std::size_t min_spikes;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << ", " << c.duration << " ms"; }

class MpiEquality : public ::testing::TestWithParam<std::tuple<Case, int>> {};

TEST_P(MpiEquality, EveryDatasetEqualsTheOneProcessRun) {
  PSST_REQUIRE_MPI();
  const auto& [c, ranks] = GetParam();
  TempDir dir;
  const auto one = dir / "one.h5", many = dir / "many.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration {} -o {}", cli, model(c.model), c.duration, one.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_GE(spike_count(one), c.min_spikes);
  r = run_command(fmt::format("{} {} run {} -q --duration {} -o {}", mpirun(ranks), cli, model(c.model), c.duration,
                              many.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one, many);
}

INSTANTIATE_TEST_SUITE_P(
    Models, MpiEquality,
    ::testing::Combine(::testing::Values(Case{"psst_three_neurons.toml", 700.0, 36}, Case{"hh.toml", 200.0, 10},
                                         Case{"cobahh.toml", 60.0, 1000}, Case{"locust_al.toml", 200.0, 1}),
                       ::testing::Values(1, 2, 3)),
    [](const ::testing::TestParamInfo<std::tuple<Case, int>>& param) {
      std::string name = std::get<0>(param.param).model;
      name = name.substr(0, name.find('.'));
      return name + "_" + std::to_string(std::get<1>(param.param)) + "_ranks";
    });

// Split at two checkpoints, each piece on a different number of ranks (2, then 3,
// then 1 process): the file equals the one-process run in one piece.
void split_across_rank_counts(const std::string& name, double t1, double t2, double t3) {
  TempDir dir;
  const auto whole = dir / "whole.h5", split = dir / "split.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration {} -o {}", cli, model(name), t3, whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} {} run {} -q --duration {} -o {}", mpirun(2), cli, model(name), t1, split.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} {} resume {} -q --until {}", mpirun(3), cli, split.string(), t2));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} resume {} -q --until {}", cli, split.string(), t3));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(whole, split, false);
}

TEST(MpiResume, CobahhSplitOnTwoThenThreeRanksThenOneProcessEqualsOneRun) {
  PSST_REQUIRE_MPI();
  split_across_rank_counts("cobahh.toml", 20.0, 45.0, 60.0);  // delayed spikes in flight at each cut
}

// Rank 0's messages per step, as psst prints them under mpirun (without -q); -1 if absent.
double messages_per_step(const std::string& output) {
  const auto at = output.find(" messages per step");
  if (at == std::string::npos) return -1.0;
  return std::stod(output.substr(output.rfind(' ', at - 1) + 1));
}

// Per-synapse delays (random, 31 classes at dt = 0.1 ms) on 1, 2 and 3 ranks, and a run
// split with spikes of many delays in flight: every dataset (spikes, v, the connectivity
// and each synapse's delay, a synapse variable and parameter of synapses held by
// different ranks) equals the one-process run. on_pre draws rand() and randn(), keyed
// by the global synapse index whichever rank holds the synapse.
constexpr const char* delay_model = R"toml(
[simulation]
duration = 60.0
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
equations = "dq/dt = -q / 5"
initial = { q = 0.0 }
on_pre = "ge_post += w * (0.5 + rand()); q += 1 + 0.1 * randn()"
parameters = { w = { distribution = "uniform", low = 0.5, high = 3.0 } }
delay = { distribution = "uniform", low = 0.0, high = 3.0 }
[record.excitatory]
variables = ["q", "w"]
synapses = [0, 2500, 1200, 1, 2900]
[projections.inhibitory]
pre = "cells[160:200]"
post = "cells"
connect = { rule = "probability", p = 0.1 }
on_pre = "gi_post -= 6"
delay = { distribution = "normal", mean = 1.5, std = 0.3 }
[record.cells]
variables = ["v"]
)toml";

TEST(MpiDelays, PerSynapseDelaysOnOneTwoAndThreeRanksAndSplitAcrossThem) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  std::ofstream(dir / "delays.toml") << delay_model;
  const std::string m = (dir / "delays.toml").string();
  const auto one = dir / "one.h5";
  auto r = run_command(fmt::format("{} run {} -q -o {}", cli, m, one.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_GE(spike_count(one), 50u);
  for (int ranks : {2, 3}) {
    const auto many = dir / fmt::format("many{}.h5", ranks);
    r = run_command(fmt::format("{} {} run {} -o {}", mpirun(ranks), cli, m, many.string()));
    ASSERT_EQ(r.status, 0) << r.output;
    // Delays of 0 ms are one step: spikes are exchanged every step (2 collectives).
    EXPECT_DOUBLE_EQ(messages_per_step(r.output), 2.0) << r.output;
    expect_same_datasets(one, many);
  }
  const auto split = dir / "split.h5";
  r = run_command(fmt::format("{} {} run {} -q --duration 21.3 -o {}", mpirun(2), cli, m, split.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} {} resume {} -q --until 40.7", mpirun(3), cli, split.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} resume {} -q --until 60", cli, split.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one, split, false);
}

// The delay model with delays of at least 7 steps (0.7 ms, dt = 0.1 ms): spikes are
// exchanged once every 7 steps (and at the ends of the driver's 64-step chunks and at
// checkpoints), not every step, and every dataset still equals the one-process run:
// on 2 and 3 ranks; with checkpoints within intervals (--checkpoint-every 0.3 and 2.5 ms),
// which equal the one-process ones; and split across 2 ranks, 3 ranks and 1 process at
// steps that are no multiple of 7.
TEST(MpiDelays, SpikesExchangedOnceEveryMinimumDelayGiveTheOneProcessBits) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  std::string text = delay_model;
  const std::string uniform = "delay = { distribution = \"uniform\", low = 0.0, high = 3.0 }";
  const std::string normal = "delay = { distribution = \"normal\", mean = 1.5, std = 0.3 }";
  ASSERT_NE(text.find(uniform), std::string::npos);
  ASSERT_NE(text.find(normal), std::string::npos);
  text.replace(text.find(uniform), uniform.size(), "delay = { distribution = \"uniform\", low = 0.7, high = 3.0 }");
  text.replace(text.find(normal), normal.size(), "delay = 1.2");
  const std::string v = "variables = [\"v\"]";
  ASSERT_NE(text.rfind(v), std::string::npos);
  text.replace(text.rfind(v), v.size(), v + "\nrate_bin = 0.5");  // rates too are counted from late spikes
  std::ofstream(dir / "delays.toml") << text;
  const std::string m = (dir / "delays.toml").string();
  const auto one = dir / "one.h5", one_cut = dir / "one_cut.h5";
  auto r = run_command(fmt::format("{} run {} -q -o {}", cli, m, one.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_GE(spike_count(one), 50u);
  for (int ranks : {2, 3}) {
    const auto many = dir / fmt::format("many{}.h5", ranks);
    r = run_command(fmt::format("{} {} run {} -o {}", mpirun(ranks), cli, m, many.string()));
    ASSERT_EQ(r.status, 0) << r.output;
    // 600 steps: chunks of 64 exchange at 7, 14, ..., 63 and 64 (10 each, 9 chunks), then
    // 583, 590, 597 and 600: 94 exchanges of 2 collectives, against 1200 every step.
    EXPECT_NEAR(messages_per_step(r.output), 188.0 / 600.0, 0.006) << r.output;
    expect_same_datasets(one, many);
  }
  // A checkpoint at step 20 (slot A; the run's end at step 22 in slot B), within the
  // interval of steps 15-21, with the spike of 1.5 ms (step 16, the network's second) in
  // flight: it equals the one-process checkpoint because a checkpoint step ends an interval.
  const auto one_early = dir / "one_early.h5", early = dir / "early.h5";
  r = run_command(fmt::format("{} run {} -q --duration 2.2 --checkpoint-every 2 -o {}", cli, m, one_early.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_EQ(spike_count(one_early), 2u);  // at 0.6 and 1.5 ms
  r = run_command(fmt::format("{} {} run {} -q --duration 2.2 --checkpoint-every 2 -o {}", mpirun(2), cli, m,
                              early.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one_early, early);  // checkpoints included
  r = run_command(fmt::format("{} run {} -q --duration 21.3 --checkpoint-every 2.5 -o {}", cli, m, one_cut.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto cut = dir / "cut.h5";
  r = run_command(fmt::format("{} {} run {} -q --duration 21.3 --checkpoint-every 2.5 -o {}", mpirun(2), cli, m,
                              cut.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one_cut, cut);  // checkpoints included
  r = run_command(fmt::format("{} {} resume {} -q --until 40.7", mpirun(3), cli, cut.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("{} resume {} -q --until 60", cli, cut.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one, cut, false);
}

TEST(MpiResume, ThreeNeuronsSplitOnTwoThenThreeRanksThenOneProcessEqualsOneRun) {
  PSST_REQUIRE_MPI();
  split_across_rank_counts("psst_three_neurons.toml", 150.0, 400.0, 700.0);
}

// Recorded definitions and summed synaptic inputs (docs/output.md): each target's
// synapses read sources of the other rank (the first stage's halo, exchanged at every
// sample); on 2 ranks the file equals the one-process run's (the interpreter: no compile).
constexpr const char* observed_model = R"toml(
[simulation]
duration = 1.0
dt = 0.01
method = "rk4"
[populations.src]
size = 3
equations = "dV/dt = a"
parameters = { a = [1.5, -2.0, 0.5] }
initial = { V = [-1.0, 1.5, 0.25] }
[populations.dst]
size = 3
equations = """
dv/dt = -I_syn - v * k
drive = v * k + I_syn
"""
parameters = { k = 0.5 }
initial = { v = 0.0 }
[projections.p]
pre = "src"
post = "dst"
connect = "all_to_all"
equations = "T = 1 / (1 + exp(-V_pre))"
parameters = { w = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75, 0.125, 3.0, -2.5] }
summed = { I_syn = "w * T * (v_post + 1)" }
[record.dst]
variables = ["v", "I_syn", "drive"]
)toml";

TEST(MpiEquality, RecordedDefinitionsAndSummedInputsOnTwoRanks) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  std::ofstream(dir / "observed.toml") << observed_model;
  const std::string m = (dir / "observed.toml").string();
  const auto one = dir / "one.h5";
  auto r = run_command(fmt::format("{} run {} -q --backend reference -o {}", cli, m, one.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  const auto many = dir / "many.h5";
  r = run_command(fmt::format("{} {} run {} -q --backend reference -o {}", mpirun(2), cli, m, many.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(one, many);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// An error on rank 0 only (the writer cannot create the file) while the others run on:
// one message, a non-zero exit, no hang (the others are ended by MPI_Abort).
TEST(MpiFaults, AnErrorOnOneRankEndsEveryRankWithOneMessage) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  const auto out = dir / "exists.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 1 -o {}", cli, model("hh.toml"), out.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("timeout 120 {} {} run {} -q --duration 100000 -o {}", mpirun(3), cli,
                              model("cobahh.toml"), out.string()));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "the job hung: " << r.output;
  EXPECT_EQ(occurrences(r.output, "exists; pass --overwrite to replace it"), 1u) << r.output;
}

// An error on every rank (a bad model): printed once, by rank 0.
TEST(MpiFaults, AnErrorOnEveryRankIsPrintedOnce) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  auto r = run_command(fmt::format("timeout 120 {} {} run {} -q --dt -1 -o {}", mpirun(2), cli, model("hh.toml"),
                                   (dir / "x.h5").string()));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "the job hung: " << r.output;
  EXPECT_EQ(occurrences(r.output, "the time step dt must be a positive number"), 1u) << r.output;
}

// A blow-up on rank 1 (neuron 3 of 5 on 3 ranks: blocks [0,2), [2,4), [4,5)): the
// finite-state check names the global neuron and its value as its owner has it, once,
// at the step where it appeared (every rank replays to it from its snapshot); what was
// recorded up to there is on disk.
TEST(MpiFaults, BlowUpOnAnotherRankNamesTheGlobalNeuronOnce) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  std::ofstream(dir / "blowup.toml") << psst::test::blowup_model;
  auto r = run_command(fmt::format("cd {} && timeout 120 {} {} run blowup.toml -o blowup.h5", dir.path().string(),
                                   mpirun(3), cli));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "the job hung: " << r.output;
  EXPECT_EQ(occurrences(r.output, "at t = 1.6 ms (step 16): population 'cells', variable 'x', neuron 3 is inf (it "
                                  "was 2.3209644764524707e+162 a step earlier)"),
            1u)
      << r.output;
  EXPECT_GT(datasets(dir / "blowup.h5").bytes.count("populations/cells/state/x"), 0u);
}

// A blow-up driven by Poisson spikes, delayed events across ranks and random draws, at a
// step between two checks: 2 and 3 ranks replay from their snapshots to the step, neuron
// and values one process names.
TEST(MpiFaults, BlowUpIsReportedAtTheSameStepOnAnyNumberOfRanks) {
  PSST_REQUIRE_MPI();
  TempDir dir;
  std::ofstream(dir / "driven.toml") << psst::test::driven_blowup_model;
  auto report = [&](int ranks) {
    auto r = run_command(fmt::format("cd {} && timeout 120 {} {} run driven.toml -q -o {}.h5", dir.path().string(),
                                     ranks > 1 ? mpirun(ranks) : "", cli, ranks));
    EXPECT_NE(r.status, 0) << r.output;
    EXPECT_NE(r.status, 124) << "the job hung: " << r.output;
    const auto at = r.output.find("numerical blow-up at t = ");
    return at == std::string::npos ? r.output : r.output.substr(at, r.output.find('\n', at) - at);
  };
  const std::string one = report(1);
  ASSERT_NE(one.find("population 'B', variable 'y', neuron "), std::string::npos) << one;
  EXPECT_EQ(report(2), one);
  EXPECT_EQ(report(3), one);
}

// SIGTERM to mpirun: Open MPI passes it to every rank (and, with a long enough
// odls_base_sigkill_timeout, waits for them); the ranks agree to stop at the same
// step, rank 0 writes one checkpoint, and one process resumes to the same file.
TEST(MpiFaults, SigtermToMpirunStopsEveryRankWithACheckpointThatResumes) {
  PSST_REQUIRE_MPI();
#ifdef PSST_MPIRUN
  TempDir dir;
  const auto whole = dir / "whole.h5", stopped = dir / "stopped.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 1500 -o {}", cli, model("cobahh.toml"), whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  const pid_t pid = fork();
  if (pid == 0) {
    execl(PSST_MPIRUN, PSST_MPIRUN, "--allow-run-as-root", "--oversubscribe", "--mca", "odls_base_sigkill_timeout",
          "5", "-n", "2", cli.c_str(), "run", model("cobahh.toml").c_str(), "-q", "--duration", "1500",
          "--checkpoint-every", "50", "-o", stopped.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  bool started = false;
  for (int i = 0; i < 1200 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    started = std::filesystem::file_size(stopped, ec) >= (256u << 10) && !ec;  // a few checkpoints
  }
  ASSERT_TRUE(started) << "the run wrote nothing";
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "the run finished before it was stopped";
  r = run_command(fmt::format("{} resume {} -q --until 1500", cli, stopped.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(whole, stopped, false);
#endif
}

#ifdef PSST_MPIRUN
// The live processes of session `session` (from /proc/PID/stat: "pid (comm) state ppid pgrp session ...").
std::vector<pid_t> session_processes(pid_t session) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(text.substr(close + 1));
    std::string state;
    long parent = 0, group = 0, sid = 0;
    if (fields >> state >> parent >> group >> sid && sid == session && state != "Z")  // zombies have ended
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}
#endif

// kill -9 of the whole job (what a batch system does: mpirun and every rank at once, in
// the middle of a step or of a write), then `psst resume` in one process (resuming on
// other rank counts: MpiResume): the file equals the uninterrupted one-process run.
// The locust antennal lobe on 2 ranks: halo values at every stage, checkpoints every 5 ms.
TEST(MpiFaults, KillNineOfTheJobThenResumeEqualsAnUninterruptedRun) {
  PSST_REQUIRE_MPI();
#ifdef PSST_MPIRUN
  TempDir dir;
  const auto whole = dir / "whole.h5", killed = dir / "killed.h5";
  auto r = run_command(fmt::format("{} run {} -q --duration 300 -o {}", cli, model("locust_al.toml"), whole.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();  // the job: mpirun and its ranks are the processes of this session
    execl(PSST_MPIRUN, PSST_MPIRUN, "--allow-run-as-root", "--oversubscribe", "-n", "2", cli.c_str(), "run",
          model("locust_al.toml").c_str(), "-q", "--duration", "300", "--checkpoint-every", "5", "-o",
          killed.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  bool started = false;
  for (int i = 0; i < 1200 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::error_code ec;
    // The file has ~0.95 MB after 5 ms (HDF5's first chunks), ~1.5 MB after ~65 ms: a dozen checkpoints.
    started = std::filesystem::file_size(killed, ec) >= (1536u << 10) && !ec;
  }
  ASSERT_TRUE(started) << "the run wrote nothing";
  const std::vector<pid_t> job = session_processes(pid);
  EXPECT_GE(job.size(), 3u) << "mpirun and 2 ranks";
  for (pid_t p : job) kill(p, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it was killed; make it longer";
  for (int i = 0; i < 100 && !session_processes(pid).empty(); ++i)  // ranks are reaped by init
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(session_processes(pid).empty()) << "a rank survived kill -9";
  r = run_command(fmt::format("{} resume {} -q --until 300", cli, killed.string()));
  ASSERT_EQ(r.status, 0) << r.output;
  expect_same_datasets(whole, killed, false);
#endif
}

}  // namespace
