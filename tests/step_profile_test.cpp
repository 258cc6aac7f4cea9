// The step profiler (`psst run --profile`, run/step_profile.hpp) forwards every call
// unchanged: a profiled run gives the same bits as an unprofiled one, on every
// backend, and it counts each phase's calls as the step makes them.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/step_profile.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;

class StepProfile : public ::testing::TestWithParam<std::string> {};

std::unique_ptr<Simulation> run_antennal_lobe(const std::string& backend, bool profile) {
  RunOverrides o;
  o.backend = backend;
  o.threads = 1;
  o.duration = 2.0;  // 200 steps (the sanitizer pass runs the interpreter too)
  o.profile = profile;
  auto simulation = std::make_unique<Simulation>(psst::lang::read_model_file(psst::test::model_path("locust_al.toml")), o);
  simulation->run();
  return simulation;
}

const psst::run::StepPhase* find(const std::vector<psst::run::StepPhase>& phases, const std::string& name) {
  for (const auto& p : phases)
    if (p.name == name) return &p;
  return nullptr;
}

TEST_P(StepProfile, SameBitsAndEveryPhaseCounted) {
  auto plain = run_antennal_lobe(GetParam(), false);
  auto profiled = run_antennal_lobe(GetParam(), true);
  EXPECT_EQ(plain->profiler(), nullptr);
  EXPECT_EQ(plain->profile_report(), "");
  for (std::size_t p = 0; p < plain->populations().size(); ++p)
    for (const auto& name : plain->populations()[p]->persistent_arrays()) {
      const auto x = plain->populations()[p]->download(name), y = profiled->populations()[p]->download(name);
      ASSERT_EQ(x.size(), y.size()) << name;
      EXPECT_TRUE(x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0) << name;
    }
  for (std::size_t k = 0; k < plain->projections().size(); ++k)
    for (const auto& name : plain->projections()[k]->persistent_arrays()) {
      const auto x = plain->projections()[k]->download(name), y = profiled->projections()[k]->download(name);
      ASSERT_EQ(x.size(), y.size()) << name;
      EXPECT_TRUE(x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0) << name;
    }
  const psst::run::ProfilingBackend* profiler = profiled->profiler();
  ASSERT_NE(profiler, nullptr);
  EXPECT_EQ(profiler->steps(), 200);
  const auto phases = profiler->phases();
  // RK4: 3 graded projections x 4 stages of row sums; a threshold crossing per population and step.
  const auto* row_sums = find(phases, "row sums (add_row_sums)");
  ASSERT_NE(row_sums, nullptr);
  EXPECT_EQ(row_sums->calls, 200u * 3 * 4);
  const auto* crossings = find(phases, "spike detection (detect_crossings)");
  ASSERT_NE(crossings, nullptr);
  EXPECT_EQ(crossings->calls, 200u * 2);
  // Every population stage kernel once a step (PN and LN are read by projections: stage by stage).
  for (const char* kernel : {"kernel PN_rk4_stage1", "kernel PN_rk4_stage4", "kernel LN_rk4_stage2"}) {
    const auto* k = find(phases, kernel);
    ASSERT_NE(k, nullptr) << kernel;
    EXPECT_EQ(k->calls, 200u) << kernel;
  }
  // The ACh synapse's presynaptic (hoisted) kernel reads only last spikes, t and parameters: RK4's
  // stage 3, at the time of stage 2, would recompute stage 2's values and is not launched. The
  // GABA synapses' read the presynaptic stage state V, which every stage changes.
  for (const char* projection : {"ach_PN_LN", "gaba_LN_PN", "gaba_LN_LN"})
    for (int stage = 1; stage <= 4; ++stage) {
      const std::string name = fmt::format("kernel {}_rk4_stage{}_presynaptic", projection, stage);
      const auto* k = find(phases, name);
      ASSERT_NE(k, nullptr) << name;
      EXPECT_EQ(k->calls, stage == 3 && name.starts_with("kernel ach") ? 0u : 200u) << name;
    }
  // The parts add up to the steps' wall time: the first row sums the kernels, the rest partition the step.
  double parts = 0.0;
  for (std::size_t k = 1; k < phases.size(); ++k) parts += phases[k].seconds;
  EXPECT_GT(profiler->step_seconds(), 0.0);
  EXPECT_GE(parts, profiler->step_seconds() * (1 - 1e-9));
  EXPECT_NE(profiled->profile_report().find("host orchestration"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StepProfile, ::testing::ValuesIn(psst::test::backends()), psst::test::BackendName());

}  // namespace
