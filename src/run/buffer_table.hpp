#pragma once
// The backend buffers of one population or projection, by name ("x.V",
// "param.g", "conn.pre"): allocated once, looked up at set-up when kernels and
// primitives are bound, never by name inside the time loop.
#include <map>
#include <string>

#include <fmt/format.h>

#include "backend/backend.hpp"
#include "model/error.hpp"

namespace psst::run {

class BufferTable {
 public:
  BufferTable(backend::Backend& backend, std::string owner) : backend_(backend), owner_(std::move(owner)) {}

  // The buffer `name`, allocated (zero-filled) on first use.
  const backend::BufferHandle& add(const std::string& name, std::size_t size,
                                   backend::ElementType type = backend::ElementType::Float64) {
    auto& buffer = buffers_[name];
    if (!buffer) buffer = backend_.allocate(type, size);
    return buffer;
  }
  // A buffer made elsewhere (e.g. allocated with its values).
  void set(const std::string& name, backend::BufferHandle buffer) { buffers_[name] = std::move(buffer); }
  const backend::BufferHandle& at(const std::string& name) const {
    auto it = buffers_.find(name);
    if (it == buffers_.end()) throw InternalError(fmt::format("{} has no buffer '{}'", owner_, name));
    return it->second;
  }
  const backend::BufferHandle* find(const std::string& name) const {
    auto it = buffers_.find(name);
    return it == buffers_.end() ? nullptr : &it->second;
  }
  auto begin() const { return buffers_.begin(); }
  auto end() const { return buffers_.end(); }

 private:
  backend::Backend& backend_;
  std::string owner_;
  std::map<std::string, backend::BufferHandle> buffers_;
};

}  // namespace psst::run
