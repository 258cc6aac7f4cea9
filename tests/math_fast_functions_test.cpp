// Accuracy and special values of psst::math::{exp_fast, log_fast, div_fast} (math/fast.hpp),
// the exp, log and division of math = "fast", against the 80-bit long double libm and
// long double division (64-bit significand: 2^-11 ULP of a double) (math_accuracy.hpp).
// Their error bounds are stated in math/fast.hpp; these tests assert them.
#include "math/fast.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>

#include "math_accuracy.hpp"

namespace {

namespace pm = psst::math;
using namespace psst::test::math;

double f_exp_fast(double x) { return pm::exp_fast(x); }
double f_log_fast(double x) { return pm::log_fast(x); }
long double r_exp(long double x) { return std::exp(x); }
long double r_log(long double x) { return std::log(x); }

// Measured 1.09 ULP here (2.6 million points), 1.10 offline (4 million); the bound stated in
// math/fast.hpp is 1.5.
TEST(MathFastFunctions, ExpFastUlpError) {
  std::mt19937_64 g(20261202);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f_exp_fast, r_exp, gen, n);
    report(what, m);
    worst.merge(m);
  };
  run("exp_fast [-708.39, 709.78]", [&] { return uniform(g, -708.39, 709.78); }, 1500000);
  run("exp_fast [-1, 1]", [&] { return uniform(g, -1.0, 1.0); }, 500000);
  run("exp_fast [-100, 50] (rate functions)", [&] { return uniform(g, -100.0, 50.0); }, 500000);
  run("exp_fast tiny |x|", [&] { return log_uniform(g, 80); }, 100000);
  run("exp_fast near overflow", [&] { return uniform(g, 709.0, 709.782712893384); }, 50000);
  const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, -1e-300, 0x1p-1074, 709.782712893384,
                          0.34657359027997264, -0.34657359027997264, -708.3964185322641};
  for (double x : edges) worst.add(x, pm::exp_fast(x), r_exp(x));
  report("exp_fast overall (normal results)", worst);
  EXPECT_LE(worst.ulps, 1.5L) << "at x = " << worst.at;
  EXPECT_GT(worst.ulps, 0.5L);  // not correctly rounded: a cheaper function, not exp again
  // Subnormal results: rounded twice (2^k1, then 2^k2), measured 0.76 ULP of the subnormal grid.
  const MaxError tiny = sweep(f_exp_fast, r_exp, [&] { return uniform(g, -745.13, -708.4); }, 200000);
  report("exp_fast subnormal results", tiny);
  EXPECT_LE(tiny.ulps, 1.5L) << "at x = " << tiny.at;
}

// Measured 0.80 ULP here (3 million points), 0.82 offline (4 million); the bound stated in
// math/fast.hpp is 1.
TEST(MathFastFunctions, LogFastUlpError) {
  std::mt19937_64 g(20261203);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f_log_fast, r_log, gen, n);
    report(what, m);
    worst.merge(m);
  };
  run("log_fast all positive finite", [&] { return std::bit_cast<double>(1U + g() % (0x7ff0000000000000ULL - 1U)); },
      1000000);
  run("log_fast subnormal", [&] { return std::bit_cast<double>(1U + g() % (0x0010000000000000ULL - 1U)); }, 200000);
  run("log_fast [0.5, 2]", [&] { return uniform(g, 0.5, 2.0); }, 1500000);
  run("log_fast 1 +- 1e-3", [&] { return 1.0 + uniform(g, -1e-3, 1e-3); }, 300000);
  const double edges[] = {0x1p-1074, 0x1p-1022, DBL_MAX, 2.0, 0.5, 0x1.fffffffffffffp-1, 0x1.0000000000001p0,
                          0.70710678118654746, 0.70710678118654757, 1.4142135623730951, 10.0, 1e300, 1e-300};
  for (double x : edges) worst.add(x, pm::log_fast(x), r_log(x));
  report("log_fast overall", worst);
  EXPECT_LE(worst.ulps, 1.0L) << "at x = " << worst.at;
  EXPECT_GT(worst.ulps, 0.5L);
}

// The same special values as exp and log, bit for bit (exp_fast(0) == 1 exactly is what
// the graph's limit of x / (exp(x) - 1) at 0 relies on, expr_graph.cpp).
TEST(MathFastFunctions, SpecialValuesAsExpAndLog) {
  const double exp_points[] = {0.0, -0.0, kInf, -kInf, kNaN, -kNaN, 709.79, 710.0, 1e300, -746.0, -746.5, -1e300};
  for (double x : exp_points) EXPECT_EQ(bits(pm::exp_fast(x)), bits(pm::exp(x))) << x;
  EXPECT_EQ(bits(pm::exp_fast(0.0)), bits(1.0));
  const double log_points[] = {1.0, 0.0, -0.0, -1.0, -kInf, kInf, kNaN, -kNaN, -0x1p-1074};
  for (double x : log_points) EXPECT_EQ(bits(pm::log_fast(x)), bits(pm::log(x))) << x;
  EXPECT_EQ(bits(pm::log_fast(1.0)), bits(0.0));
}

