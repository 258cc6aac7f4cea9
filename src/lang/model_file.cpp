#include "lang/model_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "graph/scheme.hpp"
#include "lang/model_builder.hpp"
#include "lang/parser.hpp"

namespace psst::lang {

namespace {

class Reader {
 public:
  Reader(const std::string& text, std::string file, std::filesystem::path base_dir)
      : text_(text), file_(std::move(file)), base_dir_(std::move(base_dir)), builder_(file_) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) lines_.push_back(line);
  }

  model::NetworkSpec read() {
    toml::table root;
    try {
      root = toml::parse(text_, file_);
    } catch (const toml::parse_error& e) {
      throw UserError(SourceLocation{file_, static_cast<int>(e.source().begin.line),
                                     static_cast<int>(e.source().begin.column)},
                      fmt::format("this is not valid TOML: {}", e.description()));
    }
    check_keys(root, "the top level", {"simulation", "models", "populations", "projections", "record", "sweep"});
    if (auto* sim = root.get("simulation")) simulation(table(*sim, "[simulation]"));
    const toml::table* models = root.get("models") ? &table(*root.get("models"), "[models]") : nullptr;
    auto* populations = root.get("populations");
    if (!populations) throw UserError(SourceLocation{file_, 1, 1}, "the model has no [populations.<name>] table");
    for (auto& [name, node] : table(*populations, "[populations]"))
      population(std::string(name.str()), table(node, fmt::format("[populations.{}]", name.str())), models);
    if (auto* projections = root.get("projections"))
      for (auto& [name, node] : table(*projections, "[projections]"))
        projection(std::string(name.str()), table(node, fmt::format("[projections.{}]", name.str())));
    if (auto* record = root.get("record"))
      for (auto& [name, node] : table(*record, "[record]"))
        record_population(std::string(name.str()), table(node, fmt::format("[record.{}]", name.str())));
    model::NetworkSpec spec = builder_.build();
    if (auto* sweep = root.get("sweep")) spec.sweep = sweep_table(table(*sweep, "[sweep]"));
    spec.source_text = text_;
    return spec;
  }

 private:
  SourceLocation where(const toml::node& node) const {
    return {file_, static_cast<int>(node.source().begin.line), static_cast<int>(node.source().begin.column)};
  }

  const toml::table& table(const toml::node& node, const std::string& what) const {
    if (!node.is_table()) throw UserError(where(node), fmt::format("{} must be a table", what));
    return *node.as_table();
  }

  void check_keys(const toml::table& t, const std::string& what, std::set<std::string> valid) const {
    for (auto& [key, node] : t) {
      if (valid.count(std::string(key.str()))) continue;
      std::string list;
      for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
      throw UserError(where(node), fmt::format("unknown key '{}' in {}; valid keys are {}", key.str(), what, list));
    }
  }

  double number(const toml::node& node, const std::string& what) const {
    if (auto v = node.value<double>(); v && (node.is_floating_point() || node.is_integer())) return *v;
    throw UserError(where(node), fmt::format("{} must be a number, found {}", what, describe(node)));
  }

  std::string string(const toml::node& node, const std::string& what) const {
    if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
    throw UserError(where(node), fmt::format("{} must be a string, found {}", what, describe(node)));
  }

  std::size_t count(const toml::node& node, const std::string& what) const {
    if (!node.is_integer() || *node.value<std::int64_t>() < 0)
      throw UserError(where(node), fmt::format("{} must be a non-negative integer, found {}", what, describe(node)));
    return static_cast<std::size_t>(*node.value<std::int64_t>());
  }

  static std::string describe(const toml::node& node) {
    if (node.is_table()) return "a table";
    if (node.is_array()) return "an array";
    if (node.is_string()) return fmt::format("the string \"{}\"", *node.value<std::string>());
    if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
    if (auto v = node.value<double>()) return fmt::format("{}", *v);
    return "a date or time";
  }

