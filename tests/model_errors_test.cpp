// Bad model files: each gets its own message naming the file, line and column,
// what is wrong and what is valid, and psst exits with status 1: never 0, never a
// crash, never 2 (an internal error), never a partial output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "test_support.hpp"

namespace {

struct BadModel {
  std::string name;
  std::string toml;
  int line;               // the message starts "psst: file.toml:LINE:COLUMN: error: "
  int column;             // 0: the error has no column ("file.toml:LINE: error: ")
  std::string fragment;   // a part of the message that says what is wrong (and what is valid)
  std::string command = "check";  // "run": checked when the output file is created
};

// A valid one-population model to break in one place. Its lines:
//    1 [simulation]
//    2 duration = 10.0           (the `simulation` argument: two lines)
//    3 dt = 0.1
//    4 [populations.cells]
//    5 size = 3
//    6 threshold = "V >= 0"
//    7 equations = """
//    8 <the first line of `equations`; one more line for each further one>
//    9 """                        (with one line of equations)
//   10 parameters = { ... }
//   11 initial = { ... }
//   12 <extra>
std::string model(const std::string& equations = "dV/dt = (I - g * (V - E)) / C",
                  const std::string& parameters = "I = 1.0, g = 0.1, E = -65.0, C = 1.0",
                  const std::string& initial = "V = -65.0", const std::string& extra = "",
                  const std::string& simulation = "duration = 10.0\ndt = 0.1") {
  return fmt::format(
      "[simulation]\n{}\n[populations.cells]\nsize = 3\nthreshold = \"V >= 0\"\nequations = \"\"\"\n{}\n\"\"\"\n"
      "parameters = {{ {} }}\ninitial = {{ {} }}\n{}",
      simulation, equations, parameters, initial, extra);
}

const std::string eq = "dV/dt = (I - g * (V - E)) / C";
const std::string params = "I = 1.0, g = 0.1, E = -65.0, C = 1.0";

std::string repeat(const std::string& s, int n) {
  std::string r;
  for (int k = 0; k < n; ++k) r += s;
  return r;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

std::string definition_chain(int n) {  // a0 = 1, a1 = a0 + 1, ..., V reads the last
  std::string text = fmt::format("dV/dt = -V + a{}\na0 = 1", n - 1);
  for (int k = 1; k < n; ++k) text += fmt::format("\na{} = a{} + 1", k, k - 1);
  return text;
}

// A projection of `cells` onto itself (lines 12 to 15) and `extra` from line 16.
std::string projection_onto_cells(const std::string& extra) {
  return "[projections.p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"one_to_one\"\n" + extra + "\n";
}

const std::vector<BadModel> cases = {
    // ---- the TOML itself and its keys
    {"toml_syntax", "[simulation\nduration = 1\n", 1, 12, "this is not valid TOML"},
    {"toml_duplicate_key", model() + "size = 4\n", 12, 8, "this is not valid TOML"},
    {"unknown_top_level_key", "[simulatoin]\nduration = 1\n", 1, 1,
     "unknown key 'simulatoin' in the top level; valid keys are models, populations, projections, record, simulation, sweep"},
    {"unknown_simulation_key", model(eq, params, "V = -65.0", "", "duration = 10.0\ndurration = 0.1"), 3, 13,
     "unknown key 'durration' in [simulation]; valid keys are dt, duration, instances, lastspike_initial, math, method, precision, "
     "record_every, seed"},
    {"unknown_population_key", model() + "equatons = \"x\"\n", 12, 12,
     "unknown key 'equatons' in [populations.cells]; valid keys are equations, initial, inputs, jitter, model, "
     "parameters, poisson_rate, refractory, reset, size, spike_times, threshold"},
    {"no_populations", "[simulation]\nduration = 1.0\n", 1, 1, "the model has no [populations.<name>] table"},
    // ---- names in equations
    {"unknown_name", model("dV/dt = (I - gg * (V - E)) / C"), 8, 14,
     "unknown name 'gg' in the equation of 'V' of population 'cells' (did you mean 'g'?); known names are state "
     "variables: V; definitions: (none); parameters: C, E, I, g"},
    {"unknown_name_did_you_mean", model("dV/dt = (I - g * (V - E)) / Cm"), 8, 29,
     "unknown name 'Cm' in the equation of 'V' of population 'cells' (did you mean 'C'?)"},
    {"unknown_name_far_from_any", model("dV/dt = (I - g * (V - E)) / capacitance"), 8, 29,
     "unknown name 'capacitance' in the equation of 'V' of population 'cells'; known names are"},
    {"unknown_name_in_threshold", replaced(model(), "\"V >= 0\"", "\"Vm >= 0\""), 6, 14,
     "unknown name 'Vm' in the threshold of population 'cells' (did you mean 'V'?)"},
    {"duplicate_definition", model(eq + "\nq = 1\nq = 2"), 10, 1,
     "duplicate definition of 'q' in population 'cells': it is already defined at line 9"},
    {"duplicate_ode", model(eq + "\ndV/dt = 0"), 9, 1,
     "duplicate definition of 'V' in population 'cells': it is already defined at line 8"},
    {"ode_for_parameter", model(eq + "\ndg/dt = 0", params, "V = -65.0, g = 0"), 9, 1,
     "'g' is a parameter of population 'cells' and cannot also have a differential equation; remove one of the two"},
    {"definition_named_like_parameter", model(eq + "\nE = 3"), 9, 1,
     "'E' is a parameter of population 'cells' and cannot also have an equation; remove one of the two"},
    {"missing_initial_value", model(eq + "\ndw/dt = -w"), 9, 1,
     "state variable 'w' of population 'cells' has no initial value; give one in the population's 'initial' table "
     "(e.g. w = 0)"},
    {"initial_for_non_state", model(eq, params, "V = -65.0, q = 1"), 11, 28,
     "initial value given for 'q', which is not a state variable of population 'cells' (state variables: V)"},
    {"cycle_of_two", model("dV/dt = a\na = b + 1\nb = a * 2"), 9, 1,
     "the definitions of population 'cells' form a cycle: a -> b -> a"},
    {"cycle_of_three", model("dV/dt = a\na = b + 1\nb = c * 2\nc = a"), 9, 1,
     "the definitions of population 'cells' form a cycle: a -> b -> c -> a"},
    {"definition_reads_itself", model("dV/dt = a\na = a + 1"), 9, 1,
     "the definitions of population 'cells' form a cycle: a -> a"},
    {"builtin_given_equation", model(eq + "\nt = 3"), 9, 1,
     "'t' is a built-in name (the time in ms) and cannot be given an equation"},
    {"builtin_as_parameter", model(eq, params + ", N = 4"), 10, 58,
     "'N' is a built-in name (the population size) and cannot be a parameter"},
    {"function_name_given_equation", model(eq + "\nexp = 3"), 9, 1,
     "'exp' is the name of a function and cannot be given an equation"},
    {"no_equations", "[populations.cells]\nsize = 2\n", 1, 1, "[populations.cells] has no 'equations'"},
    {"no_differential_equation", model("x = 1", "I = 1.0", ""), 4, 1,
     "population 'cells' has no differential equation ('dX/dt = ...'); every population needs at least one state "
     "variable"},
    // ---- the equation language
    {"unknown_function", model("dV/dt = sigmoid(V)"), 8, 9,
     "unknown function 'sigmoid'; the functions are"},
    {"wrong_arity", model("dV/dt = exp(V, 2)"), 8, 9, "exp(x) takes 1 argument, 2 given"},
    {"unclosed_parenthesis", model("dV/dt = (I - g * (V - E) / C"), 9, 1,
     "expected ')' to close the '(' at line 8, column 9, found end of line (unbalanced parentheses)"},
    {"unclosed_parenthesis_in_threshold", replaced(model(), "\"V >= 0\"", "\"(V >= 0\""), 6, 21,
     "expected ')' to close the '(' at column 14, found end of line (unbalanced parentheses)"},
    {"extra_closing_parenthesis", model("dV/dt = (I - g) * V) / C"), 8, 20,
     "expected the end of the line, found ')' (unbalanced parentheses: no '(' to close)"},
    {"unexpected_character", model("dV/dt = I $ V"), 8, 11,
     "unexpected character '$' in equation; expected a number, a name, an operator"},
    {"unexpected_utf8_character", model("dV/dt = -V \xc3\x97 2"), 8, 12,
     "unexpected character '\xc3\x97' in equation"},
    {"implicit_multiplication", model("dV/dt = 2V"), 8, 10,
     "unexpected 'V' right after the number 2; put an operator between them (e.g. '2*x', not '2x')"},
    {"chained_comparison", model("dV/dt = where(0 < V < 1, 1, 0)"), 8, 21,
     "comparisons cannot be chained ('a < b < c'); write 'a < b and b < c'"},
    {"assignment_inside_expression", model("dV/dt = (V = 1)"), 8, 12,
     "unexpected '=' inside an expression; use '==' to compare"},
    {"missing_equals", model("dV/dt -V"), 8, 7, "expected '=' after 'dV/dt', found '-'"},
    {"missing_right_hand_side", model("dV/dt ="), 8, 8,
     "expected a number, a name, a function call or '(', found end of line"},
    {"derivative_not_by_dt", model("dV/dx = 1"), 8, 4, "expected 'dt' in a derivative 'dX/dt', found 'dx'"},
    {"conditional_without_colon", model("dV/dt = V > 0 ? 1"), 8, 18,
     "expected ':' of a conditional 'c ? a : b', found end of line"},
    // where a TOML string is not the file's text one for one, errors still point into the file
    {"after_line_ending_backslash", model("dV/dt = (I - g * (V - E)) \\\n    / C + foo"), 9, 11,
     "unknown name 'foo' in the equation of 'V'"},
    {"after_escape_in_one_line_string",
     "[populations.cells]\nequations = \"dV/dt = -V\\tx = foo\"\ninitial = { V = 1 }\n", 2, 26,
     "expected an operator or the end of the line, found 'x'"},
    {"unicode_escape", "[populations.cells]\nequations = \"dV/dt = -V + \\u00e9\"\ninitial = { V = 1 }\n", 2, 27,
     "unexpected character '\xc3\xa9' in equation"},
    {"blanks_after_opening_triple_quote",
     "[populations.cells]\nequations = \"\"\"  \ndV/dt = -V + foo\n\"\"\"\ninitial = { V = 1 }\n", 3, 14,
     "unknown name 'foo' in the equation of 'V'"},
    {"nested_too_deeply", model("dV/dt = " + repeat("(", 300) + "V" + repeat(")", 300)), 8, 265,
     "expression nested too deeply (more than 256 levels of parentheses, signs, powers or conditionals)"},
    {"equation_too_long", model("dV/dt = -V" + repeat(" + 1", 6000)), 8, 1,
     "this equation is too long (12006 tokens; at most 10000); split it into definitions"},
    {"definitions_nest_too_deeply", model(definition_chain(6000)), 2509, 1,
     "the definition of 'a2500' in population 'cells' nests too deeply"},
    // ---- values: parameters, initial values, sizes
    {"boolean_parameter", model(eq, "I = true, g = 0.1, E = -65.0, C = 1.0"), 10, 20,
     "parameter 'I' of population 'cells' must be a number, a list with one number per neuron, an expression in "
     "quotes, { file = \"values.npy\" } or { distribution = \"normal\", mean = .., std = .. }; found true"},
    {"table_parameter_without_file_or_distribution", model(eq, "I = { mean = 3 }, g = 0.1, E = -65.0, C = 1.0"), 10,
     20, "parameter 'I' of population 'cells' must be a number, a list with one number per neuron"},
    {"list_parameter_wrong_length", model(eq, "I = [1, 2], g = 0.1, E = -65.0, C = 1.0"), 10, 20,
     "parameter 'I' of population 'cells' has 2 values, but the population has 3 neurons"},
    {"list_parameter_not_numbers", model(eq, "I = [1, \"x\", 2], g = 0.1, E = -65.0, C = 1.0"), 10, 24,
     "parameter 'I' of population 'cells' (each list entry) must be a number, found the string \"x\""},
    {"unknown_distribution", model(eq, "I = { distribution = \"poisson\" }, g = 0.1, E = -65.0, C = 1.0"), 10, 37,
     "unknown distribution 'poisson' for parameter 'I' of population 'cells'; valid: normal (mean, std), uniform "
     "(low, high)"},
    {"negative_standard_deviation",
     model(eq, "I = { distribution = \"normal\", mean = 1, std = -1 }, g = 0.1, E = -65.0, C = 1.0"), 10, 20,
     "parameter 'I' of population 'cells': the standard deviation must be >= 0, got -1"},
    {"parameter_expression_reads_state", model(eq, "I = \"2 * V\", g = 0.1, E = -65.0, C = 1.0"), 10, 23,
     "parameter 'I' of population 'cells' can only read parameters, i, N, dt and t (= 0); 'V' is not available"},
    {"missing_parameter_file", model(eq, "I = { file = \"no_such_values.npy\" }, g = 0.1, E = -65.0, C = 1.0"), 10,
     20, "parameter 'I' of population 'cells': cannot open 'no_such_values.npy'"},
    {"size_zero", "[populations.cells]\nsize = 0\nequations = \"dV/dt = 0\"\ninitial = { V = 0 }\n", 2, 8,
     "[populations.cells].size is 0; a population needs at least one neuron"},
    {"size_negative", "[populations.cells]\nsize = -3\nequations = \"dV/dt = 0\"\ninitial = { V = 0 }\n", 2, 8,
     "[populations.cells].size must be a non-negative integer, found -3"},
    {"size_not_integer", "[populations.cells]\nsize = 2.5\nequations = \"dV/dt = 0\"\ninitial = { V = 0 }\n", 2, 8,
     "[populations.cells].size must be a non-negative integer, found 2.5"},
    {"negative_jitter", model() + "jitter = -0.1\n", 12, 10,
     "[populations.cells].jitter is a relative standard deviation and must be >= 0, found -0.1"},
    {"unknown_model_reference", model() + "model = \"HH\"\n", 12, 9,
     "[populations.cells] uses model 'HH', but there is no [models.HH] table"},
    // ---- [simulation]
    {"dt_zero", model(eq, params, "V = -65.0", "", "duration = 10.0\ndt = 0.0"), 1, 1,
     "the time step dt must be a positive number of ms, got 0"},
    {"dt_negative", model(eq, params, "V = -65.0", "", "duration = 10.0\ndt = -0.1"), 1, 1,
     "the time step dt must be a positive number of ms, got -0.1"},
    {"duration_negative", model(eq, params, "V = -65.0", "", "duration = -10.0\ndt = 0.1"), 1, 1,
     "the duration must be a non-negative number of ms, got -10"},
    {"duration_not_whole_steps", model(eq, params, "V = -65.0", "", "duration = 10.05\ndt = 0.1"), 1, 1,
     "the duration = 10.05 ms is not a whole number of time steps dt = 0.1 ms (100.5 steps); choose a multiple of dt"},
    {"record_every_not_whole_steps", model(eq, params, "V = -65.0", "", "dt = 0.1\nrecord_every = 0.25"), 1, 1,
     "record_every = 0.25 ms is not a whole number of time steps dt = 0.1 ms"},
    {"unknown_method", model(eq, params, "V = -65.0", "", "duration = 10.0\ndt = 0.1\nmethod = \"rk45\""), 4, 10,
     "unknown integration method 'rk45'; valid methods are euler, heun, rk2 (midpoint), rk4, exponential_euler"},
    {"unknown_precision", model(eq, params, "V = -65.0", "", "duration = 10.0\ndt = 0.1\nprecision = \"half\""), 4, 13,
     "simulation.precision is \"half\"; valid values are \"double\" (float64, the default) and \"single\" (float32)"},
    {"method_not_a_string", model(eq, params, "V = -65.0", "", "duration = 10.0\nmethod = 4"), 3, 10,
     "simulation.method must be a string, found 4"},
    {"negative_seed", model(eq, params, "V = -65.0", "", "duration = 10.0\nseed = -1"), 3, 8,
     "simulation.seed must be a non-negative integer, found -1"},
    {"exponential_euler_nonlinear",
     model("dV/dt = -V * V", "I = 1.0", "V = 1.0", "", "duration = 10.0\ndt = 0.1\nmethod = \"exponential_euler\""), 9,
     1,
     "exponential Euler cannot integrate dV/dt of 'cells': it must be linear in V (dx/dt = A + B*x with A, B "
     "independent of x), but V is multiplied by an expression that also depends on it; use method = \"rk4\""},
    // ---- inputs
    {"empty_input_segment",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 5.0, end = 5.0, value = 1.0 } ]\n",
     12, 1, "input 'I_ext' of population 'cells': segment [5, 5) is empty; the end must be after the start"},
    {"backwards_input_segment",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 5.0, end = 2.0, value = 1.0 } ]\n",
     12, 1, "segment [5, 2) is empty; the end must be after the start"},
    {"input_segment_missing_value",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 5.0, end = 6.0 } ]\n",
     13, 14, "a segment of [populations.cells.inputs.I_ext] needs start, end and value; 'value' is missing"},
    {"input_segment_neuron_out_of_range",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 1.0, end = 2.0, value = 1.0, neurons = [5] } ]\n",
     12, 1, "neuron index 5 is out of range; the population has 3 neurons (0 to 2)"},
    {"input_segment_value_nan",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 1.0, end = 2.0, value = nan } ]\n",
     12, 1, "input 'I_ext' of population 'cells': segment [1, 2) has the value nan; inputs must be finite numbers"},
    {"input_default_infinite",
     model("dV/dt = (I_ext - g * (V - E)) / C") +
         "[populations.cells.inputs.I_ext]\nsegments = [ { start = 1.0, end = 2.0, value = 1.0 } ]\ndefault = -inf\n",
     12, 1, "input 'I_ext' of population 'cells': the default is -inf; inputs must be finite numbers"},
    {"missing_input_file",
     model("dV/dt = (I_ext - g * (V - E)) / C") + "[populations.cells.inputs.I_ext]\nfile = \"no_such_table.npy\"\n",
     12, 1, "input 'I_ext' of population 'cells': cannot open 'no_such_table.npy': No such file or directory"},
    {"input_named_like_parameter",
     model() + "[populations.cells.inputs.I]\nsegments = [ { start = 1.0, end = 2.0, value = 1.0 } ]\n", 12, 1,
     "input 'I' of population 'cells' has the name of another variable or parameter"},
    // ---- projections
    {"projection_unknown_population",
     model() + "[projections.p]\npre = \"cells\"\npost = \"cortex\"\nconnect = \"all_to_all\"\n", 12, 1,
     "projection 'p': postsynaptic population 'cortex' does not exist; the populations are cells"},
    {"projection_unknown_rule", model() + "[projections.p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"random\"\n",
     15, 11,
     "unknown connection rule 'random' in [projections.p].connect; valid rules: all_to_all, one_to_one, probability (p)"},
    {"projection_bad_target",
     model() + "[projections.p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"all_to_all\"\non_pre = \"W_post += 1\"\n",
     16, 11, "assigns to 'W_post', which is neither a synapse state variable nor a postsynaptic state variable"},
    // ---- silently wrong results that are errors now (issue 14, item 7)
    {"summed_target_is_parameter", model() + projection_onto_cells("summed = { I = \"0.5\" }"), 16, 0,
     "projection 'p' sums into 'I', but 'I' is a parameter of population 'cells', which would hide the summed input"},
    {"summed_target_is_state_variable", model() + projection_onto_cells("summed = { V = \"0.5\" }"), 16, 0,
     "projection 'p' sums into 'V', but 'V' is a state variable of population 'cells'"},
    {"summed_target_not_read", model() + projection_onto_cells("summed = { I_syn = \"0.5\" }"), 16, 0,
     "projection 'p' sums into 'I_syn', but no equation of population 'cells' reads 'I_syn', so the synapses would "
     "have no effect"},
    {"matrix_values_beside_parameter",
     model() + "[projections.p]\npre = \"cells\"\npost = \"cells\"\n"
               "connect = { rule = \"matrix\", file = \"w.csv\", values = \"w\" }\nparameters = { w = 1.0 }\n"
               "on_pre = \"V_post += w\"\n",
     15, 11,
     "projection 'p': connect.values = \"w\" makes the matrix entries the per-synapse parameter 'w', but 'w' is also "
     "given in [projections.p.parameters]; remove one of the two"},
    {"nan_parameter", model(eq, "I = nan, g = 0.1, E = -65.0, C = 1.0"), 10, 20,
     "parameter 'I' of population 'cells' is nan; parameters and initial values must be finite numbers"},
    {"infinite_initial_value", model(eq, params, "V = -inf"), 11, 17,
     "initial value of 'V' in population 'cells' is -inf; parameters and initial values must be finite numbers"},
    {"nan_in_parameter_list", model(eq, "I = [1.0, nan, 2.0], g = 0.1, E = -65.0, C = 1.0"), 10, 20,
     "parameter 'I' of population 'cells' is nan for neuron 1; parameters and initial values must be finite"},
    {"infinite_parameter_expression", model(eq, "I = \"1 / (i - 2)\", g = 0.1, E = -65.0, C = 1.0"), 10, 23,
     "parameter 'I' of population 'cells' is inf for neuron 2"},
    {"infinite_synapse_parameter", model() + projection_onto_cells("parameters = { w = [1.0, inf, 2.0] }"), 16, 20,
     "parameter 'w' of projection 'p' is inf for synapse 1"},
    {"population_name_with_slash", "[populations.\"a/b\"]\nequations = \"dV/dt = -V\"\ninitial = { V = 1 }\n", 1, 1,
     "the population name 'a/b' is not valid: a name is letters, digits and '_', not starting with a digit "
     "([A-Za-z_][A-Za-z0-9_]*)"},
    {"projection_name_starting_with_digit",
     model() + "[projections.2p]\npre = \"cells\"\npost = \"cells\"\nconnect = \"one_to_one\"\n", 12, 1,
     "the projection name '2p' is not valid"},
    {"lastspike_in_on_pre", model() + projection_onto_cells("on_pre = \"V_post += lastspike\""), 16, 21,
     "'lastspike' in on_pre of projection 'p': a synapse has no spike time of its own; use lastspike_pre"},
    {"lastspike_in_synapse_equation", model() + projection_onto_cells("equations = \"dq/dt = lastspike\"\n"
                                                                      "initial = { q = 0 }"),
     16, 22, "'lastspike' in the equation of 'q' of projection 'p'"},
    {"all_to_all_too_many_synapses",
     "[populations.big]\nsize = 1000000\nequations = \"dV/dt = -V\"\ninitial = { V = 0 }\n"
     "[projections.p]\npre = \"big\"\npost = \"big\"\nconnect = \"all_to_all\"\non_pre = \"V_post += 1\"\n",
     5, 1,
     "projection 'p' would have about 1e+12 synapses (1e+06 x 1e+06 neurons); at most 4294967295 are supported"},
    {"delay_queue_too_large", model() + projection_onto_cells("on_pre = \"V_post += 1\"\ndelay = 1e18"), 12, 1,
     "out of memory: the delay 1e+18 ms of projection 'p' is 1e+19 steps of dt = 0.1 ms; its queue of spikes in "
     "flight needs about"},
    {"poisson_population_with_equations",
     "[populations.input]\nsize = 4\npoisson_rate = 20.0\nequations = \"dV/dt = -V\"\n", 4, 13,
     "[populations.input] is a Poisson population (poisson_rate): it has no 'equations'; its only keys are size and "
     "poisson_rate"},
    {"reset_of_a_parameter", model() + "reset = \"g = 0\"\n", 12, 10,
     "the reset of population 'cells' assigns to 'g', which is not one of its state variables (V)"},
    {"refractory_without_threshold",
     "[populations.cells]\nequations = \"dV/dt = -V\"\ninitial = { V = 1 }\nrefractory = 2.0\n", 1, 1,
     "population 'cells' has a refractory period but no threshold"},
    {"negative_refractory_period", model() + "refractory = -1.0\n", 12, 14,
     "the refractory period of population 'cells' is -1 ms; it must be >= 0 ms"},
    // ---- [record]: checked by `psst check`, and by `psst run` before it creates the output file
    {"record_unknown_population", model() + "[record.cortex]\nvariables = [\"V\"]\n", 12, 1,
     "[record.cortex]: there is no population 'cortex'; the populations are cells", "run"},
    {"record_unknown_variable", model() + "[record.cells]\nvariables = [\"U\"]\n", 12, 1,
     "[record.cells]: population 'cells' has no variable 'U'; recordable are its state variables: V", "run"},
    {"record_variable_twice", model() + "[record.cells]\nvariables = [\"V\", \"V\"]\n", 12, 1,
     "[record.cells]: 'V' is listed twice in 'variables'", "run"},
    {"record_neuron_out_of_range", model() + "[record.cells]\nvariables = [\"V\"]\nneurons = [0, 7]\n", 12, 1,
     "[record.cells]: neuron 7 does not exist; the population has 3 neurons (0 to 2)", "run"},
    {"record_empty_neuron_list", model() + "[record.cells]\nvariables = [\"V\"]\nneurons = []\n", 12, 1,
     "[record.cells]: 'neurons' is an empty list; list neuron indices (0 to 2) or write neurons = \"all\"", "run"},
    {"record_unknown_key", model() + "[record.cells]\nvariable = [\"V\"]\n", 13, 12,
     "unknown key 'variable' in [record.cells]; valid keys are neurons, rate_bin, spikes, synapses, variables"},
};

