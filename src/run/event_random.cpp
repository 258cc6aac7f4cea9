#include "run/event_random.hpp"

#include <fmt/format.h>

#include "math/random.hpp"
#include "model/error.hpp"
#include "run/random.hpp"

namespace psst::run {

EventRandomTables event_random_tables(const std::string& name, const std::vector<std::uint64_t>& seeds,
                                      const std::vector<std::size_t>& instance_offsets, std::size_t first,
                                      std::size_t count, std::int64_t steps) {
  if (steps >= (std::int64_t{1} << math::random_step_bits))
    throw UserError(fmt::format("on_pre of projection '{}' draws random numbers in a run of {} steps; at most 2^{} "
                                "steps", name, steps, math::random_step_bits));
  if (seeds.size() >= (std::size_t{1} << 21))
    throw UserError(fmt::format("on_pre of projection '{}' draws random numbers in an ensemble of {} instances; at "
                                "most 2^21 - 1", name, seeds.size()));
  EventRandomTables tables;
  tables.key_table.push_back(event_random_instance_span);
  for (const std::uint64_t seed : seeds) {
    const math::Philox4x32Key key = CounterRandom::key_of(seed, name + "/on_pre");
    tables.key_table.push_back(static_cast<double>(key.word[0]));
    tables.key_table.push_back(static_cast<double>(key.word[1]));
  }
  tables.sites.resize(count);
  if (instance_offsets.empty()) {
    for (std::size_t s = 0; s < count; ++s) tables.sites[s] = static_cast<double>(first + s);
    return tables;
  }
  if (instance_offsets.size() != seeds.size() + 1 || instance_offsets.back() != count)
    throw InternalError(fmt::format("projection '{}': {} instance offsets for {} seeds and {} synapses", name,
                                    instance_offsets.size(), seeds.size(), count));
  for (std::size_t k = 0; k + 1 < instance_offsets.size(); ++k)
    for (std::size_t s = instance_offsets[k]; s < instance_offsets[k + 1]; ++s)
      tables.sites[s] = static_cast<double>(k) * event_random_instance_span +
                        static_cast<double>(s - instance_offsets[k]);
  return tables;
}

}  // namespace psst::run
