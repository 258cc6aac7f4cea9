#pragma once
// The narrow boundary between the run loop and whatever executes kernels.
// A backend turns an IR program into a Kernel; a kernel runs over any range
// of elements [begin, end) as a pure function of its arguments. Version this
// interface (kernel_abi_version) when it changes: generated code depends on it.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.hpp"

namespace psst::backend {

inline constexpr int kernel_abi_version = 1;

// One pointer per program input and output. An input with stride 0 is one
// value broadcast to every element (a scalar parameter, t, dt); with stride 1
// it is an array indexed by element.
struct KernelArgs {
  std::vector<const double*> inputs;
  std::vector<std::size_t> input_strides;
  std::vector<double*> outputs;
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
