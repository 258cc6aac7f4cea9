// Accuracy, special values and symmetries of psst::math::{pow, sin, cos, tanh},
// against the 80-bit long double libm (powl, sinl, cosl, tanhl; glibc reduces
// sinl/cosl arguments exactly, Payne-Hanek, over the whole range).
#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <string>

#include "math/functions.hpp"
#include "math/pow.hpp"
#include "math/trig.hpp"
#include "math_accuracy.hpp"

namespace {

namespace pm = psst::math;
using namespace psst::test::math;

// ---- pow --------------------------------------------------------------------------

// Sweeps pow over n pairs drawn by gen (a callable returning {x, y}).
template <class Gen>
MaxError pow_sweep(const char* what, Gen gen, int n) {
  MaxError m;
  for (int i = 0; i < n; ++i) {
    const auto [x, y] = gen();
    m.add2(x, y, pm::pow(x, y), std::pow(static_cast<long double>(x), static_cast<long double>(y)));
  }
  report(what, m);
  return m;
}

// Measured 0.53 ULP at most (0.5 is the rounding itself).
TEST(MathPow, UlpError) {
  std::mt19937_64 g(5);
  MaxError worst;
  using Pair = std::pair<double, double>;
  worst.merge(pow_sweep("pow x in (0, 10], y in [-300, 300]", [&] { return Pair{uniform(g, 0x1p-60, 10.0), uniform(g, -300.0, 300.0)}; }, 600000));
  worst.merge(pow_sweep("pow x in [0.9, 1.5], y in [-2000, 2000]", [&] { return Pair{uniform(g, 0.9, 1.5), uniform(g, -2000.0, 2000.0)}; }, 400000));
  worst.merge(pow_sweep("pow x any positive, y in [-2, 2]", [&] { return Pair{std::fabs(any_finite(g)), uniform(g, -2.0, 2.0)}; }, 400000));
  // y log x spread over the whole range of finite results, for x of every magnitude.
  worst.merge(pow_sweep("pow any x > 0, y log x in [-745, 709.8]", [&] {
    double x = 1.0;
    while (x == 1.0) x = std::fabs(any_finite(g));
    return Pair{x, uniform(g, -745.0, 709.78) / std::log(x)};
  }, 400000));
  worst.merge(pow_sweep("pow x near 1 (1 +- 2^-30), huge y", [&] {
    const double x = 1.0 + uniform(g, -0x1p-30, 0x1p-30);
    return Pair{x, uniform(g, -700.0, 700.0) / std::log(x)};
  }, 200000));
  worst.merge(pow_sweep("pow subnormal results", [&] {
    const double x = uniform(g, 0.5, 2.0);
    return Pair{x, uniform(g, -745.0, -708.4) / std::log(x)};
  }, 200000));
  worst.merge(pow_sweep("pow x < 0, integer y in [-300, 300]", [&] {
    return Pair{-uniform(g, 0.0, 10.0), static_cast<double>(static_cast<int>(g() % 601) - 300)};
  }, 200000));
  report("pow overall", worst);
  EXPECT_LE(worst.ulps, 0.55L) << "at x = " << worst.at << ", y = " << worst.at_y;
}

TEST(MathPow, ExactCasesAndNeighbours) {
  EXPECT_EQ(pm::pow(2.0, 10.0), 1024.0);
  EXPECT_EQ(pm::pow(3.0, 4.0), 81.0);
  EXPECT_EQ(pm::pow(10.0, 22.0), 1e22);  // exactly representable
  EXPECT_EQ(pm::pow(0.5, 3.0), 0.125);
  EXPECT_EQ(pm::pow(-2.0, 3.0), -8.0);
  EXPECT_EQ(pm::pow(-2.0, -3.0), -0.125);
  EXPECT_EQ(pm::pow(-2.0, 4.0), 16.0);
  EXPECT_EQ(pm::pow(4.0, 0.5), 2.0);
  EXPECT_EQ(pm::pow(2.0, -1074.0), 0x1p-1074);
  EXPECT_EQ(pm::pow(2.0, 1023.0), 0x1p1023);
  EXPECT_EQ(pm::pow(2.0, 1024.0), kInf);
  EXPECT_EQ(pm::pow(-2.0, 1025.0), -kInf);
  EXPECT_EQ(bits(pm::pow(2.0, -1076.0)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-2.0, -1077.0)), bits(-0.0));
  EXPECT_EQ(pm::pow(10.0, 308.0), 1e308);
  EXPECT_EQ(pm::pow(10.0, 309.0), kInf);
  EXPECT_TRUE(std::isnan(pm::pow(-8.0, 1.0 / 3.0)));
  EXPECT_TRUE(std::isnan(pm::pow(-1.5, 0.5)));
  std::mt19937_64 g(17);
  auto within_one_ulp = [](double a, double b) { return a == b || std::nextafter(a, b) == b; };
  for (int i = 0; i < 200000; ++i) {
    const double x = std::fabs(any_finite(g));
    ASSERT_EQ(pm::pow(x, 1.0), x) << x;
    ASSERT_TRUE(within_one_ulp(pm::pow(x, 0.5), std::sqrt(x))) << x;
    const double m = uniform(g, -1e100, 1e100);
    ASSERT_TRUE(within_one_ulp(pm::pow(m, 2.0), m * m)) << m;
    ASSERT_TRUE(within_one_ulp(pm::pow(m, -1.0), 1.0 / m)) << m;
    const double k = static_cast<double>(static_cast<int>(g() % 1200)) - 1100.0;  // 2^k exact
    ASSERT_EQ(pm::pow(2.0, k), std::ldexp(1.0, static_cast<int>(k))) << k;
  }
}

