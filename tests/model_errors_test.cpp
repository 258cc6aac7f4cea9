// Bad model files: each gets its own message naming the file, line (and column
// where there is one), and exits with status 1 — never a crash, never a partial run.
#include <gtest/gtest.h>

#include <fstream>

#include <fmt/format.h>

#include "test_support.hpp"

namespace {

struct BadModel {
  std::string name;
  std::string toml;
  int line;                // expected line in "bad.toml:LINE"
  std::string fragment;    // expected part of the message
  std::string command = "check";
};

// A valid one-population model to break in one place; line numbers below count from 1.
std::string model(const std::string& equations = "dV/dt = (I - g * (V - E)) / C",
                  const std::string& parameters = "I = 1.0, g = 0.1, E = -65.0, C = 1.0",
                  const std::string& initial = "V = -65.0", const std::string& extra = "",
                  const std::string& simulation = "duration = 10.0\ndt = 0.1") {
  return fmt::format(
      "[simulation]\n{}\n[populations.cells]\nsize = 3\nthreshold = \"V >= 0\"\nequations = \"\"\"\n{}\n\"\"\"\n"
      "parameters = {{ {} }}\ninitial = {{ {} }}\n{}",
      simulation, equations, parameters, initial, extra);
}

const std::vector<BadModel> cases = {
    {"toml_syntax", "[simulation\nduration = 1\n", 1, "this is not valid TOML"},
    {"unknown_top_level_key", "[simulatoin]\nduration = 1\n", 1, "unknown key 'simulatoin' in the top level; valid keys are"},
    {"unknown_population_key", model() + "equatons = \"x\"\n", 12, "unknown key 'equatons' in [populations.cells]"},
    {"unknown_name", model("dV/dt = (I - gg * (V - E)) / C"), 8, "unknown name 'gg' in the equation of 'V'"},
    {"did_you_mean", model("dV/dt = (I - g * (V - E)) / Cm"), 8, "(did you mean 'C'?)"},
    {"duplicate_definition", model("dV/dt = (I - g * (V - E)) / C\nq = 1\nq = 2"), 10, "duplicate definition of 'q'"},
    {"ode_for_parameter", model("dV/dt = (I - g * (V - E)) / C\ndg/dt = 0", "I = 1.0, g = 0.1, E = -65.0, C = 1.0",
                                "V = -65.0, g = 0"), 9, "'g' is a parameter of population 'cells' and cannot also have a differential equation"},
    {"definition_named_like_parameter", model("dV/dt = (I - g * (V - E)) / C\nE = 3"), 9, "'E' is a parameter of population 'cells' and cannot also have an equation"},
    {"missing_initial_value", model("dV/dt = (I - g * (V - E)) / C\ndw/dt = -w"), 9, "state variable 'w' of population 'cells' has no initial value"},
    {"initial_for_non_state", model("dV/dt = (I - g * (V - E)) / C", "I = 1.0, g = 0.1, E = -65.0, C = 1.0", "V = -65.0, q = 1"), 11,
     "initial value given for 'q', which is not a state variable"},
    {"cycle", model("dV/dt = a\na = b + 1\nb = c * 2\nc = a"), 9, "form a cycle: a -> b -> c -> a"},
    {"unknown_function", model("dV/dt = sigmoid(V)"), 8, "unknown function 'sigmoid'; the functions are"},
    {"wrong_arity", model("dV/dt = exp(V, 2)"), 8, "exp(x) takes 1 argument, 2 given"},
    {"unclosed_parenthesis", model("dV/dt = (I - g * (V - E) / C"), 9, "unbalanced parentheses"},
    {"extra_parenthesis", model("dV/dt = (I - g) * V) / C"), 8, "unbalanced parentheses"},
    {"unexpected_character", model("dV/dt = I $ V"), 8, "unexpected character '$'"},
    {"implicit_multiplication", model("dV/dt = 2V"), 8, "put an operator between them"},
    {"chained_comparison", model("dV/dt = where(0 < V < 1, 1, 0)"), 8, "comparisons cannot be chained"},
    {"boolean_parameter", model("dV/dt = (I - g * (V - E)) / C", "I = true, g = 0.1, E = -65.0, C = 1.0"), 10,
     "parameter 'I' of population 'cells' must be a number, a list with one number per neuron"},
    {"list_parameter_wrong_length", model("dV/dt = (I - g * (V - E)) / C", "I = [1, 2], g = 0.1, E = -65.0, C = 1.0"), 10,
     "has 2 values, but the population has 3 neurons"},
    {"negative_size", "[populations.cells]\nsize = -3\nequations = \"dV/dt = 0\"\ninitial = { V = 0 }\n", 2,
     "[populations.cells].size must be a non-negative integer"},
    {"zero_dt", model("dV/dt = (I - g * (V - E)) / C", "I = 1.0, g = 0.1, E = -65.0, C = 1.0", "V = -65.0", "",
                      "duration = 10.0\ndt = 0.0"), 1, "the time step dt must be a positive number of ms, got 0"},
    {"duration_not_whole_steps", model("dV/dt = (I - g * (V - E)) / C", "I = 1.0, g = 0.1, E = -65.0, C = 1.0", "V = -65.0",
                                       "", "duration = 10.05\ndt = 0.1"), 0, "is not a whole number of time steps"},
    {"unknown_method", model("dV/dt = (I - g * (V - E)) / C", "I = 1.0, g = 0.1, E = -65.0, C = 1.0", "V = -65.0", "",
                             "duration = 10.0\ndt = 0.1\nmethod = \"rk45\""), 0,
     "unknown integration method 'rk45'; valid methods are euler, rk2 (midpoint), rk4, exponential_euler"},
    {"unknown_distribution", model("dV/dt = (I - g * (V - E)) / C",
                                   "I = { distribution = \"poisson\" }, g = 0.1, E = -65.0, C = 1.0"), 10,
     "unknown distribution 'poisson'"},
    {"builtin_redefined", model("dV/dt = (I - g * (V - E)) / C\nt = 3"), 9, "'t' is a built-in name (the time in ms)"},
    {"no_equations", "[populations.cells]\nsize = 2\n", 1, "[populations.cells] has no 'equations'"},
    {"no_ode", model("x = 1", "I = 1.0", "V = 0"), 4, "population 'cells' has no differential equation ('dX/dt = ...')"},
    {"exponential_euler_nonlinear", model("dV/dt = -V * V", "I = 1.0", "V = 1.0", "",
                                          "duration = 10.0\ndt = 0.1\nmethod = \"exponential_euler\""), 9,
     "exponential Euler cannot integrate dV/dt of 'cells': it must be linear in V"},
    {"unknown_model_reference", model() + "model = \"HH\"\n", 12, "uses model 'HH', but there is no [models.HH] table"},
    {"empty_input_segment", model("dV/dt = (I_ext - g * (V - E)) / C") +
                                "[populations.cells.inputs.I_ext]\nsegments = [ { start = 5.0, end = 5.0, value = 1.0 } ]\n",
     12, "segment [5, 5) is empty"},
    {"missing_input_file", model("dV/dt = (I_ext - g * (V - E)) / C") +
                               "[populations.cells.inputs.I_ext]\nfile = \"no_such_table.npy\"\n",
     0, "no_such_table.npy"},
    {"record_unknown_population", model() + "[record.cortex]\nvariables = [\"V\"]\n", 12,
     "[record.cortex]: there is no population 'cortex'", "run"},
    {"record_unknown_variable", model() + "[record.cells]\nvariables = [\"U\"]\n", 12,
     "'U' is not a state variable of population 'cells'; recordable variables: V", "run"},
    {"record_neuron_out_of_range", model() + "[record.cells]\nvariables = [\"V\"]\nneurons = [0, 7]\n", 12,
     "neuron 7 does not exist; the population has 3 neurons", "run"},
    {"projection_unknown_population", model() + "[projections.p]\npre = \"cells\"\npost = \"cortex\"\nconnect = \"all_to_all\"\n",
     12, "projection 'p': postsynaptic population 'cortex' does not exist"},
    {"projection_unknown_rule", model() + "[projections.p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"random\"\n",
     15, "unknown connection rule 'random'"},
    {"projection_bad_target", model() + "[projections.p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"all_to_all\"\n"
                                        "on_pre = \"W_post += 1\"\n",
     16, "assigns to 'W_post', which is neither a synapse state variable nor a postsynaptic state variable"},
};

TEST(ModelErrors, EachBadModelGetsItsOwnMessageAndExitStatusOne) {
  EXPECT_GE(cases.size(), 20u);
  psst::test::TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::ofstream(dir / "bad.toml") << c.toml;
    std::string out = (dir / (c.name + ".h5")).string();
    auto r = psst::test::run_command(fmt::format("cd {} && {} {} bad.toml{}", dir.path().string(), PSST_CLI, c.command,
                                                 c.command == "run" ? " -q -o " + out : ""));
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(c.fragment), std::string::npos) << r.output;
    if (c.line > 0) {
      EXPECT_NE(r.output.find(fmt::format("bad.toml:{}:", c.line)), std::string::npos) << r.output;
    }
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.rfind("psst: ", 0), 0u) << "one message, starting with 'psst: '\n" << r.output;
  }
}

}  // namespace
