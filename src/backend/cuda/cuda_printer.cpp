#include "backend/cuda/cuda_printer.hpp"

#include <fmt/format.h>

#include "backend/cpu/cpp_printer.hpp"
#include "backend/cuda/cuda_source.hpp"
#include "io/sha256.hpp"
#include "model/error.hpp"

namespace psst::backend::cuda {

namespace {

std::vector<Binding> bindings_of(const std::vector<InputForm>& inputs) {
  std::vector<Binding> bindings;
  for (const auto& input : inputs) bindings.push_back(input.scalar >= 0 ? Binding::Broadcast : input.binding);
  return bindings;
}

std::string prologue(const graph::Program& program, const std::vector<InputForm>& inputs,
                     const std::string& function_name) {
  std::string s = fmt::format("extern \"C\" __global__ void {}(const double* const* in, const std::uint32_t* const* "
                              "index, double* const* out, psst_scalars s, std::size_t begin, std::size_t end) {{\n",
                              function_name);
  s += "  const std::size_t e = begin + blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;\n";
  s += "  if (e >= end) return;\n  (void)in; (void)index; (void)s;\n";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const InputForm& input = inputs[i];
    if (input.scalar >= 0) {
      if (input.scalar >= max_launch_scalars)
        throw InternalError(fmt::format("kernel {}: launch scalar {} of at most {}", program.name, input.scalar,
                                        max_launch_scalars));
      s += fmt::format("  const double b{} = s.v[{}];\n", i, input.scalar);
      continue;
    }
    s += fmt::format("  const double* in{} = in[{}];\n", i, i);
    if (input.binding == Binding::Broadcast) s += fmt::format("  const double b{} = in{}[0];\n", i, i);
    if (input.binding == Binding::Gathered) s += fmt::format("  const std::uint32_t* ix{} = index[{}];\n", i, i);
  }
  for (std::size_t o = 0; o < program.outputs.size(); ++o) s += fmt::format("  double* out{} = out[{}];\n", o, o);
  return s;
}

}  // namespace

std::string print_kernel(const graph::Program& program, const std::vector<InputForm>& inputs,
                         const std::string& function_name, graph::Precision precision) {
  if (inputs.size() != program.inputs.size())
    throw InternalError(fmt::format("kernel {}: {} input forms for {} inputs", program.name, inputs.size(),
                                    program.inputs.size()));
  std::string s = prologue(program, inputs, function_name);
  s += cpu::print_element_body(program, bindings_of(inputs), precision);
  return s + "}\n\n";
}

std::string kernel_function_name(const graph::Program& program, const std::vector<InputForm>& inputs,
                                 graph::Precision precision) {
  return "psst_cuda_" + io::sha256(print_kernel(program, inputs, "f", precision)).substr(0, 24);
}

}  // namespace psst::backend::cuda