TEST(MathPow, SpecialValuesAsC99AnnexF) {
  const double any[] = {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 1e300, -1e-300, kInf, -kInf, kNaN};
  for (double v : any) {
    EXPECT_EQ(pm::pow(v, 0.0), 1.0) << v;  // even NaN
    EXPECT_EQ(pm::pow(v, -0.0), 1.0) << v;
    EXPECT_EQ(pm::pow(1.0, v), 1.0) << v;
  }
  EXPECT_EQ(pm::pow(-1.0, kInf), 1.0);
  EXPECT_EQ(pm::pow(-1.0, -kInf), 1.0);
  EXPECT_TRUE(std::isnan(pm::pow(kNaN, 1.0)));
  EXPECT_TRUE(std::isnan(pm::pow(2.0, kNaN)));
  EXPECT_TRUE(std::isnan(pm::pow(-1.0, kNaN)));
  // Zero base.
  EXPECT_EQ(pm::pow(0.0, -3.0), kInf);
  EXPECT_EQ(pm::pow(-0.0, -3.0), -kInf);
  EXPECT_EQ(pm::pow(-0.0, -2.0), kInf);
  EXPECT_EQ(pm::pow(-0.0, -0.5), kInf);
  EXPECT_EQ(pm::pow(-0.0, -kInf), kInf);
  EXPECT_EQ(bits(pm::pow(0.0, 3.0)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-0.0, 3.0)), bits(-0.0));
  EXPECT_EQ(bits(pm::pow(-0.0, 2.0)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-0.0, 0.5)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-0.0, kInf)), bits(0.0));
  // Infinite exponent.
  EXPECT_EQ(bits(pm::pow(0.5, kInf)), bits(0.0));
  EXPECT_EQ(pm::pow(-0.5, -kInf), kInf);
  EXPECT_EQ(pm::pow(2.0, kInf), kInf);
  EXPECT_EQ(bits(pm::pow(-2.0, -kInf)), bits(0.0));
  // Infinite base.
  EXPECT_EQ(bits(pm::pow(-kInf, -3.0)), bits(-0.0));
  EXPECT_EQ(bits(pm::pow(-kInf, -2.0)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-kInf, -0.5)), bits(0.0));
  EXPECT_EQ(pm::pow(-kInf, 3.0), -kInf);
  EXPECT_EQ(pm::pow(-kInf, 2.0), kInf);
  EXPECT_EQ(pm::pow(-kInf, 0.5), kInf);
  EXPECT_EQ(bits(pm::pow(kInf, -1.0)), bits(0.0));
  EXPECT_EQ(pm::pow(kInf, 0.5), kInf);
  // Integer-ness and parity of y at the edges of the double grid.
  EXPECT_EQ(pm::pow(-1.0, 0x1p52 + 1.0), -1.0);  // odd
  EXPECT_EQ(pm::pow(-1.0, 0x1p53), 1.0);         // even
  EXPECT_EQ(pm::pow(-1.0, 1e300), 1.0);
  EXPECT_TRUE(std::isnan(pm::pow(-1.0, 0x1p52 - 0.5)));
  EXPECT_EQ(pm::pow(-1.0 - 0x1p-52, 1e300), kInf);  // |y| > 2^64 clamped, still overflows
  EXPECT_EQ(bits(pm::pow(1.0 - 0x1p-53, 1e300)), bits(0.0));
  EXPECT_EQ(bits(pm::pow(-kNaN, 2.0)), 0x7ff8000000000000ULL);  // the canonical NaN
  EXPECT_EQ(bits(pm::pow(-2.0, 0.5)), 0x7ff8000000000000ULL);
}

