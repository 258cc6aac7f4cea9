#pragma once
// The CUDA driver API, opened at run time (dlopen of libcuda.so.1), so that psst
// starts and runs every other backend where there is no GPU or driver. Every call
// goes through PSST_CU, which names the call, the file and line, and CUDA's error
// string when it fails.
#include <cuda.h>

#include <string>

namespace psst::backend::cuda {

class DriverApi {
 public:
  // Opens the driver and calls cuInit; UserError saying why when it cannot.
  DriverApi();
  ~DriverApi();
  DriverApi(const DriverApi&) = delete;
  DriverApi& operator=(const DriverApi&) = delete;

  // Throws (UserError for out of memory, else InternalError) when `result` is not CUDA_SUCCESS.
  void check(CUresult result, const char* call, const char* file, int line) const;
  std::string error_string(CUresult result) const;

#define PSST_CU_FUNCTION(name) decltype(&::name) name = nullptr
  PSST_CU_FUNCTION(cuInit);
  PSST_CU_FUNCTION(cuDriverGetVersion);
  PSST_CU_FUNCTION(cuDeviceGetCount);
  PSST_CU_FUNCTION(cuDeviceGet);
  PSST_CU_FUNCTION(cuDeviceGetName);
  PSST_CU_FUNCTION(cuDeviceGetAttribute);
  PSST_CU_FUNCTION(cuDevicePrimaryCtxRetain);
  PSST_CU_FUNCTION(cuDevicePrimaryCtxRelease);
  PSST_CU_FUNCTION(cuCtxSetCurrent);
  PSST_CU_FUNCTION(cuCtxSynchronize);
  PSST_CU_FUNCTION(cuMemAlloc);
  PSST_CU_FUNCTION(cuMemFree);
  PSST_CU_FUNCTION(cuMemGetInfo);
  PSST_CU_FUNCTION(cuMemsetD8);
  PSST_CU_FUNCTION(cuMemcpyHtoD);
  PSST_CU_FUNCTION(cuMemcpyDtoH);
  PSST_CU_FUNCTION(cuModuleLoadData);
  PSST_CU_FUNCTION(cuModuleUnload);
  PSST_CU_FUNCTION(cuModuleGetFunction);
  PSST_CU_FUNCTION(cuLaunchKernel);
  PSST_CU_FUNCTION(cuGetErrorString);
  PSST_CU_FUNCTION(cuGetErrorName);
#undef PSST_CU_FUNCTION

 private:
  void* library_ = nullptr;
};

}  // namespace psst::backend::cuda

#define PSST_CU(api, call, ...) (api).check((api).call(__VA_ARGS__), #call, __FILE__, __LINE__)
