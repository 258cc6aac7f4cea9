// Scalar and auto-vectorised psst::math give the same bits.
//
// The reference is one call at a time through a noinline wrapper compiled for
// the baseline ISA (x86-64: SSE2), so it is never vectorised.  The same function
// is then called in plain loops over arrays, compiled three times: for the
// baseline ISA (scalar: without FMA hardware each of psst::math's explicit
// fmas is a libm call, which stops the vectoriser), with target("avx2,fma")
// (4 per YMM register) and with target("avx512f,...") (8 per ZMM register;
// AVX-512F implies FMA).  g++ 12 -O3 -ffp-contract=off vectorises the last two;
// verify with -fopt-info-vec or objdump -d (look for vfmadd on ymm and zmm
// registers in the *_loop functions).  In a Debug build nothing is
// vectorised and the test is trivially true.
#include "math/fast.hpp"
#include "math/functions.hpp"
#include "math/pow.hpp"
#include "math/trig.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

namespace pm = psst::math;

using Loop = void (*)(const double* __restrict, double* __restrict, int);
using Scalar = double (*)(double);

__attribute__((noinline)) double scalar_exp(double x) { return pm::exp(x); }
__attribute__((noinline)) double scalar_expm1(double x) { return pm::expm1(x); }
__attribute__((noinline)) double scalar_log(double x) { return pm::log(x); }
__attribute__((noinline)) double scalar_x_over_expm1(double x) { return pm::x_over_expm1(x); }
__attribute__((noinline)) double scalar_tanh(double x) { return pm::tanh(x); }
__attribute__((noinline)) double scalar_sin(double x) { return pm::sin(x); }
__attribute__((noinline)) double scalar_cos(double x) { return pm::cos(x); }
__attribute__((noinline)) double scalar_pow(double x, double y) { return pm::pow(x, y); }
__attribute__((noinline)) double scalar_exp_fast(double x) { return pm::exp_fast(x); }
__attribute__((noinline)) double scalar_div_fast(double x, double y) { return pm::div_fast(x, y); }
__attribute__((noinline)) double scalar_log_fast(double x) { return pm::log_fast(x); }

#define PSST_MATH_TEST_LOOPS(isa, attributes)                                                          \
  attributes void exp_loop_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::exp(x[i]);                                                 \
  }                                                                                                   \
  attributes void expm1_loop_##isa(const double* __restrict x, double* __restrict y, int n) {        \
    for (int i = 0; i < n; ++i) y[i] = pm::expm1(x[i]);                                               \
  }                                                                                                   \
  attributes void log_loop_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::log(x[i]);                                                 \
  }                                                                                                   \
  attributes void x_over_expm1_loop_##isa(const double* __restrict x, double* __restrict y, int n) { \
    for (int i = 0; i < n; ++i) y[i] = pm::x_over_expm1(x[i]);                                        \
  }                                                                                                   \
  attributes void tanh_loop_##isa(const double* __restrict x, double* __restrict y, int n) {         \
    for (int i = 0; i < n; ++i) y[i] = pm::tanh(x[i]);                                                \
  }                                                                                                   \
  attributes void sin_loop_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::sin(x[i]);                                                 \
  }                                                                                                   \
  attributes void cos_loop_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::cos(x[i]);                                                 \
  }                                                                                                   \
  attributes void pow_loop_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::pow(x[i], x[n - 1 - i]);                                   \
  }                                                                                                   \
  attributes void exp_fast_loop_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::exp_fast(x[i]);                                            \
  }                                                                                                   \
  attributes void log_fast_loop_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::log_fast(x[i]);                                            \
  }                                                                                                   \
  attributes void div_fast_loop_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::div_fast(x[i], x[n - 1 - i]);                              \
  }

PSST_MATH_TEST_LOOPS(baseline, __attribute__((noinline)))
#if defined(__x86_64__) && defined(__GNUC__)
PSST_MATH_TEST_LOOPS(avx2, __attribute__((noinline, target("avx2,fma"))))
PSST_MATH_TEST_LOOPS(avx512, __attribute__((noinline, target("avx512f,avx512dq,avx512vl,prefer-vector-width=512"))))
#endif
#undef PSST_MATH_TEST_LOOPS

