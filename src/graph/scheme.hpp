#pragma once
// Integration schemes as data (after Brian2's state updaters and odeint's
// Butcher tableaus). A Runge-Kutta scheme here is "diagonal": stage s
// evaluates f at x_n + a_s dt k_{s-1}, time t_n + c_s dt; then
//   x_{n+1} = x_n + (dt / denominator) * sum_s b_s k_s.
// Exponential Euler instead needs each dx/dt = A + B x with A, B independent
// of x (conditionally linear), and updates x <- x + (A + B x) (exp(B dt) - 1) / B.
#include <string>
#include <vector>

namespace psst::graph {

struct Scheme {
  enum class Kind { RungeKutta, ExponentialEuler };
  struct Stage {
    double time_fraction = 0.0;    // c_s: the stage is evaluated at t_n + c_s dt
    double previous_weight = 0.0;  // a_s: stage state x_n + a_s dt k_{s-1}
    double weight = 0.0;           // b_s
  };
  std::string name;
  std::string description;
  Kind kind = Kind::RungeKutta;
  int order = 1;
  std::vector<Stage> stages;
  double denominator = 1.0;
  // Whether it integrates white noise (xi, drawn once per step and held over the stages):
  // Euler as Euler-Maruyama (Ito), Heun as stochastic Heun (Stratonovich).
  bool integrates_noise = false;
};

// "euler", "heun", "rk2", "rk4", "exponential_euler" (aliases: "midpoint", "exp_euler").
// Throws UserError naming the valid methods.
const Scheme& find_scheme(const std::string& name);
std::vector<std::string> scheme_names();

}  // namespace psst::graph
