#pragma once
// Typed identifiers of kernel arguments: what an IR program's input or output
// is (a state variable, a stage derivative, a parameter, the presynaptic
// neuron's stage state, ...), so that the run layer binds each by its kind
// and never parses names. Every slot also has a text form ("x.V", "param.g",
// "pre.xs.V"), used in listings, generated code comments and buffer names.
#include <string>

namespace psst::graph {

struct Slot {
  enum class Kind {
    State,          // x.<var>: state at t_n (the last stage updates it in place)
    Derivative,     // k.<var>: derivative of the previous stage (in), of this stage (out)
    Accumulator,    // acc.<var>: running weighted sum of stage derivatives
    StageState,     // xs.<var>: stage state x_n + a_s dt k, materialised for others to read
    Parameter,      // param.<name>
    Input,          // input.<name>: a time-varying input table, sampled per step
    SynapticInput,  // syn.<name>: the sum of incoming synaptic contributions
    Hoisted,        // hoisted.<k>: a per-presynaptic-neuron value hoisted out of synapses
    Summed,         // summed.<name>: a synapse's contribution to a postsynaptic sum
    EventValue,     // value.<k>: the right-hand side of on_pre statement k
    Spiking,        // spiking: the threshold condition (1 or 0)
    Time,           // t
    TimeStep,       // dt
    Count,          // N: the number of elements
    Index,          // i: the element's index
    LastSpike,      // lastspike
    RandomKey,      // random.key: the key table of the kernel's random draws (N, then two float64 words per instance's key)
    Step,           // random.step: the step counter n (t_n = n dt), which random draws are keyed by
    RandomSite,     // random.site: an element's place in the key table (instance * table[0] + index), for
                    // kernels whose elements are not the indices draws are counted by (on_pre's events)
  };
  // Whose slot: the kernel's own elements, or the pre-/postsynaptic neuron of a synapse.
  enum class Side { Own, Pre, Post };

  Kind kind = Kind::State;
  Side side = Side::Own;
  std::string name;  // variable, parameter or input name; the number of a hoisted value or event statement

  // The slot of the text form; InternalError for a text no kernel builder makes.
  static Slot parse(const std::string& text);
  std::string text() const;
  // The same slot on the neuron's own side (for a Pre or Post slot).
  Slot own() const { return {kind, Side::Own, name}; }
  bool operator==(const Slot&) const = default;
};

}  // namespace psst::graph
