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
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/io/write_outputs.hpp"
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
  c->add_option("--cell-m", o.cell_m, "Raster cell size in metres (default 50 walk, 100 ebike, 100 car)");
  c->add_option("--simplify-m", o.simplify_m, "Simplification tolerance in metres (default half a cell)");
  c->add_flag("!--no-per-service", o.per_service, "Only the union circle, no per-service polygons");
  c->add_flag("--geotiff", o.geotiff, "Also write circle_<mode>_minutes.tif (minutes, nodata -1)");
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer(
      "Examples:\n"
      "  legalcircle isochrones --mode walk,ebike,car\n"
      "  legalcircle isochrones --roads roads.osm.pbf --services services.csv --mode walk \\\n"
      "      --minutes 5,10,15 --geotiff -o out/");
  return c;
}

namespace {

struct ServiceBands {
  std::vector<BandPolygon> bands;
};

}  // namespace

int run_isochrones(const IsochroneOptions& o) {
  Progress progress(o.quiet);
  const std::vector<Mode> modes = parse_modes(o.modes);
  const std::vector<double> bands = parse_minutes_list(o.minutes, "--minutes");
  if (o.cell_m == 0 || (o.cell_m > 0 && o.cell_m < 1)) throw ConfigError("--cell-m must be at least 1 metre");
  const unsigned threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  nlohmann::ordered_json timings;
  const Inputs in = load_inputs(o.inputs, modes, false, progress, timings);
  const std::vector<LonLat> service_xy = in.world.service_xy();
  const std::vector<PointRecord>& services = in.world.services();

  Table circle;
  circle.columns = {{"minutes", Column::Type::real}, {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  Table per_service;
  per_service.columns = {{"service_id", Column::Type::text}, {"name", Column::Type::text},
                         {"minutes", Column::Type::real}, {"mode", Column::Type::text},
                         {"area_km2", Column::Type::real}};
  std::vector<std::pair<std::string, TimeRaster>> geotiffs;
  nlohmann::ordered_json summary;
  summary["command"] = "isochrones";
  summary["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"synthetic_embedded_default", in.embedded}};
  summary["bands_minutes"] = bands;

  for (Mode mode : modes) {
    const std::string name(mode_name(mode));
    const double cell_m = o.cell_m > 0 ? o.cell_m : default_cell_m(mode);
    CircleSpec spec;
    spec.mode = mode;
    spec.bands_minutes = bands;
    spec.cell_m = cell_m;
    spec.simplify_m = o.simplify_m;
    spec.threads = threads;

    progress.begin(name + ": union circle");
    const SnapGrid snaps = circle_snap_grid(in.world, spec, service_xy);
    const Circle circle_of_mode = union_circle(in.world, spec, service_xy, &snaps);
    const TimeRaster& raster = circle_of_mode.raster;
    const std::vector<BandPolygon>& union_bands = circle_of_mode.bands;
    timings[name + "_circle_s"] =
        progress.end(std::to_string(raster.grid.width) + "x" + std::to_string(raster.grid.height) + " cells");
    for (const BandPolygon& b : union_bands) {
      circle.rows.push_back({fixed(b.minutes, 2), name, fixed(b.area_km2, 4)});
      circle.wkb.push_back(b.wkb);
    }
    for (uint32_t i : circle_of_mode.unsnapped_services)
      progress.warn(name + ": service " + services[i].id + " is farther than " +
                    fixed(in.world.profiles().max_snap_m, 0) + " m from a usable road: no isochrone");
    if (o.geotiff) geotiffs.emplace_back("circle_" + name + "_minutes.tif", raster);

    if (o.per_service) {
      progress.begin(name + ": " + std::to_string(services.size()) + " per-service isochrones on " +
                     std::to_string(threads) + " threads");
      const auto results = per_service_isochrones(in.world, spec, service_xy, snaps);
      const double t_ps = progress.end();
      timings[name + "_per_service_s"] = t_ps;
      summary["modes"][name]["per_service_polygons_per_s"] =
          t_ps > 0 ? double(services.size()) / t_ps : 0.0;
      for (std::size_t i = 0; i < services.size(); ++i)
        for (const BandPolygon& b : results[i]) {
          if (b.wkb.empty()) continue;
          per_service.rows.push_back({services[i].id, services[i].name, fixed(b.minutes, 2), name, fixed(b.area_km2, 4)});
          per_service.wkb.push_back(b.wkb);
        }
    }
    summary["modes"][name]["cell_m"] = cell_m;
    summary["modes"][name]["raster"] = {{"width", raster.grid.width}, {"height", raster.grid.height}};
    for (const BandPolygon& b : union_bands)
      summary["modes"][name]["circle_area_km2"][fixed(b.minutes, 0)] = b.area_km2;
  }
  summary["attribution"] = attribution(in);

  progress.begin("writing " + o.out_dir);
  StagedOutput out(o.out_dir);
  write_geojson(out.path("circle.geojson"), "circle", circle);
  if (o.per_service) write_geojson(out.path("isochrones.geojson"), "isochrones", per_service);
  for (const auto& [file, raster] : geotiffs) write_minutes_geotiff(out.path(file), raster);
  timings["write_s"] = progress.end();
  summary["timings"] = timings;
  write_text_file(out.path("isochrones_summary.json"), summary.dump(2) + "\n");
  out.commit();
  progress.note("wrote circle.geojson" + std::string(o.per_service ? ", isochrones.geojson" : "") +
                " to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
