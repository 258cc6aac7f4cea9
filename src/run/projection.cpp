#include "run/projection.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

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
  return options;
}

std::size_t slice_end(std::size_t end, std::size_t size) { return end == 0 ? size : end; }

// Checks a slice against its population before anything is built.
const model::ProjectionSpec& checked(const model::ProjectionSpec& spec, const Population& pre, const Population& post) {
  for (auto [name, begin, end, population] : {std::tuple{spec.pre, spec.pre_begin, spec.pre_end, &pre},
                                              std::tuple{spec.post, spec.post_begin, spec.post_end, &post}}) {
    if (end > population->size())
      throw UserError(spec.where, fmt::format("projection '{}': slice {}[{}:{}] goes past the end of population '{}' "
                                              "({} neurons)", spec.name, name, begin, end, name, population->size()));
  }
  return spec;
}

}  // namespace

Projection::Projection(const model::ProjectionSpec& spec, Population& pre, Population& post,
                       const graph::Scheme& scheme, backend::Backend& backend, const RunSettings& settings)
    : name_(checked(spec, pre, post).name),
      pre_(&pre),
      post_(&post),
      connectivity_(build_connectivity(
          spec.connect,
          {pre.size(), post.size(), spec.pre_begin, slice_end(spec.pre_end, pre.size()), spec.post_begin,
           slice_end(spec.post_end, post.size()), &pre == &post},
          settings.seed, spec.name)),
      system_(synapse_group(spec, connectivity_.size()), synapse_options(pre, post)),
      on_pre_(spec.on_pre) {
  const std::size_t n = connectivity_.size();
  dt_ = settings.dt;
  count_ = static_cast<double>(n);
  for (const auto& s : spec.summed) {
    system_.check_names(s.value, fmt::format("the summed contribution to '{}'", s.target), true);
    summed_targets_.push_back(s.target);
  }
  for (const auto& statement : on_pre_) system_.check_names(statement.value, "on_pre", true);
  // Parameters: per projection (broadcast) or per synapse; a connectivity matrix may supply one.
  for (const auto& [name, value] : spec.parameters) {
    ValueContext context{fmt::format("parameter '{}' of projection '{}'", name, name_),
                         fmt::format("{}/parameter/{}", name_, name), n, settings.seed};
    if (value.kind == model::ValueSpec::Kind::Expression)
      throw UserError(value.where, fmt::format("{}: expressions are not supported for synapse parameters; give a "
                                               "number, a list or a distribution", context.what));
    parameters_[name] = resolve_values(value, context);
  }
  if (!spec.connect.matrix_values.empty()) parameters_[spec.connect.matrix_values] = connectivity_.matrix_values;
  for (const auto& v : system_.state_variables()) {
    ValueContext context{fmt::format("initial value of '{}' in projection '{}'", v, name_),
                         fmt::format("{}/initial/{}", name_, v), n, settings.seed};
    const auto& init = spec.initial.at(v);
    if (init.kind == model::ValueSpec::Kind::Expression)
      throw UserError(init.where, context.what + ": give a number, a list or a distribution");
    Values values = resolve_values(init, context);
    arrays_["x." + v].assign(n, values[0]);
    if (values.size() == n) arrays_["x." + v] = values;
    arrays_["k." + v].assign(n, 0.0);
    arrays_["acc." + v].assign(n, 0.0);
  }
  for (const auto& target : summed_targets_) {
    arrays_["summed." + target].assign(n, 0.0);
    sums_.emplace_back(&arrays_.at("summed." + target), &post_->synaptic_input(target));
  }
  index_.resize(n);
  for (std::size_t s = 0; s < n; ++s) index_[s] = static_cast<double>(s);

  // Pre- and postsynaptic variables read at each stage must be materialised by their populations.
  std::vector<std::string> pre_shared, post_shared;
  auto collect = [&](const model::ExprPtr& expr) {
    std::vector<const model::Expr*> names;
    model::collect_names(expr, names);
    for (const auto* name : names) {
      const std::string& s = name->name;
      auto base = [&](std::size_t suffix) { return s.substr(0, s.size() - suffix); };
      if (s.size() > 4 && s.ends_with("_pre") && pre.system().is_state(base(4))) pre_shared.push_back(base(4));
      if (s.size() > 5 && s.ends_with("_post") && post.system().is_state(base(5))) post_shared.push_back(base(5));
    }
  };
  for (const auto& eq : spec.equations) collect(eq.rhs);
  for (const auto& s : spec.summed) collect(s.value);
  pre.share_stage_state(pre_shared, backend);
  post.share_stage_state(post_shared, backend);

  graph::KernelSpec kernel_spec{&system_, &scheme,
                                [this](const std::string& name) { return external_slot(name, "xs."); }, {}, {}};
  for (const auto& s : spec.summed) kernel_spec.stage_outputs.emplace_back("summed." + s.target, s.value);
  kernel_spec.uniform_slot = [this](const std::string& slot) {
    return slot.rfind("param.", 0) == 0 && parameters_.at(slot.substr(6)).size() == 1;
  };
  if (!system_.state_variables().empty() || !spec.summed.empty()) {
    programs_ = graph::build_synapse_kernels(kernel_spec);
    for (std::size_t s = 0; s < programs_.size(); ++s) {
      const auto& stage = programs_[s];
      for (const auto& out : stage.presynaptic.outputs) arrays_.try_emplace(out, pre.size(), 0.0);
      presynaptic_args_.push_back(stage.presynaptic.code.empty() ? backend::KernelArgs{} : bind(stage.presynaptic, s, true));
      presynaptic_kernels_.push_back(stage.presynaptic.code.empty()
                                         ? nullptr
                                         : backend.compile(stage.presynaptic, presynaptic_args_.back().bindings()));
      synaptic_args_.push_back(bind(stage.synaptic, s, false));
      synaptic_kernels_.push_back(backend.compile(stage.synaptic, synaptic_args_.back().bindings()));
    }
  }

  // Event-driven coupling: targets are synapse variables or postsynaptic variables (X_post, += or -= only).
  if (!on_pre_.empty()) {
    for (const auto& statement : on_pre_) {
      const std::string& target = statement.target;
      bool post_target = target.size() > 5 && target.ends_with("_post") &&
                         post.system().is_state(target.substr(0, target.size() - 5));
      if (!post_target && !system_.is_state(target))
        throw UserError(statement.where, fmt::format("on_pre of projection '{}' assigns to '{}', which is neither a "
                                                     "synapse state variable nor a postsynaptic state variable "
                                                     "(X_post)", name_, target));
      using Operation = model::EventStatement::Operation;
      if (post_target && statement.operation != Operation::Add && statement.operation != Operation::Subtract)
        throw UserError(statement.where, fmt::format("on_pre of projection '{}': a postsynaptic variable ('{}') can "
                                                     "only be changed with += or -=, since several synapses may "
                                                     "change it in the same step", name_, target));
    }
    double steps = std::round(spec.delay / dt_);
    if (!(spec.delay >= 0.0) || !std::isfinite(spec.delay))
      throw UserError(spec.where, fmt::format("projection '{}': delay must be >= 0 ms, got {}", name_, spec.delay));
    delay_steps_ = std::max<std::int64_t>(1, static_cast<std::int64_t>(steps));
    ring_.resize(static_cast<std::size_t>(delay_steps_) + 1);
    graph::KernelSpec event_spec{&system_, &scheme,
                                 [this](const std::string& name) { return external_slot(name, "x."); }, {}, {}};
    event_program_ = graph::build_event_program(event_spec, on_pre_, name_ + "_on_pre");
    // Every per-synapse input of the event kernel is gathered through the list of synapses due.
    std::vector<backend::Binding> bindings;
    for (const auto& slot : event_program_.inputs) {
      bool broadcast = slot == "t" || slot == "dt" || slot == "N";
      if (slot.rfind("param.", 0) == 0) broadcast = parameters_.at(slot.substr(6)).size() == 1;
      if (slot.rfind("pre.", 0) == 0 || slot.rfind("post.", 0) == 0) {
        bool is_pre = slot[1] == 'r';
        broadcast = (is_pre ? pre_ : post_)->binding(slot.substr(is_pre ? 4 : 5), 0).stride == 0;
      }
      bindings.push_back(broadcast ? backend::Binding::Broadcast : backend::Binding::Gathered);
    }
    event_kernel_ = backend.compile(event_program_, bindings);
  }
}

