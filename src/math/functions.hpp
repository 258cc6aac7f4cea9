// psst/math/functions.hpp -- bit-reproducible elementary functions.
//
// These functions exist so that every psst backend (the interpreter, generated
// C++ kernels, CUDA kernels) computes the *same bits*.  They therefore use only
// operations that IEEE 754 specifies exactly (+ - * / and fused multiply-add
// with round-to-nearest, comparisons, selects, reinterpretation of the bits of
// a double as a 64-bit integer and integer add/sub/and/or/xor/shift).  No libm
// call but fma, no lookup table (but the bits of 2/pi in trig.hpp), no
// data-dependent branch: every data-dependent decision is a branch-free select
// (a bit blend, see detail::select), so g++ -O3 auto-vectorises a loop calling
// them (AVX2 + FMA, AVX-512; on a target without FMA each fma is a libm call and
// the loop stays scalar) and the vector code gives the same bits as the scalar
// code (tests/math_vector_test.cpp checks it).
//
// Requirements on the including translation unit (all psst targets satisfy them):
//   * no contraction of a*b+c into fma: -ffp-contract=off (g++/clang++),
//     --fmad=false (nvcc: checked, the PTX then has no fma.rn.f64; with the
//     default --fmad=true it has 46);  -std=c++20 (ISO mode) already implies it for g++;
//     the fused operations are all explicit (PSST_MATH_FMA);
//   * no -ffast-math / -Ofast / -fassociative-math / -ffinite-math-only;
//   * double is IEEE binary64 evaluated in binary64 (x86-64 SSE2, AArch64,
//     CUDA; not x87 i.e. not 32-bit x86 without -mfpmath=sse);
//   * subnormals not flushed (no FTZ/DAZ; CUDA double never flushes).
//
// Explicit fused multiply-adds (PSST_MATH_FMA) evaluate the polynomials, the
// argument reductions and the exact products (two_prod: the rounding error of a
// product in one fma instead of Dekker's 17 operations). An fma is correctly
// rounded wherever it is computed (an x86 FMA3 instruction with -march=native or
// -mfma, glibc's fma without, CUDA's fma), so the bits do not depend on the
// target: only its speed does (a libm call per fma on x86-64 without FMA, ~10x
// slower; the interpreter therefore runs its math loops in an x86-64-v3 clone
// where the CPU has one, backend/reference/math_loops.hpp).
//
// Portability hooks (a CUDA printer may #define them before including):
//   PSST_MATH_FN        function specifiers (default: inline + always_inline,
//                       CUDA: __host__ __device__ __forceinline__);
//                       PSST_MATH_INLINE is accepted as an alias
//   PSST_MATH_BITCAST   PSST_MATH_BITCAST(To, x): bit reinterpretation
//   PSST_MATH_FMA       PSST_MATH_FMA(a, b, c): fused multiply-add, correctly rounded
//   PSST_MATH_TABLE     how trig.hpp declares its constant table (default:
//                       inline constexpr; CUDA: e.g. __device__ constexpr)
//
// Accuracy, measured against 80-bit long double libm on millions of points
// (tests/math_functions_test.cpp, and 20 million points per range offline):
// exp 0.77 ULP (0.60 for normal results; exp_precise 0.54), expm1 0.59 ULP, log 0.68 ULP, x_over_expm1 1.48 ULP,
// tanh 0.54 ULP (pow.hpp: pow 0.53 ULP; trig.hpp: sin, cos 0.59 ULP).  Polynomial
// coefficients: Chebyshev fits computed with mpmath for this file.
// NaN results are always the canonical quiet NaN 0x7ff8000000000000 (the input
// NaN's payload is not propagated), so that CPU and GPU agree bitwise.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#if !defined(PSST_MATH_FN) && defined(PSST_MATH_INLINE)
#  define PSST_MATH_FN PSST_MATH_INLINE  // older spelling of the same hook
#endif
#ifndef PSST_MATH_FN
#  if defined(__CUDACC__)
#    define PSST_MATH_FN __host__ __device__ __forceinline__
#  elif defined(__GNUC__) || defined(__clang__)
#    define PSST_MATH_FN inline __attribute__((always_inline))
#  else
#    define PSST_MATH_FN inline
#  endif
#endif
#ifndef PSST_MATH_BITCAST
#  if defined(__CUDACC__)
#    define PSST_MATH_BITCAST(To, x) __builtin_bit_cast(To, x)  // std::bit_cast is host-only in nvcc
#  else
#    define PSST_MATH_BITCAST(To, x) std::bit_cast<To>(x)
#  endif
#endif
#ifndef PSST_MATH_FMA
#  define PSST_MATH_FMA(a, b, c) std::fma((a), (b), (c))
#endif

