#include "backend/input_schedule.hpp"

#include <algorithm>

namespace psst::backend {

void InputSchedule::sample(std::int64_t step, double* out) const {
  if (!table.empty()) {
    // Past the table's end the last step's value holds (the last RK stage reads step n + 1).
    auto column = static_cast<std::size_t>(std::min<std::int64_t>(step, static_cast<std::int64_t>(columns) - 1));
    for (std::size_t i = 0; i < size; ++i) out[i] = table[(rows == 1 ? 0 : i) * columns + column];
    return;
  }
  std::fill(out, out + size, default_value);
  for (const auto& range : ranges) {
    if (step < range.begin || step >= range.end) continue;
    if (range.neurons.empty())
      std::fill(out, out + size, range.value);
    else
      for (std::size_t n : range.neurons) out[n] = range.value;
  }
}

}  // namespace psst::backend
