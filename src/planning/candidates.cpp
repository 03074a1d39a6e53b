#include "legalcircle/planning/candidates.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>

#include "legalcircle/core/error.hpp"

namespace legalcircle {

std::string CandidateSource::text() const {
  switch (kind) {
    case Kind::demand: return "demand";
    case Kind::grid: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "grid:%.0f", grid_m);
      return buf;
    }
    case Kind::layer: return path;
  }
  return "";
}

CandidateSource parse_candidate_source(std::string_view text, std::string_view what, bool allow_path,
                                       std::string_view layer_word) {
  CandidateSource c;
  const std::string s(text);
  if (s == "demand") return c;
  if (s == "grid") {  // the default spacing
    c.kind = CandidateSource::Kind::grid;
    return c;
  }
  if (s.rfind("grid:", 0) == 0) {
    const char* start = s.c_str() + 5;
    char* end = nullptr;
    const double m = std::strtod(start, &end);
    if (end == start || *end != '\0' || !std::isfinite(m) || !(m >= kMinGridSpacingM))
      throw ConfigError(std::string(what) + ": expected grid:<metres> with at least 10 m, e.g. grid:500, got '" +
                        s + "'");
    c.kind = CandidateSource::Kind::grid;
    c.grid_m = m;
    return c;
  }
  if (!layer_word.empty() && s == layer_word) {
    c.kind = CandidateSource::Kind::layer;
    return c;
  }
  if (!allow_path || s.empty())
    throw ConfigError(std::string(what) + ": expected " + (layer_word.empty() ? "" : std::string(layer_word) + ", ") +
                      "demand or grid:<metres>, got '" + s + "'");
  c.kind = CandidateSource::Kind::layer;
  c.path = s;
  return c;
}

}  // namespace legalcircle
