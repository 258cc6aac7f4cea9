#pragma once
// The on-disk cache of compiled kernel libraries: <dir>/<key>.so with a side
// file <key>.sha256 that records the key and the SHA-256 of the library; both
// are checked before a cached library is loaded. The directory is private to
// the user (created 0700; refused if owned by someone else or writable by group
// or others), and entries are written to a temporary name and renamed into
// place, so concurrent psst processes never see a partial file.
#include <filesystem>
#include <optional>
#include <string>

namespace psst::backend::cpu {

class KernelCache {
 public:
  // `directory` empty: $PSST_CACHE_DIR, else $XDG_CACHE_HOME/psst, else ~/.cache/psst.
  explicit KernelCache(const std::string& directory = "");
  const std::filesystem::path& directory() const { return directory_; }

  // The library for `key` if present and intact.
  std::optional<std::filesystem::path> find(const std::string& key) const;
  // Moves `library` (a file in this cache's directory) into place as the entry for `key`.
  std::filesystem::path store(const std::string& key, const std::filesystem::path& library) const;
  // A new private scratch directory inside the cache (for sources, objects, logs).
  std::filesystem::path make_work_directory() const;

  static std::filesystem::path default_directory();

 private:
  std::filesystem::path directory_;
};

}  // namespace psst::backend::cpu
