// Hdf5File: creating and opening files, groups, flushing, closing.
#include "io/hdf5_file.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include "io/hdf5_state.hpp"
#include "model/error.hpp"

namespace psst::io {
namespace fs = std::filesystem;

namespace detail {

std::string normalise_path(std::string_view path) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const std::size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    if (i > start) {
      out += '/';
      out += path.substr(start, i - start);
    }
  }
  return out.empty() ? "/" : out;
}

std::string parent_path(const std::string& normalised) {
  const auto pos = normalised.rfind('/');
  return pos == 0 || pos == std::string::npos ? "/" : normalised.substr(0, pos);
}

hid_t file_type(DataType t) { return t == DataType::Float64 ? H5T_IEEE_F64LE : H5T_STD_I64LE; }
hid_t memory_type(DataType t) { return t == DataType::Float64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64; }

Handle link_create_plist(const FileState& f) {
  Handle lcpl{PSST_H5(H5Pcreate, f.where(), H5P_LINK_CREATE)};
  PSST_H5(H5Pset_char_encoding, f.where(), lcpl.get(), H5T_CSET_UTF8);
  return lcpl;
}

Handle group_create_plist(const FileState& f) {
  Handle gcpl{PSST_H5(H5Pcreate, f.where(), H5P_GROUP_CREATE)};
  PSST_H5(H5Pset_obj_track_times, f.where(), gcpl.get(), false);
  return gcpl;
}

std::vector<hsize_t> dataset_dims(const FileState& f, const std::string& path, hid_t dataset,
                                  std::vector<hsize_t>* max) {
  const Where w = f.where("dataset", path);
  const Handle space{PSST_H5(H5Dget_space, w, dataset)};
  const int rank = PSST_H5(H5Sget_simple_extent_ndims, w, space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  std::vector<hsize_t> maxdims(static_cast<std::size_t>(rank));
  PSST_H5(H5Sget_simple_extent_dims, w, space.get(), dims.data(), maxdims.data());
  if (max != nullptr) *max = std::move(maxdims);
  return dims;
}

bool FileState::is_group(const std::string& object_path) const {
  const Handle obj{PSST_H5(H5Oopen, where("object", object_path), file.get(), object_path.c_str(), H5P_DEFAULT)};
  return H5Iget_type(obj.get()) == H5I_GROUP;
}

bool FileState::exists(const std::string& object_path) const {
  if (object_path == "/") return true;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = object_path.find('/', pos + 1);
    const std::string prefix = object_path.substr(0, pos);
    if (PSST_H5(H5Lexists, where("object", prefix), file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos != std::string::npos && !is_group(prefix)) return false;
  }
  return PSST_H5(H5Oexists_by_name, where("object", object_path), file.get(), object_path.c_str(), H5P_DEFAULT) > 0;
}

void FileState::ensure_group(const std::string& group_path) {
  if (group_path == "/") return;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = group_path.find('/', pos + 1);
    const std::string prefix = group_path.substr(0, pos);
    const Where w = where("group", prefix);
    if (PSST_H5(H5Lexists, w, file.get(), prefix.c_str(), H5P_DEFAULT) > 0) {
      if (!is_group(prefix)) {
        throw IoError("cannot create group '" + group_path + "' in '" + path + "': '" + prefix + "' is not a group");
      }
      continue;
    }
    require_writable("create group", prefix);
    const Handle lcpl = link_create_plist(*this);
    const Handle gcpl = group_create_plist(*this);
    const Handle g{PSST_H5(H5Gcreate2, w, file.get(), prefix.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT)};
  }
}

Handle FileState::open_dataset(const std::string& dataset_path) const {
  if (!exists(dataset_path)) throw IoError("no dataset '" + dataset_path + "' in '" + path + "'");
  return Handle{PSST_H5(H5Dopen2, where("dataset", dataset_path), file.get(), dataset_path.c_str(), H5P_DEFAULT)};
}

void FileState::require_writable(std::string_view action, const std::string& object_path) const {
  if (read_only) {
    throw IoError("cannot " + std::string(action) + " '" + object_path + "': '" + path + "' is open read-only");
  }
}

std::shared_ptr<SeriesState> FileState::live_series(const std::string& dataset_path) {
  for (const auto& weak : series) {
    if (auto s = weak.lock(); s && s->path == dataset_path) return s;
  }
  return nullptr;
}

