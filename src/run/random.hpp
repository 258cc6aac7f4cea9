#pragma once
// Seeded random numbers that are the same on every platform and standard
// library: a 64-bit Mersenne Twister (fully specified by the C++ standard)
// with psst's own uniform and normal transforms (std::normal_distribution is
// implementation-defined). Each use gets its own stream, derived from the run
// seed and a name, so adding a population does not change another's numbers.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string_view>

namespace psst::run {

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view purpose) : engine_(derive(seed, purpose)) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Standard normal by the Box-Muller transform (both values used in turn).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }

  std::uint64_t next_u64() { return engine_(); }

 private:
  static std::uint64_t derive(std::uint64_t seed, std::string_view purpose) {
    std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the purpose
    for (char c : purpose) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    std::uint64_t z = seed + h + 0x9E3779B97F4A7C15ull;  // SplitMix64 finaliser
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace psst::run