  // Where the text of a string value is in the file: its first line and column, and
  // where each of its bytes is (TOML decodes escapes, and in a """ string a
  // backslash at the end of a line joins it to the next: the value is then not
  // the file's text one for one).
  TextOrigin origin(const toml::node& node) const {
    SourceLocation at = where(node);
    TextOrigin o{file_, at.line, at.column};
    if (at.line < 1 || static_cast<std::size_t>(at.line) > lines_.size() || !node.is_string()) return o;
    const std::string& line = lines_[static_cast<std::size_t>(at.line - 1)];
    const std::size_t col = static_cast<std::size_t>(at.column - 1);
    if (col >= line.size()) return o;
    const bool basic = line[col] == '"';
    const bool triple = line.compare(col, 3, "\"\"\"") == 0 || line.compare(col, 3, "'''") == 0;
    // The value's first character: a newline right after an opening """ or ''' is not part of it.
    std::size_t r = col + (triple ? 3 : 1);
    for (int k = 1; k < at.line; ++k) r += lines_[static_cast<std::size_t>(k - 1)].size() + 1;
    int l = at.line, c = at.column + (triple ? 3 : 1);
    auto advance = [&] {
      if (text_[r] == '\n') {
        ++l;
        c = 1;
      } else {
        ++c;
      }
      ++r;
    };
    if (triple && r + 1 < text_.size() && text_[r] == '\r' && text_[r + 1] == '\n') advance();
    if (triple && r < text_.size() && text_[r] == '\n') advance();
    o.first_line = l;
    o.first_column = c;
    // Walk the file text and the value side by side; on any mismatch, give up
    // (positions are then counted in the value, as without escapes).
    const std::string value = *node.value<std::string>();
    std::vector<std::pair<int, int>> positions;
    auto blank = [&](std::size_t k) {
      return k < text_.size() && (text_[k] == ' ' || text_[k] == '\t' || text_[k] == '\r' || text_[k] == '\n');
    };
    for (std::size_t v = 0; v < value.size();) {
      if (r >= text_.size()) return o;
      if (basic && text_[r] == '\\') {
        const std::pair<int, int> escape{l, c};
        if (blank(r + 1)) {  // a line-ending backslash: it, the newline and the next line's indent vanish
          advance();
          while (blank(r)) advance();
          continue;
        }
        const char kind = r + 1 < text_.size() ? text_[r + 1] : '\0';
        const std::size_t length = kind == 'u' ? 6 : kind == 'U' ? 10 : kind == 'x' ? 4 : 2;
        std::size_t bytes = 1;
        if (length > 2) {  // a code point: as many bytes as its UTF-8
          if (r + length > text_.size()) return o;
          unsigned long code = 0;
          const char* end = text_.data() + r + length;
          auto [ptr, error] = std::from_chars(text_.data() + r + 2, end, code, 16);
          if (error != std::errc() || ptr != end) return o;
          bytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
        }
        if (v + bytes > value.size()) return o;
        positions.insert(positions.end(), bytes, escape);
        v += bytes;
        for (std::size_t k = 0; k < length && r < text_.size(); ++k) advance();
        continue;
      }
      if (text_[r] == '\r' && value[v] == '\n' && r + 1 < text_.size() && text_[r + 1] == '\n') advance();
      if (text_[r] != value[v]) return o;
      positions.push_back({l, c});
      ++v;
      advance();
    }
    positions.push_back({l, c});  // the end of the text
    o.positions = std::move(positions);
    return o;
  }

