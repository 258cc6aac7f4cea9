#include "backend/backend.hpp"

#include <fmt/format.h>

#include "backend/reference/interpreter.hpp"
#include "model/error.hpp"

namespace psst::backend {

std::vector<std::string> backend_names() { return {"reference"}; }

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "reference") return std::make_unique<reference::InterpreterBackend>();
  std::string valid;
  for (const auto& n : backend_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw UserError(fmt::format("unknown backend '{}'; available backends: {}", name, valid));
}

}  // namespace psst::backend
