#pragma once
// psst's model description (model::NetworkSpec) as an opaque Python object with
// what Python needs to see of it: populations, records, simulation settings.
#include <pybind11/pybind11.h>

namespace psst::python {

void bind_spec(pybind11::module_& m);

}  // namespace psst::python
