// `psst resume` runs the effective model of the run it continues: the model
// text, the command-line overrides (--set, --method, --dt, --seed, ...) and the
// same input files, checked by their SHA-256 (run/effective_model.hpp).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "io/sha256.hpp"
#include "lang/model_file.hpp"
#include "run/effective_model.hpp"
#include "test_support.hpp"

namespace {

using psst::test::run_command;
using psst::test::TempDir;

const std::string cli = PSST_CLI;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// models/hh.toml with `replacements` (from, to) applied, written to `path`.
void write_hh_variant(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, std::string>>& replacements) {
  std::string text = read_text(psst::test::model_path("hh.toml"));
  for (const auto& [from, to] : replacements) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  std::ofstream(path, std::ios::binary) << text;
}

// hh.toml records spikes and every state variable of HH: V, m, h, n.
const std::vector<std::string> hh_datasets{"/time",
                                           "/populations/HH/spikes/index",
                                           "/populations/HH/spikes/time",
                                           "/populations/HH/state/V",
                                           "/populations/HH/state/m",
                                           "/populations/HH/state/h",
                                           "/populations/HH/state/n",
                                           "/populations/HH/state/neurons"};

std::size_t spike_count(const std::filesystem::path& path) {
  return psst::io::Hdf5File::open_read_only(path).shape("/populations/HH/spikes/time")[0];
}

// Every dataset of hh.toml's output, byte for byte.
void expect_bitwise_equal(const std::filesystem::path& a, const std::filesystem::path& b) {
  auto fa = psst::io::Hdf5File::open_read_only(a), fb = psst::io::Hdf5File::open_read_only(b);
  for (const auto& path : hh_datasets) {
    SCOPED_TRACE(path);
    ASSERT_TRUE(fa.exists(path) && fb.exists(path));
    auto ma = fa.read_matrix_double(path), mb = fb.read_matrix_double(path);
    ASSERT_EQ(ma.rows, mb.rows);
    ASSERT_EQ(ma.cols, mb.cols);
    // (memcmp of no bytes may still not be given the null pointer of an empty dataset)
    if (!ma.values.empty()) {
      EXPECT_EQ(0, std::memcmp(ma.values.data(), mb.values.data(), ma.values.size() * sizeof(double)));
    }
  }
}

// `psst run` in `dir` to `duration` in one piece, and to `cut` then resumed to `duration`.
void run_whole_and_split(const std::filesystem::path& dir, const std::string& model, const std::string& options,
                         double cut, double duration) {
  auto r = run_command(fmt::format("cd '{}' && {} run {} -q {} --duration {} -o whole.h5", dir.string(), cli, model,
                                   options, duration));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("cd '{}' && {} run {} -q {} --duration {} -o split.h5", dir.string(), cli, model,
                              options, cut));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_command(fmt::format("cd '{}' && {} resume split.h5 -q --until {}", dir.string(), cli, duration));
  ASSERT_EQ(r.status, 0) << r.output;
}

// The bug of issue 11: the file kept only the model text, so resume ran hh.toml
// with I_inj = 10 after a first piece with I_inj = 0 (spikes at 22.72 and 35.41 ms).
TEST(ResumeEffectiveModel, ResumeAfterSetEqualsTheUnsplitRun) {
  TempDir dir;
  std::filesystem::copy(psst::test::model_path("hh.toml"), dir / "hh.toml");
  run_whole_and_split(dir.path(), "hh.toml", "--set HH.I_inj=0", 20, 40);
  EXPECT_EQ(spike_count(dir / "whole.h5"), 0u);
  EXPECT_EQ(spike_count(dir / "split.h5"), 0u);
  expect_bitwise_equal(dir / "whole.h5", dir / "split.h5");
  auto file = psst::io::Hdf5File::open_read_only(dir / "split.h5");
  EXPECT_EQ(file.get_attribute_string("/", "overrides"), "--set HH.I_inj=0\n--duration 40\n");
  EXPECT_EQ(file.get_attribute_string("/", "input_files"), "");
  EXPECT_EQ(file.get_attribute_double("/", "duration"), 40.0);
}

