#include "backend/cpu/work_estimate.hpp"

#include <algorithm>

namespace psst::backend::cpu {

namespace {

using graph::Op;

// Cost of one operation on one element, in adds (see element_cost).
std::size_t operation_cost(Op op) {
  switch (op) {
    case Op::Constant: case Op::Input: case Op::Store: case Op::Neg: case Op::Add: case Op::Sub: case Op::Mul:
    case Op::Abs: case Op::Min: case Op::Max: case Op::Less: case Op::LessEqual: case Op::Greater:
    case Op::GreaterEqual: case Op::Equal: case Op::NotEqual: case Op::And: case Op::Or: case Op::Not:
    case Op::Select: case Op::Fma: case Op::FlushSubnormal:
      return 1;
    case Op::Div: case Op::Sqrt: return 8;
    case Op::Floor: return 6;
    case Op::ExpFast: case Op::LogFast: return 20;
    case Op::Exp: case Op::Expm1: case Op::Log: return 30;
    case Op::Tanh: case Op::XOverExpm1: case Op::Sin: case Op::Cos: return 40;
    case Op::RandomUniform: return 40;  // Philox4x32-10: ten rounds of two 32-bit multiplies
    case Op::Pow: case Op::RandomNormal: return 80;
  }
  return 1;
}

}  // namespace

std::size_t element_cost(const graph::Program& program) {
  std::size_t cost = 0;
  for (const graph::Instruction& in : program.code) cost += operation_cost(in.op);
  return std::max<std::size_t>(cost, 1);
}

int chunk_count(std::size_t elements, std::size_t cost, int threads) {
  if (threads <= 1) return 1;
  const std::size_t by_work = elements * std::max<std::size_t>(cost, 1) / min_work_per_chunk;
  const std::size_t by_size = elements / min_elements_per_chunk;
  const std::size_t most = 4 * static_cast<std::size_t>(threads);
  return static_cast<int>(std::max<std::size_t>(1, std::min({by_work, by_size, most})));
}

}  // namespace psst::backend::cpu
