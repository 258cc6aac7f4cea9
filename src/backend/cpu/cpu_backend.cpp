#include "backend/cpu/cpu_backend.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "backend/cpu/compiler.hpp"
#include "backend/cpu/cpp_printer.hpp"
#include "backend/cpu/thread_pool.hpp"
#include "backend/cpu/work_estimate.hpp"
#include "backend/reference/interpreter.hpp"
#include "model/error.hpp"

namespace psst::backend::cpu {

namespace {

// One distinct generated function, shared by every kernel with the same code and bindings.
struct Function {
  std::string name, source;
  KernelFunction address = nullptr;
};

}  // namespace

struct CpuState {
  CpuState(const BackendOptions& options)
      : compile(options.compile),
        precision(options.precision),
        compiler(CompilerOptions{options.march_native, options.compiler, options.cache_dir}),
        pool(options.threads) {}

  bool compile;
  graph::Precision precision;
  Compiler compiler;
  ThreadPool pool;
  std::map<std::string, std::shared_ptr<Function>> functions;  // by name
  std::vector<std::shared_ptr<Function>> order;                 // first request first
  std::vector<std::shared_ptr<SharedLibrary>> libraries;
  std::vector<CompileResult> batches;

  void finalize() {
    std::vector<std::shared_ptr<Function>> pending;
    for (const auto& [name, function] : functions)
      if (!function->address) pending.push_back(function);
    if (pending.empty() || !compile) return;
    // Translation units compiled in parallel, one per core, balanced by size; the split
    // depends only on the set of functions (sorted by name), so the cache key is stable.
    const auto cores = static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency()));
    const std::size_t units = std::min(cores, pending.size());
    std::vector<std::string> sources(units, translation_unit_prologue());
    std::vector<std::size_t> sizes(units, 0);
    std::vector<std::shared_ptr<Function>> by_size = pending;
    std::stable_sort(by_size.begin(), by_size.end(),
                     [](const auto& a, const auto& b) { return a->source.size() > b->source.size(); });
    for (const auto& f : by_size) {
      std::size_t u = static_cast<std::size_t>(std::min_element(sizes.begin(), sizes.end()) - sizes.begin());
      sources[u] += f->source;
      sizes[u] += f->source.size();
    }
    CompileResult result = compiler.build(sources);
    for (const auto& f : pending)
      f->address = reinterpret_cast<KernelFunction>(result.library->symbol(f->name));
    libraries.push_back(result.library);
    batches.push_back(result);
  }
};

namespace {

class CpuKernel final : public Kernel {
 public:
  CpuKernel(std::shared_ptr<CpuState> state, std::shared_ptr<Function> function, const graph::Program& program,
            std::vector<Binding> bindings)
      : state_(std::move(state)),
        function_(std::move(function)),
        name_(program.name),
        bindings_(std::move(bindings)),
        outputs_(program.outputs.size()),
        no_indices_(program.inputs.size(), nullptr),
        work_per_element_(element_cost(program)) {
    if (!state_->compile) interpreted_ = reference::InterpreterBackend(state_->precision).compile(program, bindings_);
  }

  void run(const KernelArgs& args, std::size_t begin, std::size_t end) const override {
    // A bound kernel launches with the same arguments every step: checked at their first launch.
    if (&args != checked_) {
      check(args);
      checked_ = &args;
    }
    if (end <= begin) return;
    if (interpreted_) return interpreted_->run(args, begin, end);
    if (!function_->address) state_->finalize();
    KernelFunction f = function_->address;
    const double* const* in = args.inputs.data();
    const std::uint32_t* const* index = args.input_indices.empty() ? no_indices_.data() : args.input_indices.data();
    double* const* out = args.outputs.data();
    // A few chunks per thread, each thread taking its home share first, then leftovers: a busy
    // or late thread delays nobody (thread_pool.hpp).
    const int chunks = chunk_count(end - begin, work_per_element_, state_->pool.size());
    if (chunks <= 1) {
      f(in, index, out, begin, end);
      return;
    }
    // Chunks of whole blocks from `begin`: every chunk but the last ends at a multiple of the
    // block, so each element runs in the same code (vector body or scalar tail) as on one
    // thread. The bits of an operation on two NaNs (which payload) can depend on it.
    const std::size_t blocks = (end - begin + kernel_block - 1) / kernel_block;
    state_->pool.parallel_for(0, blocks, chunks, [&](std::size_t first, std::size_t last) {
      f(in, index, out, begin + first * kernel_block, std::min(end, begin + last * kernel_block));
    });
  }

