#include "common.hpp"

#include "legalcircle/io/postgis.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "legalcircle/config/load_profiles.hpp"
#include "legalcircle/core/error.hpp"

namespace legalcircle::cli {

namespace {
bool g_line_open = false;  // stderr ends in an unfinished stage line
}  // namespace

void Progress::break_open_line() {
  if (g_line_open) std::cerr << '\n';
  g_line_open = false;
}

void Progress::begin(const std::string& stage) {
  stage_ = stage;
  start_ = std::chrono::steady_clock::now();
  if (!quiet_) {
    break_open_line();
    std::cerr << "legalcircle: " << redact_connection(stage) << " ..." << std::flush;
    g_line_open = true;
  }
}

double Progress::end(const std::string& detail) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (!quiet_) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    if (g_line_open) std::cerr << ' ' << buf << (detail.empty() ? "" : " (" + detail + ")") << '\n';
    else std::cerr << "legalcircle: " << stage_ << ": " << buf << (detail.empty() ? "" : " (" + detail + ")") << '\n';
    g_line_open = false;
  }
  return s;
}

void Progress::stage_end(double seconds, std::string_view detail) {
  if (!quiet_) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", seconds);
    if (g_line_open) std::cerr << ' ' << buf << (detail.empty() ? "" : " (" + std::string(detail) + ")") << '\n';
    else std::cerr << "legalcircle: " << stage_ << ": " << buf << (detail.empty() ? "" : " (" + std::string(detail) + ")") << '\n';
    g_line_open = false;
  }
}

void Progress::note(std::string_view message) {
  if (quiet_) return;
  break_open_line();
  std::cerr << "legalcircle: " << redact_connection(std::string(message)) << '\n';
}

void Progress::warn(const std::string& message) const {
  break_open_line();
  std::cerr << "legalcircle: warning: " << redact_connection(message) << '\n';
}

Profiles profiles_from(const std::string& path) {
  return path.empty() ? default_profiles() : load_profiles(path);
}

std::vector<Mode> parse_modes(const std::string& list) {
  std::vector<Mode> modes;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    const Mode m = parse_mode(item);
    bool seen = false;
    for (Mode x : modes) seen = seen || x == m;
    if (!seen) modes.push_back(m);
  }
  if (modes.empty()) throw ConfigError("--mode: give at least one of walk, ebike, car");
  return modes;
}

void add_road_field_options(CLI::App& c, RoadFieldMapping& m) {
  const char* group = "GIS road layers (ignored for OSM files)";
  c.add_option("--road-layer", m.layer, "Layer of the roads file (default: first)")->group(group);
  c.add_option("--road-class-field", m.class_field, "Field holding the OSM highway class")
      ->capture_default_str()->group(group);
  c.add_option("--road-oneway-field", m.oneway_field, "Field holding OSM oneway values")
      ->capture_default_str()->group(group);
  c.add_option("--road-speed-field", m.speed_field,
               "Field holding the speed in km/h (read as maxspeed: used when the profile has "
               "use_maxspeed: true)")
      ->capture_default_str()->group(group);
  c.add_option("--road-name-field", m.name_field, "Field holding the road name")
      ->capture_default_str()->group(group);
  c.add_option("--road-snap-m", m.vertex_snap_m,
               "Vertices of different lines closer than this are joined")
      ->capture_default_str()->group(group);
  c.add_option("--road-encoding", m.encoding, "Shapefile attribute encoding (e.g. GBK)")->group(group);
  c.add_option_function<std::string>(
       "--road-class-map",
       [&m](const std::string& list) {
         std::stringstream in(list);
         std::string item;
         while (std::getline(in, item, ',')) {
           const auto eq = item.find('=');
           if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
             throw ConfigError("--road-class-map: expected value=class pairs, e.g. 机耕路=track,高架路=trunk; got '" +
                               item + "'");
           const std::string to = item.substr(eq + 1);
           if (!is_known_highway_class(to))
             throw ConfigError("--road-class-map: '" + to + "' is not an OSM highway class (e.g. primary, track)");
           m.class_map[item.substr(0, eq)] = to;
         }
       },
       "Class values of the road layer as OSM classes, e.g. 机耕路=track (China's grades 国道 ... 村道 "
       "and 快速路 ... 支路 are mapped by default)")
      ->group(group);
}

std::string default_geodata_dir() {
  return (std::filesystem::path(LEGALCIRCLE_SOURCE_DIR) / "geodata" / "synthetic-county").string();
}

namespace {
std::string shortest(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}
}  // namespace

CLI::Validator finite_range(double lo, double hi) {
  const std::string range = "[" + shortest(lo) + ", " + shortest(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(text, &used);
          if (used != text.size()) return "'" + text + "' is not a number";
        } catch (const std::exception&) {
          return "'" + text + "' is not a number";
        }
        if (!std::isfinite(v) || v < lo || v > hi) return text + " is outside " + range;
        return "";
      },
      "in " + range);
}

}  // namespace legalcircle::cli
