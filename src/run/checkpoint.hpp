#pragma once
// Exact checkpoints inside the output file, so that a run split into any number
// of resumed pieces writes the same bits as an unsplit run (PSST Day 5's
// batches, made exact). A checkpoint holds everything that carries over between
// steps: every state array, last-spike times, threshold conditions, spikes in
// flight on delayed projections, the step counter, the length of every output
// series and the model's hash. Two slots, /checkpoint/A and /checkpoint/B, are
// written alternately; a slot is marked valid only after its data is flushed,
// so a crash while writing one leaves the other usable.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "io/hdf5_file.hpp"
#include "run/hdf5_recorder.hpp"
#include "run/simulation.hpp"

namespace psst::run {

// FNV-1a of the model text, as 16 hex digits.
std::string model_hash(const std::string& model_text);

struct CheckpointInfo {
  std::string slot;  // "/checkpoint/A" or "/checkpoint/B"
  std::int64_t step = 0;
  std::map<std::string, std::size_t> rows;  // output series lengths at the checkpoint
};

// Flushes the recorder and writes the simulation's state at its current step.
// Collective: every rank's state is gathered, in global order, on the writer
// (rank 0), so the checkpoint is the same whatever the number of ranks.
void write_checkpoint(Simulation& simulation, Hdf5Recorder& recorder);

// The newest valid checkpoint of a file, if any.
std::optional<CheckpointInfo> find_checkpoint(const io::Hdf5File& file);

// Loads a checkpoint into a simulation built from the same model and settings.
// Collective: rank 0 reads `file` (the other ranks pass none) and sends every rank
// the whole neuron arrays and its slice of each projection's synapse arrays, so a
// checkpoint written on any number of ranks resumes on any number.
void restore_checkpoint(Simulation& simulation, const io::Hdf5File* file, const CheckpointInfo& checkpoint);
inline void restore_checkpoint(Simulation& simulation, const io::Hdf5File& file, const CheckpointInfo& checkpoint) {
  restore_checkpoint(simulation, &file, checkpoint);
}

// Writes a checkpoint every `every_steps` steps (not at the end of the run).
class Checkpointer final : public StepObserver {
 public:
  Checkpointer(Simulation& simulation, Hdf5Recorder& recorder, std::int64_t every_steps)
      : simulation_(simulation), recorder_(recorder), every_(every_steps) {}
  void on_step(const Simulation&, std::int64_t step, const std::vector<std::vector<std::size_t>>&) override {
    if (every_ > 0 && step % every_ == 0) write_checkpoint(simulation_, recorder_);
  }

 private:
  Simulation& simulation_;
  Hdf5Recorder& recorder_;
  std::int64_t every_;
};

}  // namespace psst::run
