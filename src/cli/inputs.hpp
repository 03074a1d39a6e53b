#pragma once
// The inputs every analysis command shares (roads, services, demand, profiles) — their options,
// and loading them all before any computation so bad input fails fast and leaves no output.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common.hpp"
#include "legalcircle/output/layers.hpp"  // fixed()
#include "legalcircle/graph/road_graph.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/pipeline/world.hpp"
#include "legalcircle/routing/dijkstra.hpp"

namespace legalcircle::cli {

struct InputOptions {
  std::string roads, services, demand, profiles;
  std::string direction = "to_service";
  double max_snap_m = -1;  // < 0: the profiles' value
  std::string services_filter, demand_filter;
  std::string id_field = "id", name_field = "name", population_field = "population";
  std::string services_id_field, demand_id_field;  // override id_field per layer
  std::string services_layer, demand_layer;
  std::string crs = "EPSG:4326";
  std::string keep_fields = "auto";
  std::string services_offset = "wgs84", demand_offset = "wgs84";  // gcj02 | bd09 web-map points
  RoadFieldMapping road_fields;
};

// Declares --roads, --services (and --demand when with_demand), fields, filters, CRS, profiles.
void add_input_options(CLI::App& command, InputOptions& options, bool with_demand);

struct Inputs {
  std::string roads, services, demand;  // resolved paths
  bool embedded = false;                // the synthetic county in geodata/
  World world;
};

// Reads and builds everything; stage times go into `timings`.
Inputs load_inputs(const InputOptions& options, const std::vector<Mode>& modes, bool with_demand,
                   Progress& progress, nlohmann::ordered_json& timings);

// The data credit every output carries: OSM's for OSM roads, "synthetic" for the embedded county.
std::string attribution(const Inputs& in);
std::string attribution(const std::string& roads, bool embedded);

std::vector<std::string> split_commas(const std::string& s);
// "5,10,15" -> {5, 10, 15}, positive and increasing, or ConfigError naming the option.
std::vector<double> parse_minutes_list(const std::string& list, const std::string& option);

}  // namespace legalcircle::cli
