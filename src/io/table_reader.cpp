#include "io/table_reader.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::io {

namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of `key` in the .npy header dictionary, e.g. 'descr': '<f8'.
std::string header_value(const std::string& header, const std::string& key, const std::filesystem::path& path) {
  auto at = header.find("'" + key + "'");
  if (at == std::string::npos) throw IoError(fmt::format("'{}': the .npy header has no '{}'", path.string(), key));
  auto colon = header.find(':', at);
  auto end = key == "shape" ? header.find(')', colon) + 1 : header.find_first_of(",}", colon);
  std::string value = header.substr(colon + 1, end - colon - 1);
  value.erase(0, value.find_first_not_of(" '"));
  value.erase(value.find_last_not_of(" '") + 1);
  return value;
}

template <typename T>
double load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return static_cast<double>(v);
}

}  // namespace

Table read_npy(const std::filesystem::path& path) {
  std::string data = read_all(path);
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0)
    throw IoError(fmt::format("'{}' is not a NumPy .npy file (no \\x93NUMPY magic)", path.string()));
  int major = static_cast<unsigned char>(data[6]);
  std::size_t header_length, header_start;
  if (major == 1) {
    header_length = static_cast<unsigned char>(data[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(data[9])) << 8);
    header_start = 10;
  } else if ((major == 2 || major == 3) && data.size() >= 12) {
    header_length = 0;
    for (int b = 0; b < 4; ++b) header_length |= static_cast<std::size_t>(static_cast<unsigned char>(data[8 + b])) << (8 * b);
    header_start = 12;
  } else {
    throw IoError(fmt::format("'{}': unsupported .npy version {}", path.string(), major));
  }
  if (data.size() < header_start + header_length) throw IoError(fmt::format("'{}': truncated .npy header", path.string()));
  std::string header = data.substr(header_start, header_length);
  std::string descr = header_value(header, "descr", path);
  bool fortran = header_value(header, "fortran_order", path) == "True";
  std::string shape = header_value(header, "shape", path);
  std::vector<std::size_t> dims;
  for (std::size_t i = 0; i < shape.size();) {
    if (!std::isdigit(static_cast<unsigned char>(shape[i]))) { ++i; continue; }
    std::size_t v = 0;
    auto r = std::from_chars(shape.data() + i, shape.data() + shape.size(), v);
    dims.push_back(v);
    i = static_cast<std::size_t>(r.ptr - shape.data());
  }
  if (dims.empty() || dims.size() > 2)
    throw IoError(fmt::format("'{}': a table must be 1-D or 2-D, this array has shape {}", path.string(), shape));
  Table t;
  t.rows = dims[0];
  t.cols = dims.size() == 2 ? dims[1] : 1;
  std::size_t item = 0;
  double (*convert)(const char*) = nullptr;
  if (descr == "<f8") item = 8, convert = load<double>;
  else if (descr == "<f4") item = 4, convert = load<float>;
  else if (descr == "<i8") item = 8, convert = load<std::int64_t>;
  else if (descr == "<i4") item = 4, convert = load<std::int32_t>;
  else if (descr == "|u1" || descr == "|b1") item = 1, convert = load<std::uint8_t>;
  else
    throw IoError(fmt::format("'{}': dtype '{}' is not supported; use float64 (<f8), float32 (<f4), int64 (<i8), "
                              "int32 (<i4), uint8 or bool", path.string(), descr));
  std::size_t count = t.rows * t.cols, start = header_start + header_length;
  if (data.size() < start + count * item)
    throw IoError(fmt::format("'{}': truncated: {} values of {} bytes expected, the file has {} bytes of data",
                              path.string(), count, item, data.size() - start));
  t.values.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    double v = convert(data.data() + start + k * item);
    std::size_t r = fortran ? k % t.rows : k / t.cols, c = fortran ? k / t.rows : k % t.cols;
    t.values[r * t.cols + c] = v;
  }
  return t;
}

namespace {

// A cell as a number: the whole text must parse ("+1.5", "-2e3", "nan", "inf").
bool parse_number(std::string_view text, double& v) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

Table read_csv(const std::filesystem::path& path) {
  std::istringstream in(read_all(path));
  Table t;
  std::string line;
  bool first_line = true;  // the first non-comment, non-blank line may be a header
  int first_row_line = 0;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    struct Cell {
      std::size_t column;  // 1-based character column
      std::string_view text;
    };
    std::vector<Cell> cells;
    for (std::size_t i = 0;;) {
      i = line.find_first_not_of(" \t\r,", i);
      if (i == std::string::npos) break;
      std::size_t end = line.find_first_of(" \t\r,", i);
      if (end == std::string::npos) end = line.size();
      cells.push_back({i + 1, std::string_view(line).substr(i, end - i)});
      i = end;
    }
    if (cells.empty()) continue;
    std::vector<double> row(cells.size());
    const Cell* bad = nullptr;
    for (std::size_t k = 0; k < cells.size() && bad == nullptr; ++k) {
      if (!parse_number(cells[k].text, row[k])) bad = &cells[k];
    }
    const bool header = first_line && bad != nullptr;  // a header line of names
    first_line = false;
    if (header) continue;
    if (bad != nullptr) {
      throw IoError(fmt::format("'{}' line {}, column {}: '{}' is not a number", path.string(), number, bad->column,
                                bad->text));
    }
    if (t.rows == 0) {
      t.cols = row.size();
      first_row_line = number;
    }
    if (row.size() != t.cols)
      throw IoError(fmt::format("'{}' line {}: {} values, but the first row (line {}) has {}", path.string(), number,
                                row.size(), first_row_line, t.cols));
    t.values.insert(t.values.end(), row.begin(), row.end());
    ++t.rows;
  }
  return t;
}

Table read_table(const std::filesystem::path& path) {
  auto extension = path.extension().string();
  if (extension == ".npy") return read_npy(path);
  if (extension == ".csv" || extension == ".txt") return read_csv(path);
  throw IoError(fmt::format("'{}': unknown table format '{}'; use .npy, .csv or .txt", path.string(), extension));
}

}  // namespace psst::io
