#pragma once
// A persistent set of worker threads that run one range of elements split into
// fixed contiguous chunks (chunk i of n depends only on the range and n). The
// calling thread and the workers claim chunks from a shared counter, so a
// worker that the OS has not scheduled yet delays nothing: the others take its
// chunks. Kernels are element-wise, so results are bitwise the same for every
// thread count and every claiming order. Idle workers poll briefly (the next
// kernel usually follows within microseconds), then sleep.
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
  void run(std::size_t begin, std::size_t end, int chunks, Function function, const void* context);
  void claim_chunks();
  void work();

  std::vector<std::thread> workers_;
  Job jobs_[2];
  // (generation << 32) | next unclaimed chunk: a claim is a compare-exchange, which fails
  // once the generation has moved on.
  std::atomic<std::uint64_t> ticket_{0};
  std::atomic<std::uint32_t> done_{0};        // chunks finished in the current generation
  std::atomic<std::uint32_t> generation_{0};  // what idle workers wait on
  std::atomic<bool> stop_{false};
};

}  // namespace psst::backend::cpu
