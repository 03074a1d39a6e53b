#include "legalcircle/graph/profiles.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>


#include "legalcircle/core/error.hpp"

namespace legalcircle {

std::string_view mode_name(Mode m) {
  switch (m) {
    case Mode::walk: return "walk";
    case Mode::ebike: return "ebike";
    case Mode::car: return "car";
  }
  return "?";
}

Mode parse_mode(std::string_view name) {
  for (Mode m : kAllModes)
    if (mode_name(m) == name) return m;
  throw ConfigError("unknown mode '" + std::string(name) + "' (expected walk, ebike or car)");
}

const std::string* Tags::get(std::string_view key) const {
  for (const auto& [k, v] : kv)
    if (k == key) return &v;
  return nullptr;
}

void Tags::set(std::string key, std::string value) {
  auto it = std::lower_bound(kv.begin(), kv.end(), key,
                             [](const auto& p, const std::string& k) { return p.first < k; });
  if (it != kv.end() && it->first == key)
    it->second = std::move(value);
  else
    kv.emplace(it, std::move(key), std::move(value));
}

Profiles default_profiles() {
  Profiles p;
  const std::set<std::string> never = {"construction", "proposed", "raceway", "bus_guideway",
                                       "abandoned", "platform"};

  ModeProfile& walk = p[Mode::walk];
  walk.mode = Mode::walk;
  walk.default_speed_kmh = 4.5;
  walk.excluded_highways = never;
  walk.excluded_highways.insert({"motorway", "motorway_link", "trunk", "trunk_link"});
  walk.access_tags = {"foot", "access"};
  walk.denied_access = {"no", "private", "agricultural", "forestry", "delivery"};
  walk.respect_oneway = false;

  ModeProfile& ebike = p[Mode::ebike];
  ebike.mode = Mode::ebike;
  ebike.default_speed_kmh = 15.0;
  ebike.excluded_highways = never;
  ebike.excluded_highways.insert({"motorway", "motorway_link", "trunk", "trunk_link", "footway",
                                  "pedestrian", "steps", "bridleway", "corridor"});
  const std::pair<std::string, std::set<std::string>> bicycle_ok = {
      "bicycle", {"yes", "designated", "permissive"}};
  ebike.allowed_with_tag = {{"footway", bicycle_ok}, {"pedestrian", bicycle_ok}};
  ebike.access_tags = {"bicycle", "vehicle", "access"};
  ebike.denied_access = {"no", "private", "agricultural", "forestry", "delivery", "use_sidepath"};
  ebike.respect_oneway = true;
  ebike.oneway_exception_tag = "oneway:bicycle";

  ModeProfile& car = p[Mode::car];
  car.mode = Mode::car;
  car.default_speed_kmh = 0.0;  // unused: allowlist
  car.allowlist = true;
  car.class_speed_kmh = {{"motorway", 100},     {"motorway_link", 60}, {"trunk", 80},
                         {"trunk_link", 50},    {"primary", 60},       {"primary_link", 40},
                         {"secondary", 50},     {"secondary_link", 40}, {"tertiary", 40},
                         {"tertiary_link", 30}, {"unclassified", 30},  {"residential", 25},
                         {"living_street", 10}, {"service", 15},       {"road", 20},
                         {"track", 15}};
  car.access_tags = {"motorcar", "motor_vehicle", "vehicle", "access"};
  car.denied_access = {"no",        "private", "agricultural", "forestry",
                       "emergency", "psv",     "customers",    "delivery"};
  car.respect_oneway = true;
  car.motorway_implies_oneway = true;
  car.use_maxspeed = false;

  p.access_leg_kmh = 4.5;
  p.max_snap_m = 1000.0;
  return p;
}

namespace {

// Leading number of a maxspeed value in km/h ("50", "50 km/h", "30 mph"); NaN otherwise
// ("none", "signals", "RU:urban", "50;60").
double parse_maxspeed(const std::string& s) {
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  while (begin < end && *begin == ' ') ++begin;
  double v = 0;
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec != std::errc() || !(v > 0)) return std::nan("");
  std::string unit(ptr, end);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return v;
  if (unit == "mph") return v * 1.609344;
  return std::nan("");
}

}  // namespace

WayRule evaluate_way(const ModeProfile& profile, const Tags& tags) {
  WayRule rule;
  const std::string* highway = tags.get("highway");
  if (!highway) return rule;

  // Highway class.
  auto class_speed = profile.class_speed_kmh.find(*highway);
  if (profile.allowlist) {
    if (class_speed == profile.class_speed_kmh.end()) return rule;
  } else if (profile.excluded_highways.count(*highway)) {
    auto exception = profile.allowed_with_tag.find(*highway);
    if (exception == profile.allowed_with_tag.end()) return rule;
    const std::string* value = tags.get(exception->second.first);
    if (!value || !exception->second.second.count(*value)) return rule;
  }

  // Access: the most specific tag present decides.
  for (const std::string& key : profile.access_tags) {
    if (const std::string* value = tags.get(key)) {
      if (profile.denied_access.count(*value)) return rule;
      break;
    }
  }

  rule.allowed = true;
  rule.forward = rule.backward = true;
  if (profile.respect_oneway) {
    const std::string* exception =
        profile.oneway_exception_tag.empty() ? nullptr : tags.get(profile.oneway_exception_tag);
    if (!(exception && *exception == "no")) {
      if (const std::string* oneway = tags.get("oneway")) {
        if (*oneway == "yes" || *oneway == "1" || *oneway == "true")
          rule.backward = false;
        else if (*oneway == "-1")
          rule.forward = false;
      } else {
        const std::string* junction = tags.get("junction");
        if ((junction && *junction == "roundabout") ||
            (profile.motorway_implies_oneway && *highway == "motorway"))
          rule.backward = false;
      }
    }
  }

  rule.speed_kmh = class_speed != profile.class_speed_kmh.end() ? class_speed->second
                                                                : profile.default_speed_kmh;
  if (profile.use_maxspeed) {
    if (const std::string* maxspeed = tags.get("maxspeed")) {
      double v = parse_maxspeed(*maxspeed);
      if (std::isfinite(v)) rule.speed_kmh = v;
    }
  }
  if (!(rule.speed_kmh > 0)) rule = WayRule{};  // a zero speed cannot be travelled
  return rule;
}

}  // namespace legalcircle
