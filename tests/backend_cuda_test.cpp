// The CUDA backend on machines without a GPU: every kernel psst generates for the
// shipped models, and psst's own engine kernels, compile with NVRTC to PTX with
// the options that keep results equal to the cpu backend's (no fma contraction);
// --backend cuda refuses clearly where there is no GPU. (That cuda-emulated gives
// the reference bits is shown by every backend-parameterised test.)
#include <gtest/gtest.h>

#include <algorithm>

#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/cuda_source.hpp"
#include "lang/model_file.hpp"
#include "model/error.hpp"
#include "test_support.hpp"
#ifdef PSST_HAVE_CUDA
#include "backend/cuda/gpu/gpu_device.hpp"
#endif

namespace {

using psst::backend::cuda::CudaBackend;
using psst::backend::cuda::ModuleSource;

bool has_gpu() {
  const auto names = psst::backend::backend_names();
  return std::find(names.begin(), names.end(), "cuda") != names.end();
}

#ifdef PSST_HAVE_CUDA
// The PTX of a module: every kernel an entry, and no fused multiply-add anywhere
// unless the module calls psst::math, whose explicit fmas are fma.rn instructions
// (that NVRTC does not contract a * b + c written as two operations is checked on a
// kernel without psst::math: MathBackends.EveryFunctionCompilesWithNvrtc).
void expect_ptx_of(const ModuleSource& module, const std::string& what, bool calls_psst_math = false) {
  std::string ptx;
  try {
    ptx = psst::backend::cuda::compile_to_ptx(module, "compute_90");
  } catch (const psst::UserError& e) {
    GTEST_SKIP() << "NVRTC is not usable here: " << e.what();
  }
  for (const auto& unit : module.units)
    for (const auto& kernel : unit.kernels)
      EXPECT_NE(ptx.find(".entry " + kernel + "("), std::string::npos) << what << ": no entry " << kernel;
  if (!calls_psst_math) {
    EXPECT_EQ(ptx.find("fma.rn"), std::string::npos) << what << ": the PTX contracts a * b + c into an fma";
  }
  EXPECT_GT(std::count(ptx.begin(), ptx.end(), '\n'), 50) << what;
}
#endif

TEST(CudaNvrtc, EngineKernelsCompileToPtx) {
#ifdef PSST_HAVE_CUDA
  const auto names = psst::backend::cuda::engine_kernel_names();
  ASSERT_GE(names.size(), 14u) << "engine_kernel_names() finds the kernels";
  expect_ptx_of({"", {{psst::backend::cuda::engine_source(), names}}}, "engine kernels");
#else
  GTEST_SKIP() << "psst was built without the CUDA toolkit: NVRTC is not tested";
#endif
}

class ModelKernels : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

// Every kernel of a model as the cuda backend binds it (built on cuda-emulated: the same source).
TEST_P(ModelKernels, CompileWithNvrtcToPtx) {
#ifdef PSST_HAVE_CUDA
  const auto& [model, precision] = GetParam();
  psst::run::RunOverrides o;
  o.backend = "cuda-emulated";
  o.duration = 0.0;
  o.precision = precision;
  psst::run::Simulation simulation(psst::lang::read_model_file(psst::test::model_path(model)), o);
  const ModuleSource module = dynamic_cast<CudaBackend&>(simulation.backend()).module_source();
  std::size_t kernels = 0;
  for (const auto& unit : module.units) kernels += unit.kernels.size();
  EXPECT_GE(kernels, 2u) << model;
  expect_ptx_of(module, model + " (" + precision + ")", /*calls_psst_math=*/true);
#else
  GTEST_SKIP() << "psst was built without the CUDA toolkit: NVRTC is not tested";
#endif
}

INSTANTIATE_TEST_SUITE_P(Models, ModelKernels,
                         ::testing::Values(std::pair{"hh.toml", "double"}, std::pair{"hh.toml", "single"},
                                           std::pair{"psst_three_neurons.toml", "double"},
                                           std::pair{"cobahh.toml", "double"}, std::pair{"locust_al.toml", "double"},
                                           std::pair{"locust_al.toml", "single"},
                                           std::pair{"izhikevich_2003.toml", "double"}),
                         [](const auto& p) {
                           return p.param.first.substr(0, p.param.first.find('.')) + "_" + p.param.second;
                         });

TEST(CudaBackend, RefusesClearlyWithoutAGpu) {
  if (has_gpu()) GTEST_SKIP() << "this machine has a GPU: --backend cuda runs";
  try {
    psst::backend::make_backend("cuda");
    FAIL() << "--backend cuda started without a GPU";
  } catch (const psst::UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--backend cuda"), std::string::npos) << what;
    EXPECT_NE(what.find("cpu"), std::string::npos) << "names the alternatives: " << what;
  }
}

TEST(CudaBackend, CliRefusesAtOnceAndOtherBackendsStillRun) {
  if (has_gpu()) GTEST_SKIP() << "this machine has a GPU: --backend cuda runs";
  psst::test::TempDir dir;
  const std::string model = psst::test::model_path("hh.toml").string();
  auto refused = psst::test::run_command(std::string(PSST_CLI) + " run " + model + " --backend cuda --duration 1 --out " +
                                         (dir / "a.h5").string());
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("--backend cuda"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "a.h5"));
  auto ran = psst::test::run_command(std::string(PSST_CLI) + " run " + model +
                                     " --backend cuda-emulated --duration 1 -q --out " + (dir / "b.h5").string());
  EXPECT_EQ(ran.status, 0) << ran.output;
}

}  // namespace
