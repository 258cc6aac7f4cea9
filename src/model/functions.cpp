#include "model/functions.hpp"

#include <array>

namespace psst::model {

namespace {
constexpr std::array<FunctionInfo, 17> functions{{
    {Function::Exp, "exp", 1, "exp(x)"},
    {Function::Expm1, "expm1", 1, "expm1(x)"},
    {Function::Log, "log", 1, "log(x)"},
    {Function::Sqrt, "sqrt", 1, "sqrt(x)"},
    {Function::Pow, "pow", 2, "pow(x, y)"},
    {Function::Abs, "abs", 1, "abs(x)"},
    {Function::Min, "min", 2, "min(x, y)"},
    {Function::Max, "max", 2, "max(x, y)"},
    {Function::Tanh, "tanh", 1, "tanh(x)"},
    {Function::Sin, "sin", 1, "sin(x)"},
    {Function::Cos, "cos", 1, "cos(x)"},
    {Function::Floor, "floor", 1, "floor(x)"},
    {Function::Where, "where", 3, "where(condition, if_true, if_false)"},
    {Function::XOverExpm1, "x_over_expm1", 1, "x_over_expm1(x) = x/(exp(x)-1)"},
    {Function::Fma, "fma", 3, "fma(x, y, z) = x*y + z rounded once"},
    {Function::Rand, "rand", 0, "rand(): uniform in [0, 1), drawn per neuron and step"},
    {Function::Randn, "randn", 0, "randn(): standard normal, drawn per neuron and step"},
}};
}  // namespace

std::optional<FunctionInfo> find_function(std::string_view name) {
  for (const auto& f : functions)
    if (f.name == name) return f;
  return std::nullopt;
}

std::string_view function_list() {
  return "exp(x), expm1(x), log(x), sqrt(x), pow(x, y), abs(x), min(x, y), max(x, y), tanh(x), sin(x), cos(x), "
         "floor(x), where(c, a, b), x_over_expm1(x), fma(x, y, z), rand(), randn()";
}

}  // namespace psst::model
