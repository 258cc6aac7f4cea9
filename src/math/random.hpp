// psst/math/random.hpp -- uniform and normal variates from Philox4x32-10.
//
// The transforms of run::CounterRandom as free functions, so that kernels
// printed for any backend (the cpu backend's C++, CUDA through NVRTC or the
// emulated device) and the interpreter draw the same bits: integer arithmetic,
// exact IEEE operations, sqrt (correctly rounded) and psst::math::log only.
//
// A draw is a pure function of (key, element index, draw number, tag):
//   counter = (index: 64 bits, draw: 56 bits, tag: 8 bits);
// tag 0 is the uniform's block, 1 + a the normal's attempt a.
#pragma once

#include <cmath>
#include <cstdint>

#include "math/functions.hpp"
#include "math/philox.hpp"

namespace psst::math {

// 128 random bits: draw `draw` (below 2^56) of element `index`.
PSST_MATH_FN Philox4x32Counter random_bits(Philox4x32Key key, std::uint64_t index, std::uint64_t draw,
                                           std::uint32_t tag) {
  const auto draw_high = static_cast<std::uint32_t>(draw >> 32) & 0x00ffffffu;
  return philox4x32_10({{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                         static_cast<std::uint32_t>(draw), draw_high | (tag << 24)}},
                       key);
}

// 53 random bits times 2^-53: every multiple of 2^-53 in [0, 1) equally likely.
PSST_MATH_FN double random_unit(std::uint32_t low, std::uint32_t high) {
  const std::uint64_t word = (static_cast<std::uint64_t>(high) << 32) | low;
  return static_cast<double>(word >> 11) * 0x1.0p-53;
}

// Uniform in [0, 1).
PSST_MATH_FN double random_uniform(Philox4x32Key key, std::uint64_t index, std::uint64_t draw) {
  const Philox4x32Counter r = random_bits(key, index, draw, 0);
  return random_unit(r.word[0], r.word[1]);
}

// Standard normal by Marsaglia's polar method: (v1, v2) uniform in the square
// [-1, 1)^2 until inside the unit disc (probability pi/4), then
// v1 * sqrt(-2 ln(s) / s) with s = v1^2 + v2^2. Attempt a reads the block with
// tag 1 + a, so a rejection never shifts another draw's numbers. 255
// rejections in a row (probability 0.215^255 < 1e-170) would return 0.
PSST_MATH_FN double random_normal(Philox4x32Key key, std::uint64_t index, std::uint64_t draw) {
  for (std::uint32_t attempt = 0; attempt < 255; ++attempt) {
    const Philox4x32Counter r = random_bits(key, index, draw, 1 + attempt);
    const double v1 = 2.0 * random_unit(r.word[0], r.word[1]) - 1.0;  // exact: a multiple of 2^-52 in [-1, 1)
    const double v2 = 2.0 * random_unit(r.word[2], r.word[3]) - 1.0;
    const double s = v1 * v1 + v2 * v2;
    if (s < 1.0 && s > 0.0) return v1 * std::sqrt(-2.0 * log(s) / s);
  }
  return 0.0;
}

// ---- the random operation of kernels (graph::Op::RandomUniform, RandomNormal) ----
// A kernel's key table is [N, then each instance's key as two float64 values (its
// 32-bit words, exact)]: element e draws with the key of instance e / N at index
// e mod N, so instance k of an ensemble (N neurons each) draws exactly what the single
// run with that instance's seed draws; a single run has one key. The step counter
// arrives as a float64 launch scalar (exact below 2^53).
// Draw d of a kernel at step n is Philox draw n + d 2^40 (n < 2^40, d < 2^16).
inline constexpr int random_step_bits = 40;

PSST_MATH_FN std::uint64_t random_draw(double step, std::uint32_t draw_number) {
  return static_cast<std::uint64_t>(step) + (static_cast<std::uint64_t>(draw_number) << random_step_bits);
}

PSST_MATH_FN Philox4x32Key random_key(const double* words) {
  return {{static_cast<std::uint32_t>(words[0]), static_cast<std::uint32_t>(words[1])}};
}

// The key of element e's instance, and e's index within it.
struct KernelRandomSite {
  Philox4x32Key key;
  std::uint64_t index;
};

PSST_MATH_FN KernelRandomSite kernel_random_site(const double* table, std::uint64_t e) {
  const auto n = static_cast<std::uint64_t>(table[0]);
  const std::uint64_t instance = e / n;
  return {random_key(table + 1 + 2 * instance), e - instance * n};
}

PSST_MATH_FN double kernel_uniform(const double* table, double step, std::uint64_t e, std::uint32_t draw_number) {
  const KernelRandomSite site = kernel_random_site(table, e);
  return random_uniform(site.key, site.index, random_draw(step, draw_number));
}

PSST_MATH_FN double kernel_normal(const double* table, double step, std::uint64_t e, std::uint32_t draw_number) {
  const KernelRandomSite site = kernel_random_site(table, e);
  return random_normal(site.key, site.index, random_draw(step, draw_number));
}

}  // namespace psst::math
