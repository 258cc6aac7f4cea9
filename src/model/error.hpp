#pragma once
// Errors psst reports to its users. A UserError is something the user can fix
// (a model file, a command-line value, an input table); it names where, what was
// found and what is valid. An InternalError is a bug in psst itself.
#include <stdexcept>
#include <string>

namespace psst {

struct SourceLocation {
  std::string file;  // model file, or "<api>" for models built in C++
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown

  std::string str() const {
    std::string s = file.empty() ? std::string("<model>") : file;
    if (line > 0) s.append(1, ':').append(std::to_string(line));
    if (column > 0) s.append(1, ':').append(std::to_string(column));
    return s;
  }
};

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& message) : std::runtime_error(message) {}
  UserError(const SourceLocation& where, const std::string& message)
      : std::runtime_error(where.str() + ": error: " + message), where_(where) {}
  const SourceLocation& where() const { return where_; }

 private:
  SourceLocation where_;
};

// Reading or writing a file failed (HDF5, .npy, .csv, permissions, full disk).
class IoError : public UserError {
 public:
  using UserError::UserError;
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error("psst internal error: " + message) {}
};

}  // namespace psst
