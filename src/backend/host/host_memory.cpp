// Host buffers and the kernels bound to them.
#include <algorithm>
#include <array>
#include <typeinfo>

#include <fmt/format.h>

#include "backend/host/host_backend.hpp"
#include "backend/host/host_buffer.hpp"
#include "model/error.hpp"

namespace psst::backend {

std::vector<Binding> KernelArguments::bindings() const {
  std::vector<Binding> kinds;
  for (const auto& input : inputs)
    kinds.push_back(input.kind == KernelInput::Kind::Array      ? Binding::Array
                    : input.kind == KernelInput::Kind::Gathered ? Binding::Gathered
                                                                : Binding::Broadcast);
  return kinds;
}

std::vector<double> Backend::download(const Buffer& buffer) const {
  std::vector<double> values(buffer.size());
  download(buffer, std::span<double>(values), 0);
  return values;
}

std::vector<std::uint32_t> Backend::download_indices(const Buffer& buffer) const {
  std::vector<std::uint32_t> values(buffer.size());
  download(buffer, std::span<std::uint32_t>(values), 0);
  return values;
}

BufferHandle Backend::allocate_with(std::span<const double> values) {
  BufferHandle buffer = allocate(ElementType::Float64, values.size());
  upload(*buffer, values, 0);
  return buffer;
}

BufferHandle Backend::allocate_with(std::span<const std::uint32_t> values) {
  BufferHandle buffer = allocate(ElementType::Index, values.size());
  upload(*buffer, values, 0);
  return buffer;
}

}  // namespace psst::backend

namespace psst::backend::host {

namespace {

void check_range(const Buffer& buffer, std::size_t offset, std::size_t count, const char* what) {
  if (offset > buffer.size() || count > buffer.size() - offset)
    throw InternalError(fmt::format("{} of {} values at {} into a buffer of {}", what, count, offset, buffer.size()));
}

// A kernel bound to host buffers: pointers resolved once (buffers never move);
// the values of launch scalars are copied into scalars_ before each launch.
class HostBoundKernel final : public BoundKernel {
 public:
  HostBoundKernel(std::unique_ptr<Kernel> kernel, const KernelArguments& arguments)
      : kernel_(std::move(kernel)), arguments_(arguments) {
    for (const auto& input : arguments.inputs) {
      using Kind = KernelInput::Kind;
      if (input.kind == Kind::Scalar) {
        if (input.scalar < 0 || static_cast<std::size_t>(input.scalar) >= scalars_.size())
          throw InternalError(fmt::format("launch scalar {} out of range", input.scalar));
        args_.add_input(&scalars_[static_cast<std::size_t>(input.scalar)], 0);
        continue;
      }
      const double* data = host(*input.data, ElementType::Float64).values();
      if (input.kind == Kind::Broadcast) args_.add_input(data, 0);
      if (input.kind == Kind::Array) args_.add_input(data, 1);
      if (input.kind == Kind::Gathered) args_.add_input(data, 1, host(*input.index, ElementType::Index).indices());
    }
    for (const auto& output : arguments.outputs) args_.outputs.push_back(host(*output, ElementType::Float64).values());
  }

  void launch(std::span<const double> scalars, std::size_t begin, std::size_t end) override {
    std::copy_n(scalars.begin(), std::min(scalars.size(), scalars_.size()), scalars_.begin());
    kernel_->run(args_, begin, end);
  }

 private:
  std::unique_ptr<Kernel> kernel_;
  KernelArguments arguments_;  // keeps the buffers alive
  std::array<double, 8> scalars_{};
  KernelArgs args_;
};

}  // namespace

HostBuffer& host(Buffer& buffer, ElementType type) {
  // HostBuffer is final: comparing the dynamic type is exact, and cheaper than a dynamic_cast
  // (which g++ 12 does not shorten for final classes); primitives call this for every buffer.
  if (typeid(buffer) != typeid(HostBuffer) || buffer.type() != type)
    throw InternalError("a host backend was given a buffer of another backend or type");
  return static_cast<HostBuffer&>(buffer);
}

const HostBuffer& host(const Buffer& buffer, ElementType type) { return host(const_cast<Buffer&>(buffer), type); }

BufferHandle HostBackend::allocate(ElementType type, std::size_t size) { return std::make_shared<HostBuffer>(type, size); }

void HostBackend::upload(Buffer& buffer, std::span<const double> values, std::size_t offset) {
  check_range(buffer, offset, values.size(), "upload");
  std::copy(values.begin(), values.end(), host(buffer, ElementType::Float64).values() + offset);
}

void HostBackend::upload(Buffer& buffer, std::span<const std::uint32_t> values, std::size_t offset) {
  check_range(buffer, offset, values.size(), "upload");
  std::copy(values.begin(), values.end(), host(buffer, ElementType::Index).indices() + offset);
}

void HostBackend::download(const Buffer& buffer, std::span<double> out, std::size_t offset) const {
  check_range(buffer, offset, out.size(), "download");
  const double* values = host(buffer, ElementType::Float64).values() + offset;
  std::copy(values, values + out.size(), out.begin());
}

void HostBackend::download(const Buffer& buffer, std::span<std::uint32_t> out, std::size_t offset) const {
  check_range(buffer, offset, out.size(), "download");
  const std::uint32_t* values = host(buffer, ElementType::Index).indices() + offset;
  std::copy(values, values + out.size(), out.begin());
}

void HostBackend::fill(Buffer& buffer, double value) {
  double* values = host(buffer, ElementType::Float64).values();
  std::fill(values, values + buffer.size(), value);
}

void HostBackend::copy(const Buffer& source, Buffer& destination) {
  if (source.size() != destination.size()) throw InternalError("copy between buffers of different sizes");
  const double* from = host(source, ElementType::Float64).values();
  std::copy(from, from + source.size(), host(destination, ElementType::Float64).values());
}

void HostBackend::gather(const Buffer& source, const Buffer& index, Buffer& destination, std::size_t offset) {
  check_range(destination, offset, index.size(), "gather");
  const double* from = host(source, ElementType::Float64).values();
  const std::uint32_t* where = host(index, ElementType::Index).indices();
  double* to = host(destination, ElementType::Float64).values() + offset;
  for (std::size_t j = 0; j < index.size(); ++j) {
    if (where[j] >= source.size()) throw InternalError("gather index out of range");
    to[j] = from[where[j]];
  }
}

std::unique_ptr<BoundKernel> HostBackend::bind(const graph::Program& program, const KernelArguments& arguments) {
  if (arguments.inputs.size() != program.inputs.size() || arguments.outputs.size() != program.outputs.size())
    throw InternalError(fmt::format("kernel {} bound to {} inputs and {} outputs; it has {} and {}", program.name,
                                    arguments.inputs.size(), arguments.outputs.size(), program.inputs.size(),
                                    program.outputs.size()));
  return std::make_unique<HostBoundKernel>(compile(program, arguments.bindings()), arguments);
}

InputSourceHandle HostBackend::make_input(InputSchedule schedule) {
  auto input = std::make_shared<HostInputSource>();
  input->schedule = std::move(schedule);
  return input;
}

void HostBackend::sample_input(const InputSource& input, std::int64_t step, Buffer& out) {
  const auto& schedule = dynamic_cast<const HostInputSource&>(input).schedule;
  if (out.size() != schedule.size) throw InternalError("input sampled into a buffer of another size");
  schedule.sample(step, host(out, ElementType::Float64).values());
}

}  // namespace psst::backend::host
