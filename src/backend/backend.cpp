#include "backend/backend.hpp"

#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/emulated_device.hpp"
#include "backend/reference/interpreter.hpp"
#include "model/error.hpp"
#ifdef PSST_HAVE_CUDA
#include "backend/cuda/gpu/gpu_device.hpp"
#endif

namespace psst::backend {

namespace {

// Whether --backend cuda can run here (asked once per process: it opens the driver).
bool gpu_usable() {
#ifdef PSST_HAVE_CUDA
  static std::once_flag once;
  static bool usable = false;
  std::call_once(once, [] { usable = cuda::gpu_available(); });
  return usable;
#else
  return false;
#endif
}

std::unique_ptr<Backend> make_cuda(const BackendOptions& options) {
#ifdef PSST_HAVE_CUDA
  return std::make_unique<cuda::CudaBackend>(cuda::make_gpu_device({options.device, options.cache_dir}), options,
                                             "cuda");
#else
  (void)options;
  throw UserError("--backend cuda: this psst was built without the CUDA toolkit (CMake did not find it); rebuild "
                  "with the toolkit installed, or use cpu, reference or cuda-emulated");
#endif
}

}  // namespace

std::vector<std::string> backend_names() {
  std::vector<std::string> names{"reference"};
  if (cpu::CpuBackend::compiler_available()) names.push_back("cpu");
  if (cpu::CpuBackend::compiler_available()) names.push_back("cuda-emulated");
  if (gpu_usable()) names.push_back("cuda");
  return names;
}

std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options) {
  if (name == "reference") return std::make_unique<reference::InterpreterBackend>(options.precision);
  if (name == "cpu") return std::make_unique<cpu::CpuBackend>(options);
  if (name == "cuda") return make_cuda(options);
  if (name == "cuda-emulated") {
    cpu::CompilerOptions compiler{options.march_native, options.compiler, options.cache_dir};
    return std::make_unique<cuda::CudaBackend>(std::make_unique<cuda::EmulatedDevice>(compiler), options,
                                               "cuda-emulated");
  }
  if (name == "default") {
    if (cpu::CpuBackend::compiler_available()) return std::make_unique<cpu::CpuBackend>(options);
    std::fprintf(stderr, "psst: no C++ compiler found; using the reference backend (slower)\n");
    return std::make_unique<reference::InterpreterBackend>(options.precision);
  }
  throw UserError(fmt::format("unknown backend '{}'; the backends are cpu (compiled, threaded), reference (the "
                              "interpreter), cuda (an NVIDIA GPU) and cuda-emulated (the CUDA backend run on the host)",
                              name));
}

}  // namespace psst::backend
