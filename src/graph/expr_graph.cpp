#include "graph/expr_graph.hpp"

#include <bit>
#include <cmath>

namespace psst::graph {

namespace {
bool is_exp(Op op) { return op == Op::Exp || op == Op::ExpFast; }
}  // namespace

std::size_t ExprGraph::KeyHash::operator()(const Key& k) const {
  std::size_t h = static_cast<std::size_t>(k.op) * 0x9E3779B97F4A7C15ull;
  auto mix = [&h](std::uint64_t v) { h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2); };
  mix(k.value_bits);
  mix(static_cast<std::uint64_t>(k.slot));
  for (NodeId a : k.args) mix(static_cast<std::uint64_t>(a));
  return h;
}

NodeId ExprGraph::intern(const Node& node) {
  Key key{node.op, std::bit_cast<std::uint64_t>(node.value), node.slot, node.args};
  auto [it, inserted] = index_.try_emplace(key, static_cast<NodeId>(nodes_.size()));
  if (inserted) nodes_.push_back(node);
  return it->second;
}

bool ExprGraph::is_constant(NodeId id, double value) const {
  const Node& n = node(id);
  return n.op == Op::Constant && n.value == value;
}

NodeId ExprGraph::constant(double value) {
  Node n;
  n.op = Op::Constant;
  n.value = precision_ == Precision::Single ? static_cast<double>(static_cast<float>(value)) : value;
  return intern(n);
}

NodeId ExprGraph::input(int slot) {
  Node n;
  n.op = Op::Input;
  n.slot = slot;
  return intern(n);
}

NodeId ExprGraph::unary(Op op, NodeId a) {
  if (math_ == MathMode::Fast && op == Op::Exp) op = Op::ExpFast;  // math/fast.hpp
  if (math_ == MathMode::Fast && op == Op::Log) op = Op::LogFast;
  if (is_constant(a)) return constant(apply(op, node(a).value, 0.0, 0.0, precision_));
  if (op == Op::Neg && node(a).op == Op::Neg) return node(a).args[0];
  if (op == Op::FlushSubnormal && node(a).op == Op::FlushSubnormal) return a;  // idempotent
  Node n;
  n.op = op;
  n.args = {a, no_node, no_node};
  return intern(n);
}

std::optional<double> ExprGraph::exact_reciprocal(double d) const {
  int exponent = 0;
  if (!std::isfinite(d) || d == 0.0 || std::fabs(std::frexp(d, &exponent)) != 0.5) return std::nullopt;
  const double r = 1.0 / d;  // a power of two: exact unless it leaves the range
  const bool representable = precision_ == Precision::Single ? static_cast<double>(static_cast<float>(r)) == r &&
                                                                   std::isfinite(static_cast<float>(r))
                                                             : std::isfinite(r);
  if (!representable || r * d != 1.0) return std::nullopt;
  return r;
}

std::optional<double> ExprGraph::rounded_reciprocal(double d) const {
  if (!std::isfinite(d) || d == 0.0) return std::nullopt;
  const double r = apply(Op::Div, 1.0, d, 0.0, precision_);
  if (!std::isfinite(r) || r == 0.0) return std::nullopt;
  return r;
}

NodeId ExprGraph::fused_sum(Op op, NodeId a, NodeId b) {
  // a*b + c and c + a*b -> fma(a, b, c); a*b - c -> fma(a, b, -c); c - a*b -> fma(-a, b, c):
  // the exact product is added and the sum rounded once (one rounding fewer).
  if (node(a).op == Op::Mul) {
    const NodeId c = op == Op::Add ? b : unary(Op::Neg, b);
    return fma(node(a).args[0], node(a).args[1], c);
  }
  if (node(b).op == Op::Mul) {
    const NodeId factor = op == Op::Add ? node(b).args[0] : unary(Op::Neg, node(b).args[0]);
    return fma(factor, node(b).args[1], a);
  }
  return no_node;
}

