// _psst: the compiled half of the `psst` Python package (python/psst/ is the
// other half). It wraps the model reader, a simulation session and the HDF5
// reader; the Pythonic API (psst.Model, psst.Simulation, psst.open) is in Python.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <optional>
#include <string>

#include "arrays.hpp"
#include "backend/cpu/compiler.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "errors.hpp"
#include "lang/model_file.hpp"
#include "reader.hpp"
#include "session.hpp"
#include "spec.hpp"
#include "version.hpp"

namespace py = pybind11;
using psst::python::Session;

namespace {

// The generated C++ of every kernel, as `psst codegen` prints it.
std::string codegen(const psst::model::NetworkSpec& spec) {
  psst::run::RunOverrides o;
  o.backend = "cpu";
  o.compile_kernels = false;
  o.duration = 0.0;
  psst::run::Simulation simulation(spec, o);
  auto* cpu = dynamic_cast<psst::backend::cpu::CpuBackend*>(&simulation.backend());
  if (!cpu) throw psst::InternalError("codegen: the simulation did not use the cpu backend");
  return cpu->source();
}

std::unique_ptr<Session> make_session(const psst::model::NetworkSpec& spec, const py::dict& settings) {
  psst::run::RunOverrides o;
  psst::python::SessionOptions options;
  for (auto [key, value] : settings) {
    if (value.is_none()) continue;
    const auto name = key.cast<std::string>();
    if (name == "duration") o.duration = value.cast<double>();
    else if (name == "dt") o.dt = value.cast<double>();
    else if (name == "record_every") o.record_every = value.cast<double>();
    else if (name == "method") o.method = value.cast<std::string>();
    else if (name == "seed") o.seed = value.cast<std::uint64_t>();
    else if (name == "instances") o.instances = value.cast<std::size_t>();
    else if (name == "backend") options.backend = value.cast<std::string>();
    else if (name == "threads") options.threads = value.cast<int>();
    else if (name == "precision") options.precision = value.cast<std::string>();
    else if (name == "out") options.out = value.cast<std::string>();
    else if (name == "overwrite") options.overwrite = value.cast<bool>();
    else if (name == "cache_dir") options.cache_dir = value.cast<std::string>();
    else throw py::type_error("unknown simulation setting '" + name + "'");
  }
  return std::make_unique<Session>(spec, o, options);
}

void bind_session(py::module_& m) {
  py::class_<Session> session(m, "Session", "A simulation writing to an HDF5 file (use psst.Simulation).");
  session.def(py::init(&make_session), py::arg("spec"), py::arg("settings"))
      .def_property_readonly("dt", &Session::dt)
      .def_property_readonly("step", &Session::step)
      .def_property_readonly("total_steps", &Session::total_steps)
      .def_property_readonly("backend", &Session::backend_name)
      .def_property_readonly("out", [](const Session& s) { return s.out().string(); })
      .def_property_readonly("spec", [](const Session& s) { return s.spec(); })
      .def("prepare", &Session::prepare, py::arg("end_step"))
      .def("advance", &Session::advance, py::arg("last_step"), py::call_guard<py::gil_scoped_release>(),
           "Runs to `last_step` without the GIL; returns the steps done.")
      .def("set", &Session::set, py::arg("owner"), py::arg("name"), py::arg("value"))
      .def("checkpoint", &Session::checkpoint)
      .def("flush", &Session::flush)
      .def("current_state", [](const Session& s, const std::string& population, const std::string& variable) {
        return psst::python::to_numpy(s.current_state(population, variable));
      });
  psst::python::bind_reader_methods(session, [](Session& s) -> psst::io::Hdf5File& {
    s.flush();
    return s.file();
  });
}

}  // namespace

PYBIND11_MODULE(_psst, m) {
  m.doc() = "psst's compiled core; use the `psst` package.";
  m.attr("__version__") = std::string(psst::version);
  psst::python::register_errors();
  psst::python::bind_spec(m);
  psst::python::bind_file(m);
  bind_session(m);
  m.def("read_model", [](const std::string& path) { return psst::lang::read_model_file(path); }, py::arg("path"),
        "Reads a model file (TOML).");
  m.def("parse_model", &psst::lang::parse_model_text, py::arg("text"), py::arg("file_name"), py::arg("base_dir"),
        "Reads model text as if from `file_name`; relative paths resolve against `base_dir`.");
  m.def("codegen", &codegen, py::arg("spec"), "The generated C++ of every kernel (psst codegen).");
  m.def("total_compilations", &psst::backend::cpu::Compiler::total_compilations,
        "Compiler processes started in this process (0 more after a kernel-cache hit).");
}
