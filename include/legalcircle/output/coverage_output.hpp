#pragma once
// `legalcircle coverage` rendered: coverage.geojson / .csv (one row per unit and mode) and
// summary.json's per-mode figures.
#include <nlohmann/json.hpp>

#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/pipeline/coverage.hpp"

namespace legalcircle {

// id, name, population, mode, nearest_service_id, minutes, covered, snap_m, reason + the demand
// layer's own fields; population as integers when every population is whole.
Table coverage_table(const World& world, const std::vector<ModeCoverage>& runs, double threshold_minutes);

// Per mode: covered units and population, unreachable units by reason, services used, the
// network kept; what summary.json's "modes" holds.
nlohmann::ordered_json coverage_modes_json(const World& world, const std::vector<ModeCoverage>& runs,
                                           double threshold_minutes);

}  // namespace legalcircle
