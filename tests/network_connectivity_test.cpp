// Connectivity rules: counts, order, seeds, exclusions, explicit matrices
// (.csv and .npy), lists, slices and memory.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "run/connectivity.hpp"
#include "test_support.hpp"

namespace {

using psst::model::ConnectSpec;
using psst::run::build_connectivity;
using psst::run::Connectivity;
using psst::run::ProjectionGeometry;
using psst::run::RunOverrides;
using psst::run::Simulation;
using Rule = psst::model::ConnectSpec::Rule;

// Connectivity does not depend on the backend: the interpreter, which compiles nothing.
RunOverrides reference_backend() {
  RunOverrides overrides;
  overrides.backend = "reference";
  return overrides;
}

ProjectionGeometry whole(std::size_t pre, std::size_t post, bool same = false) {
  return {pre, post, 0, pre, 0, post, same};
}

ConnectSpec rule(Rule r) {
  ConnectSpec spec;
  spec.rule = r;
  return spec;
}

ConnectSpec probability(double p, bool allow_self = true) {
  ConnectSpec spec = rule(Rule::Probability);
  spec.probability = p;
  spec.allow_self = allow_self;
  return spec;
}

// Sorted by (post, pre) strictly (so no duplicates), indices in range, CSR rows and the
// per-presynaptic lists consistent with the synapses.
void expect_valid(const Connectivity& c) {
  ASSERT_EQ(c.pre.size(), c.post.size());
  for (std::size_t s = 0; s < c.size(); ++s) {
    ASSERT_LT(c.pre[s], c.pre_size) << "synapse " << s;
    ASSERT_LT(c.post[s], c.post_size) << "synapse " << s;
    if (s > 0) {
      ASSERT_TRUE(std::pair(c.post[s - 1], c.pre[s - 1]) < std::pair(c.post[s], c.pre[s]))
          << "synapse " << s << " out of order or a duplicate";
    }
  }
  ASSERT_EQ(c.post_offsets.size(), c.post_size + 1);
  ASSERT_EQ(c.post_offsets.front(), 0u);
  ASSERT_EQ(c.post_offsets.back(), c.size());
  for (std::size_t i = 0; i < c.post_size; ++i)
    for (std::size_t s = c.post_offsets[i]; s < c.post_offsets[i + 1]; ++s) ASSERT_EQ(c.post[s], i);
  ASSERT_EQ(c.pre_offsets.size(), c.pre_size + 1);
  ASSERT_EQ(c.outgoing.size(), c.size());
  for (std::size_t j = 0; j < c.pre_size; ++j)
    for (std::size_t k = c.pre_offsets[j]; k < c.pre_offsets[j + 1]; ++k) ASSERT_EQ(c.pre[c.outgoing[k]], j);
}

void expect_binomial(std::size_t count, double pairs, double p) {
  const double mean = pairs * p, sigma = std::sqrt(pairs * p * (1 - p));
  EXPECT_NEAR(static_cast<double>(count), mean, 5 * sigma) << "mean " << mean << ", sigma " << sigma;
}

TEST(NetworkConnectivity, ProbabilityCountWithinBinomialBoundsAndSeeded) {
  const ConnectSpec spec = probability(0.1);
  auto a = build_connectivity(spec, whole(200, 300), 1, "p");
  auto b = build_connectivity(spec, whole(200, 300), 1, "p");
  auto c = build_connectivity(spec, whole(200, 300), 2, "p");
  auto d = build_connectivity(spec, whole(200, 300), 1, "other");  // the stream depends on the projection too
  std::cout << "[ probability 0.1, 200 x 300 ] synapses: seed 1 " << a.size() << ", seed 2 " << c.size()
            << ", seed 1 other name " << d.size() << " (expected 6000 +- 5 x 73.5)\n";
  for (const auto* x : {&a, &c, &d}) {
    expect_valid(*x);
    expect_binomial(x->size(), 200.0 * 300.0, 0.1);
  }
  EXPECT_EQ(a.pre, b.pre);
  EXPECT_EQ(a.post, b.post);
  EXPECT_NE(a.pre, c.pre);
  EXPECT_NE(a.pre, d.pre);
  // Every postsynaptic neuron's in-degree is binomial(200, 0.1) and every presynaptic one's
  // out-degree binomial(300, 0.1): none far out (a generator that fills rows unevenly fails).
  for (std::size_t i = 0; i < 300; ++i) {
    auto in = static_cast<double>(a.post_offsets[i + 1] - a.post_offsets[i]);
    EXPECT_NEAR(in, 20.0, 6 * std::sqrt(200 * 0.1 * 0.9)) << "post " << i;
  }
  for (std::size_t j = 0; j < 200; ++j) {
    auto out = static_cast<double>(a.pre_offsets[j + 1] - a.pre_offsets[j]);
    EXPECT_NEAR(out, 30.0, 6 * std::sqrt(300 * 0.1 * 0.9)) << "pre " << j;
  }
  // p = 0 and p = 1 are exact; p outside [0, 1] is an error.
  EXPECT_EQ(build_connectivity(probability(0.0), whole(200, 300), 1, "p").size(), 0u);
  EXPECT_EQ(build_connectivity(probability(1.0), whole(200, 300), 1, "p").size(), 60000u);
  EXPECT_THROW(build_connectivity(probability(1.5), whole(2, 3), 1, "p"), psst::UserError);
  // p so small that 1 - p rounds to 1: log(1 - p) is still -p (not 0, which would divide
  // by zero), so the expected 4e-14 synapses are none; p just below 1 misses about 1e-8.
  EXPECT_EQ(build_connectivity(probability(1e-20), whole(2000, 2000), 1, "p").size(), 0u);
  EXPECT_EQ(build_connectivity(probability(1.0 - 1e-14), whole(1000, 1000), 1, "p").size(), 1000000u);
}

// The same through a Simulation: the model's seed picks the synapses.
TEST(NetworkConnectivity, SimulationSeedPicksTheSynapses) {
  auto connectivity = [](std::uint64_t seed) {
    psst::ModelBuilder model;
    model.simulation(0.1, 0.01, "euler").seed(seed);
    model.population("A", 200).equations("dV/dt = 0").initial("V", 0.0);
    model.population("B", 300).equations("dV/dt = 0").initial("V", 0.0);
    model.projection("AB", "A", "B").connect(probability(0.1)).on_pre("V_post += 1");
    Simulation simulation(model.build(), reference_backend());
    return simulation.projection("AB").connectivity();
  };
  Connectivity a = connectivity(7), b = connectivity(7), c = connectivity(8);
  expect_valid(a);
  expect_valid(c);
  expect_binomial(a.size(), 60000, 0.1);
  expect_binomial(c.size(), 60000, 0.1);
  EXPECT_EQ(a.pre, b.pre);
  EXPECT_EQ(a.post, b.post);
  EXPECT_NE(a.pre, c.pre);
}

TEST(NetworkConnectivity, SelfConnectionsExcludedOnlyWhenAsked) {
  auto no_self = build_connectivity(probability(0.5, false), whole(100, 100, true), 3, "p");
  expect_valid(no_self);
  for (std::size_t s = 0; s < no_self.size(); ++s) EXPECT_NE(no_self.pre[s], no_self.post[s]);
  expect_binomial(no_self.size(), 100.0 * 99.0, 0.5);
  auto with_self = build_connectivity(probability(0.5, true), whole(100, 100, true), 3, "p");
  std::size_t self = 0;
  for (std::size_t s = 0; s < with_self.size(); ++s) self += with_self.pre[s] == with_self.post[s];
  expect_binomial(self, 100, 0.5);
  // allow_self only concerns a population projecting onto itself.
  auto other = build_connectivity(probability(1.0, false), whole(10, 10, false), 3, "p");
  EXPECT_EQ(other.size(), 100u);

  ConnectSpec all = rule(Rule::AllToAll);
  all.allow_self = false;
  EXPECT_EQ(build_connectivity(all, whole(30, 30, true), 0, "a").size(), 30u * 29u);
  all.allow_self = true;
  EXPECT_EQ(build_connectivity(all, whole(30, 30, true), 0, "a").size(), 900u);

  // Through a Simulation: a population projecting onto itself.
  for (bool allow : {false, true}) {
    psst::ModelBuilder model;
    model.simulation(0.1, 0.01, "euler");
    model.population("N", 50).equations("dV/dt = 0").initial("V", 0.0);
    model.projection("rec", "N", "N").connect(probability(0.5, allow)).on_pre("V_post += 1");
    Simulation simulation(model.build(), reference_backend());
    const auto& c = simulation.projection("rec").connectivity();
    std::size_t n_self = 0;
    for (std::size_t s = 0; s < c.size(); ++s) n_self += c.pre[s] == c.post[s];
    EXPECT_EQ(n_self > 0, allow) << n_self << " self-connections";
  }
}

TEST(NetworkConnectivity, FixedInDegreeGivesExactlyKDistinct) {
  ConnectSpec spec = rule(Rule::FixedInDegree);
  spec.in_degree = 7;
  spec.allow_self = false;
  auto c = build_connectivity(spec, whole(20, 20, true), 5, "k");
  expect_valid(c);
  ASSERT_EQ(c.size(), 140u);
  std::set<std::uint32_t> all_pre;
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(c.post_offsets[i + 1] - c.post_offsets[i], 7u);
    std::set<std::uint32_t> pres;
    for (std::size_t s = c.post_offsets[i]; s < c.post_offsets[i + 1]; ++s) {
      pres.insert(c.pre[s]);
      EXPECT_NE(c.pre[s], i) << "self-connection";
    }
    EXPECT_EQ(pres.size(), 7u);
    all_pre.insert(pres.begin(), pres.end());
  }
  EXPECT_GT(all_pre.size(), 15u);  // not always the same few
  // Between two populations, and all presynaptic neurons: k = pre size.
  spec.in_degree = 40;
  auto d = build_connectivity(spec, whole(40, 25), 5, "k");
  expect_valid(d);
  EXPECT_EQ(d.size(), 1000u);
  spec.in_degree = 20;  // more than the 19 others
  EXPECT_THROW(build_connectivity(spec, whole(20, 20, true), 5, "k"), psst::UserError);
  spec.allow_self = true;
  EXPECT_EQ(build_connectivity(spec, whole(20, 20, true), 5, "k").size(), 400u);
}

