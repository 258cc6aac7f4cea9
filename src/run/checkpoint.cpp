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

namespace {

// Every persistent array in global order on the writer; `write` is called there only.
template <typename Write>
void gather_state(Simulation& simulation, bool writer, const std::string& slot, Write write) {
  auto& populations = simulation.populations();
  for (std::size_t p = 0; p < populations.size(); ++p)
    for (const auto& name : populations[p]->persistent_arrays()) {
      auto values = simulation.gather_population(p, *populations[p]->persistent_buffer(name));
      if (writer) write(fmt::format("{}/populations/{}/{}", slot, populations[p]->name(), name), values);
    }
  for (auto& projection : simulation.projections()) {
    const std::string group = fmt::format("{}/projections/{}", slot, projection->name());
    for (const auto& name : projection->persistent_arrays()) {
      auto values = simulation.communicator().gather(projection->download(name));
      if (writer) write(group + "/" + name, values);
    }
  }
}

}  // namespace

void write_checkpoint(Simulation& simulation, Hdf5Recorder& recorder) {
  recorder.flush();
  if (!recorder.writer()) {
    gather_state(simulation, false, "", [](const std::string&, const std::vector<double>&) {});
    return;
  }
  io::Hdf5File& file = recorder.file();
  // Overwrite the older slot; mark it invalid until its data is on disk.
  std::string slot = slot_step(file, slots[0]) <= slot_step(file, slots[1]) ? slots[0] : slots[1];
  file.create_group(slot);
  file.set_attribute(slot, "valid", std::int64_t{0});
  file.flush();
  gather_state(simulation, true, slot,
               [&](const std::string& path, const std::vector<double>& values) { file.write_vector(path, values); });
  for (auto& projection : simulation.projections()) {
    const std::string group = fmt::format("{}/projections/{}", slot, projection->name());
    // Spikes in flight (the same on every rank): presynaptic neurons (global indices) due at
    // each ring position, flattened with offsets.
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

namespace {

// The spikes in flight of a projection, read on rank 0 and sent to every rank.
std::vector<std::vector<std::uint32_t>> events_in_flight(Projection& projection, comm::Communicator& communicator,
                                                         const io::Hdf5File* file, const std::string& group) {
  std::vector<double> flat, offsets;
  if (file) {
    if (!file->exists(group + "/spikes_in_flight"))
      throw UserError(fmt::format("the checkpoint in '{}' was written by an older psst (spikes in flight by synapse); "
                                  "rerun the model from the start", file->path()));
    for (auto v : file->read_vector_int64(group + "/spikes_in_flight")) flat.push_back(static_cast<double>(v));
    for (auto v : file->read_vector_int64(group + "/spikes_in_flight_offsets")) offsets.push_back(static_cast<double>(v));
    if (offsets.size() != projection.ring_size() + 1 || offsets.back() != static_cast<double>(flat.size()))
      throw UserError(fmt::format("checkpoint of projection '{}' in '{}' has a different delay", projection.name(),
                                  file->path()));
  }
  communicator.broadcast(flat);
  communicator.broadcast(offsets);
  std::vector<std::vector<std::uint32_t>> ring(projection.ring_size());
  for (std::size_t k = 0; k < ring.size(); ++k)
    for (auto i = static_cast<std::size_t>(offsets[k]); i < static_cast<std::size_t>(offsets[k + 1]); ++i)
      ring[k].push_back(static_cast<std::uint32_t>(flat[i]));
  return ring;
}

}  // namespace

void restore_checkpoint(Simulation& simulation, const io::Hdf5File* file, const CheckpointInfo& checkpoint) {
  comm::Communicator& communicator = simulation.communicator();
  if (file && file->get_attribute_string(checkpoint.slot, "model_hash") != model_hash(simulation.spec().source_text))
    throw UserError(fmt::format("the checkpoint in '{}' belongs to a different model", file->path()));
  auto load = [&](const std::string& path, std::size_t expected) {
    if (!file) return std::vector<double>{};
    auto stored = file->read_vector_double(path);
    if (stored.size() != expected)
      throw UserError(fmt::format("checkpoint dataset {} of '{}' has {} values, the model has {}", path, file->path(),
                                  stored.size(), expected));
    return stored;
  };
  for (auto& population : simulation.populations())
    for (const auto& name : population->persistent_arrays()) {
      auto values = load(fmt::format("{}/populations/{}/{}", checkpoint.slot, population->name(), name),
                         population->size());
      communicator.broadcast(values);
      population->upload(name, values);
    }
  for (auto& projection : simulation.projections()) {
    const std::string group = fmt::format("{}/projections/{}", checkpoint.slot, projection->name());
    for (const auto& name : projection->persistent_arrays())
      projection->upload(name, communicator.scatter(load(group + "/" + name, projection->slice().total),
                                                    projection->size()));
    projection->restore_events_in_flight(events_in_flight(*projection, communicator, file, group));
  }
  simulation.restore_step(checkpoint.step);
}

}  // namespace psst::run
