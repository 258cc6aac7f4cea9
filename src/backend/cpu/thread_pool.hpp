#pragma once
// A persistent set of worker threads that run one range of elements split into
// fixed contiguous chunks (chunk i of n depends only on the range and n). Thread j
// (the caller is thread 0) has a home: the j-th contiguous share of the chunks, which
// it claims first, in order; then it takes what is left of the other homes. So each
// thread works on the same elements launch after launch, and a population's state
// stays in that core's cache from kernel to kernel, while a worker that the OS has
// not scheduled yet still delays nothing: the others take its chunks. Kernels are
// element-wise, so results are bitwise the same for every thread count and every
// claiming order. Idle workers poll briefly (the next kernel usually follows within
// microseconds), then sleep.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace psst::backend::cpu {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: std::thread::hardware_concurrency()
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls body(first, last) once for each of `chunks` chunks of [begin, end), on any threads.
  // Not reentrant: one parallel_for at a time, from one thread.
  template <class Body>
  void parallel_for(std::size_t begin, std::size_t end, int chunks, const Body& body) {
    auto call = [](const void* context, std::size_t first, std::size_t last) {
      (*static_cast<const Body*>(context))(first, last);
    };
    run(begin, end, chunks, call, &body);
  }

  // Chunk `index` of `count` of [begin, end): sizes differ by at most one.
  static std::pair<std::size_t, std::size_t> chunk(std::size_t begin, std::size_t end, std::size_t index,
                                                   std::size_t count);

 private:
  using Function = void (*)(const void*, std::size_t, std::size_t);
  // A job; two slots alternate, so that the next job is written while a late worker may
  // still read the previous one (it then fails to claim, see claim_chunks()).
  struct Job {
    std::atomic<Function> function{nullptr};
    std::atomic<const void*> context{nullptr};
    std::atomic<std::size_t> begin{0}, end{0}, chunks{0};
  };
  // (generation << 32) | the next unclaimed chunk of one home: a claim is a compare-exchange,
  // which fails once the generation has moved on. One cache line each.
  struct alignas(64) Home {
    std::atomic<std::uint64_t> ticket{0};
  };
  void run(std::size_t begin, std::size_t end, int chunks, Function function, const void* context);
  void claim_chunks(std::size_t thread);
  void claim_from(std::size_t home);
  void work(std::size_t thread);
  // The first chunk of home h when `chunks` chunks are shared by the threads.
  std::uint64_t home_start(std::size_t home, std::uint64_t chunks) const;

  std::vector<std::thread> workers_;
  Job jobs_[2];
  std::vector<Home> homes_;          // one per thread
  std::uint32_t last_generation_ = 0;  // the caller's: generation of the last job it ran
  std::atomic<std::uint32_t> done_{0};        // chunks finished in the current generation
  std::atomic<std::uint32_t> generation_{0};  // what idle workers wait on
  std::atomic<bool> stop_{false};
};

}  // namespace psst::backend::cpu
