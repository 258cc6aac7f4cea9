#pragma once
// Reads psst model files (TOML with equations as text; docs/model-files.md).
// Every error names the file, line and column, what was found and what is valid.
#include <filesystem>
#include <string>

#include "model/network.hpp"

namespace psst::lang {

model::NetworkSpec read_model_file(const std::filesystem::path& path);

// `text` as if read from `file_name`; relative paths inside resolve against `base_dir`.
model::NetworkSpec parse_model_text(const std::string& text, const std::string& file_name,
                                    const std::filesystem::path& base_dir);

}  // namespace psst::lang
