// psst::io::AppendableSeries: streaming appends, flush visibility, resume, h5py.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/hdf5_file.hpp"
#include "model/error.hpp"
#include "test_support.hpp"

namespace {

using psst::io::AppendableSeries;
using psst::io::DataType;
using psst::io::Hdf5File;

// Distinct, awkward bit patterns: value of row r, column c.
double value(std::size_t r, std::size_t c) {
  const std::uint64_t k = (r * 7919u + c * 104729u) * 0x9E3779B97F4A7C15ull;
  const double x = std::bit_cast<double>((k >> 12) | 0x3FF0000000000000ull);  // in [1, 2)
  return (r % 2 ? -x : x) * static_cast<double>(r + 1) / 3.0;
}

TEST(IoHdf5Series, Append10007RowsChunk64GivesExactlyThoseRows) {
  psst::test::TempDir dir;
  const auto path = dir / "s.h5";
  constexpr std::size_t rows = 10007, cols = 3;
  {
    auto f = Hdf5File::create(path, false);
    auto v = f.create_series("/populations/PN/v", DataType::Float64, cols, 64);
    auto t = f.create_series("/time", DataType::Float64, 0, 64);
    auto step = f.create_series("/step", DataType::Int64, 0, 64);
    for (std::size_t r = 0; r < rows; ++r) {
      const double row[cols] = {value(r, 0), value(r, 1), value(r, 2)};
      v.append_row(row);
      t.append_value(value(r, 9));
      step.append_value(static_cast<std::int64_t>(r) - 5000);
      EXPECT_LT(v.rows_buffered(), 64u);
      EXPECT_EQ(v.rows_written(), r + 1);
      if (r + 1 == 6400) {  // whole chunks reach the file without any flush
        EXPECT_EQ(f.shape("/populations/PN/v"), (std::vector<std::size_t>{6400, cols}));
      }
    }
    EXPECT_EQ(v.rows_written(), rows);
    EXPECT_EQ(v.columns(), cols);
    EXPECT_EQ(t.columns(), 0u);
    EXPECT_EQ(t.row_width(), 1u);
  }  // destruction flushes the partial buffers
  const auto f = Hdf5File::open_read_only(path);
  const auto m = f.read_matrix_double("/populations/PN/v");
  ASSERT_EQ(m.rows, rows);
  ASSERT_EQ(m.cols, cols);
  const auto t = f.read_vector_double("/time");
  const auto step = f.read_vector_int64("/step");
  ASSERT_EQ(t.size(), rows);
  ASSERT_EQ(step.size(), rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(m.at(r, c)), std::bit_cast<std::uint64_t>(value(r, c))) << r << "," << c;
    }
    ASSERT_EQ(std::bit_cast<std::uint64_t>(t[r]), std::bit_cast<std::uint64_t>(value(r, 9))) << r;
    ASSERT_EQ(step[r], static_cast<std::int64_t>(r) - 5000) << r;
  }
}

