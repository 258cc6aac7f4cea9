// The equation language: precedence, functions, locations of errors.
#include <gtest/gtest.h>

#include "lang/parser.hpp"
#include "model/expr.hpp"

namespace {

using psst::lang::parse_equations;
using psst::lang::parse_expression;

std::string parsed(const std::string& text) { return psst::model::to_string(*parse_expression(text, {"f", 1, 1})); }

TEST(LangParser, Precedence) {
  EXPECT_EQ(parsed("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(parsed("-x^2"), "(-(x ^ 2))");
  EXPECT_EQ(parsed("2^-1"), "(2 ^ (-1))");
  EXPECT_EQ(parsed("a ** b ** c"), "(a ^ (b ^ c))");
  EXPECT_EQ(parsed("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(parsed("a < b and not c or d"), "(((a < b) and (not c)) or d)");
  EXPECT_EQ(parsed("a && b || !c"), "((a and b) or (not c))");
  EXPECT_EQ(parsed("c ? a : b"), "where(c, a, b)");
  EXPECT_EQ(parsed("where(x > 0, 1, 2)"), "where((x > 0), 1, 2)");
  EXPECT_EQ(parsed("1.5e-3 + .5"), "(0.0015 + 0.5)");
}

TEST(LangParser, EquationsWithCommentsAndContinuations) {
  auto eqs = parse_equations("dV/dt = (I - g*(V - E)) / C  # membrane\n\n# comment line\nI = 1 +\\\n 2\nq = (a\n + b)\n",
                             {"m.toml", 10, 1});
  ASSERT_EQ(eqs.size(), 3u);
  EXPECT_EQ(eqs[0].kind, psst::model::Equation::Kind::Derivative);
  EXPECT_EQ(eqs[0].name, "V");
  EXPECT_EQ(eqs[0].where.line, 10);
  EXPECT_EQ(eqs[1].name, "I");
  EXPECT_EQ(eqs[1].where.line, 13);
  EXPECT_EQ(eqs[2].name, "q");
  EXPECT_EQ(eqs[2].where.line, 15);
}

void expect_error(const std::string& text, const std::string& fragment, int line, int column) {
  try {
    parse_equations(text, {"m.toml", 1, 1});
    FAIL() << "no error for: " << text;
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(e.where().line, line) << e.what();
    EXPECT_EQ(e.where().column, column) << e.what();
    EXPECT_NE(std::string(e.what()).find("m.toml:"), std::string::npos) << e.what();
  }
}

TEST(LangParser, ErrorsNameLineColumnAndWhatWasExpected) {
  expect_error("dV/dt = (1 + 2\n", "unbalanced parentheses", 2, 1);
  expect_error("x = 1 + 2)\n", "unbalanced parentheses", 1, 10);
  expect_error("x = 1 +\n", "expected a number, a name", 1, 8);
  expect_error("x = foo(1)\n", "unknown function 'foo'", 1, 5);
  expect_error("x = exp(1, 2)\n", "exp(x) takes 1 argument, 2 given", 1, 5);
  expect_error("x = 1 $ 2\n", "unexpected character '$'", 1, 7);
  expect_error("x = 2x\n", "put an operator between them", 1, 6);
  expect_error("dV/dx = 1\n", "'dt' in a derivative", 1, 4);
  expect_error("x == 1\n", "'=' after 'x'", 1, 3);
  expect_error("x = a < b < c\n", "cannot be chained", 1, 11);
  expect_error("\n\n  y 1\n", "'=' after 'y'", 3, 5);
  expect_error("x = where(a, b)\n", "takes 3 arguments, 2 given", 1, 5);
}

}  // namespace
