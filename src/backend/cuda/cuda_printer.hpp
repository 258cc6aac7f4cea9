#pragma once
// Prints IR programs as CUDA kernels: the cpu printer's element body
// (print_element_body: every expression rule shared), inside a __global__
// prologue where element e is begin + the thread's global index. Inputs and
// outputs are read through device tables of pointers; launch scalars (t, dt, N)
// come by value in a psst_scalars argument.
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/ir.hpp"

namespace psst::backend::cuda {

// Version of the generated kernels' signature; part of every cache key:
//   extern "C" __global__ void f(const double* const* in, const std::uint32_t* const* index,
//                                double* const* out, psst_scalars s, std::size_t begin, std::size_t end)
inline constexpr int generated_abi_version = 1;

// One kernel input as bound: its binding and, for a launch scalar, its position (else -1).
struct InputForm {
  Binding binding = Binding::Array;
  int scalar = -1;
};

std::string print_kernel(const graph::Program& program, const std::vector<InputForm>& inputs,
                         const std::string& function_name, graph::Precision precision);

// psst_cuda_ and a hash of the kernel's text: identical kernels share one function.
std::string kernel_function_name(const graph::Program& program, const std::vector<InputForm>& inputs,
                                 graph::Precision precision);

}  // namespace psst::backend::cuda
