#include "run/settings.hpp"

#include <charconv>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace psst::run {

namespace {

using Parameters = std::map<std::string, model::ValueSpec>;

// The parameters of the population or projection `owner`, or a UserError listing the names there are.
Parameters& parameters_of(model::NetworkSpec& spec, const ParameterSetting& setting) {
  std::vector<std::string> owners;
  for (auto& p : spec.populations) {
    if (p.name == setting.owner) return p.parameters;
    owners.push_back(p.name);
  }
  for (auto& p : spec.projections) {
    if (p.name == setting.owner) return p.parameters;
    owners.push_back(p.name);
  }
  throw UserError(fmt::format("--set '{}': there is no population or projection '{}'; the model has {}",
                              setting.text(), setting.owner, fmt::join(owners, ", ")));
}

}  // namespace

std::string ParameterSetting::text() const { return fmt::format("{}.{}={}", owner, name, value); }

ParameterSetting parse_setting(const std::string& text) {
  const auto dot = text.find('.'), equals = text.find('=');
  if (dot == std::string::npos || equals == std::string::npos || dot > equals || dot == 0 || equals == dot + 1)
    throw UserError(fmt::format("--set '{}': expected POP.NAME=VALUE, e.g. --set PN.g_Na=90", text));
  ParameterSetting setting{text.substr(0, dot), text.substr(dot + 1, equals - dot - 1), 0.0};
  const std::string number = text.substr(equals + 1);
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), setting.value);
  if (number.empty() || error != std::errc() || end != number.data() + number.size())
    throw UserError(fmt::format("--set '{}': '{}' is not a number", text, number));
  return setting;
}

model::NetworkSpec apply_settings(model::NetworkSpec spec, const std::vector<ParameterSetting>& settings) {
  for (const auto& setting : settings) {
    Parameters& parameters = parameters_of(spec, setting);
    auto it = parameters.find(setting.name);
    if (it == parameters.end()) {
      std::vector<std::string> names;
      for (const auto& [name, value] : parameters) names.push_back(name);
      throw UserError(fmt::format("--set '{}': '{}' has no parameter '{}'; its parameters are {}", setting.text(),
                                  setting.owner, setting.name,
                                  names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", "))));
    }
    it->second = model::ValueSpec::constant(setting.value, it->second.where);
  }
  return spec;
}

}  // namespace psst::run
