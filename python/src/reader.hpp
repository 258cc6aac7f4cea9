#pragma once
// Reading an output file from Python: the datasets as NumPy arrays (moved, not
// copied) and the root attributes as a dict. Bound on psst's File (a closed run's
// file, read-only) and on the live Session (its own file, flushed first).
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "io/hdf5_file.hpp"

namespace psst::python {

// The attributes of `/` that psst writes (docs/output.md), those present.
pybind11::dict root_attributes(const io::Hdf5File& file);

template <typename Class, typename Get>
void bind_reader_methods(Class& cls, Get get) {
  using Self = typename Class::type;
  namespace py = pybind11;
  cls.def("read_double", [get](Self& self, const std::string& path) {
       return to_numpy(get(self).read_vector_double(path));
     }, py::arg("path"), "A 1-D dataset as float64.")
      .def("read_int64", [get](Self& self, const std::string& path) {
        return to_numpy(get(self).read_vector_int64(path));
      }, py::arg("path"), "A 1-D integer dataset as int64.")
      .def("read_matrix", [get](Self& self, const std::string& path) {
        io::Matrix m = get(self).read_matrix_double(path);
        return to_numpy(std::move(m.values),
                        {static_cast<py::ssize_t>(m.rows), static_cast<py::ssize_t>(m.cols)});
      }, py::arg("path"), "A 2-D dataset as float64 (rows x columns).")
      .def("exists", [get](Self& self, const std::string& path) { return get(self).exists(path); }, py::arg("path"))
      .def("attributes", [get](Self& self) { return root_attributes(get(self)); }, "The attributes of `/`.");
}

// psst.File's compiled half: an output file opened read-only.
void bind_file(pybind11::module_& m);

}  // namespace psst::python