TEST(IoHdf5Series, LayoutIsChunkedUnlimitedUncompressed) {
  psst::test::TempDir dir;
  const auto path = dir / "l.h5";
  {
    auto f = Hdf5File::create(path, false);
    auto s = f.create_series("/x", DataType::Int64, 5, 128);
    s.append(std::vector<std::int64_t>(10, 1));  // two rows
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(file, "/x", H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(d);
  hsize_t chunk[2] = {0, 0};
  EXPECT_EQ(H5Pget_chunk(dcpl, 2, chunk), 2);
  EXPECT_EQ(chunk[0], 128u);
  EXPECT_EQ(chunk[1], 5u);
  EXPECT_EQ(H5Pget_nfilters(dcpl), 0);
  const hid_t space = H5Dget_space(d);
  hsize_t dims[2], max[2];
  H5Sget_simple_extent_dims(space, dims, max);
  EXPECT_EQ(dims[0], 2u);
  EXPECT_EQ(max[0], H5S_UNLIMITED);
  EXPECT_EQ(max[1], 5u);
  H5Sclose(space);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(file);
}

// Run by FlushMakesPartialBufferVisibleToAnotherProcess in a child process;
// disabled otherwise.
TEST(IoHdf5SeriesChild, DISABLED_ReadsFlushedRows) {
  const char* file = std::getenv("PSST_IO_CHILD_FILE");
  const char* rows = std::getenv("PSST_IO_CHILD_ROWS");
  if (file == nullptr || rows == nullptr) GTEST_SKIP() << "only run as a child process";
  const auto f = Hdf5File::open_read_only(file);
  const auto m = f.read_matrix_double("/v");
  ASSERT_EQ(m.rows, std::stoul(rows));
  ASSERT_EQ(m.cols, 2u);
  for (std::size_t r = 0; r < m.rows; ++r) {
    ASSERT_EQ(m.at(r, 0), value(r, 0));
    ASSERT_EQ(m.at(r, 1), value(r, 1));
  }
}

TEST(IoHdf5Series, FlushMakesPartialBufferVisibleToAnotherProcess) {
  psst::test::TempDir dir;
  const auto path = dir / "f.h5";
  auto f = Hdf5File::create(path, false);
  auto s = f.create_series("/v", DataType::Float64, 2, 1000);
  const auto read_in_child = [&](std::size_t expected_rows) {
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    return psst::test::run_command("HDF5_USE_FILE_LOCKING=FALSE PSST_IO_CHILD_FILE='" + path.string() +
                                   "' PSST_IO_CHILD_ROWS=" + std::to_string(expected_rows) + " '" + self +
                                   "' --gtest_also_run_disabled_tests --gtest_filter=IoHdf5SeriesChild.*");
  };
  for (std::size_t r = 0; r < 37; ++r) s.append_row(std::vector<double>{value(r, 0), value(r, 1)});
  s.flush();
  auto child = read_in_child(37);
  EXPECT_EQ(child.status, 0) << child.output;
  EXPECT_NE(child.output.find("[  PASSED  ] 1 test"), std::string::npos) << child.output;

  for (std::size_t r = 37; r < 50; ++r) s.append_row(std::vector<double>{value(r, 0), value(r, 1)});
  f.flush();  // the file's flush also writes the buffers of its live series
  child = read_in_child(50);
  EXPECT_EQ(child.status, 0) << child.output;
}

TEST(IoHdf5Series, ReopenTruncateAndAppendForResume) {
  psst::test::TempDir dir;
  const auto path = dir / "r.h5";
  {
    auto f = Hdf5File::create(path, false);
    auto s = f.create_series("/g/x", DataType::Float64, 0, 16);
    for (std::size_t r = 0; r < 100; ++r) s.append_value(static_cast<double>(r));
  }
  {
    auto f = Hdf5File::open_read_write(path);
    f.truncate_series("/g/x", 40);
    EXPECT_EQ(f.shape("/g/x"), std::vector<std::size_t>{40});
    auto s = f.open_series("/g/x", 16);
    EXPECT_EQ(s.type(), DataType::Float64);
    EXPECT_EQ(s.rows_written(), 40u);
    EXPECT_THROW(f.truncate_series("/g/x", 10), psst::InternalError);  // a series is open on it
    for (std::size_t r = 0; r < 10; ++r) s.append_value(1000.0 + static_cast<double>(r));
    EXPECT_EQ(s.rows_written(), 50u);
  }
  auto f = Hdf5File::open_read_write(path);
  const auto x = f.read_vector_double("/g/x");
  ASSERT_EQ(x.size(), 50u);
  EXPECT_EQ(x[39], 39.0);
  EXPECT_EQ(x[40], 1000.0);
  EXPECT_EQ(x[49], 1009.0);
  std::string msg;
  try {
    f.truncate_series("/g/x", 51);
  } catch (const psst::IoError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("to 51 rows: it has only 50"), std::string::npos) << msg;
}

TEST(IoHdf5Series, MisuseIsReported) {
  psst::test::TempDir dir;
  auto f = Hdf5File::create(dir / "m.h5", false);
  auto s = f.create_series("/x", DataType::Float64, 3, 8);
  EXPECT_THROW(s.append_row(std::vector<double>{1.0, 2.0}), psst::InternalError);
  EXPECT_THROW(s.append_row(std::vector<std::int64_t>{1, 2, 3}), psst::InternalError);
  EXPECT_THROW(s.append(std::vector<double>(4, 0.0)), psst::InternalError);
  EXPECT_THROW((void)f.create_series("/x", DataType::Float64, 3, 8), psst::IoError);
  EXPECT_THROW((void)f.create_series("/y", DataType::Float64, 3, 0), psst::IoError);
  EXPECT_THROW((void)f.open_series("/x", 8), psst::InternalError);  // already open
  f.write_vector("/fixed", std::vector<double>{1.0});
  EXPECT_THROW((void)f.open_series("/fixed", 8), psst::IoError);  // not extensible
  AppendableSeries moved = std::move(s);
  EXPECT_THROW(s.flush(), psst::InternalError);  // NOLINT(bugprone-use-after-move)
  moved.append(std::vector<double>(6, 0.5));
  EXPECT_EQ(moved.rows_written(), 2u);
}

TEST(IoHdf5Python, H5pyReadsStringAttributeAnd2DSeries) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is missing";
  if (psst::test::run_command("/usr/bin/python3 -c 'import h5py'").status != 0) GTEST_SKIP() << "h5py is missing";
  psst::test::TempDir dir;
  const auto path = dir / "py.h5";
  {
    auto f = Hdf5File::create(path, false);
    f.set_attribute("/", "model", "locust π");
    f.set_attribute("/populations/PN", "size", 4);
    auto s = f.create_series("/populations/PN/v", DataType::Float64, 4, 64);
    for (std::size_t r = 0; r < 130; ++r) {
      s.append_row(std::vector<double>{0.5 * static_cast<double>(r), 1, 2, 3});
    }
    auto i = f.create_series("/step", DataType::Int64, 0, 64);
    i.append_value(std::int64_t{-7});
  }
  const std::string script =
      "import h5py, numpy\n"
      "f = h5py.File('" + path.string() + "', 'r')\n"
      "a = f.attrs['model']\n"
      "assert isinstance(a, str) and a == 'locust \\u03c0', repr(a)\n"
      "assert f['populations/PN'].attrs['size'] == 4\n"
      "v = f['populations/PN/v']\n"
      "assert v.shape == (130, 4), v.shape\n"
      "assert v.dtype == numpy.dtype('<f8'), v.dtype\n"
      "assert v[129, 0] == 64.5 and v[3, 3] == 3.0\n"
      "s = f['step']\n"
      "assert s.shape == (1,) and s.dtype == numpy.dtype('<i8') and s[0] == -7\n"
      "print('h5py ok')\n";
  const auto script_path = dir / "check.py";
  std::ofstream(script_path) << script;
  const auto result = psst::test::run_command("/usr/bin/python3 '" + script_path.string() + "'");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("h5py ok"), std::string::npos) << result.output;
}

}  // namespace
