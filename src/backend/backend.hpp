#pragma once
// The narrow boundary between the run loop and whatever executes kernels.
// A backend turns an IR program into a Kernel; a kernel runs over any range
// of elements [begin, end) as a pure function of its arguments. Version this
// interface (kernel_abi_version) when it changes: generated code depends on it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.hpp"

namespace psst::backend {

inline constexpr int kernel_abi_version = 1;

// One pointer per program input and output. An input with stride 0 is one
// value broadcast to every element (a scalar parameter, t, dt); with stride 1
// it is an array indexed by element, or, when it has an index array, gathered:
// element e reads input[index[e]] (a synapse reading its presynaptic neuron).
struct KernelArgs {
  std::vector<const double*> inputs;
  std::vector<std::size_t> input_strides;
  std::vector<const std::uint32_t*> input_indices;  // empty, or one per input (nullptr: not gathered)
  std::vector<double*> outputs;

  void add_input(const double* data, std::size_t stride, const std::uint32_t* index = nullptr) {
    inputs.push_back(data);
    input_strides.push_back(stride);
    input_indices.push_back(index);
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(const KernelArgs& args, std::size_t begin, std::size_t end) const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual std::unique_ptr<Kernel> compile(const graph::Program& program) = 0;
};

// "reference" (the interpreter, ground truth). Throws UserError for unknown names.
std::unique_ptr<Backend> make_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace psst::backend
