#include "backend/reference/interpreter.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "backend/reference/math_loops.hpp"
#include "math/random.hpp"
#include "model/error.hpp"

namespace psst::backend::reference {

using graph::Instruction;
using graph::Op;

namespace {

template <Op op>
void unary(double* d, const double* a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = graph::apply(op, a[i], 0.0, 0.0);
}

template <Op op>
void binary(double* d, const double* a, const double* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = graph::apply(op, a[i], b[i], 0.0);
}

// Below the smallest normal number of the kernel's precision (float32's in single).
void flush_subnormal(double* d, const double* a, std::size_t n, bool single) {
  for (std::size_t i = 0; i < n; ++i)
    d[i] = single ? static_cast<double>(psst::math::flush_subnormal(static_cast<float>(a[i])))
                  : psst::math::flush_subnormal(a[i]);
}

void select(double* d, const double* c, const double* a, const double* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = c[i] != 0.0 ? a[i] : b[i];
}

// Element e's random site: the raw float64 value of the site input when the op has one, else e.
std::uint64_t random_site(const Instruction& in, const KernelArgs& args, std::size_t e) {
  if (in.site_slot < 0) return e;
  const auto slot = static_cast<std::size_t>(in.site_slot);
  const double* source = args.inputs[slot];
  const std::uint32_t* index = args.input_indices.empty() ? nullptr : args.input_indices[slot];
  const double site = args.input_strides[slot] == 0 ? source[0] : index ? source[index[e]] : source[e];
  return static_cast<std::uint64_t>(site);
}

// The raw float64 values of the key table, the step counter and the sites (never rounded to float32).
void random_variates(const Instruction& in, const KernelArgs& args, double* d, std::size_t first, std::size_t n) {
  const double* key = args.inputs[static_cast<std::size_t>(in.slot)];
  const double step = args.inputs[static_cast<std::size_t>(in.step_slot)][0];
  const auto draw = static_cast<std::uint32_t>(in.constant);
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t site = random_site(in, args, first + j);
    d[j] = in.op == Op::RandomNormal ? psst::math::kernel_normal(key, step, site, draw)
                                     : psst::math::kernel_uniform(key, step, site, draw);
  }
}

class InterpretedKernel final : public Kernel {
 public:
  InterpretedKernel(graph::Program program, graph::Precision precision)
      : program_(std::move(program)), single_(precision == graph::Precision::Single) {}

  void run(const KernelArgs& args, std::size_t begin, std::size_t end) const override {
    if (args.inputs.size() != program_.inputs.size() || args.outputs.size() != program_.outputs.size() ||
        args.input_strides.size() != args.inputs.size())
      throw InternalError(fmt::format("kernel {} called with {} inputs and {} outputs, expects {} and {}",
                                      program_.name, args.inputs.size(), args.outputs.size(), program_.inputs.size(),
                                      program_.outputs.size()));
    // Scratch registers, kept between calls: the reference backend runs one kernel at a time.
    registers_.resize(static_cast<std::size_t>(program_.register_count) * block_size);
    for (std::size_t first = begin; first < end; first += block_size) {
      std::size_t n = std::min(block_size, end - first);
      run_block(args, registers_.data(), first, n);
    }
  }

 private:
  void run_block(const KernelArgs& args, double* registers, std::size_t first, std::size_t n) const {
    auto r = [registers](int index) { return registers + static_cast<std::size_t>(index) * block_size; };
    for (const Instruction& in : program_.code) {
      double* d = in.dst >= 0 ? r(in.dst) : nullptr;
      switch (in.op) {
        case Op::Constant: std::fill(d, d + n, in.constant); break;
        case Op::Input: {
          auto slot = static_cast<std::size_t>(in.slot);
          const double* source = args.inputs[slot];
          const std::uint32_t* index = args.input_indices.empty() ? nullptr : args.input_indices[slot];
          if (args.input_strides[slot] == 0)
            std::fill(d, d + n, source[0]);
          else if (index)
            for (std::size_t j = 0; j < n; ++j) d[j] = source[index[first + j]];
          else
            std::copy(source + first, source + first + n, d);
          break;
        }
        case Op::Store: {
          const double* a = r(in.a);
          std::copy(a, a + n, args.outputs[static_cast<std::size_t>(in.slot)] + first);
          break;
        }
        case Op::Neg: unary<Op::Neg>(d, r(in.a), n); break;
        case Op::Sqrt: unary<Op::Sqrt>(d, r(in.a), n); break;
        case Op::Abs: unary<Op::Abs>(d, r(in.a), n); break;
        case Op::Floor: unary<Op::Floor>(d, r(in.a), n); break;
        case Op::Exp: case Op::Expm1: case Op::Log: case Op::Tanh: case Op::Sin: case Op::Cos:
        case Op::ExpFast: case Op::LogFast:
        case Op::XOverExpm1: math_unary(in.op, d, r(in.a), n); break;  // fma clones, see math_loops.hpp
        case Op::Not: unary<Op::Not>(d, r(in.a), n); break;
        case Op::Add: binary<Op::Add>(d, r(in.a), r(in.b), n); break;
        case Op::Sub: binary<Op::Sub>(d, r(in.a), r(in.b), n); break;
        case Op::Mul: binary<Op::Mul>(d, r(in.a), r(in.b), n); break;
        case Op::Div: binary<Op::Div>(d, r(in.a), r(in.b), n); break;
        case Op::Pow: math_pow(d, r(in.a), r(in.b), n); break;
        case Op::Min: binary<Op::Min>(d, r(in.a), r(in.b), n); break;
        case Op::Max: binary<Op::Max>(d, r(in.a), r(in.b), n); break;
        case Op::Less: binary<Op::Less>(d, r(in.a), r(in.b), n); break;
        case Op::LessEqual: binary<Op::LessEqual>(d, r(in.a), r(in.b), n); break;
        case Op::Greater: binary<Op::Greater>(d, r(in.a), r(in.b), n); break;
        case Op::GreaterEqual: binary<Op::GreaterEqual>(d, r(in.a), r(in.b), n); break;
        case Op::Equal: binary<Op::Equal>(d, r(in.a), r(in.b), n); break;
        case Op::NotEqual: binary<Op::NotEqual>(d, r(in.a), r(in.b), n); break;
        case Op::And: binary<Op::And>(d, r(in.a), r(in.b), n); break;
        case Op::Or: binary<Op::Or>(d, r(in.a), r(in.b), n); break;
        case Op::Select: select(d, r(in.a), r(in.b), r(in.c), n); break;
        case Op::Fma: math_fma(d, r(in.a), r(in.b), r(in.c), n); break;
        case Op::FlushSubnormal: flush_subnormal(d, r(in.a), n, single_); break;
        case Op::RandomUniform: case Op::RandomNormal: random_variates(in, args, d, first, n); break;
      }
      // Single precision: each result (an input or constant too) rounded to float32.
      if (single_ && d)
        for (std::size_t j = 0; j < n; ++j) d[j] = static_cast<double>(static_cast<float>(d[j]));
    }
  }

  graph::Program program_;
  bool single_;
  mutable std::vector<double> registers_;
};

}  // namespace

std::unique_ptr<Kernel> InterpreterBackend::compile(const graph::Program& program, const std::vector<Binding>&) {
  return std::make_unique<InterpretedKernel>(program, precision_);
}

}  // namespace psst::backend::reference