 private:
  // The arguments must be bound as the kernel was compiled: a broadcast input read as an
  // array would read past its one value.
  void check(const KernelArgs& args) const {
    bool ok = args.inputs.size() == bindings_.size() && args.input_strides.size() == bindings_.size() &&
              args.outputs.size() == outputs_ &&
              (args.input_indices.empty() || args.input_indices.size() == bindings_.size());
    for (std::size_t i = 0; ok && i < bindings_.size(); ++i) {
      const bool gathered = !args.input_indices.empty() && args.input_indices[i] != nullptr;
      const Binding actual = args.input_strides[i] == 0 ? Binding::Broadcast
                             : gathered                 ? Binding::Gathered
                                                        : Binding::Array;
      ok = actual == bindings_[i] && args.inputs[i] != nullptr;
    }
    for (std::size_t o = 0; ok && o < args.outputs.size(); ++o) ok = args.outputs[o] != nullptr;
    if (!ok)
      throw InternalError(fmt::format("cpu kernel {} called with arguments bound otherwise than compiled ({} inputs, "
                                      "{} outputs; expects {} and {})",
                                      name_, args.inputs.size(), args.outputs.size(), bindings_.size(), outputs_));
  }

  std::shared_ptr<CpuState> state_;
  std::shared_ptr<Function> function_;
  std::string name_;
  std::vector<Binding> bindings_;
  std::size_t outputs_;
  std::vector<const std::uint32_t*> no_indices_;
  std::size_t work_per_element_;  // element_cost(program)
  std::unique_ptr<Kernel> interpreted_;  // print-only mode (psst codegen): the reference semantics
  mutable const KernelArgs* checked_ = nullptr;  // the arguments checked last (HostBoundKernel's own, fixed)
};

}  // namespace

CpuBackend::CpuBackend(const BackendOptions& options) : state_(std::make_shared<CpuState>(options)) {
  if (state_->compile && !state_->compiler.available())
    throw UserError(options.compiler.empty()
                        ? "the cpu backend needs a C++ compiler ($CXX, or c++, g++ or clang++ on PATH); none was "
                          "found. Use --backend reference"
                        : fmt::format("the C++ compiler '{}' was not found or does not run", options.compiler));
}

CpuBackend::~CpuBackend() = default;

bool CpuBackend::compiler_available() { return Compiler::default_available(); }

std::unique_ptr<Kernel> CpuBackend::compile(const graph::Program& program, const std::vector<Binding>& bindings) {
  std::string name = kernel_function_name(program, bindings, state_->precision);
  auto& function = state_->functions[name];
  if (!function) {
    function = std::make_shared<Function>(Function{name, print_kernel(program, bindings, name, state_->precision), nullptr});
    state_->order.push_back(function);
  }
  return std::make_unique<CpuKernel>(state_, function, program, bindings);
}

void CpuBackend::finalize() { state_->finalize(); }

std::string CpuBackend::report() const {
  if (state_->batches.empty()) return "";
  double seconds = 0.0;
  bool all_hits = true;
  for (const auto& b : state_->batches) {
    seconds += b.seconds;
    all_hits = all_hits && b.cache_hit;
  }
  return fmt::format("cpu backend: {} kernels {} in {:.2f} s ({}); {} thread{}", state_->functions.size(),
                     all_hits ? "loaded from the cache" : "compiled", seconds, state_->compiler.description(),
                     state_->pool.size(), state_->pool.size() == 1 ? "" : "s");
}

std::string CpuBackend::source() const {
  std::string s = readable_prologue();
  for (const auto& f : state_->order) s += f->source;
  return s;
}

int CpuBackend::compilations() const { return state_->compiler.compilations(); }

int CpuBackend::threads() const { return state_->pool.size(); }

void CpuBackend::parallel_for(std::size_t n, std::size_t work,
                              const std::function<void(std::size_t, std::size_t)>& body) {
  const std::size_t by_work = n * std::max<std::size_t>(work, 1) / min_work_per_chunk;
  const auto chunks = static_cast<int>(std::min<std::size_t>(by_work, 4 * static_cast<std::size_t>(state_->pool.size())));
  if (chunks <= 1 || state_->pool.size() == 1) return body(0, n);
  state_->pool.parallel_for(0, n, chunks, [&](std::size_t first, std::size_t last) { body(first, last); });
}

}  // namespace psst::backend::cpu