// A double with a random significand and sign and an exponent in [lo, hi].
double random_binade(std::mt19937_64& g, int lo, int hi) {
  const double m = 1.0 + static_cast<double>(g() >> 12) * 0x1p-52;
  const double v = std::ldexp(m, lo + static_cast<int>(g() % static_cast<std::uint64_t>(hi - lo + 1)));
  return (g() & 1U) != 0U ? -v : v;
}

// div_fast against the long double quotient. Normal results: measured 0.5000 ULP, i.e.
// correctly rounded but where x / y lies within ~2^-60 of a rounding boundary (1 in ~3e5
// here); the bound asserted is faithful (< 1 ULP). Subnormal results: within 1 ULP of the
// subnormal grid (measured 0.78).
TEST(MathFastFunctions, DivFastIsFaithful) {
  std::mt19937_64 g(20261204);
  MaxError normal, subnormal;
  long correctly_rounded = 0, points = 0;
  auto check = [&](double x, double y) {
    const double q = pm::div_fast(x, y), exact = x / y;
    const long double ref = static_cast<long double>(x) / static_cast<long double>(y);
    if (std::isinf(exact) || exact == 0.0 || std::fabs(exact) < DBL_MIN) {
      subnormal.add2(x, y, q, ref);
      return;
    }
    normal.add2(x, y, q, ref);
    correctly_rounded += q == exact;
    ++points;
  };
  for (int i = 0; i < 400000; ++i) check(uniform(g, 1.0, 2.0), uniform(g, 1.0, 2.0));
  for (int i = 0; i < 400000; ++i) check(random_binade(g, -60, 60), random_binade(g, -60, 60));
  // Exponents of x and y anywhere (subnormal operands too), their difference such that
  // the quotient is near or beyond either end of the range.
  for (int i = 0; i < 400000; ++i) {
    const int ex = static_cast<int>(g() % 2097U) - 1074;
    check(random_binade(g, ex, ex), random_binade(g, std::max(ex - 1100, -1074), std::min(ex + 1100, 1023)));
  }
  for (int i = 0; i < 200000; ++i) check(std::bit_cast<double>(g() & 0x7fefffffffffffffULL), any_finite(g));
  report("div_fast normal results", normal);
  report("div_fast subnormal, zero and infinite results", subnormal);
  const double fraction = static_cast<double>(correctly_rounded) / static_cast<double>(points);
  std::printf("[ math ] div_fast correctly rounded in %.6f of %ld normal results\n", fraction, points);
  EXPECT_LT(normal.ulps, 1.0L) << normal.at << " / " << normal.at_y;
  EXPECT_LE(normal.ulps, 0.5001L) << normal.at << " / " << normal.at_y;  // measured 0.5000
  EXPECT_GT(fraction, 0.9999);
  EXPECT_LT(fraction, 1.0);  // not the IEEE division under another name
  EXPECT_LT(subnormal.ulps, 1.0L) << subnormal.at << " / " << subnormal.at_y;
}

// IEEE's special values, bit for bit (NaN: the canonical NaN), and the documented bounds at
// the ends of the range.
TEST(MathFastFunctions, DivFastSpecialValuesAsIeeeDivision) {
  const double points[] = {0.0,    -0.0,      1.0,      -1.0,        3.0,      kInf,    -kInf,      kNaN, -kNaN,
                           DBL_MAX, -DBL_MAX, DBL_MIN, 0x1p-1074, -0x1p-1074, 1e-310, 0x1.8p1023, 1e300, 1e-300};
  for (double x : points) {
    for (double y : points) {
      const double q = pm::div_fast(x, y), exact = x / y;
      if (std::isnan(exact)) {
        EXPECT_EQ(bits(q), 0x7ff8000000000000ULL) << x << " / " << y;
      } else if (std::isinf(exact) || std::isinf(x) || std::isinf(y) || x == 0.0 || y == 0.0) {
        EXPECT_EQ(bits(q), bits(exact)) << x << " / " << y;  // signs of zeros and infinities included
      } else if (exact == 0.0) {  // underflow: a zero or the smallest subnormal, of the right sign
        EXPECT_LE(std::fabs(q), 0x1p-1074) << x << " / " << y;
        EXPECT_EQ(std::signbit(q), std::signbit(exact)) << x << " / " << y;
      } else {
        EXPECT_LT(ulp_error(q, static_cast<long double>(x) / static_cast<long double>(y)), 1.0L) << x << " / " << y;
      }
    }
  }
  // Overflow: exactly at the threshold as IEEE but within 2^-33 below it (documented).
  EXPECT_EQ(pm::div_fast(DBL_MAX, 0.5), kInf);
  EXPECT_EQ(pm::div_fast(-DBL_MAX, 0x1.fffffffffffffp-1), -kInf);
  EXPECT_EQ(pm::div_fast(DBL_MAX, 1.0 + 0x1p-30), DBL_MAX / (1.0 + 0x1p-30));
  EXPECT_EQ(pm::div_fast(0x1p-1073, 2.0), 0x1p-1074);
  EXPECT_EQ(pm::div_fast(0x1p-1022, 0x1p52), 0x1p-1074);
  EXPECT_EQ(pm::div_fast(-0x1p-1074, 0x1p1000), -0.0);  // far below the grid: IEEE's signed zero
  // Just below the grid (IEEE: zero) may give the smallest subnormal: within 1 ULP of the grid.
  EXPECT_LE(pm::div_fast(0x1p-1074, 3.0), 0x1p-1074);
}

}  // namespace
