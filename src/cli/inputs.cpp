#include "inputs.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

void add_layer_options(CLI::App& c, LayerOptions& l, const std::string& what, bool with_population,
                       bool with_filter) {
  const std::string p = "--" + l.prefix + "-";
  c.add_option(p + "layer", l.layer, "Layer or sheet of the " + what + " file (default: the first)");
  c.add_option(p + "id-field", l.id_field, "Id field of the " + what + " (default: --id-field)");
  c.add_option(p + "name-field", l.name_field, "Name field of the " + what + " (default: --name-field)");
  if (with_population)
    c.add_option(p + "population-field", l.population_field,
                 "Population field of the " + what + " (default: --population-field)");
  c.add_option(p + "lon-field", l.lon_field, "Longitude/x column of the " + what + " table (default: --lon-field)");
  c.add_option(p + "lat-field", l.lat_field, "Latitude/y column of the " + what + " table (default: --lat-field)");
  c.add_option(p + "crs", l.crs, "CRS of the " + what + " coordinates (default: --crs)");
  c.add_option(p + "offset", l.offset,
               "Web-map coordinates of the " + what + ": gcj02 (AMap, Tencent) or bd09 (Baidu), converted to "
               "WGS-84 (polygons too); wgs84: none")
      ->check(CLI::IsMember({"wgs84", "none", "gcj02", "bd09"}))
      ->capture_default_str();
  c.add_option(p + "encoding", l.encoding,
               "Text encoding of the " + what + " CSV or Shapefile, e.g. GBK (default: --encoding)");
  if (with_filter)
    c.add_option(p + "filter", l.filter, "Tag filter when the " + what + " file is OpenStreetMap");
}

void add_input_options(CLI::App& c, InputOptions& o, bool with_demand) {
  c.add_option("--roads", o.roads,
               "Road network: .osm.pbf, .osm, .osm.gz, .osm.bz2, or a line layer "
               "(.geojson, .gpkg, .shp) with OSM-style highway/oneway/maxspeed/name fields "
               "(Chinese grades 国道 ... 村道, 快速路 ... 支路 are mapped, see docs/scenario.md)");
  c.add_option("--services", o.services,
               "Service points: .csv, .xlsx, .ods (lon/lat or 经度/纬度 columns), .geojson, .gpkg, .shp, "
               "or an OSM file (filtered by --services-filter)");
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
               "(default: the profiles' max_snap_m, 1000)")
      ->check(finite_range(0, 100000));
  o.id_option = c.add_option("--id-field", o.id_field,
                             "Id field of every point layer (absent: row/feature number, with a warning)")
                    ->capture_default_str();
  o.name_option = c.add_option("--name-field", o.name_field, "Name field of every point layer")->capture_default_str();
  o.population_option =
      c.add_option("--population-field", o.population_field, "Population field of the demand layer")->capture_default_str();
  std::string lon_names, lat_names;
  for (const char* n : kLonFieldNames) lon_names += (lon_names.empty() ? "" : ", ") + std::string(n);
  for (const char* n : kLatFieldNames) lat_names += (lat_names.empty() ? "" : ", ") + std::string(n);
  c.add_option("--lon-field", o.lon_field, "Longitude/x column of tables (default: the first of " + lon_names + ")");
  c.add_option("--lat-field", o.lat_field, "Latitude/y column of tables (default: the first of " + lat_names + ")");
  o.crs_option = c.add_option("--crs", o.crs,
                              "CRS of table coordinates, or of GIS files that carry none (e.g. EPSG:4490, EPSG:4549)")
                     ->capture_default_str();
  c.add_option("--encoding", o.encoding,
               "Text encoding of CSV and Shapefile inputs, e.g. GBK (default: UTF-8, or GB18030 when the "
               "text is not UTF-8 and decodes cleanly, with a warning)");
  add_layer_options(c, o.services_layer, "services", false, true);
  if (with_demand) {
    add_layer_options(c, o.demand_layer, "demand", true, true);
    c.add_option("--keep-fields", o.keep_fields,
                 "Demand attributes copied to the output: auto (all others), none, or a "
                 "comma-separated list")
        ->capture_default_str();
  }
  add_road_field_options(c, o.road_fields);
  c.add_option("--graph-cache", o.graph_cache,
               "Binary graph cache of --roads: loaded when it was made from this file with these profiles and "
               "modes, else built and written (legalcircle graph --cache makes one)");
}

