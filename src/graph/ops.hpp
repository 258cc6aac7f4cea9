#pragma once
// The operations of the expression graph and of the IR, with their exact
// semantics on one value. Every backend computes an operation to these bits:
// the reference interpreter calls apply() directly, printed kernels call the
// same psst::math functions. Booleans are 0.0 and 1.0.
#include <cmath>
#include <cstdint>

#include "math/fast.hpp"
#include "math/functions.hpp"
#include "math/pow.hpp"
#include "math/trig.hpp"

namespace psst::graph {

enum class Op : std::uint8_t {
  Constant, Input,  // leaves: a literal, a kernel argument slot
  Neg, Add, Sub, Mul, Div, Pow,
  Exp, Expm1, Log, Sqrt, Abs, Min, Max, Tanh, Sin, Cos, Floor, XOverExpm1,
  Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual, And, Or, Not,
  Select,  // Select(c, a, b) = c != 0 ? a : b
  Fma,     // Fma(a, b, c) = a * b + c rounded once (IEEE fusedMultiplyAdd): the same bits on every
           // backend (x86 with FMA, libm without, CUDA); never formed by contraction, only asked for
  Store,   // IR only: output slot = register
  // x, or a zero of x's sign where |x| is below the smallest normal number of
  // the kernel's precision (2^-1022 in double, 2^-126 in single): applied to the
  // state a kernel stores (see element_kernels.hpp), never written by users.
  FlushSubnormal,
  // A counter-based random variate (math/random.hpp): uniform in [0, 1), standard normal.
  // Operands: the kernel's key table (an input) and the step counter (an input); the
  // node's value is the draw number. Each element e draws Philox4x32-10 with that key at
  // counter (e, step + draw number * 2^40): a pure function of key, element, step and
  // draw, the same bits on every backend. The IR reads both operands as the raw float64
  // values of their input slots (Instruction::slot, Instruction::step_slot), never as registers,
  // so single precision does not round them. Never folded.
  RandomUniform, RandomNormal,
  // math = "fast" only: exp and log with a larger error bound (math/fast.hpp), which the
  // graph uses in place of Exp and Log in fast mode.
  ExpFast, LogFast,
};

inline bool is_random(Op op) { return op == Op::RandomUniform || op == Op::RandomNormal; }

// The arithmetic of a kernel. Single: every operation's result is rounded to
// float32 (inputs too, as they are read); storage stays float64 (kernel outputs
// are float32 values; the run loop's sums over synapses and on_pre additions
// are done in float64, on every backend alike). +, -, *, /, sqrt computed in float64 and rounded give the
// float32 operation's result exactly (53 >= 2 * 24 + 2), so an interpreter
// working in double and a compiled kernel working in float agree bitwise;
// exp, log, pow and the like are evaluated in float64 and rounded once.
enum class Precision { Double, Single };

// What the graph may rewrite (ExprGraph). Exact: only rewrites that give the
// same bits for every operand (x / 2^k -> x * 2^-k, constant folding). Fast
// (math = "fast"): also rewrites of the same real number with other roundings:
// x / c -> x * (1/c) with 1/c rounded once, x / (1 / y) -> x * y,
// a * b + c -> fma(a, b, c), a divisor used more than once inverted once (lowering.cpp),
// (p - a / s) * s -> p * s - a, exp and log -> exp_fast and log_fast (math/fast.hpp). They are
// decided in the graph, so every backend runs the same operations and computes
// the same bits in fast mode too; the bits differ from exact mode's.
enum class MathMode { Exact, Fast };
inline const char* math_mode_name(MathMode m) { return m == MathMode::Fast ? "fast" : "exact"; }

int arity(Op op);
const char* name(Op op);
bool is_commutative(Op op);

inline double apply(Op op, double a, double b, double c) {
  switch (op) {
    case Op::Neg: return -a;
    case Op::Add: return a + b;
    case Op::Sub: return a - b;
    case Op::Mul: return a * b;
    case Op::Div: return a / b;
    case Op::Pow: return psst::math::pow(a, b);
    case Op::Exp: return psst::math::exp(a);
    case Op::Expm1: return psst::math::expm1(a);
    case Op::Log: return psst::math::log(a);
    case Op::ExpFast: return psst::math::exp_fast(a);
    case Op::LogFast: return psst::math::log_fast(a);
    case Op::Sqrt: return std::sqrt(a);
    case Op::Abs: return std::fabs(a);
    case Op::Min: return b < a ? b : a;
    case Op::Max: return a < b ? b : a;
    case Op::Tanh: return psst::math::tanh(a);
    case Op::Sin: return psst::math::sin(a);
    case Op::Cos: return psst::math::cos(a);
    case Op::Floor: return psst::math::floor(a);
    case Op::XOverExpm1: return psst::math::x_over_expm1(a);
    case Op::Less: return a < b ? 1.0 : 0.0;
    case Op::LessEqual: return a <= b ? 1.0 : 0.0;
    case Op::Greater: return a > b ? 1.0 : 0.0;
    case Op::GreaterEqual: return a >= b ? 1.0 : 0.0;
    case Op::Equal: return a == b ? 1.0 : 0.0;
    case Op::NotEqual: return a != b ? 1.0 : 0.0;
    case Op::And: return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
    case Op::Or: return (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
    case Op::Not: return a == 0.0 ? 1.0 : 0.0;
    case Op::Select: return a != 0.0 ? b : c;
    case Op::Fma: return std::fma(a, b, c);
    case Op::FlushSubnormal: return psst::math::flush_subnormal(a);
    case Op::Constant: case Op::Input: case Op::Store: case Op::RandomUniform: case Op::RandomNormal: break;
  }
  return 0.0;
}

// An operation in a kernel of the given precision: in single precision the
// operands are float32 values (as registers hold them), the result is rounded
// to float32, and FlushSubnormal flushes below float32's smallest normal.
// What the interpreter computes, and what constant folding must compute.
inline double apply(Op op, double a, double b, double c, Precision precision) {
  if (precision == Precision::Double) return apply(op, a, b, c);
  if (op == Op::FlushSubnormal) return psst::math::flush_subnormal(static_cast<float>(a));
  return static_cast<float>(apply(op, a, b, c));
}

}  // namespace psst::graph