  void simulation(const toml::table& t) {
    check_keys(t, "[simulation]",
               {"duration", "dt", "method", "seed", "record_every", "lastspike_initial", "precision", "instances",
                "math"});
    auto& sim = builder_.spec().simulation;
    sim.where = where(t);
    if (auto* n = t.get("duration")) sim.duration = number(*n, "simulation.duration (ms)");
    if (auto* n = t.get("dt")) sim.dt = number(*n, "simulation.dt (ms)");
    if (auto* n = t.get("method")) {
      sim.method = string(*n, "simulation.method");
      try {
        graph::find_scheme(sim.method);  // an unknown method: point at it here, where it is written
      } catch (const UserError& e) {
        throw UserError(where(*n), e.what());
      }
    }
    if (auto* n = t.get("seed")) sim.seed = count(*n, "simulation.seed");
    if (auto* n = t.get("instances")) {
      sim.instances = count(*n, "simulation.instances");
      if (sim.instances == 0)
        throw UserError(where(*n), "simulation.instances is 0; an ensemble has at least 1 instance");
    }
    if (auto* n = t.get("record_every")) sim.record_every = number(*n, "simulation.record_every (ms)");
    if (auto* n = t.get("lastspike_initial")) sim.lastspike_initial = number(*n, "simulation.lastspike_initial (ms)");
    if (auto* n = t.get("precision")) {
      sim.precision = string(*n, "simulation.precision");
      if (sim.precision != "double" && sim.precision != "single")
        throw UserError(where(*n), fmt::format("simulation.precision is \"{}\"; valid values are \"double\" (float64, "
                                               "the default) and \"single\" (float32)", sim.precision));
    }
    if (auto* n = t.get("math")) {
      sim.math = string(*n, "simulation.math");
      if (sim.math != "exact" && sim.math != "fast")
        throw UserError(where(*n), fmt::format("simulation.math is \"{}\"; valid values are \"exact\" (every operation "
                                               "as written, the default) and \"fast\" (x / c as x * (1/c), "
                                               "a * b + c as fma(a, b, c))", sim.math));
    }
  }

