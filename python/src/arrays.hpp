#pragma once
// std::vector -> NumPy array without a copy: the vector moves into a capsule
// that the array owns.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>
#include <vector>

namespace psst::python {

template <typename T>
pybind11::array_t<T> to_numpy(std::vector<T> values, std::vector<pybind11::ssize_t> shape = {}) {
  auto* owned = new std::vector<T>(std::move(values));
  pybind11::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  if (shape.empty()) shape.push_back(static_cast<pybind11::ssize_t>(owned->size()));
  return pybind11::array_t<T>(shape, owned->data(), owner);
}

}  // namespace psst::python