namespace psst::math {

namespace detail {

PSST_MATH_FN double from_bits(std::uint64_t u) { return PSST_MATH_BITCAST(double, u); }
PSST_MATH_FN std::uint64_t to_bits(double x) { return PSST_MATH_BITCAST(std::uint64_t, x); }

// ---- branch-free selects ---------------------------------------------------
// Every data-dependent choice is select(mask, a, b) with a mask that is all
// ones or all zeros, computed with integer operations from the sign bit of an
// exact IEEE result.  Why not a ternary `c ? a : b`: g++ turns a ternary into
// control flow and then sinks the computation of a (or b) into the arm that
// uses it; with -ftrapping-math (the default) if-conversion may not speculate
// those floating-point operations again, and the loop stays scalar on SSE2 and
// AVX2 ("control flow in loop").  A mask from a comparison would need a
// vector-boolean -> 64-bit-integer conversion that SSE2 lacks.  The sign-bit
// masks below need only psubq/psrlq/pand/por (SSE2) and always compute both
// operands, so the loop is if-converted on every ISA.
constexpr std::uint64_t kAbsMask = 0x7fffffffffffffffULL;
constexpr std::uint64_t kInfBits = 0x7ff0000000000000ULL;

// All ones iff a < b.  a - b is never rounded to zero or across zero, so its
// sign bit is exactly (a < b); valid for non-NaN a, b that are not equal
// infinities, and not for (a, b) == (-0, +0).
PSST_MATH_FN std::uint64_t mask_lt(double a, double b) {
  return std::uint64_t{0} - (to_bits(a - b) >> 63);
}
// All ones iff the sign bit of a is set (a < 0, or a == -0, or a negative NaN).
PSST_MATH_FN std::uint64_t mask_sign(double a) { return std::uint64_t{0} - (to_bits(a) >> 63); }
// All ones iff a == +0 or a == -0.
PSST_MATH_FN std::uint64_t mask_zero(double a) {
  return std::uint64_t{0} - (((to_bits(a) & kAbsMask) - 1U) >> 63);
}
// All ones iff a is a NaN.
PSST_MATH_FN std::uint64_t mask_nan(double a) {
  return std::uint64_t{0} - ((kInfBits - (to_bits(a) & kAbsMask)) >> 63);
}
// mask ? a : b, bit for bit.
PSST_MATH_FN double select(std::uint64_t mask, double a, double b) {
  return from_bits((to_bits(a) & mask) | (to_bits(b) & ~mask));
}

PSST_MATH_FN double nan_value() { return from_bits(0x7ff8000000000000ULL); }
PSST_MATH_FN double inf_value() { return from_bits(0x7ff0000000000000ULL); }

// All ones iff the 64-bit words a and b are equal.
PSST_MATH_FN std::uint64_t mask_eq(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t u = a ^ b;
  return ((u | (std::uint64_t{0} - u)) >> 63) - 1U;
}

// ---- double-double building blocks (error-free transformations) ----
// A value hi + lo with |lo| <= ulp(hi)/2 (or an unnormalised pair, where said).
struct DoubleDouble {
  double hi;
  double lo;
};
// a + b == hi + lo exactly (Knuth's TwoSum, any a, b without overflow).
PSST_MATH_FN DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
// a + b == hi + lo exactly, for |a| >= |b| (or a == 0) (Dekker's Fast2Sum).
PSST_MATH_FN DoubleDouble fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}
// a * b == hi + lo exactly (no overflow, and a*b - hi not below the subnormal
// range): the rounding error of a product is a double, and one fused
// multiply-add computes it exactly. The same bits as Dekker's fma-free product
// (both are the exact error), in 2 operations instead of 17.
PSST_MATH_FN DoubleDouble two_prod(double a, double b) {
  const double p = a * b;
  return {p, PSST_MATH_FMA(a, b, -p)};
}
// a * a == hi + lo exactly, hi the rounded square (same conditions).
PSST_MATH_FN DoubleDouble two_square(double a) { return two_prod(a, a); }

// ---- exp / expm1 argument reduction ---------------------------------------
// x = k*ln2 + r, |r| <= ln2/2 (+ a few ulp), r = hi - lo with hi exact.
// ln2_hi has 40 significant bits, so k*ln2_hi is exact for |k| < 2^13 and
// x - k*ln2_hi is exact (Sterbenz).  |ln2 - ln2_hi - ln2_lo| < 2e-31.
constexpr double kInvLn2 = 0x1.71547652b82fep+0;
constexpr double kLn2Hi = 0x1.62e42fefa4000p-1;
constexpr double kLn2Lo = -0x1.8432a1b0e2634p-43;
// Adding kShift rounds to an integer (|v| < 2^51) and leaves it in the low
// mantissa bits: bits(v + kShift) == kShiftBits + k (mod 2^64).
constexpr double kShift = 0x1.8p52;
constexpr std::uint64_t kShiftBits = 0x4338000000000000ULL;

// Minimax-like (Chebyshev) fit of P(r) = (e^r - 1 - r) / r^2 on
// |r| <= 0.34658, P(0) = 1/2 exactly; relative error < 2^-55.9 including the
// rounding of the coefficients to double.
constexpr double kExpP0 = 0x1.0000000000000p-1;
constexpr double kExpP1 = 0x1.5555555555556p-3;
constexpr double kExpP2 = 0x1.5555555555555p-5;
constexpr double kExpP3 = 0x1.11111111109b4p-7;
constexpr double kExpP4 = 0x1.6c16c16c167e2p-10;
constexpr double kExpP5 = 0x1.a01a01a7c327ap-13;
constexpr double kExpP6 = 0x1.a01a01a47a78fp-16;
constexpr double kExpP7 = 0x1.71de0db21e27fp-19;
constexpr double kExpP8 = 0x1.27e4e1f6a6779p-22;
constexpr double kExpP9 = 0x1.af38a0d2d9620p-26;
constexpr double kExpP10 = 0x1.1f66da6ee7eeap-29;

struct ExpReduced {
  double kd;          // k as a double (an integer)
  std::uint64_t kb;   // kShiftBits + k (mod 2^64)
  double hi;          // x - k*ln2_hi, exact
  double h2;          // ~r^2/2, exact (r*r rounded, halved)
  double t;           // the rest of e^r - 1 - hi - h2 (small: |t| < 0.01)
};

// The end of exp and exp_fast: e^x = y 2^k, k read from t = x/ln2 + kShift, scaled
// exactly in two factors 2^k1 2^(k - k1) (so subnormal results are rounded once),
// then overflow, underflow and NaN by x.
PSST_MATH_FN double exp_scale(double y, double t, double x) {
  // kk = k + 2048 >= 0 (meaningless, and harmless, outside the valid range).
  const std::uint64_t kk = to_bits(t) - kShiftBits + 2048U;
  const std::uint64_t half = kk >> 1;                     // k1 + 1024
  const double scale1 = from_bits((half - 1U) << 52);     // 2^k1
  const double scale2 = from_bits((kk - half - 1U) << 52);  // 2^(k - k1)
  double res = (y * scale1) * scale2;
  res = select(mask_lt(709.79, x), inf_value(), res);  // exact overflow happens below 709.79
  res = select(mask_lt(x, -746.0), 0.0, res);          // exact underflow happens above -746
  return select(mask_nan(x), nan_value(), res);
}

// e^r - 1 - r - r^2/2 = r^3 * P1(r), P1 = (P - 1/2) / r, evaluated with
// Estrin's scheme (short dependency chains; |r^3 P1| < 0.007, so its few
// ulp of rounding error stay far below an ulp of the result). |r| <= ln2/2.
PSST_MATH_FN double exp_cubic_tail(double r) {
  const double r2 = r * r;
  const double r4 = r2 * r2;
  const double p34 = PSST_MATH_FMA(kExpP4, r, kExpP3);
  const double p56 = PSST_MATH_FMA(kExpP6, r, kExpP5);
  const double p78 = PSST_MATH_FMA(kExpP8, r, kExpP7);
  const double p910 = PSST_MATH_FMA(kExpP10, r, kExpP9);
  // (P1 - P1_0 - P1_1 r) / r^2
  const double u = PSST_MATH_FMA(PSST_MATH_FMA(p910, r2, p78), r4, PSST_MATH_FMA(p56, r2, p34));
  const double p = PSST_MATH_FMA(r2, u, PSST_MATH_FMA(kExpP2, r, kExpP1));
  return r2 * (r * p);
}

// x = k ln2 + r with r = hi - lo, and e^r - 1 = hi + h2 + t with hi, h2 exact.
// Valid for x in [-746.5, 710] (k in [-1077, 1024]).  Outside that range (and
// for NaN) the fields are meaningless but computing them is harmless (no UB,
// only unsigned integer arithmetic); callers select the right result after.
// There is deliberately no clamping of x *before* the reduction: g++ threads a
// clamp to a constant through the whole computation, which leaves the real
// computation on a conditional path and stops if-conversion/vectorisation.
PSST_MATH_FN ExpReduced exp_reduce(double x) {
  const double t = PSST_MATH_FMA(x, kInvLn2, kShift);
  const double kd = t - kShift;
  const double hi = PSST_MATH_FMA(-kd, kLn2Hi, x);  // exact: k ln2_hi and the difference are doubles
  const double lo = kd * kLn2Lo;
  const double r = hi - lo;
  // r^2/2 = h2 + l2 exactly (the rounded square and its exact error, halved).
  const DoubleDouble sq = two_square(r);
  const double h2 = 0.5 * sq.hi;
  const double l2 = 0.5 * sq.lo;
  const double q = exp_cubic_tail(r);
  // r = hi - lo was rounded; its error dr enters e^r - 1 - r as ~r*dr.
  const double dr = (hi - r) - lo;
  return ExpReduced{kd, to_bits(t), hi, h2, ((l2 + q) + r * dr) - lo};
}

// e^x from a reduction.  Normal results: 1 + hi + h2 summed exactly (two
// Fast2Sums), the small rest added, rounded once, then scaled exactly by 2^k.
// Subnormal results: rounded once, directly to the subnormal grid (no double
// rounding), not flushed.  Overflow -> +inf.
PSST_MATH_FN double exp_finish(const ExpReduced& e) {
  const double s1 = 1.0 + e.hi;                  // |hi| < 1: Fast2Sum
  const double e1 = (1.0 - s1) + e.hi;
  const double s = s1 + e.h2;                    // |s1| > 0.7 > |h2|: Fast2Sum
  const double e2 = (s1 - s) + e.h2;
  const double tail = (e1 + e2) + e.t;
  const double y = s + tail;                     // e^r, in [0.7, 1.42]
  // k >= -1021: (2y) * 2^(k-1) is exact unless it overflows.
  const double scale = from_bits((e.kb + 1022U) << 52);  // 2^(k-1)
  const double res_normal = (y * 2.0) * scale;
  // k <= -1022: scale by 2^(k+1022) (exact), round on the 2^-52 grid of
  // [1, 2) so that the final multiplication by 2^-1022 is exact.  For other k
  // the scale is 0, so that this unused path computes no subnormal numbers
  // (which cost a ~100-cycle microcode assist each on x86).
  const std::uint64_t tiny = mask_lt(e.kd, -1021.5);
  const double sc = select(tiny, from_bits((e.kb + 2045U) << 52), 0.0);  // 2^(k+1022)
  const double hs = s * sc;
  const double ts = tail * sc;
  const double ys = hs + ts;
  const double g = 1.0 + hs;
  const double gl = ((1.0 - g) + hs) + ts;
  const double z = (g + gl) - 1.0;
  const double res_tiny = select(mask_lt(ys, 1.0), z, ys) * 0x1p-1022;
  return select(tiny, res_tiny, res_normal);
}

// e^x - 1 from a reduction: 2^k * (c + hi + h2 + t - d) where c and d are
// chosen so that c is exact, c + hi (TwoSum) and + h2 (Fast2Sum) are exact and
// the whole sum is rounded once before the exact scaling by 2^k:
//   |k| <= 53: c = 1 - 2^-k, d = 0
//   k  >= 54 : c = 1,        d = 2^-k
//   k  <= -54: c = -2^-k,    d = -1
// k <= -81 (x < -55.8): e^x < 2^-80, e^x - 1 rounds to -1; this also covers
// x < -746.5 and x == -inf, where the reduction is meaningless.
// expm1_sum: the unrounded sum, e^x - 1 == 2^k * (s + rest) (tanh uses it as a
// double-double); expm1_finish rounds it once and scales it.
struct Expm1Sum {
  double s;
  double rest;
};
PSST_MATH_FN Expm1Sum expm1_sum(const ExpReduced& e) {
  const double kd = e.kd;
  const double twomk = from_bits(((kShiftBits + 1023U) - e.kb) << 52);  // 2^-k for -1022 <= k <= 1022
  const double neg_twomk = -twomk;
  const double one_m_twomk = 1.0 - twomk;
  const double c = select(mask_lt(53.5, kd), 1.0, select(mask_lt(kd, -53.5), neg_twomk, one_m_twomk));
  const double d = select(mask_lt(53.5, kd), select(mask_lt(1000.0, kd), 0.0, twomk),
                          select(mask_lt(kd, -53.5), -1.0, 0.0));
  const double s1 = c + e.hi;                    // TwoSum(c, hi)
  const double bb = s1 - c;
  const double e1 = (c - (s1 - bb)) + (e.hi - bb);
  const double s = s1 + e.h2;                    // |s1| >= |h2| (or both 0): Fast2Sum
  const double e2 = (s1 - s) + e.h2;
  return Expm1Sum{s, (e1 + e2) + (e.t - d)};
}
PSST_MATH_FN double expm1_finish(const ExpReduced& e) {
  const Expm1Sum sum = expm1_sum(e);
  const double y = sum.s + sum.rest;
  const double scale = from_bits((e.kb + 1022U) << 52);   // 2^(k-1)
  const double res = (y * 2.0) * scale;
  return select(mask_lt(e.kd, -80.5), -1.0, res);
}

// ---- log ------------------------------------------------------------------
// Q(z) ~ (2 atanh(s) - 2 s) / s^3, z = s^2 in [0, 0.029438]; rel. error ~2^-54.
constexpr double kLogQ0 = 0x1.5555555555555p-1;
constexpr double kLogQ1 = 0x1.9999999999a38p-2;
constexpr double kLogQ2 = 0x1.2492492476ccbp-2;
constexpr double kLogQ3 = 0x1.c71c7201592afp-3;
constexpr double kLogQ4 = 0x1.745cf90485b72p-3;
constexpr double kLogQ5 = 0x1.3b1c355c49df7p-3;
constexpr double kLogQ6 = 0x1.0fbe95a8ce3f7p-3;
constexpr double kLogQ7 = 0x1.0c039e2d97702p-3;
constexpr std::uint64_t kSqrtHalfBits = 0x3fe6a09e667f3bcdULL;  // sqrt(2)/2

// x = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)), f exact, for positive finite x
// (subnormals pre-scaled by 2^54; meaningless, and harmless, for other x).
struct LogReduced {
  double kd;  // k as a double
  double f;
};
PSST_MATH_FN LogReduced log_reduce(double x) {
  const std::uint64_t tiny = mask_lt(x, 0x1p-1022);  // subnormal (or <= 0)
  const double x_scaled = x * 0x1p54;
  const double xs = select(tiny, x_scaled, x);
  const std::uint64_t ix = to_bits(xs);
  const std::uint64_t tmp = ix - kSqrtHalfBits;
  // k as a double without an int->double conversion (none in SSE2/AVX2 for
  // 64-bit ints): the top 12 bits of tmp are k in two's complement.
  const std::uint64_t kbias = (tmp >> 52) ^ 0x800U;              // k + 2048
  const double kd = (from_bits(0x4330000000000000ULL | kbias) - 0x1.00000000008p52) - select(tiny, 54.0, 0.0);
  const double m = from_bits(ix - (tmp & 0xfff0000000000000ULL));
  return LogReduced{kd, m - 1.0};                                // m - 1 is exact
}

}  // namespace detail