void FileState::add_series(const std::shared_ptr<SeriesState>& s) {
  std::erase_if(series, [](const std::weak_ptr<SeriesState>& w) { return w.expired(); });
  series.push_back(s);
}

void FileState::flush_all_series() {
  for (const auto& weak : series) {
    if (auto s = weak.lock()) s->write_buffer();
  }
}

}  // namespace detail

namespace {

std::string os_reason(int err) { return std::generic_category().message(err); }

// Opens and closes `path` with std::fopen so that a path the OS refuses is
// reported with the OS's reason rather than HDF5's.
void probe_with_os(const std::string& path, const char* mode, std::string_view what) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (f == nullptr) {
    const int err = errno != 0 ? errno : EIO;
    throw IoError("cannot " + std::string(what) + " '" + path + "': " + os_reason(err));
  }
  std::fclose(f);
}

}  // namespace

Hdf5File::Hdf5File(std::shared_ptr<detail::FileState> state) noexcept : state_(std::move(state)) {}
Hdf5File::Hdf5File(Hdf5File&&) noexcept = default;
Hdf5File& Hdf5File::operator=(Hdf5File&&) noexcept = default;
Hdf5File::~Hdf5File() = default;

Hdf5File Hdf5File::create(const fs::path& path, bool overwrite) {
  const std::string p = path.string();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  const bool existed = fs::exists(status);
  if (existed && fs::is_directory(status)) {
    throw IoError("cannot create output file '" + p + "': " + os_reason(EISDIR));
  }
  if (existed && !overwrite) throw IoError("output file '" + p + "' exists; pass --overwrite to replace it");
  probe_with_os(p, "ab", "create output file");  // creates it (empty) if missing

  auto state = std::make_shared<detail::FileState>();
  state->path = p;
  try {
    state->file = Handle{PSST_H5(H5Fcreate, state->where(), p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)};
  } catch (...) {
    if (!existed) fs::remove(path, ec);
    throw;
  }
  return Hdf5File(std::move(state));
}

namespace {

std::shared_ptr<detail::FileState> open_existing(const fs::path& path, bool read_only) {
  const std::string p = path.string();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) throw IoError("cannot open '" + p + "': " + os_reason(ENOENT));
  if (fs::is_directory(status)) throw IoError("cannot open '" + p + "': " + os_reason(EISDIR));
  probe_with_os(p, read_only ? "rb" : "r+b", "open");

  auto state = std::make_shared<detail::FileState>();
  state->path = p;
  state->read_only = read_only;
  if (PSST_H5(H5Fis_hdf5, state->where(), p.c_str()) == 0) throw IoError("'" + p + "' is not an HDF5 file");
  state->file = Handle{
      PSST_H5(H5Fopen, state->where(), p.c_str(), read_only ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT)};
  return state;
}

}  // namespace

Hdf5File Hdf5File::open_read_write(const fs::path& path) { return Hdf5File(open_existing(path, false)); }
Hdf5File Hdf5File::open_read_only(const fs::path& path) { return Hdf5File(open_existing(path, true)); }

detail::FileState& Hdf5File::state() const {
  if (!state_) throw InternalError("use of a closed or moved-from Hdf5File");
  return *state_;
}

const std::string& Hdf5File::path() const { return state().path; }
bool Hdf5File::read_only() const { return state().read_only; }

void Hdf5File::create_group(std::string_view group_path) { state().ensure_group(detail::normalise_path(group_path)); }

bool Hdf5File::exists(std::string_view object_path) const {
  return state().exists(detail::normalise_path(object_path));
}

std::vector<std::size_t> Hdf5File::shape(std::string_view dataset_path) const {
  const std::string p = detail::normalise_path(dataset_path);
  const Handle d = state().open_dataset(p);
  const auto dims = detail::dataset_dims(state(), p, d.get());
  return {dims.begin(), dims.end()};
}

void Hdf5File::flush() {
  auto& s = state();
  if (s.read_only) return;
  s.flush_all_series();
  PSST_H5(H5Fflush, s.where(), s.file.get(), H5F_SCOPE_LOCAL);
}

void Hdf5File::close() {
  if (!state_) return;
  flush();
  auto s = std::move(state_);
  if (s.use_count() == 1) {
    const hid_t id = s->file.release();
    PSST_H5(H5Fclose, s->where(), id);
  }
}

}  // namespace psst::io
