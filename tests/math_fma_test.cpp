// fma(x, y, z) in equations: x*y + z rounded once, the same bits on every backend
// (the interpreter's std::fma, the cpu kernel's std::fma, CUDA's fma), and not the
// bits of x*y + z rounded twice. psst never contracts a*b + c by itself.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "graph/ops.hpp"
#include "test_support.hpp"

namespace {

using psst::graph::Op;

// (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly; the product rounds to 1 first, giving 0.
constexpr double a = 1.0 + 0x1p-30, b = 1.0 - 0x1p-30, c = -1.0;

TEST(Fma, RoundsOnceWhereMultiplyThenAddRoundsTwice) {
  EXPECT_EQ(psst::graph::apply(Op::Fma, a, b, c), -0x1p-60);
  volatile double product = a * b;  // two roundings, as an uncontracted kernel computes it
  EXPECT_EQ(product + c, 0.0);
  EXPECT_EQ(psst::graph::arity(Op::Fma), 3);
}

class FmaOnBackends : public ::testing::TestWithParam<std::string> {};

// One Euler step of dx/dt = fma(p, q, r) from 0 with dt = 0.5: x = 0.5 * fma(p, q, r),
// for the case above and many random triples, bitwise equal to the interpreter.
TEST_P(FmaOnBackends, EquationsGiveTheInterpreterBits) {
  const std::size_t n = 1001;
  std::mt19937_64 g(7);
  std::uniform_real_distribution<double> u(-4.0, 4.0);
  psst::model::ValueSpec p, q, r;
  p.kind = q.kind = r.kind = psst::model::ValueSpec::Kind::List;
  p.values = {a};
  q.values = {b};
  r.values = {c};
  for (std::size_t i = 1; i < n; ++i) {
    p.values.push_back(u(g));
    q.values.push_back(u(g));
    r.values.push_back(u(g));
  }
  auto run = [&](const std::string& backend) {
    psst::ModelBuilder model;
    model.simulation(0.5, 0.5, "euler");
    model.population("P", n).equations("dx/dt = fma(p, q, r)").initial("x", 0.0).parameter("p", p).parameter(
        "q", q).parameter("r", r);
    psst::run::RunOverrides o;
    o.backend = backend;
    psst::run::Simulation simulation(model.build(), o);
    simulation.run();
    return simulation.population("P").state("x");
  };
  const auto expected = run("reference"), actual = run(GetParam());
  EXPECT_EQ(expected[0], -0x1p-61);
  int rounded_differently = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(expected[i]), std::bit_cast<std::uint64_t>(actual[i])) << "neuron " << i;
    const double twice = 0.5 * (p.values[i] * q.values[i] + r.values[i]);
    rounded_differently += twice != expected[i] ? 1 : 0;
  }
  EXPECT_GT(rounded_differently, 10) << "random triples where one rounding differs from two";
}

INSTANTIATE_TEST_SUITE_P(Backends, FmaOnBackends, ::testing::ValuesIn(psst::test::backends()),
                         psst::test::BackendName());

}  // namespace
