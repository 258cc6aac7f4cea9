// psst::math computes the same bits in the reference interpreter (graph::apply,
// compiled into psst) and in kernels compiled by the cpu backend (the header
// text printed into a generated translation unit, compiled by another compiler
// run with other flags, -march=native, vectorised) and in CUDA kernels (cuda-emulated;
// NVRTC compiles them): every elementary function,
// over arguments of every magnitude, in double and in single precision (exp_fast and
// log_fast of math = "fast" among them).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "backend/cuda/cuda_backend.hpp"
#include "model/error.hpp"
#ifdef PSST_HAVE_CUDA
#include "backend/cuda/gpu/gpu_device.hpp"
#endif
#include "graph/ops.hpp"
#include "test_support.hpp"

namespace {

using psst::graph::Instruction;
using psst::graph::Op;
using psst::graph::Program;

constexpr Op kUnary[] = {Op::Exp,  Op::Expm1, Op::Log,     Op::XOverExpm1, Op::Sin,
                          Op::Cos,  Op::Tanh,  Op::ExpFast, Op::LogFast};

// out_k = op_k(x) for each unary function, then pow(x, y).
Program elementary_functions() {
  Program p;
  p.name = "elementary_functions";
  p.inputs = {"x", "y"};
  p.code.push_back({Op::Input, 0, -1, -1, -1, 0.0, 0});
  p.code.push_back({Op::Input, 1, -1, -1, -1, 0.0, 1});
  int next = 2;
  std::vector<int> results;
  for (Op op : kUnary) {
    p.code.push_back({op, next, 0, -1, -1, 0.0, -1});
    results.push_back(next++);
    p.outputs.push_back(psst::graph::name(op));
  }
  p.code.push_back({Op::Pow, next, 0, 1, -1, 0.0, -1});
  results.push_back(next++);
  p.outputs.push_back("pow");
  for (std::size_t k = 0; k < results.size(); ++k)
    p.code.push_back({Op::Store, -1, results[k], -1, -1, 0.0, static_cast<int>(k)});
  p.register_count = next;
  return p;
}

// Arguments of every kind: the ranges the functions switch paths in, any bit
// pattern (subnormals, huge values, infinities, NaNs), exact specials.
std::vector<double> arguments(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(g); };
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -8.0, 1.0 / 3.0, 3.0, 1e-310, 709.9, -745.5, 1e300,
                             0x1p20, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
  std::vector<double> v(n);
  for (auto& x : v) {
    switch (g() % 8) {
      case 0: x = specials[g() % std::size(specials)]; break;
      case 1: x = uni(-2.0, 2.0); break;
      case 2: x = uni(-30.0, 30.0); break;
      case 3: x = uni(-800.0, 800.0); break;
      case 4: x = uni(-0x1p21, 0x1p21); break;
      case 5: x = std::ldexp(uni(-1.0, 1.0), static_cast<int>(g() % 2100) - 1075); break;
      case 6: x = std::bit_cast<double>(g()); break;
      default: x = static_cast<double>(static_cast<int>(g() % 41) - 20); break;  // integer exponents
    }
  }
  return v;
}

using Outputs = std::vector<std::vector<double>>;

Outputs run(psst::backend::Backend& backend, const Program& program, const std::vector<double>& x,
            const std::vector<double>& y) {
  // Through the backend interface every backend has: buffers, bind, launch, download.
  psst::backend::KernelArguments arguments;
  arguments.inputs = {psst::backend::KernelInput::array(backend.allocate_with(x)),
                      psst::backend::KernelInput::array(backend.allocate_with(y))};
  for (std::size_t k = 0; k < program.outputs.size(); ++k)
    arguments.outputs.push_back(backend.allocate_with(std::vector<double>(x.size(), 1234.5)));
  auto kernel = backend.bind(program, arguments);
  backend.finalize();
  kernel->launch({}, 0, x.size());
  Outputs out;
  for (const auto& buffer : arguments.outputs) out.push_back(backend.download(*buffer));
  return out;
}

#ifdef PSST_HAVE_CUDA
// PTX of `program` compiled by NVRTC through the cuda-emulated backend's module; "" to skip.
std::string ptx_of(const Program& program, std::string* entry) {
  auto backend = psst::backend::make_backend("cuda-emulated");
  psst::backend::KernelArguments arguments;
  arguments.inputs = {psst::backend::KernelInput::array(backend->allocate(psst::backend::ElementType::Float64, 1)),
                      psst::backend::KernelInput::array(backend->allocate(psst::backend::ElementType::Float64, 1))};
  for (std::size_t k = 0; k < program.outputs.size(); ++k)
    arguments.outputs.push_back(backend->allocate(psst::backend::ElementType::Float64, 1));
  auto kernel = backend->bind(program, arguments);
  const auto module = dynamic_cast<psst::backend::cuda::CudaBackend&>(*backend).module_source();
  *entry = module.units.at(0).kernels.at(0);
  return psst::backend::cuda::compile_to_ptx(module);
}