// About a million inputs that reach every path: the whole exp domain and
// beyond, small and tiny arguments, random bit patterns (NaNs with payloads,
// infinities, subnormals, negatives), and the edge values.
const std::vector<double>& inputs() {
  static const std::vector<double> xs = [] {
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> v = {0.0, -0.0, 1.0, -1.0, inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                             -std::numeric_limits<double>::quiet_NaN(), std::bit_cast<double>(0x7ff0000000000001ULL),
                             0x1p-1074, -0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp1023, 709.782712893384,
                             709.7827128933841, 709.79, 710.0, -708.3964185322641, -744.4400719213812,
                             -745.1332191019411, -745.1332191019412, -746.0, -746.5, 40.0, 746.0,
                             0.34657359027997264, -0.34657359027997264, 0.70710678118654746, 1.4142135623730951};
    std::mt19937_64 g(12345);
    auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); };
    const int n = 1000003;  // odd: the vector loops' scalar epilogues run too
    while (static_cast<int>(v.size()) < n) {
      switch (g() % 6) {
        case 0: v.push_back(uni(-800.0, 800.0)); break;
        case 1: v.push_back(uni(-2.0, 2.0)); break;
        case 2: v.push_back(std::ldexp(uni(-1.0, 1.0), -static_cast<int>(g() % 1100))); break;
        case 3: v.push_back(std::bit_cast<double>(g())); break;  // any double
        case 4: v.push_back(std::bit_cast<double>(g() >> 1)); break;  // any non-negative double
        default: v.push_back(uni(-60.0, 60.0)); break;
      }
    }
    return v;
  }();
  return xs;
}

// The loop's y[i] against scalar(i), one call at a time.
template <class ScalarAt>
void expect_loop_matches(const char* name, ScalarAt scalar_at, Loop loop) {
  const std::vector<double>& x = inputs();
  const int n = static_cast<int>(x.size());
  std::vector<double> y(x.size());
  loop(x.data(), y.data(), n);
  int mismatches = 0;
  for (int i = 0; i < n; ++i) {
    const auto sb = std::bit_cast<std::uint64_t>(scalar_at(i));
    const auto vb = std::bit_cast<std::uint64_t>(y[static_cast<std::size_t>(i)]);
    if (sb != vb && ++mismatches <= 5) {
      ADD_FAILURE() << name << "(" << x[static_cast<std::size_t>(i)] << " = 0x" << std::hex
                    << std::bit_cast<std::uint64_t>(x[static_cast<std::size_t>(i)]) << "): scalar 0x" << sb
                    << ", vector 0x" << vb << std::dec;
    }
  }
  EXPECT_EQ(mismatches, 0) << name << ": " << mismatches << " of " << n << " results differ";
}

void expect_bitwise_equal(const char* name, Scalar scalar, Loop loop) {
  const std::vector<double>& x = inputs();
  expect_loop_matches(name, [&](int i) { return scalar(x[static_cast<std::size_t>(i)]); }, loop);
}

// pow(x[i], x[n-1-i]): every kind of argument against every other.
void expect_pow_bitwise_equal(Loop loop) {
  const std::vector<double>& x = inputs();
  const std::size_t n = x.size();
  expect_loop_matches("pow", [&](int i) { return scalar_pow(x[static_cast<std::size_t>(i)], x[n - 1 - static_cast<std::size_t>(i)]); }, loop);
}

// div_fast(x[i], x[n-1-i]) (math/fast.hpp), as pow: every kind of operand against every other.
void expect_div_fast_bitwise_equal(Loop loop) {
  const std::vector<double>& x = inputs();
  const std::size_t n = x.size();
  expect_loop_matches(
      "div_fast", [&](int i) { return scalar_div_fast(x[static_cast<std::size_t>(i)], x[n - 1 - static_cast<std::size_t>(i)]); },
      loop);
}

