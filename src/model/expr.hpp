#pragma once
// The abstract syntax tree of psst's equation language. Equation text becomes
// an Expr tree in the lang layer; the graph layer turns trees into a DAG.
// Trees are immutable and shared (shared_ptr<const Expr>).
#include <memory>
#include <string>
#include <vector>

#include "model/error.hpp"

namespace psst::model {

enum class UnaryOp { Negate, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Pow, Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or };

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind { Number, Name, Unary, Binary, Call, Conditional };
  Kind kind = Kind::Number;
  double number = 0.0;         // Kind::Number
  std::string name;            // Kind::Name (identifier) and Kind::Call (function name)
  UnaryOp unary_op = UnaryOp::Negate;
  BinaryOp binary_op = BinaryOp::Add;
  std::vector<ExprPtr> args;   // operands; Conditional: {condition, if_true, if_false}
  SourceLocation where;

  static ExprPtr make_number(double value, SourceLocation where);
  static ExprPtr make_name(std::string name, SourceLocation where);
  static ExprPtr make_unary(UnaryOp op, ExprPtr operand, SourceLocation where);
  static ExprPtr make_binary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, SourceLocation where);
  static ExprPtr make_call(std::string function, std::vector<ExprPtr> args, SourceLocation where);
  static ExprPtr make_conditional(ExprPtr condition, ExprPtr if_true, ExprPtr if_false, SourceLocation where);
};

// Equation text for printing and error messages (fully parenthesised).
std::string to_string(const Expr& expr);
const char* to_string(BinaryOp op);

// Every identifier an expression reads, in first-seen order, with locations.
void collect_names(const ExprPtr& expr, std::vector<const Expr*>& names);

}  // namespace psst::model
