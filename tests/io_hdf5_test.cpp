// psst::io::Hdf5File: files, groups, attributes, whole datasets, error messages.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "io/hdf5_file.hpp"
#include "model/error.hpp"
#include "test_support.hpp"

namespace {

using psst::IoError;
using psst::io::Hdf5File;

template <typename Fn>
std::string io_error_message(Fn&& fn) {
  try {
    fn();
  } catch (const IoError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected psst::IoError";
  return {};
}

std::vector<std::uint64_t> bits(const std::vector<double>& v) {
  std::vector<std::uint64_t> out;
  for (double x : v) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

TEST(IoHdf5, VectorsRoundTripBitwise) {
  psst::test::TempDir dir;
  const auto path = dir / "v.h5";
  const std::vector<double> d{0.0, -0.0, 1.0 / 3.0, std::numeric_limits<double>::denorm_min(),
                              std::numeric_limits<double>::max(), -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN(), 1e-300};
  const std::vector<std::int64_t> i{std::numeric_limits<std::int64_t>::min(), -1, 0, 42,
                                    std::numeric_limits<std::int64_t>::max()};
  {
    auto f = Hdf5File::create(path, false);
    f.write_vector("/time", d);
    f.write_vector("ids", i);  // a missing leading '/' is added
    f.write_vector("/empty", std::vector<double>{});
    f.close();
  }
  const auto f = Hdf5File::open_read_only(path);
  EXPECT_EQ(bits(f.read_vector_double("/time")), bits(d));
  EXPECT_EQ(f.read_vector_int64("/ids"), i);
  EXPECT_TRUE(f.read_vector_double("/empty").empty());
  // Integers read as doubles too.
  EXPECT_EQ(f.read_vector_double("/ids")[3], 42.0);
  EXPECT_EQ(f.shape("/time"), (std::vector<std::size_t>{d.size()}));
}

TEST(IoHdf5, MatrixRoundTripAndReplace) {
  psst::test::TempDir dir;
  auto f = Hdf5File::create(dir / "m.h5", false);
  const std::vector<double> m{1, 2, 3, 4, 5, 6};
  f.write_matrix("/g/m", 2, 3, m);
  auto back = f.read_matrix_double("/g/m");
  EXPECT_EQ(back.rows, 2u);
  EXPECT_EQ(back.cols, 3u);
  EXPECT_EQ(back.values, m);
  EXPECT_EQ(back.at(1, 0), 4.0);
  f.write_vector("/g/m", std::vector<double>{7, 8});  // replaces the dataset
  back = f.read_matrix_double("/g/m");               // 1-D reads as n x 1
  EXPECT_EQ(back.rows, 2u);
  EXPECT_EQ(back.cols, 1u);
  EXPECT_EQ(back.values, (std::vector<double>{7, 8}));
  EXPECT_NE(io_error_message([&] { (void)f.read_vector_double("/missing"); }).find("no dataset '/missing'"),
            std::string::npos);
}

TEST(IoHdf5, NestedGroupsCreatedOnDemand) {
  psst::test::TempDir dir;
  auto f = Hdf5File::create(dir / "g.h5", false);
  EXPECT_TRUE(f.exists("/"));
  EXPECT_FALSE(f.exists("/populations/PN"));
  f.create_group("/populations/PN/spikes");
  f.create_group("/populations/PN/spikes");  // no-op when it exists
  EXPECT_TRUE(f.exists("/populations"));
  EXPECT_TRUE(f.exists("populations/PN/"));
  EXPECT_TRUE(f.exists("/populations/PN/spikes"));
  f.write_vector("/populations/LN/v/trace", std::vector<double>{1.0});
  EXPECT_TRUE(f.exists("/populations/LN/v"));
  EXPECT_FALSE(f.exists("/populations/LN/v/trace/below_a_dataset"));
  const auto msg = io_error_message([&] { f.create_group("/populations/LN/v/trace/x"); });
  EXPECT_NE(msg.find("'/populations/LN/v/trace' is not a group"), std::string::npos) << msg;
}

TEST(IoHdf5, AttributesRoundTrip) {
  psst::test::TempDir dir;
  const auto path = dir / "a.h5";
  {
    auto f = Hdf5File::create(path, false);
    f.set_attribute("/", "model", "locust AL – π");  // UTF-8
    f.set_attribute("/", "empty", std::string());
    f.set_attribute("/", "dt", 0.025);
    f.set_attribute("/", "steps", std::numeric_limits<std::int64_t>::max());
    f.set_attribute("/", "n", 7);                        // int -> int64
    f.set_attribute("/populations/PN", "size", 830);    // group created on demand
    f.write_vector("/time", std::vector<double>{0.0});
    f.set_attribute("/time", "units", "ms");            // on a dataset
    f.set_attribute("/", "dt", 0.05);                   // replaces
  }
  auto f = Hdf5File::open_read_only(path);
  EXPECT_EQ(f.get_attribute_string("/", "model"), "locust AL – π");
  EXPECT_EQ(f.get_attribute_string("/", "empty"), "");
  EXPECT_EQ(f.get_attribute_double("/", "dt"), 0.05);
  EXPECT_EQ(f.get_attribute_int64("/", "steps"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(f.get_attribute_int64("/", "n"), 7);
  EXPECT_EQ(f.get_attribute_double("/", "n"), 7.0);  // integer read as double
  EXPECT_EQ(f.get_attribute_int64("/populations/PN", "size"), 830);
  EXPECT_EQ(f.get_attribute_string("/time", "units"), "ms");
  EXPECT_TRUE(f.has_attribute("/", "dt"));
  EXPECT_FALSE(f.has_attribute("/", "nope"));
  EXPECT_FALSE(f.has_attribute("/nowhere", "dt"));

  auto msg = io_error_message([&] { (void)f.get_attribute_int64("/", "dt"); });
  EXPECT_NE(msg.find("attribute 'dt' of '/'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not an integer"), std::string::npos) << msg;
  msg = io_error_message([&] { (void)f.get_attribute_double("/", "model"); });
  EXPECT_NE(msg.find("is not a number"), std::string::npos) << msg;
  msg = io_error_message([&] { (void)f.get_attribute_string("/", "missing"); });
  EXPECT_NE(msg.find("attribute 'missing' of '/'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
}

TEST(IoHdf5, ExistingFileRefusedWithoutOverwriteAcceptedWithIt) {
  psst::test::TempDir dir;
  const auto path = dir / "out.h5";
  {
    auto f = Hdf5File::create(path, false);
    f.write_vector("/old", std::vector<double>{1.0});
  }
  const auto msg = io_error_message([&] { (void)Hdf5File::create(path, false); });
  EXPECT_NE(msg.find("output file '" + path.string() + "' exists; pass --overwrite to replace it"), std::string::npos)
      << msg;
  EXPECT_TRUE(Hdf5File::open_read_only(path).exists("/old"));  // untouched
  {
    auto f = Hdf5File::create(path, true);
    EXPECT_FALSE(f.exists("/old"));
    f.write_vector("/new", std::vector<double>{2.0});
  }
  auto f = Hdf5File::open_read_only(path);
  EXPECT_FALSE(f.exists("/old"));
  EXPECT_EQ(f.read_vector_double("/new"), std::vector<double>{2.0});
}

TEST(IoHdf5, UncreatablePathNamesPathAndOsReason) {
  psst::test::TempDir dir;
  const auto missing_dir = dir / "no_such_dir" / "out.h5";
  auto msg = io_error_message([&] { (void)Hdf5File::create(missing_dir, true); });
  EXPECT_NE(msg.find("'" + missing_dir.string() + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;

  const auto plain_file = dir / "plain";
  std::ofstream(plain_file) << "x";
  const auto under_file = plain_file / "out.h5";
  msg = io_error_message([&] { (void)Hdf5File::create(under_file, true); });
  EXPECT_NE(msg.find("'" + under_file.string() + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Not a directory"), std::string::npos) << msg;

  msg = io_error_message([&] { (void)Hdf5File::create(dir.path(), true); });
  EXPECT_NE(msg.find("Is a directory"), std::string::npos) << msg;
}

TEST(IoHdf5, OpenErrorsNameTheFile) {
  psst::test::TempDir dir;
  const auto missing = dir / "missing.h5";
  auto msg = io_error_message([&] { (void)Hdf5File::open_read_write(missing); });
  EXPECT_NE(msg.find("cannot open '" + missing.string() + "': No such file or directory"), std::string::npos) << msg;
  const auto text = dir / "text.h5";
  std::ofstream(text) << "not hdf5\n";
  msg = io_error_message([&] { (void)Hdf5File::open_read_only(text); });
  EXPECT_NE(msg.find("'" + text.string() + "' is not an HDF5 file"), std::string::npos) << msg;
}

TEST(IoHdf5, FailedCallNamesCallFileObjectAndSourceLineWithoutHdf5Printing) {
  psst::test::TempDir dir;
  const auto path = dir / "e.h5";
  auto f = Hdf5File::create(path, false);
  f.create_group("/g");
  testing::internal::CaptureStderr();
  const auto msg = io_error_message([&] { (void)f.read_vector_double("/g"); });  // a group, not a dataset
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(msg.find("HDF5 H5Dopen2 failed on '" + path.string() + "' (dataset /g) at src/io/hdf5_file.cpp:"),
            std::string::npos)
      << msg;
  EXPECT_EQ(printed, "") << "HDF5 printed its error stack";
}

TEST(IoHdf5, ReadOnlyFileRefusesWrites) {
  psst::test::TempDir dir;
  const auto path = dir / "r.h5";
  { auto f = Hdf5File::create(path, false); }
  auto f = Hdf5File::open_read_only(path);
  EXPECT_TRUE(f.read_only());
  const auto msg = io_error_message([&] { f.write_vector("/x", std::vector<double>{1.0}); });
  EXPECT_NE(msg.find("is open read-only"), std::string::npos) << msg;
}

TEST(IoHdf5, StoredTypesAreLittleEndianStandardTypes) {
  psst::test::TempDir dir;
  const auto path = dir / "t.h5";
  {
    auto f = Hdf5File::create(path, false);
    f.write_vector("/d", std::vector<double>{1.5});
    f.write_vector("/i", std::vector<std::int64_t>{3});
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  for (const auto& [name, expected] : {std::pair{"/d", H5T_IEEE_F64LE}, std::pair{"/i", H5T_STD_I64LE}}) {
    const hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    const hid_t t = H5Dget_type(d);
    EXPECT_GT(H5Tequal(t, expected), 0) << name;
    H5Tclose(t);
    H5Dclose(d);
  }
  H5Fclose(file);
}

TEST(IoHdf5, MovedFileKeepsWorking) {
  psst::test::TempDir dir;
  auto a = Hdf5File::create(dir / "m.h5", false);
  Hdf5File b = std::move(a);
  b.write_vector("/x", std::vector<double>{1.0});
  EXPECT_EQ(b.read_vector_double("/x"), std::vector<double>{1.0});
  EXPECT_THROW((void)a.exists("/x"), psst::InternalError);  // NOLINT(bugprone-use-after-move)
}

}  // namespace
