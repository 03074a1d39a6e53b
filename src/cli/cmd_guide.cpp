// legalcircle guide SCENARIO.yaml -o FOLDER: the service guide maps (服务指引地图) — one A4 page
// per service point (PDF and PNG), a page per town listing its points, one combined PDF, and
// the villages of every point as a table. `legalcircle run --guide-maps` writes the same into
// its folder's guide/ (reusing the run's per-service isochrones).
#include <filesystem>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"
#include "legalcircle/io/svg_pages.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/guide_maps.hpp"
#include "legalcircle/output/summary.hpp"
#include "legalcircle/pipeline/guide.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_guide_command(CLI::App& app, GuideOptions& o) {
  CLI::App* c = app.add_subcommand(
      "guide",
      "Service guide maps (服务指引地图) for posting at every station: one A4 page per service\n"
      "point with its name, tier and address, its 5/10/15-minute areas by walk and e-bike, the\n"
      "roads with names, the villages it is the nearest point for with their minutes by mode,\n"
      "north arrow, scale bar, date and data credit; a page per town listing its points.\n"
      "Writes guide_maps.pdf (every page), stations/ID.pdf + .png, towns/TOWN.pdf + .png,\n"
      "guide_villages.csv, guide_index.csv and guide.json. Settings: the scenario's guide_maps:\n"
      "section (docs/guide-maps.md).");
  c->add_option("scenario", o.scenario, "Scenario YAML (the same file `legalcircle run` takes)")->required();
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_option("--station", o.stations, "Only these service ids (repeat or comma-separate; default: every one)")
      ->delimiter(',');
  c->add_option("--lang", o.lang, "zh (default: the scenario's outputs.lang) or en")->check(CLI::IsMember({"zh", "en"}));
  c->add_option("--png-width", o.png_width, "Width of each page's PNG in pixels (1240 = 150 dpi on A4)")
      ->capture_default_str()
      ->check(CLI::Range(200, 6000));
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 256u));
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr (warnings are still printed)");
  c->footer(
      "Examples:\n"
      "  legalcircle guide configs/synthetic-county.yaml -o out/guide\n"
      "  legalcircle guide configs/synthetic-county.yaml --station C330499,T330499100 -o out/two-stations\n"
      "  legalcircle run configs/synthetic-county.yaml --guide-maps -o out/synthetic   # into out/synthetic/guide/");
  return c;
}

