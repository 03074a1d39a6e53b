// legalcircle coverage: per demand unit, travel time to the nearest legal service point.

#include <cmath>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/coverage_output.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

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
  c->add_option("--minutes", o.minutes, "Coverage threshold in minutes")->capture_default_str()->check(finite_range(0.1, 600));
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

int run_coverage(const CoverageOptions& o) {
  Progress progress(o.quiet);
  output_target(o.out_dir, "", "coverage", false, input_paths(o.inputs, true));  // a wrong -o fails before the work
  StagedOutput out(o.out_dir);  // takes the folder's lock now: a second run fails at once
  if (!(o.minutes > 0) || !std::isfinite(o.minutes))
    throw ConfigError("--minutes must be a positive number, got " + std::to_string(o.minutes));
  const std::vector<Mode> modes = parse_modes(o.modes);
  nlohmann::ordered_json timings;
  const Inputs in = load_inputs(o.inputs, modes, true, progress, timings);
  const World& world = in.world;

  double population = 0;
  std::size_t without_population = 0;
  for (const PointRecord& p : world.units()) {
    population += p.population;
    without_population += !p.has_population;
  }
  std::vector<std::string> warnings = in.warnings;
  if (without_population > 0) {
    warnings.push_back(std::to_string(without_population) + " of " + std::to_string(world.units().size()) +
                       " demand units have no population (field '" + o.inputs.population_field +
                       "'): they count 0 in population shares");
    progress.warn(warnings.back());
  }
  const std::vector<ModeCoverage> runs =
      coverage_by_mode(world, modes, o.limit_minutes >= 0 ? o.limit_minutes * 60.0 : kInf, progress);
  for (const ModeCoverage& run : runs) timings[std::string(mode_name(run.mode)) + "_search_s"] = run.seconds;

  nlohmann::ordered_json summary;
  summary["command"] = "coverage";
  summary["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"demand", in.demand},
                       {"synthetic_embedded_default", in.embedded}};
  summary["direction"] = o.inputs.direction;
  summary["threshold_minutes"] = o.minutes;
  summary["max_snap_m"] = world.profiles().max_snap_m;
  summary["units"] = world.units().size();
  summary["population"] = population;
  summary["units_without_population"] = without_population;
  summary["services"] = world.services().size();
  summary["modes"] = coverage_modes_json(world, runs, o.minutes);
  summary["attribution"] = attribution(in);
  summary["warnings"] = warnings;
  for (const auto& [mode, m] : summary["modes"].items())
    progress.note(mode + ": " + std::to_string(m["covered_units"].get<std::size_t>()) + " of " +
                  std::to_string(world.units().size()) + " units, " +
                  fixed(100.0 * m["covered_share_population"].get<double>(), 1) + "% of population within " +
                  fixed(o.minutes, 1) + " min; " + std::to_string(m["unreachable_units"].get<std::size_t>()) +
                  " unreachable");

  progress.begin("writing " + o.out_dir);
  const Table table = coverage_table(world, runs, o.minutes);
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
