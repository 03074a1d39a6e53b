// legalcircle plan: where to open new service points, with a certified optimality gap.
#include <thread>

#include "commands.hpp"
#include "legalcircle/core/error.hpp"
#include "inputs.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/layers.hpp"
#include "legalcircle/pipeline/plan.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_plan_command(CLI::App& app, PlanOptions& o) {
  CLI::App* c = app.add_subcommand(
      "plan",
      "Recommend new service points. --add K: the K sites that newly cover the most residents\n"
      "(MCLP); --target SHARE: the fewest sites reaching that share of the population (LSCP);\n"
      "--evaluate FILE: coverage before and after given sites. Every answer reports a proven\n"
      "bound and the gap to it. Writes plan.geojson, plan.csv, plan.json, coverage.geojson/.csv\n"
      "(before and after) and circle.geojson (after).");
  add_input_options(*c, o.inputs, true);
  c->add_option("--candidates", o.candidates,
                "Candidate sites: demand (the demand units themselves), grid:<metres> (a grid on "
                "the network), or a point layer (.csv, .geojson, .gpkg, .shp, OSM with "
                "--candidates-filter)")
      ->capture_default_str();
  add_layer_options(*c, o.candidates_layer, "candidate sites", false, true);
  c->add_option("--mode", o.mode, "Travel mode: walk, ebike or car")->capture_default_str();
  c->add_option("--minutes", o.minutes, "Coverage threshold in minutes")->capture_default_str()->check(finite_range(0.1, 600));
  auto* add = c->add_option("--add", o.add, "Number of new sites to choose (MCLP)");
  auto* target = c->add_option("--target", o.target, "Population share to reach with the fewest sites (LSCP), e.g. 0.95");
  auto* evaluate = c->add_option("--evaluate", o.evaluate, "Point layer of proposed sites: coverage before and after");
  add->excludes(target)->excludes(evaluate);
  target->excludes(evaluate);
  add_layer_options(*c, o.evaluate_layer, "proposed sites", false, true);
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 256u));
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer(
      "Examples:\n"
      "  legalcircle plan --candidates demand --add 5                # on the embedded county\n"
      "  legalcircle plan --roads R --services S --demand D --candidates grid:500 --mode ebike --target 0.95\n"
      "  legalcircle plan --roads R --services S --demand D --evaluate proposals.csv");
  return c;
}

int run_plan(const PlanOptions& o) {
  Progress progress(o.quiet);
  std::vector<std::string> reads = input_paths(o.inputs, true);
  reads.push_back(o.candidates);
  reads.push_back(o.evaluate);
  output_target(o.out_dir, "", "plan", false, reads);  // a wrong -o fails before the work
  StagedOutput out(o.out_dir);  // takes the folder's lock now: a second run fails at once
  PlanRequest r;
  r.mode = parse_mode(o.mode);
  r.minutes = o.minutes;
  r.candidates = parse_candidate_source(o.candidates, "--candidates", true);
  if (o.add >= 0) r.add = static_cast<std::size_t>(o.add);
  if (o.target >= 0) {
    if (!(o.target > 0 && o.target <= 1)) throw ConfigError("--target must be a share in (0, 1], e.g. 0.95");
    r.target = o.target;
  }
  r.evaluate = !o.evaluate.empty();
  r.proposals = o.evaluate;
  if (!r.add && !r.target && !r.evaluate) throw ConfigError("give one of --add K, --target SHARE, --evaluate FILE");
  r.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  nlohmann::ordered_json timings;
  const Inputs in = load_inputs(o.inputs, {r.mode}, true, progress, timings);
  // Candidate and proposal layers are read here; the planning step itself touches no file.
  std::vector<SitePoint> sites;
  std::vector<std::string> warnings = in.warnings;
  const std::string layer = r.evaluate ? o.evaluate : r.candidates.kind == CandidateSource::Kind::layer ? r.candidates.path : "";
  if (!layer.empty()) {
    const LayerOptions& own = r.evaluate ? o.evaluate_layer : o.candidates_layer;
    if (parse_offset_system(own.offset) == OffsetSystem::wgs84 &&
        parse_offset_system(o.inputs.services_layer.offset) != OffsetSystem::wgs84) {
      warnings.push_back("the services are " + o.inputs.services_layer.offset + " web-map coordinates but " + layer +
                         " is read as WGS-84; if they come from the same map, give --" + own.prefix + "-offset " +
                         o.inputs.services_layer.offset);
      progress.warn(warnings.back());
    }
    // Candidates and proposals take the same per-layer options as services and demand (CRS,
    // web-map offset, encoding, fields).
    progress.begin("reading " + std::string(r.evaluate ? "proposals " : "candidates ") + layer);
    const PointLayer points =
        read_points(layer, layer_read_options(o.inputs, r.evaluate ? o.evaluate_layer : o.candidates_layer, layer, false));
    progress.end(std::to_string(points.points.size()) + " points");
    for (const std::string& w : points.warnings) progress.warn(w), warnings.push_back(w);
    for (const PointRecord& p : points.points) sites.push_back({p.id, p.name, p.where});
  }
  const PlanResult plan = plan_sites(in.world, r, sites, progress);
  const PlanTables tables = plan_tables(in.world, plan);

  nlohmann::ordered_json json = plan_json(plan);
  json["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"demand", in.demand},
                    {"synthetic_embedded_default", in.embedded}};
  json["warnings"] = warnings;
  json["timings"] = timings;
  write_geojson(out.path("plan.geojson"), "plan", tables.sites);
  write_csv(out.path("plan.csv"), tables.sites);
  write_geojson(out.path("coverage.geojson"), "coverage", tables.coverage);
  write_csv(out.path("coverage.csv"), tables.coverage);
  write_geojson(out.path("circle.geojson"), "circle", tables.circle);
  write_text_file(out.path("plan.json"), json.dump(2) + "\n");
  out.commit();
  std::string line = "population within " + fixed(r.minutes, 0) + " min: " + fixed(plan.population_before, 0) +
                     " before, " + fixed(plan.population_after, 0) + " after, of " + fixed(plan.population_total, 0);
  if (plan.mclp)
    line += "; proven upper bound " + fixed(plan.mclp->upper_bound, 0) + " (gap " + fixed(100 * plan.mclp->gap, 2) + "%)";
  if (plan.lscp)
    line += "; " + std::to_string(plan.lscp->count) + " sites, at least " + std::to_string(plan.lscp->lower_bound_sites) +
            " needed";
  progress.note(line);
  progress.note("wrote plan.geojson, plan.csv, plan.json, coverage.geojson, coverage.csv, circle.geojson to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
