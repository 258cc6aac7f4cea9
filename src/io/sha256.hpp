#pragma once
// SHA-256 (FIPS 180-4): the keys of the kernel cache, the checksums of cached
// libraries (a collision would load the wrong machine code) and the hashes of
// the input files a run read (stored in its output file, checked by resume).
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace psst::io {

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  std::string hex();  // finishes: the digest as 64 lowercase hex digits

 private:
  void block(const unsigned char* p);
  std::array<std::uint32_t, 8> h_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

inline std::string sha256(std::string_view data) { return Sha256().update(data).hex(); }

// The SHA-256 of a file's bytes, read in blocks; nullopt when it cannot be opened.
std::optional<std::string> sha256_of_file(const std::filesystem::path& path);

}  // namespace psst::io