// A --set that changes the spikes, with every other model option on the command
// line; four jittered neurons, so that the seed matters.
TEST(ResumeEffectiveModel, ResumeWithMethodDtSeedAndSetOverridesEqualsTheUnsplitRun) {
  TempDir dir;
  write_hh_variant(dir / "cells.toml", {{"size = 1\n", "size = 4\njitter = 0.05\n"}});
  const std::string options =
      "--set HH.I_inj=4.5 --set HH.g_K=12 --method rk2 --dt 0.02 --seed 7 --record-every 0.1";
  run_whole_and_split(dir.path(), "cells.toml", options, 33.34, 100);
  const std::size_t spikes = spike_count(dir / "whole.h5");
  EXPECT_GT(spikes, 4u);
  EXPECT_EQ(spike_count(dir / "split.h5"), spikes);
  expect_bitwise_equal(dir / "whole.h5", dir / "split.h5");
  auto file = psst::io::Hdf5File::open_read_only(dir / "split.h5");
  EXPECT_EQ(file.get_attribute_string("/", "overrides"),
            "--set HH.I_inj=4.5\n--set HH.g_K=12\n--duration 100\n--dt 0.02\n--method rk2\n--seed 7\n"
            "--record-every 0.1\n");
  EXPECT_EQ(file.get_attribute_string("/", "method"), "rk2");
  EXPECT_EQ(file.get_attribute_double("/", "dt"), 0.02);
  EXPECT_EQ(file.get_attribute_int64("/", "seed"), 7);
  // The overrides matter: the same model without them spikes differently.
  auto r = run_command(fmt::format("cd '{}' && {} run cells.toml -q --duration 100 --method rk2 --dt 0.02 --seed 7 "
                                   "--record-every 0.1 -o plain.h5",
                                   dir.path().string(), cli));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(spike_count(dir / "plain.h5"), spikes);
}

// A model that reads a .csv: resume checks its SHA-256 and refuses a changed or missing file.
TEST(ResumeEffectiveModel, ResumeRefusesAChangedOrMissingInputFile) {
  TempDir dir;
  write_hh_variant(dir / "cells.toml",
                   {{"size = 1\n", "size = 2\n"}, {"I_inj = 10.0", "I_inj = { file = \"I.csv\" }"}});
  const std::string csv = "10\n4.5\n";
  std::ofstream(dir / "I.csv") << csv;
  run_whole_and_split(dir.path(), "cells.toml", "", 20, 40);  // resumes once with the file unchanged
  expect_bitwise_equal(dir / "whole.h5", dir / "split.h5");
  EXPECT_GT(spike_count(dir / "whole.h5"), 0u);
  auto stored = psst::io::Hdf5File::open_read_only(dir / "split.h5").get_attribute_string("/", "input_files");
  EXPECT_EQ(stored, psst::io::sha256(csv) + "  I.csv\n");

  const std::string resume = fmt::format("cd '{}' && {} resume split.h5 -q --until 60", dir.path().string(), cli);
  std::ofstream(dir / "I.csv") << "10\n4.6\n";
  auto r = run_command(resume);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("cannot resume 'split.h5': the file 'I.csv', which the model read, has changed since the "
                          "run started (SHA-256 " + psst::io::sha256(csv) + " then, " +
                          psst::io::sha256("10\n4.6\n") + " now)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Restore the file, or start a new run with psst run."), std::string::npos) << r.output;

  std::filesystem::remove(dir / "I.csv");
  r = run_command(resume);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("the model read the file 'I.csv', which is missing now"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Put it back (its SHA-256 was " + psst::io::sha256(csv) + ")"), std::string::npos)
      << r.output;
  EXPECT_EQ(psst::io::Hdf5File::open_read_only(dir / "split.h5").shape("/time")[0], 4001u) << "refused: untouched";

  std::ofstream(dir / "I.csv") << csv;  // put back: resuming works
  r = run_command(resume);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(psst::io::Hdf5File::open_read_only(dir / "split.h5").shape("/time")[0], 6001u);
}

