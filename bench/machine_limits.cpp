// This machine's limits for the roofline note in docs/performance.md: the
// throughput of one core for the operations a generated kernel is made of
// (float64 add, multiply, divide, and psst::math::exp, each in a vectorised
// loop over data in L1), and the memory bandwidth of a streaming loop over
// arrays much larger than the caches. Compiled as the cpu backend compiles
// kernels (-O3 -march=native -mprefer-vector-width=512 -ffp-contract=off).
//   psst_bench_machine_limits
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "math/functions.hpp"

namespace {

constexpr std::size_t kL1 = 1024;  // doubles per array: 3 arrays of 8 KiB stay in L1

template <class Body>
double best_ns_per_value(std::size_t values_per_pass, int passes, Body body) {
  double best = 1e30;
  for (int trial = 0; trial < 7; ++trial) {
    auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < passes; ++p) body();
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, ns / (static_cast<double>(values_per_pass) * passes));
  }
  return best;
}

// Eight dependent operations per element; the elements are independent, so
// the out-of-order core overlaps them and the loop measures throughput.
template <class Op>
__attribute__((noinline)) void chains(double* __restrict a, std::size_t n, Op op) {
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    double x = a[i];
    for (int k = 0; k < 8; ++k) x = op(x);
    a[i] = x;
  }
}

template <class Op>
__attribute__((noinline)) void chains1(double* __restrict a, std::size_t n, Op op) {
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) a[i] = op(a[i]);
}

double sink = 0.0;

}  // namespace

int main() {
  std::vector<double> a(kL1);
  for (std::size_t i = 0; i < kL1; ++i) a[i] = 1.0 + 1e-3 * static_cast<double>(i % 97);
  const int passes = 20000;
  auto reset = [&] { std::fill(a.begin(), a.end(), 1.000001); };
  reset();
  double add = best_ns_per_value(kL1 * 8, passes, [&] { chains(a.data(), kL1, [](double x) { return x + 1e-9; }); });
  reset();
  double mul = best_ns_per_value(kL1 * 8, passes, [&] { chains(a.data(), kL1, [](double x) { return x * 0.9999999; }); });
  // Divide and exp: one per element and pass, so that the elements are independent
  // and the loop measures throughput, not the latency of a chain.
  reset();
  double div = best_ns_per_value(kL1, passes, [&] { chains1(a.data(), kL1, [](double x) { return 1.0000001 / x; }); });
  reset();
  double exp = best_ns_per_value(kL1, passes, [&] {
    chains1(a.data(), kL1, [](double x) { return psst::math::exp(x) * 0.3; });
  });
  sink += a[0];
  // Streaming: y = x + s * y over 2 x 32 MiB (read 16 B, write 8 B per element).
  const std::size_t big = std::size_t{1} << 22;
  std::vector<double> x(big, 1.0), y(big, 2.0);
  double stream = best_ns_per_value(big, 5, [&] {
#pragma GCC ivdep
    for (std::size_t i = 0; i < big; ++i) y[i] = x[i] + 0.5 * y[i];
  });
  sink += y[7];
  std::printf("machine_limits (one core, float64, vectorised loops in L1):\n");
  std::printf("  add  %.3f ns per value (%.2f Gop/s)\n", add, 1.0 / add);
  std::printf("  mul  %.3f ns per value (%.2f Gop/s)\n", mul, 1.0 / mul);
  std::printf("  div  %.3f ns per value (%.2f Gop/s)\n", div, 1.0 / div);
  std::printf("  exp  %.3f ns per value (psst::math::exp and one multiply)\n", exp);
  std::printf("  stream y = x + 0.5 y over 64 MiB: %.2f GB/s (24 B per element)\n", 24.0 / stream);
  std::printf("(checksum %g)\n", sink);
  return 0;
}
