#pragma once
// Where planning may put new sites: the demand units themselves, a grid on the network, or a
// point layer. One parser for the scenario's `planning.candidates` and `plan --candidates`, so
// a bad value is caught when the scenario is loaded, before any computing.
#include <string>
#include <string_view>

namespace legalcircle {

struct CandidateSource {
  enum class Kind { demand, grid, layer };
  Kind kind = Kind::demand;
  double grid_m = 500;  // grid spacing, metres (>= kMinGridSpacingM)
  std::string path;     // layer: the point layer (the CLI's file; the scenario's inputs.candidates)
  std::string text() const;  // "demand", "grid:500" or the path
};

inline constexpr double kMinGridSpacingM = 10.0;

// "demand", "grid:<metres>" (at least 10 m) or, when allow_path, anything else as a layer's path;
// `layer_word` (the scenario's "layer") also means a layer. Throws ConfigError naming `what`.
CandidateSource parse_candidate_source(std::string_view text, std::string_view what, bool allow_path,
                                       std::string_view layer_word = "");

}  // namespace legalcircle
