#include "graph/ops.hpp"

namespace psst::graph {

int arity(Op op) {
  switch (op) {
    case Op::Constant: case Op::Input: return 0;
    case Op::Neg: case Op::Exp: case Op::Expm1: case Op::Log: case Op::ExpFast: case Op::LogFast: case Op::Sqrt: case Op::Abs: case Op::Tanh:
    case Op::Sin: case Op::Cos: case Op::Floor: case Op::XOverExpm1: case Op::Not: case Op::Store:
    case Op::FlushSubnormal: return 1;
    case Op::Select: case Op::Fma: return 3;
    default: return 2;
  }
}

const char* name(Op op) {
  switch (op) {
    case Op::Constant: return "const";
    case Op::Input: return "load";
    case Op::Neg: return "neg";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Pow: return "pow";
    case Op::Exp: return "exp";
    case Op::Expm1: return "expm1";
    case Op::Log: return "log";
    case Op::Sqrt: return "sqrt";
    case Op::Abs: return "abs";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Tanh: return "tanh";
    case Op::Sin: return "sin";
    case Op::Cos: return "cos";
    case Op::Floor: return "floor";
    case Op::XOverExpm1: return "x_over_expm1";
    case Op::Less: return "lt";
    case Op::LessEqual: return "le";
    case Op::Greater: return "gt";
    case Op::GreaterEqual: return "ge";
    case Op::Equal: return "eq";
    case Op::NotEqual: return "ne";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Not: return "not";
    case Op::Select: return "select";
    case Op::Fma: return "fma";
    case Op::Store: return "store";
    case Op::FlushSubnormal: return "flush_subnormal";
    case Op::RandomUniform: return "random_uniform";
    case Op::RandomNormal: return "random_normal";
    case Op::ExpFast: return "exp_fast";
    case Op::LogFast: return "log_fast";
  }
  return "?";
}

bool is_commutative(Op op) {
  // IEEE + and * are exactly commutative, so operand order can be normalised for sharing.
  return op == Op::Add || op == Op::Mul || op == Op::Equal || op == Op::NotEqual || op == Op::And || op == Op::Or;
}

}  // namespace psst::graph
