#include "spec.hpp"

#include <pybind11/stl.h>

#include <algorithm>

#include "graph/element_kernels.hpp"
#include "model/network.hpp"
#include "run/simulation.hpp"

namespace py = pybind11;
using psst::model::NetworkSpec;

namespace psst::python {

namespace {

py::dict simulation_settings(const NetworkSpec& spec) {
  const auto& s = spec.simulation;
  py::dict d;
  d["duration"] = s.duration;
  d["dt"] = s.dt;
  d["method"] = s.method;
  d["seed"] = s.seed;
  d["record_every"] = s.record_every;
  d["precision"] = s.precision;
  return d;
}

py::list records(const NetworkSpec& spec) {
  py::list out;
  for (const auto& r : spec.records) {
    py::dict d;
    d["population"] = r.population;
    d["variables"] = r.variables;
    d["neurons"] = r.neurons ? py::cast(*r.neurons) : py::object(py::none());
    d["spikes"] = r.spikes;
    out.append(d);
  }
  return out;
}

// Replaces the record request of `population` (or adds one).
void set_record(NetworkSpec& spec, const std::string& population, std::vector<std::string> variables,
                std::optional<std::vector<std::size_t>> neurons, bool spikes) {
  std::erase_if(spec.records, [&](const model::RecordSpec& r) { return r.population == population; });
  model::RecordSpec r;
  r.population = population;
  r.variables = std::move(variables);
  r.neurons = std::move(neurons);
  r.spikes = spikes;
  r.where = {"<python>", 0, 0};
  spec.records.push_back(std::move(r));
}

// Each population's equations as psst compiled them (what `psst check` prints).
py::list describe(const NetworkSpec& spec) {
  run::RunOverrides o;
  o.compile_kernels = false;
  o.duration = 0.0;
  run::Simulation simulation(spec, o);
  py::list out;
  for (const auto& p : simulation.populations()) {
    const auto& system = p->system();
    py::dict d;
    d["name"] = p->name();
    d["size"] = p->size();
    d["state_variables"] = system.state_variables();
    d["definitions"] = system.definitions();
    py::dict parameters;
    for (const auto& name : system.parameters()) {
      const auto& values = p->parameter(name);
      parameters[py::str(name)] = values.size() == 1 ? py::cast(values[0]) : py::cast(values);
    }
    d["parameters"] = parameters;
    // psst's IR of the population's kernels: the fused step where there is one, else each stage.
    const auto& programs = p->programs();
    py::list ir;
    if (programs.step) ir.append(programs.step->to_string());
    for (const auto& stage : programs.stages) ir.append(stage.to_string());
    if (programs.has_threshold) ir.append(programs.threshold.to_string());
    d["ir"] = ir;
    out.append(d);
  }
  return out;
}

}  // namespace

void bind_spec(py::module_& m) {
  py::class_<NetworkSpec>(m, "Spec", "A parsed model (use psst.Model).")
      .def_property_readonly("source_file", [](const NetworkSpec& s) { return s.source_file; })
      .def_property_readonly("source_text", [](const NetworkSpec& s) { return s.source_text; })
      .def_property_readonly("simulation", &simulation_settings)
      .def_property_readonly("records", &records)
      .def_property_readonly("populations",
                             [](const NetworkSpec& s) {
                               py::list out;
                               for (const auto& p : s.populations) out.append(py::make_tuple(p.name, p.size));
                               return out;
                             })
      .def_property_readonly("projections",
                             [](const NetworkSpec& s) {
                               py::list out;
                               for (const auto& p : s.projections) out.append(py::make_tuple(p.name, p.pre, p.post));
                               return out;
                             })
      .def("set_record", &set_record, py::arg("population"), py::arg("variables"), py::arg("neurons"),
           py::arg("spikes"))
      .def("describe", &describe, "Populations with their state variables, definitions and parameters.");
}

}  // namespace psst::python