TEST(NetworkConnectivity, OneToOneAndAllToAll) {
  auto one = build_connectivity(rule(Rule::OneToOne), whole(10, 10), 0, "o");
  expect_valid(one);
  ASSERT_EQ(one.size(), 10u);
  for (std::size_t s = 0; s < 10; ++s) {
    EXPECT_EQ(one.pre[s], s);
    EXPECT_EQ(one.post[s], s);
  }
  EXPECT_THROW(build_connectivity(rule(Rule::OneToOne), whole(10, 11), 0, "o"), psst::UserError);
  auto all = build_connectivity(rule(Rule::AllToAll), whole(200, 300), 0, "a");
  expect_valid(all);
  ASSERT_EQ(all.size(), 60000u);
  EXPECT_EQ(all.post[0], 0u);
  EXPECT_EQ(all.pre[0], 0u);
  EXPECT_EQ(all.post[1], 0u);
  EXPECT_EQ(all.pre[1], 1u);  // row-major: post 0 gets pre 0, 1, ... first
  EXPECT_EQ(all.post[200], 1u);
  EXPECT_EQ(all.pre[200], 0u);
}

// ---- explicit matrices ------------------------------------------------------------

// rows = post (3), columns = pre (4), as PSST's matrices.
const std::vector<std::vector<double>> matrix = {{0, 0.5, 0, 2}, {1.25, 0, 0, 0}, {0, 0, 0, -3}};
const std::vector<std::uint32_t> matrix_post = {0, 0, 1, 2}, matrix_pre = {1, 3, 0, 3};
const std::vector<double> matrix_weights = {0.5, 2.0, 1.25, -3.0};

