// Parameters given as expressions: evaluated once per neuron at set-up, in the
// order their dependencies need, reading i, N, dt and other parameters.
#include <gtest/gtest.h>

#include <string>

#include "lang/model_file.hpp"
#include "test_support.hpp"

namespace {

psst::model::NetworkSpec model(const std::string& parameters) {
  return psst::lang::parse_model_text("[simulation]\nduration = 1.0\ndt = 0.25\n[populations.cells]\nsize = 4\n"
                                      "equations = \"dV/dt = -V / tau + offset\"\ninitial = { V = \"offset * i\" }\n"
                                      "parameters = { " + parameters + " }\n",
                                      "values.toml", ".");
}

TEST(ExpressionParameters, ReadOtherExpressionParametersAndDt) {
  // Written in an order (and named so) that map order alone would get wrong.
  psst::run::RunOverrides overrides;
  overrides.backend = "reference";
  psst::run::Simulation simulation(model("a_rate = \"z_base * 2\", offset = \"a_rate + dt\", tau = 10.0, "
                                         "z_base = \"i + N\""),
                                   overrides);
  const auto& cells = simulation.population("cells");
  for (std::size_t i = 0; i < 4; ++i) {
    const double base = static_cast<double>(i) + 4.0;
    EXPECT_EQ(cells.parameter("z_base").at(i), base);
    EXPECT_EQ(cells.parameter("a_rate").at(i), 2.0 * base);
    EXPECT_EQ(cells.parameter("offset").at(i), 2.0 * base + 0.25);  // dt = 0.25, not 0
    EXPECT_EQ(cells.state("V").at(i), (2.0 * base + 0.25) * static_cast<double>(i));
  }
}

TEST(ExpressionParameters, ACycleIsAUserErrorNamingBoth) {
  psst::run::RunOverrides overrides;
  overrides.backend = "reference";
  try {
    psst::run::Simulation simulation(model("offset = \"tau + 1\", tau = \"2 * offset\""), overrides);
    FAIL() << "a cycle of expression parameters was accepted";
  } catch (const psst::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("the expression parameters of population 'cells' read each other in a "
                                         "cycle: offset, tau"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
