// The cpu backend's thread pool (backend/cpu/thread_pool.hpp): every chunk of every job
// runs exactly once whatever thread claims it, and with idle workers each thread keeps
// its home, the same contiguous share of the chunks, from job to job.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

#include "backend/cpu/thread_pool.hpp"

namespace {

using psst::backend::cpu::ThreadPool;

// Many jobs of varying ranges and chunk counts, back to back: each element of each job
// is visited once (a late worker must never run a chunk of a job twice, or of a finished job).
TEST(CpuThreadPool, EveryElementOnceInEveryJob) {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    ASSERT_EQ(pool.size(), threads);
    std::vector<std::atomic<int>> visits(1100);  // ranges end by 1005
    for (int job = 0; job < 3000; ++job) {
      const std::size_t begin = static_cast<std::size_t>(job % 7), end = begin + 100 + static_cast<std::size_t>(job % 900);
      const int chunks = 2 + job % 11;
      for (auto& v : visits) v.store(0, std::memory_order_relaxed);
      pool.parallel_for(begin, end, chunks, [&](std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) visits[i].fetch_add(1, std::memory_order_relaxed);
      });
      for (std::size_t i = 0; i < visits.size(); ++i)
        ASSERT_EQ(visits[i].load(), (i >= begin && i < end) ? 1 : 0)
            << threads << " threads, job " << job << ", element " << i;
    }
  }
}

// Chunks are claimed home first. Here the chunk at position p of a home waits until the
// other home has started its chunk at position p, so no thread gets more than one chunk
// ahead: none finishes its home while the other's has a chunk left to take, and chunk c
// runs on thread c * threads / chunks (the caller is thread 0), the same in every job.
TEST(CpuThreadPool, ThreadsKeepTheirHomes) {
  constexpr int threads = 2, chunks = 8, per_home = chunks / threads;
  ThreadPool pool(threads);
  for (int job = 0; job < 50; ++job) {
    std::vector<std::thread::id> runner(chunks);
    std::atomic<int> started[threads] = {0, 0};
    pool.parallel_for(0, chunks, chunks, [&](std::size_t first, std::size_t last) {
      const int home = static_cast<int>(first) / per_home, position = static_cast<int>(first) % per_home;
      started[home].store(position + 1);
      // Bounded: a pool without homes would never start the other home's chunk here.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (started[1 - home].load() < position + 1 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::yield();
      for (std::size_t c = first; c < last; ++c) runner[c] = std::this_thread::get_id();
    });
    for (int c = 0; c < chunks; ++c)
      EXPECT_EQ(runner[c] == std::this_thread::get_id(), c / per_home == 0) << "job " << job << ", chunk " << c;
  }
}

}  // namespace
