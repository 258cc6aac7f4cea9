#pragma once
// The text around the CUDA kernels psst generates: what precedes them on the
// GPU (NVRTC has no standard library: psst supplies the few declarations its
// kernels use as in-memory headers) and under emulation (the host's standard
// library, and blockIdx, threadIdx, blockDim, gridDim as variables that each
// launch, run as loops over blocks and threads, sets).
#include <string>
#include <utility>
#include <vector>

namespace psst::backend::cuda {

// The launch scalars of a kernel (t, dt, N, ...), passed by value at every launch.
inline constexpr int max_launch_scalars = 4;

// What every module starts with on the GPU: the headers below, and psst_scalars.
std::string gpu_prelude();
// The headers NVRTC is given (name, text): <bit>, <cmath>, <cstddef>, <cstdint>, <limits>.
std::vector<std::pair<std::string, std::string>> gpu_headers();

// What every translation unit starts with under emulation.
std::string emulation_prelude();
// The host entry point of each kernel: psst_emulated_<kernel>(blocks, threads, params).
std::string emulation_entries(const std::vector<std::string>& kernels);
inline std::string emulation_entry_name(const std::string& kernel) { return "psst_emulated_" + kernel; }

// The text of src/math/{functions,pow,trig}.hpp as psst was built with it, and
// psst's own kernels (engine_kernels.cuh).
std::string math_source();
std::string engine_source();
// The names of the kernels in engine_source().
std::vector<std::string> engine_kernel_names();

}  // namespace psst::backend::cuda