NodeId ExprGraph::cancel_divisor(NodeId x, NodeId y) {
  const bool negated = node(x).op == Op::Neg;
  const NodeId sum = negated ? node(x).args[0] : x;
  const Node s_node = node(sum);  // a copy: the calls below may grow nodes_
  if (s_node.op != Op::Add && s_node.op != Op::Sub) return no_node;
  // Which operand of the sum is a / s (the divisor not a constant: those are products already).
  int quotient = -1;
  for (int i = 0; i < 2; ++i) {
    const Node& q = node(s_node.args[static_cast<std::size_t>(i)]);
    if (q.op == Op::Div && !is_constant(q.args[1])) quotient = i;
  }
  if (quotient < 0) return no_node;
  const Node division = node(s_node.args[static_cast<std::size_t>(quotient)]);
  const NodeId a = division.args[0], s = division.args[1];
  const NodeId p = s_node.args[static_cast<std::size_t>(1 - quotient)];
  NodeId factor = no_node;  // q of y = s * q; no_node for y = s
  if (y != s) {
    const Node& product = node(y);
    if (product.op != Op::Mul || (product.args[0] != s && product.args[1] != s)) return no_node;
    factor = product.args[0] == s ? product.args[1] : product.args[0];
  }
  // (p + a/s) s = p s + a;  (p - a/s) s = p s - a;  (a/s - p) s = a - p s.
  const NodeId ps = binary(Op::Mul, p, s);
  NodeId cleared = s_node.op == Op::Add ? binary(Op::Add, ps, a)
                   : quotient == 1      ? binary(Op::Sub, ps, a)
                                        : binary(Op::Sub, a, ps);
  if (factor == no_node) return negated ? unary(Op::Neg, cleared) : cleared;
  if (negated && is_constant(factor)) return binary(Op::Mul, cleared, constant(-node(factor).value));
  const NodeId scaled = binary(Op::Mul, cleared, factor);
  return negated ? unary(Op::Neg, scaled) : scaled;
}

NodeId ExprGraph::binary(Op op, NodeId a, NodeId b) {
  if (is_constant(a) && is_constant(b)) return constant(apply(op, node(a).value, node(b).value, 0.0, precision_));
  // Identities that hold bitwise for every operand (x + 0 would turn -0 into +0, so it is kept;
  // x + -0 is x for every x, -0 + -0 == -0 included).
  if (op == Op::Add && is_constant(b, 0.0) && std::signbit(node(b).value)) return a;
  if (op == Op::Add && is_constant(a, 0.0) && std::signbit(node(a).value)) return b;
  if (op == Op::Mul && is_constant(b, 1.0)) return a;
  if (op == Op::Mul && is_constant(a, 1.0)) return b;
  if (op == Op::Div && is_constant(b, 1.0)) return a;
  // x / 2^k is x * 2^-k: the same real number, rounded once either way, so the same
  // bits for every x (zeros, subnormals, infinities, NaN); a multiplication is cheaper.
  if (op == Op::Div && is_constant(b)) {
    if (auto reciprocal = exact_reciprocal(node(b).value)) return binary(Op::Mul, a, constant(*reciprocal));
    // Fast mode: x / c -> x * (1/c), 1/c rounded: up to 1 ulp from x / c (two roundings).
    if (math_ == MathMode::Fast)
      if (auto reciprocal = rounded_reciprocal(node(b).value)) return binary(Op::Mul, a, constant(*reciprocal));
  }
  // Fast mode: x / (1 / y) -> x * y (a rate written as 1 / tau with tau = 1 / rate).
  if (math_ == MathMode::Fast && op == Op::Div && node(b).op == Op::Div && is_constant(node(b).args[0], 1.0))
    return binary(Op::Mul, a, node(b).args[1]);
  if (math_ == MathMode::Fast && op == Op::Mul) {
    if (NodeId cancelled = cancel_divisor(a, b); cancelled != no_node) return cancelled;
    if (NodeId cancelled = cancel_divisor(b, a); cancelled != no_node) return cancelled;
  }
  if (math_ == MathMode::Fast && (op == Op::Add || op == Op::Sub) && !is_constant(a, 0.0) && !is_constant(b, 0.0)) {
    if (NodeId fused = fused_sum(op, a, b); fused != no_node) return fused;
  }
  if (op == Op::Sub && is_constant(b, 0.0) && !std::signbit(node(b).value)) return a;
  if (is_commutative(op) && b < a) std::swap(a, b);
  Node n;
  n.op = op;
  n.args = {a, b, no_node};
  return intern(n);
}

