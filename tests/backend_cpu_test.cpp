// The compiled CPU backend against the reference interpreter: the same bits
// for every model, every operation and every thread count; parameters are
// run-time data (a new value compiles nothing); the kernel cache checks what
// it loads and refuses a directory others can write.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "backend/cpu/compiler.hpp"
#include "backend/cpu/cpu_backend.hpp"
#include "backend/reference/interpreter.hpp"
#include "lang/model_file.hpp"
#include "model/error.hpp"
#include "test_support.hpp"

namespace {

using psst::backend::Binding;
using psst::backend::KernelArgs;
using psst::graph::Instruction;
using psst::graph::Op;
using psst::graph::Program;
using psst::run::RunOverrides;
using psst::run::Simulation;
using psst::test::SpikeCollector;

bool cpu_available() { return psst::backend::cpu::CpuBackend::compiler_available(); }

#define REQUIRE_CPU() \
  if (!cpu_available()) GTEST_SKIP() << "no C++ compiler: the cpu backend is not available"

// ---- every operation, on awkward values ----------------------------------------------------

// out_k = op_k(x, y, z) for every operation, plus pow with constant exponents (which a
// C++ compiler would rewrite if pow were a builtin: pow(x, 2.0) -> x * x is not psst::math::pow).
Program all_operations(std::vector<std::string>& labels) {
  Program p;
  p.name = "all_operations";
  p.inputs = {"x", "y", "z"};
  int next = 0;
  auto reg = [&] { return next++; };
  auto emit = [&](Instruction in) {
    p.code.push_back(in);
    return in.dst;
  };
  const int x = emit({Op::Input, reg(), -1, -1, -1, 0.0, 0});
  const int y = emit({Op::Input, reg(), -1, -1, -1, 0.0, 1});
  const int z = emit({Op::Input, reg(), -1, -1, -1, 0.0, 2});
  std::vector<int> results;
  for (Op op : {Op::Neg, Op::Add, Op::Sub, Op::Mul, Op::Div, Op::Pow, Op::Exp, Op::Expm1, Op::Log, Op::Sqrt, Op::Abs,
                Op::Min, Op::Max, Op::Tanh, Op::Sin, Op::Cos, Op::Floor, Op::XOverExpm1, Op::Less, Op::LessEqual,
                Op::Greater, Op::GreaterEqual, Op::Equal, Op::NotEqual, Op::And, Op::Or, Op::Not, Op::Select,
                Op::FlushSubnormal}) {
    results.push_back(emit({op, reg(), x, y, z, 0.0, -1}));
    labels.push_back(psst::graph::name(op));
  }
  for (double exponent : {2.0, 3.0, 0.5, -1.0, 1.0 / 3.0}) {
    const int c = emit({Op::Constant, reg(), -1, -1, -1, exponent, -1});
    results.push_back(emit({Op::Pow, reg(), x, c, -1, 0.0, -1}));
    labels.push_back("pow(x, " + std::to_string(exponent) + ")");
  }
  // Constants only: folded by the printer with graph::apply, never by the C++ compiler.
  const int two = emit({Op::Constant, reg(), -1, -1, -1, 1.1, -1});
  const int three = emit({Op::Constant, reg(), -1, -1, -1, 2.0, -1});
  results.push_back(emit({Op::Pow, reg(), two, three, -1, 0.0, -1}));
  labels.push_back("pow(1.1, 2.0)");
  const int zero = emit({Op::Constant, reg(), -1, -1, -1, 0.0, -1});
  results.push_back(emit({Op::Div, reg(), zero, zero, -1, 0.0, -1}));
  labels.push_back("0/0 (a NaN constant with its sign)");
  results.push_back(emit({Op::Add, reg(), results.back(), x, -1, 0.0, -1}));
  labels.push_back("NaN + x");
  for (std::size_t k = 0; k < results.size(); ++k) {
    p.outputs.push_back("out" + std::to_string(k));
    p.code.push_back({Op::Store, -1, results[k], -1, -1, 0.0, static_cast<int>(k)});
  }
  p.register_count = next;
  return p;
}

std::vector<double> awkward_values(std::size_t n, std::uint64_t seed) {
  const double specials[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 1e-310, -1e-310, 709.9, -745.5, 1e300, -1e300,
                             std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(), 1e-17, 3.0, 40.0};
  std::vector<double> v(n);
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    if (i % 4 == 0) {
      v[i] = specials[(state >> 33) % std::size(specials)];
    } else {
      double u = static_cast<double>(state >> 11) * 0x1p-53;  // [0, 1)
      v[i] = (i % 4 == 1 ? 60.0 : i % 4 == 2 ? 2.0 : 1e6) * (2.0 * u - 1.0);
    }
  }
  return v;
}

