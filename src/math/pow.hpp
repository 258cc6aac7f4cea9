// psst/math/pow.hpp -- bit-reproducible x^y (the rules of functions.hpp apply:
// IEEE + - * / and explicit fma only, no libm, no lookup table, no data-dependent branch).
//
// x^y = e^(y log|x|) with log|x| as a double-double of relative error < 2^-68
// and y log|x| = p_hi + p_lo kept as a double-double, whose exponential is
// rounded once (exp_finish): the error of the product (< 2^-68 |y log x|, at
// most 2^-58 where the result is finite) adds < 0.07 ULP to exp's own.
// Max error 0.53 ULP measured (tests/math_pow_trig_test.cpp); exact results
// (2^10, 3^4, 0.5^3, ...) come out exact.
#pragma once

#include "math/functions.hpp"

namespace psst::math {

namespace detail {

// 2/3 and 2/5 as double-doubles, 2/(2k+1) for k >= 3 as doubles.
constexpr double kAtanh3Hi = 0x1.5555555555555p-1;
constexpr double kAtanh3Lo = 0x1.5555555555555p-55;
constexpr double kAtanh5Hi = 0x1.999999999999ap-2;
constexpr double kAtanh5Lo = -0x1.999999999999ap-56;
constexpr double kAtanh7 = 0x1.2492492492492p-2;
constexpr double kAtanh9 = 0x1.c71c71c71c71cp-3;
constexpr double kAtanh11 = 0x1.745d1745d1746p-3;
constexpr double kAtanh13 = 0x1.3b13b13b13b14p-3;
constexpr double kAtanh15 = 0x1.1111111111111p-3;
constexpr double kAtanh17 = 0x1.e1e1e1e1e1e1ep-4;
constexpr double kAtanh19 = 0x1.af286bca1af28p-4;
constexpr double kAtanh21 = 0x1.8618618618618p-4;
constexpr double kAtanh23 = 0x1.642c8590b2164p-4;
constexpr double kAtanh25 = 0x1.47ae147ae147bp-4;
constexpr double kAtanh27 = 0x1.2f684bda12f68p-4;

// log(x) == hi + lo with relative error < 2^-68, for positive finite x.
// x = 2^k (1 + f) (log_reduce), log(1 + f) = 2 atanh(s), s = f / (2 + f),
// |s| <= 0.1716, by its Taylor series 2s + 2s^3/3 + 2s^5/5 + ... to s^27
// (truncation < 2^-76 relative): the first three terms as double-doubles
// (s itself from one Newton correction of the division), the rest, < 2^-19
// of the result, in double.
PSST_MATH_FN DoubleDouble log_double_double(double x) {
  const LogReduced red = log_reduce(x);
  const double f = red.f;
  const double d = 2.0 + f;
  const double d_lo = (2.0 - d) + f;                  // 2 + f == d + d_lo (Fast2Sum)
  const double s = f / d;
  const DoubleDouble sd = two_prod(s, d);
  const double s_lo = (((f - sd.hi) - sd.lo) - s * d_lo) / d;  // f - s d exact (Sterbenz)
  const DoubleDouble z = two_prod(s, s);              // s^2 == z.hi + z_lo
  const double z_lo = z.lo + 2.0 * (s * s_lo);
  const DoubleDouble s3 = two_prod(z.hi, s);          // s^3 == s3.hi + s3_lo
  const double s3_lo = s3.lo + (z.hi * s_lo + z_lo * s);
  const DoubleDouble s5 = two_prod(s3.hi, z.hi);      // s^5 == s5.hi + s5_lo
  const double s5_lo = s5.lo + (s3.hi * z_lo + s3_lo * z.hi);
  const DoubleDouble t3 = two_prod(s3.hi, kAtanh3Hi);  // 2 s^3 / 3
  const double t3_lo = t3.lo + (s3.hi * kAtanh3Lo + s3_lo * kAtanh3Hi);
  const DoubleDouble t5 = two_prod(s5.hi, kAtanh5Hi);  // 2 s^5 / 5
  const double t5_lo = t5.lo + (s5.hi * kAtanh5Lo + s5_lo * kAtanh5Hi);
  // 2 s^7 / 7 + ... + 2 s^27 / 27 (Estrin's scheme in w = s^2).
  const double w = z.hi;
  const double w2 = w * w;
  const double w4 = w2 * w2;
  const double w8 = w4 * w4;
  const double c0 = (kAtanh7 + kAtanh9 * w) + (kAtanh11 + kAtanh13 * w) * w2;
  const double c1 = (kAtanh15 + kAtanh17 * w) + (kAtanh19 + kAtanh21 * w) * w2;
  const double c2 = (kAtanh23 + kAtanh25 * w) + kAtanh27 * w2;
  const double t7 = (s5.hi * w) * ((c0 + c1 * w4) + c2 * w8);
  // k ln2_hi (exact) + 2s + t3 + t5, the heads summed exactly; then the tails.
  const DoubleDouble u = two_sum(red.kd * kLn2Hi, 2.0 * s);
  const DoubleDouble v = fast_two_sum(u.hi, t3.hi);   // |u| > 0.34 or u == 2s: |u| >= |t3|
  const DoubleDouble r = fast_two_sum(v.hi, t5.hi);
  const double tails = ((u.lo + v.lo) + r.lo) + ((2.0 * s_lo + t3_lo) + t5_lo);
  return fast_two_sum(r.hi, tails + (t7 + red.kd * kLn2Lo));
}

// e^(hi + lo) for |lo| <= ulp(hi), rounded once: e^(r + lo) - 1 =
// (e^r - 1) + lo e^r, the second term (< 2^-43) added to the small part of
// the reduction.  +inf above 709.79, +0 below -746, else exp_finish's rounding.
PSST_MATH_FN double exp_double_double(double hi, double lo) {
  ExpReduced e = exp_reduce(hi);
  const double e_r = 1.0 + (e.hi + (e.h2 + e.t));
  e.t = e.t + lo * e_r;
  double res = exp_finish(e);
  res = select(mask_lt(709.79, hi), inf_value(), res);
  return select(mask_lt(hi, -746.0), 0.0, res);
}

// All ones iff a is an integer, for a >= 0 (+inf counts as one; not NaN).
PSST_MATH_FN std::uint64_t mask_integer(double a) {
  const double rounded = (a + 0x1p52) - 0x1p52;  // a rounded to an integer, for a < 2^52
  return mask_zero(rounded - a) | ~mask_lt(a, 0x1p52);
}

}  // namespace detail

// x^y as C's pow, bitwise the same everywhere.  Max error 0.53 ULP measured.
// pow(x, +-0) == 1 and pow(1, y) == 1 for every x, y (NaN too);
// pow(-1, +-inf) == 1; otherwise NaN if x or y is NaN; pow(x < 0, y not an
// integer) == NaN; pow(x < 0, odd y) == -pow(-x, y); pow(+-0, y < 0) == +-inf,
// pow(+-0, y > 0) == +-0 (the sign only for odd integer y); pow(+-inf, y) likewise
// with 0 and inf swapped; pow(x, +-inf) == 0 or +inf by whether |x| < 1.
// Overflow -> +-inf, underflow gradual (subnormal results rounded once) to +-0.
PSST_MATH_FN double pow(double x, double y) {
  using namespace detail;
  const double ax = from_bits(to_bits(x) & kAbsMask);
  const double ay = from_bits(to_bits(y) & kAbsMask);
  // |y| > 2^64: |y log x| > 2^11 for every x != 1 (|log x| >= 2^-53), so
  // clamping y to +-2^64 keeps every over/underflow and keeps two_prod finite.
  const std::uint64_t y_sign = to_bits(y) & ~kAbsMask;
  const double y_clamped = select(mask_lt(0x1p64, ay), from_bits(y_sign | to_bits(0x1p64)), y);
  const DoubleDouble l = log_double_double(ax);
  const DoubleDouble p = two_prod(y_clamped, l.hi);
  const DoubleDouble yl = fast_two_sum(p.hi, p.lo + y_clamped * l.lo);
  const double magnitude = exp_double_double(yl.hi, yl.lo);
  // Sign and the special cases, as C99 Annex F.
  const std::uint64_t y_int = mask_integer(ay);
  const std::uint64_t y_odd = y_int & ~mask_integer(ay * 0.5);
  const std::uint64_t negative = mask_sign(x) & y_odd & ~kAbsMask;  // the sign bit of the result
  double res = from_bits(to_bits(magnitude) | negative);
  const std::uint64_t x_zero = mask_zero(x);
  const std::uint64_t x_inf = mask_eq(to_bits(ax), kInfBits);
  const std::uint64_t y_neg = mask_sign(y);
  res = select(mask_sign(x) & ~x_zero & ~x_inf & ~y_int, nan_value(), res);  // (-finite)^non-integer
  const double zero_or_inf = select((x_zero & y_neg) | (x_inf & ~y_neg), inf_value(), 0.0);
  res = select(x_zero | x_inf, from_bits(to_bits(zero_or_inf) | negative), res);
  const double y_inf_value = select(mask_lt(ax, 1.0) ^ y_neg, 0.0, inf_value());
  res = select(mask_eq(to_bits(ay), kInfBits), select(mask_zero(ax - 1.0), 1.0, y_inf_value), res);
  res = select(mask_nan(x) | mask_nan(y), nan_value(), res);
  return select(mask_zero(y) | mask_eq(to_bits(x), to_bits(1.0)), 1.0, res);
}

}  // namespace psst::math
