#pragma once
// Error types. main() maps each class to an exit code (see src/cli/main.cpp).
#include <stdexcept>
#include <string>

namespace legalcircle {

// Bad user input: missing or unreadable file, missing field, bad coordinates...
// The message names file, layer, feature and field where they are known.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad configuration (profiles.yaml, scenario files, command-line values).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The run cannot go on for a reason that is not the input's fault (disk full, ...).
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace legalcircle