// The overrides read back exactly, whatever the doubles.
TEST(EffectiveModel, OverridesReadBackExactly) {
  psst::run::RunOverrides o;
  o.sets = {psst::run::parse_setting("PN.g_Na=0.1"), psst::run::parse_setting("ach.w=1e-300"),
            {"LN", "E_K", 1.0 / 3.0}};
  o.duration = 1000.0 / 3.0;
  o.dt = 0.01;
  o.method = "exponential_euler";
  o.seed = 18446744073709551615ull;
  o.precision = "single";
  o.record_every = 0.1;
  o.backend = "reference";  // not part of the model: not stored
  const std::string text = psst::run::format_overrides(o);
  EXPECT_EQ(text, "--set PN.g_Na=0.1\n--set ach.w=1e-300\n--set LN.E_K=0.3333333333333333\n"
                  "--duration 333.3333333333333\n--dt 0.01\n--method exponential_euler\n"
                  "--seed 18446744073709551615\n--precision single\n--record-every 0.1\n");
  const auto back = psst::run::parse_overrides(text, "out.h5");
  EXPECT_EQ(back.sets, o.sets);
  EXPECT_EQ(back.duration, o.duration);
  EXPECT_EQ(back.dt, o.dt);
  EXPECT_EQ(back.method, o.method);
  EXPECT_EQ(back.seed, o.seed);
  EXPECT_EQ(back.precision, o.precision);
  EXPECT_EQ(back.record_every, o.record_every);
  EXPECT_EQ(back.backend, "default");
  EXPECT_EQ(psst::run::format_overrides(psst::run::RunOverrides{}), "");
  try {
    psst::run::parse_overrides("--set A.b=1\n--threads 4\n", "old.h5");
    ADD_FAILURE() << "an unknown line was accepted";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'old.h5': attribute 'overrides' has the line '--threads 4'"),
              std::string::npos)
        << e.what();
  }
}

// Every kind of file a model reads is found in its spec, each path once.
TEST(EffectiveModel, InputFilesListsParameterInitialInputAndMatrixFiles) {
  const std::string text = R"toml(
[populations.A]
size = 2
equations = "dV/dt = (I - g * V) / C"
parameters = { g = { file = "g.npy" }, C = 1.0 }
initial = { V = { file = "v0.csv" } }
inputs.I = { file = "I.npy" }
[populations.B]
size = 2
equations = "dV/dt = -g * V"
parameters = { g = { file = "g.npy" } }
initial = { V = 0.0 }
[projections.AB]
pre = "A"
post = "B"
connect = { rule = "matrix", file = "w.csv", values = "w" }
parameters = { w = 0.0, tau = { file = "tau.txt" } }
on_pre = "V_post += w"
)toml";
  auto spec = psst::lang::parse_model_text(text, "net.toml", "data");
  auto files = psst::run::input_files(spec);
  std::vector<std::string> listed;
  for (const auto& f : files) listed.push_back(f.path + ": " + f.what);
  const std::vector<std::string> expected{
      "data/I.npy: input 'I' of population 'A'",
      "data/g.npy: parameter 'g' of population 'A'",
      "data/tau.txt: parameter 'tau' of projection 'AB'",
      "data/v0.csv: initial value 'V' of population 'A'",
      "data/w.csv: the connectivity matrix of projection 'AB'",
  };
  EXPECT_EQ(listed, expected);
  // A --set replaces a file parameter: that file is no longer read.
  auto set = psst::run::apply_settings(spec, {psst::run::parse_setting("A.g=0.5"), psst::run::parse_setting("B.g=1")});
  EXPECT_EQ(psst::run::input_files(set).size(), 4u);
}

}  // namespace
