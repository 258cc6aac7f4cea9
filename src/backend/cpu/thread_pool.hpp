#pragma once
// A persistent set of worker threads that run one range of elements split into
// fixed contiguous chunks (chunk i of n is the same for any thread timing), the
// calling thread taking chunk 0. Kernels are element-wise, so results are
// bitwise the same for every thread count. Workers spin briefly after a job
// (the next kernel usually follows within microseconds), then sleep.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace psst::backend::cpu {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: std::thread::hardware_concurrency()
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls body(first, last) for chunk i in [0, chunks) of [begin, end) (chunks <= size()).
  // Not reentrant: one parallel_for at a time, from one thread.
  template <class Body>
  void parallel_for(std::size_t begin, std::size_t end, int chunks, const Body& body) {
    auto call = [](const void* context, std::size_t first, std::size_t last) {
      (*static_cast<const Body*>(context))(first, last);
    };
    run(begin, end, chunks, call, &body);
  }

  // Chunk `index` of `count` of [begin, end): sizes differ by at most one.
  static std::pair<std::size_t, std::size_t> chunk(std::size_t begin, std::size_t end, int index, int count);

 private:
  using Function = void (*)(const void*, std::size_t, std::size_t);
  void run(std::size_t begin, std::size_t end, int chunks, Function function, const void* context);
  void work(int index);

  std::vector<std::thread> workers_;
  // The job, written by the caller before `generation_` is released, read by workers after.
  Function function_ = nullptr;
  const void* context_ = nullptr;
  std::size_t begin_ = 0, end_ = 0;
  int chunks_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace psst::backend::cpu
