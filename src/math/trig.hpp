// psst/math/trig.hpp -- bit-reproducible sin and cos (the rules of
// functions.hpp apply: IEEE + - * /, explicit fma and integer operations only, no
// libm, no data-dependent branch).
//
// |x| = q pi/2 + r, |r| <= pi/4, r as a double-double, then a polynomial
// kernel (sin or cos of r, chosen and signed by q mod 4).  Two reductions,
// both always computed and one selected (so that loops vectorise):
//   |x| < 2^20: Cody-Waite, pi/2 in four pieces, the first three of 33 bits so
//     that k * piece is exact (k < 2^20);
//   |x| >= 2^20 (and inf, NaN): Payne-Hanek, |x| times the 192 bits of 2/pi
//     that matter (from a 1408-bit table) in exact 64-bit integer arithmetic.
// The table lookup and per-lane shifts vectorise with AVX2 and AVX-512
// (gathers, vpsllvq), not with baseline SSE2, where the loop stays scalar.
// Max error below 0.6 ULP for both, over the whole double range: 0.58 measured
// by tests/math_pow_trig_test.cpp, 0.59 (sin) in a 4-million-point offline sweep;
// the excess over 0.5 is the rounding of the r^4 C(r^2) term near |r| = pi/4.
// Kernel polynomials: Chebyshev fits computed with mpmath for this file.
#pragma once

#include "math/functions.hpp"

// Portability hook (see functions.hpp): how a constant table is declared; a CUDA
// printer defines it as __device__ constexpr (or __constant__ const).
#ifndef PSST_MATH_TABLE
#  define PSST_MATH_TABLE inline constexpr
#endif

namespace psst::math {

namespace detail {

// |x| = q pi/2 + hi + lo (q taken mod 4), |hi + lo| <= pi/4 (+ a few ulp).
struct TrigReduced {
  double hi;
  double lo;
  std::uint64_t q;
};

constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
constexpr double kPio2Part1 = 0x1.921fb54400000p+0;   // 33 bits
constexpr double kPio2Part2 = 0x1.0b4611a600000p-34;  // 33 bits
constexpr double kPio2Part3 = 0x1.3198a2e000000p-69;  // 29 bits
constexpr double kPio2Part4 = 0x1.b839a252049c1p-104;  // pi/2 - parts 1-4 < 2^-157
constexpr double kPio2Hi = 0x1.921fb54442d18p+0;
constexpr double kPio2Lo = 0x1.1a62633145c07p-54;
constexpr double kCodyWaiteLimit = 0x1p20;

// Cody-Waite for 0 <= a < 2^20: a - k*part1 is exact (Sterbenz), k*part2 and
// k*part3 are exact and subtracted by TwoSum, k*part4 and the TwoSum errors
// summed in double: |error| < 2^-134, against |r| > 2^-61 for every double.
PSST_MATH_FN TrigReduced trig_reduce_cody_waite(double a) {
  const double t = a * kTwoOverPi + kShift;
  const double kd = t - kShift;
  const double r1 = a - kd * kPio2Part1;
  const DoubleDouble r2 = two_sum(r1, -(kd * kPio2Part2));
  const DoubleDouble r3 = two_sum(r2.hi, -(kd * kPio2Part3));
  const DoubleDouble r = fast_two_sum(r3.hi, (r2.lo + r3.lo) - kd * kPio2Part4);
  return TrigReduced{r.hi, r.lo, to_bits(t)};  // the low bits of t are those of k
}

// The 128-bit product of two 64-bit integers, from 32-bit halves.
struct Uint128 {
  std::uint64_t hi;
  std::uint64_t lo;
};
PSST_MATH_FN Uint128 mul_64x64(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a0 = a & 0xffffffffU, a1 = a >> 32, b0 = b & 0xffffffffU, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const std::uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffU) + (p10 & 0xffffffffU);
  return Uint128{p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xffffffffU)};
}

// 64 bits of the table starting at bit `bit` (bit 0 = the top bit of word 0).
PSST_MATH_FN std::uint64_t bits_at(const std::uint64_t* table, std::uint64_t bit) {
  const std::uint64_t word = bit >> 6, shift = bit & 63U;
  return (table[word] << shift) | ((table[word + 1U] >> 1) >> (63U - shift));
}

// An unsigned 32-bit integer (in a 64-bit word) as a double, exactly, without an
// int -> double conversion (SSE2 and AVX2 have none for 64-bit integers).
PSST_MATH_FN double u32_to_double(std::uint64_t v) { return from_bits(0x4330000000000000ULL | v) - 0x1p52; }

