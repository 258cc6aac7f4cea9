// Throughput of psst::math::{exp, expm1, log, x_over_expm1, pow, sin, cos, tanh} against glibc,
// and of math = "fast"'s exp_fast and log_fast (math/fast.hpp); div_fast against the IEEE division
// (its std column: x / y, the division instruction).
//
// Standalone (not in CMake yet):
//   g++ -std=c++20 -O3 -ffp-contract=off -Isrc bench/math_bench.cpp -o math_bench && ./math_bench
//
// For each function it prints nanoseconds per value for
//   loop      a plain loop over an array, which g++ -O3 auto-vectorises
//             (baseline x86-64 = SSE2, 2 doubles per instruction);
//   avx2      the same loop compiled with target("avx2,fma") (4 per instruction);
//   avx512    the same loop compiled with target("avx512f,...") (8 per instruction);
//   scalar    one call at a time through a noinline function (no vectorisation:
//             the cost of an interpreter calling it value by value);
//   std       the same loop calling std::exp, std::pow, ... (glibc;
//             never vectorised without -ffast-math).
// All variants produce the same bits (tests/math_vector_test.cpp); the
// checksum printed keeps the compiler from dropping the work.
#include "math/fast.hpp"
#include "math/functions.hpp"
#include "math/pow.hpp"
#include "math/trig.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace {

namespace pm = psst::math;

using Loop = void (*)(const double* __restrict, double* __restrict, int);

#define PSST_BENCH_LOOPS(isa, attributes)                                                         \
  attributes void exp_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::exp(x[i]);                                            \
  }                                                                                              \
  attributes void expm1_##isa(const double* __restrict x, double* __restrict y, int n) {        \
    for (int i = 0; i < n; ++i) y[i] = pm::expm1(x[i]);                                          \
  }                                                                                              \
  attributes void log_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::log(x[i]);                                            \
  }                                                                                              \
  attributes void x_over_expm1_##isa(const double* __restrict x, double* __restrict y, int n) { \
    for (int i = 0; i < n; ++i) y[i] = pm::x_over_expm1(x[i]);                                   \
  }                                                                                              \
  attributes void pow_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::pow(x[i], x[n + i]);                                  \
  }                                                                                              \
  attributes void sin_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::sin(x[i]);                                            \
  }                                                                                              \
  attributes void cos_##isa(const double* __restrict x, double* __restrict y, int n) {          \
    for (int i = 0; i < n; ++i) y[i] = pm::cos(x[i]);                                            \
  }                                                                                              \
  attributes void tanh_##isa(const double* __restrict x, double* __restrict y, int n) {         \
    for (int i = 0; i < n; ++i) y[i] = pm::tanh(x[i]);                                           \
  }                                                                                              \
  attributes void exp_fast_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::exp_fast(x[i]);                                       \
  }                                                                                              \
  attributes void log_fast_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::log_fast(x[i]);                                       \
  }                                                                                              \
  attributes void div_fast_##isa(const double* __restrict x, double* __restrict y, int n) {     \
    for (int i = 0; i < n; ++i) y[i] = pm::div_fast(x[i], x[n + i]);                             \
  }

PSST_BENCH_LOOPS(loop, __attribute__((noinline)))
#if defined(__x86_64__) && defined(__GNUC__)
PSST_BENCH_LOOPS(avx2, __attribute__((noinline, target("avx2,fma"))))
PSST_BENCH_LOOPS(avx512, __attribute__((noinline, target("avx512f,avx512dq,avx512vl,prefer-vector-width=512"))))
#endif
#undef PSST_BENCH_LOOPS

__attribute__((noinline)) double exp_one(double x) { return pm::exp(x); }
__attribute__((noinline)) double expm1_one(double x) { return pm::expm1(x); }
__attribute__((noinline)) double log_one(double x) { return pm::log(x); }
__attribute__((noinline)) double x_over_expm1_one(double x) { return pm::x_over_expm1(x); }
__attribute__((noinline)) double pow_one(double x, double y) { return pm::pow(x, y); }
__attribute__((noinline)) double sin_one(double x) { return pm::sin(x); }
__attribute__((noinline)) double cos_one(double x) { return pm::cos(x); }
__attribute__((noinline)) double tanh_one(double x) { return pm::tanh(x); }
__attribute__((noinline)) double exp_fast_one(double x) { return pm::exp_fast(x); }
__attribute__((noinline)) double log_fast_one(double x) { return pm::log_fast(x); }
__attribute__((noinline)) double div_fast_one(double x, double y) { return pm::div_fast(x, y); }
__attribute__((noinline)) void div_fast_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = div_fast_one(x[i], x[n + i]);
}
__attribute__((noinline)) void div_fast_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = x[i] / x[n + i];  // the IEEE division, vectorised (AVX2 at most: baseline)
}
__attribute__((noinline)) void exp_fast_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = exp_fast_one(x[i]);
}
__attribute__((noinline)) void log_fast_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = log_fast_one(x[i]);
}

__attribute__((noinline)) void exp_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = exp_one(x[i]);
}
__attribute__((noinline)) void expm1_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = expm1_one(x[i]);
}
__attribute__((noinline)) void log_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = log_one(x[i]);
}
__attribute__((noinline)) void x_over_expm1_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = x_over_expm1_one(x[i]);
}

