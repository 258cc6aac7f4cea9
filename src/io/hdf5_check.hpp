#pragma once
// Internal to src/io: the single checked path every HDF5 C call goes through.
//
//   hid_t d = PSST_H5(H5Dopen2, where, file_id, "/time", H5P_DEFAULT);
//
// runs the call with HDF5's automatic error printing switched off for just
// that call (the previous setting is restored afterwards, so nothing global is
// left changed) and, when the call returns a negative status, throws
// psst::IoError such as
//   HDF5 H5Dopen2 failed on 'out.h5' (dataset /time) at src/io/hdf5_file.cpp:120: <HDF5's reason>
#include <hdf5.h>

#include <string>
#include <string_view>
#include <type_traits>

#include "io/hdf5_handle.hpp"

namespace psst::io::detail {

static_assert(std::is_same_v<hid_t, Handle::id_type>, "Handle::id_type must be hid_t");

// What an HDF5 call was working on, for error messages. The views must outlive
// the call (they normally point at strings owned by the caller).
struct Where {
  std::string_view file;    // path of the HDF5 file
  std::string_view kind;    // "dataset", "group", "attribute", ... or empty
  std::string_view object;  // path inside the file, or empty
};

// Switches HDF5's automatic error-stack printing off for the current thread
// while alive, and restores whatever was configured before.
class ErrorPrintingOff {
 public:
  ErrorPrintingOff() noexcept;
  ~ErrorPrintingOff();
  ErrorPrintingOff(const ErrorPrintingOff&) = delete;
  ErrorPrintingOff& operator=(const ErrorPrintingOff&) = delete;

 private:
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
  bool saved_ = false;
};

// Builds the message described above, reading HDF5's current error stack for
// the most specific reason it recorded.
// Where in psst's source a checked call is made (std::source_location needs clang >= 15 with libstdc++).
struct CallSite {
  const char* file;
  int line;
};

std::string hdf5_failure_message(std::string_view call, const Where& where, const CallSite& loc);

[[noreturn]] void throw_hdf5_failure(std::string_view call, const Where& where, const CallSite& loc);

template <typename Fn>
auto checked_call(std::string_view call, const Where& where, const CallSite& loc, Fn&& fn) {
  ErrorPrintingOff quiet;
  auto result = fn();
  static_assert(!std::is_unsigned_v<decltype(result)>, "PSST_H5 needs a call that signals failure by a negative value");
  if (result < 0) throw_hdf5_failure(call, where, loc);
  return result;
}

}  // namespace psst::io::detail

// PSST_H5(H5Xfunc, where, args...): call H5Xfunc(args...) checked; see above.
#define PSST_H5(fn, where, ...)                                                                      \
  ::psst::io::detail::checked_call(#fn, (where), ::psst::io::detail::CallSite{__FILE__, __LINE__}, \
                                   [&]() { return fn(__VA_ARGS__); })
