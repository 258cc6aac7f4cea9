// PSST's three-neuron network (models/psst_three_neurons.toml, psst-models.md
// section 3) against the independent reference in ../shared/reference: every
// spike, V every 0.1 ms, and the run split in two equal to one run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "run/checkpoint.hpp"
#include "run/hdf5_recorder.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

std::filesystem::path reference_dir() { return psst::test::shared_dir() / "reference"; }

// Columns of a CSV file with one header line.
std::vector<std::vector<double>> read_csv_columns(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> columns;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream row(line);
    std::string cell;
    for (std::size_t c = 0; std::getline(row, cell, ','); ++c) {
      if (columns.size() <= c) columns.resize(c + 1);
      columns[c].push_back(std::stod(cell));
    }
  }
  return columns;
}

struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  double at(std::size_t r, std::size_t c) const { return values.at(r * cols + c); }
};

std::uint64_t little_endian(const std::string& bytes, std::size_t at, std::size_t size) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < size; ++k) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes.at(at + k))) << (8 * k);
  return v;
}

// A 2-D little-endian float64 C-order .npy held in `bytes` from `at`; nullopt otherwise.
std::optional<Matrix> parse_npy(const std::string& bytes, std::size_t at) {
  if (bytes.compare(at, 6, "\x93NUMPY") != 0) return std::nullopt;
  const int major = static_cast<unsigned char>(bytes.at(at + 6));
  const std::size_t length_size = major == 1 ? 2 : 4;
  const std::size_t header_length = little_endian(bytes, at + 8, length_size);
  const std::string header = bytes.substr(at + 8 + length_size, header_length);
  if (header.find("'<f8'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos)
    return std::nullopt;
  auto shape = header.find("'shape': (");
  if (shape == std::string::npos) return std::nullopt;
  Matrix m;
  std::stringstream dims(header.substr(shape + 10));
  char comma = 0;
  if (!(dims >> m.rows >> comma >> m.cols) || comma != ',') return std::nullopt;
  const std::size_t data = at + 8 + length_size + header_length;
  if (data + m.rows * m.cols * 8 > bytes.size()) return std::nullopt;
  m.values.resize(m.rows * m.cols);
  std::memcpy(m.values.data(), bytes.data() + data, m.values.size() * 8);  // little-endian hosts
  return m;
}

// An entry of a .npz written by numpy.savez: a zip archive whose members are stored
// (not deflated), so it is read without zlib; local headers may carry zip64 sizes.
std::optional<Matrix> read_npz_stored(const std::filesystem::path& path, const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t at = 0;
  while (at + 30 <= bytes.size() && little_endian(bytes, at, 4) == 0x04034b50) {
    const auto flags = little_endian(bytes, at + 6, 2), method = little_endian(bytes, at + 8, 2);
    std::uint64_t compressed = little_endian(bytes, at + 18, 4);
    const auto name_length = little_endian(bytes, at + 26, 2), extra_length = little_endian(bytes, at + 28, 2);
    const std::string member = bytes.substr(at + 30, name_length);
    const std::size_t extra = at + 30 + name_length;
    if (compressed == 0xffffffffu)  // zip64: the sizes are in extra field 0x0001 (uncompressed, compressed)
      for (std::size_t e = extra; e + 4 <= extra + extra_length;) {
        const auto id = little_endian(bytes, e, 2), size = little_endian(bytes, e + 2, 2);
        if (id == 1 && size >= 16) compressed = little_endian(bytes, e + 12, 8);
        e += 4 + size;
      }
    const std::size_t data = extra + extra_length;
    if (member == name) {
      if (method != 0) return std::nullopt;  // deflated: needs zlib
      return parse_npy(bytes, data);
    }
    if (flags & 0x8) return std::nullopt;  // sizes only after the data: give up
    at = data + compressed;
  }
  return std::nullopt;
}

// Fallback for a compressed .npz: numpy converts the entry to CSV.
std::optional<Matrix> read_npz_with_python(const std::filesystem::path& path, const std::string& name,
                                           const psst::test::TempDir& dir) {
  if (!std::filesystem::exists("/usr/bin/python3")) return std::nullopt;
  const auto csv = dir / "converted.csv";
  std::string command = "/usr/bin/python3 -c \"import numpy, sys; numpy.savetxt(sys.argv[3], numpy.load(sys.argv[1])["
                        "sys.argv[2]], delimiter=',', fmt='%.17g')\" '" +
                        path.string() + "' '" + name + "' '" + csv.string() + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) return std::nullopt;
  std::ifstream in(csv);
  Matrix m;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    std::size_t cols = 0;
    for (; std::getline(row, cell, ','); ++cols) m.values.push_back(std::stod(cell));
    m.cols = cols;
    ++m.rows;
  }
  return m;
}

