// The psst command line: version, help, run and its output file, check, and the
// errors a user meets first (missing files, an existing output, bad options).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "test_support.hpp"

namespace {

using psst::test::run_command;

std::string psst_cli(const std::string& arguments) { return fmt::format("'{}' {}", PSST_CLI, arguments); }

std::string hh() { return "'" + psst::test::model_path("hh.toml").string() + "'"; }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(CliVersion, PrintsPsstAndTheVersion) {
  auto r = run_command(psst_cli("--version"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.rfind("psst 0.", 0), 0u) << r.output;
}

TEST(CliHelp, ExitsZeroAndListsTheCommands) {
  auto r = run_command(psst_cli("--help"));
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* command : {"run", "check", "resume"}) EXPECT_TRUE(contains(r.output, command)) << r.output;
  r = run_command(psst_cli("run --help"));
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* option : {"--out", "--overwrite", "--duration", "--dt", "--method", "--seed", "--record-every",
                             "--backend", "--quiet"})
    EXPECT_TRUE(contains(r.output, option)) << option << "\n" << r.output;
}

TEST(CliUsage, ABadCommandLineExitsOne) {
  auto r = run_command(psst_cli(""));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "A subcommand is required")) << r.output;
  r = run_command(psst_cli("run " + hh() + " --no-such-option"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "--no-such-option")) << r.output;
  r = run_command(psst_cli("check " + hh() + " --duration soon"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "soon")) << r.output;
}

TEST(CliRun, WritesTheOutputFileAndRefusesToReplaceItWithoutOverwrite) {
  psst::test::TempDir dir;
  const auto out = dir / "X.h5";
  const std::string run = psst_cli(fmt::format("run {} --out '{}' --duration 20", hh(), out.string()));

  auto r = run_command(run + " -q");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "") << "-q prints nothing";
  ASSERT_TRUE(std::filesystem::exists(out));
  const auto size = std::filesystem::file_size(out);
  EXPECT_GT(size, 0u);

  r = run_command(run + " -q");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: output file '" + out.string() + "' exists; pass --overwrite to replace it"))
      << r.output;
  EXPECT_EQ(std::filesystem::file_size(out), size) << "the refused run must leave the file alone";

  r = run_command(run + " --overwrite");  // and without -q: a summary
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: simulated to 20 ms (2000 steps of 0.01 ms, rk4)")) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: wrote " + out.string())) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out));
}

TEST(CliRun, UnknownMethodOnTheCommandLineListsTheValidOnes) {
  psst::test::TempDir dir;
  const auto out = dir / "m.h5";
  auto r = run_command(psst_cli(fmt::format("run {} --out '{}' --duration 1 --method rk45 -q", hh(), out.string())));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "psst: unknown integration method 'rk45'; valid methods are euler, heun, rk2 (midpoint), rk4, "
                       "exponential_euler"))
      << r.output;
  EXPECT_FALSE(contains(r.output, "hh.toml:")) << "a command-line value is not the model file's fault\n" << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliRun, BadTimesOnTheCommandLineAreNotBlamedOnTheModelFile) {
  auto r = run_command(psst_cli("check " + hh() + " --dt 0"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output, "psst: the time step dt must be a positive number of ms, got 0\n");
  r = run_command(psst_cli("check " + hh() + " --dt 0.03"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.rfind("psst: the duration = 200 ms is not a whole number of time steps dt = 0.03 ms", 0), 0u)
      << r.output;
  r = run_command(psst_cli("check " + hh() + " --duration 1e300"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "too many to count")) << r.output;
}

TEST(CliRun, UnknownBackendListsTheValidOnes) {
  auto r = run_command(psst_cli("check " + hh() + " --backend gpu"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: unknown backend 'gpu'; the backends are")) << r.output;
  EXPECT_TRUE(contains(r.output, "reference")) << r.output;
}

TEST(CliCheck, PrintsThePopulationAndItsStateVariables) {
  auto r = run_command(psst_cli("check " + hh()));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, ": OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "simulation: 200 ms, dt = 0.01 ms (20000 steps), method rk4")) << r.output;
  EXPECT_TRUE(contains(r.output, "population HH: 1 neurons")) << r.output;
  EXPECT_TRUE(contains(r.output, "state variables (4): V, m, h, n")) << r.output;
  EXPECT_TRUE(contains(r.output, "I_inj = 10")) << r.output;
}

TEST(CliCheck, OverridesShowInTheSummary) {
  auto r = run_command(
      psst_cli("check " + hh() + " --duration 50 --dt 0.025 --record-every 0.05 --method euler --seed 7"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "simulation: 50 ms, dt = 0.025 ms (2000 steps), method euler")) << r.output;
  EXPECT_TRUE(contains(r.output, "seed 7")) << r.output;
}

TEST(CliCheck, MissingModelFileIsNamed) {
  psst::test::TempDir dir;
  const auto missing = dir / "no_such_model.toml";
  const auto out = dir / "x.h5";
  for (const std::string& arguments :
       {fmt::format("check '{}'", missing.string()), fmt::format("run '{}' -q -o '{}'", missing.string(), out.string())}) {
    SCOPED_TRACE(arguments);
    auto r = run_command(psst_cli(arguments));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_EQ(r.output, fmt::format("psst: cannot open model file '{}': No such file or directory\n", missing.string()));
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliRun, UnwritableOutputPathIsNamed) {
  const std::string out = "/nonexistent_dir/x.h5";
  auto r = run_command(psst_cli(fmt::format("run {} --out {} --duration 1 -q", hh(), out)));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: cannot create output file '" + out + "'")) << r.output;
  EXPECT_TRUE(contains(r.output, "No such file or directory")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliRun, OutputPathThatIsADirectoryIsNamed) {
  psst::test::TempDir dir;
  auto r = run_command(psst_cli(fmt::format("run {} --out '{}' --duration 1 -q", hh(), dir.path().string())));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "psst: cannot create output file '" + dir.path().string() + "'")) << r.output;
  EXPECT_TRUE(contains(r.output, "Is a directory")) << r.output;
}

TEST(CliRun, ProfilePrintsTheStepSplitByPhase) {
  psst::test::TempDir dir;
  auto r = run_command(psst_cli(fmt::format("run {} --out '{}' --duration 1 --backend reference --profile -q", hh(),
                                            (dir / "p.h5").string())));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "step profile: 100 steps")) << r.output;
  EXPECT_TRUE(contains(r.output, "kernel HH_rk4_step ")) << r.output;  // hh.toml: one fused RK4 step kernel
  EXPECT_TRUE(contains(r.output, "spike detection (detect_crossings)")) << r.output;
  EXPECT_TRUE(contains(r.output, "host orchestration (untimed rest)")) << r.output;
  r = run_command(psst_cli(fmt::format("run {} --out '{}' --duration 1 --backend reference --overwrite -q", hh(),
                                       (dir / "p.h5").string())));
  EXPECT_EQ(r.output, "") << "no profile unless asked";
}

}  // namespace
