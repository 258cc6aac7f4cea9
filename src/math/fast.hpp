// psst/math/fast.hpp -- the cheaper exp and log of math = "fast", and div_fast.
//
// In fast mode the expression graph computes exp and log with these functions
// (graph::Op::ExpFast, Op::LogFast) instead of functions.hpp's exp and log. Every
// backend calls them (the interpreter through graph::apply and its math loops,
// the printed C++ and CUDA kernels by name), so fast mode gives the same bits on
// every backend; only the error against the exact result is larger. The same
// rules as functions.hpp hold (IEEE operations and explicit fma only, no table,
// no data-dependent branch, canonical NaN), and the same special values.
//
// What they leave out: the compensation of rounding errors (the exact sums of
// 1 + r + w, of k ln2 + f - f^2/2, the error of the reduced argument), and, in
// exp, one polynomial term. Error bounds, measured against 80-bit long double libm
// on millions of points (tests/math_fast_functions_test.cpp asserts them):
// exp_fast 1.5 ULP for normal results (subnormal results: within 1 ULP of the
// subnormal grid plus the relative error), log_fast 1 ULP; div_fast: see below.
//
// div_fast (a division without a division instruction) is NOT used by the graph: in the
// HH fast-mode kernel it was slower than the IEEE division it replaced (AVX-512 Intel
// Xeon: 1.11-1.35e7 -> 0.86-1.03e7 neuron-steps/s; the divider works beside the FMA
// ports, div_fast's 31 operations take FMA-port slots; even its 10-operation core
// without range and special-value handling was no faster): docs/performance.md.
// It stays here, tested, for a target where division is the bottleneck.
#pragma once

#include <cstdint>

#include "math/functions.hpp"

