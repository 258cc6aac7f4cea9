// The counter-based generator: Philox4x32-10 against Random123's known answers,
// the statistics of its uniforms and normals, independence of purposes, seeds,
// elements and draws, and fixed bits (the same numbers on every platform and run).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

#include "math/philox.hpp"
#include "run/random.hpp"

namespace {

using psst::math::philox4x32_10;
using psst::run::CounterRandom;

struct KnownAnswer {
  std::array<std::uint32_t, 4> counter;
  std::array<std::uint32_t, 2> key;
  std::array<std::uint32_t, 4> expected;
};

// The first three: Random123's tests/kat_vectors, the "philox4x32 10" lines (counter, key, result).
// The others: computed with Random123 1.14.0's philox.h (r123::Philox4x32, Debian's librandom123-dev),
// to cover a counter and a key that differ in one word only.
constexpr KnownAnswer kKnownAnswers[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    {{0x00000001, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0xf8e4cca4, 0x5cb200db, 0xb1a574eb, 0x097eff67}},
    {{0x00000000, 0x00000000, 0x00000000, 0x00000001}, {0x00000000, 0x00000000},
     {0x2dce73e5, 0x1348e23f, 0xfcf8e0ec, 0xa287aadb}},
    {{0x00000007, 0x00000000, 0x00000003, 0x00000000}, {0x12345678, 0x9abcdef0},
     {0x2d86d08c, 0x25afe1fb, 0x2cd4b127, 0xf50246e4}},
    {{0xdeadbeef, 0x00000001, 0x80000000, 0x0000ffff}, {0x00000001, 0x00000000},
     {0xd5722c88, 0x30aa50eb, 0xc682fe4e, 0x4a439f3f}},
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000001},
     {0xfdde3e0b, 0xfa7e58b6, 0x3380ec46, 0xd8d55c4f}},
};

TEST(CounterRandom, PhiloxMatchesRandom123KnownAnswers) {
  for (const auto& v : kKnownAnswers) {
    const auto out = philox4x32_10({{v.counter[0], v.counter[1], v.counter[2], v.counter[3]}}, {{v.key[0], v.key[1]}});
    for (int w = 0; w < 4; ++w) EXPECT_EQ(out.word[w], v.expected[w]) << "counter word 0 " << v.counter[0] << ", word " << w;
  }
}

constexpr std::size_t kDraws = 1000000;

