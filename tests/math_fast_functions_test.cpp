// Accuracy and special values of psst::math::{exp_fast, log_fast} (math/fast.hpp), the
// exp and log of math = "fast", against the 80-bit long double libm (math_accuracy.hpp).
// Their error bounds are stated in math/fast.hpp; these tests assert them.
#include "math/fast.hpp"

#include <gtest/gtest.h>

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

}  // namespace
