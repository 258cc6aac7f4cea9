#pragma once
// One projection at run time: its synapses (sparse, ordered by postsynaptic
// neuron; a host copy of the connectivity for inspection), their state in
// backend buffers, their kernels, the ordered row sums into postsynaptic
// inputs (continuous coupling) and the queue of delayed spikes (event-driven
// coupling), all run by the backend.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/element_kernels.hpp"
#include "run/buffer_table.hpp"
#include "run/connectivity.hpp"
#include "run/population.hpp"

namespace psst::run {

// The synapses of `spec` onto the postsynaptic neurons `rows` (all by default), its
// slices checked against the populations first. In an ensemble, block-diagonal: instance
// k's synapses are those of its single run (seed S + k), between its neurons (all rows).
Connectivity build_projection_connectivity(const model::ProjectionSpec& spec, const Population& pre,
                                           const Population& post, std::uint64_t seed, PostRows rows = {},
                                           const Ensemble* ensemble = nullptr);

// Where this process's synapses sit in the whole projection, in its global order
// (by postsynaptic, then presynaptic neuron): [first, first + local count) of `total`.
// Synapse i, N and every per-synapse value are those of the global synapse.
struct SynapseSlice {
  std::size_t first = 0, total = 0;
};

class Projection {
 public:
  Projection(const model::ProjectionSpec& spec, Population& pre, Population& post, const graph::Scheme& scheme,
             backend::Backend& backend, const RunSettings& settings, Connectivity connectivity, SynapseSlice slice);
  Projection(const Projection&) = delete;
  Projection& operator=(const Projection&) = delete;

  const std::string& name() const { return name_; }
  const Connectivity& connectivity() const { return connectivity_; }
  std::size_t size() const { return connectivity_.size(); }  // this process's synapses
  const SynapseSlice& slice() const { return slice_; }
  const graph::EquationSystem& system() const { return system_; }
  // Bytes per synapse: indices, state (x, k, acc), contributions, per-synapse parameters.
  double bytes_per_synapse() const;
  double bytes() const;  // every backend buffer of the projection (synapse arrays, offsets, event staging)
  bool has_events() const { return event_kernel_ != nullptr; }
  // For the output file, this process's synapses: the parameters' names, a parameter's
  // values as the backend holds them (one entry when it is the same for all), and each
  // synapse's delay in steps (empty without on_pre).
  std::vector<std::string> parameter_names() const;
  std::vector<double> parameter_values(const std::string& name) const;
  std::vector<std::int64_t> synapse_delay_steps() const;
  // The buffer of a synapse state variable or of a parameter given per synapse (one value
  // per local synapse), for recording; nullptr for any other name.
  backend::BufferHandle recordable(const std::string& name) const;
  Population& pre() { return *pre_; }
  Population& post() { return *post_; }

  // Stage `stage`: presynaptic kernel, synapse kernel, then the ordered sums into
  // the postsynaptic synaptic inputs. Call after the populations' prepare_stage.
  void run_stage(std::size_t stage, double t);
  // After the step that ended at step index `step`: queues the spikes of the
  // presynaptic neurons (timed (step - 1) dt) and applies the events due at `step`.
  void deliver(std::int64_t step, double t, const std::vector<std::uint32_t>& pre_spikes);
  // The two halves of deliver. Spikes may be queued late, at a later step's end before
  // its delivery, as long as none is due before that step (the smallest delay class is
  // at least the steps they are late by + 1): a slot's spikes are sorted when delivered.
  void queue_spikes(std::int64_t step, const std::vector<std::uint32_t>& pre_spikes);
  void deliver_due(std::int64_t step, double t);
  std::vector<double> state(const std::string& variable) const;
  std::int64_t delay_steps() const { return delay_steps_; }  // the largest delay
  const std::vector<std::int64_t>& delay_classes() const { return delay_classes_; }  // distinct delays, ascending
  // What carries over between steps (for checkpoints): synapse state x.<var>, and the
  // spikes in flight: presynaptic neurons (global indices; with several delay classes
  // neuron * classes + class) by ring position.
  std::vector<std::string> persistent_arrays() const;
  std::vector<double> download(const std::string& persistent) const;
  void upload(const std::string& persistent, const std::vector<double>& values);
  std::vector<std::vector<std::uint32_t>> events_in_flight() const;
  // Observation (projection_observation.cpp, docs/output.md): the contributions to the
  // postsynaptic population's observed synaptic inputs, computed from the state now as
  // the first stage of the next step computes them, into scratch, then added by the
  // ordered row sums into its "observe.syn.<target>"; no state is written. Set up
  // (before the backend is finalised) after the postsynaptic population's.
  void set_up_observation();
  void observe(double t);
  const backend::BufferHandle& persistent_buffer(const std::string& persistent) const { return buffers_.at(persistent); }
  void restore_events_in_flight(const std::vector<std::vector<std::uint32_t>>& ring);
  std::size_t ring_size() const { return static_cast<std::size_t>(delay_steps_) + 1; }
  // Arrays of the presynaptic population that stage `stage` reads per neuron and that
  // change during a step: what a halo exchange must bring before the stage.
  const std::vector<backend::BufferHandle>& presynaptic_reads(std::size_t stage) const;
  // What the event kernel reads, and the last-spike times the stage kernels read (which
  // change only at the end of a step): exchanged once per step, after it.
  const std::vector<backend::BufferHandle>& step_presynaptic_reads() const { return step_pre_reads_; }

