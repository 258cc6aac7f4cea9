#include "backend/cpu/kernel_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "backend/cpu/process.hpp"
#include "io/sha256.hpp"
#include "model/error.hpp"

namespace psst::backend::cpu {

namespace fs = std::filesystem;

namespace {

std::string side_file_text(const std::string& key, const std::string& library_hash) {
  return fmt::format("psst kernel library\nkey {}\nsha256 {}\n", key, library_hash);
}

// Creates `dir` (mode 0700) if needed and checks that it is a directory private to this user.
void make_private_directory(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw IoError(fmt::format("cannot create the kernel cache directory '{}': {}", dir.string(), std::strerror(errno)));
  struct stat info {};
  if (lstat(dir.c_str(), &info) != 0)
    throw IoError(fmt::format("cannot inspect the kernel cache directory '{}': {}", dir.string(), std::strerror(errno)));
  if (!S_ISDIR(info.st_mode))
    throw IoError(fmt::format("the kernel cache '{}' is not a directory (a symbolic link or a file); remove it or "
                              "set PSST_CACHE_DIR", dir.string()));
  if (info.st_uid != getuid() || (info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw IoError(fmt::format("refusing to use the kernel cache '{}': it must be owned by you (uid {}, it is owned by "
                              "uid {}) and not writable by group or others (mode {:o}); fix it with chmod 700, or set "
                              "PSST_CACHE_DIR", dir.string(), getuid(), info.st_uid, info.st_mode & 07777));
}

}  // namespace

fs::path KernelCache::default_directory() {
  if (const char* env = std::getenv("PSST_CACHE_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
    return fs::path(xdg) / "psst";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "psst";
  return fs::temp_directory_path() / fmt::format("psst-cache-{}", getuid());
}

KernelCache::KernelCache(const std::string& directory)
    : directory_(directory.empty() ? default_directory() : fs::path(directory)) {
  make_private_directory(directory_);
}

std::optional<fs::path> KernelCache::find(const std::string& key) const {
  const fs::path library = directory_ / (key + ".so"), side = directory_ / (key + ".sha256");
  std::error_code ec;
  if (!fs::is_regular_file(library, ec) || !fs::is_regular_file(side, ec)) return std::nullopt;
  const std::string recorded = read_text_file(side);
  if (recorded != side_file_text(key, io::sha256(read_text_file(library)))) return std::nullopt;  // stale or damaged
  return library;
}

fs::path KernelCache::store(const std::string& key, const fs::path& library) const {
  const fs::path target = directory_ / (key + ".so"), side = directory_ / (key + ".sha256");
  const fs::path side_temporary = library.parent_path() / "entry.sha256";
  {
    std::ofstream out(side_temporary, std::ios::binary | std::ios::trunc);
    out << side_file_text(key, io::sha256(read_text_file(library)));
    out.close();
    if (!out) throw IoError(fmt::format("cannot write '{}'", side_temporary.string()));
  }
  // Library first, then the side file that vouches for it; rename replaces atomically.
  std::error_code ec;
  fs::rename(library, target, ec);
  if (ec) throw IoError(fmt::format("cannot move '{}' to '{}': {}", library.string(), target.string(), ec.message()));
  fs::rename(side_temporary, side, ec);
  if (ec) throw IoError(fmt::format("cannot move '{}' to '{}': {}", side_temporary.string(), side.string(), ec.message()));
  return target;
}

fs::path KernelCache::make_work_directory() const {
  std::string pattern = (directory_ / "build-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw IoError(fmt::format("cannot create a directory in the kernel cache '{}': {}", directory_.string(),
                              std::strerror(errno)));
  return pattern;
}

}  // namespace psst::backend::cpu
