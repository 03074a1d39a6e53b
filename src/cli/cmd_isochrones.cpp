// legalcircle isochrones: the 15-minute circle (union of all services) and per-service
// isochrones as polygons that agree with coverage (DESIGN.md "Isochrones").
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/output/layers.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_isochrones_command(CLI::App& app, IsochroneOptions& o) {
  CLI::App* c = app.add_subcommand(
      "isochrones",
      "Isochrone polygons: the union circle of all services per band (circle.geojson) and one\n"
      "polygon per service and band (isochrones.geojson). A location is inside the T-minute\n"
      "polygon exactly when its own travel time (same snapping and access leg as a village) is\n"
      "<= T, up to one raster cell. Without --roads/--services: the embedded synthetic county.");
  add_input_options(*c, o.inputs, false);
  c->add_option("--mode", o.modes, "Travel modes, comma-separated: walk, ebike, car")->capture_default_str();
  c->add_option("--minutes", o.minutes, "Bands in minutes, increasing")->capture_default_str();
  c->add_option("--cell-m", o.cell_m, "Raster cell size in metres (default 50 walk, 100 ebike, 100 car)")
      ->check(finite_range(5, 2000));
  c->add_option("--simplify-m", o.simplify_m, "Simplification tolerance in metres (default half a cell)")
      ->check(finite_range(0, 2000));
  c->add_flag("!--no-per-service", o.per_service, "Only the union circle, no per-service polygons");
  c->add_flag("--geotiff", o.geotiff, "Also write circle_<mode>_minutes.tif (minutes, nodata -1)");
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 256u));
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer(
      "Examples:\n"
      "  legalcircle isochrones --mode walk,ebike,car\n"
      "  legalcircle isochrones --roads roads.osm.pbf --services services.csv --mode walk \\\n"
      "      --minutes 5,10,15 --geotiff -o out/");
  return c;
}

int run_isochrones(const IsochroneOptions& o) {
  Progress progress(o.quiet);
  output_target(o.out_dir, "", "isochrones", false, input_paths(o.inputs, false));  // a wrong -o fails before the work
  StagedOutput out(o.out_dir);  // takes the folder's lock now: a second run fails at once
  const std::vector<Mode> modes = parse_modes(o.modes);
  const std::vector<double> bands = parse_minutes_list(o.minutes, "--minutes");
  if (o.cell_m == 0 || (o.cell_m > 0 && o.cell_m < 1)) throw ConfigError("--cell-m must be at least 1 metre");
  const unsigned threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  nlohmann::ordered_json timings;
  const Inputs in = load_inputs(o.inputs, modes, false, progress, timings);
  const std::vector<ModeIsochrones> runs = isochrones_by_mode(in.world, modes, bands, o.cell_m, o.simplify_m,
                                                               o.per_service, threads, progress);
  nlohmann::ordered_json summary;
  summary["command"] = "isochrones";
  summary["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"synthetic_embedded_default", in.embedded}};
  summary["bands_minutes"] = bands;
  for (const ModeIsochrones& m : runs) {
    const std::string name(mode_name(m.spec.mode));
    timings[name + "_circle_s"] = m.circle_s;
    if (o.per_service) {
      timings[name + "_per_service_s"] = m.per_service_s;
      summary["modes"][name]["per_service_polygons_per_s"] =
          m.per_service_s > 0 ? double(in.world.services().size()) / m.per_service_s : 0.0;
    }
    summary["modes"][name]["cell_m"] = m.spec.cell_m;
    summary["modes"][name]["raster"] = {{"width", m.circle.raster.grid.width}, {"height", m.circle.raster.grid.height}};
    for (const BandPolygon& b : m.circle.bands) summary["modes"][name]["circle_area_km2"][fixed(b.minutes, 0)] = b.area_km2;
  }
  summary["attribution"] = attribution(in);

  progress.begin("writing " + o.out_dir);
  write_geojson(out.path("circle.geojson"), "circle", isochrone_circle_table(runs));
  if (o.per_service) write_geojson(out.path("isochrones.geojson"), "isochrones", isochrone_service_table(in.world, runs));
  if (o.geotiff)
    for (const ModeIsochrones& m : runs) {
      const std::string tif = "circle_" + std::string(mode_name(m.spec.mode)) + "_minutes.tif";
      if (m.circle.raster.grid.width <= 0 || m.circle.raster.grid.height <= 0) {
        const std::string w = tif + " not written: no location is reachable by " + std::string(mode_name(m.spec.mode));
        progress.warn(w);
        summary["warnings"].push_back(w);
        continue;
      }
      write_minutes_geotiff(out.path(tif), m.circle.raster);
    }
  timings["write_s"] = progress.end();
  summary["timings"] = timings;
  write_text_file(out.path("isochrones_summary.json"), summary.dump(2) + "\n");
  out.commit();
  progress.note("wrote circle.geojson" + std::string(o.per_service ? ", isochrones.geojson" : "") +
                " to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
