// Connectivity rules: counts, order, exclusions, explicit matrices, slices.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "run/connectivity.hpp"
#include "test_support.hpp"

namespace {

using psst::model::ConnectSpec;
using psst::run::build_connectivity;
using psst::run::Connectivity;
using psst::run::ProjectionGeometry;

ProjectionGeometry whole(std::size_t pre, std::size_t post, bool same = false) {
  return {pre, post, 0, pre, 0, post, same};
}

void expect_sorted_and_consistent(const Connectivity& c) {
  for (std::size_t s = 1; s < c.size(); ++s)
    ASSERT_TRUE(std::pair(c.post[s - 1], c.pre[s - 1]) < std::pair(c.post[s], c.pre[s])) << "synapse " << s;
  for (std::size_t i = 0; i < c.post_size; ++i)
    for (std::size_t s = c.post_offsets[i]; s < c.post_offsets[i + 1]; ++s) ASSERT_EQ(c.post[s], i);
  for (std::size_t j = 0; j < c.pre_size; ++j)
    for (std::size_t k = c.pre_offsets[j]; k < c.pre_offsets[j + 1]; ++k) ASSERT_EQ(c.pre[c.outgoing[k]], j);
}

TEST(NetworkConnectivity, ProbabilityCountWithinBinomialBoundsAndSeeded) {
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::Probability;
  spec.probability = 0.1;
  auto a = build_connectivity(spec, whole(200, 300), 1, "p");
  auto b = build_connectivity(spec, whole(200, 300), 1, "p");
  auto c = build_connectivity(spec, whole(200, 300), 2, "p");
  const double n = 200.0 * 300.0, mean = n * 0.1, sigma = std::sqrt(n * 0.1 * 0.9);
  EXPECT_NEAR(static_cast<double>(a.size()), mean, 5 * sigma);
  EXPECT_NEAR(static_cast<double>(c.size()), mean, 5 * sigma);
  EXPECT_EQ(a.pre, b.pre);
  EXPECT_EQ(a.post, b.post);
  EXPECT_NE(a.pre, c.pre);
  expect_sorted_and_consistent(a);
  // Each presynaptic neuron's out-degree is binomial(300, 0.1): mean 30.
  double mean_out = static_cast<double>(a.size()) / 200.0;
  EXPECT_NEAR(mean_out, 30.0, 1.0);
}

TEST(NetworkConnectivity, SelfConnectionsExcludedOnlyWhenAsked) {
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::Probability;
  spec.probability = 0.5;
  spec.allow_self = false;
  auto no_self = build_connectivity(spec, whole(100, 100, true), 3, "p");
  for (std::size_t s = 0; s < no_self.size(); ++s) EXPECT_NE(no_self.pre[s], no_self.post[s]);
  spec.allow_self = true;
  auto with_self = build_connectivity(spec, whole(100, 100, true), 3, "p");
  std::size_t self = 0;
  for (std::size_t s = 0; s < with_self.size(); ++s) self += with_self.pre[s] == with_self.post[s];
  EXPECT_GT(self, 25u);  // binomial(100, 0.5)
  spec.rule = ConnectSpec::Rule::AllToAll;
  spec.allow_self = false;
  EXPECT_EQ(build_connectivity(spec, whole(30, 30, true), 0, "a").size(), 30u * 29u);
  spec.allow_self = true;
  EXPECT_EQ(build_connectivity(spec, whole(30, 30, true), 0, "a").size(), 900u);
}

TEST(NetworkConnectivity, FixedInDegreeOneToOneAllToAll) {
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::FixedInDegree;
  spec.in_degree = 7;
  spec.allow_self = false;
  auto c = build_connectivity(spec, whole(20, 20, true), 5, "k");
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(c.post_offsets[i + 1] - c.post_offsets[i], 7u);
    std::set<std::uint32_t> pres;
    for (std::size_t s = c.post_offsets[i]; s < c.post_offsets[i + 1]; ++s) {
      pres.insert(c.pre[s]);
      EXPECT_NE(c.pre[s], i);
    }
    EXPECT_EQ(pres.size(), 7u);
  }
  expect_sorted_and_consistent(c);
  spec.in_degree = 20;  // more than the 19 others
  EXPECT_THROW(build_connectivity(spec, whole(20, 20, true), 5, "k"), psst::UserError);
  spec.rule = ConnectSpec::Rule::OneToOne;
  auto one = build_connectivity(spec, whole(10, 10), 0, "o");
  ASSERT_EQ(one.size(), 10u);
  for (std::size_t s = 0; s < 10; ++s) EXPECT_EQ(one.pre[s], one.post[s]);
  EXPECT_THROW(build_connectivity(spec, whole(10, 11), 0, "o"), psst::UserError);
}