TEST(CpuBackend, EveryOperationGivesTheReferenceBits) {
  REQUIRE_CPU();
  std::vector<std::string> labels;
  Program program = all_operations(labels);
  const std::size_t n = 10007;  // odd: vector epilogues too
  std::vector<double> x = awkward_values(n, 1), y = awkward_values(n, 2), z = awkward_values(n, 3);
  psst::test::TempDir cache;
  for (Binding y_binding : {Binding::Array, Binding::Broadcast}) {
    std::vector<std::uint32_t> reversed(n);
    for (std::size_t i = 0; i < n; ++i) reversed[i] = static_cast<std::uint32_t>(n - 1 - i);
    auto make_args = [&](std::vector<std::vector<double>>& outputs) {
      KernelArgs args;
      args.add_input(x.data(), 1);
      if (y_binding == Binding::Broadcast)
        args.add_input(&y[5], 0);
      else
        args.add_input(y.data(), 1);
      args.add_input(z.data(), 1, reversed.data());  // gathered
      outputs.assign(program.outputs.size(), std::vector<double>(n, 1234.5));
      for (auto& o : outputs) args.outputs.push_back(o.data());
      return args;
    };
    std::vector<std::vector<double>> expected, actual;
    KernelArgs reference_args = make_args(expected);
    psst::backend::reference::InterpreterBackend reference;
    reference.compile(program, reference_args.bindings())->run(reference_args, 0, n);
    for (int threads : {1, 3}) {
      psst::backend::BackendOptions options;
      options.threads = threads;
      options.cache_dir = cache.path().string();
      psst::backend::cpu::CpuBackend cpu(options);
      KernelArgs cpu_args = make_args(actual);
      auto kernel = cpu.compile(program, cpu_args.bindings());
      cpu.finalize();
      kernel->run(cpu_args, 0, n);
      // Exact bits, with one exception: where two NaNs meet (NaN + NaN), x86 returns the first
      // operand's payload and sign, and a C++ compiler may swap the operands of + and *, in
      // the interpreter as in a kernel. A NaN is then a NaN of either sign (a state that is
      // NaN has blown up, and the run stops with an error, whatever its sign).
      for (std::size_t k = 0; k < expected.size(); ++k) {
        for (std::size_t i = 0; i < n; ++i) {
          if (!(std::isnan(expected[k][i]) && std::isnan(actual[k][i])) || labels[k].rfind("0/0", 0) == 0) {
            ASSERT_EQ(std::bit_cast<std::uint64_t>(expected[k][i]), std::bit_cast<std::uint64_t>(actual[k][i]))
              << labels[k] << " at x = " << x[i] << ", y = " << (y_binding == Binding::Broadcast ? y[5] : y[i])
              << ", z = " << z[n - 1 - i] << " (" << threads << " threads): reference " << expected[k][i] << ", cpu "
              << actual[k][i];
          }
        }
      }
    }
  }
}

