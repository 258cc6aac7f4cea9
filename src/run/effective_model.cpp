#include "run/effective_model.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "io/sha256.hpp"

namespace psst::run {

namespace {

template <typename T>
T number(const std::string& value, const std::string& line, const std::string& file) {
  T out{};
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || error != std::errc() || end != value.data() + value.size())
    throw UserError(fmt::format("'{}': attribute 'overrides' has the line '{}', whose value '{}' is not a number; the "
                                "file is damaged or was not written by psst",
                                file, line, value));
  return out;
}

void add_files(std::map<std::string, std::string>& files, const std::map<std::string, model::ValueSpec>& values,
               const std::string& kind, const std::string& owner) {
  for (const auto& [name, value] : values)
    if (value.kind == model::ValueSpec::Kind::File)
      files.try_emplace(value.file, fmt::format("{} '{}' of {}", kind, name, owner));
}

}  // namespace

std::string format_overrides(const RunOverrides& o) {
  std::string text;
  for (const auto& set : o.sets) text += fmt::format("--set {}\n", set.text());
  if (o.duration) text += fmt::format("--duration {}\n", *o.duration);
  if (o.dt) text += fmt::format("--dt {}\n", *o.dt);
  if (o.method) text += fmt::format("--method {}\n", *o.method);
  if (o.seed) text += fmt::format("--seed {}\n", *o.seed);
  if (o.instances) text += fmt::format("--instances {}\n", *o.instances);
  if (o.precision) text += fmt::format("--precision {}\n", *o.precision);
  if (o.math) text += fmt::format("--math {}\n", *o.math);
  if (o.record_every) text += fmt::format("--record-every {}\n", *o.record_every);
  return text;
}

RunOverrides parse_overrides(const std::string& text, const std::string& file) {
  RunOverrides o;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const auto space = line.find(' ');
    const std::string option = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
    if (option == "--set")
      o.sets.push_back(parse_setting(value));
    else if (option == "--duration")
      o.duration = number<double>(value, line, file);
    else if (option == "--dt")
      o.dt = number<double>(value, line, file);
    else if (option == "--method")
      o.method = value;
    else if (option == "--seed")
      o.seed = number<std::uint64_t>(value, line, file);
    else if (option == "--instances")
      o.instances = number<std::size_t>(value, line, file);
    else if (option == "--precision")
      o.precision = value;
    else if (option == "--math")
      o.math = value;
    else if (option == "--record-every")
      o.record_every = number<double>(value, line, file);
    else
      throw UserError(fmt::format("'{}': attribute 'overrides' has the line '{}'; valid options are --set, --duration, "
                                  "--dt, --method, --seed, --instances, --precision, --math, --record-every (a newer psst may have written "
                                  "the file)",
                                  file, line));
  }
  return o;
}

std::vector<InputFile> input_files(const model::NetworkSpec& spec) {
  std::map<std::string, std::string> files;  // path -> what reads it first
  for (const auto& p : spec.populations) {
    const std::string owner = fmt::format("population '{}'", p.name);
    add_files(files, p.parameters, "parameter", owner);
    add_files(files, p.initial, "initial value", owner);
    for (const auto& input : p.inputs)
      if (!input.file.empty()) files.try_emplace(input.file, fmt::format("input '{}' of {}", input.name, owner));
  }
  for (const auto& p : spec.projections) {
    const std::string owner = fmt::format("projection '{}'", p.name);
    add_files(files, p.parameters, "parameter", owner);
    add_files(files, p.initial, "initial value", owner);
    if (p.connect.rule == model::ConnectSpec::Rule::Matrix && !p.connect.file.empty())
      files.try_emplace(p.connect.file, fmt::format("the connectivity matrix of {}", owner));
  }
  std::vector<InputFile> out;
  for (auto& [path, what] : files) out.push_back({path, what});
  return out;
}

std::string hash_input_files(const model::NetworkSpec& spec) {
  std::string text;
  for (const auto& file : input_files(spec)) {
    if (file.path.find('\n') != std::string::npos)
      throw UserError(fmt::format("the path of the file of {} contains a line break; rename '{}'", file.what, file.path));
    auto hash = io::sha256_of_file(file.path);
    if (!hash) throw UserError(fmt::format("cannot read '{}', the file of {}", file.path, file.what));
    text += fmt::format("{}  {}\n", *hash, file.path);
  }
  return text;
}

void check_input_files(const std::string& stored, const std::filesystem::path& out) {
  std::istringstream lines(stored);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.size() < 67 || line.compare(64, 2, "  ") != 0)
      throw UserError(fmt::format("'{}': attribute 'input_files' has the line '{}', expected 'SHA256  PATH'; the file "
                                  "is damaged or was not written by psst",
                                  out.string(), line));
    const std::string hash = line.substr(0, 64), path = line.substr(66);
    auto now = io::sha256_of_file(path);
    if (!now)
      throw UserError(fmt::format("cannot resume '{}': the model read the file '{}', which is missing now (or cannot "
                                  "be read){}. Put it back (its SHA-256 was {}), or start a new run with psst run.",
                                  out.string(), path,
                                  std::filesystem::path(path).is_relative()
                                      ? "; a relative path is relative to the directory psst run was started in"
                                      : "",
                                  hash));
    if (*now != hash)
      throw UserError(fmt::format("cannot resume '{}': the file '{}', which the model read, has changed since the run "
                                  "started (SHA-256 {} then, {} now); resuming would mix two models. Restore the file, "
                                  "or start a new run with psst run.",
                                  out.string(), path, hash, *now));
  }
}

void check_model_file(const std::string& model_file, const std::string& model_text, const std::filesystem::path& out) {
  if (!std::filesystem::exists(model_file)) return;  // the stored text is the model
  std::ifstream in(model_file, std::ios::binary);
  std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (now != model_text)
    throw UserError(fmt::format("the model file '{}' has changed since '{}' was written; resuming would mix two "
                                "models. Restore the model file, or start a new run.",
                                model_file, out.string()));
}

void write_effective_model(io::Hdf5File& file, const RunOverrides& overrides, const std::string& input_hashes) {
  file.set_attribute("/", "overrides", format_overrides(overrides));
  file.set_attribute("/", "input_files", input_hashes);
}

}  // namespace psst::run