TEST(NetworkConnectivity, ExplicitMatrixReproducedExactlyInRowMajorOrder) {
  psst::test::TempDir dir;
  // rows = post (3), columns = pre (4), as PSST's matrices.
  std::ofstream(dir / "m.csv") << "0,0.5,0,2\n1.25,0,0,0\n0,0,0,-3\n";
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::Matrix;
  spec.file = (dir / "m.csv").string();
  spec.matrix_values = "w";
  auto c = build_connectivity(spec, whole(4, 3), 0, "m");
  EXPECT_EQ(c.post, (std::vector<std::uint32_t>{0, 0, 1, 2}));
  EXPECT_EQ(c.pre, (std::vector<std::uint32_t>{1, 3, 0, 3}));
  EXPECT_EQ(c.matrix_values, (std::vector<double>{0.5, 2.0, 1.25, -3.0}));
  std::ofstream(dir / "bad.csv") << "0,1\n1,0\n";
  spec.file = (dir / "bad.csv").string();
  try {
    build_connectivity(spec, whole(4, 3), 0, "m");
    FAIL() << "a 2 x 2 matrix accepted for 3 x 4";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is 2 x 2; expected (post = 3) x (pre = 4)"), std::string::npos) << e.what();
  }
}

TEST(NetworkConnectivity, ListAndSlices) {
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::List;
  spec.pre = {2, 0, 1};
  spec.post = {0, 1, 0};
  auto c = build_connectivity(spec, whole(3, 2), 0, "l");
  EXPECT_EQ(c.post, (std::vector<std::uint32_t>{0, 0, 1}));
  EXPECT_EQ(c.pre, (std::vector<std::uint32_t>{1, 2, 0}));
  spec.rule = ConnectSpec::Rule::AllToAll;
  auto sliced = build_connectivity(spec, {90, 30, 0, 45, 10, 20, false}, 0, "s");
  EXPECT_EQ(sliced.size(), 45u * 10u);
  for (std::size_t s = 0; s < sliced.size(); ++s) {
    EXPECT_LT(sliced.pre[s], 45u);
    EXPECT_GE(sliced.post[s], 10u);
    EXPECT_LT(sliced.post[s], 20u);
  }
  EXPECT_EQ(sliced.post_offsets.size(), 31u);  // rows for the whole postsynaptic population
}

TEST(NetworkConnectivity, InvalidSliceIsAUserError) {
  psst::ModelBuilder model;
  model.population("PN", 10).equations("dV/dt = -V").initial("V", 0.0);
  EXPECT_THROW(model.projection("p", "PN[5:2]", "PN"), psst::UserError);
  EXPECT_THROW(model.projection("p", "PN[0:x]", "PN"), psst::UserError);
  model.projection("p", "PN[0:20]", "PN").on_pre("V_post += 1");
  try {
    psst::run::Simulation simulation(model.build(), {});
    FAIL() << "a slice beyond the population was accepted";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("PN[0:20]"), std::string::npos) << e.what();
  }
}

TEST(NetworkConnectivity, MemoryGrowsWithSynapsesNotWithPrePost) {
  ConnectSpec spec;
  spec.rule = ConnectSpec::Rule::Probability;
  spec.probability = 0.001;
  auto c = build_connectivity(spec, whole(20000, 20000), 9, "sparse");
  EXPECT_NEAR(static_cast<double>(c.size()), 400000.0, 5 * std::sqrt(400000.0));
  // Indices (pre, post, outgoing: 12 bytes) plus offsets per neuron; nothing of order 20000^2.
  EXPECT_LT(static_cast<double>(c.bytes()) / static_cast<double>(c.size()), 16.0);
}

}  // namespace
