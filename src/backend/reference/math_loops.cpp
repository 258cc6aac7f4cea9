#include "backend/reference/math_loops.hpp"

#include <cmath>

#include "math/fast.hpp"
#include "math/functions.hpp"
#include "math/pow.hpp"
#include "math/trig.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#  define PSST_FMA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#  define PSST_FMA_CLONES
#endif

namespace psst::backend::reference {

namespace {

// One loop per function (a clone per ISA each): the always_inline psst::math
// functions are inlined into each clone and compiled for its ISA.
#define PSST_UNARY_LOOP(name, function)                                  \
  PSST_FMA_CLONES void name(double* d, const double* a, std::size_t n) { \
    for (std::size_t i = 0; i < n; ++i) d[i] = function(a[i]);           \
  }
PSST_UNARY_LOOP(exp_loop, psst::math::exp)
PSST_UNARY_LOOP(expm1_loop, psst::math::expm1)
PSST_UNARY_LOOP(log_loop, psst::math::log)
PSST_UNARY_LOOP(exp_fast_loop, psst::math::exp_fast)
PSST_UNARY_LOOP(log_fast_loop, psst::math::log_fast)
PSST_UNARY_LOOP(tanh_loop, psst::math::tanh)
PSST_UNARY_LOOP(sin_loop, psst::math::sin)
PSST_UNARY_LOOP(cos_loop, psst::math::cos)
PSST_UNARY_LOOP(x_over_expm1_loop, psst::math::x_over_expm1)
#undef PSST_UNARY_LOOP

}  // namespace

bool math_unary(graph::Op op, double* d, const double* a, std::size_t n) {
  switch (op) {
    case graph::Op::Exp: exp_loop(d, a, n); return true;
    case graph::Op::Expm1: expm1_loop(d, a, n); return true;
    case graph::Op::Log: log_loop(d, a, n); return true;
    case graph::Op::ExpFast: exp_fast_loop(d, a, n); return true;
    case graph::Op::LogFast: log_fast_loop(d, a, n); return true;
    case graph::Op::Tanh: tanh_loop(d, a, n); return true;
    case graph::Op::Sin: sin_loop(d, a, n); return true;
    case graph::Op::Cos: cos_loop(d, a, n); return true;
    case graph::Op::XOverExpm1: x_over_expm1_loop(d, a, n); return true;
    default: return false;
  }
}

PSST_FMA_CLONES void math_pow(double* d, const double* a, const double* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = psst::math::pow(a[i], b[i]);
}

PSST_FMA_CLONES void math_fma(double* d, const double* a, const double* b, const double* c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = std::fma(a[i], b[i], c[i]);
}

}  // namespace psst::backend::reference
