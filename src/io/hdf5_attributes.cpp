// Hdf5File: scalar attributes (float64, int64, UTF-8 string) on groups and datasets.
#include <string>

#include "io/hdf5_file.hpp"
#include "io/hdf5_state.hpp"
#include "model/error.hpp"

namespace psst::io {
namespace {

std::string describe(const detail::FileState& f, const std::string& object, std::string_view name) {
  return "attribute '" + std::string(name) + "' of '" + object + "' in '" + f.path + "'";
}

// Replaces attribute `name` of `object` (created as a group if missing) with a
// scalar of `file_type`, written from `data` in `mem_type`.
void write_scalar_attribute(detail::FileState& f, std::string_view object_path, std::string_view name,
                            hid_t file_type, hid_t mem_type, const void* data) {
  const std::string obj_path = detail::normalise_path(object_path);
  const std::string attr_name(name);
  f.require_writable("set an attribute on", obj_path);
  if (!f.exists(obj_path)) f.ensure_group(obj_path);
  const detail::Where w = f.where("attribute", obj_path + "@" + attr_name);
  const Handle obj{PSST_H5(H5Oopen, w, f.file.get(), obj_path.c_str(), H5P_DEFAULT)};
  if (PSST_H5(H5Aexists, w, obj.get(), attr_name.c_str()) > 0) PSST_H5(H5Adelete, w, obj.get(), attr_name.c_str());
  const Handle space{PSST_H5(H5Screate, w, H5S_SCALAR)};
  const Handle acpl{PSST_H5(H5Pcreate, w, H5P_ATTRIBUTE_CREATE)};
  PSST_H5(H5Pset_char_encoding, w, acpl.get(), H5T_CSET_UTF8);
  const Handle attr{PSST_H5(H5Acreate2, w, obj.get(), attr_name.c_str(), file_type, space.get(), acpl.get(),
                            H5P_DEFAULT)};
  PSST_H5(H5Awrite, w, attr.get(), mem_type, data);
}

// An open attribute holding exactly one value, with its type class.
struct OpenAttribute {
  Handle attr;
  Handle type;
  H5T_class_t type_class = H5T_NO_CLASS;
};

OpenAttribute open_scalar_attribute(const detail::FileState& f, const std::string& obj_path, std::string_view name,
                                    const detail::Where& w) {
  const std::string attr_name(name);
  if (!f.exists(obj_path) ||
      PSST_H5(H5Aexists_by_name, w, f.file.get(), obj_path.c_str(), attr_name.c_str(), H5P_DEFAULT) <= 0) {
    throw IoError(describe(f, obj_path, name) + " does not exist");
  }
  OpenAttribute a;
  a.attr = Handle{PSST_H5(H5Aopen_by_name, w, f.file.get(), obj_path.c_str(), attr_name.c_str(), H5P_DEFAULT,
                          H5P_DEFAULT)};
  const Handle space{PSST_H5(H5Aget_space, w, a.attr.get())};
  if (PSST_H5(H5Sget_simple_extent_npoints, w, space.get()) != 1) {
    throw IoError(describe(f, obj_path, name) + " holds more than one value");
  }
  a.type = Handle{PSST_H5(H5Aget_type, w, a.attr.get())};
  a.type_class = PSST_H5(H5Tget_class, w, a.type.get());
  return a;
}

}  // namespace

void Hdf5File::set_attribute(std::string_view object_path, std::string_view name, double value) {
  write_scalar_attribute(state(), object_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5File::set_attribute(std::string_view object_path, std::string_view name, std::int64_t value) {
  write_scalar_attribute(state(), object_path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Hdf5File::set_attribute(std::string_view object_path, std::string_view name, std::string_view value) {
  auto& f = state();
  const detail::Where w = f.where("attribute", name);
  // Variable-length UTF-8 string: h5py reads it as str.
  const Handle type{PSST_H5(H5Tcopy, w, H5T_C_S1)};
  PSST_H5(H5Tset_size, w, type.get(), H5T_VARIABLE);
  PSST_H5(H5Tset_cset, w, type.get(), H5T_CSET_UTF8);
  const std::string text(value);  // NUL-terminated
  const char* ptr = text.c_str();
  write_scalar_attribute(f, object_path, name, type.get(), type.get(), &ptr);
}

bool Hdf5File::has_attribute(std::string_view object_path, std::string_view name) const {
  const auto& f = state();
  const std::string obj_path = detail::normalise_path(object_path);
  const std::string attr_name(name);
  if (!f.exists(obj_path)) return false;
  return PSST_H5(H5Aexists_by_name, f.where("attribute", obj_path + "@" + attr_name), f.file.get(), obj_path.c_str(),
                 attr_name.c_str(), H5P_DEFAULT) > 0;
}

double Hdf5File::get_attribute_double(std::string_view object_path, std::string_view name) const {
  const auto& f = state();
  const std::string obj_path = detail::normalise_path(object_path);
  const std::string where_name = obj_path + "@" + std::string(name);
  const detail::Where w = f.where("attribute", where_name);
  const OpenAttribute a = open_scalar_attribute(f, obj_path, name, w);
  if (a.type_class != H5T_FLOAT && a.type_class != H5T_INTEGER) {
    throw IoError(describe(f, obj_path, name) + " is not a number");
  }
  double value = 0.0;
  PSST_H5(H5Aread, w, a.attr.get(), H5T_NATIVE_DOUBLE, &value);
  return value;
}

std::int64_t Hdf5File::get_attribute_int64(std::string_view object_path, std::string_view name) const {
  const auto& f = state();
  const std::string obj_path = detail::normalise_path(object_path);
  const std::string where_name = obj_path + "@" + std::string(name);
  const detail::Where w = f.where("attribute", where_name);
  const OpenAttribute a = open_scalar_attribute(f, obj_path, name, w);
  if (a.type_class != H5T_INTEGER) throw IoError(describe(f, obj_path, name) + " is not an integer");
  std::int64_t value = 0;
  PSST_H5(H5Aread, w, a.attr.get(), H5T_NATIVE_INT64, &value);
  return value;
}

std::string Hdf5File::get_attribute_string(std::string_view object_path, std::string_view name) const {
  const auto& f = state();
  const std::string obj_path = detail::normalise_path(object_path);
  const std::string where_name = obj_path + "@" + std::string(name);
  const detail::Where w = f.where("attribute", where_name);
  const OpenAttribute a = open_scalar_attribute(f, obj_path, name, w);
  if (a.type_class != H5T_STRING) throw IoError(describe(f, obj_path, name) + " is not a string");

  const Handle mem_type{PSST_H5(H5Tcopy, w, H5T_C_S1)};
  PSST_H5(H5Tset_cset, w, mem_type.get(), PSST_H5(H5Tget_cset, w, a.type.get()));
  if (PSST_H5(H5Tis_variable_str, w, a.type.get()) > 0) {
    PSST_H5(H5Tset_size, w, mem_type.get(), H5T_VARIABLE);
    char* ptr = nullptr;
    PSST_H5(H5Aread, w, a.attr.get(), mem_type.get(), &ptr);
    std::string out = ptr != nullptr ? std::string(ptr) : std::string();
    if (ptr != nullptr) H5free_memory(ptr);
    return out;
  }
  const std::size_t size = H5Tget_size(a.type.get());  // 0 on failure, not negative
  if (size == 0) throw IoError(describe(f, obj_path, name) + ": cannot read its string size");
  PSST_H5(H5Tset_size, w, mem_type.get(), size);
  PSST_H5(H5Tset_strpad, w, mem_type.get(), H5T_STR_NULLPAD);
  std::string out(size, '\0');
  PSST_H5(H5Aread, w, a.attr.get(), mem_type.get(), out.data());
  out.resize(out.find('\0') == std::string::npos ? out.size() : out.find('\0'));
  if (PSST_H5(H5Tget_strpad, w, a.type.get()) == H5T_STR_SPACEPAD) {
    out.erase(out.find_last_not_of(' ') + 1);
  }
  return out;
}

}  // namespace psst::io
