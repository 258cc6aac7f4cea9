#pragma once
// Hdf5File: a thin RAII wrapper over one HDF5 file (HDF5 C API).
//
// Every HDF5 call is checked; a failure throws psst::IoError naming the HDF5
// call, the file, the object and the psst source line, e.g.
//   HDF5 H5Dwrite failed on 'out.h5' (dataset /time) at src/io/hdf5_file.cpp:120: <reason>
// HDF5's own error printing is switched off around each call.
//
// Object paths are HDF5 paths inside the file ("/populations/PN/spikes"; a
// missing leading '/' is added). Groups are created on demand. Datasets are
// stored as H5T_IEEE_F64LE (float64) or H5T_STD_I64LE (int64) and strings as
// variable-length UTF-8, so h5py reads them as float64/int64 arrays and str.
//
// Not thread-safe (serial HDF5): use one file from one thread at a time.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/hdf5_handle.hpp"
#include "io/hdf5_series.hpp"
#include "model/error.hpp"

namespace psst::io {

namespace detail {
struct FileState;
}

// A 2-D dataset read back whole, row-major.
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;
  double at(std::size_t r, std::size_t c) const { return values.at(r * cols + c); }
};

class Hdf5File {
 public:
  // Creates `path`. If it exists and !overwrite, throws IoError("output file
  // 'X' exists; pass --overwrite to replace it"); an uncreatable path throws
  // IoError naming it and the OS reason.
  static Hdf5File create(const std::filesystem::path& path, bool overwrite);
  static Hdf5File open_read_write(const std::filesystem::path& path);
  static Hdf5File open_read_only(const std::filesystem::path& path);

  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;
  Hdf5File(Hdf5File&&) noexcept;
  Hdf5File& operator=(Hdf5File&&) noexcept;
  // Releases this object's hold on the file; the file is closed once no
  // AppendableSeries made from it is alive either. Never throws.
  ~Hdf5File();

  const std::string& path() const;
  bool read_only() const;

  // ---- groups and objects ----
  // Creates the group and any missing parents; no-op if it exists.
  void create_group(std::string_view group_path);
  // True if a group or dataset exists at `object_path` ("/" always exists).
  bool exists(std::string_view object_path) const;
  // Dimensions of a dataset, e.g. {rows, cols}.
  std::vector<std::size_t> shape(std::string_view dataset_path) const;

  // ---- attributes (on a group, created on demand, or on a dataset) ----
  // Setting an attribute that exists replaces it.
  void set_attribute(std::string_view object_path, std::string_view name, double value);
  void set_attribute(std::string_view object_path, std::string_view name, std::int64_t value);
  // Other integer types (int, std::size_t, ...) are stored as int64.
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t>)
  void set_attribute(std::string_view object_path, std::string_view name, T value) {
    if (!std::in_range<std::int64_t>(value)) {
      throw IoError("attribute '" + std::string(name) + "' value " + std::to_string(value) + " does not fit in int64");
    }
    set_attribute(object_path, name, static_cast<std::int64_t>(value));
  }
  void set_attribute(std::string_view object_path, std::string_view name, std::string_view value);
  void set_attribute(std::string_view object_path, std::string_view name, const char* value) {
    set_attribute(object_path, name, std::string_view(value));
  }
  bool has_attribute(std::string_view object_path, std::string_view name) const;
  double get_attribute_double(std::string_view object_path, std::string_view name) const;  // float or integer
  std::int64_t get_attribute_int64(std::string_view object_path, std::string_view name) const;  // integer only
  std::string get_attribute_string(std::string_view object_path, std::string_view name) const;  // vlen or fixed

  // ---- whole datasets (an existing dataset at the path is replaced) ----
  void write_vector(std::string_view dataset_path, std::span<const double> values);
  void write_vector(std::string_view dataset_path, std::span<const std::int64_t> values);
  // values is row-major, rows * cols long.
  void write_matrix(std::string_view dataset_path, std::size_t rows, std::size_t cols,
                    std::span<const double> values);

  // Readers see what has been written to the file: rows still buffered in a
  // live AppendableSeries are not visible until it (or this file) is flushed.
  std::vector<double> read_vector_double(std::string_view dataset_path) const;       // 1-D, float or integer
  std::vector<std::int64_t> read_vector_int64(std::string_view dataset_path) const;  // 1-D, integer
  // 2-D dataset; a 1-D dataset of n values reads as n rows x 1 column, a 3-D one (n, a, b) as n rows of a b.
  Matrix read_matrix_double(std::string_view dataset_path) const;

  // ---- streaming series ----
  // New extensible dataset: columns == 0 gives shape (n,), else (n, columns);
  // chunked (chunk_rows[, columns]), unlimited first dimension, uncompressed.
  // Throws IoError if the dataset exists.
  // blocks > 0 (dividing columns) gives shape (n, blocks, columns / blocks): each row appended is one
  // (blocks, columns / blocks) slab, in row-major order.
  AppendableSeries create_series(std::string_view dataset_path, DataType type, std::size_t columns,
                                 std::size_t chunk_rows, std::size_t blocks = 0);
  // Reopens an extensible dataset made by create_series to append after its
  // last row (type and columns are taken from the dataset).
  AppendableSeries open_series(std::string_view dataset_path, std::size_t chunk_rows);
  // Sets the first dimension of an extensible dataset to `rows` (<= current
  // rows). Not allowed while an AppendableSeries is open on that dataset.
  void truncate_series(std::string_view dataset_path, std::size_t rows);

  // Writes the buffers of live series on this file, then H5Fflush.
  void flush();
  // flush(), then releases this object's hold on the file (closing it with a
  // checked H5Fclose if no series keeps it open). Reports errors, unlike the
  // destructor. The object must not be used afterwards, except to destroy it.
  void close();

 private:
  explicit Hdf5File(std::shared_ptr<detail::FileState> state) noexcept;
  detail::FileState& state() const;

  std::shared_ptr<detail::FileState> state_;
};

}  // namespace psst::io
