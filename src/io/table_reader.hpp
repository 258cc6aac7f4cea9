#pragma once
// Numeric tables for inputs, parameters and connectivity: NumPy .npy files and
// CSV text. Errors name the file, what was found and what is supported.
#include <cstddef>
#include <filesystem>
#include <vector>

namespace psst::io {

struct Table {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  double at(std::size_t r, std::size_t c) const { return values.at(r * cols + c); }
};

// .npy v1-v3: dtypes <f8 <f4 <i8 <i4 |u1 |b1, 1-D (n rows x 1 column) or 2-D, C or Fortran order.
Table read_npy(const std::filesystem::path& path);
// Numbers separated by commas or whitespace; an optional header line; '#' comments.
Table read_csv(const std::filesystem::path& path);
// By extension: .npy, .csv, .txt.
Table read_table(const std::filesystem::path& path);

}  // namespace psst::io
