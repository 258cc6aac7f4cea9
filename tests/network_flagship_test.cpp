// The flagship network models: the locust antennal lobe (psst-models.md
// section 4), the COBAHH and CUBA benchmarks (Brette et al. 2007, benchmarks 3 and 2).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

class FlagshipModels : public ::testing::TestWithParam<std::string> {
 protected:
  RunOverrides overrides() const {
    RunOverrides o;
    o.backend = GetParam();
    return o;
  }
};

std::size_t count_between(const std::vector<SpikeCollector::Spike>& spikes, std::size_t population, double from,
                          double to) {
  std::size_t n = 0;
  for (const auto& s : spikes) n += s.population == population && s.time >= from && s.time < to;
  return n;
}

struct FiringStatistics {
  double rate = 0;          // Hz, over all neurons
  double cv = 0;            // mean ISI CV over the neurons with at least 3 spikes
  std::size_t cv_count = 0;  // those neurons
  std::size_t active = 0;    // neurons with at least one spike
};

FiringStatistics firing_statistics(const std::vector<SpikeCollector::Spike>& spikes, std::size_t n, double duration_ms) {
  std::vector<std::vector<double>> trains(n);
  for (const auto& s : spikes) trains[s.neuron].push_back(s.time);
  FiringStatistics f;
  double cv_sum = 0;
  for (const auto& train : trains) {
    f.active += !train.empty();
    if (train.size() < 3) continue;
    double mean = 0, square = 0;
    for (std::size_t k = 1; k < train.size(); ++k) mean += train[k] - train[k - 1];
    mean /= static_cast<double>(train.size() - 1);
    for (std::size_t k = 1; k < train.size(); ++k) square += (train[k] - train[k - 1] - mean) * (train[k] - train[k - 1] - mean);
    cv_sum += std::sqrt(square / static_cast<double>(train.size() - 1)) / mean;
    ++f.cv_count;
  }
  f.rate = static_cast<double>(spikes.size()) / static_cast<double>(n) / (duration_ms / 1000.0);
  f.cv = f.cv_count ? cv_sum / static_cast<double>(f.cv_count) : 0.0;
  return f;
}

// Upward crossings of `level` by V of every neuron, sampled every `every` steps.
class CrossingCounter final : public psst::run::StepObserver {
 public:
  CrossingCounter(std::string population, std::string variable, double level)
      : population_(std::move(population)), variable_(std::move(variable)), level_(level) {}
  void on_step(const Simulation& simulation, std::int64_t, const std::vector<std::vector<std::size_t>>&) override {
    const auto& v = simulation.population(population_).state(variable_);
    if (above_.empty()) above_.assign(v.size(), true);
    for (std::size_t i = 0; i < v.size(); ++i) {
      bool above = v[i] >= level_;
      crossings_ += above && !above_[i];
      above_[i] = above;
    }
  }
  std::size_t crossings() const { return crossings_; }

 private:
  std::string population_, variable_;
  double level_;
  std::vector<bool> above_;
  std::size_t crossings_ = 0;
};

TEST_P(FlagshipModels, LocustAntennalLobe) {
  Simulation simulation(psst::lang::read_model_file(psst::test::model_path("locust_al.toml")), overrides());
  // Synapse counts for the model's seed: binomial(2700, 0.5) and (2700 + 870, 0.5),
  // psst-models.md: "about 1350 ACh and 1785 GABA_A synapses".
  std::size_t ach = simulation.projection("ach_PN_LN").size();
  std::size_t gaba = simulation.projection("gaba_LN_PN").size() + simulation.projection("gaba_LN_LN").size();
  EXPECT_NEAR(static_cast<double>(ach), 1350.0, 4 * std::sqrt(2700 * 0.25));
  EXPECT_NEAR(static_cast<double>(gaba), 1785.0, 4 * std::sqrt(3570 * 0.25));
  const auto& ln_ln = simulation.projection("gaba_LN_LN").connectivity();
  for (std::size_t s = 0; s < ln_ln.size(); ++s) EXPECT_NE(ln_ln.pre[s], ln_ln.post[s]) << "self-connection";

  SpikeCollector spikes;
  CrossingCounter calcium("LN", "V", -20.0);  // LN calcium spikes: broad depolarisations past -20 mV
  simulation.add_observer(&spikes);
  simulation.add_observer(&calcium);
  simulation.run();
  const std::size_t pn = simulation.spec().populations[0].name == "PN" ? 0 : 1;
  const std::size_t ln = 1 - pn;
  std::size_t pn_before = count_between(spikes.spikes(), pn, 0, 100);
  std::size_t pn_odor = count_between(spikes.spikes(), pn, 100, 600);
  std::size_t pn_late = count_between(spikes.spikes(), pn, 800, 1000);
  std::size_t ln_all = count_between(spikes.spikes(), ln, 0, 1000);
  std::cout << "[ locust AL ] ACh synapses " << ach << ", GABA_A synapses " << gaba << "; PN spikes: before odor "
            << pn_before << ", during " << pn_odor << ", 800-1000 ms " << pn_late << "; LN spikes past 0 mV "
            << ln_all << ", LN crossings of -20 mV " << calcium.crossings() << "\n";
  EXPECT_EQ(pn_before, 0u);
  EXPECT_GE(pn_odor, 30u);                 // PNs fire during the odour
  EXPECT_GE(calcium.crossings(), 10u);     // LNs produce calcium spikes
  EXPECT_LE(pn_late * 10, pn_odor);        // activity dies out after the input decays
  double ca_max = 0;
  for (double ca : simulation.population("LN").state("Ca")) ca_max = std::max(ca_max, ca);
  EXPECT_GT(ca_max, 2.4e-4);               // calcium above rest at the end (it decays with tau 150 ms)
}

