#pragma once
// The effective model of a run: what `psst resume` needs to rebuild exactly
// the model that ran. The output file stores the model text (attribute
// `model`), every override given outside it (attribute `overrides`: one
// command-line option a line, `--set HH.I_inj=0`, `--dt 0.005`, ...) and the
// SHA-256 of every file the model read (attribute `input_files`: lines
// `HASH  PATH`, the format of sha256sum). Layout: docs/output.md.
#include <filesystem>
#include <string>
#include <vector>

#include "io/hdf5_file.hpp"
#include "model/network.hpp"
#include "run/simulation.hpp"

namespace psst::run {

// The options of `overrides` that change the model, one a line, as `psst run`
// takes them: every --set in order, then --duration, --dt, --method, --seed,
// --precision, --record-every when given. Backend options change no result
// and are not listed. Numbers are written in the shortest form that reads back
// to the same double.
std::string format_overrides(const RunOverrides& overrides);

// Reads format_overrides' text back (stored in `file`); a UserError names the
// file and the line it cannot read.
RunOverrides parse_overrides(const std::string& text, const std::string& file);

// A file the model reads, and what reads it, e.g. "parameter 'g' of population 'PN'".
struct InputFile {
  std::string path;
  std::string what;
};

// Every file the spec reads: files of parameters and initial values, matrix
// connectivity, input tables. Each path once, sorted.
std::vector<InputFile> input_files(const model::NetworkSpec& spec);

// "HASH  PATH\n" for each input file of the spec; a UserError names a file that cannot be read.
std::string hash_input_files(const model::NetworkSpec& spec);

// Refuses to resume `out` (UserError naming the input file, the output file and
// what to do) when a file listed in `stored` (hash_input_files' text) is
// missing or its contents changed.
void check_input_files(const std::string& stored, const std::filesystem::path& out);

// Refuses to resume `out` when the model file it was read from exists and its text is no longer `model_text`.
void check_model_file(const std::string& model_file, const std::string& model_text, const std::filesystem::path& out);

// Writes the attributes `overrides` and `input_files` of `/`.
void write_effective_model(io::Hdf5File& file, const RunOverrides& overrides, const std::string& input_hashes);

}  // namespace psst::run
