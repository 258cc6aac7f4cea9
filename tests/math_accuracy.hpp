#pragma once
// Measuring psst::math against a high-precision reference, shared by the
// math_*_test.cpp files.
//
// Reference: the x86-64 80-bit long double libm (expl, logl, powl, sinl, ...),
// whose own error (about 1 ULP of a 64-bit significand) is ~2^-11 of a double
// ULP. The error of a double result y against the reference value v is
// |y - v| / ulp(v), with ulp(v) the spacing of doubles in v's binade
// (2^-1074 for subnormal v).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

namespace psst::test::math {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

inline long double ulp_error(double y, long double ref) {
  if (std::isnan(ref)) return std::isnan(y) ? 0.0L : 1e30L;
  if (std::isinf(ref) || std::fabs(ref) > static_cast<long double>(DBL_MAX)) {
    // The correctly rounded result overflows when ref >= DBL_MAX + ulp/2.
    const long double limit = static_cast<long double>(DBL_MAX) + std::ldexp(1.0L, 970);
    if (std::isinf(y) && (y > 0) == (ref > 0) && std::fabs(ref) >= limit) return 0.0L;
    if (std::fabs(ref) < limit && y == std::copysign(DBL_MAX, static_cast<double>(ref))) return 0.5L;
    return 1e30L;
  }
  if (ref == 0.0L) return y == 0.0 ? 0.0L : 1e30L;
  int e = 0;
  std::frexp(std::fabs(ref), &e);  // |ref| = m * 2^e, m in [0.5, 1)
  const int ulp_exp = std::max(e - 53, -1074);
  return std::fabs(static_cast<long double>(y) - ref) / std::ldexp(1.0L, ulp_exp);
}

// The worst error seen, and where (x, and y for functions of two arguments).
struct MaxError {
  long double ulps = 0;
  double at = 0;
  double at_y = 0;
  void add(double x, double y, long double ref) { add2(x, 0.0, y, ref); }
  void add2(double x, double second, double y, long double ref) {
    const long double u = ulp_error(y, ref);
    if (u > ulps || std::isnan(static_cast<double>(u))) {
      ulps = u;
      at = x;
      at_y = second;
    }
  }
  void merge(const MaxError& m) {
    if (m.ulps > ulps) *this = m;
  }
};

// Runs fn over n points drawn by gen and returns the worst error.
template <class Fn, class Ref, class Gen>
MaxError sweep(Fn fn, Ref ref, Gen gen, int n) {
  MaxError m;
  for (int i = 0; i < n; ++i) {
    const double x = gen();
    m.add(x, fn(x), ref(static_cast<long double>(x)));
  }
  return m;
}

// Prints the worst error of each sweep (silent under ctest, which sets
// PSST_QUIET) and records it as a test property (in --gtest_output=xml).
inline void report(const char* what, const MaxError& m) {
  std::string key = "max_ulp_";
  for (const char* c = what; *c != '\0'; ++c) key += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
  ::testing::Test::RecordProperty(key, std::to_string(static_cast<double>(m.ulps)));
  if (std::getenv("PSST_QUIET") == nullptr)
    std::printf("[ math ] %-40s max %.4f ULP at x = %.17g%s\n", what, static_cast<double>(m.ulps), m.at,
                m.at_y != 0.0 ? (", y = " + std::to_string(m.at_y)).c_str() : "");
}

inline double uniform(std::mt19937_64& g, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(g);
}

// Random magnitude 2^-e * [1, 2) with e in [0, emax), random sign.
inline double log_uniform(std::mt19937_64& g, int emax) {
  const double m = uniform(g, 1.0, 2.0);
  const int e = static_cast<int>(g() % static_cast<std::uint64_t>(emax));
  return ((g() & 1U) != 0U ? -1.0 : 1.0) * std::ldexp(m, -e);
}

// Any finite double of either sign, uniform in the bit pattern (every binade alike).
inline double any_finite(std::mt19937_64& g) {
  for (;;) {
    const double x = std::bit_cast<double>(g());
    if (std::isfinite(x)) return x;
  }
}

}  // namespace psst::test::math
