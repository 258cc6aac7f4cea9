#include "backend/cuda/cuda_backend.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "backend/cuda/cuda_printer.hpp"
#include "backend/cuda/cuda_source.hpp"
#include "backend/cuda/cuda_state.hpp"
#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

constexpr auto F64 = ElementType::Float64;
constexpr auto Index = ElementType::Index;

void check_range(const Buffer& buffer, std::size_t offset, std::size_t count, const char* what) {
  if (offset > buffer.size() || count > buffer.size() - offset)
    throw InternalError(fmt::format("{} of {} values at {} into a buffer of {}", what, count, offset, buffer.size()));
}

// A generated kernel bound to device buffers: tables of their addresses on the device
// (buffers never move), the launch scalars passed by value at each launch.
class CudaBoundKernel final : public BoundKernel {
 public:
  CudaBoundKernel(std::shared_ptr<CudaState> state, std::shared_ptr<GeneratedKernel> kernel,
                  const KernelArguments& arguments)
      : state_(std::move(state)), kernel_(std::move(kernel)), arguments_(arguments) {
    const std::shared_ptr<Device>& device = state_->device;
    std::vector<DevicePointer> in, index, out;
    for (const auto& input : arguments.inputs) {
      using Kind = KernelInput::Kind;
      in.push_back(input.kind == Kind::Scalar ? 0 : device_pointer(*input.data, F64));
      index.push_back(input.kind == Kind::Gathered ? device_pointer(*input.index, Index) : 0);
    }
    for (const auto& output : arguments.outputs) out.push_back(device_pointer(*output, F64));
    in_ = upload_table(device, in);
    index_ = upload_table(device, index);
    out_ = upload_table(device, out);
  }

  void launch(std::span<const double> scalars, std::size_t begin, std::size_t end) override {
    if (end <= begin) return;
    if (!kernel_->function) state_->finalize();
    std::array<double, max_launch_scalars> values{};
    std::copy_n(scalars.begin(), std::min<std::size_t>(scalars.size(), values.size()), values.begin());
    DevicePointer in = in_.get(), index = index_.get(), out = out_.get();
    void* params[] = {&in, &index, &out, values.data(), &begin, &end};
    state_->device->launch(kernel_->function, CudaState::blocks(end - begin), CudaState::block_size(end - begin),
                           params);
  }

 private:
  static DeviceArray upload_table(const std::shared_ptr<Device>& device, const std::vector<DevicePointer>& pointers) {
    DeviceArray table(device, std::max<std::size_t>(1, pointers.size()) * sizeof(DevicePointer));
    device->copy_to_device(table.get(), pointers.data(), pointers.size() * sizeof(DevicePointer));
    return table;
  }

  std::shared_ptr<CudaState> state_;
  std::shared_ptr<GeneratedKernel> kernel_;
  KernelArguments arguments_;  // keeps the buffers alive
  DeviceArray in_, index_, out_;
};

// A comment naming a kernel; only [A-Za-z0-9_.] of the name reaches the source.
std::string comment(const std::string& name) {
  std::string s = "// ";
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') ? c : '?';
  return s + "\n";
}

}  // namespace

DevicePointer device_pointer(const Buffer& buffer, ElementType type) {
  const auto* b = dynamic_cast<const CudaBuffer*>(&buffer);
  if (!b || b->type() != type) throw InternalError("the cuda backend was given a buffer of another backend or type");
  return b->pointer();
}

