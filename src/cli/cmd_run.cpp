// legalcircle run SCENARIO.yaml: the whole pipeline from one scenario file — tiers and coverage
// rules per mode, the provincial standard, circles and per-service isochrones, gaps, admin
// roll-ups, planning — written as one GeoPackage, GeoJSON layers, CSV tables, a QGIS project,
// summary.json and report.html. Wiring only: read → World → run_scenario → render → write.
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/io/write_qgis.hpp"
#include "legalcircle/output/compare.hpp"
#include "legalcircle/output/field_labels.hpp"
#include "legalcircle/output/layers.hpp"
#include "legalcircle/output/qgis_project.hpp"
#include "legalcircle/output/report.hpp"
#include "legalcircle/output/summary.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* c = app.add_subcommand(
      "run",
      "The whole pipeline from a scenario file (configs/*.yaml): coverage per tier rule and mode,\n"
      "the provincial standard, circles and isochrones, gaps, roll-ups per county and town.\n"
      "Writes legalcircle.gpkg (every layer), GeoJSON layers, CSV tables, a QGIS project\n"
      "(legalcircle.qgs + .qml styles), summary.json and report.html (for officials, offline).");
  c->add_option("scenario", o.scenario, "Scenario YAML (paths inside are relative to it)")->required();
  c->add_option("-o,--out", o.out_dir,
                "Output: a folder (created if missing), a NAME.gpkg file (the GeoPackage alone, styles inside), "
                "or PG:<connection> (every layer into PostgreSQL/PostGIS, see --schema)")
      ->capture_default_str();
  c->add_option("--schema", o.schema, "With -o PG:...: the schema to write (created if missing; default legalcircle)");
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 256u));
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr (warnings are still printed)");
  c->add_option("--evaluate", o.evaluate,
                "What-if: evaluate these proposed sites (a point layer) on the scenario's planning objective "
                "(overall without a planning section) instead of choosing sites; before/after per rule, the "
                "standard and overall, by county and town");
  add_layer_options(*c, o.evaluate_layer, "proposed sites", false, false);
  c->add_flag("--guide-maps", o.guide_maps,
              "Also write the service guide maps into guide/ (as `legalcircle guide`; the scenario's "
              "guide_maps.enabled: true does the same)");
  c->footer(
      "Examples:\n"
      "  legalcircle run configs/synthetic-county.yaml -o out/synthetic\n"
      "  legalcircle run configs/zhejiang-standard.yaml -o out/standard\n"
      "  legalcircle run configs/synthetic-county.yaml --evaluate proposals.xlsx --evaluate-offset gcj02 -o out/what-if\n"
      "  legalcircle run configs/synthetic-county.yaml -o county.gpkg\n"
      "  legalcircle run configs/synthetic-county.yaml --guide-maps -o out/synthetic   # + guide/ (PDF, PNG)\n"
      "  legalcircle run configs/synthetic-county.yaml -o \"PG:dbname=gis host=localhost user=gis\" --schema legal_2026");
  return c;
}

namespace {

void note_totals(Progress& progress, const ScenarioResult& result) {
  for (const MeasureRollup& m : result.rollups) {
    const RollupRow& t = m.rollup.total;
    progress.note(m.measure + ": " + std::to_string(t.covered_units) + " of " + std::to_string(t.units) +
                  " units covered" +
                  (t.coverage_rate_population ? ", " + fixed(100.0 * *t.coverage_rate_population, 1) + "% of population"
                                              : std::string()));
  }
}

// The GeoPackage alone at `path`: written beside it under a temporary name, then renamed.
void write_gpkg_file(const std::string& path, const std::vector<NamedTable>& layers, const std::string& crs,
                     const std::vector<LayerStyle>& styles) {
  const std::filesystem::path target(path);
  const std::filesystem::path tmp = target.parent_path() / ("." + target.filename().string() + ".legalcircle-" +
                                                             std::to_string(::getpid()) + ".gpkg");
  write_gpkg_layers(tmp.string(), layers, crs, styles);
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw OutputError(path + ": cannot replace (" + ec.message() + ")");
  }
}

}  // namespace