PointReadOptions layer_read_options(const InputOptions& o, const LayerOptions& l, const std::string& path,
                                    bool with_population) {
  auto given = [](const CLI::Option* opt) { return opt && opt->count() > 0; };
  PointReadOptions p;
  p.layer = l.layer;
  p.id_field = l.id_field.empty() ? o.id_field : l.id_field;
  p.id_field_given = !l.id_field.empty() || given(o.id_option);
  p.name_field = l.name_field.empty() ? o.name_field : l.name_field;
  p.name_field_given = !l.name_field.empty() || given(o.name_option);
  if (with_population) {
    p.population_field = l.population_field.empty() ? o.population_field : l.population_field;
    p.population_field_given = !l.population_field.empty() || given(o.population_option);
  } else {
    p.population_field.clear();
  }
  p.lon_field = l.lon_field.empty() ? o.lon_field : l.lon_field;
  p.lat_field = l.lat_field.empty() ? o.lat_field : l.lat_field;
  p.crs = l.crs.empty() ? o.crs : l.crs;
  p.crs_given = !l.crs.empty() || given(o.crs_option);
  p.encoding = l.encoding.empty() ? o.encoding : l.encoding;
  p.offset = parse_offset_system(l.offset);
  if (is_osm_file(path)) {
    const bool services = l.prefix == "services";
    p.osm_filter = !l.filter.empty() ? l.filter : services ? kDefaultServiceOsmFilter
                                               : l.prefix == "demand" ? kDefaultDemandOsmFilter : "";
  }
  return p;
}

std::vector<std::string> input_paths(const InputOptions& o, bool with_demand) {
  std::vector<std::string> paths = {o.roads, o.services, o.profiles};
  if (with_demand) paths.push_back(o.demand);
  if (o.roads.empty() && o.services.empty()) paths.push_back(default_geodata_dir());
  return paths;
}

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
  Profiles profiles = profiles_from(o.profiles);
  if (o.max_snap_m >= 0) profiles.max_snap_m = o.max_snap_m;
  const Direction direction = o.direction == "from_service" ? Direction::from_service : Direction::to_service;

  RoadsInput road_input;
  road_input.path = roads;
  road_input.mapping = o.road_fields;
  road_input.cache = o.graph_cache;
  LoadedGraph loaded = load_graph(road_input, profiles, modes, progress);
  for (const auto& [k, v] : loaded.timings) timings[k] = v;
  std::vector<std::string> warnings = loaded.info.warnings;
  if (!loaded.cache_warning.empty()) warnings.push_back(loaded.cache_warning);
  progress.begin("reading services " + services);
  PointLayer service_points = read_points(services, layer_read_options(o, o.services_layer, services, false));
  double t_points = progress.end(std::to_string(service_points.points.size()) + " points");
  PointLayer demand_points;
  if (with_demand) {
    progress.begin("reading demand " + demand);
    PointReadOptions read = layer_read_options(o, o.demand_layer, demand, true);
    if (o.keep_fields == "auto") read.keep_fields = {"*"};
    else if (o.keep_fields != "none") read.keep_fields = split_commas(o.keep_fields);
    demand_points = read_points(demand, read);
    t_points += progress.end(std::to_string(demand_points.points.size()) + " units");
  }
  timings["read_points_s"] = t_points;
  for (const auto* layer : {&service_points, &demand_points})
    for (const std::string& w : layer->warnings) progress.warn(w), warnings.push_back(w);

  RawRoads credit_of;  // the credit needs only where the roads came from
  credit_of.source = loaded.info.source;
  credit_of.generator = loaded.info.generator;
  const std::string credit = attribution(credit_of, embedded);
  Inputs in{roads, services, demand, embedded,
            World(std::move(loaded.graph), profiles, direction, std::move(service_points), std::move(demand_points)),
            std::move(warnings), credit};
  in.world.check_usable(modes);  // a wrong CRS stops here, not after the searches
  return in;
}

std::string attribution(const Inputs& in) { return in.attribution; }

