#pragma once
#include <string>
#include <vector>

#include "model/expr.hpp"

namespace psst::model {

// One line of an equations block: "dX/dt = rhs" or "name = rhs".
struct Equation {
  enum class Kind { Derivative, Definition };
  Kind kind = Kind::Definition;
  std::string name;
  ExprPtr rhs;
  SourceLocation where;  // where the name is written
};

}  // namespace psst::model
