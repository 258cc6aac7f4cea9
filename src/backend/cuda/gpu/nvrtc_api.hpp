#pragma once
// NVRTC, the CUDA runtime compiler, opened at run time (dlopen): $PSST_NVRTC, then
// libnvrtc.so.<major> and libnvrtc.so on the library path, then the toolkit psst
// was built against. Compiling needs no GPU (tests compile every kernel to PTX).
#include <nvrtc.h>

#include <string>
#include <utility>
#include <vector>

namespace psst::backend::cuda {

class NvrtcApi {
 public:
  NvrtcApi();  // UserError saying where it looked when NVRTC is absent
  ~NvrtcApi();
  NvrtcApi(const NvrtcApi&) = delete;
  NvrtcApi& operator=(const NvrtcApi&) = delete;

  // Compiles `source` (with the in-memory `headers`) for `architecture`: "compute_90"
  // gives PTX, "sm_90" gives a CUBIN. A compile error (a bug of psst's printers)
  // is an InternalError with NVRTC's log and the kernels' names.
  std::string compile(const std::string& source, const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& architecture, const std::vector<std::string>& options,
                      const std::string& what) const;
  std::string version() const;  // "13.0"
  const std::string& path() const { return path_; }

  void check(nvrtcResult result, const char* call, const char* file, int line) const;

#define PSST_NVRTC_FUNCTION(name) decltype(&::name) name = nullptr
  PSST_NVRTC_FUNCTION(nvrtcVersion);
  PSST_NVRTC_FUNCTION(nvrtcGetErrorString);
  PSST_NVRTC_FUNCTION(nvrtcCreateProgram);
  PSST_NVRTC_FUNCTION(nvrtcDestroyProgram);
  PSST_NVRTC_FUNCTION(nvrtcCompileProgram);
  PSST_NVRTC_FUNCTION(nvrtcGetProgramLogSize);
  PSST_NVRTC_FUNCTION(nvrtcGetProgramLog);
  PSST_NVRTC_FUNCTION(nvrtcGetPTXSize);
  PSST_NVRTC_FUNCTION(nvrtcGetPTX);
  PSST_NVRTC_FUNCTION(nvrtcGetCUBINSize);
  PSST_NVRTC_FUNCTION(nvrtcGetCUBIN);
#undef PSST_NVRTC_FUNCTION

 private:
  void* library_ = nullptr;
  std::string path_;
};

// The options that keep CUDA's results bitwise equal to the cpu backend's: no
// contraction into fma, no flush to zero, IEEE division and square root.
std::vector<std::string> exact_nvrtc_options();

}  // namespace psst::backend::cuda

#define PSST_NVRTC(api, call, ...) (api).check((api).call(__VA_ARGS__), #call, __FILE__, __LINE__)
