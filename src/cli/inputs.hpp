#pragma once
// The inputs every analysis command shares (roads, services, demand, profiles) — their options,
// and loading them all before any computation so bad input fails fast and leaves no output.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/output/layers.hpp"  // fixed()
#include "legalcircle/output/summary.hpp"
#include "legalcircle/graph/road_graph.hpp"
#include "legalcircle/io/graph_cache.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/pipeline/world.hpp"
#include "legalcircle/routing/dijkstra.hpp"

namespace legalcircle::cli {

// The options of one point layer (--services-..., --demand-..., --candidates-..., --evaluate-...);
// empty values fall back to the shared ones (--id-field, --name-field, --crs, ...).
struct LayerOptions {
  explicit LayerOptions(std::string layer_prefix) : prefix(std::move(layer_prefix)) {}
  std::string prefix;  // "services", "demand", ...
  std::string layer, id_field, name_field, population_field, lon_field, lat_field, crs, encoding;
  std::string offset = "wgs84";  // gcj02 | bd09: web-map coordinates, converted to WGS-84
  std::string filter;            // OSM tag filter
};

struct InputOptions {
  std::string roads, services, demand, profiles;
  std::string direction = "to_service";
  double max_snap_m = -1;  // < 0: the profiles' value
  // Shared defaults of every point layer.
  std::string id_field = "id", name_field = "name", population_field = "population";
  std::string lon_field, lat_field, encoding;
  std::string crs = "EPSG:4326";
  CLI::Option *id_option = nullptr, *name_option = nullptr, *population_option = nullptr, *crs_option = nullptr;
  LayerOptions services_layer{"services"}, demand_layer{"demand"};
  std::string keep_fields = "auto";
  RoadFieldMapping road_fields;
  std::string graph_cache;  // --graph-cache: the binary graph cache (io/graph_cache.hpp)
};

// Declares --<prefix>-layer, -id-field, -name-field, (-population-field), -lon-field, -lat-field,
// -crs, -offset, -encoding (and -filter for OSM files) for one point layer.
void add_layer_options(CLI::App& command, LayerOptions& layer, const std::string& what, bool with_population,
                       bool with_filter);
// How to read that layer: its own options, else the shared ones. A field named on the command line
// counts as named (an error when the layer lacks it); the defaults may be absent (a warning).
PointReadOptions layer_read_options(const InputOptions& shared, const LayerOptions& layer, const std::string& path,
                                    bool with_population);

// Declares --roads, --services (and --demand when with_demand), fields, filters, CRS, profiles.
void add_input_options(CLI::App& command, InputOptions& options, bool with_demand);

struct Inputs {
  std::string roads, services, demand;  // resolved paths
  bool embedded = false;                // the synthetic county in geodata/
  World world;
  std::vector<std::string> warnings;    // of reading them (also printed), for summary.json
  std::string attribution;              // the data credit (attribution(RawRoads, embedded))
};

// Reads and builds everything; stage times go into `timings`.
Inputs load_inputs(const InputOptions& options, const std::vector<Mode>& modes, bool with_demand,
                   Progress& progress, nlohmann::ordered_json& timings);

// The files a command reads with these options (the embedded county's when none are given),
// for output_target's check that -o does not replace them.
std::vector<std::string> input_paths(const InputOptions& options, bool with_demand);

// The data credit every output carries: OSM's for OSM roads, "synthetic" for the embedded county.
std::string attribution(const Inputs& in);
// From the roads as read: "SYNTHETIC ..." for the embedded county or a file legalcircle_generate
// wrote (its OSM header says so), OpenStreetMap's credit for other OSM files, "" for GIS layers.
std::string attribution(const RawRoads& roads, bool embedded);

// A scenario's inputs read (its proposals applied to the services) and its graph built for
// `modes`; reading warnings and stage times go into `record`.
PointLayer read_point_input(const PointInput& input, const std::string& role, Progress& progress,
                            std::vector<std::string>& warnings);
// The roads as a graph: from `roads.cache` when it was made from this file with these profiles and
// modes (else read, built and the cache rewritten; why it was not used is a note).
struct LoadedGraph {
  RoadGraph graph;
  RoadsReadInfo info;  // source, generator (the credit), the reader's warnings and notes
  std::vector<std::pair<std::string, double>> timings;
  std::string cache_warning;  // the cache could not be written
};
LoadedGraph load_graph(const RoadsInput& roads, const Profiles& profiles, const std::vector<Mode>& modes,
                       Progress& progress);

World load_scenario_world(const Scenario& scenario, const std::vector<Mode>& modes, Progress& progress,
                          RunRecord& record);

std::vector<std::string> split_commas(const std::string& s);
// "5,10,15" -> {5, 10, 15}, positive and increasing, or ConfigError naming the option.
std::vector<double> parse_minutes_list(const std::string& list, const std::string& option);

}  // namespace legalcircle::cli