// ---- sin, cos ------------------------------------------------------------------------

long double r_sin(long double x) { return std::sin(x); }
long double r_cos(long double x) { return std::cos(x); }

// Measured 0.58 ULP (sin) and 0.58 ULP (cos) at most here, 0.59 (sin) in a
// 4-million-point sweep: the bound asserted is 0.6.
TEST(MathTrig, SinCosUlpError) {
  std::mt19937_64 g(23);
  MaxError worst_sin, worst_cos;
  auto run = [&](const char* what, auto gen, int n) {
    std::mt19937_64 g2 = g;  // the same points for both
    auto gen2 = [&] { return gen(g2); };
    const MaxError s = sweep([](double x) { return pm::sin(x); }, r_sin, [&] { return gen(g); }, n);
    const MaxError c = sweep([](double x) { return pm::cos(x); }, r_cos, gen2, n);
    report((std::string("sin ") + what).c_str(), s);
    report((std::string("cos ") + what).c_str(), c);
    worst_sin.merge(s);
    worst_cos.merge(c);
  };
  run("[-pi/4, pi/4]", [](std::mt19937_64& r) { return uniform(r, -0.7853981633974483, 0.7853981633974483); }, 300000);
  run("[-10, 10]", [](std::mt19937_64& r) { return uniform(r, -10.0, 10.0); }, 500000);
  run("[-2^20, 2^20] (Cody-Waite)", [](std::mt19937_64& r) { return uniform(r, -0x1p20, 0x1p20); }, 300000);
  run("2^20 +- 1 (the switch)", [](std::mt19937_64& r) { return 0x1p20 + uniform(r, -1.0, 1.0); }, 100000);
  run("any finite (Payne-Hanek)", [](std::mt19937_64& r) { return any_finite(r); }, 500000);
  run("tiny |x| = 2^-e, e < 1000", [](std::mt19937_64& r) { return log_uniform(r, 1000); }, 100000);
  // Doubles next to multiples of pi/2, where the reduction cancels most bits.
  run("near k pi/2, k < 2^20", [](std::mt19937_64& r) {
    const double k = static_cast<double>(r() % (1U << 20));
    double x = k * (std::numbers::pi / 2);
    for (int s = static_cast<int>(r() % 5); s > 0; --s) x = std::nextafter(x, 0.0);
    return x;
  }, 200000);
  // Among the doubles closest to a multiple of pi/2 (|r| ~ 2^-61, Muller's worst case), and others.
  const double hard[] = {0x1.6ac5b262ca1ffp+849, 6381956970095103.0 * 0x1p797, 0x1.921fb54442d18p+0, 0x1.921fb54442d18p+1,
                         0x1.921fb54442d18p+2, 1e22, 1e300, DBL_MAX, 0x1p1023, 0x1p20, 0x1p-1074, 0x1p-1022, 1.0};
  for (double x : hard) {
    worst_sin.add(x, pm::sin(x), r_sin(x));
    worst_cos.add(x, pm::cos(x), r_cos(x));
  }
  report("sin overall", worst_sin);
  report("cos overall", worst_cos);
  EXPECT_LE(worst_sin.ulps, 0.6L) << "at x = " << worst_sin.at;
  EXPECT_LE(worst_cos.ulps, 0.6L) << "at x = " << worst_cos.at;
}

TEST(MathTrig, SpecialValuesAndSymmetry) {
  EXPECT_EQ(bits(pm::sin(0.0)), bits(0.0));
  EXPECT_EQ(bits(pm::sin(-0.0)), bits(-0.0));
  EXPECT_EQ(pm::cos(0.0), 1.0);
  EXPECT_EQ(pm::cos(-0.0), 1.0);
  for (double x : {kInf, -kInf, kNaN, -kNaN, std::bit_cast<double>(0x7ff0000000000001ULL)}) {
    EXPECT_EQ(bits(pm::sin(x)), 0x7ff8000000000000ULL) << x;
    EXPECT_EQ(bits(pm::cos(x)), 0x7ff8000000000000ULL) << x;
  }
  EXPECT_EQ(pm::sin(0x1p-1074), 0x1p-1074);
  EXPECT_EQ(pm::sin(1e-300), 1e-300);
  EXPECT_EQ(pm::cos(1e-9), 1.0);
  EXPECT_EQ(pm::sin(std::numbers::pi / 2), 1.0);
  EXPECT_EQ(pm::cos(std::numbers::pi / 2), 6.123233995736766e-17);  // pi/2 - double(pi/2)
  EXPECT_EQ(pm::sin(std::numbers::pi), 1.2246467991473532e-16);
  EXPECT_EQ(pm::cos(std::numbers::pi), -1.0);
  std::mt19937_64 g(29);
  for (int i = 0; i < 300000; ++i) {
    const double x = i % 2 == 0 ? any_finite(g) : uniform(g, -100.0, 100.0);
    ASSERT_EQ(bits(pm::sin(-x)), bits(pm::sin(x)) ^ 0x8000000000000000ULL) << x;  // odd, bitwise
    ASSERT_EQ(bits(pm::cos(-x)), bits(pm::cos(x))) << x;                         // even, bitwise
    ASSERT_LE(std::fabs(pm::sin(x)), 1.0) << x;
    ASSERT_LE(std::fabs(pm::cos(x)), 1.0) << x;
  }
}

