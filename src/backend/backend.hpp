#pragma once
// The boundary between the run loop and whatever executes a model's step.
// A backend owns all state, in its own memory space (buffer.hpp): the run
// layer holds opaque handles, binds them to kernels, and calls the primitives
// below, each with a specified result and order, so that every backend gives
// the same bits. Scalars that change during a run (t, dt, N) are passed by
// value at each launch. Host access to state goes through download/upload.
// Version this interface (kernel_abi_version) when generated code depends on a change.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/buffer.hpp"
#include "backend/input_schedule.hpp"
#include "graph/ir.hpp"

namespace psst::backend {

inline constexpr int kernel_abi_version = 3;  // 3: launch scalar 3 is the step counter (random draws)

// How a kernel input is read, known when the kernel is compiled so that a
// compiled backend can specialise its loads: one value for every element, an
// array indexed by element, or an array gathered through an index array.
enum class Binding { Broadcast, Array, Gathered };

// One input of a bound kernel.
struct KernelInput {
  enum class Kind { Array, Gathered, Broadcast, Scalar };
  Kind kind = Kind::Array;
  BufferHandle data;   // Array, Gathered; Broadcast: element 0
  BufferHandle index;  // Gathered: element e reads data[index[e]]
  int scalar = -1;     // Scalar: position in the launch's scalar list

  static KernelInput array(BufferHandle b) { return {Kind::Array, std::move(b), nullptr, -1}; }
  static KernelInput gathered(BufferHandle b, BufferHandle i) { return {Kind::Gathered, std::move(b), std::move(i), -1}; }
  static KernelInput broadcast(BufferHandle b) { return {Kind::Broadcast, std::move(b), nullptr, -1}; }
  static KernelInput launch_scalar(int position) { return {Kind::Scalar, nullptr, nullptr, position}; }
};

struct KernelArguments {
  std::vector<KernelInput> inputs;    // one per program input
  std::vector<BufferHandle> outputs;  // one per program output (Float64, as long as the range)
  std::vector<Binding> bindings() const;
};

// A kernel compiled for a program and bound to its buffers.
class BoundKernel {
 public:
  virtual ~BoundKernel() = default;
  // Runs the program for elements [begin, end), as a pure function of its
  // inputs; `scalars` holds the values of the Scalar inputs.
  virtual void launch(std::span<const double> scalars, std::size_t begin, std::size_t end) = 0;
};

// What on_pre does to one target: target[where] op= value.
struct EventTarget {
  enum class Operation { Assign, Add, Subtract, Multiply };
  BufferHandle target;        // Float64: a synapse variable, or a postsynaptic neuron variable
  bool postsynaptic = false;  // indexed by the synapse's postsynaptic neuron (else by the synapse)
  Operation operation = Operation::Add;
};

// The event-driven half of a projection, for deliver_events. Synapses are ordered by
// (postsynaptic, presynaptic) neuron, each pair at most once: within a row of
// post_offsets the events of a step are in ascending synapse order.
// With per-synapse delays the queue holds groups g = neuron * delay_classes + class and
// pre_offsets/outgoing list each group's synapses (ascending); the presynaptic neuron of
// an event is g / delay_classes.
struct EventProjection {
  EventQueueHandle queue;
  BufferHandle pre_offsets, outgoing, post;     // Index: CSR of synapses by group (presynaptic neuron); post of each synapse
  std::uint32_t delay_classes = 1;
  BufferHandle post_offsets;                    // Index: CSR of synapses by postsynaptic neuron
  BufferHandle due_synapse, due_pre, due_post;  // Index, one per synapse: the events of a step, expanded
  std::vector<BufferHandle> values;             // Float64, one per synapse and target: the event kernel's outputs
  std::vector<EventTarget> targets;
  BoundKernel* kernel = nullptr;  // writes values[k][e] for event e, reading through due_*
};

struct BackendOptions {
  int threads = 0;            // 0: all cores (std::thread::hardware_concurrency())
  int device = 0;             // cuda: the GPU (CUDA device ordinal)
  bool march_native = true;   // compiled backends: -march=native
  std::string cache_dir;      // compiled backends: "" = $PSST_CACHE_DIR, $XDG_CACHE_HOME/psst or ~/.cache/psst
  std::string compiler;       // compiled backends: "" = $CXX, else c++, g++ or clang++ on PATH
  bool compile = true;        // false: print kernels only, run them interpreted (psst codegen)
  graph::Precision precision = graph::Precision::Double;  // the arithmetic of every kernel
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Compiles every kernel bound so far, in one go (called once the model is set up).
  virtual void finalize() {}
  // What the user should know about this backend's set-up (compile time, cache), or "".
  virtual std::string report() const { return ""; }