// 2/pi * 2^64 in fixed point: 64 zero bits (integer part), then 1344 bits of 2/pi.
// At namespace scope (a local array would be rebuilt on the stack in every call).
PSST_MATH_TABLE std::uint64_t kTwoOverPiBits[22] = {
    0x0000000000000000ULL, 0xa2f9836e4e441529ULL, 0xfc2757d1f534ddc0ULL, 0xdb6295993c439041ULL,
    0xfe5163abdebbc561ULL, 0xb7246e3a424dd2e0ULL, 0x06492eea09d1921cULL, 0xfe1deb1cb129a73eULL,
    0xe88235f52ebb4484ULL, 0xe99c7026b45f7e41ULL, 0x3991d639835339f4ULL, 0x9c845f8bbdf9283bULL,
    0x1ff897ffde05980fULL, 0xef2f118b5a0a6d1fULL, 0x6d367ecf27cb09b7ULL, 0x4f463f669e5fea2dULL,
    0x7527bac7ebe5f17bULL, 0x3d0739f78a5292eaULL, 0x6bfb5fb11f8d5d08ULL, 0x56033046fc7b6babULL,
    0xf0cfbc209af4361dULL, 0xa9e391615ee61b08ULL};

// Payne-Hanek for a >= 2^20 (finite; inf and NaN give garbage, no UB; the
// caller passes 2^20 for smaller a, so that the table index stays in range).
// a = m 2^e (m a 53-bit integer, e in [-32, 971]); a 2/pi mod 4 only needs the
// bits of 2/pi of weight 2^-(e-1) and below: W, 192 of them, so that
// a 2/pi == m W 2^-190 (mod 4) up to < 2^-136.  The product's top 2 bits
// (mod 2^192) are q, the next 128 the fraction, rounded to the nearest
// quadrant, which is then multiplied by pi/2 in double-double.  The fraction
// is never below 2^-62 (the closest double to a multiple of pi/2), so 66 or
// more of its bits are exact.
PSST_MATH_FN TrigReduced trig_reduce_payne_hanek(double a) {
  const std::uint64_t bits = to_bits(a);
  const std::uint64_t m = (bits & 0x000fffffffffffffULL) | 0x0010000000000000ULL;
  const std::uint64_t start = (bits >> 52) - 1013U;  // e + 62: the bit of weight 2^-(e-1), in [30, 1034]
  const std::uint64_t w0 = bits_at(kTwoOverPiBits, start);
  const std::uint64_t w1 = bits_at(kTwoOverPiBits, start + 64);
  const std::uint64_t w2 = bits_at(kTwoOverPiBits, start + 128);
  // m * (w0 w1 w2) mod 2^192 as r0 r1 r2.
  const Uint128 p1 = mul_64x64(m, w1);
  const Uint128 p2 = mul_64x64(m, w2);
  const std::uint64_t r1 = p1.lo + p2.hi;
  const std::uint64_t carry = ((p1.lo & p2.hi) | ((p1.lo | p2.hi) & ~r1)) >> 63;  // of p1.lo + p2.hi
  const std::uint64_t r0 = m * w0 + p1.hi + carry;
  const std::uint64_t frac_hi = (r0 << 2) | (r1 >> 62);
  const std::uint64_t frac_lo = (r1 << 2) | (p2.lo >> 62);
  const std::uint64_t q = (r0 >> 62) + (frac_hi >> 63);  // a fraction >= 1/2 counts as -(1 - it)
  // The signed fraction frac_hi:frac_lo * 2^-128, in [-1/2, 1/2), as a double-double.
  // (the top 32 bits are signed: biased by 2^31, converted, unbiased, all exact)
  const double f0 = (u32_to_double((frac_hi >> 32) ^ 0x80000000U) - 0x1p31) * 0x1p-32;
  const double f1 = u32_to_double(frac_hi & 0xffffffffU) * 0x1p-64;
  const double f2 = u32_to_double(frac_lo >> 32) * 0x1p-96;
  const double f3 = u32_to_double(frac_lo & 0xffffffffU) * 0x1p-128;
  const DoubleDouble s01 = two_sum(f0, f1);
  const DoubleDouble s23 = two_sum(f2, f3);
  const DoubleDouble s = two_sum(s01.hi, s23.hi);
  const DoubleDouble f = fast_two_sum(s.hi, (s01.lo + s23.lo) + s.lo);
  const DoubleDouble r = two_prod(f.hi, kPio2Hi);
  const DoubleDouble res = fast_two_sum(r.hi, r.lo + (f.hi * kPio2Lo + f.lo * kPio2Hi));
  return TrigReduced{res.hi, res.lo, q};
}

PSST_MATH_FN TrigReduced trig_reduce(double a) {
  const std::uint64_t huge = ~mask_lt(a, kCodyWaiteLimit);  // also inf and NaN
  const TrigReduced cw = trig_reduce_cody_waite(select(huge, 0.0, a));
  const TrigReduced ph = trig_reduce_payne_hanek(select(huge, a, kCodyWaiteLimit));
  return TrigReduced{select(huge, ph.hi, cw.hi), select(huge, ph.lo, cw.lo), (ph.q & huge) | (cw.q & ~huge)};
}

