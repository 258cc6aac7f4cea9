#pragma once
// A loaded shared library: dlopen/dlsym/dlclose, every call checked; a failure
// names the call, the source file and line that made it, and dlerror().
#include <string>

namespace psst::backend::cpu {

class SharedLibrary {
 public:
  explicit SharedLibrary(const std::string& path);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  void* symbol(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  void* handle_ = nullptr;
  std::string path_;
};

}  // namespace psst::backend::cpu
