// Accuracy and special values of psst::math::{exp, expm1, log, x_over_expm1}
// (pow, sin, cos, tanh: math_pow_trig_test.cpp), against the 80-bit long
// double libm (see math_accuracy.hpp).
#include "math/functions.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "math_accuracy.hpp"

namespace {

namespace pm = psst::math;
using namespace psst::test::math;

double f_exp(double x) { return pm::exp(x); }
double f_expm1(double x) { return pm::expm1(x); }
double f_exp_precise(double x) { return pm::exp_precise(x); }
double f_log(double x) { return pm::log(x); }
double f_xoe(double x) { return pm::x_over_expm1(x); }
long double r_exp(long double x) { return std::exp(x); }
long double r_expm1(long double x) { return std::expm1(x); }
long double r_log(long double x) { return std::log(x); }
long double r_xoe(long double x) { return x == 0.0L ? 1.0L : x / std::expm1(x); }

// ---- accuracy ---------------------------------------------------------------

// The worst error of an exp over its whole domain, subnormal results included.
MaxError exp_accuracy(double (*f)(double), const char* name) {
  std::mt19937_64 g(20240611);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f, r_exp, gen, n);
    report((std::string(name) + " " + what).c_str(), m);
    if (m.ulps > worst.ulps) worst = m;
  };
  run("exp  [-745.13, 709.78]", [&] { return uniform(g, -745.13, 709.78); }, 2000000);
  run("exp  [-1, 1]", [&] { return uniform(g, -1.0, 1.0); }, 1000000);
  run("exp  tiny |x|", [&] { return log_uniform(g, 80); }, 300000);
  run("exp  subnormal results", [&] { return uniform(g, -745.13, -708.39); }, 500000);
  run("exp  near overflow", [&] { return uniform(g, 709.0, 709.782712893384); }, 100000);
  // Edge points.
  const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, -1e-300, 0x1p-1074, 709.782712893384,
                          709.78, -708.3964185322641, -708.4, -744.44007192138126, -745.13321910194110,
                          -745.1332191019411, 0.34657359027997264, -0.34657359027997264, 88.72283905206835};
  for (double x : edges) worst.add(x, f(x), r_exp(x));
  report((std::string(name) + " overall").c_str(), worst);
  return worst;
}

// The kernels' exp: measured 0.77 ULP at most (subnormal results; 0.60 for normal ones).
TEST(MathFunctions, ExpUlpError) {
  const MaxError worst = exp_accuracy(f_exp, "exp");
  EXPECT_LE(worst.ulps, 0.8L) << "at x = " << worst.at;
}

// The exactly summed twin: near-correct rounding (measured 0.54).
TEST(MathFunctions, ExpPreciseUlpError) {
  const MaxError worst = exp_accuracy(f_exp_precise, "exp_precise");
  EXPECT_LE(worst.ulps, 0.55L) << "at x = " << worst.at;
}

TEST(MathFunctions, Expm1UlpError) {
  std::mt19937_64 g(7);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f_expm1, r_expm1, gen, n);
    report(what, m);
    if (m.ulps > worst.ulps) worst = m;
  };
  run("expm1 [-745.13, 709.78]", [&] { return uniform(g, -745.13, 709.78); }, 1000000);
  run("expm1 [-60, 60]", [&] { return uniform(g, -60.0, 60.0); }, 1000000);
  run("expm1 [-2, 2]", [&] { return uniform(g, -2.0, 2.0); }, 1000000);
  run("expm1 |x| = 2^-e, e < 60", [&] { return log_uniform(g, 60); }, 500000);
  run("expm1 |x| = 2^-e, e < 1000", [&] { return log_uniform(g, 1000); }, 200000);
  MaxError small = sweep(f_expm1, r_expm1, [&] { return uniform(g, -1e-5, 1e-5); }, 500000);
  report("expm1 [-1e-5, 1e-5]", small);
  EXPECT_LE(small.ulps, 0.51L) << "at x = " << small.at;
  const double edges[] = {1e-300, -1e-300, 0x1p-1074, -0x1p-1074, 0x1p-1022, 1e-16, -1e-16, 0x1p-53,
                          -0x1p-54, 0.34657359027997264, -0.34657359027997264, 0.6931471805599453,
                          -0.6931471805599453, 36.7368005696771, -36.7368005696771, -37.42994775023705,
                          -38.0, 709.782712893384, -745.0, 37.0, 38.0, 40.0};
  for (double x : edges) worst.add(x, f_expm1(x), r_expm1(x));
  report("expm1 overall", worst);
  EXPECT_LE(worst.ulps, 0.6L) << "at x = " << worst.at;
}

