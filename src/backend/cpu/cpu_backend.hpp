#pragma once
// The compiled CPU backend. compile() prints the kernel as C++ (specialised on
// its inputs' bindings) and records it; finalize(), called by the Simulation
// once the model is set up, compiles every recorded kernel in one batch into
// one shared library (translation units compiled in parallel, the library
// cached on disk); a kernel that runs before finalize() triggers the batch
// itself. Kernel::run splits large ranges over a persistent thread pool.
#include <memory>
#include <string>

#include "backend/host/host_backend.hpp"

namespace psst::backend::cpu {

struct CpuState;

class CpuBackend final : public host::HostBackend {
 public:
  explicit CpuBackend(const BackendOptions& options);
  ~CpuBackend() override;
  std::string name() const override { return "cpu"; }
  std::unique_ptr<Kernel> compile(const graph::Program& program, const std::vector<Binding>& bindings) override;
  void finalize() override;
  std::string report() const override;

  // The source of every distinct kernel, in the order they were requested (psst codegen).
  std::string source() const;
  int compilations() const;  // compiler processes started by this backend (0 on a cache hit)
  int threads() const;
  static bool compiler_available();  // a compiler for the default options (checked once)

 protected:
  // Fixed contiguous chunks on the thread pool (primitives whose split cannot change a result).
  void parallel_for(std::size_t n, std::size_t work,
                    const std::function<void(std::size_t, std::size_t)>& body) override;

 private:
  std::shared_ptr<CpuState> state_;
};

}  // namespace psst::backend::cpu