// Every case; a [record] case also through `psst check`, which finds what `psst run` would.
std::vector<BadModel> all_cases() {
  std::vector<BadModel> all;
  for (const auto& c : cases) {
    all.push_back(c);
    if (c.command == "run") {
      all.push_back(c);
      all.back().name += "_check";
      all.back().command = "check";
    }
  }
  return all;
}

TEST(ModelErrors, EachBadModelGetsItsOwnMessageAndExitStatusOne) {
  const auto bad = all_cases();
  EXPECT_GE(bad.size(), 25u);
  psst::test::TempDir dir;
  for (const auto& c : bad) {
    SCOPED_TRACE(c.name);
    std::ofstream(dir / "file.toml") << c.toml;
    const auto out = dir / (c.name + ".h5");
    auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' {} file.toml{}", dir.path().string(), PSST_CLI,
                                                 c.command, c.command == "run" ? " -q -o '" + out.string() + "'" : ""));
    EXPECT_EQ(r.status, 1) << r.output;  // not 0, not 2 (internal error), not -1 (a signal)
    const std::string where = c.column > 0 ? fmt::format("psst: file.toml:{}:{}: error: ", c.line, c.column)
                                           : fmt::format("psst: file.toml:{}: error: ", c.line);
    EXPECT_EQ(r.output.rfind(where, 0), 0u) << "expected the message to start with '" << where << "'\n" << r.output;
    EXPECT_NE(r.output.find(c.fragment), std::string::npos) << "expected '" << c.fragment << "'\n" << r.output;
    // One message, on one line.
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << "a bad model must not leave an output file";
  }
}