TEST(MathFunctions, LogUlpError) {
  std::mt19937_64 g(99);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f_log, r_log, gen, n);
    report(what, m);
    if (m.ulps > worst.ulps) worst = m;
  };
  // Uniform in the bit pattern: every binade, subnormals included.
  run("log  all positive finite", [&] { return std::bit_cast<double>(1U + g() % (0x7ff0000000000000ULL - 1U)); },
      1500000);
  run("log  subnormal", [&] { return std::bit_cast<double>(1U + g() % (0x0010000000000000ULL - 1U)); }, 300000);
  run("log  [0.5, 2]", [&] { return uniform(g, 0.5, 2.0); }, 1500000);
  run("log  1 +- 1e-3", [&] { return 1.0 + uniform(g, -1e-3, 1e-3); }, 500000);
  run("log  [0.7, 0.72] (k switch)", [&] { return uniform(g, 0.70, 0.72); }, 300000);
  const double edges[] = {0x1p-1074, 0x1p-1073, 0x1p-1022, 0x1.fffffffffffffp-1023, DBL_MAX, 2.0, 0.5,
                          0x1.fffffffffffffp-1, 0x1.0000000000001p0, 0.70710678118654746,
                          0.70710678118654757, 1.4142135623730949, 1.4142135623730951, 10.0, 1e300, 1e-300};
  for (double x : edges) worst.add(x, f_log(x), r_log(x));
  report("log  overall", worst);
  EXPECT_LE(worst.ulps, 0.7L) << "at x = " << worst.at;
}

TEST(MathFunctions, XOverExpm1UlpError) {
  std::mt19937_64 g(3);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep(f_xoe, r_xoe, gen, n);
    report(what, m);
    if (m.ulps > worst.ulps) worst = m;
  };
  run("x_over_expm1 [-40, 40]", [&] { return uniform(g, -40.0, 40.0); }, 1000000);
  run("x_over_expm1 [-745, 745]", [&] { return uniform(g, -745.0, 745.0); }, 500000);
  run("x_over_expm1 [-1e-5, 1e-5]", [&] { return uniform(g, -1e-5, 1e-5); }, 500000);
  run("x_over_expm1 |x| = 2^-e, e < 1000", [&] { return log_uniform(g, 1000); }, 300000);
  const double edges[] = {1e-300, -1e-300, 0x1p-1074, 39.999999, 40.0, 40.000001, 700.0, 744.0, -1e300};
  for (double x : edges) worst.add(x, f_xoe(x), r_xoe(x));
  report("x_over_expm1 overall", worst);
  EXPECT_LE(worst.ulps, 1.6L) << "at x = " << worst.at;
}

// ---- special values -----------------------------------------------------------

