#pragma once
// Mode profiles (walk / ebike / car) as DESIGN.md states them, and the per-way rule evaluation.
// Defaults live in default_profiles() and, identically, in configs/profiles.yaml.
#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace legalcircle {

enum class Mode : uint8_t { walk = 0, ebike = 1, car = 2 };
inline constexpr std::size_t kModeCount = 3;
inline constexpr std::array<Mode, kModeCount> kAllModes = {Mode::walk, Mode::ebike, Mode::car};

std::string_view mode_name(Mode m);
// Throws ConfigError naming the value when it is not walk, ebike or car.
Mode parse_mode(std::string_view name);

// The OSM tags of a way that the profiles look at (highway, oneway, access tags, ...).
// A sorted small vector: ways carry few tags, lookups are linear.
struct Tags {
  std::vector<std::pair<std::string, std::string>> kv;
  // Value of key, or nullptr when absent.
  const std::string* get(std::string_view key) const;
  void set(std::string key, std::string value);
};

struct ModeProfile {
  Mode mode = Mode::walk;
  // Speed for every allowed highway class unless class_speed_kmh names the class.
  double default_speed_kmh = 4.5;
  // Per-class speeds. When allowlist is true only these classes are allowed (car).
  std::map<std::string, double> class_speed_kmh;
  bool allowlist = false;
  // Classes never allowed (walk, ebike).
  std::set<std::string> excluded_highways;
  // Excluded class allowed after all when a tag has one of the values, e.g. ebike on
  // footway with bicycle=yes|designated|permissive: class -> (key, values).
  std::map<std::string, std::pair<std::string, std::set<std::string>>> allowed_with_tag;
  // Access tags, most specific first; the first present decides.
  std::vector<std::string> access_tags;
  std::set<std::string> denied_access;
  bool respect_oneway = false;
  // Tag that cancels oneway for this mode when it has value "no" (ebike: oneway:bicycle).
  std::string oneway_exception_tag;
  bool motorway_implies_oneway = false;  // car: highway=motorway without oneway tag is forward
  bool use_maxspeed = false;             // use the maxspeed tag (km/h) when present and numeric
};

struct Profiles {
  std::array<ModeProfile, kModeCount> modes;
  double access_leg_kmh = 4.5;  // the walked leg between a point and its snapped position
  double max_snap_m = 1000.0;   // strictly farther than this: the point is unreachable
  const ModeProfile& operator[](Mode m) const { return modes[static_cast<std::size_t>(m)]; }
  ModeProfile& operator[](Mode m) { return modes[static_cast<std::size_t>(m)]; }
};

// The DESIGN.md defaults.
Profiles default_profiles();
// load_profiles() (YAML) is in config/load_profiles.hpp: graph/ reads no files.

// What a way means for one mode.
struct WayRule {
  bool allowed = false;
  bool forward = false;   // travel along the way's node order allowed
  bool backward = false;  // travel against the way's node order allowed
  double speed_kmh = 0.0;
};

// Evaluates the highway class, access hierarchy, oneway rules and speed of a way for a mode.
WayRule evaluate_way(const ModeProfile& profile, const Tags& tags);

}  // namespace legalcircle
