#include "backend/cuda/gpu/nvrtc_api.hpp"

#include <dlfcn.h>

#include <cstdlib>

#include <fmt/format.h>

#include "model/error.hpp"

#ifndef PSST_CUDA_MAJOR
#define PSST_CUDA_MAJOR 13
#endif
#ifndef PSST_CUDA_LIBRARY_DIR
#define PSST_CUDA_LIBRARY_DIR "/usr/local/cuda/lib64"
#endif

namespace psst::backend::cuda {

namespace {

template <class F>
void load(void* library, F& function, const char* symbol) {
  function = reinterpret_cast<F>(dlsym(library, symbol));
  if (!function) throw UserError(fmt::format("the NVRTC library lacks {}: it is older than CUDA 12", symbol));
}

// A program handle destroyed on every path.
struct Program {
  const NvrtcApi& api;
  nvrtcProgram handle = nullptr;
  ~Program() {
    if (handle) api.nvrtcDestroyProgram(&handle);
  }
};

}  // namespace

std::vector<std::string> exact_nvrtc_options() {
  return {"--std=c++17", "--fmad=false", "--ftz=false", "--prec-div=true", "--prec-sqrt=true", "-default-device",
          "-diag-suppress=177"};
}

NvrtcApi::NvrtcApi() {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("PSST_NVRTC"); path && *path) candidates.push_back(path);
  candidates.push_back(fmt::format("libnvrtc.so.{}", PSST_CUDA_MAJOR));
  candidates.push_back("libnvrtc.so");
  candidates.push_back(fmt::format("{}/libnvrtc.so.{}", PSST_CUDA_LIBRARY_DIR, PSST_CUDA_MAJOR));
  std::string tried;
  for (const auto& candidate : candidates) {
    library_ = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library_) {
      path_ = candidate;
      break;
    }
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  if (!library_)
    throw UserError(fmt::format("--backend cuda compiles kernels with NVRTC, which was not found (tried {}); set "
                                "PSST_NVRTC to the path of libnvrtc.so", tried));
#define PSST_NVRTC_LOAD(name) load(library_, name, #name)
  PSST_NVRTC_LOAD(nvrtcVersion);
  PSST_NVRTC_LOAD(nvrtcGetErrorString);
  PSST_NVRTC_LOAD(nvrtcCreateProgram);
  PSST_NVRTC_LOAD(nvrtcDestroyProgram);
  PSST_NVRTC_LOAD(nvrtcCompileProgram);
  PSST_NVRTC_LOAD(nvrtcGetProgramLogSize);
  PSST_NVRTC_LOAD(nvrtcGetProgramLog);
  PSST_NVRTC_LOAD(nvrtcGetPTXSize);
  PSST_NVRTC_LOAD(nvrtcGetPTX);
  PSST_NVRTC_LOAD(nvrtcGetCUBINSize);
  PSST_NVRTC_LOAD(nvrtcGetCUBIN);
#undef PSST_NVRTC_LOAD
}

// NVRTC stays loaded for the rest of the process: it carries its own C++ runtime,
// whose emergency exception pool (72,704 bytes) dlclose would orphan (LeakSanitizer
// reports it), and a later NVRTC use would load it again.
NvrtcApi::~NvrtcApi() = default;

void NvrtcApi::check(nvrtcResult result, const char* call, const char* file, int line) const {
  if (result == NVRTC_SUCCESS) return;
  throw InternalError(fmt::format("{} failed at {}:{}: {}", call, file, line, nvrtcGetErrorString(result)));
}

std::string NvrtcApi::version() const {
  int major = 0, minor = 0;
  PSST_NVRTC(*this, nvrtcVersion, &major, &minor);
  return fmt::format("{}.{}", major, minor);
}

std::string NvrtcApi::compile(const std::string& source, const std::vector<std::pair<std::string, std::string>>& headers,
                              const std::string& architecture, const std::vector<std::string>& options,
                              const std::string& what) const {
  std::vector<const char*> header_texts, header_names;
  for (const auto& [name, text] : headers) {
    header_names.push_back(name.c_str());
    header_texts.push_back(text.c_str());
  }
  Program program{*this};
  PSST_NVRTC(*this, nvrtcCreateProgram, &program.handle, source.c_str(), "psst_kernels.cu",
             static_cast<int>(headers.size()), header_texts.data(), header_names.data());
  const std::string arch = "-arch=" + architecture;
  std::vector<const char*> argv{arch.c_str()};
  for (const auto& o : options) argv.push_back(o.c_str());
  const nvrtcResult compiled = nvrtcCompileProgram(program.handle, static_cast<int>(argv.size()), argv.data());
  if (compiled != NVRTC_SUCCESS) {
    std::size_t size = 0;
    PSST_NVRTC(*this, nvrtcGetProgramLogSize, program.handle, &size);
    std::string log(size, '\0');
    PSST_NVRTC(*this, nvrtcGetProgramLog, program.handle, log.data());
    if (log.size() > 8000) log = log.substr(0, 8000) + "\n[...]";
    throw InternalError(fmt::format("NVRTC failed to compile {} (a bug of psst; {}):\n{}", what,
                                    nvrtcGetErrorString(compiled), log));
  }
  const bool cubin = architecture.rfind("sm_", 0) == 0;
  std::size_t size = 0;
  if (cubin)
    PSST_NVRTC(*this, nvrtcGetCUBINSize, program.handle, &size);
  else
    PSST_NVRTC(*this, nvrtcGetPTXSize, program.handle, &size);
  std::string binary(size, '\0');
  if (cubin)
    PSST_NVRTC(*this, nvrtcGetCUBIN, program.handle, binary.data());
  else
    PSST_NVRTC(*this, nvrtcGetPTX, program.handle, binary.data());
  return binary;
}

}  // namespace psst::backend::cuda