TEST_P(FlagshipModels, CobahhIsAsynchronousIrregular) {
  Simulation simulation(psst::lang::read_model_file(psst::test::model_path("cobahh.toml")), overrides());
  // p = 0.02 of 3200 x 4000 and 800 x 4000 pairs, self-connections allowed as in Brian2's example.
  EXPECT_NEAR(static_cast<double>(simulation.projection("excitatory").size()), 256000.0, 5 * std::sqrt(256000.0));
  EXPECT_NEAR(static_cast<double>(simulation.projection("inhibitory").size()), 64000.0, 5 * std::sqrt(64000.0));
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  const std::size_t n = simulation.population("cells").size();
  const auto [rate, cv, cv_count, active] = firing_statistics(spikes.spikes(), n, 1000.0);
  std::cout << "[ COBAHH ] " << spikes.spikes().size() << " spikes, mean rate " << rate << " Hz, mean CV " << cv
            << " over " << cv_count << " neurons, " << active << " neurons active\n";
  // The range of the reference implementation: Brian2 2.5 running the same example
  // (bench/peers/brian2_cobahh.py, Debian's python3-brian, this machine, 2026-11-23):
  // seeds 1 and 2 gave 36.3 and 34.6 Hz with mean ISI CV 1.92 and 1.92 (self-sustained,
  // irregular firing; CV > 1). psst's seeds 1-3 gave 34.6-35.3 Hz and CV 1.90-2.00, the
  // model's seed 7 40.4 Hz and CV 2.12 (counter-based generator; the former sequential
  // one gave 38-42 Hz and CV 1.88-2.00 for seeds 1-3). With Brian2's 3 ms refractory
  // period in the model (2026-12-02): psst seeds 1-3 35.5, 34.9, 35.1 Hz, CV 1.95, 1.94,
  // 1.93; Brian2 seeds 1-3 36.3, 34.6, 34.3 Hz, CV 1.92, 1.92, 1.99
  // (bench/results/rates_vs_brian2.md); seed 7 36.1 Hz, CV 2.01.
  EXPECT_GT(rate, 25.0);
  EXPECT_LT(rate, 55.0);
  EXPECT_GT(cv, 1.4);
  EXPECT_LT(cv, 2.5);
  EXPECT_GT(active, n * 3 / 4);  // activity is spread over the network, not a few bursting cells
  // Self-sustained: the last 200 ms still carry a fifth of the average activity.
  EXPECT_GT(count_between(spikes.spikes(), 0, 800, 1000), spikes.spikes().size() / 5 / 2);
}

TEST_P(FlagshipModels, CubaLifIsAsynchronousIrregular) {
  Simulation simulation(psst::lang::read_model_file(psst::test::model_path("cuba_lif.toml")), overrides());
  EXPECT_NEAR(static_cast<double>(simulation.projection("excitatory").size()), 256000.0, 5 * std::sqrt(256000.0));
  EXPECT_NEAR(static_cast<double>(simulation.projection("inhibitory").size()), 64000.0, 5 * std::sqrt(64000.0));
  SpikeCollector spikes;
  simulation.add_observer(&spikes);
  simulation.run();
  const std::size_t n = simulation.population("cells").size();
  const auto [rate, cv, cv_count, active] = firing_statistics(spikes.spikes(), n, 1000.0);
  std::cout << "[ CUBA ] " << spikes.spikes().size() << " spikes, mean rate " << rate << " Hz, mean CV " << cv
            << " over " << cv_count << " neurons, " << active << " neurons active\n";
  // No neuron spikes twice within the 5 ms refractory period (50 steps).
  std::vector<double> last(n, -1e9);
  double shortest_isi = 1e9;
  for (const auto& s : spikes.spikes()) {
    shortest_isi = std::min(shortest_isi, s.time - last[s.neuron]);
    last[s.neuron] = s.time;
  }
  EXPECT_GE(shortest_isi, 5.0 - 1e-9);
  // Brian2 2.5 running its CUBA example (bench/peers/brian2_cuba.py, Debian's python3-brian,
  // this machine, 2026-12-02): seeds 1-3 gave 5.62, 5.52 and 6.15 Hz with mean ISI CV 0.523,
  // 0.519 and 0.528 (bench/results/rates_vs_brian2.md). The bounds leave about three times
  // the spread between seeds on either side.
  EXPECT_GT(rate, 4.0);
  EXPECT_LT(rate, 8.0);
  EXPECT_GT(cv, 0.4);
  EXPECT_LT(cv, 0.65);
  EXPECT_GT(active, n / 2);  // most neurons take part
}

INSTANTIATE_TEST_SUITE_P(Backends, FlagshipModels, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
