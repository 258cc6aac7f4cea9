// libFuzzer target: any bytes as a model file. psst must either accept the
// model or throw a UserError; it must never crash, hang or leak. Built with
// clang by scripts/fuzz.sh (cmake -DPSST_FUZZ=ON), seeded with models/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lang/model_file.hpp"
#include "model/error.hpp"
#include "run/simulation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    psst::model::NetworkSpec spec = psst::lang::parse_model_text(text, "fuzz.toml", ".");
    // Keep each input cheap: small populations, a few steps.
    for (const auto& p : spec.populations)
      if (p.size > 64) return 0;
    if (spec.projections.size() > 4) return 0;
    if (spec.simulation.instances > 8 || spec.sweep.entries.size() > 3) return 0;  // ensembles: a few instances
    for (const auto& entry : spec.sweep.entries)
      if (entry.values.size() > 4) return 0;
    psst::run::RunOverrides overrides;
    overrides.duration = 10 * spec.simulation.dt;
    psst::run::Simulation simulation(spec, overrides);
    simulation.run();
  } catch (const psst::UserError&) {
  }
  return 0;
}