TEST(MathFunctions, ExpSpecialValues) {
  EXPECT_EQ(bits(pm::exp(0.0)), bits(1.0));
  EXPECT_EQ(bits(pm::exp(-0.0)), bits(1.0));
  EXPECT_EQ(pm::exp(kInf), kInf);
  EXPECT_EQ(bits(pm::exp(-kInf)), bits(0.0));
  EXPECT_TRUE(std::isnan(pm::exp(kNaN)));
  EXPECT_TRUE(std::isnan(pm::exp(-kNaN)));
  // Overflow threshold: log(DBL_MAX) = 709.782712893383996...
  EXPECT_EQ(pm::exp(709.782712893384), 0x1.fffffffffff2ap1023);
  EXPECT_EQ(pm::exp(std::nextafter(709.782712893384, kInf)), kInf);
  EXPECT_EQ(pm::exp(710.0), kInf);
  EXPECT_EQ(pm::exp(1e300), kInf);
  EXPECT_EQ(pm::exp(std::nextafter(710.0, 0.0)), kInf);
  // Gradual underflow: computed, not flushed.
  EXPECT_EQ(pm::exp(-708.3964185322641), 0x1.000000000007cp-1022);  // near DBL_MIN
  EXPECT_EQ(pm::exp(-744.44007192138126), 0x1p-1074);               // min subnormal
  EXPECT_EQ(pm::exp(-745.1332191019411), 0x1p-1074);                // just above 2^-1075
  EXPECT_EQ(bits(pm::exp(-745.1332191019412)), bits(0.0));          // just below 2^-1075
  EXPECT_EQ(bits(pm::exp(-746.0)), bits(0.0));
  EXPECT_EQ(bits(pm::exp(-1e300)), bits(0.0));
  EXPECT_EQ(pm::exp(1.0), 2.718281828459045);
  EXPECT_EQ(pm::exp(-1.0), 0.36787944117144233);
  EXPECT_EQ(pm::exp(0x1p-60), 1.0);
  EXPECT_EQ(pm::exp(-0x1p-60), 1.0);
  // Finite and >= 0 over the whole underflow range, and non-decreasing.
  double prev = 0.0;
  for (double x = -760.0; x < -700.0; x += 0.001) {
    const double y = pm::exp(x);
    ASSERT_TRUE(std::isfinite(y) && y >= 0.0) << x;
    ASSERT_GE(y, prev) << x;
    prev = y;
  }
}

TEST(MathFunctions, ExpIsMonotoneOnConsecutiveDoubles) {
  std::mt19937_64 g(11);
  std::vector<double> starts = {0.0, -0.5, 0.5, 0.34657359027997264, -0.34657359027997264, -708.39641853226,
                                -745.0, 709.7, 1.0};
  for (int i = 0; i < 200; ++i) starts.push_back(uniform(g, -745.0, 709.7));
  for (double x0 : starts) {
    double x = x0, prev = pm::exp(x);
    for (int i = 0; i < 2000; ++i) {
      x = std::nextafter(x, kInf);
      const double y = pm::exp(x);
      ASSERT_GE(y, prev) << "exp not monotone at x = " << x;
      prev = y;
    }
  }
}

TEST(MathFunctions, Expm1SpecialValues) {
  EXPECT_EQ(bits(pm::expm1(0.0)), bits(0.0));
  EXPECT_EQ(bits(pm::expm1(-0.0)), bits(-0.0));
  EXPECT_EQ(pm::expm1(kInf), kInf);
  EXPECT_EQ(pm::expm1(-kInf), -1.0);
  EXPECT_TRUE(std::isnan(pm::expm1(kNaN)));
  EXPECT_EQ(pm::expm1(710.0), kInf);
  EXPECT_EQ(pm::expm1(std::nextafter(709.782712893384, kInf)), kInf);
  EXPECT_EQ(pm::expm1(709.782712893384), 0x1.fffffffffff2ap1023);
  EXPECT_EQ(pm::expm1(-40.0), -1.0);
  EXPECT_EQ(pm::expm1(-800.0), -1.0);
  EXPECT_EQ(pm::expm1(-1e300), -1.0);
  // Tiny arguments: expm1(x) == x when x^2/2 is below half an ulp of x.
  for (double x : {1e-300, -1e-300, 0x1p-1074, -0x1p-1074, 0x1p-1022, 1e-20, -1e-20, 0x1p-60}) {
    EXPECT_EQ(pm::expm1(x), x) << x;
  }
  EXPECT_EQ(pm::expm1(1e-10), 1.00000000005e-10);
  EXPECT_EQ(pm::expm1(1.0), 1.7182818284590453);
  EXPECT_EQ(pm::expm1(-1.0), -0.6321205588285577);
}

