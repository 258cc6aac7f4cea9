// psst::math::floor is std::floor bit for bit: on the special values (signed zeros,
// halves, the 2^52 boundary, infinities, quiet and signalling NaNs with payloads),
// on integers and their neighbours, and on millions of random doubles; scalar and in
// loops compiled for AVX2 and AVX-512 (which g++ vectorises: std::floor's loop it does
// not, under the default -ftrapping-math).
#include "math/functions.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

namespace pm = psst::math;

using Loop = void (*)(const double* __restrict, double* __restrict, int);

__attribute__((noinline)) void floor_loop_baseline(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = pm::floor(x[i]);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((noinline, target("avx2,fma"))) void floor_loop_avx2(const double* __restrict x,
                                                                   double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = pm::floor(x[i]);
}
__attribute__((noinline, target("avx512f,avx512dq,avx512vl,prefer-vector-width=512"))) void floor_loop_avx512(
    const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = pm::floor(x[i]);
}
#endif

std::vector<double> special_values() {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994,
                           0x1p-1074, -0x1p-1074, 0x1p-1022, -0x1p-1022, -1e-300, 1e-300, 0x1.fffffffffffffp1023,
                           -0x1.fffffffffffffp1023, inf, -inf, 0x1p52, -0x1p52, 0x1p52 - 0.5, -(0x1p52 - 0.5),
                           0x1p52 + 1.0, -(0x1p52 + 1.0), 0x1p51 + 0.5, -(0x1p51 + 0.5), 0x1p53, -0x1p53,
                           0x1.fffffffffffffp51, -0x1.fffffffffffffp51, 0x1p51, -0x1p51};
  for (std::uint64_t bits : {0x7ff8000000000000ULL, 0xfff8000000000000ULL, 0x7ff8000000000123ULL,
                             0x7ff0000000000001ULL, 0xfff0000000000abcULL, 0x7fffffffffffffffULL})
    v.push_back(std::bit_cast<double>(bits));  // quiet and signalling NaNs, both signs, with payloads
  // Integers and their neighbours on both sides.
  for (int k = -1100; k <= 1100; ++k) {
    const double d = k;
    v.insert(v.end(), {d, std::nextafter(d, -inf), std::nextafter(d, inf), d + 0.5, d - 0.5});
  }
  return v;
}

// About 4 million doubles: every bit pattern, every magnitude, and near-integers.
std::vector<double> random_values() {
  std::mt19937_64 g(20261202);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); };
  std::vector<double> v;
  const int n = 4000001;  // odd: the vector loops' scalar epilogues run too
  v.reserve(n);
  while (static_cast<int>(v.size()) < n) {
    switch (g() % 5) {
      case 0: v.push_back(std::bit_cast<double>(g())); break;  // any double
      case 1: v.push_back(uni(-1e6, 1e6)); break;
      case 2: v.push_back(std::ldexp(uni(-1.0, 1.0), static_cast<int>(g() % 120) - 60)); break;  // 2^-60 .. 2^60
      case 3: v.push_back(std::round(uni(-1e4, 1e4)) + std::ldexp(uni(-1.0, 1.0), -static_cast<int>(g() % 60))); break;
      default: v.push_back(uni(-0x1p53, 0x1p53)); break;
    }
  }
  return v;
}

// y[i] against std::floor(x[i]), bit for bit.
void expect_floor(const char* what, const std::vector<double>& x, const std::vector<double>& y) {
  int mismatches = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto want = std::bit_cast<std::uint64_t>(std::floor(x[i]));
    const auto got = std::bit_cast<std::uint64_t>(y[i]);
    if (want != got && ++mismatches <= 5)
      ADD_FAILURE() << what << ": floor(" << x[i] << " = 0x" << std::hex << std::bit_cast<std::uint64_t>(x[i])
                    << ") = 0x" << got << ", std::floor 0x" << want << std::dec;
  }
  EXPECT_EQ(mismatches, 0) << what << ": " << mismatches << " of " << x.size() << " differ";
}

void expect_loop(const char* what, Loop loop, const std::vector<double>& x) {
  std::vector<double> y(x.size());
  loop(x.data(), y.data(), static_cast<int>(x.size()));
  expect_floor(what, x, y);
}

TEST(MathFloor, SpecialValuesMatchStdFloorBitwise) {
  const std::vector<double> x = special_values();
  std::vector<double> y;
  for (double v : x) y.push_back(pm::floor(v));
  expect_floor("scalar", x, y);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(pm::floor(-0.0)), std::bit_cast<std::uint64_t>(-0.0));
  EXPECT_EQ(pm::floor(-0.5), -1.0);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(pm::floor(0.5)), 0u);
  expect_loop("baseline loop", floor_loop_baseline, x);
}

TEST(MathFloor, RandomValuesMatchStdFloorBitwise) {
  const std::vector<double> x = random_values();
  expect_loop("baseline loop", floor_loop_baseline, x);
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    expect_loop("avx2 loop", floor_loop_avx2, x);
    expect_loop("avx2 loop, special values", floor_loop_avx2, special_values());
  }
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl")) {
    expect_loop("avx512 loop", floor_loop_avx512, x);
    expect_loop("avx512 loop, special values", floor_loop_avx512, special_values());
  }
#endif
}

}  // namespace
