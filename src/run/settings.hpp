#pragma once
// Parameter settings given outside the model file: `--set POP.NAME=VALUE` on
// the command line (and, later, keyword arguments of the Python API). Each
// gives an existing parameter of a population or projection a new constant
// value. They are part of the run's model: RunOverrides::sets carries them,
// the Simulation applies them, the output file stores them (attribute
// `overrides`, docs/output.md) and `psst resume` applies them again.
#include <string>
#include <vector>

#include "model/network.hpp"

namespace psst::run {

struct ParameterSetting {
  std::string owner;  // population or projection
  std::string name;   // one of its parameters
  double value = 0.0;

  // "POP.NAME=VALUE", the value in the shortest form that reads back to the same double.
  std::string text() const;
  bool operator==(const ParameterSetting&) const = default;
};

// Reads "POP.NAME=VALUE"; a UserError names the text and shows what is expected.
ParameterSetting parse_setting(const std::string& text);

// The spec with the settings applied in order. A UserError names the setting,
// and the populations and projections, or the parameters, that exist.
model::NetworkSpec apply_settings(model::NetworkSpec spec, const std::vector<ParameterSetting>& settings);

}  // namespace psst::run