// x, or a zero of x's sign where x is subnormal (|x| < 2^-1022, the smallest
// normal double): what psst stores as state (see graph::Op::FlushSubnormal),
// so that values decaying geometrically end at 0 instead of living on in
// subnormals, which x86 computes in ~100-cycle microcode assists. Integer
// operations on the bits only (no floating-point operation touches the
// subnormal, SSE2-vectorisable): |x|'s bits minus those of 2^-1022 wrap around
// (sign bit set) exactly when |x| < 2^-1022, and then the magnitude is cleared.
// +-0, normals, +-inf and NaN are returned unchanged.
PSST_MATH_FN double flush_subnormal(double x) {
  const std::uint64_t bits = detail::to_bits(x);
  const std::uint64_t tiny = std::uint64_t{0} - (((bits & detail::kAbsMask) - 0x0010000000000000ULL) >> 63);
  return detail::from_bits(bits & ~(tiny & detail::kAbsMask));
}

// The same for float32 (single-precision kernels): |x| < 2^-126 becomes +-0.
PSST_MATH_FN float flush_subnormal(float x) {
  const std::uint32_t bits = PSST_MATH_BITCAST(std::uint32_t, x);
  const std::uint32_t tiny = std::uint32_t{0} - (((bits & 0x7fffffffU) - 0x00800000U) >> 31);
  return PSST_MATH_BITCAST(float, bits & ~(tiny & 0x7fffffffU));
}

