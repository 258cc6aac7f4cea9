#pragma once
// Seeded random numbers that are the same bits on every backend, thread count,
// rank and partition: a counter-based generator (Philox4x32-10, see
// math/philox.hpp) in which every number is a pure function of
//   key     = hash of (run seed, purpose), e.g. "PN/jitter/V", "connectivity/ach_PN_LN";
//   counter = (element index: 64 bits, draw number within the element: 56 bits,
//              variate tag: 8 bits).
// No state is carried from one draw to the next, so the numbers of neuron
// (or synapse, or postsynaptic row) i never depend on how many other elements
// were drawn before, by whom, or in which order: a slice of a population or of
// a projection's rows can be built alone and equals that slice of the whole.
// Distinct purposes get unrelated keys, so adding a population does not
// change another's numbers.
//
// The transforms use IEEE-exact operations, sqrt (correctly rounded) and
// psst::math::log, nothing else from libm: the same bits on every platform.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "math/functions.hpp"
#include "math/philox.hpp"

namespace psst::run {

class CounterRandom {
 public:
  // Draw numbers must be below 2^56 (the rest of the counter's last word is the variate tag).
  static constexpr std::uint64_t kDrawLimit = std::uint64_t{1} << 56;

  CounterRandom(std::uint64_t seed, std::string_view purpose) : key_(derive_key(seed, purpose)) {}
  PSST_MATH_FN explicit CounterRandom(math::Philox4x32Key key) : key_(key) {}

  PSST_MATH_FN math::Philox4x32Key key() const { return key_; }

  // 128 random bits: draw `draw` of element `index` (tag 0 is the uniform's, 1 + a the normal's attempt a).
  PSST_MATH_FN math::Philox4x32Counter bits(std::uint64_t index, std::uint64_t draw, std::uint32_t tag = 0) const {
    const auto draw_high = static_cast<std::uint32_t>(draw >> 32) & 0x00ffffffu;
    return math::philox4x32_10({{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                                 static_cast<std::uint32_t>(draw), draw_high | (tag << 24)}},
                               key_);
  }

  // Uniform in [0, 1): 53 random bits times 2^-53 (every multiple of 2^-53 equally likely).
  PSST_MATH_FN double uniform(std::uint64_t index, std::uint64_t draw) const {
    const math::Philox4x32Counter r = bits(index, draw);
    return unit(r.word[0], r.word[1]);
  }

  // Standard normal by Marsaglia's polar method: (v1, v2) uniform in the square
  // [-1, 1)^2 until inside the unit disc (probability pi/4), then
  // v1 * sqrt(-2 ln(s) / s) with s = v1^2 + v2^2. Attempt a of a draw reads the
  // block with tag 1 + a, so a rejection never shifts another draw's numbers.
  // 255 rejections in a row (probability 0.215^255 < 1e-170) would return 0.
  PSST_MATH_FN double normal(std::uint64_t index, std::uint64_t draw) const {
    for (std::uint32_t attempt = 0; attempt < 255; ++attempt) {
      const math::Philox4x32Counter r = bits(index, draw, 1 + attempt);
      const double v1 = 2.0 * unit(r.word[0], r.word[1]) - 1.0;  // exact: a multiple of 2^-52 in [-1, 1)
      const double v2 = 2.0 * unit(r.word[2], r.word[3]) - 1.0;
      const double s = v1 * v1 + v2 * v2;
      if (s < 1.0 && s > 0.0) return v1 * std::sqrt(-2.0 * math::log(s) / s);
    }
    return 0.0;
  }

 private:
  PSST_MATH_FN static double unit(std::uint32_t low, std::uint32_t high) {
    const std::uint64_t word = (std::uint64_t{high} << 32) | low;
    return static_cast<double>(word >> 11) * 0x1.0p-53;
  }

  static constexpr std::uint64_t splitmix64(std::uint64_t z) {  // a bijective 64-bit mixer
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // key = splitmix64(seed + splitmix64(FNV-1a(purpose))): for one purpose, distinct seeds give distinct keys.
  static constexpr math::Philox4x32Key derive_key(std::uint64_t seed, std::string_view purpose) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : purpose) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    const std::uint64_t k = splitmix64(seed + splitmix64(h));
    return {{static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32)}};
  }

  math::Philox4x32Key key_;
};

}  // namespace psst::run