TEST(MathFunctions, LogSpecialValues) {
  EXPECT_EQ(bits(pm::log(1.0)), bits(0.0));
  EXPECT_EQ(pm::log(0.0), -kInf);
  EXPECT_EQ(pm::log(-0.0), -kInf);
  EXPECT_EQ(pm::log(kInf), kInf);
  EXPECT_TRUE(std::isnan(pm::log(-1.0)));
  EXPECT_TRUE(std::isnan(pm::log(-0x1p-1074)));
  EXPECT_TRUE(std::isnan(pm::log(-kInf)));
  EXPECT_TRUE(std::isnan(pm::log(kNaN)));
  EXPECT_EQ(pm::log(2.0), 0.6931471805599453);
  EXPECT_EQ(pm::log(0.5), -0.6931471805599453);
  EXPECT_EQ(pm::log(0x1p-1074), -744.4400719213812);
  EXPECT_EQ(pm::log(0x1p-1022), -708.3964185322641);
  EXPECT_EQ(pm::log(DBL_MAX), 709.782712893384);
  EXPECT_EQ(pm::log(2.718281828459045), 1.0);  // the double nearest e is e + 9e-17
  for (int k = -1074; k <= 1023; ++k) {                            // log(2^k) = k ln2
    const double x = std::ldexp(1.0, k);
    ASSERT_LE(ulp_error(pm::log(x), std::log(static_cast<long double>(x))), 0.5L) << k;
  }
}

TEST(MathFunctions, XOverExpm1SpecialValues) {
  EXPECT_EQ(pm::x_over_expm1(0.0), 1.0);
  EXPECT_EQ(pm::x_over_expm1(-0.0), 1.0);
  EXPECT_EQ(pm::x_over_expm1(kInf), 0.0);
  EXPECT_EQ(pm::x_over_expm1(-kInf), kInf);
  EXPECT_TRUE(std::isnan(pm::x_over_expm1(kNaN)));
  EXPECT_EQ(pm::x_over_expm1(-1e300), 1e300);
  EXPECT_EQ(pm::x_over_expm1(-50.0), 50.0);
  EXPECT_EQ(pm::x_over_expm1(800.0), 0.0);
  EXPECT_GT(pm::x_over_expm1(744.0), 0.0);  // x e^-x is subnormal there, not 0
  // Near the removable singularity: 1 - x/2 + x^2/12.
  for (double x : {1e-300, -1e-300, 1e-17, -1e-17}) EXPECT_EQ(pm::x_over_expm1(x), 1.0) << x;
  EXPECT_EQ(pm::x_over_expm1(1e-10), 0.99999999995);
  EXPECT_EQ(pm::x_over_expm1(-1e-10), 1.00000000005);
}

// The NaN produced is always the canonical quiet NaN, whatever the input NaN,
// so that scalar, vector and GPU code agree bit for bit.
TEST(MathFunctions, NaNIsCanonical) {
  const std::uint64_t canonical = 0x7ff8000000000000ULL;
  const double nans[] = {kNaN, -kNaN, std::bit_cast<double>(0x7ff0000000000001ULL),
                         std::bit_cast<double>(0xfff8000000000123ULL)};
  for (double n : nans) {
    EXPECT_EQ(bits(pm::exp(n)), canonical);
    EXPECT_EQ(bits(pm::expm1(n)), canonical);
    EXPECT_EQ(bits(pm::log(n)), canonical);
    EXPECT_EQ(bits(pm::x_over_expm1(n)), canonical);
  }
  EXPECT_EQ(bits(pm::log(-2.0)), canonical);
  EXPECT_EQ(bits(pm::log(-kInf)), canonical);
}

}  // namespace
