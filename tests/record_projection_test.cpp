// [record.PROJECTION]: synapse state variables and per-synapse parameters of chosen
// synapses, sampled every record_every like population state, in the order given;
// checked against the state the simulation holds after every step.
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "io/hdf5_file.hpp"
#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

// Two sources spiking every ~10 steps, all-to-all onto two targets (4 synapses, by
// target then source); each synapse's q decays and jumps by its own weight w.
constexpr const char* model_text = R"toml(
[simulation]
duration = 2.0
dt = 0.1
method = "euler"
[populations.src]
size = 2
equations = "dV/dt = 1"
threshold = "V >= 1"
reset = "V = 0"
initial = { V = [0.55, 0.25] }
[populations.dst]
size = 2
equations = "dg/dt = -g"
initial = { g = 0.0 }
[projections.p]
pre = "src"
post = "dst"
connect = "all_to_all"
equations = "dq/dt = -q / tau"
parameters = { tau = 2.0, w = [1.0, 2.0, 3.0, 4.0] }
initial = { q = [0.5, 1.5, 2.5, 3.5] }
on_pre = "q += w; g_post += 1"
[record.p]
variables = ["q", "w"]
synapses = [3, 0]
)toml";

// x.q of synapses 3 and 0 at the start and after every step, from the simulation itself.
class SynapseTrace final : public psst::run::StepObserver {
 public:
  void on_start(const psst::run::Simulation& simulation) override { take(simulation); }
  void on_step(const psst::run::Simulation& simulation, std::int64_t,
               const std::vector<std::vector<std::size_t>>&) override {
    take(simulation);
  }
  std::vector<double> values;

 private:
  void take(const psst::run::Simulation& simulation) {
    for (const auto& q : simulation.projections())
      if (q->name() == "p") {
        const auto x = q->download("x.q");
        values.push_back(x[3]);
        values.push_back(x[0]);
      }
  }
};

TEST(RecordProjection, SynapseVariablesAndParametersOfChosenSynapsesAreRecorded) {
  psst::test::TempDir dir;
  std::ofstream(dir / "syn.toml") << model_text;
  auto r = psst::test::run_command(
      fmt::format("cd '{}' && '{}' run -q --backend reference syn.toml -o out.h5", dir.path().string(), PSST_CLI));
  ASSERT_EQ(r.status, 0) << r.output;
  psst::run::RunOverrides o;
  o.backend = "reference";
  psst::run::Simulation sim(psst::lang::read_model_file(dir / "syn.toml"), o);
  SynapseTrace trace;
  sim.add_observer(&trace);
  sim.run();
  auto file = psst::io::Hdf5File::open_read_only(dir / "out.h5");
  EXPECT_EQ(file.read_vector_int64("/projections/p/state/synapses"), (std::vector<std::int64_t>{3, 0}));
  const auto q = file.read_matrix_double("/projections/p/state/q");
  const auto w = file.read_matrix_double("/projections/p/state/w");
  ASSERT_EQ(file.shape("/projections/p/state/q"), (std::vector<std::size_t>{21, 2}));  // t = 0 and 20 steps
  EXPECT_EQ(q.values, trace.values);
  EXPECT_EQ(q.at(0, 0), 3.5);  // the initial values, in the order of `synapses`
  EXPECT_EQ(q.at(0, 1), 0.5);
  double jumps = 0;  // the sources spike: q of synapse 3 jumps by w = 4 at least once
  for (std::size_t k = 1; k < 21; ++k) jumps += q.at(k, 0) > q.at(k - 1, 0);
  EXPECT_GE(jumps, 1.0);
  for (std::size_t k = 0; k < 21; ++k) {
    EXPECT_EQ(w.at(k, 0), 4.0);
    EXPECT_EQ(w.at(k, 1), 1.0);
  }
}

TEST(RecordProjection, BadProjectionRecordsAreLocatedErrors) {
  psst::test::TempDir dir;
  auto error = [&](const std::string& from, const std::string& to) {
    std::string text = model_text;
    text.replace(text.find(from), from.size(), to);
    std::ofstream(dir / "syn.toml") << text;
    return psst::test::run_command(fmt::format("cd '{}' && '{}' check syn.toml", dir.path().string(), PSST_CLI));
  };
  auto r = error("synapses = [3, 0]", "synapses = [3, 4]");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("syn.toml:24:1: error: [record.p]: synapse 4 does not exist; projection 'p' has 4 synapses "
                          "(0 to 3)"), std::string::npos) << r.output;
  r = error("variables = [\"q\", \"w\"]", "variables = [\"q\", \"tau\"]");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("[record.p]: 'tau' is not a state variable or per-synapse parameter of projection 'p'; "
                          "recordable: q, w"), std::string::npos) << r.output;
}

}  // namespace
