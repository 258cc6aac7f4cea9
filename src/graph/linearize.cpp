#include "graph/linearize.hpp"

#include <unordered_map>

#include <fmt/format.h>

namespace psst::graph {

namespace {

class Linearizer {
 public:
  Linearizer(ExprGraph& graph, NodeId x) : g_(graph), x_(x) {}

  bool depends(NodeId id) {
    if (id == x_) return true;
    if (auto it = depends_.find(id); it != depends_.end()) return it->second;
    const Node& n = g_.node(id);
    bool result = false;
    for (int a = 0; a < arity(n.op) && !result; ++a) result = depends(n.args[static_cast<std::size_t>(a)]);
    depends_[id] = result;
    return result;
  }

  std::optional<LinearForm> split(NodeId id, std::string* why) {
    if (!depends(id)) return LinearForm{id, no_node};
    if (id == x_) return LinearForm{g_.constant(0.0), g_.constant(1.0)};
    const Node n = g_.node(id);  // copy: the graph may grow while we recurse
    auto sub = [&](int i) { return split(n.args[static_cast<std::size_t>(i)], why); };
    switch (n.op) {
      case Op::Neg: {
        auto a = sub(0);
        if (!a) return std::nullopt;
        return LinearForm{g_.unary(Op::Neg, a->constant), neg(a->coefficient)};
      }
      case Op::Add:
      case Op::Sub: {
        auto a = sub(0);
        auto b = a ? sub(1) : std::nullopt;
        if (!b) return std::nullopt;
        NodeId coefficient = n.op == Op::Add ? add(a->coefficient, b->coefficient) : subtract(a->coefficient, b->coefficient);
        return LinearForm{g_.binary(n.op, a->constant, b->constant), coefficient};
      }
      case Op::Mul: {
        NodeId lhs = n.args[0], rhs = n.args[1];
        if (depends(lhs) && depends(rhs)) return fail(why, "is multiplied by an expression that also depends on it");
        NodeId factor = depends(lhs) ? rhs : lhs;
        auto a = split(depends(lhs) ? lhs : rhs, why);
        if (!a) return std::nullopt;
        return LinearForm{g_.binary(Op::Mul, a->constant, factor), scale(a->coefficient, Op::Mul, factor)};
      }
      case Op::Fma: {  // a * b + c (fast mode's fused sums among them): linear as a product plus a sum
        NodeId lhs = n.args[0], rhs = n.args[1];
        if (depends(lhs) && depends(rhs)) return fail(why, "is multiplied by an expression that also depends on it");
        NodeId factor = depends(lhs) ? rhs : lhs;
        auto a = split(depends(lhs) ? lhs : rhs, why);
        auto c = a ? sub(2) : std::nullopt;
        if (!c) return std::nullopt;
        return LinearForm{g_.fma(a->constant, factor, c->constant),
                          add(scale(a->coefficient, Op::Mul, factor), c->coefficient)};
      }
      case Op::Div: {
        if (depends(n.args[1])) return fail(why, "appears in a denominator");
        auto a = sub(0);
        if (!a) return std::nullopt;
        return LinearForm{g_.binary(Op::Div, a->constant, n.args[1]), scale(a->coefficient, Op::Div, n.args[1])};
      }
      case Op::Select: {
        if (depends(n.args[0])) return fail(why, "appears in a condition");
        auto a = sub(1);
        auto b = a ? sub(2) : std::nullopt;
        if (!b) return std::nullopt;
        NodeId zero = g_.constant(0.0);
        NodeId coefficient = (a->coefficient == no_node && b->coefficient == no_node)
                                 ? no_node
                                 : g_.select(n.args[0], a->coefficient == no_node ? zero : a->coefficient,
                                             b->coefficient == no_node ? zero : b->coefficient);
        return LinearForm{g_.select(n.args[0], a->constant, b->constant), coefficient};
      }
      default:
        return fail(why, fmt::format("appears inside {}()", name(n.op)));
    }
  }

 private:
  static std::optional<LinearForm> fail(std::string* why, const std::string& reason) {
    if (why) *why = reason;
    return std::nullopt;
  }
  NodeId neg(NodeId c) { return c == no_node ? no_node : g_.unary(Op::Neg, c); }
  NodeId add(NodeId a, NodeId b) {
    if (a == no_node) return b;
    if (b == no_node) return a;
    return g_.binary(Op::Add, a, b);
  }
  NodeId subtract(NodeId a, NodeId b) {
    if (b == no_node) return a;
    if (a == no_node) return g_.unary(Op::Neg, b);
    return g_.binary(Op::Sub, a, b);
  }
  NodeId scale(NodeId c, Op op, NodeId factor) { return c == no_node ? no_node : g_.binary(op, c, factor); }

  ExprGraph& g_;
  NodeId x_;
  std::unordered_map<NodeId, bool> depends_;
};

}  // namespace

std::optional<LinearForm> split_linear(ExprGraph& graph, NodeId f, NodeId x, std::string* why) {
  return Linearizer(graph, x).split(f, why);
}

}  // namespace psst::graph
