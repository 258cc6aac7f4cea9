#pragma once
// psst's elementary functions: exp, expm1, log and x / (exp(x) - 1).
//
// Every backend computes these to the same bits: they use only IEEE-exact
// operations (+ - * /, comparisons, selects written as ternaries, integer bit
// manipulation), no libm calls, no lookup tables and no data-dependent branches,
// so a loop of them vectorises (SSE2, AVX2, AVX-512) and gives exactly the
// results of scalar calls; the same text compiles as CUDA device code by
// redefining PSST_MATH_INLINE and PSST_MATH_BITCAST. Contract a*b+c into fma
// nowhere: psst builds with -ffp-contract=off.
//
// The algorithms are those of fdlibm (Sun Microsystems, 1993), e_exp.c and
// e_log.c, written without branches: error below 1 ulp for exp and log.
#include <bit>
#include <cstdint>
#include <limits>

#ifndef PSST_MATH_INLINE
#define PSST_MATH_INLINE inline
#endif
#ifndef PSST_MATH_BITCAST
#define PSST_MATH_BITCAST(To, value) std::bit_cast<To>(value)
#endif

namespace psst::math {

namespace detail {
inline constexpr double ln2_hi = 6.93147180369123816490e-01;  // low 32 bits zero: k * ln2_hi is exact
inline constexpr double ln2_lo = 1.90821492927058770002e-10;
inline constexpr double log2e = 1.44269504088896338700e+00;
inline constexpr double round_shift = 0x1.8p52;  // x + shift - shift rounds x to an integer

// 2^k for k in [-2044, 2046], as two normal factors so that y * f1 * f2 rounds once.
PSST_MATH_INLINE void power_of_two_factors(std::int64_t k, double& f1, double& f2) {
  std::int64_t k1 = k / 2;
  std::int64_t k2 = k - k1;
  f1 = PSST_MATH_BITCAST(double, static_cast<std::uint64_t>(k1 + 1023) << 52);
  f2 = PSST_MATH_BITCAST(double, static_cast<std::uint64_t>(k2 + 1023) << 52);
}
}  // namespace detail

// e^x. Overflows to +inf above 709.78, underflows through the subnormals to 0 below -745.13.
PSST_MATH_INLINE double exp(double x) {
  using namespace detail;
  // Clamp the range (NaN compares false and passes through to a NaN result).
  double xc = x > 710.0 ? 710.0 : (x < -746.0 ? -746.0 : x);
  // x = k ln2 + r, |r| <= ln2 / 2; k sits in the low bits of t.
  double t = xc * log2e + round_shift;
  double k = t - round_shift;
  double hi = xc - k * ln2_hi;
  double lo = k * ln2_lo;
  double r = hi - lo;
  // e^r = 1 + r + r c / (2 - c) with c = r - r^2 P(r^2) (fdlibm's minimax, |error| < 2^-59).
  double s = r * r;
  double c = r - s * (1.66666666666666019037e-01 +
                      s * (-2.77777777770155933842e-03 +
                           s * (6.61375632143793436117e-05 +
                                s * (-1.65339022054652515390e-06 + s * 4.13813679705723846039e-08))));
  double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  auto ki = static_cast<std::int64_t>(PSST_MATH_BITCAST(std::uint64_t, t) -
                                      PSST_MATH_BITCAST(std::uint64_t, round_shift));
  double f1, f2;
  power_of_two_factors(ki, f1, f2);
  return y * f1 * f2;
}

// e^x - 1, accurate near 0 (a Taylor polynomial of degree 13 for |x| < ln2/2, exp(x) - 1 beyond).
PSST_MATH_INLINE double expm1(double x) {
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * x + 1.0 / 479001600.0;
  p = p * x + 1.0 / 39916800.0;
  p = p * x + 1.0 / 3628800.0;
  p = p * x + 1.0 / 362880.0;
  p = p * x + 1.0 / 40320.0;
  p = p * x + 1.0 / 5040.0;
  p = p * x + 1.0 / 720.0;
  p = p * x + 1.0 / 120.0;
  p = p * x + 1.0 / 24.0;
  p = p * x + 1.0 / 6.0;
  p = p * x + 0.5;
  double small = x + (x * x) * p;
  double large = exp(x) - 1.0;
  double magnitude = x < 0.0 ? -x : x;
  return magnitude < 0.34657359027997264 ? small : large;
}

// x / (e^x - 1), 1 at x = 0: the removable singularity of Hodgkin-Huxley rate functions.
PSST_MATH_INLINE double x_over_expm1(double x) {
  double d = expm1(x);
  return x == 0.0 ? 1.0 : x / d;
}

// The natural logarithm; log(0) = -inf, log(x < 0) = NaN, log(+inf) = +inf.
PSST_MATH_INLINE double log(double x) {
  using namespace detail;
  bool subnormal = x < 0x1p-1022;
  double xs = subnormal ? x * 0x1p54 : x;
  std::uint64_t bits = PSST_MATH_BITCAST(std::uint64_t, xs);
  std::int64_t e = static_cast<std::int64_t>((bits >> 52) & 0x7ff) - 1023 - (subnormal ? 54 : 0);
  std::uint64_t m = bits & 0x000fffffffffffffull;
  // x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f < sqrt(2).
  bool upper = m >= 0x6a09e667f3bcdull;
  double mantissa = PSST_MATH_BITCAST(double, m | (upper ? 0x3fe0000000000000ull : 0x3ff0000000000000ull));
  double k = static_cast<double>(e + (upper ? 1 : 0));
  double f = mantissa - 1.0;
  double hfsq = 0.5 * f * f;
  double s = f / (2.0 + f);
  double z = s * s;
  double w = z * z;
  double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  double t2 = z * (6.666666666666735130e-01 +
                   w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  double result = k * ln2_hi - ((hfsq - (s * (hfsq + t1 + t2) + k * ln2_lo)) - f);
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  result = x == inf ? inf : result;
  result = x == 0.0 ? -inf : result;
  result = x < 0.0 ? nan : result;
  return x != x ? x : result;
}

}  // namespace psst::math