// sin(r) = r + r^3 S(r^2): Chebyshev fit on |r| <= pi/4 + 2^-20, error < 2^-66.
constexpr double kSin1 = -0x1.5555555555555p-3;
constexpr double kSin2 = 0x1.1111111111110p-7;
constexpr double kSin3 = -0x1.a01a01a019938p-13;
constexpr double kSin4 = 0x1.71de3a5460950p-19;
constexpr double kSin5 = -0x1.ae645412c4390p-26;
constexpr double kSin6 = 0x1.61217f0a95ad6p-33;
constexpr double kSin7 = -0x1.ab17d37ab5989p-41;
// cos(r) = 1 - r^2/2 + r^4 C(r^2): same interval, error < 2^-60 in C (r^4 C < 0.016).
constexpr double kCos1 = 0x1.5555555555555p-5;
constexpr double kCos2 = -0x1.6c16c16c16967p-10;
constexpr double kCos3 = 0x1.a01a019f4eaf9p-16;
constexpr double kCos4 = -0x1.27e4fa17d9624p-22;
constexpr double kCos5 = 0x1.1eeb68e88cbb9p-29;
constexpr double kCos6 = -0x1.907da2e9cd397p-37;

// sin(x + y) for |x + y| <= pi/4, |y| <= ulp(x): sin x + y cos x ~
// x + x^3 S1 + x^5 S'(x^2) + y (1 - x^2/2).  x^2 and x^3 S1 (up to 0.08 of the
// result) are computed as double-doubles and x + x^3 S1 summed exactly, so
// that only the last addition rounds at the scale of the result.
PSST_MATH_FN double sin_kernel(double x, double y) {
  const DoubleDouble zd = two_prod(x, x);
  const double z = zd.hi;
  const double z2 = z * z;
  const double s_rest = (kSin2 + kSin3 * z) + (kSin4 + kSin5 * z) * z2 + (kSin6 + kSin7 * z) * (z2 * z2);
  const DoubleDouble v = two_prod(z, x);                  // x^3 == v.hi + v_lo
  const double v_lo = v.lo + zd.lo * x;
  const DoubleDouble t = two_prod(v.hi, kSin1);            // x^3 S1 == t.hi + t_lo
  const double t_lo = t.lo + v_lo * kSin1;
  const DoubleDouble u = fast_two_sum(x, t.hi);            // |x| > 6 |x^3 S1|
  const double small = (v.hi * z) * s_rest + y * (1.0 - 0.5 * z);
  return u.hi + ((u.lo + t_lo) + small);
}

// cos(x + y) ~ cos x - y sin x ~ 1 - x^2/2 + x^4 C(x^2) - x y, with x^2 exact
// (double-double) and 1 - x^2/2 rounded once, its error kept.
PSST_MATH_FN double cos_kernel(double x, double y) {
  const DoubleDouble zd = two_prod(x, x);
  const double z = zd.hi;
  const double z2 = z * z;
  const double c = (kCos1 + kCos2 * z) + (kCos3 + kCos4 * z) * z2 + (kCos5 + kCos6 * z) * (z2 * z2);
  const double hz = 0.5 * z;
  const double w = 1.0 - hz;
  return w + (((1.0 - w) - hz) + ((z2 * c - x * y) - 0.5 * zd.lo));
}

}  // namespace detail

// Sine, as C's sin with a correct argument reduction over the whole double
// range.  Max error 0.59 ULP measured.  sin(-x) == -sin(x) exactly,
// sin(+-0) == +-0, sin(+-inf) == NaN, NaN -> NaN.
PSST_MATH_FN double sin(double x) {
  using namespace detail;
  const double a = from_bits(to_bits(x) & kAbsMask);
  const TrigReduced t = trig_reduce(a);
  // sin(q pi/2 + r) = sin r, cos r, -sin r, -cos r for q = 0, 1, 2, 3.
  const double res = select(std::uint64_t{0} - (t.q & 1U), cos_kernel(t.hi, t.lo), sin_kernel(t.hi, t.lo));
  const std::uint64_t sign = ((t.q << 62) ^ to_bits(x)) & ~kAbsMask;
  return select(mask_nan(a - a), nan_value(), from_bits(to_bits(res) ^ sign));  // inf - inf is NaN
}

// Cosine, as C's cos.  Max error 0.58 ULP measured.  cos(-x) == cos(x)
// exactly, cos(+-0) == 1, cos(+-inf) == NaN, NaN -> NaN.
PSST_MATH_FN double cos(double x) {
  using namespace detail;
  const double a = from_bits(to_bits(x) & kAbsMask);
  const TrigReduced t = trig_reduce(a);
  // cos(q pi/2 + r) = cos r, -sin r, -cos r, sin r for q = 0, 1, 2, 3.
  const double res = select(std::uint64_t{0} - (t.q & 1U), sin_kernel(t.hi, t.lo), cos_kernel(t.hi, t.lo));
  const std::uint64_t sign = ((t.q + 1U) << 62) & ~kAbsMask;
  return select(mask_nan(a - a), nan_value(), from_bits(to_bits(res) ^ sign));
}

}  // namespace psst::math
