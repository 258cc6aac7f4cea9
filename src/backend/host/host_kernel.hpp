#pragma once
// Kernels of the host backends (reference, cpu) over host pointers: the form
// a kernel takes once its buffers are resolved to host memory. Only the host
// backends and their tests see it; the run layer binds buffers (backend.hpp).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "backend/backend.hpp"

namespace psst::backend {

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
  // The binding of every input, as compile() expects it.
  std::vector<Binding> bindings() const {
    std::vector<Binding> kinds;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      kinds.push_back(input_strides[i] == 0                          ? Binding::Broadcast
                      : (!input_indices.empty() && input_indices[i]) ? Binding::Gathered
                                                                     : Binding::Array);
    return kinds;
  }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual void run(const KernelArgs& args, std::size_t begin, std::size_t end) const = 0;
};

}  // namespace psst::backend
