#include "inputs.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

void add_input_options(CLI::App& c, InputOptions& o, bool with_demand) {
  c.add_option("--roads", o.roads,
               "Road network: .osm.pbf, .osm, .osm.gz, .osm.bz2, or a line layer "
               "(.geojson, .gpkg, .shp) with OSM-style highway/oneway/maxspeed/name fields");
  c.add_option("--services", o.services,
               "Service points: .csv (lon/lat columns), .geojson, .gpkg, .shp, or an OSM file "
               "(filtered by --services-filter)");
  if (with_demand)
    c.add_option("--demand", o.demand,
                 "Demand units (villages, communities): points or polygons, same formats as "
                 "--services (OSM filtered by --demand-filter)");
  c.add_option("--direction", o.direction,
               "to_service: residents travel to the service; from_service: the reverse")
      ->check(CLI::IsMember({"to_service", "from_service"}))
      ->capture_default_str();
  c.add_option("--profiles", o.profiles,
               "Mode profiles YAML (default: built in, identical to configs/profiles.yaml)");
  c.add_option("--max-snap-m", o.max_snap_m,
               "Points strictly farther than this from a usable road are unreachable "
               "(default: the profiles' max_snap_m, 1000)");
  c.add_option("--services-filter", o.services_filter,
               std::string("Tag filter for services read from an OSM file (default \"") +
                   kDefaultServiceOsmFilter + "\")");
  if (with_demand)
    c.add_option("--demand-filter", o.demand_filter,
                 std::string("Tag filter for demand read from an OSM file (default \"") +
                     kDefaultDemandOsmFilter + "\")");
  c.add_option("--id-field", o.id_field, "Id field of the point layers (missing: row/FID)")
      ->capture_default_str();
  c.add_option("--services-id-field", o.services_id_field, "Id field of the services layer");
  if (with_demand) c.add_option("--demand-id-field", o.demand_id_field, "Id field of the demand layer");
  c.add_option("--name-field", o.name_field, "Name field")->capture_default_str();
  c.add_option("--population-field", o.population_field, "Population field")->capture_default_str();
  c.add_option("--services-layer", o.services_layer, "Layer of the services file (default: first)");
  if (with_demand) c.add_option("--demand-layer", o.demand_layer, "Layer of the demand file (default: first)");
  c.add_option("--crs", o.crs,
               "CRS of CSV coordinates, or of GIS files that carry none (e.g. EPSG:4490, EPSG:4549)")
      ->capture_default_str();
  if (with_demand)
    c.add_option("--keep-fields", o.keep_fields,
                 "Demand attributes copied to the output: auto (all others), none, or a "
                 "comma-separated list")
        ->capture_default_str();
  c.add_option("--services-offset", o.services_offset,
               "Coordinates geocoded from Chinese web maps: gcj02 (AMap, Tencent) or bd09 (Baidu) "
               "are converted to WGS-84")
      ->capture_default_str();
  if (with_demand)
    c.add_option("--demand-offset", o.demand_offset, "The same for the demand layer")->capture_default_str();
  add_road_field_options(c, o.road_fields);
}

namespace {

PointReadOptions point_options(const InputOptions& o, const std::string& path, bool services) {
  PointReadOptions p;
  p.layer = services ? o.services_layer : o.demand_layer;
  const std::string& own_id = services ? o.services_id_field : o.demand_id_field;
  p.id_field = own_id.empty() ? o.id_field : own_id;
  p.name_field = o.name_field;
  p.population_field = o.population_field;
  p.crs = o.crs;
  p.crs_given = o.crs != "EPSG:4326";
  if (is_osm_file(path)) {
    const std::string& f = services ? o.services_filter : o.demand_filter;
    p.osm_filter = f.empty() ? (services ? kDefaultServiceOsmFilter : kDefaultDemandOsmFilter) : f;
  }
  if (!services) {
    if (o.keep_fields == "auto") p.keep_fields = {"*"};
    else if (o.keep_fields != "none") p.keep_fields = split_commas(o.keep_fields);
  }
  return p;
}

}  // namespace