// The check above must be able to fail: a good model passes, and a wrong line is noticed.
TEST(ModelErrors, TheValidBaseModelIsAccepted) {
  psst::test::TempDir dir;
  std::ofstream(dir / "file.toml") << model() << "[record.cells]\nvariables = [\"V\"]\nneurons = [0, 2]\n";
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check file.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("population cells: 3 neurons"), std::string::npos) << r.output;
  r = psst::test::run_command(
      fmt::format("cd '{}' && '{}' run file.toml -q -o ok.h5", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "ok.h5"));
}

// A population too large for memory is the user's to fix: status 1 and a message, not a crash.
TEST(ModelErrors, PopulationTooLargeForMemoryIsAUserError) {
  psst::test::TempDir dir;
  std::ofstream(dir / "file.toml") << "[populations.cells]\nsize = 100000000000000\nequations = \"dV/dt = -V\"\n"
                                      "initial = { V = 1 }\n";
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check file.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("file.toml:1:1: error: out of memory: population 'cells' of 100000000000000 neurons "
                          "needs about"),
            std::string::npos)
      << r.output;
}

// An error in a file that is not in the current directory names the path as given.
TEST(ModelErrors, MessageNamesTheModelPathAsGiven) {
  psst::test::TempDir dir;
  std::filesystem::create_directories(dir / "models");
  std::ofstream(dir / "models" / "net.toml") << model("dV/dt = -V + undefined_thing");
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check models/net.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.rfind("psst: models/net.toml:8:14: error: unknown name 'undefined_thing'", 0), 0u) << r.output;
}

