#include "errors.hpp"

#include "model/error.hpp"

namespace py = pybind11;

namespace psst::python {

// psst's user errors become psst.ModelError (psst/errors.py): a ValueError with
// the CLI's message and .file, .line, .column.
void register_errors() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UserError& e) {
      py::object cls = py::module_::import("psst.errors").attr("ModelError");
      const SourceLocation& where = e.where();
      py::object error = cls(e.what(), where.file.empty() ? py::object(py::none()) : py::cast(where.file),
                             where.line, where.column);
      PyErr_SetObject(cls.ptr(), error.ptr());
    } catch (const InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
}

}  // namespace psst::python