// floor(x), bit for bit std::floor for every double (tests/math_floor_test.cpp), and
// branch-free so that a loop calling it vectorises (std::floor does not under g++'s
// default -ftrapping-math). For |x| < 2^52, (|x| + 2^52) - 2^52 is |x| rounded to
// the nearest integer (the sum's ulp is 1; the difference is exact); with x's sign it
// is within 1/2 of x, and one is subtracted where it lies above x. -0 stays -0,
// -0.5 gives -1, 0.5 gives +0. |x| >= 2^52 (already an integer), +-inf and NaN are
// returned as they are, payload and sign included (a signalling NaN too, as glibc's
// floor returns it), so this floor is the interpreter's former std::floor on every input.
PSST_MATH_FN double floor(double x) {
  using namespace detail;
  constexpr double kTwo52 = 0x1p52;
  const std::uint64_t bits = to_bits(x);
  const double magnitude = from_bits(bits & kAbsMask);
  const double nearest = from_bits(to_bits((magnitude + kTwo52) - kTwo52) | (bits & ~kAbsMask));
  // x - nearest is never rounded to zero or across it, and -0 - -0 is +0: exact sign.
  const double below = nearest - from_bits(mask_lt(x, nearest) & to_bits(1.0));
  const std::uint64_t fraction_possible = mask_lt(magnitude, kTwo52) & ~mask_nan(x);
  return select(fraction_possible, below, x);
}

