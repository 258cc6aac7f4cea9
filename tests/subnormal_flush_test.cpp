// Stored state below the smallest normal number of the kernel's precision is
// stored as a zero of the same sign (docs/model-files.md, "Numerics"), so that
// a geometric decay ends at exactly 0 instead of living on in subnormals, on
// every backend alike.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "graph/element_kernels.hpp"
#include "graph/scheme.hpp"
#include "lang/model_file.hpp"
#include "math/functions.hpp"
#include "test_support.hpp"

namespace {

using psst::graph::Op;
using psst::graph::Precision;

// Same bits (so +0 and -0 differ, and a NaN equals itself).
template <class T>
void expect_same_bits(T expected, T actual) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  EXPECT_EQ(std::bit_cast<Bits>(expected), std::bit_cast<Bits>(actual)) << expected << " vs " << actual;
}

template <class T>
void check_edge_values(T min_normal) {
  using limits = std::numeric_limits<T>;
  const T below = std::nextafter(min_normal, T(0));  // the largest subnormal
  for (T sign : {T(1), T(-1)}) {
    expect_same_bits(sign * min_normal, psst::math::flush_subnormal(sign * min_normal));  // stays
    expect_same_bits(sign * T(0), psst::math::flush_subnormal(sign * (min_normal / 2)));  // -> zero of its sign
    expect_same_bits(sign * T(0), psst::math::flush_subnormal(sign * below));
    expect_same_bits(sign * T(0), psst::math::flush_subnormal(sign * limits::denorm_min()));
    expect_same_bits(sign * T(0), psst::math::flush_subnormal(sign * T(0)));
    expect_same_bits(sign * limits::infinity(), psst::math::flush_subnormal(sign * limits::infinity()));
    expect_same_bits(sign * limits::max(), psst::math::flush_subnormal(sign * limits::max()));
    expect_same_bits(sign * T(1), psst::math::flush_subnormal(sign * T(1)));
  }
  const T nan = limits::quiet_NaN();
  expect_same_bits(nan, psst::math::flush_subnormal(nan));
  expect_same_bits(-nan, psst::math::flush_subnormal(-nan));
}

TEST(FlushSubnormal, DoubleEdgeValues) { check_edge_values<double>(0x1p-1022); }

TEST(FlushSubnormal, FloatEdgeValues) { check_edge_values<float>(0x1p-126f); }

// graph::apply is the semantics of the IR: in a single-precision kernel the
// limit is float32's smallest normal, which is a normal double.
TEST(FlushSubnormal, ApplyInTheKernelsPrecision) {
  const double tiny_float = 0x1p-127;  // subnormal in float32, normal in float64
  expect_same_bits(tiny_float, psst::graph::apply(Op::FlushSubnormal, tiny_float, 0.0, 0.0, Precision::Double));
  expect_same_bits(-0.0, psst::graph::apply(Op::FlushSubnormal, -tiny_float, 0.0, 0.0, Precision::Single));
  expect_same_bits(0x1p-126, psst::graph::apply(Op::FlushSubnormal, 0x1p-126, 0.0, 0.0, Precision::Single));
  expect_same_bits(0.0, psst::graph::apply(Op::FlushSubnormal, 0x1p-1023, 0.0, 0.0, Precision::Double));
}

