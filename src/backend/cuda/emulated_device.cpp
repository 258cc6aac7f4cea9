#include "backend/cuda/emulated_device.hpp"

#include <cstdlib>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "backend/cuda/cuda_source.hpp"
#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

using EntryPoint = void (*)(unsigned, unsigned, void**);

class EmulatedModule final : public Module {
 public:
  EmulatedModule(std::shared_ptr<cpu::SharedLibrary> library, const ModuleSource& source)
      : library_(std::move(library)) {
    for (const auto& unit : source.units)
      for (const auto& kernel : unit.kernels) functions_[kernel] = library_->symbol(emulation_entry_name(kernel));
  }
  const void* function(const std::string& name) const override {
    auto it = functions_.find(name);
    if (it == functions_.end()) throw InternalError(fmt::format("emulated CUDA module has no kernel '{}'", name));
    return it->second;
  }

 private:
  std::shared_ptr<cpu::SharedLibrary> library_;
  std::map<std::string, const void*> functions_;
};

void* host_address(DevicePointer pointer) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(pointer)); }

}  // namespace

EmulatedDevice::EmulatedDevice(const cpu::CompilerOptions& options) : compiler_(options) {
  if (!compiler_.available())
    throw UserError(options.compiler.empty()
                        ? "the cuda-emulated backend compiles its kernels with the host's C++ compiler ($CXX, or c++, "
                          "g++ or clang++ on PATH); none was found"
                        : fmt::format("the C++ compiler '{}' was not found or does not run", options.compiler));
}

std::string EmulatedDevice::description() const { return "CUDA emulated on the host"; }

DevicePointer EmulatedDevice::allocate(std::size_t bytes) {
  if (bytes == 0) return 0;
  void* memory = std::calloc(bytes, 1);
  if (!memory) throw UserError(fmt::format("out of memory: cuda-emulated could not allocate {} bytes", bytes));
  return static_cast<DevicePointer>(reinterpret_cast<std::uintptr_t>(memory));
}

void EmulatedDevice::release(DevicePointer pointer) noexcept { std::free(host_address(pointer)); }

void EmulatedDevice::copy_to_device(DevicePointer destination, const void* source, std::size_t bytes) {
  if (bytes > 0) std::memcpy(host_address(destination), source, bytes);
}

void EmulatedDevice::copy_to_host(void* destination, DevicePointer source, std::size_t bytes) {
  if (bytes > 0) std::memcpy(destination, host_address(source), bytes);
}

Device::Loaded EmulatedDevice::load(const ModuleSource& source) {
  std::vector<std::string> units;
  for (const auto& unit : source.units)
    units.push_back(emulation_prelude() + source.common + unit.code + emulation_entries(unit.kernels));
  cpu::CompileResult built = compiler_.build(units);
  return {std::make_unique<EmulatedModule>(built.library, source), built.seconds, built.cache_hit};
}

void EmulatedDevice::launch(const void* function, unsigned blocks, unsigned threads_per_block, void** params) {
  reinterpret_cast<EntryPoint>(const_cast<void*>(function))(blocks, threads_per_block, params);
}

}  // namespace psst::backend::cuda
