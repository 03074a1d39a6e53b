#pragma once
// What a service guide map (服务指引地图) shows, as numbers: per service point its own areas
// (guide_maps.bands by each of guide_maps.modes), the villages it is the nearest point for and
// their travel times to it by each mode, and its town. docs/guide-maps.md gives the rules.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/observer.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

struct GuideVillage {
  uint32_t unit = 0;       // index into world.units()
  std::size_t by_mode = 0;  // the mode (index into GuideData::modes) it was assigned by
  // Minutes to this station per mode; none: not reached within GuideData::limit_minutes.
  std::vector<std::optional<double>> minutes;
};

struct GuideStation {
  uint32_t service = 0;  // index into world.services()
  std::string town;      // "" when neither a town field nor the villages give one
  std::string address;   // guide_maps.address_field's value ("" without one)
  std::vector<std::vector<BandPolygon>> areas;  // per mode: its bands (empty: cannot snap)
  std::vector<GuideVillage> villages;           // by the assigning mode's minutes, then unit index
};

struct GuideData {
  std::vector<Mode> modes;
  std::vector<double> bands_minutes;
  double limit_minutes = 60;
  std::vector<GuideStation> stations;  // one per service, in the services' order
  std::vector<std::string> towns;      // in order of first appearance in the demand layer
  std::size_t unassigned_units = 0;    // reached by no mode
  std::vector<std::string> warnings;   // also sent to the observer
};

// `base`: a run of the same scenario whose per-service isochrones are reused when they have the
// guide's bands (they are then the same polygons); null computes them.
GuideData guide_data(const World& world, const Scenario& scenario, unsigned threads, Observer& observer,
                     const ScenarioResult* base = nullptr);

}  // namespace legalcircle