TEST(CpuBackend, SubrangesAndThreadCountsGiveTheSameBits) {
  REQUIRE_CPU();
  std::vector<std::string> labels;
  Program program = all_operations(labels);
  const std::size_t n = 70001;
  std::vector<double> x = awkward_values(n, 7), y = awkward_values(n, 8), z = awkward_values(n, 9);
  std::vector<std::uint32_t> identity(n);
  for (std::size_t i = 0; i < n; ++i) identity[i] = static_cast<std::uint32_t>(i);
  psst::test::TempDir cache;
  std::vector<std::vector<double>> first;
  for (int threads : {1, 2, 5}) {
    psst::backend::BackendOptions options;
    options.threads = threads;
    options.cache_dir = cache.path().string();
    psst::backend::cpu::CpuBackend cpu(options);
    EXPECT_EQ(cpu.threads(), threads);
    std::vector<std::vector<double>> out(program.outputs.size(), std::vector<double>(n, 0.0));
    KernelArgs args;
    args.add_input(x.data(), 1);
    args.add_input(y.data(), 1);
    args.add_input(z.data(), 1, identity.data());
    for (auto& o : out) args.outputs.push_back(o.data());
    auto kernel = cpu.compile(program, args.bindings());  // not finalised: the first run compiles
    kernel->run(args, 0, 1000);
    kernel->run(args, 1000, 1001);
    kernel->run(args, 1001, n);
    if (first.empty())
      first = out;
    else
      for (std::size_t k = 0; k < out.size(); ++k)
        ASSERT_EQ(0, std::memcmp(first[k].data(), out[k].data(), n * sizeof(double))) << labels[k] << ", " << threads;
  }
}

TEST(CpuBackend, ArgumentsBoundOtherwiseThanCompiledAreRefused) {
  REQUIRE_CPU();
  std::vector<std::string> labels;
  Program program = all_operations(labels);
  psst::test::TempDir cache;
  psst::backend::BackendOptions options;
  options.compile = false;  // the check comes first; nothing needs compiling
  options.cache_dir = cache.path().string();
  psst::backend::cpu::CpuBackend cpu(options);
  std::vector<double> x(4, 1.0);
  std::vector<std::vector<double>> out(program.outputs.size(), std::vector<double>(4));
  KernelArgs args;
  for (int i = 0; i < 3; ++i) args.add_input(x.data(), 1);
  for (auto& o : out) args.outputs.push_back(o.data());
  auto kernel = cpu.compile(program, {Binding::Array, Binding::Broadcast, Binding::Array});
  EXPECT_THROW(kernel->run(args, 0, 4), psst::InternalError);
}

// ---- parameters are run-time data; the cache ------------------------------------------------

TEST(CpuBackend, AParameterChangeCompilesNothingNew) {
  REQUIRE_CPU();
  psst::test::TempDir cache;
  auto build = [&](double injected, const std::string& backend) {
    auto spec = psst::lang::read_model_file(psst::test::model_path("hh.toml"));
    spec.populations[0].parameters.at("I_inj") = psst::model::ValueSpec::constant(injected);
    RunOverrides o;
    o.backend = backend;
    o.duration = 50.0;
    o.cache_dir = cache.path().string();
    return std::make_unique<Simulation>(std::move(spec), o);
  };
  auto compilations = [](Simulation& s) {
    return dynamic_cast<psst::backend::cpu::CpuBackend&>(s.backend()).compilations();
  };
  auto libraries = [&] {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(cache.path())) count += entry.path().extension() == ".so";
    return count;
  };
  auto first = build(10.0, "cpu");
  EXPECT_GE(compilations(*first), 1);
  EXPECT_EQ(libraries(), 1);
  const int before = psst::backend::cpu::Compiler::total_compilations();
  auto second = build(3.5, "cpu");
  EXPECT_EQ(compilations(*second), 0) << second->backend().report();
  EXPECT_EQ(psst::backend::cpu::Compiler::total_compilations(), before);
  EXPECT_EQ(libraries(), 1);
  EXPECT_NE(second->backend().report().find("loaded from the cache"), std::string::npos) << second->backend().report();
  // And the new value is used: the same bits as the reference with that value.
  auto reference = build(3.5, "reference");
  second->run();
  reference->run();
  const auto& v_cpu = second->population("HH").state("V");
  const auto& v_ref = reference->population("HH").state("V");
  EXPECT_EQ(0, std::memcmp(v_cpu.data(), v_ref.data(), v_ref.size() * sizeof(double)));
  first->run();
  EXPECT_NE(first->population("HH").state("V")[0], v_cpu[0]);
}