// e^x, the kernels' exponential (max error measured by
// tests/math_functions_test.cpp), with about 2/3 of the operations of exp_precise.
// x = k ln2 + r (Cody-Waite: k ln2_hi and x - k ln2_hi exact), |r| <= ln2/2;
// e^r = 1 + r + (r^2/2 + r^3 P1(r)) with the errors of the sums compensated; then the exact scaling
// by 2^k as 2^k1 * 2^k2 with k1 = floor(k/2), both normal for every k in
// [-1076, 1024], so that subnormal results are rounded once (not flushed).
// exp(0) == 1, exp(-inf) == +0, exp(x) == +0 for x < -746,
// exp(x) == +inf for x > 709.78 (and x == +inf), exp(NaN) == NaN.
PSST_MATH_FN double exp(double x) {
  using namespace detail;
  const double t = PSST_MATH_FMA(x, kInvLn2, kShift);
  const double kd = t - kShift;
  const double hi = PSST_MATH_FMA(-kd, kLn2Hi, x);  // exact: k ln2_hi and the difference are doubles
  const double r = PSST_MATH_FMA(-kd, kLn2Lo, hi);
  const double r_error = PSST_MATH_FMA(-kd, kLn2Lo, hi - r);  // hi - r exact
  const double q = exp_cubic_tail(r);              // e^r - 1 - r - r^2/2
  // e^r = 1 + r + w: two Fast2Sums (|r| > |w|, 1 > |s|) keep the rounding errors of
  // both additions and of r, which are added back before the last rounding;
  // w = r^2/2 + q rounded once (0.5 r is exact).
  const double w = PSST_MATH_FMA(r, 0.5 * r, q);
  const double s = r + w;
  const double s_error = (r - s) + w;
  const double y1 = 1.0 + s;
  const double y1_error = (1.0 - y1) + s;
  const double y = y1 + (y1_error + (s_error + r_error));  // e^r, in [0.7, 1.42]
  return exp_scale(y, t, x);
}

