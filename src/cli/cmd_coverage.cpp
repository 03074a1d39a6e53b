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
#include "inputs.hpp"
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
  add_input_options(*c, o.inputs, true);
  c->add_option("--mode", o.modes, "Travel modes, comma-separated: walk, ebike, car")
      ->capture_default_str();
  c->add_option("--minutes", o.minutes, "Coverage threshold in minutes")->capture_default_str();
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_option("--limit-minutes", o.limit_minutes,
                "Stop the search at this many minutes (faster; units beyond are reported "
                "unreachable). Default: unbounded, so times are never capped");
  c->add_flag("--excel-bom", o.excel_bom, "Start coverage.csv with a UTF-8 BOM for Excel");
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

}  // namespace

int run_coverage(const CoverageOptions& o) {
  Progress progress(o.quiet);
  if (!(o.minutes > 0) || !std::isfinite(o.minutes))
    throw ConfigError("--minutes must be a positive number, got " + std::to_string(o.minutes));
  const std::vector<Mode> modes = parse_modes(o.modes);
  nlohmann::ordered_json timings;
  const Inputs in = load_inputs(o.inputs, modes, true, progress, timings);
  const RoadGraph& graph = in.world.graph();
  const Profiles& profiles = in.world.profiles();
  const PointLayer& services = in.world.service_layer();
  const PointLayer& demand = in.world.demand_layer();

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
  for (const std::string& f : demand.extra_fields) add_column(table, f, Column::Type::text);

  nlohmann::ordered_json summary;
  summary["command"] = "coverage";
  summary["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"demand", in.demand},
                       {"synthetic_embedded_default", in.embedded}};
  summary["direction"] = o.inputs.direction;
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
                  " demand units have no population (field '" + o.inputs.population_field +
                  "'): they count 0 in population shares");
  summary["services"] = services.points.size();

  const double threshold_s = o.minutes * 60.0;
  for (Mode mode : modes) {
    const std::string name(mode_name(mode));
    progress.begin(name + ": snapping and searching");
    CoverageRequest request = in.world.request(mode);
    request.limit_s = o.limit_minutes >= 0 ? o.limit_minutes * 60.0 : kInf;
    const CoverageResult result =
        compute_coverage(graph, in.world.index(mode), in.world.service_xy(), in.world.unit_xy(), request);
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
    progress.note(name + ": " + std::to_string(covered_units) + " of " + std::to_string(demand.points.size()) +
                  " units, " + fixed(population > 0 ? 100.0 * covered_population / population : 0.0, 1) +
                  "% of population within " + fixed(o.minutes, 1) + " min; " + std::to_string(unreachable) +
                  " unreachable");
  }
  summary["attribution"] = attribution(in);

  progress.begin("writing " + o.out_dir);
  StagedOutput out(o.out_dir);
  write_geojson(out.path("coverage.geojson"), "coverage", table);
  write_csv(out.path("coverage.csv"), table, o.excel_bom);
  timings["write_s"] = progress.end();
  summary["timings"] = timings;
  write_text_file(out.path("summary.json"), summary.dump(2) + "\n");
  out.commit();
  progress.note("wrote coverage.geojson, coverage.csv, summary.json to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
