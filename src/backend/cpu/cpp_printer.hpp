#pragma once
// Prints IR programs as C++: one function per (program, bindings), a loop over
// elements whose body is the program's straight-line code. Only the IR reaches
// the compiler: names are generated (r0, in0), constants are printed exactly
// (hexadecimal floats; non-finite values by their bits), and each operation is
// printed with exactly the semantics of graph::apply, calling the same
// psst::math functions (or libm, as apply does), so the compiled kernel
// computes the reference backend's bits. Operations whose operands are all
// constants are evaluated here with graph::apply, never left to the compiler.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/ir.hpp"

namespace psst::backend::cpu {

// Version of the generated functions' signature; part of every cache key.
inline constexpr int generated_abi_version = 1;

// The entry point every kernel exports:
//   extern "C" void f(const double* const* in, const std::uint32_t* const* index, double* const* out,
//                     std::size_t begin, std::size_t end)
// in[k]: input k (broadcast: one value; array: indexed by element; gathered:
// indexed by index[k][element]); out[k]: output arrays. The bindings are
// compile-time facts of the function, so the common case (arrays and
// broadcast values) is a plain loop that the compiler vectorises.
using KernelFunction = void (*)(const double* const*, const std::uint32_t* const*, double* const*, std::size_t,
                                std::size_t);

// The function's definition, named `function_name`.
// Single precision: registers are float, library functions called in double.
std::string print_kernel(const graph::Program& program, const std::vector<Binding>& bindings,
                         const std::string& function_name, graph::Precision precision = graph::Precision::Double);

// The body of the element loop, shared by every dialect (C++ and CUDA): register
// declarations, then one statement per instruction for element `e`, reading input k
// as b<k> (broadcast), in<k>[e] (array) or in<k>[ix<k>[e]] (gathered) and writing
// out<k>[e]. The dialect's prologue declares those names.
std::string print_element_body(const graph::Program& program, const std::vector<Binding>& bindings,
                               graph::Precision precision);

// The name of the function for (program, bindings): psst_kernel_ and a hash of
// its text, so identical kernels share one function and one cache entry.
std::string kernel_function_name(const graph::Program& program, const std::vector<Binding>& bindings,
                                 graph::Precision precision = graph::Precision::Double);

// What every compiled translation unit starts with: the standard headers and
// the text of src/math/{functions,pow,trig}.hpp as psst was built with it.
std::string translation_unit_prologue();
// The same for reading (psst codegen): the math header named, not copied.
std::string readable_prologue();

}  // namespace psst::backend::cpu
