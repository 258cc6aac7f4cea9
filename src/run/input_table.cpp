#include "run/input_table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "io/table_reader.hpp"

namespace psst::run {

InputTable::InputTable(const model::InputSpec& spec, const std::string& population, std::size_t size, double dt,
                       std::int64_t steps)
    : size_(size), default_value_(spec.default_value) {
  const std::string what = fmt::format("input '{}' of population '{}'", spec.name, population);
  if (!spec.file.empty()) {
    io::Table table;
    try {
      table = io::read_table(spec.file);
    } catch (const IoError& e) {  // say which input of which model line wanted the file
      throw IoError(spec.where, fmt::format("{}: {}", what, e.what()));
    }
    // (steps,) or (steps, 1) or (1, steps): one trace for all neurons; (neurons, steps): one row each.
    if (table.rows == 1 || table.cols == 1) {
      rows_ = 1;
      columns_ = table.values.size();
    } else if (table.rows == size) {
      rows_ = table.rows;
      columns_ = table.cols;
    } else {
      throw UserError(spec.where, fmt::format("{}: table '{}' is {} x {}; expected (neurons = {}) x (steps) or a single "
                                              "row or column of steps",
                                              what, spec.file, table.rows, table.cols, size));
    }
    if (static_cast<std::int64_t>(columns_) < steps)
      throw UserError(spec.where, fmt::format("{}: table '{}' has {} steps, the run needs at least {} (duration / dt)",
                                              what, spec.file, columns_, steps));
    table_ = std::move(table.values);
    return;
  }
  for (const auto& segment : spec.segments) {
    if (!(segment.end > segment.start))
      throw UserError(spec.where, fmt::format("{}: segment [{}, {}) is empty; the end must be after the start", what,
                                              segment.start, segment.end));
    for (std::size_t n : segment.neurons)
      if (n >= size)
        throw UserError(spec.where, fmt::format("{}: neuron index {} is out of range; the population has {} neurons "
                                                "(0 to {})", what, n, size, size - 1));
    // Step k (t = k dt) lies in [start, end) when round(start/dt) <= k < round(end/dt).
    ranges_.push_back({std::llround(segment.start / dt), std::llround(segment.end / dt), segment.value, segment.neurons});
  }
}

void InputTable::sample(std::int64_t step, std::vector<double>& out) const {
  out.resize(size_);
  if (!table_.empty()) {
    // Past the table's end the last step's value holds (the last RK stage reads step n + 1).
    auto column = static_cast<std::size_t>(std::min<std::int64_t>(step, static_cast<std::int64_t>(columns_) - 1));
    for (std::size_t i = 0; i < size_; ++i) out[i] = table_[(rows_ == 1 ? 0 : i) * columns_ + column];
    return;
  }
  std::fill(out.begin(), out.end(), default_value_);
  for (const auto& range : ranges_) {
    if (step < range.begin || step >= range.end) continue;
    if (range.neurons.empty())
      std::fill(out.begin(), out.end(), range.value);
    else
      for (std::size_t n : range.neurons) out[n] = range.value;
  }
}

}  // namespace psst::run