  // ---- memory: buffers are zero-filled when allocated -----------------------------------
  virtual BufferHandle allocate(ElementType type, std::size_t size) = 0;
  virtual void upload(Buffer& buffer, std::span<const double> values, std::size_t offset = 0) = 0;
  virtual void upload(Buffer& buffer, std::span<const std::uint32_t> values, std::size_t offset = 0) = 0;
  virtual void download(const Buffer& buffer, std::span<double> out, std::size_t offset = 0) const = 0;
  virtual void download(const Buffer& buffer, std::span<std::uint32_t> out, std::size_t offset = 0) const = 0;
  std::vector<double> download(const Buffer& buffer) const;
  std::vector<std::uint32_t> download_indices(const Buffer& buffer) const;
  BufferHandle allocate_with(std::span<const double> values);
  BufferHandle allocate_with(std::span<const std::uint32_t> values);
  // Every element of a Float64 buffer set to `value` (zeroing summed inputs).
  virtual void fill(Buffer& buffer, double value) = 0;
  // destination[j] = source[j] for every j: two Float64 buffers of one size, in the backend's
  // own memory (the finite-state check's snapshot of the state, run/state_snapshot.hpp).
  virtual void copy(const Buffer& source, Buffer& destination) = 0;
  // destination[offset + j] = source[index[j]] for every j of `index` (recording: the
  // recorded neurons of a variable, staged in the backend's memory and downloaded in bulk).
  virtual void gather(const Buffer& source, const Buffer& index, Buffer& destination, std::size_t offset) = 0;

  // ---- kernels --------------------------------------------------------------------------
  // A kernel for `program` bound to `arguments`. A compiled backend may defer the
  // compilation until finalize() or the first launch.
  virtual std::unique_ptr<BoundKernel> bind(const graph::Program& program, const KernelArguments& arguments) = 0;

  // ---- primitives, each with its order ---------------------------------------------------
  // targets[i] += (sum over s in [offsets[i], offsets[i+1]) of contributions[s]) for rows
  // i in [first_row, last_row): each row summed from 0.0 in ascending s, then added.
  virtual void add_row_sums(const Buffer& contributions, const Buffer& offsets, Buffer& targets, std::size_t first_row,
                            std::size_t last_row) = 0;
  // Threshold crossing over neurons [first, last): neuron i crossed when condition[i] != 0
  // and previous[i] == 0; its lastspike becomes spike_time; previous := condition. The
  // crossing neurons are written to `spikes` in ascending index order; returns how many.
  virtual std::size_t detect_crossings(const Buffer& condition, Buffer& previous, Buffer& lastspike, double spike_time,
                                       Buffer& spikes, std::size_t first, std::size_t last) = 0;
  // Event queues: entries (presynaptic neuron, due step), held as a ring of `ring_size` steps.
  virtual EventQueueHandle make_event_queue(std::size_t ring_size) = 0;
  // Queues spikes of ascending presynaptic neurons, due at step `due_step`.
  virtual void queue_spikes(EventQueue& queue, std::int64_t due_step, std::span<const std::uint32_t> neurons) = 0;
  // Applies the events due at `step`: their synapses expanded in ascending (presynaptic
  // neuron, synapse) order (each synapse at most once: a group is due at most once a step), the event kernel run over them (`scalars` as for launch), then
  // each target, in statement order, updated event by event in that order.
  virtual void deliver_events(EventProjection& projection, std::int64_t step, std::span<const double> scalars) = 0;
  // The queue's entries by ring position (checkpoints), and back.
  virtual std::vector<std::vector<std::uint32_t>> download_queue(const EventQueue& queue) const = 0;
  virtual void upload_queue(EventQueue& queue, const std::vector<std::vector<std::uint32_t>>& entries) = 0;
  // Input tables: held by the backend, sampled per step into a buffer of the population's size.
  virtual InputSourceHandle make_input(InputSchedule schedule) = 0;
  virtual void sample_input(const InputSource& input, std::int64_t step, Buffer& out) = 0;
  // The lowest index of a non-finite value (NaN, +-inf), or buffer.size() when all are finite.
  virtual std::size_t first_non_finite(const Buffer& buffer) const = 0;
};

// "cpu" (compiled C++, threaded; needs a C++ compiler), "reference" (the
// interpreter, ground truth), "cuda" (an NVIDIA GPU) or "cuda-emulated" (the
// CUDA backend's kernels and launches run on the host, to test it without a GPU).
// "default": cpu when a compiler is found, else reference with a notice on
// stderr. Throws UserError for unknown names, and for cuda where it cannot run.
std::unique_ptr<Backend> make_backend(const std::string& name, const BackendOptions& options = {});
std::vector<std::string> backend_names();  // the backends usable on this machine

}  // namespace psst::backend
