#pragma once
// RAII ownership of one HDF5 identifier (hid_t). The header does not include
// <hdf5.h> so that users of psst's io headers need not see HDF5; the .cpp
// checks that Handle::id_type is hid_t.
#include <cstdint>

namespace psst::io {

class Handle {
 public:
  using id_type = std::int64_t;  // == hid_t in HDF5 >= 1.10
  static constexpr id_type invalid_id = -1;

  Handle() noexcept = default;
  // Takes ownership of `id` (a negative id means "no object").
  explicit Handle(id_type id) noexcept : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~Handle() { reset(); }

  id_type get() const noexcept { return id_; }
  explicit operator bool() const noexcept { return id_ >= 0; }
  id_type release() noexcept {
    const id_type id = id_;
    id_ = invalid_id;
    return id;
  }
  // Closes the current object (with H5Fclose, H5Gclose, H5Dclose, H5Sclose,
  // H5Tclose, H5Aclose or H5Pclose according to its type; errors are ignored:
  // use close_checked() where a failure must be reported) and takes `id`.
  void reset(id_type id = invalid_id) noexcept;

 private:
  id_type id_ = invalid_id;
};

// Closes `id` with the close function for its type. Returns the HDF5 status
// (negative on failure); never throws and never prints HDF5's error stack.
int close_hdf5_id(Handle::id_type id) noexcept;

}  // namespace psst::io
