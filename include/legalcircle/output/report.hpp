#pragma once
// report.html: one self-contained page for officials (headline figures, an inline SVG map, county
// and town tables, uncovered villages, the planning result, the method). It loads nothing from
// outside the file (intranets are offline). `legalcircle run` renders it from its result in
// memory; `legalcircle report OUT_DIR` from a folder a run wrote earlier. Both give the same page.
#include <string>

#include <nlohmann/json.hpp>

#include "legalcircle/io/read_layers.hpp"
#include "legalcircle/output/layers.hpp"

namespace legalcircle {

struct ReportInput {
  nlohmann::ordered_json summary;  // as summary.json
  LayerRows demand, services, circle, gaps, plan, rollup_county, rollup_town, plan_rollup;
  LayerRows roads;  // the roads the map draws (map_road_rows): main classes, or all when few
  LayerRows demand_areas;  // polygon demand units (optional): drawn as areas, with town and county boundaries
  std::string comparison_section;  // HTML of the comparison with the scenario's baseline (attach_baseline), or ""
};

// From a run's summary and layers, in memory.
ReportInput report_input(const nlohmann::ordered_json& summary, const ScenarioLayers& layers);
// From OUT_DIR's summary.json and layers (<layer>.geojson / .csv, else the layer in
// legalcircle.gpkg). A missing or unreadable summary.json or demand layer is an InputError naming
// the file; optional layers (plan, gaps, circle, rollups) may be absent and their section says so.
ReportInput read_report_input(const std::string& out_dir);

// lang: "zh" or "en"; anything else is a ConfigError.
std::string render_report(const ReportInput& input, const std::string& lang);
// render_report() written to path (temporary file + rename; OutputError naming path).
void write_report(const ReportInput& input, const std::string& lang, const std::string& path);

}  // namespace legalcircle
