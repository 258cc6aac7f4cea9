// What the cpu backend's thread pool costs per parallel_for (fork and join), and how
// long a simple element loop takes per element, to size the chunking thresholds of
// src/backend/cpu/cpu_backend.cpp. Prints; asserts nothing. Usage: psst_bench_thread_pool [threads]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "backend/cpu/thread_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Median over `repeats` of the time of one call of `f`, in microseconds.
template <class F>
double median_us(int repeats, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::nth_element(t.begin(), t.begin() + repeats / 2, t.end());
  return t[static_cast<std::size_t>(repeats / 2)];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  psst::backend::cpu::ThreadPool pool(threads);
  std::vector<double> x(1 << 16, 1.0), y(x.size());
  // A streaming loop of a few operations per element: y = x / 3 + 1.
  auto loop = [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) y[i] = x[i] / 3.0 + 1.0;
  };
  const int repeats = 20001;
  std::printf("threads %d; medians of %d calls\n", pool.size(), repeats);
  std::printf("empty parallel_for, %d chunks: %.3f us\n", 4 * pool.size(),
              median_us(repeats, [&] { pool.parallel_for(0, 4096, 4 * pool.size(), [](std::size_t, std::size_t) {}); }));
  std::printf("empty parallel_for, %d chunks: %.3f us\n", pool.size(),
              median_us(repeats, [&] { pool.parallel_for(0, 4096, pool.size(), [](std::size_t, std::size_t) {}); }));
  for (std::size_t n : {1000u, 4000u, 16000u, 65536u}) {
    const double serial = median_us(repeats, [&] { loop(0, n); });
    const double split = median_us(repeats, [&] { pool.parallel_for(0, n, 4 * pool.size(), loop); });
    const double halves = median_us(repeats, [&] { pool.parallel_for(0, n, pool.size(), loop); });
    std::printf("y = x / 3 + 1 on %6zu elements: serial %.3f us (%.3f ns/element), split in %d chunks %.3f us, in %d %.3f us\n",
                n, serial, 1e3 * serial / static_cast<double>(n), 4 * pool.size(), split, pool.size(), halves);
  }
  return 0;
}
