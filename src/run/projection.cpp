#include "run/projection.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "run/ensemble.hpp"
#include "run/event_random.hpp"
#include "run/synapse_delays.hpp"

namespace psst::run {

namespace {

// The names a synapse may read of its pre- and postsynaptic neurons: X_pre, X_post.
std::vector<std::string> pre_post_names(const Population& pre, const Population& post) {
  std::vector<std::string> names;
  for (const auto& [population, suffix] : {std::pair{&pre, "_pre"}, std::pair{&post, "_post"}}) {
    for (const auto& v : population->system().state_variables()) names.push_back(v + suffix);
    for (const auto& p : population->system().parameters()) names.push_back(p + suffix);
    names.push_back(std::string("lastspike") + suffix);
    names.push_back(std::string("i") + suffix);
  }
  return names;
}

model::PopulationSpec synapse_group(const model::ProjectionSpec& spec, std::size_t size) {
  model::PopulationSpec group;
  group.name = spec.name;
  group.size = size;
  group.equations = spec.equations;
  group.parameters = spec.parameters;
  group.initial = spec.initial;
  group.where = spec.where;
  if (!spec.connect.matrix_values.empty())  // declared here; its values come from the matrix
    group.parameters.try_emplace(spec.connect.matrix_values, model::ValueSpec::constant(0.0));
  return group;
}

graph::SystemOptions synapse_options(const Population& pre, const Population& post) {
  graph::SystemOptions options;
  options.kind = "projection";
  options.external_names = pre_post_names(pre, post);
  options.require_state = false;
  options.precision = pre.system().precision();
  options.math = pre.system().math();
  return options;
}

std::size_t slice_end(std::size_t end, std::size_t size) { return end == 0 ? size : end; }

// Checks a slice against its population before anything is built.
const model::ProjectionSpec& checked(const model::ProjectionSpec& spec, const Population& pre, const Population& post) {
  for (auto [name, begin, end, population] : {std::tuple{spec.pre, spec.pre_begin, spec.pre_end, &pre},
                                              std::tuple{spec.post, spec.post_begin, spec.post_end, &post}}) {
    if (end > population->instance_size())
      throw UserError(spec.where, fmt::format("projection '{}': slice {}[{}:{}] goes past the end of population '{}' "
                                              "({} neurons)", spec.name, name, begin, end, name,
                                              population->instance_size()));
  }
  return spec;
}

using backend::ElementType;
using backend::KernelInput;

// Offsets into the synapse arrays, as the backend's index type.
std::vector<std::uint32_t> as_indices(const std::vector<std::size_t>& offsets) {
  return {offsets.begin(), offsets.end()};
}

}  // namespace

Connectivity build_projection_connectivity(const model::ProjectionSpec& spec, const Population& pre,
                                           const Population& post, std::uint64_t seed, PostRows rows,
                                           const Ensemble* ensemble) {
  checked(spec, pre, post);
  const std::size_t n_pre = pre.instance_size(), n_post = post.instance_size();
  auto instance = [&](std::size_t k, PostRows instance_rows) {
    return build_connectivity(instance_spec(ensemble, k, spec).connect,
                              {n_pre, n_post, spec.pre_begin, slice_end(spec.pre_end, n_pre), spec.post_begin,
                               slice_end(spec.post_end, n_post), &pre == &post},
                              instance_seed(ensemble, k, seed), spec.name, instance_rows);
  };
  if (instance_count(ensemble) == 1) return instance(0, rows);
  if (rows.begin != 0 || rows.end < post.size())
    throw InternalError("the connectivity of an ensemble is built whole (one process)");
  std::vector<Connectivity> parts;
  for (std::size_t k = 0; k < instance_count(ensemble); ++k) parts.push_back(instance(k, {}));
  return join_connectivity(parts, n_pre, n_post);
}

Projection::Projection(const model::ProjectionSpec& spec, Population& pre, Population& post,
                       const graph::Scheme& scheme, backend::Backend& backend, const RunSettings& settings,
                       Connectivity connectivity, SynapseSlice slice)
    : name_(spec.name),
      pre_(&pre),
      post_(&post),
      backend_(backend),
      connectivity_(std::move(connectivity)),
      slice_(slice),
      system_(synapse_group(spec, slice_.total), synapse_options(pre, post)),
      dt_(settings.dt),
      buffers_(backend, fmt::format("projection '{}'", spec.name)),
      summed_(spec.summed),
      scheme_(&scheme),
      on_pre_(spec.on_pre) {
  const std::size_t n = connectivity_.size();
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw UserError(spec.where, fmt::format("projection '{}' has {} synapses; at most {} are supported", name_, n,
                                            std::numeric_limits<std::uint32_t>::max()));
  for (const auto& s : spec.summed)
    system_.check_names(s.value, fmt::format("the summed contribution to '{}'", s.target), true);
  for (const auto& statement : on_pre_) system_.check_names(statement.value, "on_pre", true);
  system_.number_event_draws(on_pre_);
  synapse_count_ = slice_.total;
  const auto& offsets = connectivity_.instance_offsets;  // an ensemble's: i and N within the instance
  if (!offsets.empty()) synapse_count_ = offsets[1] - offsets[0];
  for (std::size_t k = 1; k + 1 < offsets.size(); ++k)
    instance_counts_differ_ = instance_counts_differ_ || offsets[k + 1] - offsets[k] != synapse_count_;
  resolve_parameters(spec, settings);
  backend.upload(*add_buffer("conn.pre", n, ElementType::Index), connectivity_.pre);
  backend.upload(*add_buffer("conn.post", n, ElementType::Index), connectivity_.post);
  std::vector<double> index(n);
  for (std::size_t s = 0; s < n; ++s) index[s] = static_cast<double>(slice_.first + s);
  for (std::size_t k = 0; k + 1 < offsets.size(); ++k)
    for (std::size_t s = offsets[k]; s < offsets[k + 1]; ++s) index[s] = static_cast<double>(s - offsets[k]);
  backend.upload(*add_buffer("i", n), index);
  if (!system_.state_variables().empty() || !spec.summed.empty()) bind_stage_kernels(spec, scheme);
  if (!on_pre_.empty()) set_up_events(spec, scheme, settings);
}

void Projection::resolve_parameters(const model::ProjectionSpec& spec, const RunSettings& settings) {
  const std::size_t n = connectivity_.size(), total = slice_.total, first = slice_.first;
  // Instance k's synapses [offsets[k], offsets[k + 1]): the whole of its single run's (seed S + k).
  std::vector<std::size_t> offsets = connectivity_.instance_offsets;
  if (offsets.empty()) offsets = {0, n};
  const std::size_t instances = offsets.size() - 1;
  // This process resolves its synapses' slice of the whole projection's values (of instance k's).
  auto resolve = [&](const std::string& what, const std::string& purpose, auto&& value_of) {
    std::vector<Values> per_instance;
    for (std::size_t k = 0; k < instances; ++k) {
      const std::size_t count = offsets[k + 1] - offsets[k];
      ValueContext context{what, purpose, instances == 1 ? total : count,
                           instance_seed(settings.ensemble, k, settings.seed)};
      per_instance.push_back(resolve_slice(value_of(k), context, instances == 1 ? first : 0, count));
    }
    return instances == 1 ? per_instance.front() : join_instances(per_instance, offsets);
  };
  // Parameters: per projection (broadcast) or per synapse; a connectivity matrix may supply one.
  for (const auto& [parameter, value] : instance_spec(settings.ensemble, 0, spec).parameters) {
    const std::string& name = parameter;  // a structured binding: lambdas cannot capture it before clang 16
    const std::string what = fmt::format("parameter '{}' of projection '{}'", name, name_);
    if (value.kind == model::ValueSpec::Kind::Expression)
      throw UserError(value.where, fmt::format("{}: expressions are not supported for synapse parameters; give a "
                                               "number, a list or a distribution", what));
    parameters_[name] = resolve(what, fmt::format("{}/parameter/{}", name_, name), [&](std::size_t k) -> const auto& {
      return instance_spec(settings.ensemble, k, spec).parameters.at(name);
    });
    if (parameters_[name].size() == 1 && (value.kind == model::ValueSpec::Kind::Constant || total == 1))
      uniform_.push_back(name);
  }
  if (!spec.connect.matrix_values.empty()) {
    parameters_[spec.connect.matrix_values] = connectivity_.matrix_values;
    if (total == 1) uniform_.push_back(spec.connect.matrix_values);
  }
  for (const auto& [name, values] : parameters_) buffers_.set("param." + name, backend_.allocate_with(values));
  for (const auto& v : system_.state_variables()) {
    const std::string what = fmt::format("initial value of '{}' in projection '{}'", v, name_);
    const auto& init = spec.initial.at(v);
    if (init.kind == model::ValueSpec::Kind::Expression)
      throw UserError(init.where, what + ": give a number, a list or a distribution");
    Values values = resolve(what, fmt::format("{}/initial/{}", name_, v), [&](std::size_t) -> const auto& { return init; });
    std::vector<double> x(n, values.empty() ? 0.0 : values[0]);
    if (values.size() == n) x = values;
    backend_.upload(*add_buffer("x." + v, n), x);
    add_buffer("k." + v, n);
    add_buffer("acc." + v, n);
  }
}

// A kernel that reads N in an ensemble whose instances have different synapse counts
// would see one instance's: refused.
void Projection::check_count_read(const graph::Program& program) const {
  if (!instance_counts_differ_) return;
  for (std::size_t k = 0; k < program.inputs.size(); ++k) {
    const graph::Slot slot = program.input_slot(k);
    if (slot.kind == graph::Slot::Kind::Count && slot.side == graph::Slot::Side::Own)
      throw UserError(fmt::format("projection '{}' reads N (its number of synapses), which differs between the "
                                  "instances of this ensemble (random connectivity); ensembles support N of "
                                  "populations only", name_));
  }
}

namespace {

// Whether `b` computes what `a` computed earlier in the same step: the same instructions,
// inputs and outputs, and inputs that no stage changes (parameters, last spikes, indices,
// t, dt, N, the step counter and random keys: draws are keyed by step and draw number).
bool same_within_step(const graph::Program& a, const graph::Program& b) {
  using Kind = graph::Slot::Kind;
  if (a.inputs != b.inputs || a.outputs != b.outputs || a.code.size() != b.code.size()) return false;
  for (std::size_t k = 0; k < b.inputs.size(); ++k) {
    const Kind kind = b.input_slot(k).kind;
    if (kind != Kind::Parameter && kind != Kind::LastSpike && kind != Kind::Index && kind != Kind::Time &&
        kind != Kind::TimeStep && kind != Kind::Count && kind != Kind::Step && kind != Kind::RandomKey)
      return false;
  }
  for (std::size_t k = 0; k < b.code.size(); ++k) {
    const graph::Instruction &x = a.code[k], &y = b.code[k];
    if (x.op != y.op || x.dst != y.dst || x.a != y.a || x.b != y.b || x.c != y.c || x.slot != y.slot ||
        x.step_slot != y.step_slot || std::bit_cast<std::uint64_t>(x.constant) != std::bit_cast<std::uint64_t>(y.constant))
      return false;
  }
  return true;
}

}  // namespace

void Projection::bind_stage_kernels(const model::ProjectionSpec& spec, const graph::Scheme& scheme) {
  const std::size_t n = connectivity_.size();
  for (const auto& s : spec.summed)
    row_sums_.emplace_back(add_buffer("summed." + s.target, n), post_->buffer("syn." + s.target));
  bind_post_offsets();
  graph::KernelSpec kernel_spec{&system_, &scheme,
                                [this](const std::string& name) { return external_slot(name, graph::Slot::Kind::StageState); }, {}, {}};
  for (const auto& s : spec.summed) kernel_spec.stage_outputs.emplace_back("summed." + s.target, s.value);
  kernel_spec.uniform_slot = [this](const std::string& text) {
    graph::Slot slot = graph::Slot::parse(text);
    return slot.kind == graph::Slot::Kind::Parameter && slot.side == graph::Slot::Side::Own &&
           std::find(uniform_.begin(), uniform_.end(), slot.name) != uniform_.end();
  };
  programs_ = graph::build_synapse_kernels(kernel_spec);
  pre_reads_.resize(programs_.size());
  for (std::size_t s = 0; s < programs_.size(); ++s) {
    const auto& stage = programs_[s];
    for (const auto& out : stage.presynaptic.outputs) add_buffer(out, pre_->size());
    auto bind = [&](const graph::Program& program, bool presynaptic) {
      check_count_read(program);
      backend::KernelArguments arguments;
      for (std::size_t k = 0; k < program.inputs.size(); ++k) {
        arguments.inputs.push_back(input(program.input_slot(k), s, presynaptic));
        const graph::Slot slot = program.input_slot(k);
        note_presynaptic_read(slot, arguments.inputs.back(),
                              slot.kind == graph::Slot::Kind::LastSpike ? step_pre_reads_ : pre_reads_[s]);
      }
      for (const auto& slot : program.outputs) arguments.outputs.push_back(buffer(slot));
      return backend_.bind(program, arguments);
    };
    presynaptic_kernels_.push_back(stage.presynaptic.code.empty() ? nullptr : bind(stage.presynaptic, true));
    synaptic_kernels_.push_back(bind(stage.synaptic, false));
  }
  // A presynaptic kernel that would recompute, at the same stage time, what the stage before
  // left in the same outputs is not launched (RK4's stages 2 and 3, both at t + dt/2).
  for (std::size_t s = 1; s < programs_.size(); ++s)
    if (presynaptic_kernels_[s] && presynaptic_kernels_[s - 1] &&
        scheme.stages[s].time_fraction == scheme.stages[s - 1].time_fraction &&
        same_within_step(programs_[s - 1].presynaptic, programs_[s].presynaptic))
      presynaptic_kernels_[s] = nullptr;
}

void Projection::bind_post_offsets() {
  if (post_offsets_) return;
  post_offsets_ = add_buffer("conn.post_offsets", post_->size() + 1, ElementType::Index);
  backend_.upload(*post_offsets_, as_indices(connectivity_.post_offsets));
}

void Projection::set_up_events(const model::ProjectionSpec& spec, const graph::Scheme& scheme, const RunSettings& settings) {
  // Targets are synapse variables or postsynaptic variables (X_post, += or -= only).
  using Operation = model::EventStatement::Operation;
  for (const auto& statement : on_pre_) {
    const std::string& target = statement.target;
    bool post_target = target.size() > 5 && target.ends_with("_post") &&
                       post_->system().is_state(target.substr(0, target.size() - 5));
    if (!post_target && !system_.is_state(target))
      throw UserError(statement.where, fmt::format("on_pre of projection '{}' assigns to '{}', which is neither a "
                                                   "synapse state variable nor a postsynaptic state variable "
                                                   "(X_post)", name_, target));
    if (post_target && statement.operation != Operation::Add && statement.operation != Operation::Subtract)
      throw UserError(statement.where, fmt::format("on_pre of projection '{}': a postsynaptic variable ('{}') can "
                                                   "only be changed with += or -=, since several synapses may "
                                                   "change it in the same step", name_, target));
  }
  const std::size_t n = connectivity_.size();
  std::vector<std::uint64_t> seeds;  // per instance: its delays are drawn as its single run draws them
  for (std::size_t k = 0; k < instance_count(settings.ensemble); ++k)
    seeds.push_back(instance_seed(settings.ensemble, k, settings.seed));
  DelayClasses delays = build_delay_classes(spec, connectivity_, slice_.first, slice_.total, dt_, seeds);
  delay_steps_ = delays.largest();
  delay_classes_ = delays.steps;
  events_.queue = backend_.make_event_queue(ring_size());
  // Outgoing synapses by group (presynaptic neuron and delay class; by neuron for one delay).
  backend_.upload(*add_buffer("conn.pre_offsets", delays.group_offsets.size(), ElementType::Index),
                  delays.group_offsets);
  backend_.upload(*add_buffer("conn.outgoing", n, ElementType::Index), delays.group_synapses);
  events_.pre_offsets = buffer("conn.pre_offsets");
  events_.outgoing = buffer("conn.outgoing");
  events_.delay_classes = static_cast<std::uint32_t>(delays.count());
  events_.post = buffer("conn.post");
  bind_post_offsets();
  events_.post_offsets = post_offsets_;
  events_.due_synapse = add_buffer("event.synapse", n, ElementType::Index);
  events_.due_pre = add_buffer("event.pre", n, ElementType::Index);
  events_.due_post = add_buffer("event.post", n, ElementType::Index);
  if (system_.event_draws_random()) {  // rand(), randn(): keyed by instance, counted by global synapse index
    const EventRandomTables tables =
        event_random_tables(name_, seeds, connectivity_.instance_offsets, slice_.first, n, settings.steps);
    buffers_.set("random.key", backend_.allocate_with(tables.key_table));
    buffers_.set("random.site", backend_.allocate_with(tables.sites));
  }
  graph::KernelSpec event_spec{&system_, &scheme,
                               [this](const std::string& name) { return external_slot(name, graph::Slot::Kind::State); }, {}, {}};
  graph::Program program = graph::build_event_program(event_spec, on_pre_, name_ + "_on_pre");
  check_count_read(program);
  backend::KernelArguments arguments;
  for (std::size_t k = 0; k < program.inputs.size(); ++k) {
    arguments.inputs.push_back(event_input(program.input_slot(k)));
    note_presynaptic_read(program.input_slot(k), arguments.inputs.back(), step_pre_reads_);
  }
  for (std::size_t k = 0; k < on_pre_.size(); ++k) {
    const auto& statement = on_pre_[k];
    events_.values.push_back(add_buffer(fmt::format("event.value.{}", k), n));
    arguments.outputs.push_back(events_.values.back());
    bool post_target = !system_.is_state(statement.target);
    const std::string& t = statement.target;
    events_.targets.push_back({post_target ? post_->buffer("x." + t.substr(0, t.size() - 5)) : buffer("x." + t),
                               post_target, static_cast<backend::EventTarget::Operation>(statement.operation)});
  }
  event_kernel_ = backend_.bind(program, arguments);
  events_.kernel = event_kernel_.get();
}

// Presynaptic arrays that change during the run (state, stage state, last spikes, ...);
// parameters, indices and input tables are the same on every process.
void Projection::note_presynaptic_read(const graph::Slot& slot, const backend::KernelInput& input,
                                       std::vector<backend::BufferHandle>& reads) const {
  using Kind = graph::Slot::Kind;
  if (slot.side != graph::Slot::Side::Pre || !input.data) return;
  if (slot.kind == Kind::Parameter || slot.kind == Kind::Index || slot.kind == Kind::Input) return;
  if (std::find(reads.begin(), reads.end(), input.data) == reads.end()) reads.push_back(input.data);
}

const std::vector<backend::BufferHandle>& Projection::presynaptic_reads(std::size_t stage) const {
  static const std::vector<backend::BufferHandle> none;
  return stage < pre_reads_.size() ? pre_reads_[stage] : none;
}

std::string Projection::external_slot(const std::string& name, graph::Slot::Kind state_kind) const {
  using Slot = graph::Slot;
  bool is_pre = name.ends_with("_pre");
  const Population& side = is_pre ? *pre_ : *post_;
  std::string base = name.substr(0, name.size() - (is_pre ? 4 : 5));
  Slot slot{Slot::Kind::Parameter, is_pre ? Slot::Side::Pre : Slot::Side::Post, base};
  if (side.system().is_state(base)) slot.kind = state_kind;
  if (base == "lastspike") slot = {Slot::Kind::LastSpike, slot.side, ""};
  if (base == "i") slot = {Slot::Kind::Index, slot.side, ""};
  return slot.text();
}

// A slot of a stage kernel: over synapses, or (presynaptic) over presynaptic neurons.
KernelInput Projection::input(const graph::Slot& slot, std::size_t stage, bool presynaptic) const {
  using Kind = graph::Slot::Kind;
  using Side = graph::Slot::Side;
  if (slot.kind == Kind::Hoisted) return KernelInput::gathered(buffer(slot.own().text()), buffer("conn.pre"));
  if (slot.side != Side::Own) {
    const bool is_pre = slot.side == Side::Pre;
    KernelInput neuron = (is_pre ? pre_ : post_)->input(slot.own(), stage);
    if (presynaptic || neuron.kind != KernelInput::Kind::Array) return neuron;
    return KernelInput::gathered(neuron.data, buffer(is_pre ? "conn.pre" : "conn.post"));
  }
  switch (slot.kind) {
    case Kind::Time: return KernelInput::launch_scalar(scalar_t);
    case Kind::TimeStep: return KernelInput::launch_scalar(scalar_dt);
    case Kind::Count: return KernelInput::launch_scalar(scalar_count);
    case Kind::LastSpike:
      throw UserError(fmt::format("projection '{}': synapses have no 'lastspike'; read the presynaptic neuron's as "
                                  "lastspike_pre", name_));
    case Kind::Parameter: {
      const auto& b = buffer(slot.text());
      return b->size() == 1 ? KernelInput::broadcast(b) : KernelInput::array(b);
    }
    default: break;
  }
  if (const auto* b = buffers_.find(slot.text())) return KernelInput::array(*b);
  throw InternalError(fmt::format("projection '{}' has no slot '{}'", name_, slot.text()));
}

// A slot of the event kernel, which runs over the events of a step: everything
// per synapse or per neuron is gathered through the expanded event lists.
KernelInput Projection::event_input(const graph::Slot& slot) const {
  using Kind = graph::Slot::Kind;
  using Side = graph::Slot::Side;
  if (slot.side != Side::Own) {
    const bool is_pre = slot.side == Side::Pre;
    KernelInput neuron = (is_pre ? pre_ : post_)->input(slot.own(), 0);
    if (neuron.kind != KernelInput::Kind::Array) return neuron;
    return KernelInput::gathered(neuron.data, is_pre ? events_.due_pre : events_.due_post);
  }
  if (slot.kind == Kind::Time) return KernelInput::launch_scalar(scalar_t);
  if (slot.kind == Kind::TimeStep) return KernelInput::launch_scalar(scalar_dt);
  if (slot.kind == Kind::Count) return KernelInput::launch_scalar(scalar_count);
  if (slot.kind == Kind::Step) return KernelInput::launch_scalar(scalar_step);
  if (slot.kind == Kind::RandomKey) return KernelInput::broadcast(buffer(slot.text()));
  if (slot.kind == Kind::Parameter && buffer(slot.text())->size() == 1) return KernelInput::broadcast(buffer(slot.text()));
  if (const auto* b = buffers_.find(slot.text())) return KernelInput::gathered(*b, events_.due_synapse);
  throw InternalError(fmt::format("on_pre of projection '{}' reads unknown slot '{}'", name_, slot.text()));
}

std::vector<double> Projection::state(const std::string& variable) const {
  return backend_.download(*buffer("x." + variable));
}

std::vector<std::string> Projection::persistent_arrays() const {
  std::vector<std::string> names;
  for (const auto& v : system_.state_variables()) names.push_back("x." + v);
  return names;
}

std::vector<double> Projection::download(const std::string& persistent) const {
  return backend_.download(*buffer(persistent));
}

void Projection::upload(const std::string& persistent, const std::vector<double>& values) {
  const auto& b = buffer(persistent);
  if (values.size() != b->size())
    throw UserError(fmt::format("projection '{}': {} has {} values, {} given", name_, persistent, b->size(),
                                values.size()));
  backend_.upload(*b, values);
}

std::vector<std::vector<std::uint32_t>> Projection::events_in_flight() const {
  if (!events_.queue) return std::vector<std::vector<std::uint32_t>>(ring_size());
  return backend_.download_queue(*events_.queue);
}

void Projection::restore_events_in_flight(const std::vector<std::vector<std::uint32_t>>& ring) {
  if (ring.size() != ring_size())
    throw UserError(fmt::format("projection '{}': the checkpoint has a different delay", name_));
  const std::size_t groups = pre_->size() * delay_classes_.size();
  for (const auto& due : ring)
    for (std::uint32_t group : due)
      if (group >= groups)
        throw UserError(fmt::format("projection '{}': the checkpoint has a spike of presynaptic neuron {}, of {}",
                                    name_, group / delay_classes_.size(), pre_->size()));
  if (events_.queue) backend_.upload_queue(*events_.queue, ring);
}

double Projection::bytes() const {
  double total = 0.0;
  for (const auto& [name, b] : buffers_)
    total += static_cast<double>(b->size() * (b->type() == ElementType::Index ? 4 : 8));
  return total;
}

double Projection::bytes_per_synapse() const {
  if (size() == 0) return 0.0;
  double bytes = 0.0;
  for (const auto& [name, b] : buffers_)
    if (b->size() == size()) bytes += static_cast<double>(b->size() * (b->type() == ElementType::Index ? 4 : 8));
  return bytes / static_cast<double>(size());
}

void Projection::run_stage(std::size_t stage, double t) {
  if (synaptic_kernels_.empty()) return;
  const auto scalar = scalars(t);
  if (presynaptic_kernels_[stage]) presynaptic_kernels_[stage]->launch(scalar, 0, pre_->size());
  if (size() > 0) synaptic_kernels_[stage]->launch(scalar, 0, size());  // a rank may hold none
  // Ordered sums: synapses of post neuron i are contiguous, added in presynaptic order.
  for (const auto& [contributions, sums] : row_sums_)
    backend_.add_row_sums(*contributions, *post_offsets_, *sums, post_->owned().begin, post_->owned().end);
}

void Projection::deliver(std::int64_t step, double t, const std::vector<std::uint32_t>& pre_spikes) {
  queue_spikes(step, pre_spikes);
  deliver_due(step, t);
}

void Projection::queue_spikes(std::int64_t step, const std::vector<std::uint32_t>& pre_spikes) {
  if (!event_kernel_ || pre_spikes.empty()) return;
  // Spikes of the step that ended at `step` (at (step - 1) dt) arrive delay steps later.
  // With several delay classes each spike is queued once per class, as its group.
  const auto classes = static_cast<std::uint32_t>(delay_classes_.size());
  if (classes == 1) {
    backend_.queue_spikes(*events_.queue, step - 1 + delay_steps_, pre_spikes);
    return;
  }
  for (std::uint32_t k = 0; k < classes; ++k) {
    due_groups_.clear();
    for (std::uint32_t neuron : pre_spikes) due_groups_.push_back(neuron * classes + k);
    backend_.queue_spikes(*events_.queue, step - 1 + delay_classes_[k], due_groups_);
  }
}

void Projection::deliver_due(std::int64_t step, double t) {
  if (event_kernel_) backend_.deliver_events(events_, step, scalars(t, step));
}

}  // namespace psst::run
