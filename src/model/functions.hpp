#pragma once
// The functions the equation language knows, with their arity. The parser
// checks calls against this table; the graph layer maps each to an operation.
#include <optional>
#include <string_view>

namespace psst::model {

enum class Function { Exp, Expm1, Log, Sqrt, Pow, Abs, Min, Max, Tanh, Sin, Cos, Floor, Where, XOverExpm1, Fma, Rand, Randn };

struct FunctionInfo {
  Function function;
  std::string_view name;
  int arity;
  std::string_view signature;  // shown in error messages
};

std::optional<FunctionInfo> find_function(std::string_view name);
std::string_view function_list();  // "exp(x), log(x), ..." for error messages

}  // namespace psst::model
