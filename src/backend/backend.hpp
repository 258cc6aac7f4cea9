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

inline constexpr int kernel_abi_version = 2;

// How a kernel input is bound: known when the kernel is compiled, so that a
// compiled backend can specialise its loads (a broadcast value, a contiguous
// array, or an array gathered through an index).
enum class Binding { Broadcast, Array, Gathered };

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

struct BackendOptions {
  int threads = 0;            // 0: all cores (std::thread::hardware_concurrency())
  bool march_native = true;   // compiled backends: -march=native
  std::string cache_dir;      // compiled backends: "" = $PSST_CACHE_DIR, $XDG_CACHE_HOME/psst or ~/.cache/psst
  std::string compiler;       // compiled backends: "" = $CXX, else c++, g++ or clang++ on PATH
  bool compile = true;        // false: print kernels only, run them interpreted (psst codegen)
  graph::Precision precision = graph::Precision::Double;  // the arithmetic of every kernel
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
  // A kernel for `program` whose inputs will be bound as `bindings` says. A
  // compiled backend may defer the work until finalize() or the first run().
  virtual std::unique_ptr<Kernel> compile(const graph::Program& program, const std::vector<Binding>& bindings) = 0;
  // Compiles everything requested so far, in one go (called once the model is set up).
  virtual void finalize() {}
  // What the user should know about this backend's set-up (compile time, cache), or "".
  virtual std::string report() const { return ""; }
};

// "cpu" (compiled C++, threaded; needs a C++ compiler) or "reference" (the
// interpreter, ground truth). "default": cpu when a compiler is found, else
// reference with a notice on stderr. Throws UserError for unknown names.
std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options = {});
std::vector<std::string> backend_names();  // the backends usable on this machine

}  // namespace psst::backend
