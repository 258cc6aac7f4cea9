// The finite-state check names the step where a NaN or infinity first appeared (not
// the check, up to 64 steps later), on every backend and thread count, by replaying
// from an in-backend snapshot; and it advises a smaller dt only where no input of the
// neuron was already non-finite.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "run/checkpoint.hpp"
#include "run/driver.hpp"
#include "run/finite_state_guard.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

class FiniteState : public ::testing::TestWithParam<std::string> {};

// x' = x^2 from x = 2 with Euler, dt = 0.1: x <- x + 0.1 x x, computed in double, is
// 2.3209644764524707e+162 after 15 steps and inf after 16 (t = 1.6 ms); the check
// at step 64 finds it.
TEST_P(FiniteState, BlowUpIsReportedAtTheStepItAppearedWithThreads) {
  for (int threads : {1, 2}) {
    psst::test::TempDir dir;
    RunOverrides o;
    o.backend = GetParam();
    o.threads = threads;
    psst::run::DriverOptions options;
    options.out = dir / "blowup.h5";
    try {
      psst::run::run_to_file(psst::lang::parse_model_text(psst::test::blowup_model, "blowup.toml", "."), o, options);
      ADD_FAILURE() << "no blow-up reported";
    } catch (const psst::run::NumericalError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("numerical blow-up at t = 1.6 ms (step 16): population 'cells', variable 'x', neuron 3 "
                             "is inf (it was 2.3209644764524707e+162 a step earlier). The equations diverged; try a "
                             "smaller time step (now dt = 0.1 ms, e.g. --dt 0.01)"),
                std::string::npos)
          << message;
    }
    // The output is what it was before the replay: every step up to the check at step 64.
    auto file = psst::io::Hdf5File::open_read_only(dir / "blowup.h5");
    const auto x = file.read_matrix_double("/populations/cells/state/x");
    ASSERT_EQ(x.rows, 65u) << threads << " threads";
    EXPECT_EQ(x.at(15, 3), 2.3209644764524707e+162);
    EXPECT_TRUE(std::isinf(x.at(16, 3)));
    EXPECT_EQ(x.at(64, 0), 2.0);
  }
}

// The replay from the last good check names the same step, neuron and values as a
// check after every step, and leaves the simulation at the step it was checked at.
// In an ensemble it names the instance.
std::string driven_report(const std::string& backend, int threads, std::int64_t every, std::size_t instances,
                          std::int64_t* stopped_at) {
  RunOverrides o;
  o.backend = backend;
  o.threads = threads;
  if (instances > 1) o.instances = instances;
  Simulation simulation(psst::lang::parse_model_text(psst::test::driven_blowup_model, "driven.toml", "."), o);
  psst::run::FiniteStateGuard guard(simulation, every);
  simulation.add_observer(&guard);
  try {
    simulation.run();
  } catch (const psst::run::NumericalError& e) {
    *stopped_at = simulation.step();
    return e.what();
  }
  return "no blow-up";
}

TEST_P(FiniteState, ReplayNamesTheStepACheckAfterEveryStepNames) {
  for (std::size_t instances : {std::size_t{1}, std::size_t{3}}) {
    std::int64_t every_step = 0, checked = 0;
    const std::string expected = driven_report("reference", 1, 1, instances, &every_step);
    ASSERT_NE(expected.find("population 'B', variable 'y', "), std::string::npos) << expected;
    ASSERT_NE(every_step % 64, 0) << "the blow-up falls on a check: the replay is not tested";
    if (instances > 1) {
      EXPECT_NE(expected.find(", variable 'y', instance "), std::string::npos) << expected;
    }
    for (int threads : {1, 2}) {
      EXPECT_EQ(driven_report(GetParam(), threads, 64, instances, &checked), expected) << threads << " threads";
      EXPECT_EQ(checked, (every_step / 64 + 1) * 64) << "the simulation is back at the step it was checked at";
    }
  }
}

// A synapse variable diverges (s' = s^2 from 1 with Euler, dt = 0.1: inf after step 22);
// projections' state is not checked, and the summed input I = s it feeds is inf at step
// 23, where the postsynaptic v becomes inf: the message names the input, not dt.
TEST_P(FiniteState, NonFiniteInputIsBlamedInsteadOfTheTimeStep) {
  const std::string text = R"toml(
[simulation]
duration = 10.0
dt = 0.1
method = "euler"
[populations.src]
size = 1
equations = "du/dt = 0"
initial = { u = 0.0 }
[populations.cells]
size = 2
equations = "dv/dt = I - v"
initial = { v = 0.0 }
[projections.syn]
pre = "src"
post = "cells"
connect = "all_to_all"
equations = "ds/dt = s * s"
initial = { s = 1.0 }
summed = { I = "s" }
)toml";
  RunOverrides o;
  o.backend = GetParam();
  Simulation simulation(psst::lang::parse_model_text(text, "input.toml", "."), o);
  psst::run::FiniteStateGuard guard(simulation);
  simulation.add_observer(&guard);
  try {
    simulation.run();
    FAIL() << "no blow-up reported";
  } catch (const psst::run::NumericalError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("numerical blow-up at t = 2.3 ms (step 23): population 'cells', variable 'v', neuron 0 is "
                           "inf (it was "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("Its summed input 'I' was already inf at that step, so the cause is upstream"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("smaller time step"), std::string::npos) << message;
  }
}

// With a checkpoint every 10 steps the state is also checked (and saved) every 10 steps:
// the check at step 20 replays from step 10 to 16. The replay writes no checkpoint and
// records nothing: the file's newest checkpoint is step 10's and it has rows 0 to 20.
TEST(FiniteStateCheckpoints, ReplayWritesNoCheckpointAndNoRow) {
  psst::test::TempDir dir;
  RunOverrides o;
  o.backend = "reference";
  psst::run::DriverOptions options;
  options.out = dir / "blowup.h5";
  options.checkpoint_every = 1.0;
  try {
    psst::run::run_to_file(psst::lang::parse_model_text(psst::test::blowup_model, "blowup.toml", "."), o, options);
    ADD_FAILURE() << "no blow-up reported";
  } catch (const psst::run::NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("at t = 1.6 ms (step 16): "), std::string::npos) << e.what();
  }
  auto file = psst::io::Hdf5File::open_read_only(dir / "blowup.h5");
  const auto checkpoint = psst::run::find_checkpoint(file);
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->step, 10);
  EXPECT_EQ(file.read_matrix_double("/populations/cells/state/x").rows, 21u);
}

INSTANTIATE_TEST_SUITE_P(Backends, FiniteState, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

}  // namespace
