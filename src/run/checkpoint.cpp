#include "run/checkpoint.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace psst::run {

namespace {

constexpr const char* slots[] = {"/checkpoint/A", "/checkpoint/B"};

std::int64_t slot_step(const io::Hdf5File& file, const std::string& slot) {
  if (!file.exists(slot) || !file.has_attribute(slot, "valid") || file.get_attribute_int64(slot, "valid") != 1)
    return -1;
  return file.get_attribute_int64(slot, "step");
}

std::string join(const std::map<std::string, std::size_t>& rows) {
  std::string s;
  for (const auto& [path, count] : rows) s += path + "\n";
  return s;
}

}  // namespace

std::string model_hash(const std::string& model_text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : model_text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return fmt::format("{:016x}", h);
}

void write_checkpoint(Simulation& simulation, Hdf5Recorder& recorder) {
  io::Hdf5File& file = recorder.file();
  recorder.flush();
  // Overwrite the older slot; mark it invalid until its data is on disk.
  std::string slot = slot_step(file, slots[0]) <= slot_step(file, slots[1]) ? slots[0] : slots[1];
  file.create_group(slot);
  file.set_attribute(slot, "valid", std::int64_t{0});
  file.flush();
  for (auto& population : simulation.populations())
    for (const auto& name : population->persistent_arrays())
      file.write_vector(fmt::format("{}/populations/{}/{}", slot, population->name(), name), population->download(name));
  for (auto& projection : simulation.projections()) {
    const std::string group = fmt::format("{}/projections/{}", slot, projection->name());
    for (const auto& name : projection->persistent_arrays())
      file.write_vector(group + "/" + name, projection->download(name));
    // Spikes in flight: presynaptic neurons (global indices) due at each ring position, flattened with offsets.
    std::vector<std::int64_t> flat, offsets{0};
    for (const auto& due : projection->events_in_flight()) {
      flat.insert(flat.end(), due.begin(), due.end());
      offsets.push_back(static_cast<std::int64_t>(flat.size()));
    }
    file.write_vector(group + "/spikes_in_flight", flat);
    file.write_vector(group + "/spikes_in_flight_offsets", offsets);
  }
  auto rows = recorder.rows();
  std::vector<std::int64_t> counts;
  for (const auto& [path, count] : rows) counts.push_back(static_cast<std::int64_t>(count));
  file.write_vector(slot + "/rows", counts);
  file.set_attribute(slot, "row_paths", join(rows));
  file.set_attribute(slot, "step", simulation.step());
  file.set_attribute(slot, "time", simulation.time());
  file.set_attribute(slot, "model_hash", model_hash(simulation.spec().source_text));
  file.flush();
  file.set_attribute(slot, "valid", std::int64_t{1});
  file.flush();
}

std::optional<CheckpointInfo> find_checkpoint(const io::Hdf5File& file) {
  std::int64_t a = slot_step(file, slots[0]), b = slot_step(file, slots[1]);
  if (a < 0 && b < 0) return std::nullopt;
  CheckpointInfo info;
  info.slot = a >= b ? slots[0] : slots[1];
  info.step = std::max(a, b);
  auto counts = file.read_vector_int64(info.slot + "/rows");
  std::string paths = file.get_attribute_string(info.slot, "row_paths");
  std::size_t k = 0, begin = 0;
  for (std::size_t end; (end = paths.find('\n', begin)) != std::string::npos; begin = end + 1, ++k) {
    if (k >= counts.size()) throw IoError(fmt::format("checkpoint {} of '{}' is damaged", info.slot, file.path()));
    info.rows[paths.substr(begin, end - begin)] = static_cast<std::size_t>(counts[k]);
  }
  return info;
}

void restore_checkpoint(Simulation& simulation, const io::Hdf5File& file, const CheckpointInfo& checkpoint) {
  if (file.get_attribute_string(checkpoint.slot, "model_hash") != model_hash(simulation.spec().source_text))
    throw UserError(fmt::format("the checkpoint in '{}' belongs to a different model", file.path()));
  auto load = [&](const std::string& path, std::size_t expected) {
    auto stored = file.read_vector_double(path);
    if (stored.size() != expected)
      throw UserError(fmt::format("checkpoint dataset {} of '{}' has {} values, the model has {}", path, file.path(),
                                  stored.size(), expected));
    return stored;
  };
  for (auto& population : simulation.populations())
    for (const auto& name : population->persistent_arrays())
      population->upload(name, load(fmt::format("{}/populations/{}/{}", checkpoint.slot, population->name(), name),
                                    population->size()));
  for (auto& projection : simulation.projections()) {
    const std::string group = fmt::format("{}/projections/{}", checkpoint.slot, projection->name());
    for (const auto& name : projection->persistent_arrays())
      projection->upload(name, load(group + "/" + name, projection->size()));
    if (!file.exists(group + "/spikes_in_flight"))
      throw UserError(fmt::format("the checkpoint in '{}' was written by an older psst (spikes in flight by synapse); "
                                  "rerun the model from the start", file.path()));
    auto flat = file.read_vector_int64(group + "/spikes_in_flight");
    auto offsets = file.read_vector_int64(group + "/spikes_in_flight_offsets");
    if (offsets.size() != projection->ring_size() + 1 || offsets.back() != static_cast<std::int64_t>(flat.size()))
      throw UserError(fmt::format("checkpoint of projection '{}' in '{}' has a different delay", projection->name(),
                                  file.path()));
    std::vector<std::vector<std::uint32_t>> ring(projection->ring_size());
    for (std::size_t k = 0; k < ring.size(); ++k)
      for (auto it = flat.begin() + offsets[k]; it != flat.begin() + offsets[k + 1]; ++it)
        ring[k].push_back(static_cast<std::uint32_t>(*it));
    projection->restore_events_in_flight(ring);
  }
  simulation.restore_step(checkpoint.step);
}

}  // namespace psst::run
