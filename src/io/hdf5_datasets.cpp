// Hdf5File: writing and reading whole datasets.
#include <string>
#include <type_traits>

#include "io/hdf5_file.hpp"
#include "io/hdf5_state.hpp"
#include "model/error.hpp"

namespace psst::io {
namespace {

// (Re)creates dataset `object_path` with shape `dims` and writes `data` (in
// the memory type of `type`) into it.
void write_dataset(detail::FileState& f, std::string_view object_path, DataType type,
                   const std::vector<hsize_t>& dims, const void* data) {
  const std::string p = detail::normalise_path(object_path);
  const detail::Where w = f.where("dataset", p);
  f.require_writable("write dataset", p);
  if (f.live_series(p)) throw InternalError("writing dataset '" + p + "' while a series is appending to it");
  f.ensure_group(detail::parent_path(p));
  if (f.exists(p)) {
    if (f.is_group(p)) throw IoError("cannot write dataset '" + p + "' in '" + f.path + "': it is a group");
    PSST_H5(H5Ldelete, w, f.file.get(), p.c_str(), H5P_DEFAULT);
  }
  const Handle space{PSST_H5(H5Screate_simple, w, static_cast<int>(dims.size()), dims.data(), nullptr)};
  const Handle lcpl = detail::link_create_plist(f);
  const Handle dcpl{PSST_H5(H5Pcreate, w, H5P_DATASET_CREATE)};
  PSST_H5(H5Pset_obj_track_times, w, dcpl.get(), false);
  const Handle dataset{PSST_H5(H5Dcreate2, w, f.file.get(), p.c_str(), detail::file_type(type), space.get(),
                               lcpl.get(), dcpl.get(), H5P_DEFAULT)};
  hsize_t count = 1;
  for (const hsize_t d : dims) count *= d;
  if (count > 0) {
    PSST_H5(H5Dwrite, w, dataset.get(), detail::memory_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  }
}

struct ReadResult {
  std::vector<hsize_t> dims;
  std::size_t count = 1;
};

// Reads all of dataset `object_path` as T (double accepts float and integer
// storage, int64 only integer storage); checks its rank is in [min_rank, max_rank].
template <typename T>
std::vector<T> read_dataset(const detail::FileState& f, std::string_view object_path, int min_rank, int max_rank,
                            ReadResult& info) {
  const std::string p = detail::normalise_path(object_path);
  const detail::Where w = f.where("dataset", p);
  const Handle dataset = f.open_dataset(p);
  const Handle type{PSST_H5(H5Dget_type, w, dataset.get())};
  const H5T_class_t cls = PSST_H5(H5Tget_class, w, type.get());
  constexpr bool want_double = std::is_same_v<T, double>;
  if (cls != H5T_INTEGER && (!want_double || cls != H5T_FLOAT)) {
    throw IoError("dataset '" + p + "' in '" + f.path + "' does not hold " + (want_double ? "numbers" : "integers"));
  }
  info.dims = detail::dataset_dims(f, p, dataset.get());
  const int rank = static_cast<int>(info.dims.size());
  if (rank < min_rank || rank > max_rank) {
    throw IoError("dataset '" + p + "' in '" + f.path + "' has " + std::to_string(rank) + " dimensions, expected " +
                  (min_rank == max_rank ? std::to_string(min_rank)
                                        : std::to_string(min_rank) + " or " + std::to_string(max_rank)));
  }
  info.count = 1;
  for (const hsize_t d : info.dims) info.count *= static_cast<std::size_t>(d);
  std::vector<T> values(info.count);
  if (info.count > 0) {
    const hid_t mem_type = want_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64;
    PSST_H5(H5Dread, w, dataset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  }
  return values;
}

}  // namespace

void Hdf5File::write_vector(std::string_view dataset_path, std::span<const double> values) {
  write_dataset(state(), dataset_path, DataType::Float64, {static_cast<hsize_t>(values.size())}, values.data());
}

void Hdf5File::write_vector(std::string_view dataset_path, std::span<const std::int64_t> values) {
  write_dataset(state(), dataset_path, DataType::Int64, {static_cast<hsize_t>(values.size())}, values.data());
}

void Hdf5File::write_matrix(std::string_view dataset_path, std::size_t rows, std::size_t cols,
                            std::span<const double> values) {
  if (values.size() != rows * cols) {
    throw InternalError("write_matrix of " + std::to_string(rows) + "x" + std::to_string(cols) + " with " +
                        std::to_string(values.size()) + " values");
  }
  write_dataset(state(), dataset_path, DataType::Float64, {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)},
                values.data());
}

std::vector<double> Hdf5File::read_vector_double(std::string_view dataset_path) const {
  ReadResult info;
  return read_dataset<double>(state(), dataset_path, 1, 1, info);
}

std::vector<std::int64_t> Hdf5File::read_vector_int64(std::string_view dataset_path) const {
  ReadResult info;
  return read_dataset<std::int64_t>(state(), dataset_path, 1, 1, info);
}

Matrix Hdf5File::read_matrix_double(std::string_view dataset_path) const {
  ReadResult info;
  Matrix m;
  m.values = read_dataset<double>(state(), dataset_path, 1, 3, info);
  m.rows = static_cast<std::size_t>(info.dims[0]);
  m.cols = 1;  // a 3-D dataset (n, a, b) reads as n rows of a x b values
  for (std::size_t d = 1; d < info.dims.size(); ++d) m.cols *= static_cast<std::size_t>(info.dims[d]);
  return m;
}

}  // namespace psst::io
