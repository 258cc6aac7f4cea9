#pragma once
// A DAG of operations with structural sharing: creating a node that already
// exists returns the existing one, so a subexpression used many times is
// computed once. Operations on constants are folded with the exact semantics
// of graph::apply in the graph's precision, so folding never changes a
// result's bits: in a single-precision graph every constant is a float32 value
// (a literal rounded as a kernel rounds it when it loads it) and every folded
// result is rounded to float32, as the kernel would round it at run time.
#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "graph/ops.hpp"

namespace psst::graph {

using NodeId = std::int32_t;
inline constexpr NodeId no_node = -1;

struct Node {
  Op op = Op::Constant;
  double value = 0.0;  // Op::Constant
  int slot = -1;       // Op::Input: index of the kernel argument it reads
  std::array<NodeId, 3> args{no_node, no_node, no_node};
};

// The operands a node reads: its operation's arity, and a random op's site input when it has one.
inline int operand_count(const Node& n) { return is_random(n.op) && n.args[2] != no_node ? 3 : arity(n.op); }

class ExprGraph {
 public:
  explicit ExprGraph(Precision precision = Precision::Double, MathMode math = MathMode::Exact)
      : precision_(precision), math_(math) {}
  Precision precision() const { return precision_; }
  MathMode math() const { return math_; }

  NodeId constant(double value);
  NodeId input(int slot);
  NodeId unary(Op op, NodeId a);
  NodeId binary(Op op, NodeId a, NodeId b);
  NodeId select(NodeId condition, NodeId if_true, NodeId if_false);
  // a * b + c rounded once (Op::Fma); folded when all three are constants.
  NodeId fma(NodeId a, NodeId b, NodeId c);
  // a / b, with the removable singularity of Hodgkin-Huxley rate functions
  // c1 w / (exp(c2 w) - 1) (0/0 at w = 0) replaced by its limit c1 / c2 where the
  // denominator is exactly 0. Everywhere else the raw formula, bit for bit.
  NodeId divide(NodeId a, NodeId b);
  // A random variate (Op::RandomUniform or RandomNormal) of draw `draw_number`, reading the
  // key table and the step counter (both input nodes); equal draws are one node. `site`
  // (an input node, optional): the element's random site, read in place of the element index.
  NodeId random(Op op, NodeId key, NodeId step, std::uint32_t draw_number, NodeId site = no_node);
  // x^n: small integer exponents become multiplications, 0.5 becomes sqrt.
  NodeId power(NodeId base, NodeId exponent);

  const Node& node(NodeId id) const { return nodes_[static_cast<std::size_t>(id)]; }
  std::size_t size() const { return nodes_.size(); }
  bool is_constant(NodeId id) const { return node(id).op == Op::Constant; }
  bool is_constant(NodeId id, double value) const;

 private:
  struct Key {
    Op op;
    std::uint64_t value_bits;
    int slot;
    std::array<NodeId, 3> args;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  NodeId intern(const Node& node);
  // 1 / d when d is a power of two whose reciprocal is exact in the graph's precision.
  std::optional<double> exact_reciprocal(double d) const;
  // Fast mode: 1 / d rounded once in the graph's precision, when finite and not 0.
  std::optional<double> rounded_reciprocal(double d) const;
  // Fast mode: a + b or a - b as an fma when an operand is a product; no_node otherwise.
  NodeId fused_sum(Op op, NodeId a, NodeId b);
  // Fast mode: x * y with x = +-(p -+ a / s) and y = s or s * q -> +-(p s -+ a) q (the
  // relaxation form of a gate, (m - m_0) / tau with m_0 = a / s and tau = 1 / (s q));
  // no_node where the pattern does not match.
  NodeId cancel_divisor(NodeId x, NodeId y);
  NodeId integer_power(NodeId base, long exponent);
  // n = scale * base with scale a constant (c * w, w * c, w / c, -w); scale 1 otherwise.
  std::pair<double, NodeId> split_scale(NodeId n) const;

  Precision precision_;
  MathMode math_;
  std::vector<Node> nodes_;
  std::unordered_map<Key, NodeId, KeyHash> index_;
};

}  // namespace psst::graph