GuideWriteResult write_guide_maps(StagedOutput& out, const std::string& prefix, const World& world, const Scenario& sc,
                                  const ScenarioResult* base, const std::vector<std::string>& service_tier,
                                  const GuideWriteSettings& settings, Progress& progress,
                                  std::vector<std::string>& warnings) {
  GuideWriteResult result;
  const GuideData data = guide_data(world, sc, settings.threads, progress, base);
  warnings.insert(warnings.end(), data.warnings.begin(), data.warnings.end());
  GuideText text;
  text.title = sc.title;
  text.date = settings.date;
  text.zh = settings.lang != "en";
  // No credit is the county's own data (as the QGIS layout says), never someone else's.
  text.attribution = !settings.attribution.empty() ? settings.attribution : text.zh ? "本地数据" : "local data";
  if (auto problem = cjk_font_problem(text.font_family)) {
    const std::string w = "guide maps: " + *problem;
    progress.warn(w);
    warnings.push_back(w);
  }
  progress.begin("guide maps: drawing pages");
  GuideBook book = guide_book(world, sc, data, service_tier, text);
  if (!settings.stations.empty()) {
    std::vector<GuidePage> kept;
    for (const std::string& id : settings.stations) {
      bool found = false;
      for (const GuidePage& p : book.pages)
        if (p.kind == GuidePage::Kind::station && p.key == id) kept.push_back(p), found = true;
      if (!found) {
        std::string ids;
        for (std::size_t i = 0; i < world.services().size() && i < 8; ++i) ids += (i ? ", " : "") + world.services()[i].id;
        throw ConfigError("--station " + id + ": no service point has this id (ids such as: " + ids + ")");
      }
    }
    book.pages = std::move(kept);
  }
  progress.end(std::to_string(book.pages.size()) + " pages");
  progress.begin("guide maps: printing PDF and PNG");
  // Paths first (the staging folder's list is not for threads), then every page and the combined
  // PDF printed in parallel, each into its own file; the combined one first, as the longest.
  std::vector<std::string> all, pdf_paths, png_paths;
  for (const GuidePage& p : book.pages) {
    pdf_paths.push_back(out.path(prefix + p.file_stem + ".pdf"));
    png_paths.push_back(out.path(prefix + p.file_stem + ".png"));
    all.push_back(p.svg);
    if (p.kind == GuidePage::Kind::station) ++result.station_pages;
    else ++result.town_pages;
  }
  const std::string combined = out.path(prefix + "guide_maps.pdf");
  parallel_for(
      book.pages.size() + 1, settings.threads, [] { return 0; },
      [&](int&, std::size_t i) {
        if (i == 0) {
          write_binary_file(combined, pdf_from_svg(all, kA4WidthPt, kA4HeightPt, {sc.title, settings.date},
                                                   prefix + "guide_maps.pdf"));
          return;
        }
        const GuidePage& p = book.pages[i - 1];
        const std::string what = prefix + p.file_stem;
        write_binary_file(pdf_paths[i - 1],
                          pdf_from_svg({p.svg}, kA4WidthPt, kA4HeightPt, {p.title, settings.date}, what + ".pdf"));
        write_binary_file(png_paths[i - 1], png_from_svg(p.svg, settings.png_width, what + ".png"));
      });
  write_csv(out.path(prefix + "guide_villages.csv"), book.villages, sc.outputs.csv_bom);
  write_csv(out.path(prefix + "guide_index.csv"), book.index, sc.outputs.csv_bom);
  progress.end(std::to_string(result.station_pages) + " station pages, " + std::to_string(result.town_pages) +
               " town pages");
  result.pages = book.pages.size();
  return result;
}

int run_guide(const GuideOptions& o) {
  Progress progress(o.quiet);
  Scenario sc = load_scenario(o.scenario);
  sc.guide_maps.enabled = true;  // the graph needs the guide's modes
  const std::vector<std::string> reads = {sc.file, sc.inputs.roads.path, sc.inputs.services.path,
                                          sc.inputs.demand.path, sc.profiles.file};
  output_target(o.out_dir, "", "guide", false, reads);
  StagedOutput out(o.out_dir);
  RunRecord record;
  const World world = load_scenario_world(sc, scenario_modes(sc), progress, record);
  world.check_usable(sc.guide_maps.modes);
  std::vector<std::string> warnings = record.warnings;
  const std::vector<std::string> tiers = service_tiers(sc, world, &warnings);
  GuideWriteSettings settings;
  settings.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  settings.date = local_run_date().substr(0, 10);
  settings.attribution = record.attribution;
  settings.lang = o.lang.empty() ? sc.outputs.lang : o.lang;
  settings.stations = o.stations;
  settings.png_width = o.png_width;
  const GuideWriteResult r = write_guide_maps(out, "", world, sc, nullptr, tiers, settings, progress, warnings);
  nlohmann::ordered_json j;
  j["scenario"] = sc.file;
  j["date"] = settings.date;
  j["attribution"] = settings.attribution;
  j["pages"] = r.pages;
  j["station_pages"] = r.station_pages;
  j["town_pages"] = r.town_pages;
  j["warnings"] = warnings;
  write_text_file(out.path("guide.json"), j.dump(2) + "\n");
  out.commit();
  progress.note("wrote " + std::to_string(r.pages) + " guide map pages (guide_maps.pdf, stations/, towns/) to " +
                o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
