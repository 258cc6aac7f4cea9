#pragma once
// How the cpu backend decides whether a kernel launch is worth splitting across the
// thread pool: an estimate of the work per element that weights each IR operation by
// its cost, and the number of chunks it gives.
#include <cstddef>

#include "graph/ir.hpp"

namespace psst::backend::cpu {

// Work below which a chunk is not worth a thread, in the units of element_cost (one
// add per element). Measured on the 2-core Xeon (2026-12-02, one thread): one unit
// costs ~0.045 ns per element in generated kernels (COBAHH's exponential Euler kernel,
// 701 units: 130 us for 4000 elements; its threshold kernel, 8 units: 1.5 us), so a
// chunk is at least ~3 us, some 6 times what one fork/join of the pool costs with 2
// threads (~0.4-0.5 us, bench/thread_pool_cost.cpp).
inline constexpr std::size_t min_work_per_chunk = std::size_t{1} << 16;
inline constexpr std::size_t min_elements_per_chunk = 256;
// Chunks of a kernel launch are whole blocks of this many elements (but the last):
// a multiple of every vector length g++ uses (8 doubles with AVX-512, times unrolling).
inline constexpr std::size_t kernel_block = 64;

// The cost of one element of the program, in adds: + - * and comparisons count 1,
// a division or square root ~8 (their throughput on x86), floor ~6 (psst::math::floor's
// operations), exp, log and the like 20-40 (their operation counts), pow and the
// random variates more. An estimate for chunking only; never changes a result.
std::size_t element_cost(const graph::Program& program);

// How many chunks a launch over `elements` elements of `cost` each is split into on
// `threads` threads: at most 4 per thread (claimed dynamically), none smaller than the
// minimum work or the minimum element count; 1 means run on the calling thread.
int chunk_count(std::size_t elements, std::size_t cost, int threads);

}  // namespace psst::backend::cpu
