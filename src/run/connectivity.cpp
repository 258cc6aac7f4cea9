#include "run/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "io/table_reader.hpp"
#include "run/random.hpp"

namespace psst::run {

std::size_t Connectivity::bytes() const {
  return (pre.capacity() + post.capacity() + outgoing.capacity()) * sizeof(NeuronIndex) +
         (post_offsets.capacity() + pre_offsets.capacity()) * sizeof(std::size_t) +
         matrix_values.capacity() * sizeof(double);
}

namespace {

using Rule = model::ConnectSpec::Rule;

// Adds pair (post, pre), rows visited in ascending post order.
struct Pairs {
  Connectivity& c;
  bool skip_self;
  void add(std::size_t post, std::size_t pre) {
    if (skip_self && post == pre) return;
    c.post.push_back(static_cast<NeuronIndex>(post));
    c.pre.push_back(static_cast<NeuronIndex>(pre));
  }
};

void finish(Connectivity& c) {
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

}  // namespace

Connectivity build_connectivity(const model::ConnectSpec& spec, const ProjectionGeometry& g, std::uint64_t seed,
                                const std::string& projection) {
  if (g.pre_size > std::numeric_limits<NeuronIndex>::max() || g.post_size > std::numeric_limits<NeuronIndex>::max())
    throw UserError(spec.where, fmt::format("projection '{}': populations of more than {} neurons are not supported",
                                            projection, std::numeric_limits<NeuronIndex>::max()));
  Connectivity c;
  c.pre_size = g.pre_size;
  c.post_size = g.post_size;
  Pairs pairs{c, g.same_population && !spec.allow_self};
  RandomStream random(seed, "connectivity/" + projection);
  const std::size_t n_pre = g.pre_end - g.pre_begin;
  switch (spec.rule) {
    case Rule::AllToAll:
      for (std::size_t i = g.post_begin; i < g.post_end; ++i)
        for (std::size_t j = g.pre_begin; j < g.pre_end; ++j) pairs.add(i, j);
      break;
    case Rule::OneToOne:
      if (n_pre != g.post_end - g.post_begin)
        throw UserError(spec.where, fmt::format("projection '{}': one_to_one needs as many presynaptic as postsynaptic "
                                                "neurons, got {} and {}", projection, n_pre, g.post_end - g.post_begin));
      for (std::size_t k = 0; k < n_pre; ++k) pairs.add(g.post_begin + k, g.pre_begin + k);
      break;
    case Rule::Probability: {
      double p = spec.probability;
      if (!(p >= 0.0 && p <= 1.0))
        throw UserError(spec.where, fmt::format("projection '{}': connection probability must be in [0, 1], got {}",
                                                projection, p));
      // Each (post, pre) pair independently with probability p, visited in row-major order;
      // geometric skips make the cost proportional to the synapses, not to pre x post.
      if (p == 0.0) break;
      const double log_q = std::log1p(-p);
      const std::size_t total = (g.post_end - g.post_begin) * n_pre;
      std::size_t k = 0;
      while (true) {
        if (p < 1.0) {
          double skip = std::floor(std::log(1.0 - random.uniform()) / log_q);
          if (skip >= static_cast<double>(total - k)) break;
          k += static_cast<std::size_t>(skip);
        }
        if (k >= total) break;
        pairs.add(g.post_begin + k / n_pre, g.pre_begin + k % n_pre);
        ++k;
      }
      break;
    }
    case Rule::FixedInDegree: {
      std::size_t available = n_pre;
      for (std::size_t i = g.post_begin; i < g.post_end; ++i) {
        bool self_in_range = pairs.skip_self && i >= g.pre_begin && i < g.pre_end;
        std::size_t pool = available - (self_in_range ? 1 : 0);
        if (spec.in_degree > pool)
          throw UserError(spec.where, fmt::format("projection '{}': in_degree {} exceeds the {} possible presynaptic "
                                                  "neurons", projection, spec.in_degree, pool));
        // Floyd's algorithm: k distinct of pool, then sorted.
        std::set<std::size_t> chosen;
        for (std::size_t j = pool - spec.in_degree; j < pool; ++j) {
          auto r = static_cast<std::size_t>(random.uniform() * static_cast<double>(j + 1));
          chosen.insert(chosen.count(r) ? j : r);
        }
        for (std::size_t offset : chosen) {
          std::size_t pre = g.pre_begin + offset;
          if (self_in_range && pre >= i) ++pre;  // skip the neuron itself
          pairs.add(i, pre);
        }
      }
      break;
    }
    case Rule::Matrix: {
      io::Table table;
      try {
        table = io::read_table(spec.file);
      } catch (const IoError& e) {  // say which projection of which model line wanted the file
        throw IoError(spec.where, fmt::format("projection '{}': {}", projection, e.what()));
      }
      if (table.rows != g.post_end - g.post_begin || table.cols != n_pre)
        throw UserError(spec.where, fmt::format("projection '{}': matrix '{}' is {} x {}; expected (post = {}) x (pre = "
                                                "{})", projection, spec.file, table.rows, table.cols,
                                                g.post_end - g.post_begin, n_pre));
      for (std::size_t r = 0; r < table.rows; ++r)
        for (std::size_t col = 0; col < table.cols; ++col) {
          double v = table.values[r * table.cols + col];
          if (v == 0.0) continue;
          std::size_t before = c.pre.size();
          pairs.add(g.post_begin + r, g.pre_begin + col);
          if (c.pre.size() > before) c.matrix_values.push_back(v);
        }
      break;
    }
    case Rule::List: {
      if (spec.pre.size() != spec.post.size())
        throw UserError(spec.where, fmt::format("projection '{}': the lists pre and post have {} and {} entries; they "
                                                "must have one entry per synapse each", projection, spec.pre.size(),
                                                spec.post.size()));
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
      break;
    }
  }
  finish(c);
  return c;
}

}  // namespace psst::run
