#include "graph/scheme.hpp"

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::graph {

namespace {

const std::vector<Scheme>& schemes() {
  static const std::vector<Scheme> all = {
      {"euler", "explicit (forward) Euler: x += dt f(x, t)", Scheme::Kind::RungeKutta, 1, {{0.0, 0.0, 1.0}}, 1.0,
       true},
      // Brian2's "heun": x* = x + dt f(x) + g(x) dW; x += dt/2 (f(x) + f(x*)) + dW/2 (g(x) + g(x*)),
      // with dW = sqrt(dt) N the same in both stages (xi = N / sqrt(dt) held over the step).
      {"heun", "Heun (trapezoidal RK2; stochastic Heun with noise): x += dt/2 (f(x, t) + f(x + dt f(x, t), t + dt))",
       Scheme::Kind::RungeKutta, 2, {{0.0, 0.0, 1.0}, {1.0, 1.0, 1.0}}, 2.0, true},
      {"rk2", "midpoint Runge-Kutta: x += dt f(x + dt/2 f(x, t), t + dt/2)", Scheme::Kind::RungeKutta, 2,
       {{0.0, 0.0, 0.0}, {0.5, 0.5, 1.0}}, 1.0},
      {"rk4", "classic Runge-Kutta: stages at t, t+dt/2, t+dt/2, t+dt; x += dt/6 (k1 + 2 k2 + 2 k3 + k4)",
       Scheme::Kind::RungeKutta, 4, {{0.0, 0.0, 1.0}, {0.5, 0.5, 2.0}, {0.5, 0.5, 2.0}, {1.0, 1.0, 1.0}}, 6.0},
      {"exponential_euler",
       "exponential Euler for conditionally linear equations dx/dt = A + B x: x += (A + B x) (exp(B dt) - 1)/B",
       Scheme::Kind::ExponentialEuler, 1, {{0.0, 0.0, 1.0}}, 1.0},
  };
  return all;
}

}  // namespace

std::vector<std::string> scheme_names() {
  std::vector<std::string> names;
  for (const auto& s : schemes()) names.push_back(s.name);
  return names;
}

const Scheme& find_scheme(const std::string& name) {
  std::string canonical = name;
  if (name == "midpoint") canonical = "rk2";
  if (name == "exp_euler" || name == "exponential-euler") canonical = "exponential_euler";
  for (const auto& s : schemes())
    if (s.name == canonical) return s;
  throw UserError(fmt::format("unknown integration method '{}'; valid methods are euler, heun, rk2 (midpoint), rk4, "
                              "exponential_euler",
                              name));
}

}  // namespace psst::graph
