#pragma once
// A time-varying input (PSST's I[neuron, step]) as data a backend can hold:
// either a table (one row for all neurons, or one per neuron; a column per
// step) or a list of step ranges, each setting a value for some or all neurons
// over steps [begin, end), over a default. Sampling at step k writes every
// neuron's value; past the table's end the last column holds.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace psst::backend {

struct InputSchedule {
  struct StepRange {
    std::int64_t begin = 0, end = 0;  // steps [begin, end)
    double value = 0.0;
    std::vector<std::size_t> neurons;  // empty: every neuron
  };
  std::size_t size = 0;           // neurons
  double default_value = 0.0;
  std::vector<StepRange> ranges;  // later ranges override earlier ones
  std::vector<double> table;      // rows x columns, row-major; empty: ranges
  std::size_t rows = 0, columns = 0;

  // Writes the value of every neuron at step `step` into out[0, size).
  void sample(std::int64_t step, double* out) const;
};

}  // namespace psst::backend
