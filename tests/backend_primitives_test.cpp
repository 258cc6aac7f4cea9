// The backend primitives (backend.hpp) on every backend present: each gives
// the result and the order its specification states, bitwise, for any thread
// count; buffers round-trip through upload and download.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <tuple>

#include "backend/backend.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "comm/partition.hpp"
#include "lang/model_builder.hpp"
#include "run/plan.hpp"
#include "test_support.hpp"

namespace {

using psst::backend::Backend;
using psst::backend::ElementType;

class BackendPrimitives : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Backend> make(int threads = 1) const {
    psst::backend::BackendOptions options;
    options.threads = threads;
    return psst::backend::make_backend(GetParam(), options);
  }
};

TEST_P(BackendPrimitives, BuffersRoundTripAndStartAtZero) {
  auto backend = make();
  auto values = backend->allocate(ElementType::Float64, 5);
  EXPECT_EQ(backend->download(*values), std::vector<double>(5, 0.0));
  backend->upload(*values, std::vector<double>{-0.0, 1.5}, 3);
  auto back = backend->download(*values);
  EXPECT_EQ(back[3], 0.0);
  EXPECT_TRUE(std::signbit(back[3]));
  EXPECT_EQ(back[4], 1.5);
  auto indices = backend->allocate_with(std::vector<std::uint32_t>{7, 0, 4294967295u});
  EXPECT_EQ(backend->download_indices(*indices), (std::vector<std::uint32_t>{7, 0, 4294967295u}));
  backend->fill(*values, -2.25);
  EXPECT_EQ(backend->download(*values), std::vector<double>(5, -2.25));
  EXPECT_THROW(backend->upload(*values, std::vector<double>(3), 4), psst::InternalError);
}

// Each row is summed from 0 in ascending synapse order, then added to the target:
// 1 + 1e16 rounds to 1e16, so the order shows in the result.
TEST_P(BackendPrimitives, RowSumsAreOrderedWithinEachRow) {
  auto backend = make();
  auto contributions = backend->allocate_with(std::vector<double>{1.0, 1e16, -1e16, -1e16, 1e16, 1.0, 3.0});
  auto offsets = backend->allocate_with(std::vector<std::uint32_t>{0, 3, 6, 6, 7});
  auto targets = backend->allocate_with(std::vector<double>{0.5, 0.5, 0.5, 0.5});
  backend->add_row_sums(*contributions, *offsets, *targets, 0, 4);
  // Row 0: ((0 + 1) + 1e16) - 1e16 = 0; row 1: ((0 - 1e16) + 1e16) + 1 = 1; row 2 empty; row 3: 3.
  EXPECT_EQ(backend->download(*targets), (std::vector<double>{0.5, 1.5, 0.5, 3.5}));
  backend->add_row_sums(*contributions, *offsets, *targets, 1, 2);  // a range of rows only
  EXPECT_EQ(backend->download(*targets), (std::vector<double>{0.5, 2.5, 0.5, 3.5}));
}

// Large enough to be split over threads on the cpu backend: the same bits for 1 and 2
// threads and as a plain serial loop.
TEST_P(BackendPrimitives, RowSumsGiveTheSameBitsForEveryThreadCount) {
  const std::size_t rows = 50000;
  std::vector<std::uint32_t> offsets{0};
  std::vector<double> contributions;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t k = 0; k < 3 + i % 17; ++k)
      contributions.push_back(std::ldexp(static_cast<double>((i * 7919 + k * 104729) % 1000) - 500.0,
                                         static_cast<int>((i + k) % 60) - 30));
    offsets.push_back(static_cast<std::uint32_t>(contributions.size()));
  }
  std::vector<double> expected(rows, 0.25);
  for (std::size_t i = 0; i < rows; ++i) {
    double row = 0.0;
    for (std::uint32_t s = offsets[i]; s < offsets[i + 1]; ++s) row += contributions[s];
    expected[i] += row;
  }
  for (int threads : {1, 2}) {
    auto backend = make(threads);
    auto targets = backend->allocate_with(std::vector<double>(rows, 0.25));
    backend->add_row_sums(*backend->allocate_with(contributions), *backend->allocate_with(offsets), *targets, 0, rows);
    auto actual = backend->download(*targets);
    for (std::size_t i = 0; i < rows; ++i)
      ASSERT_EQ(std::bit_cast<std::uint64_t>(expected[i]), std::bit_cast<std::uint64_t>(actual[i]))
          << "row " << i << ", " << threads << " threads";
  }
}