// Mean, variance and a 100-bin histogram of 1e6 uniforms, each bound 5 standard errors
// (the chi-square with 99 degrees of freedom: mean 99, standard deviation 14).
TEST(CounterRandom, UniformMeanVarianceAndHistogram) {
  const CounterRandom random(1, "test/uniform");
  double sum = 0, sum_sq = 0;
  std::vector<double> histogram(100, 0.0);
  std::size_t odd_last_bit = 0;
  for (std::size_t i = 0; i < kDraws; ++i) {
    const double u = random.uniform(i / 4, i % 4);  // 4 draws of each of 250000 elements
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += (u - 0.5) * (u - 0.5);
    histogram[static_cast<std::size_t>(u * 100.0)] += 1;
    odd_last_bit += static_cast<std::uint64_t>(std::ldexp(u, 53)) & 1u;  // the 53rd bit is random too
  }
  const double n = static_cast<double>(kDraws), mean = sum / n, variance = sum_sq / n;
  double chi_square = 0;
  for (double count : histogram) chi_square += (count - n / 100) * (count - n / 100) / (n / 100);
  std::cout << "[ uniform ] mean " << mean << ", variance " << variance << ", chi-square (99 dof) " << chi_square
            << ", odd 53rd bit " << odd_last_bit << "\n";
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(variance, 1.0 / 12, 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
  EXPECT_GT(chi_square, 99.0 - 5 * 14.0);
  EXPECT_LT(chi_square, 99.0 + 5 * 14.0);
  EXPECT_NEAR(static_cast<double>(odd_last_bit), n / 2, 5 * std::sqrt(n / 4));
}

// 1e6 normals: mean, variance, fourth moment (3) and the two-sided tail fractions beyond
// 1, 2, 3 and 4 standard deviations, each within 5 standard errors.
TEST(CounterRandom, NormalMomentsAndTails) {
  const CounterRandom random(2, "test/normal");
  double sum = 0, sum_sq = 0, sum_4 = 0;
  std::array<double, 4> beyond{};
  for (std::size_t i = 0; i < kDraws; ++i) {
    const double x = random.normal(i, 0);
    sum += x;
    sum_sq += x * x;
    sum_4 += x * x * x * x;
    for (std::size_t k = 0; k < 4; ++k) beyond[k] += std::fabs(x) > static_cast<double>(k + 1);
  }
  const double n = static_cast<double>(kDraws);
  std::cout << "[ normal ] mean " << sum / n << ", variance " << sum_sq / n << ", E[x^4] " << sum_4 / n
            << ", beyond 1-4 sigma " << beyond[0] << " " << beyond[1] << " " << beyond[2] << " " << beyond[3] << "\n";
  EXPECT_NEAR(sum / n, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(sum_sq / n, 1.0, 5 * std::sqrt(2 / n));
  EXPECT_NEAR(sum_4 / n, 3.0, 5 * std::sqrt(96 / n));
  const double tails[] = {0.31731050786291410, 0.045500263896358417, 0.0026997960632601866, 6.3342483666239957e-05};
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_NEAR(beyond[k], n * tails[k], 5 * std::sqrt(n * tails[k] * (1 - tails[k]))) << "beyond " << k + 1;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= static_cast<double>(a.size());
  mb /= static_cast<double>(b.size());
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

// Purposes, seeds, neighbouring elements and draws give uncorrelated numbers:
// |r| < 5 / sqrt(n) for n = 200000 pairs, and not one equal pair.
TEST(CounterRandom, PurposesSeedsElementsAndDrawsAreIndependent) {
  constexpr std::size_t n = 200000;
  const CounterRandom a(1, "PN/jitter/V"), b(1, "PN/jitter/h"), c(2, "PN/jitter/V");
  auto draw = [&](const CounterRandom& r, std::size_t offset, std::uint64_t d) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = r.normal(i + offset, d);
    return v;
  };
  const std::vector<double> base = draw(a, 0, 0);
  const std::vector<std::vector<double>> others = {draw(b, 0, 0), draw(c, 0, 0), draw(a, 1, 0), draw(a, 0, 1)};
  for (std::size_t k = 0; k < others.size(); ++k) {
    const double r = correlation(base, others[k]);
    std::cout << "[ independence ] case " << k << ": correlation " << r << "\n";
    EXPECT_LT(std::fabs(r), 5 / std::sqrt(static_cast<double>(n))) << "case " << k;
    std::size_t equal = 0;
    for (std::size_t i = 0; i < n; ++i) equal += base[i] == others[k][i];
    EXPECT_EQ(equal, 0u) << "case " << k;
  }
  // Uniform and normal draws of the same element and draw number read different blocks.
  const auto uniform_bits = a.bits(5, 0, 0), normal_bits = a.bits(5, 0, 1);
  EXPECT_NE(uniform_bits.word[0], normal_bits.word[0]);
  // The draw number's high bits (above 32) are part of the counter.
  EXPECT_NE(a.uniform(5, 0), a.uniform(5, std::uint64_t{1} << 40));
}

// Fixed bits: these numbers are part of psst's reproducibility promise (a model run
// anywhere gives them); a change here changes every seeded model's results.
// The expected bits were computed independently by a 40-line Python transcription of
// random.hpp (arbitrary-precision integers, math.log), which gives the same four numbers.
TEST(CounterRandom, SameBitsInEveryRunAndOrder) {
  const CounterRandom random(42, "connectivity/ach_PN_LN");
  EXPECT_EQ(random.uniform(0, 0), 0x1.3b8fabb29dfeep-1);
  EXPECT_EQ(random.uniform(123456789, 7), 0x1.c05145c4dca66p-2);
  EXPECT_EQ(random.normal(0, 0), -0x1.646a1d353ec86p-1);
  EXPECT_EQ(random.normal(3, 2), -0x1.f0665db1750f7p+0);
  // Drawn forwards by one generator and backwards by another: identical.
  const CounterRandom again(42, "connectivity/ach_PN_LN");
  std::vector<double> forward(1000), backward(1000);
  for (std::size_t i = 0; i < 1000; ++i) forward[i] = random.normal(i, i % 3);
  for (std::size_t i = 1000; i-- > 0;) backward[i] = again.normal(i, i % 3);
  EXPECT_EQ(forward, backward);
}

}  // namespace