std::string attribution(const RawRoads& roads, bool embedded) {
  // The file says where its roads come from: legalcircle_generate writes its name into the OSM
  // header, and such roads are no one's survey.
  if (embedded || roads.generator == "legalcircle_generate")
    return "SYNTHETIC data generated by legalcircle_generate (not a real place; no OpenStreetMap data)";
  return is_osm_file(roads.source) ? "Road data (c) OpenStreetMap contributors, ODbL 1.0 (openstreetmap.org/copyright)" : "";
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

PointLayer read_point_input(const PointInput& in, const std::string& role, Progress& progress,
                            std::vector<std::string>& warnings) {
  progress.begin("reading " + role + " " + in.path);
  PointLayer layer = read_points(in.path, in.read);
  progress.end(std::to_string(layer.points.size()) + " points");
  for (const std::string& w : layer.warnings) progress.warn(w), warnings.push_back(w);
  return layer;
}

LoadedGraph load_graph(const RoadsInput& roads, const Profiles& profiles, const std::vector<Mode>& modes,
                       Progress& progress) {
  LoadedGraph out;
  std::optional<GraphCacheKey> key;
  if (!roads.cache.empty()) {
    // The key is the file's size and time: a database table has neither.
    if (is_postgis_source(roads.path))
      throw ConfigError("graph cache " + roads.cache + ": a cache is kept only for a roads file, and the roads are a "
                        "database table: " + redact_connection(roads.path));
    key = graph_cache_key(roads.path, roads.mapping, profiles, modes);
    progress.begin("reading graph cache " + roads.cache);
    std::string why;
    if (auto cached = read_graph_cache(roads.cache, *key, why)) {
      out.timings.emplace_back("read_graph_cache_s", progress.end(std::to_string(cached->graph.node_count()) + " nodes"));
      out.graph = std::move(cached->graph);
      out.info = std::move(cached->info);
      for (const std::string& w : out.info.warnings) progress.warn(w);
      for (const std::string& n : out.info.notes) progress.note(n);
      return out;
    }
    progress.end("not used: " + why);
    // A cache that exists but cannot be used says why; one not made yet is simply made.
    if (why.rfind("no cache file", 0) != 0) progress.note(roads.cache + " not used (" + why + "): rebuilt from " + roads.path);
  }
  progress.begin("reading roads " + roads.path);
  RawRoads raw = read_roads(roads.path, roads.mapping);
  out.timings.emplace_back("read_roads_s", progress.end(std::to_string(raw.ways.size()) + " highway ways"));
  for (const std::string& w : raw.warnings) progress.warn(w);
  for (const std::string& n : raw.notes) progress.note(n);
  out.info = {raw.source, raw.generator, raw.warnings, raw.notes};
  progress.begin("building graph");
  out.graph = build_graph(std::move(raw), profiles, BuildOptions{modes, true});
  out.timings.emplace_back("build_graph_s", progress.end(std::to_string(out.graph.node_count()) + " nodes"));
  if (key) {
    progress.begin("writing graph cache " + roads.cache);
    try {
      write_graph_cache(roads.cache, *key, out.graph, out.info);
      progress.end();
    } catch (const OutputError& e) {  // the run's answer does not depend on it
      progress.end("failed");
      out.cache_warning = std::string("graph cache not written: ") + e.what();
      progress.warn(out.cache_warning);
    }
  }
  return out;
}

World load_scenario_world(const Scenario& sc, const std::vector<Mode>& modes, Progress& progress, RunRecord& record) {
  LoadedGraph loaded = load_graph(sc.inputs.roads, sc.profiles.profiles, modes, progress);
  record.timings.insert(record.timings.end(), loaded.timings.begin(), loaded.timings.end());
  record.warnings.insert(record.warnings.end(), loaded.info.warnings.begin(), loaded.info.warnings.end());
  if (!loaded.cache_warning.empty()) record.warnings.push_back(loaded.cache_warning);
  RawRoads credit_of;  // the credit needs only where the roads came from
  credit_of.source = loaded.info.source;
  credit_of.generator = loaded.info.generator;
  record.attribution = attribution(credit_of, false);
  PointLayer services = read_point_input(sc.inputs.services, "services", progress, record.warnings);
  apply_service_edits(sc, sc.proposals, services);
  if (!sc.proposals.empty())
    progress.note("proposals: " + std::to_string(sc.proposals.remove.size()) + " services removed, " +
                  std::to_string(sc.proposals.add.size()) + " added");
  PointLayer demand = read_point_input(sc.inputs.demand, "demand", progress, record.warnings);
  return World(std::move(loaded.graph), sc.profiles.profiles, sc.profiles.direction, std::move(services),
               std::move(demand));
}

}  // namespace legalcircle::cli
