// legalcircle coverage: per demand unit, travel time to the nearest legal service point.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "staging.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

CLI::App* add_coverage_command(CLI::App& app, CoverageOptions& o) {
  CLI::App* c = app.add_subcommand(
      "coverage",
      "Travel time from every demand unit (village, community) to its nearest service point.\n"
      "Writes coverage.geojson, coverage.csv (id, name, population, mode, nearest_service_id,\n"
      "minutes, covered, snap_m, reason + admin fields) and summary.json into the output folder.\n"
      "Without --roads/--services/--demand it runs on the embedded synthetic county (geodata/).");
  c->add_option("--roads", o.roads,
                "Road network: .osm.pbf, .osm, .osm.gz, .osm.bz2, or a line layer "
                "(.geojson, .gpkg, .shp) with OSM-style highway/oneway/maxspeed/name fields");
  c->add_option("--services", o.services,
                "Service points: .csv (lon/lat columns), .geojson, .gpkg, .shp, or an OSM file "
                "(filtered by --services-filter)");
  c->add_option("--demand", o.demand,
                "Demand units (villages, communities): points or polygons, same formats as "
                "--services (OSM filtered by --demand-filter)");
  c->add_option("--mode", o.modes, "Travel modes, comma-separated: walk, ebike, car")
      ->capture_default_str();
  c->add_option("--minutes", o.minutes, "Coverage threshold in minutes")->capture_default_str();
  c->add_option("--direction", o.direction,
                "to_service: residents travel to the service; from_service: the reverse")
      ->check(CLI::IsMember({"to_service", "from_service"}))
      ->capture_default_str();
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_option("--profiles", o.profiles,
                "Mode profiles YAML (default: built in, identical to configs/profiles.yaml)");
  c->add_option("--max-snap-m", o.max_snap_m,
                "Points strictly farther than this from a usable road are unreachable "
                "(default: the profiles' max_snap_m, 1000)");
  c->add_option("--limit-minutes", o.limit_minutes,
                "Stop the search at this many minutes (faster; units beyond are reported "
                "unreachable). Default: unbounded, so times are never capped");
  c->add_option("--services-filter", o.services_filter,
                std::string("Tag filter for services read from an OSM file (default \"") +
                    kDefaultServiceOsmFilter + "\")");
  c->add_option("--demand-filter", o.demand_filter,
                std::string("Tag filter for demand read from an OSM file (default \"") +
                    kDefaultDemandOsmFilter + "\")");
  c->add_option("--id-field", o.id_field, "Id field of both point layers (missing: row/FID)")
      ->capture_default_str();
  c->add_option("--services-id-field", o.services_id_field, "Id field of the services layer");
  c->add_option("--demand-id-field", o.demand_id_field, "Id field of the demand layer");
  c->add_option("--name-field", o.name_field, "Name field")->capture_default_str();
  c->add_option("--population-field", o.population_field, "Population field")->capture_default_str();
  c->add_option("--services-layer", o.services_layer, "Layer of the services file (default: first)");
  c->add_option("--demand-layer", o.demand_layer, "Layer of the demand file (default: first)");
  c->add_option("--crs", o.crs,
                "CRS of CSV coordinates, or of GIS files that carry none (e.g. EPSG:4490, "
                "EPSG:4549)")
      ->capture_default_str();
  c->add_option("--keep-fields", o.keep_fields,
                "Demand attributes copied to the output: auto (all others), none, or a "
                "comma-separated list")
      ->capture_default_str();
  c->add_flag("--excel-bom", o.excel_bom, "Start coverage.csv with a UTF-8 BOM for Excel");
  add_road_field_options(*c, o.road_fields);
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer(
      "Examples:\n"
      "  legalcircle coverage\n"
      "  legalcircle coverage --roads roads.osm.pbf --services services.csv \\\n"
      "      --demand villages.geojson --mode walk,ebike,car --minutes 15 -o out/\n"
      "  legalcircle coverage --roads region.osm.pbf --services region.osm.pbf \\\n"
      "      --services-filter \"amenity=townhall\" --demand region.osm.pbf \\\n"
      "      --demand-filter \"place=village,hamlet\" --mode car");
  return c;
}

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