// e^x with the exactly summed finish: max error 0.54 ULP measured (near-correct
// rounding), including subnormal results. Not used by the kernels (exp is
// cheaper); kept as the accurate twin that the tests measure exp against.
PSST_MATH_FN double exp_precise(double x) {
  const detail::ExpReduced e = detail::exp_reduce(x);
  double res = detail::exp_finish(e);
  res = detail::select(detail::mask_lt(709.79, x), detail::inf_value(), res);
  res = detail::select(detail::mask_lt(x, -746.0), 0.0, res);
  return detail::select(detail::mask_nan(x), detail::nan_value(), res);
}

// e^x - 1.  Max error 0.59 ULP measured, accurate near 0 (relative error
// 0.5 ULP for |x| < 1e-5; expm1(+-0) == +-0).
// expm1(-inf) == -1, expm1(+inf) == +inf, overflow for x > 709.78, NaN -> NaN.
PSST_MATH_FN double expm1(double x) {
  const detail::ExpReduced e = detail::exp_reduce(x);
  double res = detail::expm1_finish(e);           // -1 for x < -56 built in
  res = detail::select(detail::mask_lt(709.79, x), detail::inf_value(), res);
  res = detail::select(detail::mask_zero(x), x, res);
  return detail::select(detail::mask_nan(x), detail::nan_value(), res);
}

