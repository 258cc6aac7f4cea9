#pragma once
// The interpreter's loops over psst::math functions, compiled twice: for the
// baseline ISA and for x86-64-v3 (AVX2 + FMA), chosen once when the program is
// loaded (GCC/Clang target_clones, an ifunc). psst::math uses explicit fused
// multiply-adds; without FMA hardware each is a libm call (~10x slower), with
// it one instruction. Both clones compute the same bits: an fma is correctly
// rounded however it is evaluated, and nothing else differs.
#include <cstddef>

#include "graph/ops.hpp"

namespace psst::backend::reference {

// d[i] = op(a[i]) for op one of Exp, Expm1, Log, Tanh, Sin, Cos, XOverExpm1, ExpFast, LogFast;
// false (nothing written) for any other op.
bool math_unary(graph::Op op, double* d, const double* a, std::size_t n);
// d[i] = pow(a[i], b[i]).
void math_pow(double* d, const double* a, const double* b, std::size_t n);
// d[i] = fma(a[i], b[i], c[i]).
void math_fma(double* d, const double* a, const double* b, const double* c, std::size_t n);

}  // namespace psst::backend::reference
