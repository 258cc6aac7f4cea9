// Constant folding happens in the graph's precision: an operation folded on
// constants gives the bits the reference interpreter computes at run time for
// the same operation on the same values read as inputs, in double and in single.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "backend/reference/interpreter.hpp"
#include "graph/expr_graph.hpp"
#include "graph/lowering.hpp"

namespace {

using psst::graph::ExprGraph;
using psst::graph::NodeId;
using psst::graph::Op;
using psst::graph::Precision;

// op(a, b) folded by a graph of the given precision.
double folded(Op op, double a, double b, Precision precision) {
  ExprGraph graph(precision);
  const NodeId x = graph.constant(a), y = graph.constant(b);
  const NodeId n = psst::graph::arity(op) == 1 ? graph.unary(op, x) : graph.binary(op, x, y);
  EXPECT_TRUE(graph.is_constant(n)) << psst::graph::name(op);
  return graph.node(n).value;
}

// op(a, b) computed by the interpreter from inputs.
double interpreted(Op op, double a, double b, Precision precision) {
  ExprGraph graph(precision);
  const NodeId x = graph.input(0), y = graph.input(1);
  const NodeId n = psst::graph::arity(op) == 1 ? graph.unary(op, x) : graph.binary(op, x, y);
  auto program = psst::graph::lower(graph, "op", {"a", "b"}, {"out"}, {{n, 0}});
  psst::backend::reference::InterpreterBackend backend(precision);
  psst::backend::KernelArgs args;
  const double values[2] = {a, b};
  for (const auto& slot : program.inputs) args.add_input(&values[slot == "a" ? 0 : 1], 0);
  double out = 0.0;
  args.outputs.push_back(&out);
  backend.compile(program, args.bindings())->run(args, 0, 1);
  return out;
}

TEST(ConstantFolding, GivesTheInterpretersBitsInEachPrecision) {
  const double values[] = {0.1, -0.3, 1.0 / 3.0, 2.5, 13.0, -40.0, 1e-40, 3e38, 1e300, 0.0, -0.0};
  for (Precision precision : {Precision::Double, Precision::Single}) {
    for (Op op : {Op::Neg, Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Exp, Op::Expm1, Op::Log, Op::Sqrt,
                  Op::Abs, Op::Min, Op::Max, Op::Floor, Op::XOverExpm1, Op::Less, Op::Equal, Op::FlushSubnormal}) {
      for (double a : values)
        for (double b : values) {
          const double f = folded(op, a, b, precision), i = interpreted(op, a, b, precision);
          ASSERT_EQ(std::bit_cast<std::uint64_t>(f), std::bit_cast<std::uint64_t>(i))
              << psst::graph::name(op) << "(" << a << ", " << b << ") in " << psst::graph::precision_name(precision)
              << ": folded " << f << ", interpreted " << i;
        }
    }
  }
}

TEST(ConstantFolding, SinglePrecisionConstantsAreFloat32) {
  ExprGraph graph(Precision::Single);
  EXPECT_EQ(graph.node(graph.constant(0.1)).value, static_cast<double>(0.1f));
  // 0.1 + 0.2 in float32, not the float32 of the float64 sum.
  const NodeId sum = graph.binary(Op::Add, graph.constant(0.1), graph.constant(0.2));
  EXPECT_EQ(graph.node(sum).value, static_cast<double>(0.1f + 0.2f));
  // float32's smallest normal stays, half of it is flushed (a normal double).
  EXPECT_EQ(graph.node(graph.unary(Op::FlushSubnormal, graph.constant(0x1p-127))).value, 0.0);
  EXPECT_EQ(graph.node(graph.unary(Op::FlushSubnormal, graph.constant(0x1p-126))).value, 0x1p-126);
}

}  // namespace

namespace {

// x / 2^k becomes x * 2^-k (cheaper, and the same real number rounded once): the
// same bits as the division for every x, in both precisions; other divisors stay.
TEST(ExactRewrites, DivisionByAPowerOfTwoIsAMultiplicationWithTheSameBits) {
  const double xs[] = {0.0, -0.0, 1.0, -3.0, 0x1p-1074, 0x1.8p-1060, 1e-310, 0x1p1023, 1.7976931348623157e308,
                       0.1, -7.3e-42, 1e-45, 3.4e38, std::numeric_limits<double>::infinity(),
                       std::numeric_limits<double>::quiet_NaN()};
  for (Precision precision : {Precision::Double, Precision::Single}) {
    for (double d : {4.0, 0.5, -2.0, 0x1p-100, 0x1p100, 0x1p-1022}) {
      ExprGraph graph(precision);
      const NodeId divisor = graph.constant(d);  // in single precision: d rounded to float32
      const double dv = graph.node(divisor).value;
      const NodeId n = graph.binary(Op::Div, graph.input(0), divisor);
      const bool in_range = precision == Precision::Double || (std::fabs(d) >= 0x1p-126 && std::fabs(d) <= 0x1p126);
      EXPECT_EQ(graph.node(n).op, in_range ? Op::Mul : Op::Div) << d;
      const double r = graph.node(graph.node(n).args[1]).value;
      for (double x0 : xs) {
        const double x = precision == Precision::Single ? static_cast<double>(static_cast<float>(x0)) : x0;
        const double divided = psst::graph::apply(Op::Div, x, dv, 0.0, precision);
        const double computed = psst::graph::apply(graph.node(n).op, x, r, 0.0, precision);
        EXPECT_EQ(std::bit_cast<std::uint64_t>(divided), std::bit_cast<std::uint64_t>(computed)) << x << " / " << d;
      }
    }
    ExprGraph graph(precision);
    EXPECT_EQ(graph.node(graph.binary(Op::Div, graph.input(0), graph.constant(3.0))).op, Op::Div);
  }
}

}  // namespace
