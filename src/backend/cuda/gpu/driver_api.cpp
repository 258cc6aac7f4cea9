#include "backend/cuda/gpu/driver_api.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

// cuda.h maps some names to versioned symbols (cuMemAlloc -> cuMemAlloc_v2): the symbol is
// the macro's expansion, stringised after expansion.
#define PSST_CU_STRINGISE(x) #x
#define PSST_CU_SYMBOL(x) PSST_CU_STRINGISE(x)

template <class F>
void load(void* library, F& function, const char* symbol) {
  function = reinterpret_cast<F>(dlsym(library, symbol));
  if (!function)
    throw UserError(fmt::format("the CUDA driver (libcuda.so.1) lacks {}: it is older than CUDA 12; update the NVIDIA "
                                "driver", symbol));
}

}  // namespace

DriverApi::DriverApi() {
  library_ = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library_) {
    const char* why = dlerror();
    throw UserError(fmt::format("--backend cuda needs an NVIDIA GPU and its driver; libcuda.so.1 could not be opened "
                                "({}). Other backends: cpu, reference, cuda-emulated", why ? why : "not found"));
  }
#define PSST_CU_LOAD(name) load(library_, name, PSST_CU_SYMBOL(name))
  PSST_CU_LOAD(cuInit);
  PSST_CU_LOAD(cuDriverGetVersion);
  PSST_CU_LOAD(cuDeviceGetCount);
  PSST_CU_LOAD(cuDeviceGet);
  PSST_CU_LOAD(cuDeviceGetName);
  PSST_CU_LOAD(cuDeviceGetAttribute);
  PSST_CU_LOAD(cuDevicePrimaryCtxRetain);
  PSST_CU_LOAD(cuDevicePrimaryCtxRelease);
  PSST_CU_LOAD(cuCtxSetCurrent);
  PSST_CU_LOAD(cuCtxSynchronize);
  PSST_CU_LOAD(cuMemAlloc);
  PSST_CU_LOAD(cuMemFree);
  PSST_CU_LOAD(cuMemGetInfo);
  PSST_CU_LOAD(cuMemsetD8);
  PSST_CU_LOAD(cuMemcpyHtoD);
  PSST_CU_LOAD(cuMemcpyDtoH);
  PSST_CU_LOAD(cuModuleLoadData);
  PSST_CU_LOAD(cuModuleUnload);
  PSST_CU_LOAD(cuModuleGetFunction);
  PSST_CU_LOAD(cuLaunchKernel);
  PSST_CU_LOAD(cuGetErrorString);
  PSST_CU_LOAD(cuGetErrorName);
#undef PSST_CU_LOAD
  const CUresult init = cuInit(0);
  if (init != CUDA_SUCCESS)
    throw UserError(fmt::format("--backend cuda: the CUDA driver did not start (cuInit: {}); is there an NVIDIA GPU? "
                                "Other backends: cpu, reference, cuda-emulated", error_string(init)));
}

// The driver stays loaded for the rest of the process, as NVRTC does (nvrtc_api.cpp):
// drivers are not made to be unloaded and loaded again.
DriverApi::~DriverApi() = default;

std::string DriverApi::error_string(CUresult result) const {
  const char* name = nullptr;
  const char* text = nullptr;
  if (cuGetErrorName) cuGetErrorName(result, &name);
  if (cuGetErrorString) cuGetErrorString(result, &text);
  return fmt::format("{} ({})", name ? name : fmt::format("error {}", static_cast<int>(result)),
                     text ? text : "no description");
}

void DriverApi::check(CUresult result, const char* call, const char* file, int line) const {
  if (result == CUDA_SUCCESS) return;
  const std::string message = fmt::format("{} failed at {}:{}: {}", call, file, line, error_string(result));
  if (result == CUDA_ERROR_OUT_OF_MEMORY) throw UserError("out of GPU memory: " + message);
  throw InternalError(message);
}

}  // namespace psst::backend::cuda