// A .npy v1.0 file of float64, written by hand (C or Fortran order).
void write_npy(const std::filesystem::path& path, const std::vector<std::vector<double>>& m, bool fortran) {
  const std::size_t rows = m.size(), cols = m[0].size();
  std::string header = "{'descr': '<f8', 'fortran_order': " + std::string(fortran ? "True" : "False") +
                       ", 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto length = static_cast<std::uint16_t>(header.size());
  const char length_bytes[2] = {static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(length_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (std::size_t a = 0; a < (fortran ? cols : rows); ++a)
    for (std::size_t b = 0; b < (fortran ? rows : cols); ++b) {
      double v = fortran ? m[b][a] : m[a][b];
      out.write(reinterpret_cast<const char*>(&v), sizeof v);  // little-endian hosts (x86, arm64)
    }
}

ConnectSpec matrix_spec(const std::filesystem::path& file) {
  ConnectSpec spec = rule(Rule::Matrix);
  spec.file = file.string();
  spec.matrix_values = "w";
  return spec;
}

TEST(NetworkConnectivity, ExplicitMatrixReproducedExactlyInRowMajorOrder) {
  psst::test::TempDir dir;
  std::ofstream(dir / "m.csv") << "0,0.5,0,2\n1.25,0,0,0\n0,0,0,-3\n";
  write_npy(dir / "m.npy", matrix, false);
  write_npy(dir / "m_fortran.npy", matrix, true);
  for (const char* file : {"m.csv", "m.npy", "m_fortran.npy"}) {
    SCOPED_TRACE(file);
    auto c = build_connectivity(matrix_spec(dir / file), whole(4, 3), 0, "m");
    expect_valid(c);
    EXPECT_EQ(c.post, matrix_post);
    EXPECT_EQ(c.pre, matrix_pre);
    EXPECT_EQ(c.matrix_values, matrix_weights);
  }
  std::ofstream(dir / "bad.csv") << "0,1\n1,0\n";
  try {
    build_connectivity(matrix_spec(dir / "bad.csv"), whole(4, 3), 0, "m");
    FAIL() << "a 2 x 2 matrix accepted for 3 x 4";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is 2 x 2; expected (post = 3) x (pre = 4)"), std::string::npos) << e.what();
  }
  // The transposed matrix (pre x post) is not silently accepted.
  std::ofstream(dir / "transposed.csv") << "0,1.25,0\n0.5,0,0\n0,0,0\n2,0,-3\n";
  EXPECT_THROW(build_connectivity(matrix_spec(dir / "transposed.csv"), whole(4, 3), 0, "m"), psst::UserError);
}

// The matrix's entries become the per-synapse parameter w of a running projection:
// every presynaptic neuron spikes once; on_pre copies w into a synapse variable (read per
// synapse, in synapse order) and adds it to the postsynaptic neuron (row sums).
TEST(NetworkConnectivity, MatrixValuesAreTheSynapseWeightsInARun) {
  psst::test::TempDir dir;
  std::ofstream(dir / "m.csv") << "0,0.5,0,2\n1.25,0,0,0\n0,0,0,-3\n";
  write_npy(dir / "m.npy", matrix, false);
  for (const char* file : {"m.csv", "m.npy"}) {
    SCOPED_TRACE(file);
    psst::ModelBuilder model;
    model.simulation(1.0, 0.01, "euler");
    model.population("src", 4).equations("dV/dt = 1").initial("V", 0.5).threshold("V >= 1");
    model.population("dst", 3).equations("dg/dt = 0").initial("g", 0.0);
    model.projection("m", "src", "dst")
        .connect(matrix_spec(dir / file))
        .equations("ds/dt = 0")
        .initial("s", 0.0)
        .on_pre("s += w\ng_post += w");
    Simulation simulation(model.build(), reference_backend());
    const auto& c = simulation.projection("m").connectivity();
    EXPECT_EQ(c.post, matrix_post);
    EXPECT_EQ(c.pre, matrix_pre);
    simulation.run();
    EXPECT_EQ(simulation.projection("m").state("s"), matrix_weights);
    EXPECT_EQ(simulation.population("dst").state("g"), (std::vector<double>{2.5, 1.25, -3.0}));
  }
}

TEST(NetworkConnectivity, ListRule) {
  ConnectSpec spec = rule(Rule::List);
  spec.pre = {2, 0, 1, 2};
  spec.post = {0, 1, 0, 1};
  auto c = build_connectivity(spec, whole(3, 2), 0, "l");
  expect_valid(c);
  EXPECT_EQ(c.post, (std::vector<std::uint32_t>{0, 0, 1, 1}));
  EXPECT_EQ(c.pre, (std::vector<std::uint32_t>{1, 2, 0, 2}));
  spec.pre = {0, 3};  // pre 3 of 3
  spec.post = {0, 0};
  EXPECT_THROW(build_connectivity(spec, whole(3, 2), 0, "l"), psst::UserError);
  spec.pre = {0, 1};
  spec.post = {0};
  EXPECT_THROW(build_connectivity(spec, whole(3, 2), 0, "l"), psst::UserError);
}

// ---- slices -------------------------------------------------------------------------

TEST(NetworkConnectivity, SlicesConnectOnlyWithinTheSlices) {
  auto sliced = build_connectivity(rule(Rule::AllToAll), {90, 30, 0, 45, 10, 20, false}, 0, "s");
  expect_valid(sliced);
  EXPECT_EQ(sliced.size(), 45u * 10u);
  EXPECT_EQ(sliced.post_offsets.size(), 31u);  // rows for the whole postsynaptic population

  for (Rule r : {Rule::AllToAll, Rule::Probability, Rule::FixedInDegree}) {
    SCOPED_TRACE(static_cast<int>(r));
    psst::ModelBuilder model;
    model.simulation(0.1, 0.01, "euler");
    model.population("PN", 90).equations("dV/dt = 0").initial("V", 0.0);
    model.population("LN", 30).equations("dV/dt = 0").initial("V", 0.0);
    ConnectSpec spec = rule(r);
    spec.probability = 0.5;
    spec.in_degree = 5;
    model.projection("p", "PN[0:45]", "LN[10:20]").connect(spec).on_pre("V_post += 1");
    Simulation simulation(model.build(), reference_backend());
    const auto& c = simulation.projection("p").connectivity();
    expect_valid(c);
    EXPECT_EQ(c.pre_size, 90u);
    EXPECT_EQ(c.post_size, 30u);
    ASSERT_GT(c.size(), 0u);
    std::set<std::uint32_t> posts;
    for (std::size_t s = 0; s < c.size(); ++s) {
      EXPECT_LT(c.pre[s], 45u);
      EXPECT_GE(c.post[s], 10u);
      EXPECT_LT(c.post[s], 20u);
      posts.insert(c.post[s]);
    }
    const std::size_t expected = r == Rule::AllToAll ? 450u : r == Rule::FixedInDegree ? 50u : c.size();
    EXPECT_EQ(c.size(), expected);
    EXPECT_EQ(posts.size(), 10u);  // every neuron of the slice gets synapses (binomial(45, 0.5) > 0)
  }
}

TEST(NetworkConnectivity, InvalidSliceIsAUserErrorNamingIt) {
  auto message = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const psst::UserError& e) {
      return e.what();
    }
    return "(no UserError)";
  };
  psst::ModelBuilder model;
  model.population("PN", 10).equations("dV/dt = -V").initial("V", 0.0);
  model.population("LN", 5).equations("dV/dt = -V").initial("V", 0.0);
  for (const char* bad : {"PN[5:2]", "PN[3:3]", "PN[0:x]", "PN[0:4", "PN[a:4]"}) {
    std::string what = message([&] { model.projection("p", bad, "LN"); });
    EXPECT_NE(what.find(bad), std::string::npos) << bad << ": " << what;
  }
  for (auto [pre, post, named] : {std::tuple{"PN[0:20]", "LN", "PN[0:20]"}, std::tuple{"PN", "LN[2:6]", "LN[2:6]"}}) {
    psst::ModelBuilder m = model;
    m.projection("p", pre, post).on_pre("V_post += 1");
    std::string what = message([&] { Simulation simulation(m.build(), reference_backend()); });
    EXPECT_NE(what.find(named), std::string::npos) << what;
  }
  psst::ModelBuilder ok = model;  // the last neuron is inside: end == size is valid
  ok.projection("p", "PN[5:10]", "LN[0:5]").on_pre("V_post += 1");
  EXPECT_NO_THROW(Simulation(ok.build(), reference_backend()));
}

