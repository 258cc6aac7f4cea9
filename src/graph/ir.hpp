#pragma once
// The per-kernel intermediate representation: a straight-line program over
// registers. A kernel reads its inputs (one array per variable, or one value
// broadcast to all elements), computes, and writes its outputs, element by
// element, independently; so any backend may run any range of elements in any
// order, in blocks, in SIMD lanes or in GPU threads. All loads come first and
// all stores last, so an output may alias an input array (in-place updates).
#include <string>
#include <vector>

#include "graph/ops.hpp"
#include "graph/slot.hpp"

namespace psst::graph {

// Precision (the arithmetic of a kernel, double or single) is in ops.hpp.

// "double" or "single"; nullopt for anything else.
inline const char* precision_name(Precision p) { return p == Precision::Single ? "single" : "double"; }

struct Instruction {
  Op op = Op::Constant;
  int dst = -1;            // register written (-1 for Store)
  int a = -1, b = -1, c = -1;  // operand registers
  double constant = 0.0;   // Op::Constant
  int slot = -1;           // Op::Input: input slot; Op::Store: output slot; random ops: the key table's input slot
  int step_slot = -1;      // random ops: the step counter's input slot (constant: the draw number)
  int site_slot = -1;      // random ops: the input slot of each element's random site (Slot::RandomSite);
                           // -1: the element index e is the site
};

struct Program {
  std::string name;
  std::vector<std::string> inputs;   // argument names, e.g. "x.V", "param.g_Na", "t"
  std::vector<std::string> outputs;  // e.g. "k.V", "x.V"
  std::vector<Instruction> code;
  int register_count = 0;

  int input_index(const std::string& slot_name) const;  // -1 if absent
  // The typed slot of input or output k (what the run layer binds).
  Slot input_slot(std::size_t k) const { return Slot::parse(inputs.at(k)); }
  Slot output_slot(std::size_t k) const { return Slot::parse(outputs.at(k)); }
  // Human-readable listing (psst codegen, tests, debugging).
  std::string to_string() const;
};

}  // namespace psst::graph