std::string Projection::external_slot(const std::string& name, const std::string& state_prefix) const {
  bool is_pre = name.ends_with("_pre");
  const Population& side = is_pre ? *pre_ : *post_;
  std::string base = name.substr(0, name.size() - (is_pre ? 4 : 5));
  std::string prefix = is_pre ? "pre." : "post.";
  if (side.system().is_state(base)) return prefix + state_prefix + base;
  if (base == "lastspike" || base == "i") return prefix + base;
  return prefix + "param." + base;
}

backend::KernelArgs Projection::bind(const graph::Program& program, std::size_t stage, bool presynaptic) {
  backend::KernelArgs args;
  for (const auto& slot : program.inputs) {
    if (slot.rfind("pre.hoisted.", 0) == 0) {
      args.add_input(arrays_.at(slot.substr(4)).data(), 1, connectivity_.pre.data());
    } else if (slot.rfind("pre.", 0) == 0 || slot.rfind("post.", 0) == 0) {
      bool is_pre = slot[1] == 'r';
      auto binding = (is_pre ? pre_ : post_)->binding(slot.substr(is_pre ? 4 : 5), stage);
      const std::uint32_t* index = presynaptic || binding.stride == 0
                                       ? nullptr
                                       : (is_pre ? connectivity_.pre.data() : connectivity_.post.data());
      args.add_input(binding.data, binding.stride, index);
    } else if (auto it = arrays_.find(slot); it != arrays_.end()) {
      args.add_input(it->second.data(), 1);
    } else if (slot.rfind("param.", 0) == 0) {
      const Values& values = parameters_.at(slot.substr(6));
      args.add_input(values.data(), values.size() == 1 ? 0 : 1);
    } else if (slot == "t") {
      args.add_input(&time_, 0);
    } else if (slot == "dt") {
      args.add_input(&dt_, 0);
    } else if (slot == "N") {
      args.add_input(&count_, 0);
    } else if (slot == "i") {
      args.add_input(index_.data(), 1);
    } else if (slot == "lastspike") {
      throw UserError(fmt::format("projection '{}': synapses have no 'lastspike'; read the presynaptic neuron's as "
                                  "lastspike_pre", name_));
    } else {
      throw InternalError(fmt::format("projection '{}' has no slot '{}'", name_, slot));
    }
  }
  for (const auto& slot : program.outputs) args.outputs.push_back(arrays_.at(slot).data());
  return args;
}