class NetworkModels : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Simulation> three_neurons() const {
    RunOverrides overrides;
    overrides.backend = GetParam();
    return std::make_unique<Simulation>(psst::lang::read_model_file(psst::test::model_path("psst_three_neurons.toml")),
                                        overrides);
  }
};

TEST_P(NetworkModels, ThreeNeuronSpikesEqualThePsstReference) {
  auto reference = read_csv_columns(reference_dir() / "three_neurons_spikes.csv");
  ASSERT_EQ(reference.size(), 2u);
  ASSERT_EQ(reference[0].size(), 36u);
  auto simulation = three_neurons();
  SpikeCollector spikes;
  simulation->add_observer(&spikes);
  simulation->run();
  ASSERT_EQ(spikes.spikes().size(), 36u);
  for (std::size_t k = 0; k < 36; ++k) {
    EXPECT_NEAR(spikes.spikes()[k].time, reference[0][k], 1e-9) << "spike " << k;
    EXPECT_EQ(static_cast<double>(spikes.spikes()[k].neuron), reference[1][k]) << "spike " << k;
    EXPECT_EQ(spikes.spikes()[k].population, 0u);
  }
  EXPECT_EQ(spikes.times(0, 0).size(), 18u);
  EXPECT_EQ(spikes.times(0, 1).size(), 18u);
  EXPECT_TRUE(spikes.times(0, 2).empty()) << "neuron 2 is inhibited and never fires";
}

TEST_P(NetworkModels, ThreeNeuronVoltageEqualsThePsstReference) {
  const auto npz = reference_dir() / "three_neurons.npz";
  std::optional<Matrix> reference = read_npz_stored(npz, "V_every_0p1ms.npy");
  const char* route = "read from the stored zip member";
  psst::test::TempDir dir;
  if (!reference) {
    reference = read_npz_with_python(npz, "V_every_0p1ms", dir);
    route = "converted by /usr/bin/python3 with numpy";
  }
  if (!reference)
    GTEST_SKIP() << npz << ": V_every_0p1ms is compressed (reading it needs zlib) and /usr/bin/python3 with numpy "
                 << "is not available to convert it";
  ASSERT_EQ(reference->rows, 7001u);
  ASSERT_EQ(reference->cols, 3u);

  auto simulation = three_neurons();
  ASSERT_EQ(simulation->total_steps(), 70000);
  double worst = 0, worst_time = 0;
  std::size_t worst_neuron = 0;
  for (std::size_t row = 0; row < 7001; ++row) {
    simulation->run_until_step(static_cast<std::int64_t>(row) * 10);  // every 0.1 ms, from t = 0
    ASSERT_EQ(simulation->step(), static_cast<std::int64_t>(row) * 10);
    const auto& V = simulation->population("HH").state("V");
    for (std::size_t i = 0; i < 3; ++i) {
      double error = std::fabs(V[i] - reference->at(row, i));
      if (!(error <= worst)) worst = error, worst_time = static_cast<double>(row) * 0.1, worst_neuron = i;
    }
  }
  std::cout << "[ three neurons ] reference V " << route << "; largest |V psst - V reference| every 0.1 ms: " << worst << " mV (neuron "
            << worst_neuron << ", t = " << worst_time << " ms)\n";
  EXPECT_LT(worst, 1e-6) << "at t = " << worst_time << " ms, neuron " << worst_neuron;
}

