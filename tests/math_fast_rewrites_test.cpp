// The rewrites of math = "fast" that go beyond one operation (math_fast_mode_test.cpp has
// x / c, x / (1 / y), the fmas, and the runs): a divisor used more than once inverted once
// (graph/shared_divisors.hpp, applied by lowering), the relaxation form of a gate
// (p - a / s) * (s q) -> (p s - a) q, exp and log -> exp_fast and log_fast; and the exact
// identities exact mode adds. Each program is also evaluated (graph::apply, what the
// interpreter computes), against the formula as written.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "graph/expr_graph.hpp"
#include "graph/lowering.hpp"

namespace {

using psst::graph::ExprGraph;
using psst::graph::MathMode;
using psst::graph::NodeId;
using psst::graph::Op;
using psst::graph::Program;

std::size_t count(const Program& program, Op op) {
  std::size_t n = 0;
  for (const auto& in : program.code) n += in.op == op;
  return n;
}

Program lower(const ExprGraph& graph, const std::vector<NodeId>& roots, std::size_t inputs) {
  std::vector<std::string> input_names, output_names;
  for (std::size_t i = 0; i < inputs; ++i) input_names.push_back("x.in" + std::to_string(i));
  std::vector<std::pair<NodeId, int>> outputs;
  for (std::size_t k = 0; k < roots.size(); ++k) {
    output_names.push_back("x.out" + std::to_string(k));
    outputs.emplace_back(roots[k], static_cast<int>(k));
  }
  return psst::graph::lower(graph, "test", input_names, output_names, outputs);
}

// The program on one set of inputs, operation by operation as the interpreter computes it.
std::vector<double> evaluate(const Program& program, const std::vector<double>& inputs) {
  std::vector<double> r(static_cast<std::size_t>(program.register_count));
  std::vector<double> out(program.outputs.size());
  auto reg = [&](int k) { return k < 0 ? 0.0 : r[static_cast<std::size_t>(k)]; };
  for (const auto& in : program.code) {
    if (in.op == Op::Store) {
      out[static_cast<std::size_t>(in.slot)] = reg(in.a);
      continue;
    }
    const double value = in.op == Op::Constant ? in.constant
                         : in.op == Op::Input  ? inputs.at(static_cast<std::size_t>(in.slot))
                                               : psst::graph::apply(in.op, reg(in.a), reg(in.b), reg(in.c));
    r[static_cast<std::size_t>(in.dst)] = value;
  }
  return out;
}

TEST(FastMathRewrites, DivisorUsedMoreThanOnceIsInvertedOnce) {
  for (const MathMode mode : {MathMode::Exact, MathMode::Fast}) {
    ExprGraph g(psst::graph::Precision::Double, mode);
    const NodeId x = g.input(0), y = g.input(1), z = g.input(2), d = g.binary(Op::Add, g.input(3), g.input(4));
    const NodeId once = g.input(5);
    const std::vector<NodeId> roots = {g.binary(Op::Div, x, d), g.binary(Op::Div, y, d), g.binary(Op::Div, z, d),
                                       g.binary(Op::Div, x, once)};
    const Program p = lower(g, roots, 6);
    const std::vector<double> in = {1.0, -2.5, 7.0, 0.3, 2.9, 3.0};
    const auto out = evaluate(p, in);
    const double dd = in[3] + in[4];
    if (mode == MathMode::Exact) {
      EXPECT_EQ(count(p, Op::Div), 4u);
      EXPECT_EQ(out[2], 7.0 / dd);  // as written, to the bits
    } else {
      // r = 1 / d once, three products, and x / once (used once) still a division.
      EXPECT_EQ(count(p, Op::Div), 2u) << p.to_string();
      EXPECT_EQ(count(p, Op::Mul), 3u) << p.to_string();
      EXPECT_EQ(out[0], 1.0 * (1.0 / dd));
      EXPECT_EQ(out[1], -2.5 * (1.0 / dd));
      EXPECT_EQ(out[2], 7.0 * (1.0 / dd));
      EXPECT_NEAR(out[2], 7.0 / dd, 4.5e-16);
      EXPECT_EQ(out[3], 1.0 / 3.0);
    }
  }
}

// dm/dt = -(m - m_0) / tau_m with m_0 = a / (a + b), tau_m = 1 / ((a + b) phi), as the
// Hodgkin-Huxley models write it: fast mode computes fma(m, s, -a) * -phi, no division.
TEST(FastMathRewrites, GateRelaxationLosesItsDivisions) {
  auto build = [](ExprGraph& g) {
    const NodeId m = g.input(0), a = g.input(1), b = g.input(2), phi = g.constant(0.3);
    const NodeId s = g.binary(Op::Add, a, b);
    const NodeId m0 = g.binary(Op::Div, a, s);
    const NodeId tau = g.binary(Op::Div, g.constant(1.0), g.binary(Op::Mul, s, phi));
    const NodeId rate = g.binary(Op::Div, g.unary(Op::Neg, g.binary(Op::Sub, m, m0)), tau);
    // The same with the quotient first and as a sum: (a/s - m) s, (m + a/s) s.
    const NodeId swapped = g.binary(Op::Mul, g.binary(Op::Sub, m0, m), s);
    const NodeId sum = g.binary(Op::Mul, s, g.binary(Op::Add, m, m0));
    return std::vector<NodeId>{rate, swapped, sum};
  };
  ExprGraph exact, fast(psst::graph::Precision::Double, MathMode::Fast);
  const Program pe = lower(exact, build(exact), 3), pf = lower(fast, build(fast), 3);
  EXPECT_EQ(count(pe, Op::Div), 3u);  // a / s, 1 / (s phi) and the division by tau
  EXPECT_EQ(count(pf, Op::Div), 0u) << pf.to_string();
  EXPECT_GE(count(pf, Op::Fma), 3u) << pf.to_string();
  for (const std::vector<double>& in : {std::vector<double>{0.05, 2.1, 0.4}, std::vector<double>{0.97, 0.01, 3.3}}) {
    const auto e = evaluate(pe, in), f = evaluate(pf, in);
    const double s = in[1] + in[2];
    EXPECT_NEAR(f[0], -(in[0] * s - in[1]) * 0.3, 1e-15);
    EXPECT_NEAR(f[1], in[1] - in[0] * s, 1e-15);
    EXPECT_NEAR(f[2], in[0] * s + in[1], 1e-15);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(f[k], e[k], 4e-15 * std::fabs(e[k]) + 1e-16) << k;
  }
}

// A reciprocal of a reciprocal: 1 / (1 / y) -> y (through x / (1 / y) -> x * y and 1 * y -> y).
TEST(FastMathRewrites, ReciprocalOfAReciprocalIsTheValue) {
  ExprGraph fast(psst::graph::Precision::Double, MathMode::Fast), exact;
  const NodeId y = fast.input(0);
  EXPECT_EQ(fast.binary(Op::Div, fast.constant(1.0), fast.binary(Op::Div, fast.constant(1.0), y)), y);
  const NodeId ye = exact.input(0);
  EXPECT_NE(exact.binary(Op::Div, exact.constant(1.0), exact.binary(Op::Div, exact.constant(1.0), ye)), ye);
}

TEST(FastMathRewrites, ExpAndLogBecomeTheFastFunctions) {
  ExprGraph fast(psst::graph::Precision::Double, MathMode::Fast), exact;
  EXPECT_EQ(fast.node(fast.unary(Op::Exp, fast.input(0))).op, Op::ExpFast);
  EXPECT_EQ(fast.node(fast.unary(Op::Log, fast.input(0))).op, Op::LogFast);
  EXPECT_EQ(exact.node(exact.unary(Op::Exp, exact.input(0))).op, Op::Exp);
  EXPECT_EQ(exact.node(exact.unary(Op::Log, exact.input(0))).op, Op::Log);
  // Folded with the fast function too (its bits, not exp's).
  EXPECT_EQ(fast.node(fast.unary(Op::Exp, fast.constant(0.7))).value, psst::math::exp_fast(0.7));
  // The limit of w / (exp(w / 4) - 1) at w = 0 is still taken (exp_fast(0) == 1 exactly).
  const NodeId w = fast.input(0);
  const NodeId den = fast.binary(Op::Sub, fast.unary(Op::Exp, fast.binary(Op::Div, w, fast.constant(4.0))),
                                 fast.constant(1.0));
  const auto& rate = fast.node(fast.divide(w, den));
  ASSERT_EQ(rate.op, Op::Select);
  EXPECT_EQ(fast.node(rate.args[1]).value, 4.0);
}

// Exact mode: x + -0 is x for every x (x + +0 is not: -0 + +0 == +0), x * 1, x / 1, x / 2^k.
TEST(ExactMathRewrites, IdentitiesThatHoldForEveryOperand) {
  ExprGraph g;
  const NodeId x = g.input(0);
  EXPECT_EQ(g.binary(Op::Add, x, g.constant(-0.0)), x);
  EXPECT_EQ(g.binary(Op::Add, g.constant(-0.0), x), x);
  EXPECT_NE(g.binary(Op::Add, x, g.constant(0.0)), x);
  EXPECT_EQ(g.binary(Op::Mul, x, g.constant(1.0)), x);
  EXPECT_EQ(g.binary(Op::Div, x, g.constant(1.0)), x);
  const auto& quarter = g.node(g.binary(Op::Div, x, g.constant(-4.0)));
  ASSERT_EQ(quarter.op, Op::Mul);
  EXPECT_TRUE(g.is_constant(quarter.args[0], -0.25) || g.is_constant(quarter.args[1], -0.25));
  EXPECT_EQ(g.node(g.binary(Op::Div, x, g.constant(0x1p-1030))).op, Op::Div);  // 2^1030 overflows
  for (double v : {-0.0, 0.0, 1e-310, -3.5, std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(std::signbit(v + -0.0), std::signbit(v));
    EXPECT_EQ(v + -0.0, v);
  }
}

}  // namespace