// The same functions compile with NVRTC for the GPU (sin and cos read their constant
// table in device code); psst::math's explicit fmas are fma.rn.f64 instructions (no
// libm call), and x * y + x written as two operations is not contracted into one.
TEST(MathBackends, EveryFunctionCompilesWithNvrtc) {
  if (!psst::backend::cpu::CpuBackend::compiler_available()) GTEST_SKIP() << "no C++ compiler: no cuda-emulated";
  Program multiply_add;
  multiply_add.name = "multiply_add";
  multiply_add.inputs = {"x", "y"};
  multiply_add.outputs = {"z"};
  multiply_add.code = {{Op::Input, 0, -1, -1, -1, 0.0, 0},
                       {Op::Input, 1, -1, -1, -1, 0.0, 1},
                       {Op::Mul, 2, 0, 1, -1, 0.0, -1},
                       {Op::Add, 3, 2, 0, -1, 0.0, -1},
                       {Op::Store, -1, 3, -1, -1, 0.0, 0}};
  multiply_add.register_count = 4;
  std::string ptx, entry, plain_ptx, plain_entry;
  try {
    ptx = ptx_of(elementary_functions(), &entry);
    plain_ptx = ptx_of(multiply_add, &plain_entry);
  } catch (const psst::UserError& e) {
    GTEST_SKIP() << "NVRTC is not usable here: " << e.what();
  }
  EXPECT_NE(ptx.find(".entry " + entry), std::string::npos);
  EXPECT_NE(ptx.find("fma.rn.f64"), std::string::npos);
  EXPECT_NE(ptx.find("div.rn.f64"), std::string::npos);
  EXPECT_NE(plain_ptx.find(".entry " + plain_entry), std::string::npos);
  EXPECT_NE(plain_ptx.find("mul.rn.f64"), std::string::npos);
  EXPECT_EQ(plain_ptx.find("fma.rn"), std::string::npos);
}
#endif

void expect_same_bits(psst::graph::Precision precision) {
  if (!psst::backend::cpu::CpuBackend::compiler_available())
    GTEST_SKIP() << "no C++ compiler: the cpu backend is not available";
  const Program program = elementary_functions();
  const std::size_t n = 200003;  // odd: the vector loops' epilogues run too
  const std::vector<double> x = arguments(n, 41), y = arguments(n, 43);
  psst::test::TempDir cache;
  psst::backend::BackendOptions options;
  options.precision = precision;
  options.cache_dir = cache.path().string();
  const Outputs expected = run(*psst::backend::make_backend("reference", options), program, x, y);
  for (const std::string& backend : psst::test::backends()) {
    if (backend == "reference") continue;
    const Outputs actual = run(*psst::backend::make_backend(backend, options), program, x, y);
    for (std::size_t k = 0; k < expected.size(); ++k) {
      int mismatches = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const auto e = std::bit_cast<std::uint64_t>(expected[k][i]), a = std::bit_cast<std::uint64_t>(actual[k][i]);
        if (e != a && ++mismatches <= 5)
          ADD_FAILURE() << program.outputs[k] << "(" << x[i]
                        << (k + 1 == expected.size() ? ", " + std::to_string(y[i]) : "") << "): interpreter 0x"
                        << std::hex << e << ", " << backend << " kernel 0x" << a << std::dec;
      }
      EXPECT_EQ(mismatches, 0) << backend << ", " << program.outputs[k] << ": " << mismatches << " of " << n
                               << " results differ";
    }
  }
  // The arguments did reach every path: finite, infinite and NaN results, both signs.
  for (std::size_t k = 0; k < expected.size(); ++k) {
    int finite = 0, nonfinite = 0, negative = 0;
    for (double v : expected[k]) {
      finite += std::isfinite(v) ? 1 : 0;
      nonfinite += std::isfinite(v) ? 0 : 1;
      negative += std::signbit(v) ? 1 : 0;
    }
    EXPECT_GT(finite, static_cast<int>(n / 4)) << program.outputs[k];
    EXPECT_GT(nonfinite, 0) << program.outputs[k];
    const bool positive_function =
        program.outputs[k] == "exp" || program.outputs[k] == "exp_fast" || program.outputs[k] == "x_over_expm1";
    EXPECT_GT(negative, positive_function ? -1 : 1000) << program.outputs[k];
  }
}

TEST(MathFunctions, CompiledKernelsGiveTheInterpreterBitsInDouble) { expect_same_bits(psst::graph::Precision::Double); }

TEST(MathFunctions, CompiledKernelsGiveTheInterpreterBitsInSingle) { expect_same_bits(psst::graph::Precision::Single); }

}  // namespace