std::vector<std::pair<std::string, std::vector<double>*>> Projection::persistent_arrays() {
  std::vector<std::pair<std::string, std::vector<double>*>> arrays;
  for (const auto& v : system_.state_variables()) arrays.emplace_back("x." + v, &arrays_.at("x." + v));
  return arrays;
}

double Projection::bytes_per_synapse() const {
  if (size() == 0) return 0.0;
  double bytes = static_cast<double>(connectivity_.bytes());
  for (const auto& [name, values] : arrays_)
    if (values.size() == size()) bytes += static_cast<double>(values.size() * sizeof(double));
  for (const auto& [name, values] : parameters_)
    if (values.size() == size()) bytes += static_cast<double>(values.size() * sizeof(double));
  return bytes / static_cast<double>(size());
}

void Projection::run_stage(std::size_t stage, double t) {
  if (synaptic_kernels_.empty()) return;
  time_ = t;
  if (presynaptic_kernels_[stage]) presynaptic_kernels_[stage]->run(presynaptic_args_[stage], 0, pre_->size());
  synaptic_kernels_[stage]->run(synaptic_args_[stage], 0, size());
  // Ordered sums: synapses of post neuron i are contiguous, added in presynaptic order.
  for (const auto& [contribution_array, sum_array] : sums_) {
    const std::vector<double>& contribution = *contribution_array;
    std::vector<double>& sum = *sum_array;
    const auto& offsets = connectivity_.post_offsets;
    for (std::size_t i = 0; i < sum.size(); ++i) {
      double row = 0.0;
      for (std::size_t s = offsets[i]; s < offsets[i + 1]; ++s) row += contribution[s];
      sum[i] += row;
    }
  }
}

