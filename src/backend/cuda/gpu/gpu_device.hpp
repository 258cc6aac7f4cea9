#pragma once
// The device of --backend cuda: an NVIDIA GPU through the driver API (opened at
// run time) with kernels compiled by NVRTC to a CUBIN for the GPU's architecture,
// cached on disk like the cpu backend's libraries (key: the source, NVRTC's
// version, the options, the architecture).
#include <memory>
#include <string>

#include "backend/cuda/device.hpp"

namespace psst::backend::cuda {

struct GpuOptions {
  int ordinal = 0;        // --device N
  std::string cache_dir;  // "": the cpu backend's default
};

// A GPU device; UserError with the reason when there is no driver, no GPU or no such GPU.
std::unique_ptr<Device> make_gpu_device(const GpuOptions& options);
// Whether a GPU can be used (the driver loads and counts at least one device).
bool gpu_available();

// The source of `module` for the GPU, compiled by NVRTC to PTX for `architecture`
// (compute_XY); needs no GPU (tests). The PTX text.
std::string compile_to_ptx(const ModuleSource& module, const std::string& architecture = "compute_90");
// The full text NVRTC is given for `module` (the GPU prelude, then common, then units).
std::string gpu_module_text(const ModuleSource& module);

}  // namespace psst::backend::cuda