int run_scenario(const RunOptions& o) {
  Progress progress(o.quiet);
  Scenario sc = load_scenario(o.scenario);
  if (!o.evaluate.empty()) {
    // The command line's proposals replace the scenario's choice of sites; objective and tier stay.
    if (!sc.planning) sc.planning = PlanningConfig{};
    sc.planning->add.reset();
    sc.planning->target.reset();
    sc.planning->required.clear();
    sc.planning->excluded.clear();
    sc.planning->min_per_area = sc.planning->max_per_area = 0;
    PointInput proposals;
    proposals.path = o.evaluate;
    InputOptions defaults;
    proposals.read = layer_read_options(defaults, o.evaluate_layer, o.evaluate, false);
    sc.planning->evaluate = proposals;
  }
  // The target is checked before the heavy work: a wrong -o or an unreachable database fails now.
  std::vector<std::string> reads = {sc.file, sc.inputs.roads.path, sc.inputs.services.path, sc.inputs.demand.path,
                                    sc.profiles.file};
  if (sc.inputs.candidates) reads.push_back(sc.inputs.candidates->path);
  if (sc.planning && sc.planning->evaluate) reads.push_back(sc.planning->evaluate->path);
  const OutputTarget target = output_target(o.out_dir, o.schema, "run", true, reads);
  if (o.guide_maps) sc.guide_maps.enabled = true;
  const std::string this_dir = std::filesystem::absolute(o.out_dir).lexically_normal().string();
  if (!sc.baseline.empty() && target.kind == OutputTarget::Kind::folder && sc.baseline == this_dir)
    throw ConfigError("baseline: " + sc.baseline +
                      " is this run's output folder, which the run replaces; copy the earlier run elsewhere first");
  if (sc.guide_maps.enabled && target.kind != OutputTarget::Kind::folder)
    throw ConfigError(std::string(o.guide_maps ? "--guide-maps" : "guide_maps.enabled") +
                      ": guide maps are files (PDF, PNG): they need -o FOLDER, not " + o.out_dir);
  // A folder's lock is taken now, so a second run into it fails before the work.
  std::optional<StagedOutput> staged;
  if (target.kind == OutputTarget::Kind::folder) staged.emplace(o.out_dir);
  if (!sc.outputs.postgis_connection.empty())
    if (auto problem = postgis_target_problem(sc.outputs.postgis_connection, sc.outputs.postgis_schema))
      throw OutputError("outputs.postgis: " + *problem);
  RunRecord record;
  const World world = load_scenario_world(sc, scenario_modes(sc), progress, record);
  std::vector<std::pair<std::string, double>>& timings = record.timings;
  RunSettings settings;
  settings.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  if (sc.planning && sc.planning->evaluate)
    for (const PointRecord& p : read_point_input(*sc.planning->evaluate, "proposals", progress, record.warnings).points)
      settings.proposal_sites.push_back({p.id, p.name, p.where});
  if (sc.planning && !sc.planning->evaluate && sc.planning->candidates.kind == CandidateSource::Kind::layer)
    for (const PointRecord& p : read_point_input(*sc.inputs.candidates, "candidates", progress, record.warnings).points)
      settings.candidate_sites.push_back({p.id, p.name, p.where});

  const ScenarioResult result = run_scenario(world, sc, settings, progress);
  timings.insert(timings.end(), result.timings.begin(), result.timings.end());

  const std::string shown = target.kind == OutputTarget::Kind::postgis
                                ? redact_connection(target.where) + " schema " + target.schema
                                : target.where;
  progress.begin("writing " + shown);
  const ScenarioLayers layers = scenario_layers(world, sc, result);
  const QgisProject project = scenario_qgis_project(sc, result, layers, record.attribution);
  if (target.kind != OutputTarget::Kind::folder) {
    if (target.kind == OutputTarget::Kind::postgis)
      write_postgis_layers(target.where, target.schema, layers.all(), sc.outputs.project_crs);
    else
      write_gpkg_file(target.where, layers.all(), sc.outputs.project_crs, qgis_gpkg_styles(project));
    timings.emplace_back("write_s", progress.end());
    note_totals(progress, result);
    progress.note("wrote every layer to " + shown + " (the folder outputs — report, CSV, QGIS project — need -o FOLDER)");
    return 0;
  }
  StagedOutput& out = *staged;
  {
    // The GeoPackage and every GeoJSON layer are separate files: written side by side (GDAL keeps
    // distinct datasets apart), the largest first; paths are taken before the threads start.
    std::vector<std::pair<std::size_t, std::function<void()>>> writes;  // (weight, write)
    if (sc.outputs.geopackage) {
      const std::string path = out.path("legalcircle.gpkg");
      writes.emplace_back(std::size_t(-1), [&, path] {
        write_gpkg_layers(path, layers.all(), sc.outputs.project_crs, qgis_gpkg_styles(project));
      });
    }
    if (sc.outputs.geojson)
      for (const NamedTable& l : layers.all())
        if (l.table->shape != Table::Shape::none) {
          const std::string path = out.path(l.name + ".geojson");
          std::size_t weight = l.table->rows.size();
          for (const std::string& w : l.table->wkb) weight += w.size();
          writes.emplace_back(weight, [path, l] { write_geojson(path, l.name, *l.table); });
        }
    std::stable_sort(writes.begin(), writes.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    parallel_for(
        writes.size(), settings.threads, [] { return 0; }, [&](int&, std::size_t i) { writes[i].second(); });
  }
  const auto csv = [&](const std::string& name, const Table& t) {
    std::vector<std::string> headers;
    if (sc.outputs.csv_header_labels) {
      std::vector<std::string> names;
      for (const Column& c : t.columns) names.push_back(c.name);
      headers = column_labels(names, sc.rules, sc.outputs.lang);
    }
    write_csv(out.path(name + ".csv"), t, sc.outputs.csv_bom, headers);
  };
  if (sc.outputs.csv)
    for (const NamedTable& l : {NamedTable{"demand", &layers.demand}, NamedTable{"services", &layers.services},
                                NamedTable{"gaps", &layers.gaps}, NamedTable{"rollup_county", &layers.rollup_county},
                                NamedTable{"rollup_town", &layers.rollup_town}})
      csv(l.name, *l.table);
  if (result.plan) {
    if (sc.outputs.csv) csv("plan", layers.plan_sites);
    if (sc.outputs.csv) csv("plan_rollup", layers.plan_rollup);
    write_text_file(out.path("plan.json"), plan_json(*result.plan).dump(2) + "\n");
  }
  for (const RuleRaster& r : result.rasters) {
    const std::string tif = "circle_" + r.rule + "_" + std::string(mode_name(r.mode)) + "_minutes.tif";
    if (r.raster.grid.width <= 0 || r.raster.grid.height <= 0) {
      // No service reaches any cell: there is no raster to write, and the run says so.
      const std::string w = tif + " not written: no location is reachable by " + std::string(mode_name(r.mode)) +
                            " for rule " + r.rule;
      progress.warn(w);
      record.warnings.push_back(w);
      continue;
    }
    write_minutes_geotiff(out.path(tif), r.raster, sc.outputs.project_crs);
  }
  if (sc.outputs.qgis && sc.outputs.geopackage) {
    write_qgis_project(out.path("legalcircle.qgs"), project);
    // The styles were written beside the project, in the staging folder: commit them too.
    std::set<std::string> styles;  // one .qml per GeoPackage layer, however many project layers show it
    for (const QgisLayer& l : project.layers)
      if (styles.insert(l.name).second) out.path(l.name + ".qml");
  }
  timings.emplace_back("write_s", progress.end());

  if (sc.guide_maps.enabled) {
    GuideWriteSettings gs;
    gs.threads = settings.threads;
    gs.date = local_run_date().substr(0, 10);
    gs.attribution = record.attribution;
    gs.lang = sc.outputs.lang;
    write_guide_maps(out, "guide/", world, sc, &result, result.service_tier, gs, progress, record.warnings);
  }

  // No database password in summary.json or the report.
  record.roads = redact_connection(sc.inputs.roads.path);
  record.services = redact_connection(sc.inputs.services.path);
  record.demand = redact_connection(sc.inputs.demand.path);
  for (std::string& w : record.warnings) w = redact_connection(w);
  record.run_date = local_run_date();
  const nlohmann::ordered_json summary = scenario_summary(world, sc, result, record);
  write_text_file(out.path("summary.json"), summary.dump(2) + "\n");
  // The report renders from this run's summary and layers in memory, not from the files.
  ReportInput report = report_input(summary, layers);
  if (!sc.baseline.empty()) {
    // The earlier run beside this one: the report's comparison and the comparison's tables.
    progress.begin("comparing with the baseline " + sc.baseline);
    const RunComparison cmp = compare_inputs(read_report_input(sc.baseline), sc.baseline, report, this_dir);
    report.comparison_section = comparison_section(cmp, sc.outputs.lang);
    write_csv(out.path("comparison.csv"), comparison_table(cmp), sc.outputs.csv_bom);
    const Table changed = changed_villages_table(cmp);
    write_csv(out.path("changed_villages.csv"), changed, sc.outputs.csv_bom);
    if (changed.shape == Table::Shape::point) write_geojson(out.path("changed_villages.geojson"), "changed_villages", changed);
    progress.end(std::to_string(cmp.changed.size()) + " villages changed");
  }
  if (sc.outputs.report) {
    progress.begin("writing report.html");
    write_report(report, sc.outputs.lang, out.path("report.html"));
    progress.end();
  }
  // The database first: if it fails, the folder keeps the previous run's files too.
  if (!sc.outputs.postgis_connection.empty())
    write_postgis_layers(sc.outputs.postgis_connection, sc.outputs.postgis_schema, layers.all(), sc.outputs.project_crs);
  out.commit();
  note_totals(progress, result);
  progress.note("wrote legalcircle.gpkg, layers, tables, QGIS project and summary.json to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