void Projection::deliver(std::int64_t step, double t, const std::vector<std::size_t>& pre_spikes) {
  if (!event_kernel_) return;
  const auto ring_size = static_cast<std::int64_t>(ring_.size());
  auto& due_later = ring_[static_cast<std::size_t>((step - 1 + delay_steps_) % ring_size)];
  for (std::size_t neuron : pre_spikes)
    for (std::size_t k = connectivity_.pre_offsets[neuron]; k < connectivity_.pre_offsets[neuron + 1]; ++k)
      due_later.push_back(connectivity_.outgoing[k]);
  auto& due = ring_[static_cast<std::size_t>(step % ring_size)];
  if (due.empty()) return;
  time_ = t;
  const std::size_t events = due.size();
  event_pre_.resize(events);
  event_post_.resize(events);
  for (std::size_t e = 0; e < events; ++e) {
    event_pre_[e] = connectivity_.pre[due[e]];
    event_post_[e] = connectivity_.post[due[e]];
  }
  // Right-hand sides for every event first (state at the step boundary), then the updates in order.
  backend::KernelArgs args;
  for (const auto& slot : event_program_.inputs) {
    if (slot.rfind("pre.", 0) == 0 || slot.rfind("post.", 0) == 0) {
      bool is_pre = slot[1] == 'r';
      auto binding = (is_pre ? pre_ : post_)->binding(slot.substr(is_pre ? 4 : 5), 0);
      args.add_input(binding.data, binding.stride, binding.stride == 0 ? nullptr : (is_pre ? event_pre_ : event_post_).data());
    } else if (auto it = arrays_.find(slot); it != arrays_.end()) {
      args.add_input(it->second.data(), 1, due.data());
    } else if (slot.rfind("param.", 0) == 0) {
      const Values& values = parameters_.at(slot.substr(6));
      args.add_input(values.data(), values.size() == 1 ? 0 : 1, values.size() == 1 ? nullptr : due.data());
    } else if (slot == "t" || slot == "dt" || slot == "N") {
      args.add_input(slot == "t" ? &time_ : slot == "dt" ? &dt_ : &count_, 0);
    } else if (slot == "i") {
      args.add_input(index_.data(), 1, due.data());
    } else {
      throw InternalError(fmt::format("on_pre of projection '{}' reads unknown slot '{}'", name_, slot));
    }
  }
  event_values_.resize(on_pre_.size());
  for (auto& values : event_values_) {
    values.resize(events);
    args.outputs.push_back(values.data());
  }
  event_kernel_->run(args, 0, events);
  using Operation = model::EventStatement::Operation;
  for (std::size_t k = 0; k < on_pre_.size(); ++k) {
    const auto& statement = on_pre_[k];
    bool post_target = !system_.is_state(statement.target);
    std::vector<double>& target =
        post_target ? post_->state(statement.target.substr(0, statement.target.size() - 5)) : state(statement.target);
    const std::vector<std::uint32_t>& where = post_target ? event_post_ : due;
    const std::vector<double>& values = event_values_[k];
    for (std::size_t e = 0; e < events; ++e) {
      double& x = target[where[e]];
      switch (statement.operation) {
        case Operation::Assign: x = values[e]; break;
        case Operation::Add: x += values[e]; break;
        case Operation::Subtract: x -= values[e]; break;
        case Operation::Multiply: x *= values[e]; break;
      }
    }
  }
  due.clear();
}

}  // namespace psst::run