 private:
  void resolve_parameters(const model::ProjectionSpec& spec, const RunSettings& settings);
  void bind_post_offsets();  // conn.post_offsets, once
  void bind_stage_kernels(const model::ProjectionSpec& spec, const graph::Scheme& scheme);
  void set_up_events(const model::ProjectionSpec& spec, const graph::Scheme& scheme, const RunSettings& settings);
  backend::KernelInput input(const graph::Slot& slot, std::size_t stage, bool presynaptic) const;
  backend::KernelInput event_input(const graph::Slot& slot) const;
  // The slot (text form) of an external name such as V_pre or g_post.
  std::string external_slot(const std::string& name, graph::Slot::Kind state_kind) const;
  const backend::BufferHandle& buffer(const std::string& name) const { return buffers_.at(name); }
  const backend::BufferHandle& add_buffer(const std::string& name, std::size_t size,
                                         backend::ElementType type = backend::ElementType::Float64) {
    return buffers_.add(name, size, type);
  }
  // N: the synapses of the projection (in an ensemble, of one instance: every instance has as many, or no kernel reads N).
  // `step`: the step counter of on_pre's random draws (the stage kernels draw none).
  std::array<double, 4> scalars(double t, std::int64_t step = 0) const {
    return {t, dt_, static_cast<double>(synapse_count_), static_cast<double>(step)};
  }
  void check_count_read(const graph::Program& program) const;
  void note_presynaptic_read(const graph::Slot& slot, const backend::KernelInput& input,
                             std::vector<backend::BufferHandle>& reads) const;

  std::string name_;
  Population* pre_;
  Population* post_;
  backend::Backend& backend_;
  Connectivity connectivity_;
  SynapseSlice slice_;
  std::size_t synapse_count_ = 0;        // N as kernels read it
  bool instance_counts_differ_ = false;  // an ensemble whose instances have different synapse counts
  graph::EquationSystem system_;
  double dt_;
  BufferTable buffers_;  // x., k., acc., summed., hoisted., param., connectivity
  // Per summed target, bound at set-up: (contributions, postsynaptic sum) for the row sums.
  std::vector<std::pair<backend::BufferHandle, backend::BufferHandle>> row_sums_;
  backend::BufferHandle post_offsets_;
  std::map<std::string, Values> parameters_;
  std::vector<std::string> uniform_;  // parameters with one value for every synapse of the whole projection
  std::vector<std::vector<backend::BufferHandle>> pre_reads_;  // per stage
  std::vector<backend::BufferHandle> step_pre_reads_;
  std::vector<graph::SynapseStagePrograms> programs_;
  std::vector<std::unique_ptr<backend::BoundKernel>> presynaptic_kernels_, synaptic_kernels_;

  // Observation: the summed targets (contributions, observed sum) and their kernel.
  std::vector<model::SummedOutput> summed_;
  const graph::Scheme* scheme_ = nullptr;
  std::vector<std::pair<backend::BufferHandle, backend::BufferHandle>> observed_sums_;
  std::unique_ptr<backend::BoundKernel> observe_kernel_;

  // Event-driven coupling.
  std::vector<model::EventStatement> on_pre_;
  std::int64_t delay_steps_ = 1;                 // the largest delay: the ring has delay_steps_ + 1 steps
  std::vector<std::int64_t> delay_classes_{1};   // distinct delays in steps, ascending
  std::vector<std::uint32_t> due_groups_;        // scratch of deliver: a step's spikes as groups of one class
  std::unique_ptr<backend::BoundKernel> event_kernel_;
  backend::EventProjection events_;
};

}  // namespace psst::run
