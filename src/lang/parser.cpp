#include "lang/parser.hpp"

#include <fmt/format.h>

#include "model/functions.hpp"

namespace psst::lang {

using model::BinaryOp;
using model::Expr;
using model::ExprPtr;

namespace {

// Limits that keep the recursive passes over a tree (parsing, checking, building,
// destroying) well inside the stack: far beyond any hand-written equation.
constexpr int max_nesting = 256;  // parentheses, signs, powers, 'not', '? :' inside one another
constexpr std::size_t max_statement_tokens = 10000;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {
    // Checked before any tree is built: a tree too deep to build is also too deep to free.
    std::size_t first = 0;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      if (tokens_[i].kind != TokenKind::Newline && tokens_[i].kind != TokenKind::End) continue;
      if (i - first > max_statement_tokens)
        throw UserError(tokens_[first].where, fmt::format("this equation is too long ({} tokens; at most {}); split "
                                                          "it into definitions",
                                                          i - first, max_statement_tokens));
      first = i + 1;
    }
  }

  std::vector<model::Equation> equations() {
    std::vector<model::Equation> result;
    while (peek().kind != TokenKind::End) {
      if (accept(TokenKind::Newline)) continue;
      result.push_back(equation());
    }
    return result;
  }

  std::vector<model::EventStatement> statements() {
    std::vector<model::EventStatement> result;
    while (peek().kind != TokenKind::End) {
      if (accept(TokenKind::Newline)) continue;
      model::EventStatement st;
      const Token& target = expect(TokenKind::Identifier, "a statement ('target += value')");
      st.target = target.text;
      st.where = target.where;
      using Operation = model::EventStatement::Operation;
      switch (peek().kind) {
        case TokenKind::Assign: st.operation = Operation::Assign; break;
        case TokenKind::Plus: st.operation = Operation::Add; next(); break;
        case TokenKind::Minus: st.operation = Operation::Subtract; next(); break;
        case TokenKind::Star: st.operation = Operation::Multiply; next(); break;
        default: fail(peek(), fmt::format("'=', '+=', '-=' or '*=' after '{}'", st.target));
      }
      expect(TokenKind::Assign, fmt::format("'=', '+=', '-=' or '*=' after '{}'", st.target));
      st.value = expression();
      expect(TokenKind::Newline, "an operator, ';' or the end of the line");
      result.push_back(std::move(st));
    }
    return result;
  }