// Every store of x in every kernel of every method is written by a flush; the
// stage derivatives and sums (k, acc) are not flushed (see element_kernels.cpp).
TEST(FlushSubnormal, TheStateOfEveryStepIsFlushed) {
  auto spec = psst::lang::parse_model_text(
      "[simulation]\ndt = 0.1\n[populations.p]\nsize = 1\nequations = \"\"\"\ndx/dt = -x / tau + y\n"
      "dy/dt = -y / tau\n\"\"\"\ninitial = { x = 1.0, y = 1.0 }\nparameters = { tau = 1.0 }\n",
      "flush.toml", ".");
  const psst::graph::EquationSystem system(spec.populations.at(0));
  for (const char* method : {"euler", "rk2", "rk4", "exponential_euler"}) {
    SCOPED_TRACE(method);
    auto kernels = psst::graph::build_population_kernels(system, psst::graph::find_scheme(method), nullptr);
    std::vector<psst::graph::Program> programs = kernels.stages;
    if (kernels.step) programs.push_back(*kernels.step);
    std::size_t stores = 0;
    for (const auto& program : programs) {
      std::vector<Op> written(static_cast<std::size_t>(program.register_count), Op::Constant);
      for (const auto& in : program.code) {
        if (in.op != Op::Store) {
          written[static_cast<std::size_t>(in.dst)] = in.op;
          continue;
        }
        const std::string& slot = program.outputs[static_cast<std::size_t>(in.slot)];
        SCOPED_TRACE(program.name + " " + slot);
        const bool state = slot.rfind("x.", 0) == 0;
        stores += state ? 1 : 0;
        EXPECT_EQ(written[static_cast<std::size_t>(in.a)] == Op::FlushSubnormal, state) << program.to_string();
      }
    }
    EXPECT_GE(stores, 2u);
  }
}

// x of dx/dt = -x / tau, every step: 30000 steps of dt = tau / 40 take x from 1
// to about e^-750, below the smallest subnormal. While x is below 4 times the
// smallest normal, -x / tau is subnormal: were it flushed (stage derivatives of
// RK schemes), x would stay there.
std::vector<double> decay(const std::string& backend, const std::string& method, const std::string& precision) {
  auto spec = psst::lang::parse_model_text(
      "[simulation]\nduration = 3000.0\ndt = 0.1\nmethod = \"" + method + "\"\nprecision = \"" + precision +
          "\"\n[populations.decay]\nsize = 2\nequations = \"dx/dt = -x / tau\"\n"
          "initial = { x = [1.0, -1.0] }\nparameters = { tau = 4.0 }\n",
      "decay.toml", ".");
  psst::run::RunOverrides overrides;
  overrides.backend = backend;
  psst::run::Simulation simulation(spec, overrides);
  std::vector<double> trace;
  auto& population = *simulation.populations().front();
  while (simulation.step() < simulation.total_steps()) {
    simulation.run_until_step(simulation.step() + 1);
    for (double x : population.state("x")) trace.push_back(x);
  }
  return trace;
}

class FlushSubnormalRun : public ::testing::TestWithParam<std::string> {};

// Without the flush, x gets stuck at a few times the smallest subnormal (where
// x dt / tau is below half its last place) and stays there for ever.
TEST_P(FlushSubnormalRun, GeometricDecayEndsAtZeroOnEveryBackend) {
  for (const char* precision : {"double", "single"})
    for (const char* method : {"euler", "rk2", "rk4", "exponential_euler"}) {
      SCOPED_TRACE(std::string(method) + ", " + precision);
      const double min_normal = std::string(precision) == "single" ? 0x1p-126 : 0x1p-1022;
      std::vector<double> trace = decay(GetParam(), method, precision);
      ASSERT_EQ(trace.size(), 60000u);
      for (double x : trace) ASSERT_TRUE(x == 0.0 || std::fabs(x) >= min_normal) << "stored " << x;
      EXPECT_EQ(trace[trace.size() - 2], 0.0);
      EXPECT_EQ(trace[trace.size() - 1], 0.0);
      // The flush keeps the sign: neuron 1 (x0 = -1) first reaches -0 (which the
      // next step's x + dt * (+0) turns into +0, as IEEE arithmetic does).
      std::size_t first_zero = 1;
      while (first_zero < trace.size() && trace[first_zero] != 0.0) first_zero += 2;
      ASSERT_LT(first_zero, trace.size());
      expect_same_bits(-0.0, trace[first_zero]);
      if (GetParam() != "reference") {
        std::vector<double> reference = decay("reference", method, precision);
        for (std::size_t k = 0; k < trace.size(); ++k)
          ASSERT_EQ(std::bit_cast<std::uint64_t>(trace[k]), std::bit_cast<std::uint64_t>(reference[k])) << "value " << k;
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, FlushSubnormalRun, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
