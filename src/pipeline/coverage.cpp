#include "legalcircle/pipeline/coverage.hpp"

#include <cstdio>

namespace legalcircle {

std::vector<ModeCoverage> coverage_by_mode(const World& world, const std::vector<Mode>& modes, double limit_s,
                                           Observer& observer) {
  std::vector<ModeCoverage> out;
  for (Mode mode : modes) {
    const std::string name(mode_name(mode));
    Stage stage(observer, name + ": snapping and searching");
    CoverageRequest request = world.request(mode);
    request.limit_s = limit_s;
    ModeCoverage m;
    m.mode = mode;
    m.result = compute_coverage(world.graph(), world.index(mode), world.service_xy(), world.unit_xy(), request);
    m.seconds = stage.end(std::to_string(m.result.settled_nodes) + " nodes settled");
    for (uint32_t i : m.result.unsnapped_services) {
      const PointRecord& s = world.services()[i];
      char buf[160];
      std::snprintf(buf, sizeof buf, " is %.0f m from the nearest usable road (limit %.0f m): not used",
                    m.result.services[i].snap.offset_m, request.max_snap_m);
      observer.warning(name + ": service " + s.id + " (" + s.name + ")" + buf);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace legalcircle
