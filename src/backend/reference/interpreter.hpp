#pragma once
// The reference backend: an interpreter of IR programs, psst's ground truth.
// It runs a program over blocks of elements, one instruction at a time over
// the whole block, so that each instruction is a simple loop the compiler
// vectorises; per-element semantics are exactly graph::apply.
#include "backend/host/host_backend.hpp"

namespace psst::backend::reference {

inline constexpr std::size_t block_size = 64;

class InterpreterBackend final : public host::HostBackend {
 public:
  explicit InterpreterBackend(graph::Precision precision = graph::Precision::Double) : precision_(precision) {}
  std::string name() const override { return "reference"; }
  std::unique_ptr<Kernel> compile(const graph::Program& program, const std::vector<Binding>& bindings) override;
  using host::HostBackend::bind;

 private:
  graph::Precision precision_;
};

}  // namespace psst::backend::reference
