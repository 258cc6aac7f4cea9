#pragma once
// Compiles generated C++ into a shared library with the system compiler and
// caches it. The cache key is the SHA-256 of everything that decides the
// machine code: the sources, the compiler's full version text, the flags, the
// kernel ABI versions and, with -march=native, the host CPU's identity.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "backend/cpu/kernel_cache.hpp"
#include "backend/cpu/shared_library.hpp"

namespace psst::backend::cpu {

struct CompilerOptions {
  bool march_native = true;
  std::string compiler;   // "": $CXX, else c++, g++ or clang++ on PATH
  std::string cache_dir;  // "": KernelCache's default
};

struct CompileResult {
  std::shared_ptr<SharedLibrary> library;
  bool cache_hit = false;
  double seconds = 0.0;  // compiling (or checking the cache) and loading
};

class Compiler {
 public:
  explicit Compiler(const CompilerOptions& options);
  // Whether a compiler was found and answers --version.
  bool available() const { return !command_.empty(); }
  std::string description() const;  // e.g. "g++ (Debian 12.2.0-14) 12.2.0, -march=native"
  const std::vector<std::string>& flags() const { return flags_; }

  // One shared library of all translation units (compiled in parallel, one process
  // each, then linked), from the cache when it has it.
  CompileResult build(const std::vector<std::string>& sources);
  std::string cache_key(const std::vector<std::string>& sources) const;

  // Compiler processes started by this object, and by all of them in this process.
  int compilations() const { return compilations_; }
  static int total_compilations() { return total_compilations_.load(); }
  // Whether the default compiler (as for CompilerOptions{}) is usable; asked once per process.
  static bool default_available();

 private:
  std::vector<std::string> command_;  // the compiler, and the words of $CXX after it
  std::string version_;               // its --version output
  std::vector<std::string> flags_;
  std::string host_;                  // CPU identity (with -march=native)
  CompilerOptions options_;
  int compilations_ = 0;
  static std::atomic<int> total_compilations_;
};

}  // namespace psst::backend::cpu
