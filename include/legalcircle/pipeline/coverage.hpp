#pragma once
// `legalcircle coverage` on a World: per mode, every demand unit's travel time to its nearest
// service (one multi-source search per mode).
#include <vector>

#include "legalcircle/core/observer.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

struct ModeCoverage {
  Mode mode = Mode::walk;
  CoverageResult result;  // units as world.units(), services as world.services()
  double seconds = 0;     // snapping and searching
};

// limit_s: optional search bound (units beyond it are no_service_reached). A service that cannot
// snap is a warning naming it, its distance and the limit.
std::vector<ModeCoverage> coverage_by_mode(const World& world, const std::vector<Mode>& modes, double limit_s,
                                           Observer& observer);

}  // namespace legalcircle