TEST(CpuBackend, ADamagedCacheEntryIsRebuiltNotLoaded) {
  REQUIRE_CPU();
  psst::test::TempDir cache;
  psst::backend::cpu::Compiler compiler({false, "", cache.path().string()});
  const std::string source = "extern \"C\" int psst_probe() { return 42; }\n";
  {
    auto first = compiler.build({source});
    EXPECT_FALSE(first.cache_hit);
    auto probe = reinterpret_cast<int (*)()>(first.library->symbol("psst_probe"));
    EXPECT_EQ(probe(), 42);
    EXPECT_TRUE(compiler.build({source}).cache_hit);
  }  // unloaded before the file is damaged
  // Flip one byte of the library: its checksum no longer matches the side file.
  std::filesystem::path library = cache.path() / (compiler.cache_key({source}) + ".so");
  ASSERT_TRUE(std::filesystem::exists(library));
  {
    std::fstream f(library, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    char c = 0;
    f.seekg(100);
    f.get(c);
    f.seekp(100);
    f.put(static_cast<char>(c ^ 0x5a));
  }
  EXPECT_FALSE(compiler.build({source}).cache_hit);
  EXPECT_TRUE(compiler.build({source}).cache_hit);
  EXPECT_THROW(compiler.build({"this is not C++"}), psst::InternalError);
  try {
    compiler.build({"int f() { return undeclared_name; }"});
  } catch (const psst::InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("undeclared_name"), std::string::npos) << e.what();  // the compiler's stderr
  }
}

TEST(CpuBackend, RefusesACacheDirectoryOthersCanWrite) {
  REQUIRE_CPU();
  psst::test::TempDir dir;
  auto open = std::filesystem::path(dir.path()) / "open";
  std::filesystem::create_directory(open);
  ASSERT_EQ(chmod(open.c_str(), 0777), 0);
  RunOverrides o;
  o.backend = "cpu";
  o.cache_dir = open.string();
  o.duration = 1.0;
  try {
    Simulation simulation(psst::lang::read_model_file(psst::test::model_path("hh.toml")), o);
    FAIL() << "a world-writable cache directory was used";
  } catch (const psst::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos) << e.what();
  }
  // A new directory is created private.
  auto fresh = std::filesystem::path(dir.path()) / "a" / "b";
  psst::backend::cpu::KernelCache created(fresh.string());
  struct stat info {};
  ASSERT_EQ(stat(fresh.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

// ---- the command line ----------------------------------------------------------------------

TEST(CpuBackend, CodegenPrintsOnlyGeneratedNames) {
  auto result = psst::test::run_command(std::string(PSST_CLI) + " codegen " +
                                        psst::test::model_path("hh.toml").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("extern \"C\" void psst_kernel_"), std::string::npos);
  EXPECT_NE(result.output.find("psst::math::exp("), std::string::npos);
  EXPECT_EQ(result.output.find("alpha_m"), std::string::npos) << "equation text reached the generated code";
}

TEST(CpuBackend, SetChangesAParameterAndRejectsUnknownNames) {
  psst::test::TempDir dir;
  const std::string cli = std::string(PSST_CLI) + " run " + psst::test::model_path("hh.toml").string() +
                          " --duration 5 -q --overwrite -o " + (dir / "out.h5").string();
  auto ok = psst::test::run_command(cli + " --set HH.I_inj=0");
  EXPECT_EQ(ok.status, 0) << ok.output;
  auto bad_name = psst::test::run_command(cli + " --set HH.I_nope=1");
  EXPECT_EQ(bad_name.status, 1) << bad_name.output;
  EXPECT_NE(bad_name.output.find("has no parameter 'I_nope'"), std::string::npos) << bad_name.output;
  auto bad_owner = psst::test::run_command(cli + " --set XX.I_inj=1");
  EXPECT_EQ(bad_owner.status, 1) << bad_owner.output;
  EXPECT_NE(bad_owner.output.find("no population or projection 'XX'"), std::string::npos) << bad_owner.output;
  auto bad_value = psst::test::run_command(cli + " --set HH.I_inj=ten");
  EXPECT_EQ(bad_value.status, 1) << bad_value.output;
}

}  // namespace