Inputs load_inputs(const InputOptions& o, const std::vector<Mode>& modes, bool with_demand,
                   Progress& progress, nlohmann::ordered_json& timings) {
  std::string roads = o.roads, services = o.services, demand = o.demand;
  const bool embedded = o.roads.empty() && o.services.empty() && (!with_demand || o.demand.empty());
  if (embedded) {
    const fs::path dir = default_geodata_dir();
    roads = (dir / "roads.osm.pbf").string();
    services = (dir / "services.csv").string();
    if (with_demand) demand = (dir / "villages.geojson").string();
    progress.note("no inputs given: using the embedded SYNTHETIC county in " + dir.string());
  } else if (roads.empty() || services.empty() || (with_demand && demand.empty())) {
    throw ConfigError(with_demand ? "give all of --roads, --services and --demand (or none, for "
                                    "the embedded synthetic county)"
                                  : "give both --roads and --services (or neither, for the "
                                    "embedded synthetic county)");
  }
  const OffsetSystem services_offset = parse_offset_system(o.services_offset);
  const OffsetSystem demand_offset = parse_offset_system(o.demand_offset);
  Profiles profiles = profiles_from(o.profiles);
  if (o.max_snap_m >= 0) profiles.max_snap_m = o.max_snap_m;
  const Direction direction = o.direction == "from_service" ? Direction::from_service : Direction::to_service;

  progress.begin("reading roads " + roads);
  RawRoads raw = read_roads(roads, o.road_fields);
  timings["read_roads_s"] = progress.end(std::to_string(raw.ways.size()) + " highway ways");
  for (const std::string& w : raw.warnings) progress.warn(w);
  progress.begin("reading services " + services);
  PointLayer service_points = read_points(services, point_options(o, services, true));
  for (PointRecord& p : service_points.points) p.where = to_wgs84(p.where, services_offset);
  double t_points = progress.end(std::to_string(service_points.points.size()) + " points");
  PointLayer demand_points;
  if (with_demand) {
    progress.begin("reading demand " + demand);
    demand_points = read_points(demand, point_options(o, demand, false));
    for (PointRecord& p : demand_points.points) p.where = to_wgs84(p.where, demand_offset);
    t_points += progress.end(std::to_string(demand_points.points.size()) + " units");
  }
  timings["read_points_s"] = t_points;
  for (const auto* layer : {&service_points, &demand_points})
    for (const std::string& w : layer->warnings) progress.warn(w);

  progress.begin("building graph");
  BuildOptions build;
  build.modes = modes;
  RoadGraph graph = build_graph(raw, profiles, build);
  raw = RawRoads{};  // free the raw ways before the searches
  timings["build_graph_s"] = progress.end(std::to_string(graph.node_count()) + " nodes");
  return Inputs{roads, services, demand, embedded,
                World(std::move(graph), profiles, direction, std::move(service_points), std::move(demand_points))};
}

std::string attribution(const Inputs& in) { return attribution(in.roads, in.embedded); }

std::string attribution(const std::string& roads, bool embedded) {
  if (embedded) return "SYNTHETIC data generated by legalcircle (geodata/synthetic-county), not a real place";
  return is_osm_file(roads) ? "Road data (c) OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)" : "";
}


std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<double> parse_minutes_list(const std::string& list, const std::string& option) {
  std::vector<double> out;
  for (const std::string& item : split_commas(list)) {
    char* end = nullptr;
    const double v = std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0' || !(v > 0) || !std::isfinite(v))
      throw ConfigError(option + ": '" + item + "' is not a positive number of minutes");
    if (!out.empty() && v <= out.back())
      throw ConfigError(option + ": give the minutes in increasing order (" + list + ")");
    out.push_back(v);
  }
  if (out.empty()) throw ConfigError(option + ": give at least one number of minutes");
  return out;
}

}  // namespace legalcircle::cli
