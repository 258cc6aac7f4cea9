#pragma once
// The device of --backend cuda-emulated: host memory, and the CUDA source of every
// module (psst's engine kernels and the generated ones, exactly the text the GPU
// compiles) compiled by the host C++ compiler after emulation_prelude(), each
// launch run as loops over blocks and threads. It tests the GPU path on machines
// without a GPU: the same backend code, the same kernels, the same launches.
#include "backend/cpu/compiler.hpp"
#include "backend/cuda/device.hpp"

namespace psst::backend::cuda {

class EmulatedDevice final : public Device {
 public:
  explicit EmulatedDevice(const cpu::CompilerOptions& options);
  std::string description() const override;
  DevicePointer allocate(std::size_t bytes) override;
  void release(DevicePointer pointer) noexcept override;
  void copy_to_device(DevicePointer destination, const void* source, std::size_t bytes) override;
  void copy_to_host(void* destination, DevicePointer source, std::size_t bytes) override;
  Loaded load(const ModuleSource& source) override;
  void launch(const void* function, unsigned blocks, unsigned threads_per_block, void** params) override;
  std::string compiler_description() const override { return compiler_.description(); }

 private:
  cpu::Compiler compiler_;
};

}  // namespace psst::backend::cuda