// A relative input file resolves against the model file's directory, and its
// error names that path.
TEST(ModelErrors, MissingInputFileIsNamedRelativeToTheModel) {
  psst::test::TempDir dir;
  std::filesystem::create_directories(dir / "models");
  std::ofstream(dir / "models" / "net.toml")
      << model("dV/dt = (I_ext - g * (V - E)) / C")
      << "[populations.cells.inputs.I_ext]\nfile = \"tables/current.npy\"\n";
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' check models/net.toml", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("psst: models/net.toml:12:1: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cannot open 'models/tables/current.npy': No such file or directory"), std::string::npos)
      << r.output;
}

// A NaN in an input table is refused before the run (which would otherwise blow up
// and advise a smaller dt), naming the table, the neuron and the step.
TEST(ModelErrors, NonFiniteInputTableEntryIsNamedByNeuronAndStep) {
  psst::test::TempDir dir;
  std::ofstream(dir / "current.csv") << "1.0,2.0,3.0\n1.0,nan,3.0\n1.0,2.0,3.0\n";
  std::ofstream(dir / "file.toml") << model("dV/dt = (I_ext - g * (V - E)) / C", params, "V = -65.0", "",
                                            "duration = 0.3\ndt = 0.1")
                                   << "[populations.cells.inputs.I_ext]\nfile = \"current.csv\"\n";
  auto r = psst::test::run_command(fmt::format("cd '{}' && '{}' run -q file.toml -o out.h5", dir.path().string(), PSST_CLI));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(r.output.rfind("psst: file.toml:12:1: error: input 'I_ext' of population 'cells': table '", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("current.csv' holds nan at neuron 1, step 1; inputs must be finite numbers"),
            std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("smaller time step"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.h5"));
}

}  // namespace