// PSST Day 5: the run in two batches, the second starting from the last state of the
// first, equals the run in one. The first batch ends in a checkpoint written to a
// file; the second is a new Simulation that restores it.
TEST_P(NetworkModels, ThreeNeuronSplitRunEqualsOneRun) {
  struct Run {
    std::vector<SpikeCollector::Spike> spikes;
    std::vector<double> V, m, h, n, lastspike, o_ach, o_gaba;
  };
  auto finish = [](Simulation& simulation, std::vector<SpikeCollector::Spike> spikes) {
    auto& HH = simulation.population("HH");
    return Run{std::move(spikes), HH.state("V"), HH.state("m"), HH.state("h"), HH.state("n"), HH.lastspike(),
               simulation.projection("ach").state("o"), simulation.projection("gaba").state("o")};
  };
  auto one = three_neurons();
  SpikeCollector one_spikes;
  one->add_observer(&one_spikes);
  one->run();
  Run whole = finish(*one, one_spikes.spikes());

  psst::test::TempDir dir;
  const auto path = dir / "first_half.h5";
  std::vector<SpikeCollector::Spike> spikes;
  {
    auto first = three_neurons();
    SpikeCollector first_spikes;
    first->add_observer(&first_spikes);
    EXPECT_EQ(first->run_until_step(35000), 35000);
    psst::run::Hdf5Recorder recorder(*first, path, false);
    psst::run::write_checkpoint(*first, recorder);
    spikes = first_spikes.spikes();
  }  // the first simulation and its file are gone
  const std::size_t first_half = spikes.size();
  auto second = three_neurons();
  const std::vector<double> V_initial = second->population("HH").state("V");
  {
    auto file = psst::io::Hdf5File::open_read_only(path);
    auto checkpoint = psst::run::find_checkpoint(file);
    ASSERT_TRUE(checkpoint.has_value());
    EXPECT_EQ(checkpoint->step, 35000);
    psst::run::restore_checkpoint(*second, file, *checkpoint);
  }
  EXPECT_EQ(second->step(), 35000);
  EXPECT_NE(second->population("HH").state("V"), V_initial) << "the checkpoint's state was not loaded";
  SpikeCollector second_spikes;
  second->add_observer(&second_spikes);
  EXPECT_EQ(second->run_until_step(70000), 35000);
  EXPECT_EQ(second->run_until_step(70000), 0);  // nothing left
  spikes.insert(spikes.end(), second_spikes.spikes().begin(), second_spikes.spikes().end());
  Run halves = finish(*second, spikes);

  EXPECT_GT(first_half, 0u);
  EXPECT_LT(first_half, whole.spikes.size());
  ASSERT_EQ(halves.spikes.size(), whole.spikes.size());
  for (std::size_t k = 0; k < whole.spikes.size(); ++k) {
    EXPECT_EQ(halves.spikes[k].time, whole.spikes[k].time) << "spike " << k;
    EXPECT_EQ(halves.spikes[k].neuron, whole.spikes[k].neuron) << "spike " << k;
  }
  // The final state, bit for bit.
  EXPECT_EQ(halves.V, whole.V);
  EXPECT_EQ(halves.m, whole.m);
  EXPECT_EQ(halves.h, whole.h);
  EXPECT_EQ(halves.n, whole.n);
  EXPECT_EQ(halves.lastspike, whole.lastspike);
  EXPECT_EQ(halves.o_ach, whole.o_ach);
  EXPECT_EQ(halves.o_gaba, whole.o_gaba);
}

INSTANTIATE_TEST_SUITE_P(Backends, NetworkModels, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