// Natural logarithm.  Max error 0.68 ULP measured.  Subnormal inputs are
// handled exactly (pre-scaled by 2^54).
// log(1) == +0, log(+-0) == -inf, log(x < 0) == NaN, log(+inf) == +inf,
// log(NaN) == NaN.
PSST_MATH_FN double log(double x) {
  const detail::LogReduced red = detail::log_reduce(x);
  const double kd = red.kd;
  const double f = red.f;
  // log(1+f) = 2 atanh(s) = f - f^2/2 + s*(f^2/2 + R), s = f/(2+f), R = z*Q(z).
  const double s = f / (2.0 + f);
  const double z = s * s;
  // R = z * Q(z), Q by Estrin's scheme (|s R| < 0.0034: its rounding errors
  // are far below an ulp of the result).
  const double z2 = z * z;
  const double z4 = z2 * z2;
  const double q01 = PSST_MATH_FMA(detail::kLogQ1, z, detail::kLogQ0);
  const double q23 = PSST_MATH_FMA(detail::kLogQ3, z, detail::kLogQ2);
  const double q45 = PSST_MATH_FMA(detail::kLogQ5, z, detail::kLogQ4);
  const double q67 = PSST_MATH_FMA(detail::kLogQ7, z, detail::kLogQ6);
  const double q = PSST_MATH_FMA(PSST_MATH_FMA(q67, z2, q45), z4, PSST_MATH_FMA(q23, z2, q01));
  const double r = z * q;
  // f^2/2 = hh + hl exactly: hh the rounded square halved, hl its exact error halved
  // (so hh is also f^2/2 rounded to nearest).
  const detail::DoubleDouble sq = detail::two_square(f);
  const double hh = 0.5 * sq.hi;
  const double hl = 0.5 * sq.lo;
  const double tt = s * (hh + r);                               // log(1+f) - f + f^2/2
  // k*ln2_hi + f - hh summed exactly: Fast2Sum (|k*ln2_hi| >= |f| unless
  // k == 0), then Fast2Sum (|k*ln2_hi + f| >= f^2/2), then the small rest.
  const double a = kd * detail::kLn2Hi;
  const double h1 = a + f;
  const double e1 = (a - h1) + f;
  const double h = h1 - hh;
  const double e2 = (h1 - h) - hh;
  double res = h + ((e1 + e2) + PSST_MATH_FMA(kd, detail::kLn2Lo, tt - hl));
  res = detail::select(detail::mask_lt(0x1.fffffffffffffp1023, x), x, res);
  res = detail::select(detail::mask_sign(x), detail::nan_value(), res);  // x < 0 (and -0)
  res = detail::select(detail::mask_zero(x), -detail::inf_value(), res);  // +-0
  return detail::select(detail::mask_nan(x), detail::nan_value(), res);
}