unsigned CudaState::blocks(std::size_t items) {
  const std::size_t blocks = (items + threads_per_block - 1) / threads_per_block;
  if (blocks > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw UserError(fmt::format("a launch over {} elements exceeds the CUDA grid", items));
  return static_cast<unsigned>(blocks);
}

const void* CudaState::engine_function(const std::string& name) {
  if (auto it = engine_functions.find(name); it != engine_functions.end()) return it->second;
  if (!engine) {
    ModuleSource source{"", {{engine_source(), engine_kernel_names()}}};
    Device::Loaded loaded = device->load(source);
    engine = std::move(loaded.module);
    compile_seconds += loaded.seconds;
    all_cache_hits = all_cache_hits && loaded.cache_hit;
  }
  return engine_functions[name] = engine->function(name);
}

namespace {

// The kernels as one module of two units (the emulation compiles them in parallel),
// balanced by size and split by name only, so that the same model gives the same
// units (and cache entries).
ModuleSource module_of(std::vector<std::shared_ptr<GeneratedKernel>> kernels) {
  std::sort(kernels.begin(), kernels.end(), [](const auto& a, const auto& b) { return a->name < b->name; });
  ModuleSource source{math_source(), {{}, {}}};
  std::array<std::size_t, 2> sizes{};
  for (const auto& kernel : kernels) {
    const std::size_t u = sizes[0] <= sizes[1] ? 0 : 1;
    source.units[u].code += kernel->source;
    source.units[u].kernels.push_back(kernel->name);
    sizes[u] += kernel->source.size();
  }
  if (source.units[1].kernels.empty()) source.units.pop_back();
  return source;
}

}  // namespace

void CudaState::finalize() {
  std::vector<std::shared_ptr<GeneratedKernel>> pending;
  for (const auto& kernel : order)
    if (!kernel->function) pending.push_back(kernel);
  if (pending.empty()) return;
  Device::Loaded loaded = device->load(module_of(pending));
  compile_seconds += loaded.seconds;
  all_cache_hits = all_cache_hits && loaded.cache_hit;
  for (const auto& kernel : pending) kernel->function = loaded.module->function(kernel->name);
  modules.push_back(std::move(loaded.module));
}

DevicePointer CudaState::scan_level(std::size_t k, std::size_t count) {
  if (scan_levels.size() <= k) scan_levels.resize(k + 1);
  if (scan_levels[k].bytes() < count * sizeof(std::uint32_t))
    scan_levels[k] = DeviceArray(device, count * sizeof(std::uint32_t));
  return scan_levels[k].get();
}

CudaBackend::CudaBackend(std::unique_ptr<Device> device, const BackendOptions& options, std::string name)
    : name_(std::move(name)), state_(std::make_shared<CudaState>(std::move(device), options.precision)) {}

CudaBackend::~CudaBackend() = default;

Device& CudaBackend::device() { return *state_->device; }

std::shared_ptr<Device> CudaBackend::shared_device() { return state_->device; }

void CudaBackend::finalize() { state_->finalize(); }

std::string CudaBackend::report() const {
  if (!state_->engine && state_->modules.empty()) return "";
  return fmt::format("{} backend on {}: {} kernels {} in {:.2f} s ({})", name_, state_->device->description(),
                     state_->generated.size(), state_->all_cache_hits ? "loaded from the cache" : "compiled",
                     state_->compile_seconds, state_->device->compiler_description());
}

ModuleSource CudaBackend::module_source() const { return module_of(state_->order); }

std::string CudaBackend::source() const {
  std::string s = gpu_prelude() + "// (psst's math functions: src/math/{functions,pow,trig}.hpp)\n\n";
  for (const auto& kernel : state_->order) s += kernel->source;
  return s;
}

BufferHandle CudaBackend::allocate(ElementType type, std::size_t size) {
  return std::make_shared<CudaBuffer>(state_->device, type, size);
}

void CudaBackend::upload(Buffer& buffer, std::span<const double> values, std::size_t offset) {
  check_range(buffer, offset, values.size(), "upload");
  state_->device->copy_to_device(device_pointer(buffer, F64) + offset * 8, values.data(), values.size_bytes());
}

void CudaBackend::upload(Buffer& buffer, std::span<const std::uint32_t> values, std::size_t offset) {
  check_range(buffer, offset, values.size(), "upload");
  state_->device->copy_to_device(device_pointer(buffer, Index) + offset * 4, values.data(), values.size_bytes());
}

void CudaBackend::download(const Buffer& buffer, std::span<double> out, std::size_t offset) const {
  check_range(buffer, offset, out.size(), "download");
  state_->device->copy_to_host(out.data(), device_pointer(buffer, F64) + offset * 8, out.size_bytes());
}

void CudaBackend::download(const Buffer& buffer, std::span<std::uint32_t> out, std::size_t offset) const {
  check_range(buffer, offset, out.size(), "download");
  state_->device->copy_to_host(out.data(), device_pointer(buffer, Index) + offset * 4, out.size_bytes());
}

void CudaBackend::fill(Buffer& buffer, double value) {
  state_->run("psst_fill", buffer.size(), device_pointer(buffer, F64), value, buffer.size());
}

void CudaBackend::copy(const Buffer& source, Buffer& destination) {
  if (source.size() != destination.size()) throw InternalError("copy between buffers of different sizes");
  state_->run("psst_copy", source.size(), device_pointer(source, F64), device_pointer(destination, F64),
              source.size());
}

void CudaBackend::gather(const Buffer& source, const Buffer& index, Buffer& destination, std::size_t offset) {
  check_range(destination, offset, index.size(), "gather");
  state_->run("psst_gather", index.size(), device_pointer(source, F64), device_pointer(index, Index),
              device_pointer(destination, F64) + offset * 8, index.size());
}

std::unique_ptr<BoundKernel> CudaBackend::bind(const graph::Program& program, const KernelArguments& arguments) {
  if (arguments.inputs.size() != program.inputs.size() || arguments.outputs.size() != program.outputs.size())
    throw InternalError(fmt::format("kernel {} bound to {} inputs and {} outputs; it has {} and {}", program.name,
                                    arguments.inputs.size(), arguments.outputs.size(), program.inputs.size(),
                                    program.outputs.size()));
  std::vector<InputForm> forms;
  const std::vector<Binding> bindings = arguments.bindings();
  for (std::size_t i = 0; i < bindings.size(); ++i)
    forms.push_back({bindings[i], arguments.inputs[i].kind == KernelInput::Kind::Scalar ? arguments.inputs[i].scalar
                                                                                         : -1});
  const std::string name = kernel_function_name(program, forms, state_->precision);
  auto& kernel = state_->generated[name];
  if (!kernel) {
    kernel = std::make_shared<GeneratedKernel>(
        GeneratedKernel{name, comment(program.name) + print_kernel(program, forms, name, state_->precision), nullptr});
    state_->order.push_back(kernel);
  }
  return std::make_unique<CudaBoundKernel>(state_, kernel, arguments);
}

}  // namespace psst::backend::cuda
