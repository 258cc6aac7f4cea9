#pragma once
// AppendableSeries: streaming, chunked output of rows into one HDF5 dataset
// whose first dimension grows without bound. Rows are copied into a buffer of
// chunk_rows rows; a full buffer is written as one block (H5Dset_extent +
// hyperslab write). Memory use is O(chunk_rows * columns) however many rows are
// appended. Obtain one with Hdf5File::create_series or Hdf5File::open_series.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace psst::io {

// Element type of a dataset: stored as H5T_IEEE_F64LE or H5T_STD_I64LE.
enum class DataType { Float64, Int64 };

namespace detail {
struct SeriesState;
}

class AppendableSeries {
 public:
  AppendableSeries(const AppendableSeries&) = delete;
  AppendableSeries& operator=(const AppendableSeries&) = delete;
  AppendableSeries(AppendableSeries&&) noexcept;
  AppendableSeries& operator=(AppendableSeries&&) noexcept;
  // Flushes best-effort; never throws. Call flush() first to see errors.
  ~AppendableSeries();

  // One row of row_width() values (columns(), or 1 for a 1-D series). The
  // element type must match type(); a mismatch is an InternalError.
  void append_row(std::span<const double> row);
  void append_row(std::span<const std::int64_t> row);
  // Several rows at once, row-major: values.size() must be a multiple of
  // row_width(). For a 1-D series each value is one row.
  void append(std::span<const double> values);
  void append(std::span<const std::int64_t> values);
  // One value as one row of a 1-D series (or a series with one column).
  void append_value(double value) { append_row(std::span<const double>(&value, 1)); }
  void append_value(std::int64_t value) { append_row(std::span<const std::int64_t>(&value, 1)); }

  // Writes the buffered rows and calls H5Fflush: afterwards the file on disk
  // holds every row appended so far. Throws IoError on failure.
  void flush();

  // Rows appended, counting rows still in the buffer (and, for a reopened
  // series, the rows the dataset already had).
  std::size_t rows_written() const;
  // Rows currently in the buffer, not yet written to the file.
  std::size_t rows_buffered() const;
  std::size_t columns() const;    // 0 for a 1-D dataset
  std::size_t row_width() const;  // max(columns(), 1)
  std::size_t chunk_rows() const;
  DataType type() const;
  const std::string& dataset_path() const;

 private:
  friend class Hdf5File;
  explicit AppendableSeries(std::shared_ptr<detail::SeriesState> state) noexcept;
  detail::SeriesState& state() const;

  std::shared_ptr<detail::SeriesState> state_;
};

}  // namespace psst::io
