// What the counter-based generator buys: a slice of a projection's rows, of a
// population's values or of its jitter, computed alone, is bit for bit that
// slice of the whole (as an MPI rank or a GPU block would compute it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "run/connectivity.hpp"
#include "run/values.hpp"
#include "test_support.hpp"

namespace {

using psst::model::ConnectSpec;
using psst::run::build_connectivity;
using psst::run::Connectivity;
using psst::run::PostRows;
using psst::run::ProjectionGeometry;
using Rule = ConnectSpec::Rule;

struct Synapses {
  std::vector<std::uint32_t> pre, post;
  std::vector<double> matrix_values;
};

// The synapses of rows [begin, end) of a build.
Synapses rows_of(const Connectivity& c, std::size_t begin, std::size_t end) {
  Synapses s;
  for (std::size_t k = 0; k < c.size(); ++k) {
    if (c.post[k] < begin || c.post[k] >= end) continue;
    s.pre.push_back(c.pre[k]);
    s.post.push_back(c.post[k]);
    if (!c.matrix_values.empty()) s.matrix_values.push_back(c.matrix_values[k]);
  }
  return s;
}

std::vector<ConnectSpec> every_rule(const std::string& matrix_file) {
  std::vector<ConnectSpec> specs;
  for (double p : {0.02, 0.5, 1.0}) {
    ConnectSpec spec;
    spec.rule = Rule::Probability;
    spec.probability = p;
    specs.push_back(spec);
  }
  ConnectSpec spec;
  spec.rule = Rule::FixedInDegree;
  spec.in_degree = 7;
  specs.push_back(spec);
  spec.rule = Rule::AllToAll;
  specs.push_back(spec);
  spec.rule = Rule::OneToOne;
  specs.push_back(spec);
  spec.rule = Rule::List;
  spec.pre = {3, 0, 29, 5, 5};
  spec.post = {0, 29, 12, 12, 13};
  specs.push_back(spec);
  spec.rule = Rule::Matrix;
  spec.file = matrix_file;
  specs.push_back(spec);
  return specs;
}

// A 30 x 30 matrix with nonzeros where (3 post + 7 pre) % 5 == 0.
void write_matrix(const std::filesystem::path& path) {
  std::ofstream out(path);
  for (int post = 0; post < 30; ++post)
    for (int pre = 0; pre < 30; ++pre) out << ((3 * post + 7 * pre) % 5 == 0 ? post + pre + 1 : 0) << (pre < 29 ? "," : "\n");
}

// Every rule, with and without self-connections, on a population projecting onto itself
// (slices 10..40 of 50 onto 5..35) and between two: rows [a, b) built alone, and the
// three pieces [0, a), [a, b), [b, n) concatenated, equal the whole build.
TEST(RandomSlices, ConnectivityRowsBuiltAloneEqualTheWholeBuild) {
  psst::test::TempDir dir;
  write_matrix(dir / "m.csv");
  const ProjectionGeometry geometries[] = {{50, 50, 10, 40, 5, 35, true}, {30, 60, 0, 30, 20, 50, false}};
  for (const ConnectSpec& base : every_rule((dir / "m.csv").string()))
    for (const ProjectionGeometry& g : geometries)
      for (bool allow_self : {true, false}) {
        ConnectSpec spec = base;
        spec.allow_self = allow_self;
        SCOPED_TRACE(testing::Message() << "rule " << static_cast<int>(spec.rule) << ", p " << spec.probability
                                        << ", same population " << g.same_population << ", allow_self " << allow_self);
        const Connectivity whole = build_connectivity(spec, g, 11, "slices");
        ASSERT_GT(whole.size(), 0u);
        const std::size_t a = g.post_begin + 7, b = g.post_begin + 19;
        const Connectivity middle = build_connectivity(spec, g, 11, "slices", PostRows{a, b});
        EXPECT_EQ(middle.post_size, whole.post_size);
        const Synapses expected = rows_of(whole, a, b), got = rows_of(middle, 0, whole.post_size);
        EXPECT_EQ(got.post, expected.post);
        EXPECT_EQ(got.pre, expected.pre);
        EXPECT_EQ(got.matrix_values, expected.matrix_values);
        Synapses pieces;
        for (PostRows rows : {PostRows{0, a}, PostRows{a, b}, PostRows{b, whole.post_size}}) {
          const Synapses part = rows_of(build_connectivity(spec, g, 11, "slices", rows), 0, whole.post_size);
          pieces.pre.insert(pieces.pre.end(), part.pre.begin(), part.pre.end());
          pieces.post.insert(pieces.post.end(), part.post.begin(), part.post.end());
        }
        EXPECT_EQ(pieces.pre, whole.pre);
        EXPECT_EQ(pieces.post, whole.post);
      }
}

// A row depends on its own index only: more postsynaptic neurons leave the existing rows
// as they were, a different seed or projection name changes them.
TEST(RandomSlices, ARowDependsOnItsIndexNotOnTheOtherRows) {
  ConnectSpec spec;
  spec.rule = Rule::Probability;
  spec.probability = 0.1;
  const Connectivity small = build_connectivity(spec, {400, 100, 0, 400, 0, 100, false}, 3, "grow");
  const Connectivity large = build_connectivity(spec, {400, 250, 0, 400, 0, 250, false}, 3, "grow");
  EXPECT_EQ(rows_of(large, 0, 100).pre, small.pre);
  EXPECT_EQ(rows_of(large, 0, 100).post, small.post);
  EXPECT_NE(build_connectivity(spec, {400, 100, 0, 400, 0, 100, false}, 4, "grow").pre, small.pre);
  EXPECT_NE(build_connectivity(spec, {400, 100, 0, 400, 0, 100, false}, 3, "other").pre, small.pre);
}

// Normal and uniform values, and the jitter, of elements [a, b) drawn alone equal
// those elements of the whole population; element i's number does not depend on the size.
TEST(RandomSlices, ValuesAndJitterOfASliceEqualThatSliceOfTheWhole) {
  psst::model::ValueSpec normal, uniform;
  normal.kind = psst::model::ValueSpec::Kind::Normal;
  normal.mean = -65.0;
  normal.std = 5.0;
  uniform.kind = psst::model::ValueSpec::Kind::Uniform;
  uniform.low = 0.5;
  uniform.high = 2.0;
  for (const auto* spec : {&normal, &uniform}) {
    const psst::run::ValueContext context{"test value", "cells/initial/V", 1000, 9};
    const psst::run::Values whole = psst::run::resolve_values(*spec, context);
    ASSERT_EQ(whole.size(), 1000u);
    EXPECT_NE(whole[0], whole[1]);
    const psst::run::Values slice = psst::run::draw_values(*spec, context, 300, 700);
    EXPECT_EQ(slice, psst::run::Values(whole.begin() + 300, whole.begin() + 700));
    psst::run::ValueContext smaller = context;
    smaller.size = 400;
    const psst::run::Values prefix = psst::run::resolve_values(*spec, smaller);
    EXPECT_EQ(prefix, psst::run::Values(whole.begin(), whole.begin() + 400));
  }
  std::vector<double> whole(1000, -65.0), slice(400, -65.0);
  psst::run::apply_jitter(whole, 0, 0.05, 9, "cells/jitter/V");
  psst::run::apply_jitter(slice, 300, 0.05, 9, "cells/jitter/V");
  EXPECT_EQ(slice, std::vector<double>(whole.begin() + 300, whole.begin() + 700));
  std::size_t changed = 0;
  for (double v : whole) changed += v != -65.0;
  EXPECT_EQ(changed, 1000u);
}

// Through a model: the jitter of a population's initial values has relative standard
// deviation `jitter`, and runs with the same seed give the same bits.
TEST(RandomSlices, JitteredInitialValuesInASimulation) {
  auto initial = [](std::uint64_t seed) {
    psst::ModelBuilder model;
    model.simulation(0.1, 0.01, "euler").seed(seed);
    model.population("cells", 20000).equations("dV/dt = 0").initial("V", -60.0).jitter(0.1);
    psst::run::RunOverrides overrides;
    overrides.backend = "reference";
    psst::run::Simulation simulation(model.build(), overrides);
    return simulation.population("cells").state("V");
  };
  const std::vector<double> a = initial(1), b = initial(1), c = initial(2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  double sum = 0, sum_sq = 0;
  for (double v : a) sum += v / -60.0 - 1.0, sum_sq += (v / -60.0 - 1.0) * (v / -60.0 - 1.0);
  const double n = static_cast<double>(a.size());
  EXPECT_NEAR(sum / n, 0.0, 5 * 0.1 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(sum_sq / n), 0.1, 5 * 0.1 / std::sqrt(2 * n));
}

}  // namespace
