// Builds a model in C++ with psst's API (no model file): two leaky HH-like
// neurons, the first driven by a current, coupled by an event-driven synapse.
// Prints the spike times of both.
#include <cstdio>

#include <psst/psst.hpp>

int main() {
  psst::ModelBuilder model;
  model.simulation(100.0, 0.01, "rk4");
  model.population("cells", 2)
      .equations(R"(
        dV/dt = (I - g_L * (V - E_L) - g * (V - E_syn)) / C_m
        dg/dt = -g / tau_syn
      )")
      .parameter("I", std::vector<double>{2.0, 0.0})
      .parameter("g_L", 0.1).parameter("E_L", -65.0).parameter("C_m", 1.0)
      .parameter("E_syn", 0.0).parameter("tau_syn", 2.0)
      .initial("V", -65.0).initial("g", 0.0)
      .threshold("V >= -50");
  model.projection("excite", "cells[0:1]", "cells[1:2]")
      .connect({})  // all to all
      .on_pre("g_post += 0.5")
      .delay(1.0);
  psst::run::Simulation simulation(model.build(), {});
  struct Printer : psst::run::StepObserver {
    void on_step(const psst::run::Simulation& sim, std::int64_t step,
                 const std::vector<std::vector<std::size_t>>& spikes) override {
      for (std::size_t neuron : spikes[0]) std::printf("spike neuron %zu at %.2f ms\n", neuron, (step - 1) * sim.dt());
    }
  } printer;
  simulation.add_observer(&printer);
  simulation.run();
  std::printf("V of neuron 1 at the end: %.3f mV\n", simulation.population("cells").state("V")[1]);
  return 0;
}