// The functions added for issue 11.  sin and cos vectorise with AVX2 and AVX-512
// only (gathers from the 2/pi table); their baseline loops stay scalar.
void expect_tanh_sin_cos_pow(Loop tanh_loop, Loop sin_loop, Loop cos_loop, Loop pow_loop) {
  expect_bitwise_equal("tanh", scalar_tanh, tanh_loop);
  expect_bitwise_equal("sin", scalar_sin, sin_loop);
  expect_bitwise_equal("cos", scalar_cos, cos_loop);
  expect_pow_bitwise_equal(pow_loop);
}

TEST(MathFunctions, VectorBaselineMatchesScalarBitwise) {
  expect_bitwise_equal("exp", scalar_exp, exp_loop_baseline);
  expect_bitwise_equal("expm1", scalar_expm1, expm1_loop_baseline);
  expect_bitwise_equal("log", scalar_log, log_loop_baseline);
  expect_bitwise_equal("x_over_expm1", scalar_x_over_expm1, x_over_expm1_loop_baseline);
  expect_bitwise_equal("exp_fast", scalar_exp_fast, exp_fast_loop_baseline);
  expect_div_fast_bitwise_equal(div_fast_loop_baseline);
  expect_bitwise_equal("log_fast", scalar_log_fast, log_fast_loop_baseline);
  expect_tanh_sin_cos_pow(tanh_loop_baseline, sin_loop_baseline, cos_loop_baseline, pow_loop_baseline);
}

#if defined(__x86_64__) && defined(__GNUC__)
TEST(MathFunctions, VectorAvx2MatchesScalarBitwise) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    GTEST_SKIP() << "this CPU lacks AVX2/FMA: the AVX2-compiled loops cannot run here";
  expect_bitwise_equal("exp", scalar_exp, exp_loop_avx2);
  expect_bitwise_equal("expm1", scalar_expm1, expm1_loop_avx2);
  expect_bitwise_equal("log", scalar_log, log_loop_avx2);
  expect_bitwise_equal("x_over_expm1", scalar_x_over_expm1, x_over_expm1_loop_avx2);
  expect_bitwise_equal("exp_fast", scalar_exp_fast, exp_fast_loop_avx2);
  expect_div_fast_bitwise_equal(div_fast_loop_avx2);
  expect_bitwise_equal("log_fast", scalar_log_fast, log_fast_loop_avx2);
  expect_tanh_sin_cos_pow(tanh_loop_avx2, sin_loop_avx2, cos_loop_avx2, pow_loop_avx2);
}

TEST(MathFunctions, VectorAvx512MatchesScalarBitwise) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
      !__builtin_cpu_supports("avx512vl"))
    GTEST_SKIP() << "this CPU lacks AVX-512 F/DQ/VL: the AVX-512-compiled loops cannot run here";
  expect_bitwise_equal("exp", scalar_exp, exp_loop_avx512);
  expect_bitwise_equal("expm1", scalar_expm1, expm1_loop_avx512);
  expect_bitwise_equal("log", scalar_log, log_loop_avx512);
  expect_bitwise_equal("x_over_expm1", scalar_x_over_expm1, x_over_expm1_loop_avx512);
  expect_bitwise_equal("exp_fast", scalar_exp_fast, exp_fast_loop_avx512);
  expect_div_fast_bitwise_equal(div_fast_loop_avx512);
  expect_bitwise_equal("log_fast", scalar_log_fast, log_fast_loop_avx512);
  expect_tanh_sin_cos_pow(tanh_loop_avx512, sin_loop_avx512, cos_loop_avx512, pow_loop_avx512);
}
#else
TEST(MathFunctions, VectorAvx2MatchesScalarBitwise) { GTEST_SKIP() << "not an x86-64 g++/clang build"; }
TEST(MathFunctions, VectorAvx512MatchesScalarBitwise) { GTEST_SKIP() << "not an x86-64 g++/clang build"; }
#endif

}  // namespace