NodeId ExprGraph::select(NodeId condition, NodeId if_true, NodeId if_false) {
  if (is_constant(condition)) return node(condition).value != 0.0 ? if_true : if_false;
  if (if_true == if_false) return if_true;
  Node n;
  n.op = Op::Select;
  n.args = {condition, if_true, if_false};
  return intern(n);
}

NodeId ExprGraph::fma(NodeId a, NodeId b, NodeId c) {
  if (is_constant(a) && is_constant(b) && is_constant(c))
    return constant(apply(Op::Fma, node(a).value, node(b).value, node(c).value, precision_));
  Node n;
  n.op = Op::Fma;
  n.args = {a, b, c};
  return intern(n);
}

NodeId ExprGraph::random(Op op, NodeId key, NodeId step, std::uint32_t draw_number, NodeId site) {
  Node n;
  n.op = op;
  n.value = static_cast<double>(draw_number);
  n.args = {key, step, site};
  return intern(n);
}

std::pair<double, NodeId> ExprGraph::split_scale(NodeId id) const {
  const Node& n = node(id);
  if (n.op == Op::Mul && is_constant(n.args[0])) return {node(n.args[0]).value, n.args[1]};
  if (n.op == Op::Mul && is_constant(n.args[1])) return {node(n.args[1]).value, n.args[0]};
  if (n.op == Op::Div && is_constant(n.args[1])) return {1.0 / node(n.args[1]).value, n.args[0]};
  if (n.op == Op::Neg) return {-1.0, n.args[0]};
  return {1.0, id};
}

NodeId ExprGraph::divide(NodeId a, NodeId b) {
  NodeId raw = binary(Op::Div, a, b);
  const Node& den = node(b);
  if (den.op != Op::Sub || !is_constant(den.args[1], 1.0) || !is_exp(node(den.args[0]).op)) return raw;
  auto [z_scale, z_base] = split_scale(node(den.args[0]).args[0]);
  auto [a_scale, a_base] = split_scale(a);
  if (z_base != a_base || z_scale == 0.0) return raw;
  // a / (exp(z) - 1) -> a_scale w / (z_scale w) = a_scale / z_scale as w -> 0.
  return select(binary(Op::Equal, b, constant(0.0)), constant(a_scale / z_scale), raw);
}

NodeId ExprGraph::integer_power(NodeId base, long exponent) {
  // Binary exponentiation; x^3 = (x*x)*x, x^4 = (x*x)*(x*x).
  NodeId result = no_node;
  NodeId square = base;
  while (exponent > 0) {
    if (exponent & 1) result = result == no_node ? square : binary(Op::Mul, result, square);
    exponent >>= 1;
    if (exponent > 0) square = binary(Op::Mul, square, square);
  }
  return result;
}

NodeId ExprGraph::power(NodeId base, NodeId exponent) {
  if (is_constant(exponent)) {
    double e = node(exponent).value;
    if (e == 0.0) return constant(1.0);
    if (std::floor(e) == e && std::fabs(e) <= 16.0 && !is_constant(base)) {
      NodeId positive = integer_power(base, static_cast<long>(std::fabs(e)));
      return e > 0 ? positive : binary(Op::Div, constant(1.0), positive);
    }
    if (e == 0.5 && !is_constant(base)) return unary(Op::Sqrt, base);
  }
  return binary(Op::Pow, base, exponent);
}

}  // namespace psst::graph
