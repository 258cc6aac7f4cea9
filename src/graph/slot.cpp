#include "graph/slot.hpp"

#include <utility>

#include <fmt/format.h>

#include "model/error.hpp"

namespace psst::graph {

namespace {

using Kind = Slot::Kind;

// Prefixed kinds, and the built-ins that are a whole name.
constexpr std::pair<Kind, const char*> prefixed[] = {
    {Kind::State, "x."},          {Kind::Derivative, "k."},    {Kind::Accumulator, "acc."},
    {Kind::StageState, "xs."},    {Kind::Parameter, "param."}, {Kind::Input, "input."},
    {Kind::SynapticInput, "syn."}, {Kind::Hoisted, "hoisted."}, {Kind::Summed, "summed."},
    {Kind::EventValue, "value."},
};
constexpr std::pair<Kind, const char*> whole[] = {
    {Kind::Spiking, "spiking"}, {Kind::Time, "t"},     {Kind::TimeStep, "dt"},
    {Kind::Count, "N"},         {Kind::Index, "i"},    {Kind::LastSpike, "lastspike"},
    {Kind::RandomKey, "random.key"}, {Kind::Step, "random.step"},
    {Kind::RandomSite, "random.site"},
};

}  // namespace

Slot Slot::parse(const std::string& text) {
  Slot slot;
  std::string rest = text;
  if (rest.starts_with("pre.")) {
    slot.side = Side::Pre;
    rest = rest.substr(4);
  } else if (rest.starts_with("post.")) {
    slot.side = Side::Post;
    rest = rest.substr(5);
  }
  for (const auto& [kind, whole_name] : whole)
    if (rest == whole_name) {
      slot.kind = kind;
      return slot;
    }
  for (const auto& [kind, prefix] : prefixed)
    if (rest.starts_with(prefix) && rest.size() > std::string(prefix).size()) {
      slot.kind = kind;
      slot.name = rest.substr(std::string(prefix).size());
      return slot;
    }
  throw InternalError(fmt::format("'{}' is not a kernel slot", text));
}

std::string Slot::text() const {
  std::string side_prefix = side == Side::Pre ? "pre." : side == Side::Post ? "post." : "";
  for (const auto& [k, whole_name] : whole)
    if (k == kind) return side_prefix + whole_name;
  for (const auto& [k, prefix] : prefixed)
    if (k == kind) return side_prefix + prefix + name;
  throw InternalError("a slot of unknown kind");
}

}  // namespace psst::graph