// ---- memory -------------------------------------------------------------------------

TEST(NetworkConnectivity, MemoryGrowsWithSynapsesNotWithPrePost) {
  auto start = std::chrono::steady_clock::now();
  auto c = build_connectivity(probability(0.001), whole(20000, 20000), 9, "sparse");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_binomial(c.size(), 4e8, 0.001);
  const double per_synapse = static_cast<double>(c.bytes()) / static_cast<double>(c.size());
  std::cout << "[ memory ] p = 0.001, 20000 x 20000: " << c.size() << " synapses, " << c.bytes() << " bytes ("
            << per_synapse << " per synapse), built in " << seconds << " s\n";
  EXPECT_LT(per_synapse, 32.0);
  EXPECT_LT(seconds, 20.0);
  expect_valid(c);

  // 1e6 x 1e6 pairs (1e12): only a generator whose cost follows the synapses finishes.
  start = std::chrono::steady_clock::now();
  auto huge = build_connectivity(probability(2e-6), whole(1000000, 1000000), 9, "huge");
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  expect_binomial(huge.size(), 1e12, 2e-6);
  const double huge_per_synapse = static_cast<double>(huge.bytes()) / static_cast<double>(huge.size());
  std::cout << "[ memory ] p = 2e-6, 1e6 x 1e6: " << huge.size() << " synapses, " << huge_per_synapse
            << " bytes per synapse, built in " << seconds << " s\n";
  EXPECT_LT(huge_per_synapse, 32.0);
  EXPECT_LT(seconds, 30.0);
}

}  // namespace
