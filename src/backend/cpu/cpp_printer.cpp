#include "backend/cpu/cpp_printer.hpp"

#include <bit>
#include <cctype>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "io/sha256.hpp"
#include "math_source.hpp"
#include "model/error.hpp"

namespace psst::backend::cpu {

namespace {

using graph::Op;

std::string literal(double value) {
  if (std::isfinite(value)) return fmt::format("{:a}", value);  // exact, -0.0 included
  // inf and NaN by their bits: a folded 0/0 is x86's negative default NaN, not __builtin_nan("").
  return fmt::format("std::bit_cast<double>(std::uint64_t{{0x{:016x}}})", std::bit_cast<std::uint64_t>(value));
}

// The C++ of an operation. Single precision: functions get double arguments
// (psst::math has double functions only; std::sqrt is then not sqrtf) and their
// result is rounded once when assigned to a float register, as the interpreter rounds it.
std::string expression(const graph::Instruction& in, bool single) {
  auto r = [single](int reg) { return single ? fmt::format("double(r{})", reg) : fmt::format("r{}", reg); };
  auto plain = [](int reg) { return fmt::format("r{}", reg); };
  // Arithmetic and comparisons on the registers themselves (float ops in single precision).
  const std::string pa = plain(in.a), pb = plain(in.b);
  const std::string a = r(in.a), b = r(in.b), c = plain(in.c);
  switch (in.op) {
    case Op::Neg: return "-" + pa;
    case Op::Add: return pa + " + " + pb;
    case Op::Sub: return pa + " - " + pb;
    case Op::Mul: return pa + " * " + pb;
    case Op::Div: return pa + " / " + pb;
    // psst::math, as graph::apply: the same bits (pow(x, 2.0) is not x * x, see compiler.cpp).
    case Op::Pow: return fmt::format("psst::math::pow({}, {})", a, b);
    case Op::Exp: return fmt::format("psst::math::exp({})", a);
    case Op::Expm1: return fmt::format("psst::math::expm1({})", a);
    case Op::Log: return fmt::format("psst::math::log({})", a);
    case Op::ExpFast: return fmt::format("psst::math::exp_fast({})", a);
    case Op::LogFast: return fmt::format("psst::math::log_fast({})", a);
    case Op::Sqrt: return fmt::format("std::sqrt({})", a);
    case Op::Abs: return fmt::format("std::fabs({})", pa);
    case Op::Min: return fmt::format("{1} < {0} ? {1} : {0}", pa, pb);
    case Op::Max: return fmt::format("{0} < {1} ? {1} : {0}", pa, pb);
    case Op::Tanh: return fmt::format("psst::math::tanh({})", a);
    case Op::Sin: return fmt::format("psst::math::sin({})", a);
    case Op::Cos: return fmt::format("psst::math::cos({})", a);
    case Op::Floor: return fmt::format("psst::math::floor({})", a);
    case Op::XOverExpm1: return fmt::format("psst::math::x_over_expm1({})", a);
    case Op::Less: return fmt::format("{} < {} ? 1.0 : 0.0", pa, pb);
    case Op::LessEqual: return fmt::format("{} <= {} ? 1.0 : 0.0", pa, pb);
    case Op::Greater: return fmt::format("{} > {} ? 1.0 : 0.0", pa, pb);
    case Op::GreaterEqual: return fmt::format("{} >= {} ? 1.0 : 0.0", pa, pb);
    case Op::Equal: return fmt::format("{} == {} ? 1.0 : 0.0", pa, pb);
    case Op::NotEqual: return fmt::format("{} != {} ? 1.0 : 0.0", pa, pb);
    case Op::And: return fmt::format("({} != 0.0 && {} != 0.0) ? 1.0 : 0.0", pa, pb);
    case Op::Or: return fmt::format("({} != 0.0 || {} != 0.0) ? 1.0 : 0.0", pa, pb);
    case Op::Not: return fmt::format("{} == 0.0 ? 1.0 : 0.0", pa);
    case Op::Select: return fmt::format("{} != 0.0 ? {} : {}", pa, plain(in.b), c);
    // Correctly rounded everywhere (std::fma: an instruction with -march=native on FMA
    // hardware, libm's exact fma without; CUDA's fma): the interpreter's bits.
    case Op::Fma: return fmt::format("std::fma({}, {}, {})", a, b, r(in.c));
    // On the register itself: the float overload (2^-126) in single precision.
    case Op::FlushSubnormal: return fmt::format("psst::math::flush_subnormal({})", pa);
    case Op::Constant: case Op::Input: case Op::Store: case Op::RandomUniform: case Op::RandomNormal: break;
  }
  throw InternalError(fmt::format("cpp_printer: no C++ for operation {}", graph::name(in.op)));
}

const char* binding_name(Binding b) {
  return b == Binding::Broadcast ? "broadcast" : b == Binding::Array ? "array" : "gathered";
}

// A random variate from the raw float64 key table (in<k>: two words per key) and step
// counter (b<k>: a broadcast or launch scalar), at element e or the element's site (math/random.hpp).
std::string random_variate(const graph::Program& program, const std::vector<Binding>& bindings,
                           const graph::Instruction& in) {
  auto key = static_cast<std::size_t>(in.slot), step = static_cast<std::size_t>(in.step_slot);
  if (in.slot < 0 || key >= bindings.size() || in.step_slot < 0 || step >= bindings.size() ||
      bindings[step] != Binding::Broadcast)
    throw InternalError(fmt::format("kernel {}: random operation without a key table and a step counter",
                                    program.name));
  // The element's site: e, or the raw float64 of the site input (Slot::RandomSite) as an integer.
  std::string site = "e";
  if (in.site_slot >= 0) {
    const auto i = static_cast<std::size_t>(in.site_slot);
    if (i >= bindings.size())
      throw InternalError(fmt::format("kernel {}: random site slot {} out of range", program.name, in.site_slot));
    const std::string value = bindings[i] == Binding::Broadcast ? fmt::format("b{}", i)
                              : bindings[i] == Binding::Array   ? fmt::format("in{}[e]", i)
                                                                : fmt::format("in{}[ix{}[e]]", i, i);
    site = fmt::format("static_cast<std::uint64_t>({})", value);
  }
  return fmt::format("    r{} = psst::math::kernel_{}(in{}, b{}, {}, {}u);\n", in.dst,
                     in.op == Op::RandomNormal ? "normal" : "uniform", key, step, site,
                     static_cast<std::uint32_t>(in.constant));
}

}  // namespace

std::string translation_unit_prologue() {
  return std::string("// Generated by psst from the IR of a model's kernels (see `psst codegen`).\n"
                     "#include <bit>\n#include <cmath>\n#include <cstddef>\n#include <cstdint>\n\n"
                     "// ---- src/math/{functions,pow,trig}.hpp, the text psst was built with ----\n") +
         math_functions_source + "\n// ---- kernels ----\n\n";
}

std::string readable_prologue() {
  return "// Generated by psst from the IR of a model's kernels.\n"
         "#include <bit>\n#include <cmath>\n#include <cstddef>\n#include <cstdint>\n"
         "// compiled units contain the text of these headers, as psst was built with them\n"
         "#include \"math/functions.hpp\"\n#include \"math/fast.hpp\"\n#include \"math/pow.hpp\"\n#include \"math/trig.hpp\"\n"
         "#include \"math/random.hpp\"\n\n";
}

std::string print_element_body(const graph::Program& program, const std::vector<Binding>& bindings,
                               graph::Precision precision) {
  const bool single = precision == graph::Precision::Single;
  // What a register holds after an assignment: a value rounded to the kernel's precision.
  auto rounded = [single](double v) { return single ? static_cast<double>(static_cast<float>(v)) : v; };
  std::string s;
  if (program.register_count > 0) {
    s += single ? "    float" : "    double";
    for (int r = 0; r < program.register_count; ++r) s += fmt::format("{} r{}", r ? "," : "", r);
    s += ";\n";
  }
  // Registers known to hold a constant: operations on constants only are folded here
  // with graph::apply, so the C++ compiler never folds (pow, sin, ...) with its own library.
  std::vector<std::optional<double>> known(static_cast<std::size_t>(std::max(program.register_count, 0)));
  auto value = [&](int reg) -> std::optional<double> {
    return reg >= 0 && static_cast<std::size_t>(reg) < known.size() ? known[static_cast<std::size_t>(reg)]
                                                                   : std::nullopt;
  };
  for (const auto& in : program.code) {
    if (in.op != Op::Store && (in.dst < 0 || in.dst >= program.register_count))
      throw InternalError(fmt::format("kernel {}: register r{} out of range", program.name, in.dst));
    switch (in.op) {
      case Op::Constant:
        known[static_cast<std::size_t>(in.dst)] = rounded(in.constant);
        s += fmt::format("    r{} = {};\n", in.dst, literal(rounded(in.constant)));
        break;
      case Op::Input: {
        auto i = static_cast<std::size_t>(in.slot);
        if (in.slot < 0 || i >= bindings.size())
          throw InternalError(fmt::format("kernel {}: input slot {} out of range", program.name, in.slot));
        known[static_cast<std::size_t>(in.dst)].reset();
        if (bindings[i] == Binding::Broadcast) s += fmt::format("    r{} = b{};\n", in.dst, i);
        if (bindings[i] == Binding::Array) s += fmt::format("    r{} = in{}[e];\n", in.dst, i);
        if (bindings[i] == Binding::Gathered) s += fmt::format("    r{} = in{}[ix{}[e]];\n", in.dst, i, i);
        break;
      }
      case Op::Store: s += fmt::format("    out{}[e] = r{};\n", in.slot, in.a); break;
      case Op::RandomUniform: case Op::RandomNormal:
        known[static_cast<std::size_t>(in.dst)].reset();
        s += random_variate(program, bindings, in);
        break;
      default: {
        const int n = graph::arity(in.op);
        auto a = value(in.a), b = n > 1 ? value(in.b) : 0.0, c = n > 2 ? value(in.c) : 0.0;
        std::optional<double> folded;
        if (a && b && c) folded = graph::apply(in.op, *a, *b, *c, precision);
        known[static_cast<std::size_t>(in.dst)] = folded;
        s += fmt::format("    r{} = {};\n", in.dst, folded ? literal(*folded) : expression(in, single));
      }
    }
  }
  return s;
}

namespace {

// With comments (program and slot names) for reading, without them for the hash that names the function.
std::string print(const graph::Program& program, const std::vector<Binding>& bindings,
                  const std::string& function_name, bool comments, graph::Precision precision) {
  const bool single = precision == graph::Precision::Single;
  if (bindings.size() != program.inputs.size())
    throw InternalError(fmt::format("kernel {}: {} bindings for {} inputs", program.name, bindings.size(),
                                    program.inputs.size()));
  // Only the program's name (an identifier psst made) goes into a comment; slot names are
  // listed as data in comments too, but with anything outside [A-Za-z0-9_.] replaced.
  auto safe = [comments](const std::string& text) {
    if (!comments) return std::string();
    std::string s;
    for (char ch : text) s += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.') ? ch : '?';
    return s;
  };
  std::string s = comments ? fmt::format("// {}{}\n", safe(program.name), single ? " (single precision)" : "") : "";
  s += fmt::format("extern \"C\" void {}(const double* const* in, const std::uint32_t* const* index, "
                   "double* const* out, std::size_t begin, std::size_t end) {{\n",
                   function_name);
  bool uses_index = false;
  for (std::size_t i = 0; i < program.inputs.size(); ++i) {
    s += fmt::format("  const double* in{} = in[{}];  // {} ({})\n", i, i, safe(program.inputs[i]),
                     binding_name(bindings[i]));
    if (bindings[i] == Binding::Broadcast) s += fmt::format("  const double b{} = in{}[0];\n", i, i);
    if (bindings[i] == Binding::Gathered) {
      s += fmt::format("  const std::uint32_t* ix{} = index[{}];\n", i, i);
      uses_index = true;
    }
  }
  if (!uses_index) s += "  (void)index;\n";
  for (std::size_t o = 0; o < program.outputs.size(); ++o)
    s += fmt::format("  double* out{} = out[{}];  // {}\n", o, o, safe(program.outputs[o]));
  // Outputs may be the very arrays of some inputs (x.V updated in place), but element e
  // only ever touches index e: no dependency between iterations.
  s += "#pragma GCC ivdep\n";
  s += "  for (std::size_t e = begin; e < end; ++e) {\n";
  s += print_element_body(program, bindings, precision);
  s += "  }\n}\n\n";
  return s;
}

}  // namespace

std::string print_kernel(const graph::Program& program, const std::vector<Binding>& bindings,
                         const std::string& function_name, graph::Precision precision) {
  return print(program, bindings, function_name, true, precision);
}

std::string kernel_function_name(const graph::Program& program, const std::vector<Binding>& bindings,
                                 graph::Precision precision) {
  return "psst_kernel_" + io::sha256(print(program, bindings, "psst_kernel", false, precision)).substr(0, 24);
}

}  // namespace psst::backend::cpu
