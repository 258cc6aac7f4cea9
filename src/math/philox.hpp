// psst/math/philox.hpp -- the Philox4x32-10 counter-based generator.
//
// Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC11 (2011); the same function as Random123's philox4x32 with 10 rounds,
// checked against its known-answer vectors (tests/random_test.cpp).
//
// A counter-based generator is a keyed bijection: output = philox(counter, key)
// with no state between calls, so any draw can be computed on its own, in any
// order, on any thread, rank or device, and always gives the same bits.
// Plain 32/64-bit integer arithmetic only: host C++ and CUDA compile it alike.
#pragma once

#include <cstdint>

// PSST_MATH_FN: the hook every psst::math function is declared with.
#include "math/functions.hpp"

namespace psst::math {

struct Philox4x32Counter {
  std::uint32_t word[4];
};
struct Philox4x32Key {
  std::uint32_t word[2];
};

namespace detail {

// The constants of Salmon et al.: round multipliers and the Weyl key increments
// (the golden ratio and sqrt(3) - 1, as 32-bit fractions).
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;

// One round: two 32 x 32 -> 64-bit products; their high halves are mixed with
// the other words and the key, their low halves move across.
PSST_MATH_FN Philox4x32Counter philox_round(const Philox4x32Counter& c, const Philox4x32Key& k) {
  const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * c.word[0];
  const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * c.word[2];
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
  return {{hi1 ^ c.word[1] ^ k.word[0], lo1, hi0 ^ c.word[3] ^ k.word[1], lo0}};
}

}  // namespace detail

// Philox4x32-10: ten rounds, the key bumped (mod 2^32) between rounds.
PSST_MATH_FN Philox4x32Counter philox4x32_10(Philox4x32Counter counter, Philox4x32Key key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key.word[0] += detail::kPhiloxW0;
      key.word[1] += detail::kPhiloxW1;
    }
    counter = detail::philox_round(counter, key);
  }
  return counter;
}

}  // namespace psst::math
