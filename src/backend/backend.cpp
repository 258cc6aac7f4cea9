#include "backend/backend.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/reference/interpreter.hpp"
#include "model/error.hpp"

namespace psst::backend {

std::vector<std::string> backend_names() {
  std::vector<std::string> names{"reference"};
  if (cpu::CpuBackend::compiler_available()) names.push_back("cpu");
  return names;
}

std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options) {
  if (name == "reference") return std::make_unique<reference::InterpreterBackend>(options.precision);
  if (name == "cpu") return std::make_unique<cpu::CpuBackend>(options);
  if (name == "default") {
    if (cpu::CpuBackend::compiler_available()) return std::make_unique<cpu::CpuBackend>(options);
    std::fprintf(stderr, "psst: no C++ compiler found; using the reference backend (slower)\n");
    return std::make_unique<reference::InterpreterBackend>(options.precision);
  }
  throw UserError(fmt::format("unknown backend '{}'; the backends are cpu (compiled, threaded) and reference (the "
                              "interpreter)", name));
}

}  // namespace psst::backend
