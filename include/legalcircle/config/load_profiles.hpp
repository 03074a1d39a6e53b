#pragma once
// Mode profiles from YAML (configs/profiles.yaml style): start from the built-in defaults, every
// key present replaces the default value whole.
#include <string>

#include "legalcircle/graph/profiles.hpp"

namespace legalcircle {

// Unknown keys and wrong types throw ConfigError naming the file, key and line.
Profiles load_profiles(const std::string& path);

}  // namespace legalcircle
