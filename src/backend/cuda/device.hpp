#pragma once
// What the CUDA backend needs of a device: memory, modules compiled from CUDA
// source, and launches. Two devices drive the very same backend code: the GPU
// (the driver API opened at run time, kernels compiled by NVRTC; gpu/) and the
// emulation (host memory; the same CUDA source compiled by the host C++
// compiler with a prelude that runs each launch as loops; emulated_device.*).
// Every call is on the default stream, in order: a copy to the host waits for
// the launches before it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace psst::backend::cuda {

// A device address (CUdeviceptr); under emulation the host address itself.
using DevicePointer = std::uint64_t;

// CUDA source for one module. `common` (math functions, helpers) precedes every
// unit; each unit defines the extern "C" __global__ kernels it names. The GPU
// compiles all units as one program; the emulation compiles each unit as one
// host translation unit (in parallel).
struct ModuleSource {
  struct Unit {
    std::string code;
    std::vector<std::string> kernels;
  };
  std::string common;
  std::vector<Unit> units;
};

class Module {
 public:
  virtual ~Module() = default;
  // The handle of kernel `name` for Device::launch; InternalError when the module lacks it.
  virtual const void* function(const std::string& name) const = 0;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string description() const = 0;
  virtual DevicePointer allocate(std::size_t bytes) = 0;  // zero-filled; 0 for 0 bytes
  virtual void release(DevicePointer pointer) noexcept = 0;
  virtual void copy_to_device(DevicePointer destination, const void* source, std::size_t bytes) = 0;
  virtual void copy_to_host(void* destination, DevicePointer source, std::size_t bytes) = 0;
  // Compiles (or finds in the cache) and loads a module; `seconds` and `cache_hit` report it.
  struct Loaded {
    std::unique_ptr<Module> module;
    double seconds = 0.0;
    bool cache_hit = false;
  };
  virtual Loaded load(const ModuleSource& source) = 0;
  // Runs `function` on a 1-D grid of `blocks` x `threads_per_block`; params[k] points
  // at the value of the kernel's k-th argument.
  virtual void launch(const void* function, unsigned blocks, unsigned threads_per_block, void** params) = 0;
  // What compiles the kernels (NVRTC version and options, or the host compiler).
  virtual std::string compiler_description() const = 0;
};

// A device allocation owned by one object (RAII over Device::allocate/release); it
// keeps its device alive, whatever the order in which a program drops its handles.
class DeviceArray {
 public:
  DeviceArray() = default;
  DeviceArray(std::shared_ptr<Device> device, std::size_t bytes)
      : device_(std::move(device)), pointer_(device_->allocate(bytes)), bytes_(bytes) {}
  ~DeviceArray() { reset(); }
  DeviceArray(DeviceArray&& other) noexcept { *this = std::move(other); }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      reset();
      device_ = std::move(other.device_);
      pointer_ = other.pointer_;
      bytes_ = other.bytes_;
      other.pointer_ = 0;
      other.bytes_ = 0;
    }
    return *this;
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DevicePointer get() const { return pointer_; }
  std::size_t bytes() const { return bytes_; }
  void reset() noexcept {
    if (device_ && pointer_) device_->release(pointer_);
    device_.reset();
    pointer_ = 0;
    bytes_ = 0;
  }

 private:
  std::shared_ptr<Device> device_;
  DevicePointer pointer_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace psst::backend::cuda
