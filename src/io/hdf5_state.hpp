#pragma once
// Internal to src/io: state shared between an Hdf5File and the series writing
// into it. A series keeps the file open (shared_ptr<FileState>); the file knows
// its live series only weakly, to flush their buffers from Hdf5File::flush().
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/hdf5_check.hpp"
#include "io/hdf5_handle.hpp"
#include "io/hdf5_series.hpp"

namespace psst::io::detail {

struct SeriesState;

struct FileState {
  std::string path;  // as given by the user, for messages
  Handle file;
  bool read_only = false;
  std::vector<std::weak_ptr<SeriesState>> series;

  Where where(std::string_view kind = {}, std::string_view object = {}) const { return Where{path, kind, object}; }

  // Object helpers; paths must be normalised (see normalise_path).
  bool exists(const std::string& object_path) const;
  bool is_group(const std::string& object_path) const;
  void ensure_group(const std::string& group_path);  // with parents
  Handle open_dataset(const std::string& dataset_path) const;  // IoError if missing
  void require_writable(std::string_view action, const std::string& object_path) const;

  // The live series writing `dataset_path`, if any.
  std::shared_ptr<SeriesState> live_series(const std::string& dataset_path);
  void add_series(const std::shared_ptr<SeriesState>& s);
  void flush_all_series();  // writes every live series' buffer (no H5Fflush)
};

struct SeriesState {
  std::shared_ptr<FileState> file;
  std::string path;  // dataset path, normalised ("/a/b")
  Handle dataset;
  DataType type = DataType::Float64;
  std::size_t columns = 0;  // 0: 1-D dataset
  std::size_t blocks = 0;   // > 0: a 3-D dataset (n, blocks, columns / blocks)
  std::size_t width = 1;    // values per row
  std::size_t chunk_rows = 1;
  std::size_t rows_on_disk = 0;
  std::vector<double> f64;  // buffer, capacity chunk_rows * width (Float64)
  std::vector<std::int64_t> i64;  // buffer (Int64)

  SeriesState(std::shared_ptr<FileState> f, std::string dataset_path, Handle d, DataType t, std::size_t cols,
              std::size_t chunk, std::size_t existing_rows);
  SeriesState(const SeriesState&) = delete;
  SeriesState& operator=(const SeriesState&) = delete;
  ~SeriesState();  // writes the buffer best-effort, never throws

  std::size_t buffered_rows() const;
  // Extends the dataset and writes the buffered rows; empties the buffer.
  void write_buffer();
  template <typename T>
  void append_values(const T* data, std::size_t count);
};

// "a/b//c/" -> "/a/b/c"; "" and "/" -> "/".
std::string normalise_path(std::string_view path);
// "/a/b/c" -> "/a/b"; "/a" -> "/".
std::string parent_path(const std::string& normalised);

// Dimensions of a dataset (current, and maximum when `max` is given).
std::vector<hsize_t> dataset_dims(const FileState& f, const std::string& path, hid_t dataset,
                                  std::vector<hsize_t>* max = nullptr);
// Property lists for new links (UTF-8 names) and objects (no timestamps, so
// identical runs give identical files).
Handle link_create_plist(const FileState& f);
Handle group_create_plist(const FileState& f);

// HDF5 type ids for storage in the file and for memory.
hid_t file_type(DataType t);
hid_t memory_type(DataType t);

}  // namespace psst::io::detail
