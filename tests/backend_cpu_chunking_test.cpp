// The cpu backend's chunking decisions (backend/cpu/work_estimate.hpp): the work of an
// element weights each operation by its cost, so that a kernel of a few divisions is
// split where it is worth a thread, and a kernel of a few adds is never split.
#include <gtest/gtest.h>

#include <vector>

#include "backend/cpu/work_estimate.hpp"

namespace {

using psst::backend::cpu::chunk_count;
using psst::backend::cpu::element_cost;
using psst::graph::Instruction;
using psst::graph::Op;
using psst::graph::Program;

// A program of the given operations (operands are irrelevant to the estimate).
Program program_of(const std::vector<Op>& ops) {
  Program p;
  for (Op op : ops) p.code.push_back(Instruction{op});
  return p;
}

// COBAHH's threshold kernel: v > -20 and not refractory (two loads, two constants, three tests, a store).
Program threshold_like() {
  return program_of({Op::Input, Op::Input, Op::Constant, Op::Constant, Op::Greater, Op::And, Op::NotEqual,
                     Op::Store});
}

// COBAHH's refractory kernel: floor((t - lastspike + 1e-3 dt) / dt) >= floor((period + 1e-3 dt) / dt).
Program refractory_like() {
  return program_of({Op::Input, Op::Input, Op::Input, Op::Input, Op::Sub, Op::Constant, Op::Mul, Op::Add, Op::Div,
                     Op::Floor, Op::Add, Op::Div, Op::Floor, Op::GreaterEqual, Op::Store});
}

TEST(CpuChunking, OperationsAreWeightedByCost) {
  EXPECT_EQ(element_cost(threshold_like()), 8u);  // one unit each
  EXPECT_EQ(element_cost(refractory_like()), 11u + 2 * 8 + 2 * 6);
  EXPECT_EQ(element_cost(program_of({Op::Exp})), 30u);
  EXPECT_GT(element_cost(program_of({Op::Div})), element_cost(program_of({Op::Mul, Op::Mul, Op::Mul})));
  EXPECT_GT(element_cost(program_of({Op::Pow})), element_cost(program_of({Op::Exp})));
  EXPECT_EQ(element_cost(Program{}), 1u);  // never zero
}

TEST(CpuChunking, CheapKernelsStayOnOneThread) {
  // 4000 neurons (COBAHH): the threshold test is ~1.5 us, a few fork/joins' worth.
  EXPECT_EQ(chunk_count(4000, element_cost(threshold_like()), 2), 1);
  EXPECT_EQ(chunk_count(4000, element_cost(threshold_like()), 16), 1);
  // Few elements, however costly: below 256 elements per chunk nothing is split.
  EXPECT_EQ(chunk_count(300, 10000, 2), 1);
  EXPECT_EQ(chunk_count(0, 10000, 2), 1);
  EXPECT_EQ(chunk_count(1000000, 1000, 1), 1);  // one thread
}

TEST(CpuChunking, CostlyKernelsAreSplit) {
  // The refractory kernel on 4000 neurons: 15 IR operations (60,000 adds' worth unweighted,
  // not split before) but 2 divisions and 2 floors: worth 2 threads.
  EXPECT_EQ(chunk_count(4000, element_cost(refractory_like()), 2), 2);
  // A kernel of 701 units (COBAHH's exponential Euler step): 4 chunks per thread.
  EXPECT_EQ(chunk_count(4000, 700, 2), 8);
  EXPECT_EQ(chunk_count(4000, 700, 4), 15);  // 4000 / 256 elements at most
  EXPECT_EQ(chunk_count(1 << 20, 5, 2), 8);
  // Work just at and below the minimum per chunk.
  EXPECT_EQ(chunk_count(4096, 16, 2), 1);
  EXPECT_EQ(chunk_count(4096, 32, 2), 2);
  EXPECT_EQ(chunk_count(4096, 31, 2), 1);
}

}  // namespace