__attribute__((noinline)) void pow_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = pow_one(x[i], x[n + i]);
}
__attribute__((noinline)) void sin_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = sin_one(x[i]);
}
__attribute__((noinline)) void cos_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = cos_one(x[i]);
}
__attribute__((noinline)) void tanh_scalar(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = tanh_one(x[i]);
}

__attribute__((noinline)) void exp_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}
__attribute__((noinline)) void expm1_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::expm1(x[i]);
}
__attribute__((noinline)) void log_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::log(x[i]);
}
__attribute__((noinline)) void x_over_expm1_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = x[i] == 0.0 ? 1.0 : x[i] / std::expm1(x[i]);
}

__attribute__((noinline)) void pow_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::pow(x[i], x[n + i]);
}
__attribute__((noinline)) void sin_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::sin(x[i]);
}
__attribute__((noinline)) void cos_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::cos(x[i]);
}
__attribute__((noinline)) void tanh_std(const double* __restrict x, double* __restrict y, int n) {
  for (int i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
// glibc has no cheaper exp or log: the std column of the fast rows repeats std::exp, std::log.
__attribute__((noinline)) void exp_fast_std(const double* __restrict x, double* __restrict y, int n) { exp_std(x, y, n); }
__attribute__((noinline)) void log_fast_std(const double* __restrict x, double* __restrict y, int n) { log_std(x, y, n); }

double checksum = 0.0;

// Best of several repetitions, in ns per value.
// pow's and div_fast's arguments hold 2n values: the n bases (numerators), then the n exponents
// (divisors).
double time_loop(Loop loop, const std::vector<double>& x, std::size_t values) {
  std::vector<double> y(values);
  const int n = static_cast<int>(values);
  double best = 1e300;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kInner = 50;
    for (int k = 0; k < kInner; ++k) loop(x.data(), y.data(), n);
    const auto t1 = std::chrono::steady_clock::now();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / (double(kInner) * double(n));
    if (ns < best) best = ns;
  }
  for (double v : y) checksum += v;
  return best;
}

struct Row {
  const char* name;
  Loop loop, avx2, avx512, scalar, std_loop;
  const std::vector<double>* args;
};

}  // namespace

int main() {
  constexpr std::size_t kN = 4096;  // fits in L1/L2: measures compute, not memory
  std::mt19937_64 g(1);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); };
  std::vector<double> exp_args(kN), log_args(kN), hh_args(kN), trig_args(kN), tanh_args(kN), pow_args(2 * kN),
      div_args(2 * kN);
  for (std::size_t i = 0; i < kN; ++i) {
    exp_args[i] = uniform(-20.0, 20.0);
    log_args[i] = std::exp(uniform(-20.0, 20.0));
    hh_args[i] = uniform(-10.0, 10.0);   // HH rate-function range
    trig_args[i] = uniform(-100.0, 100.0);  // Cody-Waite range (Payne-Hanek from 2^20 on)
    tanh_args[i] = uniform(-5.0, 5.0);
    pow_args[i] = std::exp(uniform(-5.0, 5.0));  // bases
    pow_args[kN + i] = uniform(-10.0, 10.0);      // exponents
    div_args[i] = uniform(-10.0, 10.0);           // numerators
    div_args[kN + i] = std::exp(uniform(-5.0, 5.0)) * (i % 2 == 0 ? 1.0 : -1.0);  // divisors
  }
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const bool have_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool have_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                           __builtin_cpu_supports("avx512vl");
#define PSST_BENCH_ROW(f, args) {#f, f##_loop, f##_avx2, f##_avx512, f##_scalar, f##_std, &args}
#else
  const bool have_avx2 = false, have_avx512 = false;
#define PSST_BENCH_ROW(f, args) {#f, f##_loop, nullptr, nullptr, f##_scalar, f##_std, &args}
#endif
  const Row rows[] = {PSST_BENCH_ROW(exp, exp_args),   PSST_BENCH_ROW(exp_fast, exp_args),
                      PSST_BENCH_ROW(expm1, exp_args), PSST_BENCH_ROW(log, log_args),
                      PSST_BENCH_ROW(log_fast, log_args), PSST_BENCH_ROW(x_over_expm1, hh_args),
                      PSST_BENCH_ROW(pow, pow_args),   PSST_BENCH_ROW(sin, trig_args),
                      PSST_BENCH_ROW(cos, trig_args),  PSST_BENCH_ROW(tanh, tanh_args),
                      PSST_BENCH_ROW(div_fast, div_args)};
#undef PSST_BENCH_ROW
  std::printf("ns per value (best of 7 x 50 passes over %zu values)\n", kN);
  std::printf("%-14s %9s %9s %9s %9s %9s\n", "function", "loop", "avx2", "avx512", "scalar", "std");
  for (const Row& r : rows) {
    const std::vector<double>& x = *r.args;
    const double t_loop = time_loop(r.loop, x, kN);
    const double t_avx2 = have_avx2 ? time_loop(r.avx2, x, kN) : -1.0;
    const double t_avx512 = have_avx512 ? time_loop(r.avx512, x, kN) : -1.0;
    const double t_scalar = time_loop(r.scalar, x, kN);
    const double t_std = time_loop(r.std_loop, x, kN);
    std::printf("%-14s %9.2f %9.2f %9.2f %9.2f %9.2f\n", r.name, t_loop, t_avx2, t_avx512, t_scalar, t_std);
  }
  std::printf("(-1: ISA not available on this CPU)   checksum %g\n", checksum);
  return 0;
}
