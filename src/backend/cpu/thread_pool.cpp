#include "backend/cpu/thread_pool.hpp"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PSST_PAUSE() _mm_pause()
#else
#define PSST_PAUSE() std::this_thread::yield()
#endif

namespace psst::backend::cpu {

namespace {
// How long an idle worker keeps polling before it sleeps (a futex wait).
constexpr auto spin_time = std::chrono::microseconds(200);
}  // namespace

ThreadPool::ThreadPool(int threads) {
  int count = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < count; ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

std::pair<std::size_t, std::size_t> ThreadPool::chunk(std::size_t begin, std::size_t end, int index, int count) {
  std::size_t n = end - begin, parts = static_cast<std::size_t>(count), i = static_cast<std::size_t>(index);
  std::size_t per = n / parts, extra = n % parts;
  std::size_t first = begin + i * per + std::min(i, extra);
  return {first, first + per + (i < extra ? 1 : 0)};
}

void ThreadPool::work(int index) {
  std::uint64_t seen = 0;
  while (true) {
    // Wait for a new generation: poll for a while, then sleep.
    std::uint64_t now = generation_.load(std::memory_order_acquire);
    if (now == seen) {
      auto start = std::chrono::steady_clock::now();
      for (int spins = 0; now == seen; ++spins) {
        PSST_PAUSE();
        now = generation_.load(std::memory_order_acquire);
        if ((spins & 255) == 255 && std::chrono::steady_clock::now() - start > spin_time) {
          while (now == seen) {
            generation_.wait(seen, std::memory_order_acquire);
            now = generation_.load(std::memory_order_acquire);
          }
        }
      }
    }
    seen = now;
    if (stop_.load()) return;
    if (index < chunks_) {
      auto [first, last] = chunk(begin_, end_, index, chunks_);
      if (first < last) function_(context_, first, last);
    }
    remaining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run(std::size_t begin, std::size_t end, int chunks, Function function, const void* context) {
  chunks = std::clamp(chunks, 1, size());
  if (chunks == 1) {
    function(context, begin, end);
    return;
  }
  function_ = function;
  context_ = context;
  begin_ = begin;
  end_ = end;
  chunks_ = chunks;
  remaining_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  auto [first, last] = chunk(begin, end, 0, chunks);
  if (first < last) function(context, first, last);
  // Every worker checks in (those without a chunk at once), so the job may be overwritten after.
  for (int spins = 0; remaining_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins < 4096)
      PSST_PAUSE();
    else
      std::this_thread::yield();
  }
}

}  // namespace psst::backend::cpu
