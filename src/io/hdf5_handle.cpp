// Handle closing, error-printing suppression and HDF5 failure messages.
#include "io/hdf5_handle.hpp"

#include <string>

#include "io/hdf5_check.hpp"
#include "model/error.hpp"

namespace psst::io {

int close_hdf5_id(Handle::id_type id) noexcept {
  if (id < 0) return 0;
  detail::ErrorPrintingOff quiet;
  switch (H5Iget_type(id)) {
    case H5I_FILE: return H5Fclose(id);
    case H5I_GROUP: return H5Gclose(id);
    case H5I_DATASET: return H5Dclose(id);
    case H5I_DATASPACE: return H5Sclose(id);
    case H5I_DATATYPE: return H5Tclose(id);
    case H5I_ATTR: return H5Aclose(id);
    case H5I_GENPROP_LST: return H5Pclose(id);
    default: return H5Idec_ref(id) < 0 ? -1 : 0;
  }
}

void Handle::reset(id_type id) noexcept {
  if (id_ >= 0) (void)close_hdf5_id(id_);
  id_ = id;
}

namespace detail {

ErrorPrintingOff::ErrorPrintingOff() noexcept {
  if (H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_) >= 0) {
    saved_ = true;
    (void)H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
}

ErrorPrintingOff::~ErrorPrintingOff() {
  if (saved_) (void)H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_);
}

namespace {

// "…/psst/src/io/hdf5_file.cpp" -> "src/io/hdf5_file.cpp"
std::string_view project_relative(std::string_view file) {
  const auto pos = file.rfind("src/");
  return pos == std::string_view::npos ? file : file.substr(pos);
}

// The most specific description on HDF5's error stack (the first entry when
// walking upward), e.g. "unable to open file: name = 'x.h5', errno = 2, ...".
herr_t take_innermost(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err != nullptr && err->desc != nullptr) *out = err->desc;
  return 0;
}

}  // namespace

std::string hdf5_failure_message(std::string_view call, const Where& where, const CallSite& loc) {
  std::string msg = "HDF5 ";
  msg += call;
  msg += " failed on '";
  msg += where.file;
  msg += "'";
  if (!where.object.empty()) {
    msg += " (";
    if (!where.kind.empty()) {
      msg += where.kind;
      msg += ' ';
    }
    msg += where.object;
    msg += ")";
  }
  msg += " at ";
  msg += project_relative(loc.file);
  msg += ':';
  msg += std::to_string(loc.line);
  std::string reason;
  {
    ErrorPrintingOff quiet;
    (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, &take_innermost, &reason);
  }
  if (!reason.empty()) {
    msg += ": ";
    msg += reason;
  }
  return msg;
}

void throw_hdf5_failure(std::string_view call, const Where& where, const CallSite& loc) {
  throw IoError(hdf5_failure_message(call, where, loc));
}

}  // namespace detail
}  // namespace psst::io