namespace psst::math {

namespace detail {
// (e^r - 1 - r) / r^2 on |r| <= ln2/2 + 1e-6, degree 9 (functions.hpp's exp has
// degree 10): near-minimax fit (Lawson's iteration on 400 Chebyshev nodes, mpmath,
// 50 digits); max absolute error 1.0e-16, i.e. 1.2e-17 in e^r after the factor r^2.
constexpr double kExpFastP0 = 0x1.0000000000001p-1;
constexpr double kExpFastP1 = 0x1.5555555555558p-3;
constexpr double kExpFastP2 = 0x1.5555555553d67p-5;
constexpr double kExpFastP3 = 0x1.111111110f80dp-7;
constexpr double kExpFastP4 = 0x1.6c16c1788a2f1p-10;
constexpr double kExpFastP5 = 0x1.a01a01b007b7fp-13;
constexpr double kExpFastP6 = 0x1.a019b913bd5b3p-16;
constexpr double kExpFastP7 = 0x1.71ddf6c07f363p-19;
constexpr double kExpFastP8 = 0x1.28917d77b236fp-22;
constexpr double kExpFastP9 = 0x1.af631348be407p-26;

// div_fast. The common power-of-two scale of x and y, 2^(1023 - (E'x + E'y) / 2) with E'
// a biased exponent rounded down to a multiple of 4: kDivScaleBits - (sum of the masked
// exponent fields >> 1); its exponent field lies in [2, 2046] for every x and y.
constexpr std::uint64_t kDivScaleBits = 0x7fe0000000000000ULL;
constexpr std::uint64_t kDivExponentMask = 0x7fc0000000000000ULL;
// The reciprocal seed bits(1/y) ~ kDivSeed - bits(y) (sign included): |1 - y r0| <= 0.0506
// for every normal y (the best constant with 12 free bits, searched on [1, 4)).
constexpr std::uint64_t kDivSeed = 0x7fde620000000000ULL;
constexpr std::uint64_t kMaxFiniteBits = 0x7fefffffffffffffULL;
}  // namespace detail

// x / y without a division instruction: faithful (< 1 ULP) wherever the result is normal,
// and correctly rounded except where x / y lies within about 2^-60 (relative) of a rounding
// boundary; the same special values as IEEE division (canonical NaN). Bounds measured in
// tests/math_fast_functions_test.cpp.
//  1. x and y are scaled by the same power of two s ~ 1 / sqrt(|x y|) (exact unless x s or
//     y s leaves the normal range, which happens only where x / y underflows or overflows
//     by far), so that x s and y s lie within about 2^-515 and 2^516 wherever x / y is
//     normal: the seed needs no range check and the residual below is never subnormal.
//  2. r ~ 1/(y s): an integer-magic seed on the bits of y s (|1 - y s r0| <= 0.0506), then
//     r = r0 (1 + e)(1 + e^2)(1 + e^4), e = 1 - y s r0: relative error e^8 < 2^-34.
//  3. q = x s r, then one residual correction q + (x s - q y s) r (the residual is one
//     fma): the error of r enters squared, the result is x / y plus less than 2^-60 of it,
//     rounded once.
//  4. Where q is +-0, +-inf or NaN (x or y zero, infinite or NaN; x / y overflows or
//     underflows to zero) the result is x s * w, w = bits(inf) - bits(y s): +-inf for
//     y s = +-0, +-0 for +-inf, NaN for NaN, otherwise of y's sign and 2 to 2.25 times
//     1/(y s): IEEE's x / 0, 0 / y, inf / y, x / inf, NaNs and overflow.
// Outside normal results: a result whose magnitude is within 2^-33 (relative) below the
// overflow threshold may be +-inf; subnormal results (and results that round to zero) are
// within 1 ULP of the subnormal grid. Cost: 31 vector operations (10 integer, 2 selects);
// 1.0-1.9 ns per value in an AVX-512 loop against 0.83-1.28 for the division instruction
// (bench/math_bench.cpp, under load).
PSST_MATH_FN double div_fast(double x, double y) {
  using namespace detail;
  const std::uint64_t exponents = (to_bits(x) & kDivExponentMask) + (to_bits(y) & kDivExponentMask);
  const double s = from_bits(kDivScaleBits - (exponents >> 1));
  const double xs = x * s;
  const double ys = y * s;
  const double r0 = from_bits(kDivSeed - to_bits(ys));
  const double e = PSST_MATH_FMA(-ys, r0, 1.0);
  const double e2 = e * e;
  const double e4 = e2 * e2;
  const double r1 = PSST_MATH_FMA(r0, e, r0);    // r0 (1 + e)
  const double r2 = PSST_MATH_FMA(r1, e2, r1);   // r0 (1 + e)(1 + e^2)
  const double r = PSST_MATH_FMA(r2, e4, r2);    // r0 (1 + e)(1 + e^2)(1 + e^4)
  const double q = xs * r;
  const double residual = PSST_MATH_FMA(-q, ys, xs);
  const double quotient = PSST_MATH_FMA(residual, r, q);
  // q is +-0, +-inf or NaN: |q| - 1 wraps (zero) or |q| exceeds the largest finite number.
  const std::uint64_t abs_q = to_bits(q) & kAbsMask;
  const std::uint64_t special = std::uint64_t{0} - (((abs_q - 1U) | (kMaxFiniteBits - abs_q)) >> 63);
  const double res = select(special, xs * from_bits(kInfBits - to_bits(ys)), quotient);
  return select(mask_nan(res), nan_value(), res);
}

// e^x, cheaper than exp: x = k ln2 + r as in exp, then e^r = 1 + (r + r^2 P(r))
// with two roundings at the end and none compensated, then the exact scaling by
// 2^k1 * 2^k2. exp_fast(0) == 1, the same overflow (x > 709.79 -> +inf),
// underflow (x < -746 -> +0), infinities and canonical NaN as exp.
PSST_MATH_FN double exp_fast(double x) {
  using namespace detail;
  const double t = PSST_MATH_FMA(x, kInvLn2, kShift);
  const double kd = t - kShift;
  const double hi = PSST_MATH_FMA(-kd, kLn2Hi, x);  // exact
  const double r = PSST_MATH_FMA(-kd, kLn2Lo, hi);
  // P by Estrin's scheme: short dependency chains.
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double r8 = r4 * r4;
  const double p01 = PSST_MATH_FMA(kExpFastP1, r, kExpFastP0);
  const double p23 = PSST_MATH_FMA(kExpFastP3, r, kExpFastP2);
  const double p45 = PSST_MATH_FMA(kExpFastP5, r, kExpFastP4);
  const double p67 = PSST_MATH_FMA(kExpFastP7, r, kExpFastP6);
  const double p89 = PSST_MATH_FMA(kExpFastP9, r, kExpFastP8);
  const double p03 = PSST_MATH_FMA(p23, r2, p01);
  const double p47 = PSST_MATH_FMA(p67, r2, p45);
  const double p = PSST_MATH_FMA(p89, r8, PSST_MATH_FMA(p47, r4, p03));
  const double y = 1.0 + PSST_MATH_FMA(r2, p, r);  // e^r, in [0.7, 1.42]
  return exp_scale(y, t, x);
}

// Natural logarithm, cheaper than log: the same reduction and polynomial,
// log(1+f) = f - f^2/2 + s (f^2/2 + R), s = f / (2 + f), summed as fdlibm sums it
// (k ln2_hi - ((f^2/2 - (s (f^2/2 + R) + k ln2_lo)) - f)) without the exact
// square and the compensated sums of log. The same special values as log.
PSST_MATH_FN double log_fast(double x) {
  using namespace detail;
  const LogReduced red = log_reduce(x);
  const double kd = red.kd;
  const double f = red.f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double z2 = z * z;
  const double z4 = z2 * z2;
  const double q01 = PSST_MATH_FMA(kLogQ1, z, kLogQ0);
  const double q23 = PSST_MATH_FMA(kLogQ3, z, kLogQ2);
  const double q45 = PSST_MATH_FMA(kLogQ5, z, kLogQ4);
  const double q67 = PSST_MATH_FMA(kLogQ7, z, kLogQ6);
  const double q = PSST_MATH_FMA(PSST_MATH_FMA(q67, z2, q45), z4, PSST_MATH_FMA(q23, z2, q01));
  const double hfsq = 0.5 * (f * f);
  const double tail = PSST_MATH_FMA(s, PSST_MATH_FMA(z, q, hfsq), kd * kLn2Lo);
  double res = kd * kLn2Hi - ((hfsq - tail) - f);  // k ln2_hi is exact (40 + 11 bits)
  res = select(mask_lt(0x1.fffffffffffffp1023, x), x, res);
  res = select(mask_sign(x), nan_value(), res);   // x < 0 (and -0)
  res = select(mask_zero(x), -inf_value(), res);  // +-0
  return select(mask_nan(x), nan_value(), res);
}

}  // namespace psst::math
