#include "model/expr.hpp"

#include <fmt/format.h>

namespace psst::model {

namespace {
ExprPtr make(Expr expr) { return std::make_shared<const Expr>(std::move(expr)); }
}  // namespace

ExprPtr Expr::make_number(double value, SourceLocation where) {
  Expr e;
  e.kind = Kind::Number;
  e.number = value;
  e.where = std::move(where);
  return make(std::move(e));
}

ExprPtr Expr::make_name(std::string name, SourceLocation where) {
  Expr e;
  e.kind = Kind::Name;
  e.name = std::move(name);
  e.where = std::move(where);
  return make(std::move(e));
}

ExprPtr Expr::make_unary(UnaryOp op, ExprPtr operand, SourceLocation where) {
  Expr e;
  e.kind = Kind::Unary;
  e.unary_op = op;
  e.args = {std::move(operand)};
  e.where = std::move(where);
  return make(std::move(e));
}

ExprPtr Expr::make_binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLocation where) {
  Expr e;
  e.kind = Kind::Binary;
  e.binary_op = op;
  e.args = {std::move(lhs), std::move(rhs)};
  e.where = std::move(where);
  return make(std::move(e));
}

ExprPtr Expr::make_call(std::string function, std::vector<ExprPtr> args, SourceLocation where) {
  Expr e;
  e.kind = Kind::Call;
  e.name = std::move(function);
  e.args = std::move(args);
  e.where = std::move(where);
  return make(std::move(e));
}

ExprPtr Expr::make_conditional(ExprPtr condition, ExprPtr if_true, ExprPtr if_false, SourceLocation where) {
  Expr e;
  e.kind = Kind::Conditional;
  e.args = {std::move(condition), std::move(if_true), std::move(if_false)};
  e.where = std::move(where);
  return make(std::move(e));
}

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Pow: return "^";
    case BinaryOp::Less: return "<";
    case BinaryOp::LessEqual: return "<=";
    case BinaryOp::Greater: return ">";
    case BinaryOp::GreaterEqual: return ">=";
    case BinaryOp::Equal: return "==";
    case BinaryOp::NotEqual: return "!=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
  }
  return "?";
}

std::string to_string(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::Number: return fmt::format("{}", expr.number);
    case Expr::Kind::Name: return expr.name;
    case Expr::Kind::Unary:
      return fmt::format("({}{})", expr.unary_op == UnaryOp::Negate ? "-" : "not ", to_string(*expr.args[0]));
    case Expr::Kind::Binary:
      return fmt::format("({} {} {})", to_string(*expr.args[0]), to_string(expr.binary_op), to_string(*expr.args[1]));
    case Expr::Kind::Call: {
      std::string s = expr.name + "(";
      for (std::size_t i = 0; i < expr.args.size(); ++i) s += (i ? ", " : "") + to_string(*expr.args[i]);
      return s + ")";
    }
    case Expr::Kind::Conditional:
      return fmt::format("where({}, {}, {})", to_string(*expr.args[0]), to_string(*expr.args[1]),
                         to_string(*expr.args[2]));
  }
  return "?";
}

void collect_names(const ExprPtr& expr, std::vector<const Expr*>& names) {
  if (expr->kind == Expr::Kind::Name) {
    names.push_back(expr.get());
    return;
  }
  for (const auto& arg : expr->args) collect_names(arg, names);
}

}  // namespace psst::model
