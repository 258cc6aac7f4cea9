#include "run/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "io/table_reader.hpp"
#include "math/functions.hpp"
#include "run/random.hpp"

namespace psst::run {

std::size_t Connectivity::bytes() const {
  return (pre.capacity() + post.capacity() + outgoing.capacity()) * sizeof(NeuronIndex) +
         (post_offsets.capacity() + pre_offsets.capacity()) * sizeof(std::size_t) +
         matrix_values.capacity() * sizeof(double);
}

namespace {

using Rule = model::ConnectSpec::Rule;

// Adds pair (post, pre), rows visited in ascending post order; only rows in [rows.begin, rows.end).
struct Pairs {
  Connectivity& c;
  bool skip_self;
  PostRows rows;
  void add(std::size_t post, std::size_t pre) {
    if ((skip_self && post == pre) || post < rows.begin || post >= rows.end) return;
    c.post.push_back(static_cast<NeuronIndex>(post));
    c.pre.push_back(static_cast<NeuronIndex>(pre));
  }
};

// log(1 + x) for -1 < x <= 0 with psst's log: the rounding of 1 + x is undone by the
// factor x / ((1 + x) - 1) (Goldberg 1991), so p = 1e-20 still gives -1e-20, not log(1) = 0.
double log1p_of(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  return math::log(u) * (x / (u - 1.0));
}

// Row `post` of the probability rule: each of the n_pre candidates independently with
// probability p. Geometric skips between chosen candidates (draw d of element `post`
// gives the d-th gap), so the cost follows the synapses, not n_pre.
void probability_row(Pairs& pairs, const CounterRandom& random, std::size_t post, std::size_t pre_begin,
                     std::size_t n_pre, double p, double log_q) {
  std::size_t k = 0;
  for (std::uint64_t draw = 0; k < n_pre; ++draw) {
    if (p < 1.0) {
      // P(skip >= s) = (1 - p)^s; 1 - u is in (0, 1], so the log is finite and <= 0.
      const double skip = std::floor(math::log(1.0 - random.uniform(post, draw)) / log_q);
      if (!(skip < static_cast<double>(n_pre - k))) break;
      k += static_cast<std::size_t>(skip);
    }
    pairs.add(post, pre_begin + k);
    ++k;
  }
}

// Row `post` of the fixed in-degree rule: Floyd's algorithm picks k distinct of the pool
// (draw d of element `post` for the d-th pick), then in ascending order.
void fixed_in_degree_row(Pairs& pairs, const CounterRandom& random, std::size_t post, std::size_t pre_begin,
                         std::size_t pool, std::size_t k, bool self_in_range) {
  std::set<std::size_t> chosen;
  std::uint64_t draw = 0;
  for (std::size_t j = pool - k; j < pool; ++j) {
    auto r = static_cast<std::size_t>(random.uniform(post, draw++) * static_cast<double>(j + 1));
    chosen.insert(chosen.count(r) ? j : r);
  }
  for (std::size_t offset : chosen) {
    std::size_t pre = pre_begin + offset;
    if (self_in_range && pre >= post) ++pre;  // skip the neuron itself
    pairs.add(post, pre);
  }
}

}  // namespace

void finish_connectivity(Connectivity& c) {
  c.post_offsets.assign(c.post_size + 1, 0);
  for (auto p : c.post) ++c.post_offsets[p + 1];
  for (std::size_t i = 0; i < c.post_size; ++i) c.post_offsets[i + 1] += c.post_offsets[i];
  c.pre_offsets.assign(c.pre_size + 1, 0);
  for (auto p : c.pre) ++c.pre_offsets[p + 1];
  for (std::size_t i = 0; i < c.pre_size; ++i) c.pre_offsets[i + 1] += c.pre_offsets[i];
  c.outgoing.resize(c.pre.size());
  std::vector<std::size_t> fill(c.pre_offsets.begin(), c.pre_offsets.end() - 1);
  for (std::size_t s = 0; s < c.pre.size(); ++s) c.outgoing[fill[c.pre[s]]++] = static_cast<std::uint32_t>(s);
}

namespace {

void add_matrix(Pairs& pairs, const model::ConnectSpec& spec, const ProjectionGeometry& g,
                const std::string& projection) {
  io::Table table;
  try {
    table = io::read_table(spec.file);
  } catch (const IoError& e) {  // say which projection of which model line wanted the file
    throw IoError(spec.where, fmt::format("projection '{}': {}", projection, e.what()));
  }
  const std::size_t n_pre = g.pre_end - g.pre_begin;
  if (table.rows != g.post_end - g.post_begin || table.cols != n_pre)
    throw UserError(spec.where, fmt::format("projection '{}': matrix '{}' is {} x {}; expected (post = {}) x (pre = "
                                            "{})", projection, spec.file, table.rows, table.cols,
                                            g.post_end - g.post_begin, n_pre));
  Connectivity& c = pairs.c;
  for (std::size_t r = 0; r < table.rows; ++r)
    for (std::size_t col = 0; col < table.cols; ++col) {
      double v = table.values[r * table.cols + col];
      if (v == 0.0) continue;
      std::size_t before = c.pre.size();
      pairs.add(g.post_begin + r, g.pre_begin + col);
      if (c.pre.size() > before) c.matrix_values.push_back(v);
    }
}

void add_list(Pairs& pairs, const model::ConnectSpec& spec, const ProjectionGeometry& g,
              const std::string& projection) {
  if (spec.pre.size() != spec.post.size())
    throw UserError(spec.where, fmt::format("projection '{}': the lists pre and post have {} and {} entries; they "
                                            "must have one entry per synapse each", projection, spec.pre.size(),
                                            spec.post.size()));
  const std::size_t n_pre = g.pre_end - g.pre_begin;
  std::vector<std::pair<std::size_t, std::size_t>> list;
  for (std::size_t k = 0; k < spec.pre.size(); ++k) {
    if (spec.pre[k] >= n_pre || spec.post[k] >= g.post_end - g.post_begin)
      throw UserError(spec.where, fmt::format("projection '{}': synapse {} connects {} -> {}, outside the {} "
                                              "presynaptic and {} postsynaptic neurons", projection, k, spec.pre[k],
                                              spec.post[k], n_pre, g.post_end - g.post_begin));
    list.emplace_back(g.post_begin + spec.post[k], g.pre_begin + spec.pre[k]);
  }
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  for (auto [post, pre] : list) pairs.add(post, pre);
}

// The random rules: every row from draws keyed by its postsynaptic index only.
void add_random_rows(Pairs& pairs, const model::ConnectSpec& spec, const ProjectionGeometry& g, std::uint64_t seed,
                     const std::string& projection) {
  const CounterRandom random(seed, "connectivity/" + projection);
  const std::size_t n_pre = g.pre_end - g.pre_begin;
  const std::size_t first = std::max(g.post_begin, pairs.rows.begin), last = std::min(g.post_end, pairs.rows.end);
  if (spec.rule == Rule::Probability) {
    const double p = spec.probability;
    if (!(p >= 0.0 && p <= 1.0))
      throw UserError(spec.where, fmt::format("projection '{}': connection probability must be in [0, 1], got {}",
                                              projection, p));
    if (p == 0.0) return;
    const double log_q = log1p_of(-p);
    for (std::size_t i = first; i < last; ++i) probability_row(pairs, random, i, g.pre_begin, n_pre, p, log_q);
    return;
  }
  // Fixed in-degree; checked for every row of the projection, not only the rows built.
  const bool overlap = pairs.skip_self && g.post_begin < g.pre_end && g.pre_begin < g.post_end;
  if (spec.in_degree > n_pre - (overlap ? 1 : 0))
    throw UserError(spec.where, fmt::format("projection '{}': in_degree {} exceeds the {} possible presynaptic "
                                            "neurons", projection, spec.in_degree, n_pre - (overlap ? 1 : 0)));
  for (std::size_t i = first; i < last; ++i) {
    const bool self_in_range = pairs.skip_self && i >= g.pre_begin && i < g.pre_end;
    fixed_in_degree_row(pairs, random, i, g.pre_begin, n_pre - (self_in_range ? 1 : 0), spec.in_degree,
                        self_in_range);
  }
}

}  // namespace

Connectivity build_connectivity(const model::ConnectSpec& spec, const ProjectionGeometry& g, std::uint64_t seed,
                                const std::string& projection, PostRows rows) {
  if (g.pre_size > std::numeric_limits<NeuronIndex>::max() || g.post_size > std::numeric_limits<NeuronIndex>::max())
    throw UserError(spec.where, fmt::format("projection '{}': populations of more than {} neurons are not supported",
                                            projection, std::numeric_limits<NeuronIndex>::max()));
  Connectivity c;
  c.pre_size = g.pre_size;
  c.post_size = g.post_size;
  Pairs pairs{c, g.same_population && !spec.allow_self, rows};
  const std::size_t n_pre = g.pre_end - g.pre_begin;
  const std::size_t first = std::max(g.post_begin, rows.begin), last = std::min(g.post_end, rows.end);
  switch (spec.rule) {
    case Rule::AllToAll:
      for (std::size_t i = first; i < last; ++i)
        for (std::size_t j = g.pre_begin; j < g.pre_end; ++j) pairs.add(i, j);
      break;
    case Rule::OneToOne:
      if (n_pre != g.post_end - g.post_begin)
        throw UserError(spec.where, fmt::format("projection '{}': one_to_one needs as many presynaptic as postsynaptic "
                                                "neurons, got {} and {}", projection, n_pre, g.post_end - g.post_begin));
      for (std::size_t i = first; i < last; ++i) pairs.add(i, g.pre_begin + (i - g.post_begin));
      break;
    case Rule::Probability:
    case Rule::FixedInDegree: add_random_rows(pairs, spec, g, seed, projection); break;
    case Rule::Matrix: add_matrix(pairs, spec, g, projection); break;
    case Rule::List: add_list(pairs, spec, g, projection); break;
  }
  finish_connectivity(c);
  return c;
}

}  // namespace psst::run