// ---- tanh ------------------------------------------------------------------------------

long double r_tanh(long double x) { return std::tanh(x); }

// Measured 0.54 ULP at most (the rounding of exp's cubic tail, a few ulp of
// 0.007, weighs up to ~0.04 ULP on results near 0.17).
TEST(MathTanh, UlpError) {
  std::mt19937_64 g(31);
  MaxError worst;
  auto run = [&](const char* what, auto gen, int n) {
    const MaxError m = sweep([](double x) { return pm::tanh(x); }, r_tanh, gen, n);
    report(what, m);
    worst.merge(m);
  };
  run("tanh [-1, 1]", [&] { return uniform(g, -1.0, 1.0); }, 500000);
  run("tanh [-25, 25]", [&] { return uniform(g, -25.0, 25.0); }, 500000);
  run("tanh [0.3, 0.4] (k switch)", [&] { return uniform(g, 0.3, 0.4); }, 200000);
  run("tanh |x| = 2^-e, e < 60", [&] { return log_uniform(g, 60); }, 300000);
  run("tanh |x| = 2^-e, e < 1000", [&] { return log_uniform(g, 1000); }, 100000);
  run("tanh [18, 23] (-> 1)", [&] { return uniform(g, 18.0, 23.0); }, 100000);
  const double edges[] = {0x1p-28, 0x1.fffffffffffffp-29, 0x1p-1074, 0x1p-1022, 22.0, 0x1.6000000000001p4, 19.06,
                          0.34657359027997264, -0.34657359027997264, 0.5493061443340548, 1e300};
  for (double x : edges) worst.add(x, pm::tanh(x), r_tanh(x));
  report("tanh overall", worst);
  EXPECT_LE(worst.ulps, 0.55L) << "at x = " << worst.at;
}

TEST(MathTanh, SpecialValuesAndSymmetry) {
  EXPECT_EQ(bits(pm::tanh(0.0)), bits(0.0));
  EXPECT_EQ(bits(pm::tanh(-0.0)), bits(-0.0));
  EXPECT_EQ(pm::tanh(kInf), 1.0);
  EXPECT_EQ(pm::tanh(-kInf), -1.0);
  EXPECT_EQ(pm::tanh(30.0), 1.0);
  EXPECT_EQ(pm::tanh(-1e300), -1.0);
  EXPECT_EQ(bits(pm::tanh(kNaN)), 0x7ff8000000000000ULL);
  EXPECT_EQ(bits(pm::tanh(-kNaN)), 0x7ff8000000000000ULL);
  for (double x : {0x1p-1074, 1e-300, 1e-20, 0x1p-29}) {
    EXPECT_EQ(pm::tanh(x), x) << x;
    EXPECT_EQ(pm::tanh(-x), -x) << x;
  }
  EXPECT_EQ(pm::tanh(1.0), static_cast<double>(std::tanh(1.0L)));
  std::mt19937_64 g(37);
  double prev = -1.0;
  for (double x = -20.0; x < 20.0; x += 0.0009765625) {  // monotone, within [-1, 1]
    const double y = pm::tanh(x);
    ASSERT_GE(y, prev) << x;
    ASSERT_LE(std::fabs(y), 1.0) << x;
    prev = y;
  }
  for (int i = 0; i < 300000; ++i) {
    const double x = i % 2 == 0 ? any_finite(g) : uniform(g, -30.0, 30.0);
    ASSERT_EQ(bits(pm::tanh(-x)), bits(pm::tanh(x)) ^ 0x8000000000000000ULL) << x;  // odd, bitwise
  }
}

}  // namespace
