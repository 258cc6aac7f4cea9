#include "backend/cpu/shared_library.hpp"

#include <dlfcn.h>

#include <cstdio>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::backend::cpu {

namespace {

// The result of a dl* call, checked: what was called, where, and dlerror()'s reason.
template <class T>
T dl_checked(T result, bool ok, const std::string& call, const char* file, int line) {
  if (!ok) {
    const char* reason = dlerror();
    throw IoError(fmt::format("{} failed ({}:{}): {}", call, file, line, reason ? reason : "no reason given"));
  }
  return result;
}

#define PSST_DL(call_text, expression, ok_when) \
  dl_checked((expression), (ok_when), call_text, __FILE__, __LINE__)

}  // namespace

SharedLibrary::SharedLibrary(const std::string& path) : path_(path) {
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  handle_ = PSST_DL(fmt::format("dlopen(\"{}\")", path), handle, handle != nullptr);
}

SharedLibrary::~SharedLibrary() {
  if (handle_ && dlclose(handle_) != 0) {
    const char* reason = dlerror();
    std::fprintf(stderr, "psst: dlclose(\"%s\") failed (%s:%d): %s\n", path_.c_str(), __FILE__, __LINE__,
                 reason ? reason : "no reason given");
  }
}

void* SharedLibrary::symbol(const std::string& name) const {
  dlerror();
  void* address = dlsym(handle_, name.c_str());
  // A symbol may legitimately be null only for special symbols; kernels never are.
  return PSST_DL(fmt::format("dlsym(\"{}\") in {}", name, path_), address, address != nullptr);
}

}  // namespace psst::backend::cpu
