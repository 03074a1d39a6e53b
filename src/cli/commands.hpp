#pragma once
// One command per file: add_*_command() declares the options (no work, no files opened),
// run_*() does the work and returns the exit code.
#include <string>

#include <CLI/CLI.hpp>

#include "legalcircle/io/read_roads.hpp"

namespace legalcircle::cli {

struct CoverageOptions {
  std::string roads, services, demand, out_dir = "out", profiles;
  std::string modes = "walk";
  double minutes = 15.0;
  std::string direction = "to_service";
  double max_snap_m = -1;  // < 0: the profiles' value
  std::string services_filter, demand_filter;
  std::string id_field = "id", name_field = "name", population_field = "population";
  std::string services_id_field, demand_id_field;  // override id_field per layer
  std::string services_layer, demand_layer;
  std::string crs = "EPSG:4326";
  std::string keep_fields = "auto";
  double limit_minutes = -1;  // < 0: unbounded search (minutes are never capped)
  RoadFieldMapping road_fields;
  bool excel_bom = false;
  bool quiet = false;
};
CLI::App* add_coverage_command(CLI::App& app, CoverageOptions& options);
int run_coverage(const CoverageOptions& options);

struct GraphOptions {
  std::string roads, profiles, modes = "walk,ebike,car", json_out;
  RoadFieldMapping road_fields;
  bool quiet = false;
};
CLI::App* add_graph_command(CLI::App& app, GraphOptions& options);
int run_graph(const GraphOptions& options);

}  // namespace legalcircle::cli
