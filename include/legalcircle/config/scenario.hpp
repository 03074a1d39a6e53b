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

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/graph/profiles.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/routing/dijkstra.hpp"  // Direction (header only)

namespace legalcircle {

// The provincial standard's classes of demand units.
enum class AreaClass { urban, rural, remote };
inline constexpr std::size_t kAreaClassCount = 3;
// What the provincial standard compares: network kilometres or minutes.
enum class StandardBasis { distance, time };

std::string_view to_string(Direction v);
std::string_view to_string(AreaClass v);
std::string_view to_string(StandardBasis v);
// Throw ConfigError naming the value and the accepted ones.
AreaClass parse_area_class(std::string_view name);

// ---------------------------------------------------------------------------------------------
// inputs

struct RoadsInput {
  std::string path;          // resolved
  RoadFieldMapping mapping;  // layer, class/oneway/speed/name fields, encoding (GIS layers)
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
  // layer, id/name/population fields, lon/lat fields, crs, encoding, osm_filter, keep_fields.
  PointReadOptions read;
  // Points geocoded from Chinese web maps (GCJ-02, BD-09) are converted to WGS-84 on reading.
  OffsetSystem offset = OffsetSystem::wgs84;
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

// A level of the service network. A higher level serves lower-tier rules when a rule allows it.
struct Tier {
  std::string name;   // e.g. center, town_station, village_point (the services' tier values)
  std::string label;  // for reports, e.g. 县级公共法律服务中心; default: name
  int level = 0;
};

struct CoverageRule {
  std::string name;
  std::string tier;  // services of this tier count; empty = every service
  std::optional<double> threshold_minutes;  // at least one of the two thresholds is set;
  std::optional<double> threshold_km;       // with both, a unit must meet both
  std::vector<Mode> modes;                  // non-empty
  bool higher_tiers_serve = false;  // services of a higher-level tier count too
  std::optional<AreaClass> applies_to;  // only demand units of this class
};

struct StandardClass {
  Mode mode = Mode::walk;
  double km = 0;
  double minutes = 15;
};

// Zhejiang's 15-minute public legal service circle standard (浙司〔2024〕63号): urban walk
// 15 min (1.2 km), rural ride 15 min (2.0 km), remote drive 15 min (3.0 km).
struct ProvincialStandard {
  std::string name = "zhejiang";
  StandardBasis basis = StandardBasis::distance;
  // Indexed by AreaClass.
  std::array<StandardClass, kAreaClassCount> classes = {{{Mode::walk, 1.2, 15.0},
                                                         {Mode::ebike, 2.0, 15.0},
                                                         {Mode::car, 3.0, 15.0}}};
  // Admin type value -> class, used where the unit has no area_class value.
  std::map<std::string, AreaClass> type_classes = {{"社区", AreaClass::urban},
                                                   {"村", AreaClass::rural}};
  std::vector<std::string> tiers;  // tiers whose points count; empty = every service
  const StandardClass& operator[](AreaClass c) const {
    return classes[static_cast<std::size_t>(c)];
  }
};

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
  enum class Source { layer, demand, grid };
  Source candidates = Source::demand;  // layer = inputs.candidates
  double grid_m = 500;                 // Source::grid spacing
  std::optional<int> add;              // MCLP: choose this many new sites
  std::optional<double> target;        // LSCP: fewest sites reaching this population share
  Mode mode = Mode::walk;
  double minutes = 15;
  std::string tier;  // tier of the new points (reports); empty = none
};

struct OutputConfig {
  bool geopackage = true;
  bool geojson = true;
  bool csv = true;
  bool csv_bom = false;  // UTF-8 BOM so Excel opens Chinese text correctly
  bool qgis = true;      // QGIS project + .qml styles beside the GeoPackage
  std::string project_crs;  // e.g. EPSG:4549, extra copies of the layers; empty = none
  bool report = true;
  std::string lang = "zh";  // zh | en
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

  const Tier* find_tier(std::string_view name) const;
};

struct ScenarioLoadOptions {
  bool check_files = true;  // missing input files are ConfigErrors
};

// Reads and validates a scenario file. Throws ConfigError (file:line: key 'path': what).
Scenario load_scenario(const std::string& path, const ScenarioLoadOptions& options = {});

}  // namespace legalcircle
