#pragma once
// The typed results rendered as layers and tables (what the GeoPackage, GeoJSON and CSV files
// hold): numbers formatted here and nowhere earlier. Plain Tables out; io/ writes them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle {

// Text of a number with a fixed count of decimals ("%.*f"), as every output writes numbers.
std::string fixed(double value, int decimals);

struct ScenarioLayers {
  Table demand, services, circle, isochrones, gaps, gap_areas, roads, rollup_county, rollup_town;
  Table demand_areas;  // polygon demand units as their polygons (no rows for point demand)
  Table plan_sites, plan_coverage, plan_circle, plan_rollup;  // with a planning section
  // Every layer in the GeoPackage's order (plan layers last, when planned).
  std::vector<NamedTable> all() const;
};

ScenarioLayers scenario_layers(const World& world, const Scenario& scenario, const ScenarioResult& result);

// Roads used by any of `modes`, one MultiLineString per way, a boolean column per mode.
Table roads_table(const RoadGraph& g, const std::vector<Mode>& modes);

struct PlanTables {
  Table sites;     // plan.geojson / plan.csv: chosen (or proposed) sites
  Table coverage;  // per unit before and after
  Table circle;    // union circle after the plan
  Table rollup;    // scenario plans: every measure by county and town, before and after
};
// plan.csv carries what a planner acts on: lon/lat (and x/y in project_crs when given), the
// road and town of each site, and the newly covered units by name.
PlanTables plan_tables(const World& world, const PlanResult& plan, const std::string& project_crs = "");
// plan.json (and summary.json's "planning").
nlohmann::ordered_json plan_json(const PlanResult& plan);

// `legalcircle isochrones`: circle.geojson (minutes, mode, area_km2 per band and mode) and
// isochrones.geojson (service_id, name, minutes, mode, area_km2; services with no polygon left out).
Table isochrone_circle_table(const std::vector<ModeIsochrones>& runs);
Table isochrone_service_table(const World& world, const std::vector<ModeIsochrones>& runs);

}  // namespace legalcircle
