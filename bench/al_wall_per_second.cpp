// Wall time of each simulated block of the antennal lobe (models/locust_al.toml)
// over a long run: it must stay flat. Without a rule for subnormal numbers it
// grew ~3.5x after 4 s (issue 11: the ACh open fraction of silent synapses
// decays geometrically into subnormal doubles, which x86 computes in microcode).
//   psst_bench_al_seconds [seconds=60] [backend=cpu] [threads=1] [block_s=1] [precision=double]
// One line per block: simulated end time, wall time of the block, its ratio to
// the first block, the process's CPU time in the block (all threads) and its
// ratio (what to read on a shared machine, where wall time follows the load),
// how many state values (x of every population and projection) are subnormal
// at the end of the block, how many are normal but below 2^-1000 (where their
// products with the model's rate constants and dt are subnormal), and the
// machine's 1-minute load average.
// Records nothing. Measured, never asserted.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

#include <fmt/format.h>

#include "lang/model_file.hpp"
#include "run/population.hpp"
#include "run/projection.hpp"
#include "run/simulation.hpp"

namespace {

// Stored values with 0 < |v| < limit (2^-1022: subnormal).
std::size_t count_below(psst::run::Simulation& simulation, double limit) {
  std::size_t count = 0;
  auto add = [&count, limit](const auto& owner) {
    for (const auto& name : owner.persistent_arrays())
      for (double v : owner.download(name)) count += v != 0.0 && std::fabs(v) < limit;
  };
  for (auto& p : simulation.populations()) add(*p);
  for (auto& p : simulation.projections()) add(*p);
  return count;
}

// CPU seconds of this process so far (all its threads).
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The 1-minute load average of the machine (-1 when unknown): the machine may be shared.
double load_average() {
  double load = -1.0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1.0;
    std::fclose(f);
  }
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 60.0;
  psst::run::RunOverrides overrides;
  overrides.backend = argc > 2 ? argv[2] : "cpu";
  overrides.threads = argc > 3 ? std::stoi(argv[3]) : 1;
  const double block = argc > 4 ? std::stod(argv[4]) : 1.0;
  overrides.precision = argc > 5 ? argv[5] : "double";
  overrides.duration = seconds * 1000.0;
  auto spec = psst::lang::read_model_file(std::string(PSST_SOURCE_DIR) + "/models/locust_al.toml");
  spec.records.clear();
  psst::run::Simulation simulation(spec, overrides);
  if (auto report = simulation.backend().report(); !report.empty()) fmt::print("# {}\n", report);
  fmt::print("# locust_al backend={} threads={} precision={} dt={} ms, block {} s\n", overrides.backend,
             overrides.threads, *overrides.precision, simulation.dt(), block);
  fmt::print("{:>10} {:>10} {:>8} {:>10} {:>8} {:>11} {:>9} {:>6}\n", "t_end (s)", "wall (s)", "ratio", "cpu (s)",
             "ratio", "subnormal x", "tiny x", "load");
  const auto steps_per_block = static_cast<std::int64_t>(std::llround(block * 1000.0 / simulation.dt()));
  double first = 0.0, total = 0.0, first_cpu = 0.0, total_cpu = 0.0;
  while (simulation.step() < simulation.total_steps()) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    simulation.run_until_step(std::min(simulation.step() + steps_per_block, simulation.total_steps()));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    if (first == 0.0) first = wall;
    if (first_cpu == 0.0) first_cpu = cpu;
    total += wall;
    total_cpu += cpu;
    const std::size_t subnormal = count_below(simulation, 0x1p-1022);
    fmt::print("{:>10.1f} {:>10.3f} {:>8.2f} {:>10.3f} {:>8.2f} {:>11} {:>9} {:>6.2f}\n", simulation.time() / 1000.0, wall,
               wall / first, cpu, cpu / first_cpu, subnormal, count_below(simulation, 0x1p-1000) - subnormal,
               load_average());
    std::fflush(stdout);
  }
  fmt::print("# total {:.1f} s wall, {:.1f} s CPU for {} s simulated\n", total, total_cpu, seconds);
  return 0;
}
