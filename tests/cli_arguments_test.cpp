// Command-line values psst cannot use are refused with a message naming the
// option, the value and what is valid, and exit status 1: negative --seed,
// --threads and --checkpoint-every, and an --out that is the model file itself
// (which the run would overwrite).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "test_support.hpp"

namespace {

using psst::test::run_command;

std::string psst_cli(const std::string& arguments) { return fmt::format("'{}' {}", PSST_CLI, arguments); }

std::string hh() { return "'" + psst::test::model_path("hh.toml").string() + "'"; }

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CliArguments, NegativeSeedThreadsAndCheckpointIntervalAreRefused) {
  struct Case {
    std::string arguments, message;
  };
  const Case cases[] = {
      {"--seed -1", "psst: --seed is '-1'; the seed is a non-negative integer (0 to 18446744073709551615)\n"},
      {"--seed 18446744073709551616",
       "psst: --seed is '18446744073709551616'; the seed is a non-negative integer (0 to 18446744073709551615)\n"},
      {"--seed 3x", "psst: --seed is '3x'; the seed is a non-negative integer (0 to 18446744073709551615)\n"},
      {"--threads -2", "psst: --threads is -2; give 0 (all cores) or a positive number of threads\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.arguments);
    auto r = run_command(psst_cli("check " + hh() + " " + c.arguments));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output, c.message);
  }
  psst::test::TempDir dir;
  auto r = run_command(psst_cli(fmt::format("run {} -q --duration 1 --checkpoint-every -5 --out '{}'", hh(),
                                            (dir / "c.h5").string())));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output, "psst: --checkpoint-every is -5 ms; give a positive number of ms, or 0 for no periodic "
                      "checkpoints\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "c.h5"));
}

// The refusal must not refuse what is valid: the largest seed and 0 threads run.
TEST(CliArguments, TheLargestSeedIsAccepted) {
  auto r = run_command(psst_cli("check " + hh() + " --seed 18446744073709551615 --threads 0"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("seed 18446744073709551615"), std::string::npos) << r.output;
}

TEST(CliArguments, OutputNamingTheModelFileIsRefusedAndTheModelIsKept) {
  psst::test::TempDir dir;
  std::filesystem::copy_file(psst::test::model_path("hh.toml"), dir / "hh.toml");
  const std::string before = text_of(dir / "hh.toml");
  const std::vector<std::string> outs = {"hh.toml", "./hh.toml", "../" + dir.path().filename().string() + "/hh.toml"};
  for (const auto& out : outs) {
    SCOPED_TRACE(out);
    auto r = run_command(fmt::format("cd '{}' && {}", dir.path().string(),
                                     psst_cli("run hh.toml -q --duration 1 --overwrite --out " + out)));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output, fmt::format("psst: --out '{}' is the model file 'hh.toml' itself; writing the output there "
                                    "would destroy the model; give another file name, e.g. --out hh.h5\n",
                                    out));
    EXPECT_EQ(text_of(dir / "hh.toml"), before);
  }
  auto r = run_command(fmt::format("cd '{}' && {}", dir.path().string(),
                                   psst_cli("run hh.toml -q --duration 1 --out hh.h5")));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "hh.h5"));
}

}  // namespace
