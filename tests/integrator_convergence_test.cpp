// Convergence orders of the integration schemes against exact solutions
// (after odeint's runge_kutta tests): the slope of log(error) against log(dt).
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace {

using psst::ModelBuilder;
using psst::run::RunOverrides;
using psst::run::Simulation;

struct OdeCase {
  std::string equations;
  double y0, t_end;
  double (*exact)(double t);
};

double run_to_end(const OdeCase& c, const std::string& method, double dt, const std::string& backend) {
  ModelBuilder model;
  model.simulation(c.t_end, dt, method);
  model.population("ode", 1).equations(c.equations).initial("y", c.y0);
  RunOverrides overrides;
  overrides.backend = backend;
  Simulation simulation(model.build(), overrides);
  simulation.run();
  return simulation.population("ode").state("y")[0];
}

// Least-squares slope of log(error) over log(dt).
double observed_order(const OdeCase& c, const std::string& method, const std::string& backend,
                      const std::vector<double>& dts) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (double dt : dts) {
    double error = std::fabs(run_to_end(c, method, dt, backend) - c.exact(c.t_end));
    double x = std::log(dt), y = std::log(error);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  double n = static_cast<double>(dts.size());
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

const OdeCase decay{"dy/dt = -y", 1.0, 1.0, [](double t) { return std::exp(-t); }};
const OdeCase logistic{"dy/dt = y * (1 - y)", 0.1, 2.0, [](double t) { return 1.0 / (1.0 + 9.0 * std::exp(-t)); }};
// Time-dependent right-hand side: order 4 only if the stage times are t, t+dt/2, t+dt/2, t+dt.
const OdeCase forced{"dy/dt = cos(t) * y", 1.0, 2.0, [](double t) { return std::exp(std::sin(t)); }};
// Conditionally linear with a time-dependent coefficient, for exponential Euler.
const OdeCase linear_in_time{"dy/dt = -(1 + t) * y + 1", 0.5, 1.0, nullptr};

class Convergence : public ::testing::TestWithParam<std::string> {};

TEST_P(Convergence, EulerIsFirstOrder) {
  const std::vector<double> dts{0.02, 0.01, 0.005, 0.0025};
  for (const auto* c : {&decay, &logistic, &forced}) EXPECT_NEAR(observed_order(*c, "euler", GetParam(), dts), 1.0, 0.05);
}

TEST_P(Convergence, MidpointIsSecondOrder) {
  const std::vector<double> dts{0.02, 0.01, 0.005, 0.0025};
  for (const auto* c : {&decay, &logistic, &forced}) EXPECT_NEAR(observed_order(*c, "rk2", GetParam(), dts), 2.0, 0.05);
}

TEST_P(Convergence, ClassicRungeKuttaIsFourthOrder) {
  const std::vector<double> dts{0.2, 0.1, 0.05, 0.025};
  for (const auto* c : {&decay, &logistic, &forced}) EXPECT_NEAR(observed_order(*c, "rk4", GetParam(), dts), 4.0, 0.1);
}

TEST_P(Convergence, ExponentialEulerIsExactOnLinearDecayAndFirstOrderOtherwise) {
  EXPECT_NEAR(run_to_end(decay, "exponential_euler", 0.1, GetParam()), std::exp(-1.0), 1e-15);
  // No closed form for linear_in_time: compare with RK4 at a tiny step.
  double reference = run_to_end(linear_in_time, "rk4", 1e-4, GetParam());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (double dt : {0.02, 0.01, 0.005, 0.0025}) {
    double error = std::fabs(run_to_end(linear_in_time, "exponential_euler", dt, GetParam()) - reference);
    double x = std::log(dt), y = std::log(error);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  EXPECT_NEAR((4 * sxy - sx * sy) / (4 * sxx - sx * sx), 1.0, 0.05);
}

TEST_P(Convergence, ExponentialEulerRefusesNonlinearEquationsAndSaysWhy) {
  try {
    run_to_end(logistic, "exponential_euler", 0.1, GetParam());
    FAIL() << "exponential Euler accepted dy/dt = y (1 - y)";
  } catch (const psst::UserError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("exponential Euler cannot integrate dy/dt"), std::string::npos) << message;
    EXPECT_NE(message.find("multiplied by an expression that also depends on it"), std::string::npos) << message;
  }
}

// PSST's benchmark ODE (paper Fig. 2b): dx/dt = sin(x t), x(0) spread over [0, 1], t in [0, 5].
TEST_P(Convergence, PsstBenchmarkOdeMatchesAFinerRk4Run) {
  auto run = [&](double dt, const std::string& method) {
    ModelBuilder model;
    model.simulation(5.0, dt, method);
    model.population("x", 11).equations("dx/dt = sin(x * t)").initial_expression("x", "i / (N - 1)");
    RunOverrides overrides;
    overrides.backend = GetParam();
    Simulation simulation(model.build(), overrides);
    simulation.run();
    return simulation.population("x").state("x");
  };
  auto fine = run(0.0001, "rk4");
  auto rk4 = run(0.01, "rk4");
  auto euler = run(0.01, "euler");
  double rk4_error = 0, euler_error = 0;
  for (std::size_t i = 0; i < fine.size(); ++i) {
    rk4_error = std::max(rk4_error, std::fabs(rk4[i] - fine[i]));
    euler_error = std::max(euler_error, std::fabs(euler[i] - fine[i]));
  }
  EXPECT_LT(rk4_error, 1e-8);
  EXPECT_GT(euler_error, 1e-5);              // the comparison is sensitive enough to see a worse method
  EXPECT_LT(fine[10], 0.9);                  // x(0) = 1 has moved: the run did something
  EXPECT_NEAR(fine[0], 0.0, 0.0);            // x(0) = 0 stays 0 exactly
}

INSTANTIATE_TEST_SUITE_P(Backends, Convergence, ::testing::ValuesIn(psst::test::backends()));

}  // namespace
