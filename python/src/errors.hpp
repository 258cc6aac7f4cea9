#pragma once
#include <pybind11/pybind11.h>

namespace psst::python {

// Translates psst::UserError into psst.ModelError and psst::InternalError into RuntimeError.
void register_errors();

}  // namespace psst::python