// x / (e^x - 1), the removable singularity of Hodgkin-Huxley rate functions.
// Max error 1.5 ULP measured (expm1's rounding plus the division's).
// Returns exactly 1 at x == +-0, accurate near 0; -x for x -> -inf (+inf at
// -inf), x*e^-x for large x (0 at +inf), NaN -> NaN.  One shared argument
// reduction: x <= 40 uses x / expm1(x), x > 40 uses x * e^-x (where
// e^-x < 2^-57 so the -1 is negligible and e^x would overflow beyond 709.78),
// computed as ((x * e^r) * 2^(k+600)) * 2^-600 so that a subnormal result is
// still accurate to its last place.
PSST_MATH_FN double x_over_expm1(double x) {
  const std::uint64_t big = detail::mask_lt(40.0, x);
  const double neg_x = -x;
  const double arg = detail::select(big, neg_x, x);
  const detail::ExpReduced e = detail::exp_reduce(arg);
  const double em1 = detail::expm1_finish(e);
  // e^-x = 2^k * y for the big branch (k in [-1077, -57]).
  const double s1 = 1.0 + e.hi;
  const double s = s1 + e.h2;
  const double y = s + ((((1.0 - s1) + e.hi) + ((s1 - s) + e.h2)) + e.t);
  const double sc = detail::from_bits((e.kb + 1623U) << 52);  // 2^(k+600)
  const double small_part = x / em1;
  const double big_part = ((x * y) * sc) * 0x1p-600;
  double res = detail::select(big, big_part, small_part);
  res = detail::select(detail::mask_zero(x), 1.0, res);
  res = detail::select(detail::mask_lt(746.0, x), 0.0, res);  // x e^-x < 2^-1075 (also x == +inf)
  return detail::select(detail::mask_nan(x), detail::nan_value(), res);
}

// Hyperbolic tangent.  Max error 0.54 ULP measured.
// tanh|x| = -m / (2 + m) with m = e^(-2|x|) - 1 in (-1, 0] taken unrounded
// as a double-double (expm1_sum), and the quotient of the two double-doubles
// rounded once (one Newton correction of the rounded division, with an exact
// Dekker product); then the sign of x.  tanh(x) == x for |x| < 2^-28
// (x^3/3 is below half an ulp), +-1 for |x| > 22, tanh(+-0) == +-0,
// tanh(+-inf) == +-1, NaN -> NaN.
PSST_MATH_FN double tanh(double x) {
  using detail::DoubleDouble;
  const double a = detail::from_bits(detail::to_bits(x) & detail::kAbsMask);
  const detail::ExpReduced e = detail::exp_reduce(-2.0 * a);  // k in [-64, 0] for a <= 22
  const detail::Expm1Sum sum = detail::expm1_sum(e);
  const DoubleDouble m0 = detail::fast_two_sum(sum.s, sum.rest);  // |s| > |rest|: normalised
  const double scale = detail::from_bits((e.kb + 1023U) << 52);    // 2^k, exact
  const double m_hi = m0.hi * scale;
  const double m_lo = m0.lo * scale;
  const DoubleDouble den = detail::fast_two_sum(2.0, m_hi);        // 2 + m, |m| < 1
  const double den_lo = den.lo + m_lo;
  const double q = -m_hi / den.hi;
  const DoubleDouble qd = detail::two_prod(q, den.hi);             // exact q * den.hi
  // -m - q * (2 + m), with -m_hi - q * den.hi exact (Sterbenz).
  const double rem = (((-m_hi) - qd.hi) - qd.lo) - (m_lo + q * den_lo);
  double res = q + rem / den.hi;
  res = detail::select(detail::mask_lt(a, 0x1p-28), a, res);
  res = detail::select(detail::mask_lt(22.0, a), 1.0, res);      // 1 - tanh < 2^-62 (also a == inf)
  res = detail::from_bits(detail::to_bits(res) | (detail::to_bits(x) & ~detail::kAbsMask));
  return detail::select(detail::mask_nan(x), detail::nan_value(), res);
}

}  // namespace psst::math
