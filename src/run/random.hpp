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
#include "math/random.hpp"

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
    return math::random_bits(key_, index, draw, tag);
  }

  // Uniform in [0, 1) and standard normal (Marsaglia's polar method): math/random.hpp,
  // the very functions the kernels' random operations call.
  PSST_MATH_FN double uniform(std::uint64_t index, std::uint64_t draw) const {
    return math::random_uniform(key_, index, draw);
  }
  PSST_MATH_FN double normal(std::uint64_t index, std::uint64_t draw) const {
    return math::random_normal(key_, index, draw);
  }

  // The key of (seed, purpose), for kernels' key tables (run/noise.hpp).
  static constexpr math::Philox4x32Key key_of(std::uint64_t seed, std::string_view purpose) {
    return derive_key(seed, purpose);
  }

 private:
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