TEST_P(BackendPrimitives, ThresholdCrossingsAreUpwardInAscendingOrder) {
  auto backend = make();
  auto condition = backend->allocate_with(std::vector<double>{1, 0, 1, 1, 0, 1});
  auto previous = backend->allocate_with(std::vector<double>{0, 1, 1, 0, 0, 0});
  auto lastspike = backend->allocate_with(std::vector<double>(6, -1e9));
  auto spikes = backend->allocate(ElementType::Index, 6);
  EXPECT_EQ(backend->detect_crossings(*condition, *previous, *lastspike, 2.5, *spikes, 0, 6), 3u);
  auto list = backend->download_indices(*spikes);
  EXPECT_EQ(std::vector<std::uint32_t>(list.begin(), list.begin() + 3), (std::vector<std::uint32_t>{0, 3, 5}));
  EXPECT_EQ(backend->download(*lastspike), (std::vector<double>{2.5, -1e9, -1e9, 2.5, -1e9, 2.5}));
  EXPECT_EQ(backend->download(*previous), (std::vector<double>{1, 0, 1, 1, 0, 1}));
  // The condition still holds: no new crossing.
  EXPECT_EQ(backend->detect_crossings(*condition, *previous, *lastspike, 2.6, *spikes, 0, 6), 0u);
}

