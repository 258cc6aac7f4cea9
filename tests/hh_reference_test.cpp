// The PSST Hodgkin-Huxley neuron (models/hh.toml) against the independent
// reference solutions in ../shared/reference (psst-models.md section 2).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "lang/model_file.hpp"
#include "lang/parser.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

// Columns of a CSV file with one header line.
std::vector<std::vector<double>> read_csv_columns(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> columns;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell;
    for (std::size_t c = 0; std::getline(row, cell, ','); ++c) {
      if (columns.size() <= c) columns.resize(c + 1);
      columns[c].push_back(std::stod(cell));
    }
  }
  return columns;
}

class HodgkinHuxley : public ::testing::TestWithParam<std::string> {
 protected:
  RunOverrides overrides() const {
    RunOverrides o;
    o.backend = GetParam();
    return o;
  }
};

TEST_P(HodgkinHuxley, SpikeTimesEqualThePsstReference) {
  auto reference = read_csv_columns(psst::test::shared_dir() / "reference" / "hh_single_spikes.csv");
  ASSERT_EQ(reference.size(), 3u);
  Simulation simulation(psst::lang::read_model_file(psst::test::model_path("hh.toml")), overrides());
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  auto times = spikes.times();
  ASSERT_EQ(times.size(), 17u);
  ASSERT_EQ(times.size(), reference[0].size());
  for (std::size_t k = 0; k < times.size(); ++k) {
    EXPECT_NEAR(times[k], reference[0][k], 1e-9) << "spike " << k;    // RK4 dt = 0.01, step-start times
    EXPECT_NEAR(times[k], reference[2][k], 0.01) << "spike " << k;    // the converged solution
  }
}

TEST_P(HodgkinHuxley, FiringRateCurveMatchesTheReference) {
  // All 21 currents at once: one neuron per current, I_inj given per neuron.
  auto reference = read_csv_columns(psst::test::shared_dir() / "reference" / "hh_fi_curve.csv");
  auto spec = psst::lang::read_model_file(psst::test::model_path("hh.toml"));
  spec.simulation.duration = 1000.0;
  spec.records.clear();
  auto& population = spec.populations[0];
  population.size = reference[0].size();
  population.parameters["I_inj"].kind = psst::model::ValueSpec::Kind::List;
  population.parameters["I_inj"].values = reference[0];
  Simulation simulation(spec, overrides());
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  for (std::size_t n = 0; n < reference[0].size(); ++n)
    EXPECT_EQ(static_cast<double>(spikes.times(0, n).size()), reference[1][n]) << "I = " << reference[0][n];
}

TEST_P(HodgkinHuxley, ExponentialEulerConvergesToTheSameSolution) {
  // V over the first 20 ms (two spikes) against RK4 at dt = 0.001 ms.
  auto trace = [&](const std::string& method, double dt) {
    auto spec = psst::lang::read_model_file(psst::test::model_path("hh.toml"));
    spec.simulation.duration = 20.0;
    spec.simulation.dt = dt;
    spec.simulation.method = method;
    Simulation simulation(spec, overrides());
    std::vector<double> samples;
    auto every = static_cast<std::int64_t>(std::llround(0.1 / dt));
    while (simulation.step() < simulation.total_steps()) {
      simulation.run_until_step(simulation.step() + every);
      samples.push_back(simulation.population("HH").state("V")[0]);
    }
    return samples;
  };
  auto reference = trace("rk4", 0.001);
  std::vector<double> dts{0.01, 0.005, 0.0025}, errors;
  for (double dt : dts) {
    auto v = trace("exponential_euler", dt);
    double error = 0;
    for (std::size_t k = 0; k < v.size(); ++k) error = std::max(error, std::fabs(v[k] - reference[k]));
    errors.push_back(error);
  }
  double order = std::log(errors.front() / errors.back()) / std::log(dts.front() / dts.back());
  EXPECT_GE(order, 0.9) << "errors " << errors[0] << " " << errors[1] << " " << errors[2];
  EXPECT_LT(errors.back(), 5.0);  // mV: the same solution, not another one
}

TEST_P(HodgkinHuxley, RateFunctionsAreFiniteAtTheirRemovableSingularities) {
  // u = V + 50 = 13, 40 and 15 make alpha_m, beta_m, alpha_n 0/0 in the raw formulas.
  for (double v0 : {-37.0, -10.0, -35.0}) {
    auto spec = psst::lang::read_model_file(psst::test::model_path("hh.toml"));
    spec.simulation.duration = 0.01;
    spec.populations[0].initial["V"].value = v0;
    spec.populations[0].parameters["C_m"].value = 1e300;  // freeze V so every stage sees V = v0
    Simulation simulation(spec, overrides());
    simulation.run();
    for (const char* v : {"m", "h", "n"})
      EXPECT_TRUE(std::isfinite(simulation.population("HH").state(v)[0])) << v << " at V = " << v0;
    EXPECT_GT(simulation.population("HH").state("m")[0], 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, HodgkinHuxley, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
