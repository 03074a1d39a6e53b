#pragma once
// One command per file: add_*_command() declares the options (no work, no files opened),
// run_*() does the work and returns the exit code.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "inputs.hpp"
#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle::cli {

struct CoverageOptions {
  InputOptions inputs;
  std::string out_dir = "out";
  std::string modes = "walk";
  double minutes = 15.0;
  double limit_minutes = -1;  // < 0: unbounded search (minutes are never capped)
  bool excel_bom = false;
  bool quiet = false;
};
CLI::App* add_coverage_command(CLI::App& app, CoverageOptions& options);
int run_coverage(const CoverageOptions& options);

struct GraphOptions {
  std::string roads, profiles, modes = "walk,ebike,car", json_out, cache, export_dir;
  RoadFieldMapping road_fields;
  bool quiet = false;
};
CLI::App* add_graph_command(CLI::App& app, GraphOptions& options);
int run_graph(const GraphOptions& options);

struct IsochroneOptions {
  InputOptions inputs;
  std::string out_dir = "out";
  std::string modes = "walk";
  std::string minutes = "5,10,15";
  double cell_m = -1;      // < 0: per mode, 50 / 100 / 200 m
  double simplify_m = -1;  // < 0: half a cell
  bool per_service = true;
  bool geotiff = false;
  unsigned threads = 0;    // 0: all cores
  bool quiet = false;
};
CLI::App* add_isochrones_command(CLI::App& app, IsochroneOptions& options);
int run_isochrones(const IsochroneOptions& options);

struct PlanOptions {
  InputOptions inputs;
  std::string out_dir = "out";
  std::string mode = "walk";
  double minutes = 15.0;
  std::string candidates = "demand";
  LayerOptions candidates_layer{"candidates"}, evaluate_layer{"evaluate"};
  long add = -1;        // < 0: not given
  double target = -1;   // < 0: not given
  std::string evaluate;
  unsigned threads = 0;
  bool quiet = false;
};
CLI::App* add_plan_command(CLI::App& app, PlanOptions& options);
int run_plan(const PlanOptions& options);

struct RunOptions {
  std::string scenario;
  std::string out_dir = "out";  // a folder, NAME.gpkg or PG:<connection> (output_target.hpp)
  std::string schema;           // with PG:
  unsigned threads = 0;  // 0: all cores
  bool quiet = false;
  std::string evaluate;  // what-if proposals instead of the scenario's planning choice
  LayerOptions evaluate_layer{"evaluate"};
  bool guide_maps = false;  // also the guide maps, into guide/
};
CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int run_scenario(const RunOptions& options);

struct CompareOptions {
  std::string run_a, run_b;
  std::string out_dir = "out/compare";
  std::string lang;
  bool quiet = false;
};
CLI::App* add_compare_command(CLI::App& app, CompareOptions& options);
int run_compare(const CompareOptions& options);

struct ServeCommandOptions {
  std::string scenario;
  std::string host = "127.0.0.1";
  int port = 8765;
  std::string tiles;
  unsigned threads = 0;  // 0: all cores
  int max_proposals = 500;
  bool quiet = false;
};
CLI::App* add_serve_command(CLI::App& app, ServeCommandOptions& options);
int run_serve(const ServeCommandOptions& options);

struct GuideOptions {
  std::string scenario;
  std::string out_dir = "out/guide";
  std::vector<std::string> stations;  // only these service ids; empty: every one
  std::string lang;                   // "": the scenario's outputs.lang
  int png_width = 1240;
  unsigned threads = 0;
  bool quiet = false;
};
CLI::App* add_guide_command(CLI::App& app, GuideOptions& options);
int run_guide(const GuideOptions& options);

// The guide maps written into a staged folder under `prefix` ("" or "guide/"), shared by
// `legalcircle guide` and `legalcircle run --guide-maps`.
struct GuideWriteSettings {
  unsigned threads = 1;
  std::string date, attribution, lang = "zh";
  std::vector<std::string> stations;
  int png_width = 1240;
};
struct GuideWriteResult {
  std::size_t pages = 0, station_pages = 0, town_pages = 0;
};
class StagedOutput;
class Progress;
GuideWriteResult write_guide_maps(StagedOutput& out, const std::string& prefix, const World& world, const Scenario& sc,
                                  const ScenarioResult* base, const std::vector<std::string>& service_tier,
                                  const GuideWriteSettings& settings, Progress& progress,
                                  std::vector<std::string>& warnings);

struct ReportOptions {
  std::string out_dir, output;
  std::string lang;  // "": the run's outputs.lang (summary.json), else zh
  bool quiet = false;
};
CLI::App* add_report_command(CLI::App& app, ReportOptions& options);
int run_report(const ReportOptions& options);

}  // namespace legalcircle::cli
