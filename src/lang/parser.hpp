#pragma once
// Recursive-descent parser of the equation language (docs/model-files.md).
// Precedence, lowest first: ?:  or  and  not  comparisons  + -  * /  unary -  ^ (right-assoc).
#include <string_view>
#include <vector>

#include "lang/lexer.hpp"
#include "model/equation.hpp"
#include "model/network.hpp"

namespace psst::lang {

// A block of equations, one per line. Throws UserError with file:line:column.
std::vector<model::Equation> parse_equations(std::string_view text, const TextOrigin& origin);

// Event statements "target = expr", "target += expr", "-=", "*=", one per line or separated by ';'.
std::vector<model::EventStatement> parse_statements(std::string_view text, const TextOrigin& origin);

// A single expression (thresholds, initial values, input expressions).
model::ExprPtr parse_expression(std::string_view text, const TextOrigin& origin);

}  // namespace psst::lang