PointReadOptions point_options(const CoverageOptions& o, const std::string& path, bool services) {
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

int run_coverage(const CoverageOptions& given) {
  CoverageOptions o = given;
  Progress progress(o.quiet);
  const bool embedded = o.roads.empty() && o.services.empty() && o.demand.empty();
  if (embedded) {
    const fs::path dir = default_geodata_dir();
    o.roads = (dir / "roads.osm.pbf").string();
    o.services = (dir / "services.csv").string();
    o.demand = (dir / "villages.geojson").string();
    progress.note("no inputs given: using the embedded SYNTHETIC county in " + dir.string());
  } else if (o.roads.empty() || o.services.empty() || o.demand.empty()) {
    throw ConfigError("give all of --roads, --services and --demand (or none, for the embedded "
                      "synthetic county)");
  }
  if (!(o.minutes > 0) || !std::isfinite(o.minutes))
    throw ConfigError("--minutes must be a positive number, got " + std::to_string(o.minutes));
  const std::vector<Mode> modes = parse_modes(o.modes);
  Profiles profiles = profiles_from(o.profiles);
  if (o.max_snap_m >= 0) profiles.max_snap_m = o.max_snap_m;
  const Direction direction =
      o.direction == "from_service" ? Direction::from_service : Direction::to_service;
  nlohmann::ordered_json timings;

  // Read everything before computing anything, so bad input fails fast.
  progress.begin("reading roads " + o.roads);
  RawRoads raw = read_roads(o.roads, o.road_fields);
  timings["read_roads_s"] = progress.end(std::to_string(raw.ways.size()) + " highway ways");
  progress.begin("reading services " + o.services);
  const PointLayer services = read_points(o.services, point_options(o, o.services, true));
  progress.end(std::to_string(services.points.size()) + " points");
  progress.begin("reading demand " + o.demand);
  const PointLayer demand = read_points(o.demand, point_options(o, o.demand, false));
  timings["read_points_s"] = progress.end(std::to_string(demand.points.size()) + " units");
  for (const auto* layer : {&services, &demand})
    for (const std::string& w : layer->warnings) progress.warn(w);

  progress.begin("building graph");
  BuildOptions build;
  build.modes = modes;
  const RoadGraph graph = build_graph(raw, profiles, build);
  raw = RawRoads{};  // free the raw ways
  timings["build_graph_s"] = progress.end(std::to_string(graph.node_count()) + " nodes");

  std::vector<LonLat> service_xy, demand_xy;
  for (const PointRecord& p : services.points) service_xy.push_back(p.where);
  for (const PointRecord& p : demand.points) demand_xy.push_back(p.where);

  bool integral_population = true;
  for (const PointRecord& p : demand.points)
    integral_population = integral_population && p.population == std::floor(p.population);

  Table table;
  table.columns = {{"id", Column::Type::text},
                   {"name", Column::Type::text},
                   {"population", integral_population ? Column::Type::integer : Column::Type::real},
                   {"mode", Column::Type::text},
                   {"nearest_service_id", Column::Type::text},
                   {"minutes", Column::Type::real},
                   {"covered", Column::Type::boolean},
                   {"snap_m", Column::Type::real},
                   {"reason", Column::Type::text}};
  for (const std::string& f : demand.extra_fields) table.columns.push_back({f, Column::Type::text});

  nlohmann::ordered_json summary;
  summary["command"] = "coverage";
  summary["inputs"] = {{"roads", o.roads}, {"services", o.services}, {"demand", o.demand},
                       {"synthetic_embedded_default", embedded}};
  summary["direction"] = o.direction;
  summary["threshold_minutes"] = o.minutes;
  summary["max_snap_m"] = profiles.max_snap_m;
  summary["units"] = demand.points.size();
  double population = 0;
  std::size_t without_population = 0;
  for (const PointRecord& p : demand.points) {
    population += p.population;
    without_population += !p.has_population;
  }
  summary["population"] = population;
  summary["units_without_population"] = without_population;
  if (without_population > 0)
    progress.warn(std::to_string(without_population) + " of " + std::to_string(demand.points.size()) +
                  " demand units have no population (field '" + o.population_field +
                  "'): they count 0 in population shares");
  summary["services"] = services.points.size();

  const double threshold_s = o.minutes * 60.0;
  for (Mode mode : modes) {
    const std::string name(mode_name(mode));
    progress.begin(name + ": snapping and searching");
    const SegmentIndex index(graph, mode);
    CoverageRequest request;
    request.mode = mode;
    request.direction = direction;
    request.access_leg_kmh = profiles.access_leg_kmh;
    request.max_snap_m = profiles.max_snap_m;
    request.limit_s = o.limit_minutes >= 0 ? o.limit_minutes * 60.0 : kInf;
    const CoverageResult result = compute_coverage(graph, index, service_xy, demand_xy, request);
    timings[name + "_search_s"] = progress.end(std::to_string(result.settled_nodes) + " nodes settled");

    std::size_t covered_units = 0, unreachable = 0, too_far = 0;
    double covered_population = 0;
    for (std::size_t k = 0; k < demand.points.size(); ++k) {
      const PointRecord& p = demand.points[k];
      const UnitResult& u = result.units[k];
      const bool reached = u.seconds < kInf;
      const bool covered = reached && u.seconds <= threshold_s;
      covered_units += covered;
      if (covered) covered_population += p.population;
      unreachable += !reached;
      too_far += u.reason == Unreachable::snap_too_far;
      std::vector<std::string> row = {
          p.id,
          p.name,
          p.has_population ? (integral_population ? fixed(p.population, 0) : fixed(p.population, 3)) : "",
          name,
          reached ? services.points[u.nearest_service].id : "",
          reached ? fixed(u.seconds / 60.0, 2) : "",
          covered ? "true" : "false",
          std::isfinite(u.snap_m) ? fixed(u.snap_m, 1) : "",
          std::string(unreachable_reason(u.reason))};
      for (const auto& kv : p.extra) row.push_back(kv.second);
      table.rows.push_back(std::move(row));
      table.geometry.push_back(p.where);
    }
    nlohmann::ordered_json unsnapped = nlohmann::json::array();
    for (uint32_t i : result.unsnapped_services) {
      unsnapped.push_back(services.points[i].id);
      progress.warn(name + ": service " + services.points[i].id + " (" + services.points[i].name +
                    ") is " + fixed(result.services[i].snap.offset_m, 0) +
                    " m from the nearest usable road (limit " + fixed(profiles.max_snap_m, 0) +
                    " m): not used");
    }
    const ComponentStats& st = graph.weights(mode).stats;
    summary["modes"][name] = {
        {"covered_units", covered_units},
        {"covered_population", covered_population},
        {"covered_share_population", population > 0 ? covered_population / population : 0.0},
        {"covered_share_units",
         demand.points.empty() ? 0.0 : double(covered_units) / double(demand.points.size())},
        {"unreachable_units", unreachable},
        {"unreachable_snap_too_far", too_far},
        {"unreachable_no_service_reached", unreachable - too_far},
        {"services_used", services.points.size() - result.unsnapped_services.size()},
        {"services_unsnapped", unsnapped},
        {"settled_nodes", result.settled_nodes},
        {"network",
         {{"nodes_kept", st.nodes_kept}, {"segments_kept", st.segments_kept},
          {"km_kept", st.km_kept}, {"components_dropped", st.components_dropped},
          {"nodes_dropped", st.nodes_dropped}, {"km_dropped", st.km_dropped}}}};
    std::cerr << "legalcircle: " << name << ": " << covered_units << " of " << demand.points.size()
              << " units, " << fixed(population > 0 ? 100.0 * covered_population / population : 0.0, 1)
              << "% of population within " << fixed(o.minutes, 1) << " min; " << unreachable
              << " unreachable\n";
  }
  summary["attribution"] =
      embedded ? "SYNTHETIC data generated by legalcircle (geodata/synthetic-county), not a real place"
      : is_osm_file(o.roads) ? "Road data (c) OpenStreetMap contributors, ODbL 1.0" : "";

  progress.begin("writing " + o.out_dir);
  StagedOutput out(o.out_dir);
  write_geojson_points(out.path("coverage.geojson"), "coverage", table);
  write_csv(out.path("coverage.csv"), table, o.excel_bom);
  timings["write_s"] = progress.end();
  summary["timings"] = timings;
  write_text_file(out.path("summary.json"), summary.dump(2) + "\n");
  out.commit();
  progress.note("wrote coverage.geojson, coverage.csv, summary.json to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
