// Constant folding happens in the graph's precision: an operation folded on
// constants gives the bits the reference interpreter computes at run time for
// the same operation on the same values read as inputs, in double and in single.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
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
