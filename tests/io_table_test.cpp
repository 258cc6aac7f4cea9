// psst::io table reader: .npy (written byte by byte here) and CSV/text files.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "io/table_reader.hpp"
#include "model/error.hpp"
#include "test_support.hpp"

namespace {

using psst::io::read_csv;
using psst::io::read_npy;
using psst::io::read_table;
using psst::io::Table;

template <typename Fn>
std::string io_error_message(Fn&& fn) {
  try {
    fn();
  } catch (const psst::IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected psst::IoError";
  return {};
}

// Little-endian bytes of a value of type T.
template <typename T>
std::string le_bytes(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // the test host is little-endian (x86-64, aarch64)
  return out;
}

// A .npy file: magic, version, header length, header dict padded with spaces
// and ending in '\n' so that the data starts at a multiple of 64 bytes.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data, int major = 1,
                bool fortran = false) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  if (major == 1) {
    out += le_bytes(static_cast<std::uint16_t>(header.size()));
  } else {
    out += le_bytes(static_cast<std::uint32_t>(header.size()));
  }
  out += header;
  EXPECT_EQ(out.size() % 64, 0u);
  return out + data;
}

std::filesystem::path write_file(const psst::test::TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

template <typename T>
std::string values_bytes(const std::vector<T>& values) {
  std::string out;
  for (T v : values) out += le_bytes(v);
  return out;
}

const std::vector<double> kExpected{1, -2, 3, 0, 5, 6};  // a 2 x 3 table

void expect_2x3(const Table& t, const std::vector<double>& expected) {
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.cols, 3u);
  EXPECT_EQ(t.values, expected);
}

TEST(IoTableNpy, EachSupportedDtype) {
  psst::test::TempDir dir;
  expect_2x3(read_npy(write_file(dir, "f8.npy", npy("<f8", "(2, 3)", values_bytes<double>({1, -2, 3, 0, 5, 6})))),
             kExpected);
  expect_2x3(read_npy(write_file(dir, "f4.npy", npy("<f4", "(2, 3)", values_bytes<float>({1, -2, 3, 0, 5, 6})))),
             kExpected);
  expect_2x3(read_npy(write_file(dir, "i8.npy",
                                 npy("<i8", "(2, 3)", values_bytes<std::int64_t>({1, -2, 3, 0, 5, 6})))),
             kExpected);
  expect_2x3(read_npy(write_file(dir, "i4.npy",
                                 npy("<i4", "(2, 3)", values_bytes<std::int32_t>({1, -2, 3, 0, 5, 6})))),
             kExpected);
  expect_2x3(read_npy(write_file(dir, "u1.npy", npy("|u1", "(2, 3)", values_bytes<std::uint8_t>({1, 2, 3, 0, 5, 255})))),
             {1, 2, 3, 0, 5, 255});
  expect_2x3(read_npy(write_file(dir, "b1.npy", npy("|b1", "(2, 3)", values_bytes<std::uint8_t>({1, 0, 1, 0, 0, 1})))),
             {1, 0, 1, 0, 0, 1});
  // Exact bits survive for float64.
  const double third = 1.0 / 3.0;
  const auto t = read_npy(write_file(dir, "bits.npy", npy("<f8", "(1,)", values_bytes<double>({third}))));
  EXPECT_EQ(std::bit_cast<std::uint64_t>(t.values.at(0)), std::bit_cast<std::uint64_t>(third));
}

TEST(IoTableNpy, OneDimensionalIsAColumn) {
  psst::test::TempDir dir;
  const auto t = read_npy(write_file(dir, "v.npy", npy("<f8", "(4,)", values_bytes<double>({1, 2, 3, 4}))));
  EXPECT_EQ(t.rows, 4u);
  EXPECT_EQ(t.cols, 1u);
  EXPECT_EQ(t.at(3, 0), 4.0);
}

TEST(IoTableNpy, Versions2And3AndFortranOrder) {
  psst::test::TempDir dir;
  const auto data = values_bytes<double>({1, -2, 3, 0, 5, 6});
  expect_2x3(read_npy(write_file(dir, "v2.npy", npy("<f8", "(2, 3)", data, 2))), kExpected);
  expect_2x3(read_npy(write_file(dir, "v3.npy", npy("<f8", "(2, 3)", data, 3))), kExpected);
  // Column-major bytes of the same 2 x 3 table.
  const auto fortran = values_bytes<double>({1, 0, -2, 5, 3, 6});
  expect_2x3(read_npy(write_file(dir, "fo.npy", npy("<f8", "(2, 3)", fortran, 1, true))), kExpected);
}

