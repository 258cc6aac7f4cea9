#include "reader.hpp"

#include <utility>

namespace py = pybind11;

namespace psst::python {

namespace {

struct ReadOnlyFile {
  io::Hdf5File file;
  bool closed = false;
};

}  // namespace

py::dict root_attributes(const io::Hdf5File& file) {
  py::dict attributes;
  for (const char* name : {"dt", "duration", "record_every", "checkpoint_every"})
    if (file.has_attribute("/", name)) attributes[name] = file.get_attribute_double("/", name);
  for (const char* name : {"steps", "seed", "instances"})
    if (file.has_attribute("/", name)) attributes[name] = file.get_attribute_int64("/", name);
  for (const char* name : {"method", "precision", "backend", "model_file", "model", "overrides", "input_files",
                           "psst_version"})
    if (file.has_attribute("/", name)) attributes[name] = file.get_attribute_string("/", name);
  return attributes;
}

void bind_file(py::module_& m) {
  py::class_<ReadOnlyFile> cls(m, "File", "An output file opened read-only (use psst.open).");
  cls.def(py::init([](const std::string& path) { return ReadOnlyFile{io::Hdf5File::open_read_only(path)}; }),
          py::arg("path"))
      .def_property_readonly("path", [](const ReadOnlyFile& f) { return f.file.path(); })
      .def("close", [](ReadOnlyFile& f) {
        if (!f.closed) f.file.close();
        f.closed = true;
      });
  bind_reader_methods(cls, [](ReadOnlyFile& f) -> io::Hdf5File& {
    if (f.closed) throw py::value_error("the file " + f.file.path() + " is closed");
    return f.file;
  });
}

}  // namespace psst::python
