#include "backend/cuda/gpu/gpu_device.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "backend/cpu/kernel_cache.hpp"
#include "backend/cuda/cuda_printer.hpp"
#include "backend/cuda/cuda_source.hpp"
#include "backend/cuda/gpu/driver_api.hpp"
#include "backend/cuda/gpu/nvrtc_api.hpp"
#include "io/sha256.hpp"
#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

class GpuModule final : public Module {
 public:
  GpuModule(const DriverApi& api, const std::string& image, const ModuleSource& source) : api_(api) {
    PSST_CU(api_, cuModuleLoadData, &module_, image.data());
    for (const auto& unit : source.units)
      for (const auto& kernel : unit.kernels) {
        CUfunction function = nullptr;
        PSST_CU(api_, cuModuleGetFunction, &function, module_, kernel.c_str());
        functions_[kernel] = function;
      }
  }
  ~GpuModule() override { api_.cuModuleUnload(module_); }
  const void* function(const std::string& name) const override {
    auto it = functions_.find(name);
    if (it == functions_.end()) throw InternalError(fmt::format("CUDA module has no kernel '{}'", name));
    return it->second;
  }

 private:
  const DriverApi& api_;
  CUmodule module_ = nullptr;
  std::map<std::string, CUfunction> functions_;
};

class GpuDevice final : public Device {
 public:
  explicit GpuDevice(const GpuOptions& options) : cache_dir_(options.cache_dir) {
    int count = 0;
    PSST_CU(api_, cuDeviceGetCount, &count);
    if (count == 0) throw UserError("--backend cuda: the CUDA driver found no GPU. Other backends: cpu, reference");
    if (options.ordinal < 0 || options.ordinal >= count)
      throw UserError(fmt::format("--device {}: this machine has {} GPU{} (0 to {})", options.ordinal, count,
                                  count == 1 ? "" : "s", count - 1));
    PSST_CU(api_, cuDeviceGet, &device_, options.ordinal);
    PSST_CU(api_, cuDevicePrimaryCtxRetain, &context_, device_);
    PSST_CU(api_, cuCtxSetCurrent, context_);
    int major = 0, minor = 0;
    PSST_CU(api_, cuDeviceGetAttribute, &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device_);
    PSST_CU(api_, cuDeviceGetAttribute, &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device_);
    architecture_ = fmt::format("sm_{}{}", major, minor);
    char name[256] = {};
    PSST_CU(api_, cuDeviceGetName, name, static_cast<int>(sizeof name - 1), device_);
    name_ = fmt::format("GPU {} ({}, {})", options.ordinal, name, architecture_);
  }
  ~GpuDevice() override {
    api_.cuCtxSynchronize();
    api_.cuDevicePrimaryCtxRelease(device_);
  }

  std::string description() const override { return name_; }
  std::string compiler_description() const override {
    return fmt::format("NVRTC {} ({}), {}", nvrtc().version(), nvrtc().path(), architecture_);
  }

  DevicePointer allocate(std::size_t bytes) override {
    if (bytes == 0) return 0;
    CUdeviceptr pointer = 0;
    const CUresult result = api_.cuMemAlloc(&pointer, bytes);
    if (result == CUDA_ERROR_OUT_OF_MEMORY) {
      std::size_t free = 0, total = 0;
      api_.cuMemGetInfo(&free, &total);
      throw UserError(fmt::format("out of GPU memory on {}: {} bytes needed, {} free of {}", name_, bytes, free, total));
    }
    api_.check(result, "cuMemAlloc", __FILE__, __LINE__);
    PSST_CU(api_, cuMemsetD8, pointer, 0, bytes);
    return pointer;
  }
  void release(DevicePointer pointer) noexcept override {
    if (pointer) api_.cuMemFree(pointer);
  }
  void copy_to_device(DevicePointer destination, const void* source, std::size_t bytes) override {
    if (bytes > 0) PSST_CU(api_, cuMemcpyHtoD, destination, source, bytes);
  }
  void copy_to_host(void* destination, DevicePointer source, std::size_t bytes) override {
    if (bytes > 0) PSST_CU(api_, cuMemcpyDtoH, destination, source, bytes);
  }
  void launch(const void* function, unsigned blocks, unsigned threads, void** params) override {
    PSST_CU(api_, cuLaunchKernel, static_cast<CUfunction>(const_cast<void*>(function)), blocks, 1, 1, threads, 1, 1, 0,
            nullptr, params, nullptr);
  }
  Loaded load(const ModuleSource& source) override;

 private:
  const NvrtcApi& nvrtc() const {
    if (!nvrtc_) nvrtc_ = std::make_unique<NvrtcApi>();
    return *nvrtc_;
  }

  DriverApi api_;
  mutable std::unique_ptr<NvrtcApi> nvrtc_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string architecture_, name_, cache_dir_;
};

Device::Loaded GpuDevice::load(const ModuleSource& source) {
  const auto start = std::chrono::steady_clock::now();
  const std::string text = gpu_module_text(source);
  const auto options = exact_nvrtc_options();
  io::Sha256 h;
  h.update(fmt::format("psst cuda; generated_abi_version {}; kernel_abi_version {}\nnvrtc {}\narch {}\noptions",
                       generated_abi_version, kernel_abi_version, nvrtc().version(), architecture_));
  for (const auto& o : options) h.update(" " + o);
  for (const auto& [name, header] : gpu_headers()) h.update("\nheader " + name + "\n" + header);
  h.update(fmt::format("\nsource of {} bytes\n", text.size())).update(text);
  const std::string key = "cuda-" + h.hex();
  cpu::KernelCache cache(cache_dir_);
  std::string image;
  bool hit = false;
  if (auto cached = cache.find(key)) {
    std::ifstream in(*cached, std::ios::binary);
    image.assign(std::istreambuf_iterator<char>(in), {});
    hit = !image.empty();
  }
  if (!hit) {
    std::string kernels;
    for (const auto& unit : source.units)
      for (const auto& k : unit.kernels) kernels += (kernels.empty() ? "" : ", ") + k;
    image = nvrtc().compile(text, gpu_headers(), architecture_, options, "the kernels " + kernels.substr(0, 400));
    const auto work = cache.make_work_directory();
    std::ofstream(work / "module.cubin", std::ios::binary) << image;
    cache.store(key, work / "module.cubin");
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  auto module = std::make_unique<GpuModule>(api_, image, source);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {std::move(module), seconds, hit};
}

}  // namespace

std::string gpu_module_text(const ModuleSource& module) {
  std::string text = gpu_prelude() + module.common;
  for (const auto& unit : module.units) text += unit.code;
  return text;
}

std::unique_ptr<Device> make_gpu_device(const GpuOptions& options) { return std::make_unique<GpuDevice>(options); }

bool gpu_available() {
  try {
    DriverApi api;
    int count = 0;
    return api.cuDeviceGetCount(&count) == CUDA_SUCCESS && count > 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string compile_to_ptx(const ModuleSource& module, const std::string& architecture) {
  NvrtcApi nvrtc;
  return nvrtc.compile(gpu_module_text(module), gpu_headers(), architecture, exact_nvrtc_options(), "a module");
}

}  // namespace psst::backend::cuda
