#pragma once
// A time-varying input sampled per time step (PSST's I[neuron, step]).
#include <vector>

#include "model/network.hpp"

namespace psst::run {

class InputTable {
 public:
  // Reads the file or converts the segments for a run of `steps` steps of length dt.
  InputTable(const model::InputSpec& spec, const std::string& population, std::size_t size, double dt,
             std::int64_t steps);

  // Writes the value of every neuron at step index `step` (t = step * dt) into out.
  void sample(std::int64_t step, std::vector<double>& out) const;

 private:
  struct StepRange {
    std::int64_t begin = 0, end = 0;  // steps [begin, end)
    double value = 0.0;
    std::vector<std::size_t> neurons;
  };
  std::size_t size_ = 0;
  double default_value_ = 0.0;
  std::vector<StepRange> ranges_;   // segments
  std::vector<double> table_;       // file: rows x columns, row-major
  std::size_t rows_ = 0, columns_ = 0;
};

}  // namespace psst::run
