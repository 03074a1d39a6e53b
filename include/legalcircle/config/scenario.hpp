#pragma once
// Scenario files (configs/*.yaml): everything `legalcircle run` needs, as typed structs with
// defaults, validated once by load_scenario(). Unknown keys, wrong types, unknown tiers, rules
// without a mode and missing files are ConfigErrors naming the file, the key path
// (e.g. `rules[1].modes[0]`) and its line. Paths are resolved against the scenario's folder.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "legalcircle/analysis/rules.hpp"
#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/graph/profiles.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/planning/candidates.hpp"
#include "legalcircle/routing/dijkstra.hpp"  // Direction (header only)

namespace legalcircle {

std::string_view to_string(Direction v);

// ---------------------------------------------------------------------------------------------
// inputs

struct RoadsInput {
  std::string path;          // resolved
  RoadFieldMapping mapping;  // layer, class/oneway/speed/name fields, encoding (GIS layers)
  std::string cache;         // binary graph cache (io/graph_cache.hpp); empty: none
};

// Admin fields of the demand layer; empty = not mapped. They are also kept for the outputs.
struct AdminFields {
  std::string county, county_code;
  std::string town, town_code;
  std::string village, village_code;  // village name falls back to the point's name
  std::string area_class;  // values urban / rural / remote (provincial standard, rule filters)
  std::string type;        // admin type (社区 / 村), mapped to an area class by the standard
};

// A point layer: services, demand units or candidates.
struct PointInput {
  std::string path;  // resolved; empty = not given (candidates only)
  // layer, id/name/population fields, lon/lat fields, crs, web-map offset (read.offset: GCJ-02
  // and BD-09 converted to WGS-84 on reading, polygons included), encoding, osm_filter, keep_fields.
  PointReadOptions read;
  // Services only: tier of each point from this field; points with no value (or no such
  // field) get default_tier.
  std::string tier_field;
  std::string default_tier;
  AdminFields admin;  // demand only
};

struct Inputs {
  RoadsInput roads;
  PointInput services;
  PointInput demand;
  std::optional<PointInput> candidates;
};

// ---------------------------------------------------------------------------------------------
// profiles, tiers, rules, standard

struct ProfilesConfig {
  std::string file;  // resolved profiles YAML; empty = built-in defaults
  Profiles profiles;  // loaded from file (or defaults), then max_snap_m applied
  Direction direction = Direction::to_service;
};

// Tier, CoverageRule, StandardClass, ProvincialStandard: analysis/rules.hpp (their meaning).

// ---------------------------------------------------------------------------------------------
// isochrones, planning, outputs

struct IsochroneConfig {
  bool enabled = true;
  std::vector<double> bands_minutes = {5, 10, 15};  // ascending, positive
  std::array<double, kModeCount> cell_m = {50, 100, 100};  // indexed by Mode; see default_cell_m()
  std::optional<double> simplify_m;  // absent: half a cell
  std::vector<Mode> modes;           // empty: every mode a rule or the standard uses
  bool per_service = true;           // also one polygon set per service, besides the union
  bool geotiff = false;              // also write the travel-time rasters
};

struct PlanningConfig {
  CandidateSource candidates;  // layer: inputs.candidates (its path copied here)
  // What the plan maximises (MCLP) or reaches (LSCP): the scenario's own measure. overall: every
  // applicable rule and the standard (the report's headline); standard; one rule by name.
  enum class Objective { overall, standard, rule };
  Objective objective = Objective::overall;
  std::string objective_rule;  // Objective::rule
  std::optional<int> add;              // MCLP: choose this many new sites
  std::optional<double> target;        // LSCP: fewest sites reaching this population share
  // Constraints planners use (MCLP): candidate ids that must be in the plan and ids never used;
  // per town (or county): at least `min_per_area` new sites in each area whose share on the
  // objective is below `below_rate` before the plan, and at most `max_per_area` (0: no cap).
  std::vector<std::string> required, excluded;
  enum class Area { town, county };
  Area area = Area::town;
  int min_per_area = 0;
  double below_rate = 1.0;
  int max_per_area = 0;
  // What-if: these proposed sites (a point layer with the options of every other), evaluated.
  std::optional<PointInput> evaluate;
  // The mode and minutes of the circle after the plan (the map layer plan_circle).
  Mode mode = Mode::walk;
  double minutes = 15;
  // Tier of the new points: they serve this tier's rules (and lower tiers' where
  // higher_tiers_serve) and count for the standard when it counts the tier; empty = no tier.
  std::string tier;
};

struct OutputConfig {
  bool geopackage = true;
  bool geojson = true;
  bool csv = true;
  bool csv_bom = true;   // UTF-8 BOM so Excel opens Chinese text correctly; default: lang is zh
  bool csv_header_labels = false;  // csv_headers: labels — words in the report language, not field names
  bool qgis = true;      // QGIS project + .qml styles beside the GeoPackage
  std::string project_crs;  // e.g. EPSG:4549, extra copies of the layers; empty = none
  bool report = true;
  std::string lang = "zh";  // zh | en
  // postgis: {connection: "PG:...", schema: ...}: every layer also into PostgreSQL/PostGIS.
  std::string postgis_connection;
  std::string postgis_schema = "legalcircle";
};

// guide_maps: the service guide maps (服务指引地图), one A4 page per service point
// (docs/guide-maps.md). `legalcircle guide` always writes them; `legalcircle run` when enabled.
struct GuideConfig {
  bool enabled = false;
  // Areas drawn and times listed, in this order; a village is listed on the page of its nearest
  // point by the first mode that reaches it.
  std::vector<Mode> modes = {Mode::walk, Mode::ebike};
  std::vector<double> bands_minutes = {5, 10, 15};  // ascending, positive
  std::string address_field;  // services field printed under the name; empty: none
  std::string town_field;     // services field naming the point's town; empty: from its villages
};

// What-if edits of the services layer (what `legalcircle serve` exports): the services run
// are the layer's without `remove`, then `add` in order. Coordinates are WGS 84 lon/lat (no
// web-map offset). Ties between services go to the one listed first, in that order.
struct ProposedService {
  std::string id, name;
  std::string tier;  // a scenario tier; "" when the scenario has none
  LonLat where;
};
struct ServiceEdits {
  std::vector<std::string> remove;  // ids of the services layer
  std::vector<ProposedService> add;
  bool empty() const { return remove.empty() && add.empty(); }
};

struct Scenario {
  std::string file;   // as given
  std::string dir;    // its folder; relative paths were resolved against it
  std::string name;   // default: the file's stem
  std::string title;  // report title (UTF-8); default: name
  Inputs inputs;
  ProfilesConfig profiles;
  std::vector<Tier> tiers;
  // Default when neither rules nor standard are given: one rule, every service, 15 minutes,
  // walk, ebike and car.
  std::vector<CoverageRule> rules;
  std::optional<ProvincialStandard> standard;
  IsochroneConfig isochrones;
  std::optional<PlanningConfig> planning;
  OutputConfig outputs;
  GuideConfig guide_maps;
  ServiceEdits proposals;
  // An earlier run's output folder (absolute): the report compares this run with it.
  std::string baseline;  // what-if edits of the services (proposals:)

  const Tier* find_tier(std::string_view name) const;
};

struct ScenarioLoadOptions {
  bool check_files = true;  // missing input files are ConfigErrors
};

// The scenario file again, every input path made absolute (so it runs from anywhere) and its
// `proposals:` replaced by `edits`: what `legalcircle serve` exports as a scenario that
// `legalcircle run` reproduces. Comments are not kept.
std::string scenario_yaml_with_proposals(const Scenario& scenario, const ServiceEdits& edits);

// Reads and validates a scenario file. Throws ConfigError (file:line: key 'path': what).
Scenario load_scenario(const std::string& path, const ScenarioLoadOptions& options = {});

}  // namespace legalcircle