TEST(IoTableNpy, UnsupportedDtypeNamesFileDtypeAndSupportedOnes) {
  psst::test::TempDir dir;
  const auto path = write_file(dir, "be.npy", npy(">f8", "(2,)", std::string(16, '\0')));
  const auto msg = io_error_message([&] { (void)read_npy(path); });
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find(">f8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("<f8"), std::string::npos) << msg;
  EXPECT_NE(msg.find("<i4"), std::string::npos) << msg;
  const auto c16 = write_file(dir, "c16.npy", npy("<c16", "(1,)", std::string(16, '\0')));
  EXPECT_NE(io_error_message([&] { (void)read_npy(c16); }).find("<c16"), std::string::npos);
}

TEST(IoTableNpy, TruncatedFilesAreErrors) {
  psst::test::TempDir dir;
  const auto full = npy("<f8", "(2, 3)", values_bytes<double>({1, 2, 3, 4, 5, 6}));
  const auto short_data = write_file(dir, "short.npy", full.substr(0, full.size() - 3));
  auto msg = io_error_message([&] { (void)read_npy(short_data); });
  EXPECT_NE(msg.find(short_data.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  const auto short_header = write_file(dir, "header.npy", full.substr(0, 30));
  msg = io_error_message([&] { (void)read_npy(short_header); });
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  const auto not_npy = write_file(dir, "x.npy", "hello");
  EXPECT_NE(io_error_message([&] { (void)read_npy(not_npy); }).find(not_npy.string()), std::string::npos);
}

TEST(IoTableCsv, HeaderCommentsAndBlankLines) {
  psst::test::TempDir dir;
  const auto path = write_file(dir, "t.csv",
                               "# recorded input\n"
                               "time, current,x\n"
                               "0.0, 1.5, -2\n"
                               "\n"
                               "# a comment between rows\n"
                               "0.1,2.5e-3,1e3\r\n");
  const auto t = read_csv(path);
  EXPECT_EQ(t.rows, 2u);
  EXPECT_EQ(t.cols, 3u);
  EXPECT_EQ(t.values, (std::vector<double>{0.0, 1.5, -2, 0.1, 2.5e-3, 1e3}));
}

TEST(IoTableCsv, HeaderDetectedByAnyNonNumericFieldOnlyOnTheFirstLine) {
  psst::test::TempDir dir;
  const auto t = read_csv(write_file(dir, "h.csv", "1,x,3\n+1.5,-2,inf\n"));
  EXPECT_EQ(t.rows, 1u);
  EXPECT_EQ(t.values.at(0), 1.5);
  EXPECT_EQ(t.values.at(2), std::numeric_limits<double>::infinity());
  const auto path = write_file(dir, "hh.csv", "a,b\nc,d\n1,2\n");
  const auto msg = io_error_message([&] { (void)read_csv(path); });
  EXPECT_NE(msg.find("line 2, column 1: 'c' is not a number"), std::string::npos) << msg;
}

TEST(IoTableCsv, WhitespaceSeparatedWithoutHeader) {
  psst::test::TempDir dir;
  const auto t = read_table(write_file(dir, "t.txt", "1 2\t3\n  4   5 6\n"));
  expect_2x3(t, {1, 2, 3, 4, 5, 6});
}

TEST(IoTableCsv, RaggedRowNamesFileLineFoundAndExpected) {
  psst::test::TempDir dir;
  const auto path = write_file(dir, "r.csv", "a,b,c\n1,2,3\n# note\n4,5\n");
  const auto msg = io_error_message([&] { (void)read_csv(path); });
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 values"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3"), std::string::npos) << msg;
}

TEST(IoTableCsv, BadCellNamesFileLineColumnAndText) {
  psst::test::TempDir dir;
  const auto path = write_file(dir, "b.csv", "x,y\n1,2\n3,abc\n");
  const auto msg = io_error_message([&] { (void)read_csv(path); });
  EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'abc'"), std::string::npos) << msg;
}

TEST(IoTable, DispatchOnExtensionAndMissingFile) {
  psst::test::TempDir dir;
  expect_2x3(read_table(write_file(dir, "a.npy", npy("<f8", "(2, 3)", values_bytes<double>({1, 2, 3, 4, 5, 6})))),
             {1, 2, 3, 4, 5, 6});
  expect_2x3(read_table(write_file(dir, "a.csv", "1,2,3\n4,5,6\n")), {1, 2, 3, 4, 5, 6});
  const auto xlsx = write_file(dir, "a.xlsx", "");
  auto msg = io_error_message([&] { (void)read_table(xlsx); });
  EXPECT_NE(msg.find(xlsx.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find(".npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find(".csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find(".txt"), std::string::npos) << msg;
  const auto missing = dir / "missing.csv";
  msg = io_error_message([&] { (void)read_table(missing); });
  EXPECT_NE(msg.find("cannot open '" + missing.string() + "': No such file or directory"), std::string::npos) << msg;
}

}  // namespace
