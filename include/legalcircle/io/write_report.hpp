#pragma once
// report.html: one self-contained page for officials (headline figures, an inline SVG map, county
// and town tables, uncovered villages, the planning result, the method), built from the files a
// `legalcircle run` wrote. It loads nothing from outside the file (intranets are offline).
#include <string>

namespace legalcircle {

// Reads OUT_DIR's summary.json and layers (<layer>.geojson / .csv, else the layer in
// legalcircle.gpkg) and returns the page. lang: "zh" (default) or "en"; anything else is a
// ConfigError. A missing or unreadable summary.json / demand layer is an InputError naming the
// file; optional layers (plan, gaps, circle, rollups) may be absent and their section says so.
std::string render_report(const std::string& out_dir, const std::string& lang);

// render_report() written to path (temporary file + rename; OutputError naming path).
void write_report(const std::string& out_dir, const std::string& lang, const std::string& path);

}  // namespace legalcircle
