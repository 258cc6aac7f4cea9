#include "backend/cpu/compiler.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "backend/backend.hpp"
#include "backend/cpu/cpp_printer.hpp"
#include "backend/cpu/process.hpp"
#include "io/sha256.hpp"
#include "model/error.hpp"

namespace psst::backend::cpu {

namespace fs = std::filesystem;

std::atomic<int> Compiler::total_compilations_{0};

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// The compiler as argv words: the option, else $CXX (which may be "ccache g++"), else c++, g++, clang++.
std::vector<std::string> find_compiler(const std::string& requested) {
  std::vector<std::vector<std::string>> candidates;
  if (!requested.empty()) {
    candidates.push_back(words(requested));
  } else {
    if (const char* cxx = std::getenv("CXX"); cxx && *cxx) candidates.push_back(words(cxx));
    for (const char* name : {"c++", "g++", "clang++"}) candidates.push_back({name});
  }
  for (auto& candidate : candidates) {
    if (candidate.empty()) continue;
    std::string found = on_path(candidate[0]);
    if (found.empty()) continue;
    candidate[0] = found;
    return candidate;
  }
  return {};
}

// The CPU's identity, for -march=native (a cache shared between machines must not mix them).
std::string host_identity() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model, flags;
  while (std::getline(in, line) && (model.empty() || flags.empty())) {
    if (model.empty() && line.rfind("model name", 0) == 0) model = line;
    if (flags.empty() && (line.rfind("flags", 0) == 0 || line.rfind("Features", 0) == 0)) flags = line;
  }
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return model + "\n" + flags + (model.empty() && flags.empty() ? std::string("\nhost ") + name : "");
}

}  // namespace

Compiler::Compiler(const CompilerOptions& options) : command_(find_compiler(options.compiler)), options_(options) {
  if (command_.empty()) return;
  // Semantics first: IEEE operations as written (no contraction into fma, no fast-math).
  // Kernels call no libm function that is not exact (only sqrt and fabs): every
  // elementary function is psst::math's, printed into the unit, which no compiler
  // recognises as a builtin (no -fno-builtin-pow etc. needed: pow(x, 2.0) stays a call).
  flags_ = {"-O3", "-std=c++20", "-fPIC", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno", "-w"};
  if (options.march_native) {
    flags_.push_back("-march=native");
    // g++ 12 tunes unknown CPUs (e.g. AMD Zen 4) as "generic", which keeps loops to
    // 256-bit vectors; a kernel full of exp and divisions runs ~2x faster on all 512
    // bits (measured on the HH kernel). Without AVX-512 the flag does nothing.
    flags_.push_back("-mprefer-vector-width=512");
    host_ = host_identity();
  }
  // The version text, asked once per compiler and process.
  static std::mutex mutex;
  static std::map<std::vector<std::string>, std::string> versions;
  std::lock_guard lock(mutex);
  if (auto it = versions.find(command_); it != versions.end()) {
    version_ = it->second;
    if (version_.empty()) command_.clear();  // it did not run
    return;
  }
  try {
    fs::path scratch = fs::temp_directory_path();
    std::string name = (scratch / "psst-cxx-version-XXXXXX").string();
    int fd = mkstemp(name.data());
    if (fd < 0) throw IoError("mkstemp failed");
    close(fd);
    std::vector<std::string> argv = command_;
    argv.push_back("--version");
    std::string failure;
    {
      ChildProcess child(argv, scratch, name);
      failure = child.wait();
    }
    version_ = read_text_file(name);
    unlink(name.c_str());
    if (!failure.empty() || version_.empty()) version_.clear();
  } catch (const std::exception&) {
    version_.clear();
  }
  versions[command_] = version_;
  if (version_.empty()) command_.clear();
}

bool Compiler::default_available() {
  static std::once_flag once;
  static bool available = false;
  std::call_once(once, [] { available = Compiler(CompilerOptions{false, "", ""}).available(); });
  return available;
}

std::string Compiler::description() const {
  if (command_.empty()) return "no compiler";
  return fmt::format("{}{}", version_.substr(0, version_.find('\n')), options_.march_native ? ", -march=native" : "");
}

std::string Compiler::cache_key(const std::vector<std::string>& sources) const {
  io::Sha256 h;
  h.update(fmt::format("psst kernels; kernel_abi_version {}; generated_abi_version {}\n", kernel_abi_version,
                       generated_abi_version));
  h.update("compiler " + command_line(command_) + "\n" + version_ + "\nflags");
  for (const auto& f : flags_) h.update(" " + f);
  h.update("\nhost " + host_ + "\n");
  for (const auto& s : sources) h.update(fmt::format("source of {} bytes\n", s.size())).update(s);
  return h.hex();
}

CompileResult Compiler::build(const std::vector<std::string>& sources) {
  if (command_.empty()) throw InternalError("Compiler::build without a compiler");
  const auto start = std::chrono::steady_clock::now();
  KernelCache cache(options_.cache_dir);
  const std::string key = cache_key(sources);
  CompileResult result;
  if (auto cached = cache.find(key)) {
    result.library = std::make_shared<SharedLibrary>(cached->string());
    result.cache_hit = true;
  } else {
    // Relative names in a fresh directory: the library's bytes do not depend on where it was built.
    const fs::path work = cache.make_work_directory();
    std::vector<std::string> objects;
    std::vector<std::unique_ptr<ChildProcess>> jobs;
    std::vector<std::vector<std::string>> commands;
    const bool single = sources.size() == 1;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      std::string source = fmt::format("unit{}.cpp", i), object = fmt::format("unit{}.o", i);
      {
        std::ofstream out(work / source, std::ios::binary);
        out << sources[i];
        out.close();
        if (!out) throw IoError(fmt::format("cannot write '{}'", (work / source).string()));
      }
      std::vector<std::string> argv = command_;
      argv.insert(argv.end(), flags_.begin(), flags_.end());
      if (single)
        argv.insert(argv.end(), {"-shared", "-o", "kernels.so", source});
      else
        argv.insert(argv.end(), {"-c", "-o", object, source});
      jobs.push_back(std::make_unique<ChildProcess>(argv, work, work / fmt::format("unit{}.log", i)));
      commands.push_back(argv);
      objects.push_back(object);
      ++compilations_;
      ++total_compilations_;
    }
    std::string failures;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (std::string why = jobs[i]->wait(); !why.empty())
        failures += fmt::format("`{}` in {} failed ({}):\n{}\n", command_line(commands[i]), work.string(), why,
                                read_text_file(work / fmt::format("unit{}.log", i)));
    if (failures.empty() && !single) {
      std::vector<std::string> argv = command_;
      argv.insert(argv.end(), {"-shared", "-o", "kernels.so"});
      argv.insert(argv.end(), objects.begin(), objects.end());
      ChildProcess link(argv, work, work / "link.log");
      if (std::string why = link.wait(); !why.empty())
        failures = fmt::format("`{}` in {} failed ({}):\n{}\n", command_line(argv), work.string(), why,
                               read_text_file(work / "link.log"));
    }
    if (!failures.empty()) {
      if (failures.size() > 8000) failures = failures.substr(0, 8000) + "\n[...]";
      throw InternalError(fmt::format("the C++ compiler failed on psst's generated kernels (a bug of psst; the sources "
                                      "are kept in {}):\n{}", work.string(), failures));
    }
    fs::path library = cache.store(key, work / "kernels.so");
    std::error_code ec;
    fs::remove_all(work, ec);
    result.library = std::make_shared<SharedLibrary>(library.string());
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace psst::backend::cpu