  // [sweep]: "OWNER.NAME" = [values], and grid = true|false; entries in the order of the file.
  model::SweepSpec sweep_table(const toml::table& t) const {
    model::SweepSpec sweep;
    sweep.where = where(t);
    for (auto& [key, node] : t) {
      const std::string name(key.str());
      if (name == "grid") {
        if (!node.is_boolean()) throw UserError(where(node), fmt::format("sweep.grid must be true or false; found {}",
                                                                         describe(node)));
        sweep.grid = *node.value<bool>();
        continue;
      }
      const auto dot = name.find('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
        throw UserError(where(node), fmt::format("[sweep] key '{}' must name a parameter as \"POPULATION.NAME\" or "
                                                 "\"PROJECTION.NAME\" (quoted), or be grid = true", name));
      if (!node.is_array() || node.as_array()->empty())
        throw UserError(where(node), fmt::format("[sweep] \"{}\" must be a non-empty list of numbers, one per "
                                                 "instance (or per grid point); found {}", name, describe(node)));
      model::SweepSpec::Entry entry{name.substr(0, dot), name.substr(dot + 1), {}, where(node)};
      for (auto& item : *node.as_array()) entry.values.push_back(number(item, fmt::format("sweep \"{}\"", name)));
      sweep.entries.push_back(std::move(entry));
    }
    std::stable_sort(sweep.entries.begin(), sweep.entries.end(), [](const auto& a, const auto& b) {
      return std::pair{a.where.line, a.where.column} < std::pair{b.where.line, b.where.column};
    });
    return sweep;
  }

  model::ValueSpec value(const toml::node& node, const std::string& what, bool allow_expression) const {
    model::ValueSpec v;
    v.where = where(node);
    if (node.is_integer() || node.is_floating_point()) {
      v.value = number(node, what);
      return v;
    }
    if (node.is_array()) {
      v.kind = model::ValueSpec::Kind::List;
      for (auto& item : *node.as_array()) v.values.push_back(number(item, what + " (each list entry)"));
      return v;
    }
    if (node.is_string() && allow_expression) {
      v.kind = model::ValueSpec::Kind::Expression;
      v.expression = parse_expression(*node.value<std::string>(), origin(node));
      return v;
    }
    if (node.is_table()) {
      const auto& t = *node.as_table();
      if (auto* f = t.get("file")) {
        check_keys(t, what, {"file"});
        v.kind = model::ValueSpec::Kind::File;
        v.file = (base_dir_ / string(*f, what + ".file")).string();
        return v;
      }
      if (auto* d = t.get("distribution")) {
        std::string kind = string(*d, what + ".distribution");
        if (kind == "normal") {
          check_keys(t, what, {"distribution", "mean", "std"});
          v.kind = model::ValueSpec::Kind::Normal;
          v.mean = t.get("mean") ? number(*t.get("mean"), what + ".mean") : 0.0;
          v.std = t.get("std") ? number(*t.get("std"), what + ".std") : 1.0;
          return v;
        }
        if (kind == "uniform") {
          check_keys(t, what, {"distribution", "low", "high"});
          v.kind = model::ValueSpec::Kind::Uniform;
          v.low = t.get("low") ? number(*t.get("low"), what + ".low") : 0.0;
          v.high = t.get("high") ? number(*t.get("high"), what + ".high") : 1.0;
          return v;
        }
        throw UserError(where(*d), fmt::format("unknown distribution '{}' for {}; valid: normal (mean, std), uniform "
                                               "(low, high)", kind, what));
      }
    }
    throw UserError(where(node), fmt::format("{} must be a number, a list with one number per neuron, {}{{ file = "
                                             "\"values.npy\" }} or {{ distribution = \"normal\", mean = .., std = .. }}"
                                             "; found {}",
                                             what, allow_expression ? "an expression in quotes, " : "",
                                             describe(node)));
  }

  model::InputSpec input(const std::string& population, const std::string& name, const toml::node& node) const {
    std::string what = fmt::format("[populations.{}.inputs.{}]", population, name);
    const auto& t = table(node, what);
    check_keys(t, what, {"file", "segments", "default"});
    model::InputSpec in;
    in.name = name;
    in.where = where(node);
    if (auto* d = t.get("default")) in.default_value = number(*d, what + ".default");
    if (auto* f = t.get("file")) in.file = (base_dir_ / string(*f, what + ".file")).string();
    if (auto* s = t.get("segments")) {
      if (!s->is_array()) throw UserError(where(*s), what + ".segments must be an array of tables");
      for (auto& item : *s->as_array()) {
        const auto& seg = table(item, what + " segment");
        check_keys(seg, what + " segment", {"start", "end", "value", "neurons"});
        model::InputSpec::Segment segment;
        for (const char* key : {"start", "end", "value"})
          if (!seg.get(key))
            throw UserError(where(item), fmt::format("a segment of {} needs start, end and value; '{}' is missing",
                                                     what, key));
        segment.start = number(*seg.get("start"), "segment start (ms)");
        segment.end = number(*seg.get("end"), "segment end (ms)");
        segment.value = number(*seg.get("value"), "segment value");
        if (auto* n = seg.get("neurons")) {
          if (!n->is_array()) throw UserError(where(*n), "segment neurons must be a list of neuron indices");
          for (auto& idx : *n->as_array()) segment.neurons.push_back(count(idx, "a neuron index"));
        }
        in.segments.push_back(segment);
      }
    }
    if (in.file.empty() == in.segments.empty())
      throw UserError(in.where, fmt::format("{} needs exactly one of 'file' (a table of steps) or 'segments'", what));
    return in;
  }

  // Looks a key up in the population table, then in the model it names.
  const toml::node* lookup(const toml::table& population, const toml::table* model, const char* key) const {
    if (auto* n = population.get(key)) return n;
    return model ? model->get(key) : nullptr;
  }

  void population(const std::string& name, const toml::table& t, const toml::table* models) {
    const std::string what = fmt::format("[populations.{}]", name);
    check_keys(t, what, {"size", "model", "equations", "parameters", "initial", "threshold", "jitter", "inputs",
                         "reset", "refractory", "poisson_rate", "spike_times"});
    const toml::table* model = nullptr;
    if (auto* m = t.get("model")) {
      std::string model_name = string(*m, what + ".model");
      if (!models || !models->get(model_name))
        throw UserError(where(*m), fmt::format("{} uses model '{}', but there is no [models.{}] table", what,
                                               model_name, model_name));
      model = &table(*models->get(model_name), fmt::format("[models.{}]", model_name));
      check_keys(*model, fmt::format("[models.{}]", model_name),
                 {"equations", "parameters", "initial", "threshold", "jitter", "reset", "refractory"});
    }
    std::size_t size = 1;
    if (auto* s = t.get("size")) {
      size = count(*s, what + ".size");
      if (size == 0) throw UserError(where(*s), fmt::format("{}.size is 0; a population needs at least one neuron", what));
    }
    PopulationBuilder p = builder_.population(name, size);
    p.spec().where = where(t);
    if (auto* rate = t.get("poisson_rate")) {
      poisson_population(p, name, t, *rate, model);
      return;
    }
    if (auto* spikes = t.get("spike_times")) {
      spike_time_population(p, name, t, *spikes);
      return;
    }
    const toml::node* equations = lookup(t, model, "equations");
    if (!equations) throw UserError(where(t), fmt::format("{} has no 'equations'", what));
    p.equations(string(*equations, what + ".equations"), origin(*equations));
    for (const char* key : {"parameters", "initial"}) {
      // The model's table first, then the population's entries override it.
      for (const toml::table* source : {model, &t}) {
        if (!source || !source->get(key)) continue;
        for (auto& [k, node] : table(*source->get(key), fmt::format("{}.{}", what, key))) {
          std::string entry = fmt::format("{} '{}' of population '{}'", key == std::string("parameters") ? "parameter" : "initial value of", k.str(), name);
          if (key == std::string("parameters"))
            p.parameter(std::string(k.str()), value(node, entry, true));
          else
            p.initial(std::string(k.str()), value(node, entry, true));
        }
      }
    }
    if (auto* th = lookup(t, model, "threshold")) p.threshold(string(*th, what + ".threshold"), origin(*th));
    if (auto* j = lookup(t, model, "jitter")) {
      double jitter = number(*j, what + ".jitter");
      if (!(jitter >= 0.0) || !std::isfinite(jitter))
        throw UserError(where(*j), fmt::format("{}.jitter is a relative standard deviation and must be >= 0, found {}",
                                               what, jitter));
      p.jitter(jitter);
    }
    if (auto* r = lookup(t, model, "reset")) p.reset(string(*r, what + ".reset"), origin(*r));
    if (auto* r = lookup(t, model, "refractory")) {
      if (r->is_string())  // a condition: refractory from a spike for as long as it holds
        p.refractory_condition(*r->value<std::string>(), origin(*r));
      else
        p.refractory(value(*r, fmt::format("refractory period (ms) of population '{}'", name), false));
    }
    if (auto* inputs = t.get("inputs"))
      for (auto& [k, node] : table(*inputs, what + ".inputs")) p.input(input(name, std::string(k.str()), node));
  }

  // A Poisson population: `poisson_rate` and `size`, nothing that needs equations.
  void poisson_population(PopulationBuilder& p, const std::string& name, const toml::table& t,
                          const toml::node& rate, const toml::table* model) const {
    const std::string what = fmt::format("[populations.{}]", name);
    for (const auto& [key, node] : t) {
      const std::string k(key.str());
      if (k != "size" && k != "poisson_rate")
        throw UserError(where(node), fmt::format("{} is a Poisson population (poisson_rate): it has no '{}'; its only "
                                                 "keys are size and poisson_rate", what, k));
    }
    (void)model;
    p.poisson_rate(value(rate, fmt::format("poisson_rate (Hz) of population '{}'", name), true));
  }

  // A spike-time population: `size` and `spike_times = { times = [...], indices = [...] }`
  // or `{ file = "spikes.csv" }` (columns index, time in ms).
  void spike_time_population(PopulationBuilder& p, const std::string& name, const toml::table& t,
                             const toml::node& node) const {
    const std::string what = fmt::format("[populations.{}]", name);
    for (const auto& [key, n] : t) {
      const std::string k(key.str());
      if (k != "size" && k != "spike_times")
        throw UserError(where(n), fmt::format("{} is a spike-time population (spike_times): it has no '{}'; its "
                                              "only keys are size and spike_times", what, k));
    }
    const std::string entry = what + ".spike_times";
    const toml::table& s = table(node, entry);
    model::PopulationSpec::SpikeTimes spikes;
    spikes.where = where(node);
    if (auto* f = s.get("file")) {
      check_keys(s, entry, {"file"});
      spikes.file = (base_dir_ / string(*f, entry + ".file")).string();
    } else {
      check_keys(s, entry, {"times", "indices"});
      for (const char* key : {"times", "indices"}) {
        const toml::node* list = s.get(key);
        if (!list || !list->is_array())
          throw UserError(list ? where(*list) : spikes.where,
                          fmt::format("{} needs '{}', a list of numbers (or give {{ file = \"spikes.csv\" }})",
                                      entry, key));
        auto& out = key == std::string("times") ? spikes.times : spikes.indices;
        for (auto& item : *list->as_array()) out.push_back(number(item, fmt::format("{}.{} entry", entry, key)));
      }
      if (spikes.times.size() != spikes.indices.size())
        throw UserError(spikes.where, fmt::format("{} has {} times and {} indices; give one index per time", entry,
                                                  spikes.times.size(), spikes.indices.size()));
    }
    p.spike_times(std::move(spikes));
  }

  model::ConnectSpec connect(const toml::node& node, const std::string& what) const {
    model::ConnectSpec c;
    c.where = where(node);
    using Rule = model::ConnectSpec::Rule;
    const std::string rules = "all_to_all, one_to_one, probability (p), fixed_indegree (k), matrix (file), list (pre, post)";
    auto rule_of = [&](const std::string& name, const toml::node& at) {
      if (name == "all_to_all") return Rule::AllToAll;
      if (name == "one_to_one") return Rule::OneToOne;
      if (name == "probability") return Rule::Probability;
      if (name == "fixed_indegree") return Rule::FixedInDegree;
      if (name == "matrix") return Rule::Matrix;
      if (name == "list") return Rule::List;
      throw UserError(where(at), fmt::format("unknown connection rule '{}' in {}; valid rules: {}", name, what, rules));
    };
    if (node.is_string()) {
      c.rule = rule_of(*node.value<std::string>(), node);
      if (c.rule != Rule::AllToAll && c.rule != Rule::OneToOne)
        throw UserError(where(node), fmt::format("{}: rule '{}' needs parameters; write connect = {{ rule = \"{}\", ... }}",
                                                 what, *node.value<std::string>(), *node.value<std::string>()));
      return c;
    }
    const auto& t = table(node, what);
    check_keys(t, what, {"rule", "p", "k", "self", "file", "values", "pre", "post"});
    if (!t.get("rule")) throw UserError(where(node), fmt::format("{} needs a 'rule': {}", what, rules));
    c.rule = rule_of(string(*t.get("rule"), what + ".rule"), *t.get("rule"));
    auto need = [&](const char* key) -> const toml::node& {
      if (!t.get(key)) throw UserError(where(node), fmt::format("{}: this rule needs '{}'", what, key));
      return *t.get(key);
    };
    if (c.rule == Rule::Probability) c.probability = number(need("p"), what + ".p");
    if (c.rule == Rule::FixedInDegree) c.in_degree = count(need("k"), what + ".k");
    if (c.rule == Rule::Matrix) c.file = (base_dir_ / string(need("file"), what + ".file")).string();
    if (auto* v = t.get("values")) c.matrix_values = string(*v, what + ".values");
    if (c.rule == Rule::List)
      for (auto [key, list] : {std::pair{"pre", &c.pre}, std::pair{"post", &c.post}}) {
        const auto& n = need(key);
        if (!n.is_array()) throw UserError(where(n), fmt::format("{}.{} must be a list of neuron indices", what, key));
        for (auto& item : *n.as_array()) list->push_back(count(item, fmt::format("{}.{} entry", what, key)));
      }
    if (auto* self = t.get("self")) {
      if (!self->is_boolean()) throw UserError(where(*self), what + ".self must be true or false");
      c.allow_self = *self->value<bool>();
    }
    return c;
  }

  void projection(const std::string& name, const toml::table& t) {
    const std::string what = fmt::format("[projections.{}]", name);
    check_keys(t, what, {"pre", "post", "connect", "equations", "parameters", "initial", "summed", "on_pre", "delay"});
    for (const char* key : {"pre", "post", "connect"})
      if (!t.get(key)) throw UserError(where(t), fmt::format("{} needs '{}'", what, key));
    ProjectionBuilder p = builder_.projection(name, string(*t.get("pre"), what + ".pre"),
                                              string(*t.get("post"), what + ".post"), where(t));
    p.connect(connect(*t.get("connect"), what + ".connect"));
    if (auto* e = t.get("equations")) p.equations(string(*e, what + ".equations"), origin(*e));
    for (const char* key : {"parameters", "initial"}) {
      if (!t.get(key)) continue;
      for (auto& [k, node] : table(*t.get(key), fmt::format("{}.{}", what, key))) {
        std::string entry = fmt::format("{} '{}' of projection '{}'", key, k.str(), name);
        if (key == std::string("parameters"))
          p.parameter(std::string(k.str()), value(node, entry, false));
        else
          p.initial(std::string(k.str()), value(node, entry, false));
      }
    }
    if (auto* s = t.get("summed"))
      for (auto& [k, node] : table(*s, what + ".summed"))
        p.summed(std::string(k.str()), string(node, fmt::format("{}.summed.{}", what, k.str())), origin(node));
    if (auto* o = t.get("on_pre")) p.on_pre(string(*o, what + ".on_pre"), origin(*o));
    if (auto* d = t.get("delay")) p.delay(value(*d, fmt::format("delay (ms) of projection '{}'", name), false));
  }

  void record_population(const std::string& population, const toml::table& t) {
    const std::string what = fmt::format("[record.{}]", population);
    check_keys(t, what, {"variables", "neurons", "synapses", "spikes", "rate_bin"});
    std::vector<std::string> variables;
    if (auto* v = t.get("variables")) {
      if (!v->is_array()) throw UserError(where(*v), what + ".variables must be a list of names, e.g. [\"V\"]");
      for (auto& item : *v->as_array()) variables.push_back(string(item, what + ".variables entry"));
    }
    // `neurons` of a population, `synapses` of a projection (global synapse indices).
    if (t.get("neurons") && t.get("synapses"))
      throw UserError(where(*t.get("synapses")), fmt::format("{} has both 'neurons' and 'synapses'; a population's "
                                                              "table takes neurons, a projection's synapses", what));
    const char* key = t.get("synapses") ? "synapses" : "neurons";
    std::optional<std::vector<std::size_t>> neurons;
    if (auto* n = t.get(key)) {
      if (n->is_string() && *n->value<std::string>() == "all") {
      } else if (n->is_array()) {
        neurons.emplace();
        for (auto& item : *n->as_array()) neurons->push_back(count(item, fmt::format("{}.{} entry", what, key)));
      } else {
        throw UserError(where(*n), fmt::format("{}.{} must be \"all\" or a list of {} indices", what, key,
                                               key == std::string("synapses") ? "synapse" : "neuron"));
      }
    }
    bool spikes = true;
    if (auto* s = t.get("spikes")) {
      if (!s->is_boolean()) throw UserError(where(*s), what + ".spikes must be true or false");
      spikes = *s->value<bool>();
    }
    double rate_bin = 0.0;
    if (auto* r = t.get("rate_bin")) {
      rate_bin = number(*r, what + ".rate_bin (ms)");
      if (!(rate_bin > 0.0) || !std::isfinite(rate_bin))
        throw UserError(where(*r), fmt::format("{}.rate_bin = {} ms: the bin width must be a positive number of ms "
                                               "(a whole number of time steps dt)", what, rate_bin));
    }
    builder_.record(population, std::move(variables), std::move(neurons), spikes);
    builder_.spec().records.back().where = where(t);
    builder_.spec().records.back().rate_bin = rate_bin;
  }

  const std::string& text_;
  std::string file_;
  std::filesystem::path base_dir_;
  ModelBuilder builder_;
  std::vector<std::string> lines_;
};

}  // namespace

model::NetworkSpec parse_model_text(const std::string& text, const std::string& file_name,
                                    const std::filesystem::path& base_dir) {
  return Reader(text, file_name, base_dir).read();
}

model::NetworkSpec read_model_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot open model file '{}': {}", path.string(), std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_model_text(text.str(), path.string(), path.parent_path());
}

}  // namespace psst::lang