TEST_P(BackendPrimitives, FirstNonFiniteIsTheLowestIndex) {
  auto backend = make();
  std::vector<double> values(100, 1.0);
  EXPECT_EQ(backend->first_non_finite(*backend->allocate_with(values)), 100u);
  values[71] = -std::numeric_limits<double>::infinity();
  values[93] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(backend->first_non_finite(*backend->allocate_with(values)), 71u);
  values[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(backend->first_non_finite(*backend->allocate_with(values)), 2u);
}

// The finite-state check's snapshot: every bit copied (NaN payloads, -0, subnormals),
// across more than one launch block; buffers of different sizes are refused.
TEST_P(BackendPrimitives, CopyKeepsEveryBit) {
  auto backend = make();
  std::vector<double> values(1000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::ldexp(static_cast<double>(i) - 500.0, -1070);
  values[3] = -0.0;
  values[500] = std::bit_cast<double>(std::uint64_t{0x7ff8dead0000beefull});  // a NaN with a payload
  values[999] = std::numeric_limits<double>::infinity();
  auto source = backend->allocate_with(values);
  auto destination = backend->allocate(ElementType::Float64, values.size());
  backend->copy(*source, *destination);
  const auto copied = backend->download(*destination);
  ASSERT_EQ(copied.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(copied[i]), std::bit_cast<std::uint64_t>(values[i])) << i;
  auto shorter = backend->allocate(ElementType::Float64, 999);
  EXPECT_THROW(backend->copy(*source, *shorter), psst::InternalError);
}

// At every size a device backend's scans meet (one chunk of 32, one level, several
// levels of sums), the same spikes, in the same order, and the same first NaN as
// the reference backend.
TEST_P(BackendPrimitives, CrossingsAndNonFiniteMatchTheReferenceAtEverySize) {
  auto backend = make();
  auto reference = psst::backend::make_backend("reference");
  for (std::size_t n : {std::size_t{1}, std::size_t{31}, std::size_t{33}, std::size_t{1000}, std::size_t{32 * 1024 + 5},
                        std::size_t{2'000'003}}) {
    std::vector<double> now(n), before(n);
    for (std::size_t i = 0; i < n; ++i) {
      now[i] = (i * 2654435761u) % 7 < 3 ? 1.0 : 0.0;
      before[i] = (i * 40503u) % 5 < 2 ? 1.0 : 0.0;
    }
    auto crossings = [&](Backend& b) {
      auto previous = b.allocate_with(before);
      auto lastspike = b.allocate(ElementType::Float64, n);
      auto spikes = b.allocate(ElementType::Index, n);
      const std::size_t first = n / 3;
      const std::size_t count = b.detect_crossings(*b.allocate_with(now), *previous, *lastspike, 7.5, *spikes, first, n);
      auto list = b.download_indices(*spikes);
      list.resize(count);
      return std::make_tuple(list, b.download(*previous), b.download(*lastspike));
    };
    const auto expected = crossings(*reference);
    if (n > 30) {
      EXPECT_GT(std::get<0>(expected).size(), n / 10) << "the pattern has crossings";
    }
    EXPECT_EQ(crossings(*backend), expected) << n << " neurons";
    std::vector<double> values(n, 0.25);
    EXPECT_EQ(backend->first_non_finite(*backend->allocate_with(values)), n);
    values[n - 1] = std::numeric_limits<double>::infinity();
    values[(n * 2) / 3] = -std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(backend->first_non_finite(*backend->allocate_with(values)), (n * 2) / 3) << n << " values";
  }
}

TEST_P(BackendPrimitives, InputsSampleRangesOverADefault) {
  auto backend = make();
  psst::backend::InputSchedule schedule;
  schedule.size = 3;
  schedule.default_value = -1.0;
  schedule.ranges = {{10, 20, 5.0, {}}, {15, 30, 7.0, {1}}};
  auto input = backend->make_input(schedule);
  auto out = backend->allocate(ElementType::Float64, 3);
  auto at = [&](std::int64_t step) {
    backend->sample_input(*input, step, *out);
    return backend->download(*out);
  };
  EXPECT_EQ(at(9), (std::vector<double>{-1, -1, -1}));
  EXPECT_EQ(at(10), (std::vector<double>{5, 5, 5}));
  EXPECT_EQ(at(15), (std::vector<double>{5, 7, 5}));
  EXPECT_EQ(at(20), (std::vector<double>{-1, 7, -1}));
  EXPECT_EQ(at(30), (std::vector<double>{-1, -1, -1}));
}

// Three sources spike in the same step onto one target with weights 1, 1e16, -1e16:
// applied in ascending presynaptic order, (0 + 1) + 1e16 rounds to 1e16, and the
// target ends at exactly 0 (an order that adds the two large weights first gives 1).
TEST_P(BackendPrimitives, EventsReachATargetInAscendingPresynapticOrder) {
  psst::model::ValueSpec V, w;
  V.kind = w.kind = psst::model::ValueSpec::Kind::List;
  V.values = {0.5, 0.5, 0.5};
  w.values = {1.0, 1e16, -1e16};
  psst::ModelBuilder model;
  model.simulation(1.0, 0.01, "euler");
  model.population("src", 3).equations("dV/dt = 1").initial("V", V).threshold("V >= 1");
  model.population("dst", 1).equations("dg/dt = 0").initial("g", 0.0);
  model.projection("p", "src", "dst").on_pre("g_post += w").parameter("w", w).delay(0.02);
  psst::run::RunOverrides overrides;
  overrides.backend = GetParam();
  psst::run::Simulation simulation(model.build(), overrides);
  psst::test::SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  ASSERT_EQ(spikes.spikes().size(), 3u);
  EXPECT_EQ(spikes.spikes()[0].time, spikes.spikes()[2].time) << "the three sources spike in one step";
  EXPECT_EQ(simulation.population("dst").state("g")[0], 0.0);
  // The queue holds presynaptic neurons, not synapses: nothing is in flight at the end.
  for (const auto& due : simulation.projection("p").events_in_flight()) EXPECT_TRUE(due.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendPrimitives, ::testing::ValuesIn(psst::test::backends()));

// The planning pass decides before anything is built: a population whose stage state a
// synapse reads runs stage by stage, the others run their fused step; no kernel of the
// other form is ever requested (the cpu backend prints every kernel it was asked for).
TEST(ModelPlan, OnlyPopulationsNoSynapseReadsRunFused) {
  psst::ModelBuilder model;
  model.simulation(1.0, 0.1, "rk4");
  model.population("A", 4).equations("dV/dt = -V").initial("V", 1.0);
  model.population("B", 4).equations("dx/dt = -x").initial("x", 1.0);
  model.projection("p", "A", "B").equations("ds/dt = V_pre - s").initial("s", 0.0);
  psst::run::RunOverrides overrides;
  overrides.backend = "cpu";
  overrides.compile_kernels = false;  // printed only
  auto spec = model.build();
  auto plan = psst::run::plan_model(spec);
  EXPECT_EQ(plan.populations[0].shared_state, std::vector<std::string>{"V"});
  EXPECT_TRUE(plan.populations[1].shared_state.empty());
  psst::run::Simulation simulation(spec, overrides);
  EXPECT_FALSE(simulation.population("A").fused_step());
  EXPECT_TRUE(simulation.population("B").fused_step());
  const std::string source = dynamic_cast<psst::backend::cpu::CpuBackend&>(simulation.backend()).source();
  EXPECT_EQ(source.find("// A_rk4_step"), std::string::npos) << "a fused kernel for a staged population";
  EXPECT_NE(source.find("// A_rk4_stage4"), std::string::npos);
  EXPECT_NE(source.find("// B_rk4_step"), std::string::npos);
  EXPECT_EQ(source.find("// B_rk4_stage1"), std::string::npos) << "stage kernels for a fused population";
}

TEST(Partition, ContiguousBlocksDifferingByAtMostOneNeuron) {
  psst::comm::Partition partition({10, 3, 1}, 3);
  EXPECT_EQ(partition.block(0, 0).begin, 0u);
  EXPECT_EQ(partition.block(0, 0).end, 4u);
  EXPECT_EQ(partition.block(0, 1).end, 7u);
  EXPECT_EQ(partition.block(0, 2).end, 10u);
  EXPECT_EQ(partition.block(2, 0).size(), 1u);
  EXPECT_EQ(partition.block(2, 2).size(), 0u);
  for (std::size_t population : {0u, 1u, 2u}) {
    std::size_t next = 0;
    for (int rank = 0; rank < 3; ++rank) {
      auto block = partition.block(population, rank);
      EXPECT_EQ(block.begin, next);
      for (std::size_t neuron = block.begin; neuron < block.end; ++neuron)
        EXPECT_EQ(partition.owner(population, neuron), rank) << population << "/" << neuron;
      next = block.end;
    }
  }
  psst::comm::Partition one({7}, 1);
  EXPECT_EQ(one.block(0, 0).size(), 7u);
  EXPECT_THROW(psst::comm::Partition({7}, 0), psst::InternalError);
}

}  // namespace
