// AppendableSeries: buffered, chunk-at-a-time appends to an extensible dataset.
#include "io/hdf5_series.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>

#include "io/hdf5_file.hpp"
#include "io/hdf5_state.hpp"
#include "model/error.hpp"

namespace psst::io {
namespace detail {

SeriesState::SeriesState(std::shared_ptr<FileState> f, std::string dataset_path, Handle d, DataType t,
                         std::size_t cols, std::size_t chunk, std::size_t existing_rows)
    : file(std::move(f)),
      path(std::move(dataset_path)),
      dataset(std::move(d)),
      type(t),
      columns(cols),
      width(std::max<std::size_t>(cols, 1)),
      chunk_rows(chunk),
      rows_on_disk(existing_rows) {
  if (type == DataType::Float64) {
    f64.reserve(chunk_rows * width);
  } else {
    i64.reserve(chunk_rows * width);
  }
}

SeriesState::~SeriesState() {
  try {
    write_buffer();
    ErrorPrintingOff quiet;
    (void)H5Fflush(dataset.get(), H5F_SCOPE_LOCAL);
  } catch (...) {
    // Best effort only: a destructor must not throw. flush() reports errors.
  }
}

std::size_t SeriesState::buffered_rows() const {
  return (type == DataType::Float64 ? f64.size() : i64.size()) / width;
}

void SeriesState::write_buffer() {
  const std::size_t n = buffered_rows();
  if (n == 0) return;
  const Where w = file->where("dataset", path);
  const int rank = columns == 0 ? 1 : blocks > 0 ? 3 : 2;
  const auto inner = static_cast<hsize_t>(blocks > 0 ? columns / blocks : columns);
  const std::array<hsize_t, 3> new_dims{static_cast<hsize_t>(rows_on_disk + n),
                                        blocks > 0 ? static_cast<hsize_t>(blocks) : inner, inner};
  PSST_H5(H5Dset_extent, w, dataset.get(), new_dims.data());
  const Handle file_space{PSST_H5(H5Dget_space, w, dataset.get())};
  const std::array<hsize_t, 3> start{static_cast<hsize_t>(rows_on_disk), 0, 0};
  const std::array<hsize_t, 3> count{static_cast<hsize_t>(n), new_dims[1], inner};
  PSST_H5(H5Sselect_hyperslab, w, file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  const Handle mem_space{PSST_H5(H5Screate_simple, w, rank, count.data(), nullptr)};
  const void* data = type == DataType::Float64 ? static_cast<const void*>(f64.data()) : i64.data();
  PSST_H5(H5Dwrite, w, dataset.get(), memory_type(type), mem_space.get(), file_space.get(), H5P_DEFAULT, data);
  rows_on_disk += n;
  f64.clear();  // keeps the capacity: no reallocation on the next chunk
  i64.clear();
}

template <typename T>
void SeriesState::append_values(const T* data, std::size_t count) {
  constexpr DataType wanted = std::is_same_v<T, double> ? DataType::Float64 : DataType::Int64;
  if (type != wanted) {
    throw InternalError("appending " + std::string(wanted == DataType::Float64 ? "float64" : "int64") +
                        " values to the " + (type == DataType::Float64 ? "float64" : "int64") + " series '" +
                        path + "' in '" + file->path + "'");
  }
  if (count % width != 0) {
    throw InternalError("appending " + std::to_string(count) + " values to series '" + path + "' with " +
                        std::to_string(width) + " values per row");
  }
  std::vector<T>& buffer = [this]() -> std::vector<T>& {
    if constexpr (std::is_same_v<T, double>) {
      return f64;
    } else {
      return i64;
    }
  }();
  const std::size_t capacity = chunk_rows * width;
  while (count > 0) {
    const std::size_t n = std::min(count, capacity - buffer.size());
    buffer.insert(buffer.end(), data, data + n);
    data += n;
    count -= n;
    if (buffer.size() == capacity) write_buffer();
  }
}

template void SeriesState::append_values<double>(const double*, std::size_t);
template void SeriesState::append_values<std::int64_t>(const std::int64_t*, std::size_t);

}  // namespace detail

AppendableSeries::AppendableSeries(std::shared_ptr<detail::SeriesState> state) noexcept : state_(std::move(state)) {}
AppendableSeries::AppendableSeries(AppendableSeries&&) noexcept = default;
AppendableSeries& AppendableSeries::operator=(AppendableSeries&&) noexcept = default;
AppendableSeries::~AppendableSeries() = default;  // SeriesState's destructor flushes

detail::SeriesState& AppendableSeries::state() const {
  if (!state_) throw InternalError("use of a moved-from AppendableSeries");
  return *state_;
}

void AppendableSeries::append_row(std::span<const double> row) {
  auto& s = state();
  if (row.size() != s.width) {
    throw InternalError("row of " + std::to_string(row.size()) + " values for series '" + s.path + "' with " +
                        std::to_string(s.width) + " columns");
  }
  s.append_values(row.data(), row.size());
}

void AppendableSeries::append_row(std::span<const std::int64_t> row) {
  auto& s = state();
  if (row.size() != s.width) {
    throw InternalError("row of " + std::to_string(row.size()) + " values for series '" + s.path + "' with " +
                        std::to_string(s.width) + " columns");
  }
  s.append_values(row.data(), row.size());
}

void AppendableSeries::append(std::span<const double> values) { state().append_values(values.data(), values.size()); }

void AppendableSeries::append(std::span<const std::int64_t> values) {
  state().append_values(values.data(), values.size());
}

void AppendableSeries::flush() {
  auto& s = state();
  s.write_buffer();
  PSST_H5(H5Fflush, s.file->where("dataset", s.path), s.dataset.get(), H5F_SCOPE_LOCAL);
}

std::size_t AppendableSeries::rows_written() const { return state().rows_on_disk + state().buffered_rows(); }
std::size_t AppendableSeries::rows_buffered() const { return state().buffered_rows(); }
std::size_t AppendableSeries::columns() const { return state().columns; }
std::size_t AppendableSeries::row_width() const { return state().width; }
std::size_t AppendableSeries::chunk_rows() const { return state().chunk_rows; }
DataType AppendableSeries::type() const { return state().type; }
const std::string& AppendableSeries::dataset_path() const { return state().path; }

// ---- Hdf5File members that make series ----

namespace {

void check_chunk_rows(const detail::FileState& f, const std::string& p, std::size_t chunk_rows, std::size_t width) {
  if (chunk_rows == 0) throw IoError("series '" + p + "' in '" + f.path + "': chunk_rows must be at least 1");
  constexpr std::size_t max_chunk_bytes = (std::size_t{1} << 32) - 1;  // HDF5's limit on one chunk
  if (chunk_rows > max_chunk_bytes / (8 * width)) {
    throw IoError("series '" + p + "' in '" + f.path + "': a chunk of " + std::to_string(chunk_rows) + " rows x " +
                  std::to_string(width) + " values exceeds HDF5's 4 GiB chunk limit");
  }
}

void check_no_live_series(detail::FileState& f, const std::string& p, std::string_view action) {
  if (f.live_series(p)) {
    throw InternalError(std::string(action) + " '" + p + "' in '" + f.path + "' while a series is appending to it");
  }
}

}  // namespace

AppendableSeries Hdf5File::create_series(std::string_view dataset_path, DataType type, std::size_t columns,
                                         std::size_t chunk_rows, std::size_t blocks) {
  auto& f = state();
  const std::string p = detail::normalise_path(dataset_path);
  const detail::Where w = f.where("dataset", p);
  const std::size_t width = std::max<std::size_t>(columns, 1);
  check_chunk_rows(f, p, chunk_rows, width);
  f.require_writable("create series", p);
  if (f.exists(p)) throw IoError("cannot create series '" + p + "' in '" + f.path + "': it already exists");
  f.ensure_group(detail::parent_path(p));

  if (blocks > 0 && (columns == 0 || columns % blocks != 0))
    throw InternalError("create_series '" + p + "': " + std::to_string(blocks) + " blocks do not divide " +
                        std::to_string(columns) + " columns");
  const int rank = columns == 0 ? 1 : blocks > 0 ? 3 : 2;
  const auto inner = static_cast<hsize_t>(blocks > 0 ? columns / blocks : columns);
  const auto second = blocks > 0 ? static_cast<hsize_t>(blocks) : inner;
  const std::array<hsize_t, 3> dims{0, second, inner};
  const std::array<hsize_t, 3> max_dims{H5S_UNLIMITED, second, inner};
  const std::array<hsize_t, 3> chunk{static_cast<hsize_t>(chunk_rows), second, inner};
  const Handle space{PSST_H5(H5Screate_simple, w, rank, dims.data(), max_dims.data())};
  const Handle dcpl{PSST_H5(H5Pcreate, w, H5P_DATASET_CREATE)};
  PSST_H5(H5Pset_chunk, w, dcpl.get(), rank, chunk.data());
  PSST_H5(H5Pset_obj_track_times, w, dcpl.get(), false);
  const Handle lcpl = detail::link_create_plist(f);
  Handle dataset{PSST_H5(H5Dcreate2, w, f.file.get(), p.c_str(), detail::file_type(type), space.get(), lcpl.get(),
                         dcpl.get(), H5P_DEFAULT)};
  auto s = std::make_shared<detail::SeriesState>(state_, p, std::move(dataset), type, columns, chunk_rows, 0);
  s->blocks = blocks;
  f.add_series(s);
  return AppendableSeries(std::move(s));
}

AppendableSeries Hdf5File::open_series(std::string_view dataset_path, std::size_t chunk_rows) {
  auto& f = state();
  const std::string p = detail::normalise_path(dataset_path);
  const detail::Where w = f.where("dataset", p);
  f.require_writable("append to series", p);
  check_no_live_series(f, p, "opening series");
  Handle dataset = f.open_dataset(p);

  const Handle type{PSST_H5(H5Dget_type, w, dataset.get())};
  const H5T_class_t cls = PSST_H5(H5Tget_class, w, type.get());
  const std::size_t size = H5Tget_size(type.get());
  DataType data_type = DataType::Float64;
  if (cls == H5T_INTEGER && size == 8 && PSST_H5(H5Tget_sign, w, type.get()) == H5T_SGN_2) {
    data_type = DataType::Int64;
  } else if (cls != H5T_FLOAT || size != 8) {
    throw IoError("cannot append to '" + p + "' in '" + f.path + "': it holds neither float64 nor int64 values");
  }
  std::vector<hsize_t> max_dims;
  const auto dims = detail::dataset_dims(f, p, dataset.get(), &max_dims);
  if (dims.empty() || dims.size() > 3 || max_dims[0] != H5S_UNLIMITED) {
    throw IoError("cannot append to '" + p + "' in '" + f.path + "': it is not an extensible series");
  }
  std::size_t columns = 0;
  for (std::size_t d = 1; d < dims.size(); ++d) columns = std::max<std::size_t>(columns, 1) * dims[d];
  check_chunk_rows(f, p, chunk_rows, std::max<std::size_t>(columns, 1));
  auto s = std::make_shared<detail::SeriesState>(state_, p, std::move(dataset), data_type, columns, chunk_rows,
                                                 static_cast<std::size_t>(dims[0]));
  if (dims.size() == 3) s->blocks = static_cast<std::size_t>(dims[1]);
  f.add_series(s);
  return AppendableSeries(std::move(s));
}

void Hdf5File::truncate_series(std::string_view dataset_path, std::size_t rows) {
  auto& f = state();
  const std::string p = detail::normalise_path(dataset_path);
  const detail::Where w = f.where("dataset", p);
  f.require_writable("truncate series", p);
  check_no_live_series(f, p, "truncating series");
  const Handle dataset = f.open_dataset(p);
  std::vector<hsize_t> max_dims;
  auto dims = detail::dataset_dims(f, p, dataset.get(), &max_dims);
  if (dims.empty() || max_dims[0] != H5S_UNLIMITED) {
    throw IoError("cannot truncate '" + p + "' in '" + f.path + "': it is not an extensible series");
  }
  if (rows > dims[0]) {
    throw IoError("cannot truncate series '" + p + "' in '" + f.path + "' to " + std::to_string(rows) +
                  " rows: it has only " + std::to_string(dims[0]));
  }
  dims[0] = static_cast<hsize_t>(rows);
  PSST_H5(H5Dset_extent, w, dataset.get(), dims.data());
}

}  // namespace psst::io
