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
  homes_ = std::vector<Home>(static_cast<std::size_t>(count));
  for (int i = 1; i < count; ++i) workers_.emplace_back([this, i] { work(static_cast<std::size_t>(i)); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

std::pair<std::size_t, std::size_t> ThreadPool::chunk(std::size_t begin, std::size_t end, std::size_t index,
                                                      std::size_t count) {
  std::size_t n = end - begin, per = n / count, extra = n % count;
  std::size_t first = begin + index * per + std::min(index, extra);
  return {first, first + per + (index < extra ? 1 : 0)};
}

std::uint64_t ThreadPool::home_start(std::size_t home, std::uint64_t chunks) const {
  return home * chunks / homes_.size();
}

// Claims and runs the chunks of one home until none is left (or the job has moved on).
void ThreadPool::claim_from(std::size_t home) {
  std::uint64_t ticket = homes_[home].ticket.load(std::memory_order_acquire);
  while (true) {
    const std::uint64_t generation = ticket >> 32, index = ticket & 0xffffffffu;
    const Job& job = jobs_[generation & 1];
    // These reads may see the next job being written; the claim below then fails,
    // because that job is only written after the generation has moved on.
    const std::size_t chunks = job.chunks.load(std::memory_order_relaxed);
    const std::size_t begin = job.begin.load(std::memory_order_relaxed), end = job.end.load(std::memory_order_relaxed);
    const Function function = job.function.load(std::memory_order_relaxed);
    const void* context = job.context.load(std::memory_order_relaxed);
    if (index >= home_start(home + 1, chunks)) return;
    if (homes_[home].ticket.compare_exchange_weak(ticket, ticket + 1, std::memory_order_acq_rel,
                                                  std::memory_order_acquire)) {
      auto [first, last] = chunk(begin, end, index, chunks);
      if (first < last) function(context, first, last);
      done_.fetch_add(1, std::memory_order_release);
      ticket = homes_[home].ticket.load(std::memory_order_acquire);
    }
  }
}

// The thread's own home first, then the others' leftovers.
void ThreadPool::claim_chunks(std::size_t thread) {
  for (std::size_t k = 0; k < homes_.size(); ++k) claim_from((thread + k) % homes_.size());
}

void ThreadPool::work(std::size_t thread) {
  std::uint32_t seen = 0;
  while (true) {
    std::uint32_t now = generation_.load(std::memory_order_acquire);
    if (now == seen) {
      auto start = std::chrono::steady_clock::now();
      for (int spins = 0; now == seen; ++spins) {
        PSST_PAUSE();
        now = generation_.load(std::memory_order_acquire);
        if ((spins & 255) == 255 && now == seen && std::chrono::steady_clock::now() - start > spin_time) {
          generation_.wait(seen, std::memory_order_acquire);
          now = generation_.load(std::memory_order_acquire);
        }
      }
    }
    seen = now;
    if (stop_.load()) return;
    claim_chunks(thread);
  }
}

void ThreadPool::run(std::size_t begin, std::size_t end, int chunks, Function function, const void* context) {
  if (workers_.empty() || chunks <= 1) {
    function(context, begin, end);
    return;
  }
  const std::uint64_t generation = ++last_generation_;
  Job& job = jobs_[generation & 1];
  job.function.store(function, std::memory_order_relaxed);
  job.context.store(context, std::memory_order_relaxed);
  job.begin.store(begin, std::memory_order_relaxed);
  job.end.store(end, std::memory_order_relaxed);
  job.chunks.store(static_cast<std::size_t>(chunks), std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  for (std::size_t h = 0; h < homes_.size(); ++h)
    homes_[h].ticket.store((generation << 32) | home_start(h, static_cast<std::uint64_t>(chunks)),
                           std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  claim_chunks(0);
  // Chunks claimed by workers may still be running.
  for (int spins = 0; done_.load(std::memory_order_acquire) != static_cast<std::uint32_t>(chunks); ++spins) {
    if (spins < 4096)
      PSST_PAUSE();
    else
      std::this_thread::yield();
  }
}

}  // namespace psst::backend::cpu