  ExprPtr single_expression() {
    while (accept(TokenKind::Newline)) {
    }
    if (peek().kind == TokenKind::End) fail(peek(), "an expression");
    ExprPtr e = expression();
    while (accept(TokenKind::Newline)) {
    }
    if (peek().kind != TokenKind::End) fail(peek(), "the end of the expression");
    return e;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool accept(TokenKind kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }
  // One level deeper into a nested expression; at most max_nesting levels.
  class Nested {
   public:
    Nested(Parser& parser, const Token& at) : parser_(parser) {
      if (++parser_.depth_ > max_nesting)
        throw UserError(at.where, fmt::format("expression nested too deeply (more than {} levels of parentheses, "
                                              "signs, powers or conditionals)", max_nesting));
    }
    ~Nested() { --parser_.depth_; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;

   private:
    Parser& parser_;
  };

  [[noreturn]] void fail(const Token& found, const std::string& expected) const {
    std::string what = found.kind == TokenKind::Identifier || found.kind == TokenKind::Number
                           ? fmt::format("'{}'", found.text)
                           : describe(found.kind);
    if (found.kind == TokenKind::RightParen) what += " (unbalanced parentheses: no '(' to close)";
    throw UserError(found.where, fmt::format("expected {}, found {}", expected, what));
  }
  const Token& expect(TokenKind kind, const std::string& expected) {
    if (peek().kind != kind) fail(peek(), expected);
    return next();
  }

  // dX/dt = expr   |   name = expr
  model::Equation equation() {
    model::Equation eq;
    const Token& first = expect(TokenKind::Identifier, "an equation ('dX/dt = ...' or 'name = ...')");
    eq.where = first.where;
    if (peek().kind == TokenKind::Slash && first.text.size() > 1 && first.text[0] == 'd') {
      next();
      const Token& dt = expect(TokenKind::Identifier, "'dt' in a derivative 'dX/dt'");
      if (dt.text != "dt") fail(dt, "'dt' in a derivative 'dX/dt'");
      eq.kind = model::Equation::Kind::Derivative;
      eq.name = first.text.substr(1);
    } else {
      eq.kind = model::Equation::Kind::Definition;
      eq.name = first.text;
    }
    expect(TokenKind::Assign, fmt::format("'=' after '{}'", eq.kind == model::Equation::Kind::Derivative
                                                                 ? "d" + eq.name + "/dt"
                                                                 : eq.name));
    eq.rhs = expression();
    if (peek().kind == TokenKind::RightParen) fail(peek(), "the end of the line");
    expect(TokenKind::Newline, "an operator or the end of the line");
    return eq;
  }

  ExprPtr expression() { return conditional(); }

  ExprPtr conditional() {
    Nested nested(*this, peek());
    ExprPtr condition = logical_or();
    if (peek().kind != TokenKind::Question) return condition;
    SourceLocation where = next().where;
    ExprPtr if_true = expression();
    expect(TokenKind::Colon, "':' of a conditional 'c ? a : b'");
    ExprPtr if_false = conditional();
    return Expr::make_conditional(condition, if_true, if_false, where);
  }

  ExprPtr logical_or() {
    ExprPtr lhs = logical_and();
    while (peek().kind == TokenKind::OrOr) {
      SourceLocation where = next().where;
      lhs = Expr::make_binary(BinaryOp::Or, lhs, logical_and(), where);
    }
    return lhs;
  }

  ExprPtr logical_and() {
    ExprPtr lhs = logical_not();
    while (peek().kind == TokenKind::AndAnd) {
      SourceLocation where = next().where;
      lhs = Expr::make_binary(BinaryOp::And, lhs, logical_not(), where);
    }
    return lhs;
  }

  ExprPtr logical_not() {
    if (peek().kind == TokenKind::Bang) {
      Nested nested(*this, peek());
      SourceLocation where = next().where;
      return Expr::make_unary(model::UnaryOp::Not, logical_not(), where);
    }
    return comparison();
  }

  ExprPtr comparison() {
    ExprPtr lhs = additive();
    BinaryOp op;
    switch (peek().kind) {
      case TokenKind::Less: op = BinaryOp::Less; break;
      case TokenKind::LessEqual: op = BinaryOp::LessEqual; break;
      case TokenKind::Greater: op = BinaryOp::Greater; break;
      case TokenKind::GreaterEqual: op = BinaryOp::GreaterEqual; break;
      case TokenKind::EqualEqual: op = BinaryOp::Equal; break;
      case TokenKind::NotEqual: op = BinaryOp::NotEqual; break;
      case TokenKind::Assign:
        throw UserError(peek().where, "unexpected '=' inside an expression; use '==' to compare");
      default: return lhs;
    }
    SourceLocation where = next().where;
    ExprPtr result = Expr::make_binary(op, lhs, additive(), where);
    switch (peek().kind) {
      case TokenKind::Less: case TokenKind::LessEqual: case TokenKind::Greater:
      case TokenKind::GreaterEqual: case TokenKind::EqualEqual: case TokenKind::NotEqual:
        throw UserError(peek().where, "comparisons cannot be chained ('a < b < c'); write 'a < b and b < c'");
      default: break;
    }
    return result;
  }

  ExprPtr additive() {
    ExprPtr lhs = multiplicative();
    while (peek().kind == TokenKind::Plus || peek().kind == TokenKind::Minus) {
      const Token& op = next();
      lhs = Expr::make_binary(op.kind == TokenKind::Plus ? BinaryOp::Add : BinaryOp::Sub, lhs, multiplicative(),
                              op.where);
    }
    return lhs;
  }

  ExprPtr multiplicative() {
    ExprPtr lhs = unary();
    while (peek().kind == TokenKind::Star || peek().kind == TokenKind::Slash) {
      const Token& op = next();
      lhs = Expr::make_binary(op.kind == TokenKind::Star ? BinaryOp::Mul : BinaryOp::Div, lhs, unary(), op.where);
    }
    return lhs;
  }

  ExprPtr unary() {
    if (peek().kind == TokenKind::Minus) {
      Nested nested(*this, peek());
      SourceLocation where = next().where;
      return Expr::make_unary(model::UnaryOp::Negate, unary(), where);
    }
    if (peek().kind == TokenKind::Plus) {
      Nested nested(*this, peek());
      next();
      return unary();
    }
    return power();
  }

  // a ^ b binds tighter than unary minus on its left and is right-associative: -x^2 = -(x^2), 2^-1 = 0.5.
  ExprPtr power() {
    ExprPtr base = primary();
    if (peek().kind != TokenKind::Caret) return base;
    Nested nested(*this, peek());
    SourceLocation where = next().where;
    return Expr::make_binary(BinaryOp::Pow, base, unary(), where);
  }

  ExprPtr primary() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::Number: next(); return Expr::make_number(token.number, token.where);
      case TokenKind::Identifier: {
        next();
        if (peek().kind != TokenKind::LeftParen) return Expr::make_name(token.text, token.where);
        return call(token);
      }
      case TokenKind::LeftParen: {
        const Token& open = next();
        ExprPtr inner = expression();
        if (peek().kind != TokenKind::RightParen)
          throw UserError(peek().where, fmt::format("expected ')' to close the '(' at {}column {}, found {} "
                                                    "(unbalanced parentheses)",
                                                    open.where.line == peek().where.line
                                                        ? std::string()
                                                        : fmt::format("line {}, ", open.where.line),
                                                    open.where.column, describe(peek().kind)));
        next();
        return inner;
      }
      default: fail(token, "a number, a name, a function call or '('");
    }
  }

  ExprPtr call(const Token& name) {
    auto info = model::find_function(name.text);
    if (!info)
      throw UserError(name.where, fmt::format("unknown function '{}'; the functions are {}", name.text,
                                              model::function_list()));
    next();  // '('
    std::vector<ExprPtr> args;
    if (peek().kind != TokenKind::RightParen) {
      args.push_back(expression());
      while (accept(TokenKind::Comma)) args.push_back(expression());
    }
    if (peek().kind != TokenKind::RightParen)
      fail(peek(), fmt::format("',' or ')' in the call of {}", info->signature));
    next();
    if (static_cast<int>(args.size()) != info->arity)
      throw UserError(name.where, fmt::format("{} takes {} argument{}, {} given", info->signature, info->arity,
                                              info->arity == 1 ? "" : "s", args.size()));
    if (info->function == model::Function::Where)
      return Expr::make_conditional(args[0], args[1], args[2], name.where);
    return Expr::make_call(name.text, std::move(args), name.where);
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::vector<model::Equation> parse_equations(std::string_view text, const TextOrigin& origin) {
  return Parser(tokenize(text, origin)).equations();
}

std::vector<model::EventStatement> parse_statements(std::string_view text, const TextOrigin& origin) {
  return Parser(tokenize(text, origin)).statements();
}

model::ExprPtr parse_expression(std::string_view text, const TextOrigin& origin) {
  return Parser(tokenize(text, origin)).single_expression();
}

}  // namespace psst::lang
