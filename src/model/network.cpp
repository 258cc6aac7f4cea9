#include "model/network.hpp"

namespace psst::model {

const PopulationSpec* NetworkSpec::find_population(const std::string& name) const {
  for (const auto& p : populations)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace psst::model
