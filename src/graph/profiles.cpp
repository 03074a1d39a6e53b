#include "legalcircle/graph/profiles.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <yaml-cpp/yaml.h>

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

// ---------------------------------------------------------------------------------------------
// YAML loading: start from the defaults, every key present replaces the default value whole.

namespace {

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& what) const {
    throw ConfigError(path_ + ":" + std::to_string(node.Mark().line + 1) + ": key '" + key +
                      "': " + what);
  }

  template <class T>
  T scalar(const YAML::Node& node, const std::string& key, const char* type) const {
    if (!node.IsScalar()) fail(node, key, std::string("expected ") + type);
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      fail(node, key, std::string("expected ") + type + ", got '" + node.Scalar() + "'");
    }
  }

  double number(const YAML::Node& node, const std::string& key, bool positive) const {
    double v = scalar<double>(node, key, "a number");
    if (!std::isfinite(v) || v < 0 || (positive && v == 0))
      fail(node, key, positive ? "expected a positive number" : "expected a number >= 0");
    return v;
  }

  std::set<std::string> string_set(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list of strings");
    std::set<std::string> out;
    for (const auto& item : node) out.insert(scalar<std::string>(item, key, "a string"));
    return out;
  }

  void expect_map(const YAML::Node& node, const std::string& key) const {
    if (!node.IsMap()) fail(node, key, "expected a mapping");
  }

  void load_mode(const YAML::Node& node, const std::string& prefix, ModeProfile& m) const {
    expect_map(node, prefix);
    for (const auto& kv : node) {
      const std::string name = kv.first.as<std::string>();
      const std::string key = prefix + "." + name;
      const YAML::Node& v = kv.second;
      if (name == "default_speed_kmh") {
        m.default_speed_kmh = number(v, key, false);
      } else if (name == "class_speed_kmh") {
        expect_map(v, key);
        m.class_speed_kmh.clear();
        for (const auto& c : v) {
          const std::string cls = c.first.as<std::string>();
          m.class_speed_kmh[cls] = number(c.second, key + "." + cls, true);
        }
      } else if (name == "allowlist") {
        m.allowlist = scalar<bool>(v, key, "true or false");
      } else if (name == "excluded_highways") {
        m.excluded_highways = string_set(v, key);
      } else if (name == "allowed_with_tag") {
        expect_map(v, key);
        m.allowed_with_tag.clear();
        for (const auto& c : v) {
          const std::string cls = c.first.as<std::string>();
          const std::string ckey = key + "." + cls;
          expect_map(c.second, ckey);
          std::pair<std::string, std::set<std::string>> rule;
          bool has_key = false, has_values = false;
          for (const auto& f : c.second) {
            const std::string fname = f.first.as<std::string>();
            if (fname == "key") {
              rule.first = scalar<std::string>(f.second, ckey + ".key", "a string");
              has_key = true;
            } else if (fname == "values") {
              rule.second = string_set(f.second, ckey + ".values");
              has_values = true;
            } else {
              fail(f.first, ckey + "." + fname, "unknown key (expected key, values)");
            }
          }
          if (!has_key || !has_values) fail(c.second, ckey, "needs both 'key' and 'values'");
          m.allowed_with_tag[cls] = std::move(rule);
        }
      } else if (name == "access_tags") {
        if (!v.IsSequence()) fail(v, key, "expected a list of strings");
        m.access_tags.clear();
        for (const auto& item : v) m.access_tags.push_back(scalar<std::string>(item, key, "a string"));
      } else if (name == "denied_access") {
        m.denied_access = string_set(v, key);
      } else if (name == "respect_oneway") {
        m.respect_oneway = scalar<bool>(v, key, "true or false");
      } else if (name == "oneway_exception_tag") {
        m.oneway_exception_tag = scalar<std::string>(v, key, "a string");
      } else if (name == "motorway_implies_oneway") {
        m.motorway_implies_oneway = scalar<bool>(v, key, "true or false");
      } else if (name == "use_maxspeed") {
        m.use_maxspeed = scalar<bool>(v, key, "true or false");
      } else {
        fail(kv.first, key, "unknown key");
      }
    }
  }

  Profiles load() const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) throw ConfigError(path_ + ": file not found");
    YAML::Node root;
    try {
      root = YAML::LoadFile(path_);
    } catch (const YAML::ParserException& e) {
      throw ConfigError(path_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    } catch (const YAML::Exception& e) {
      throw ConfigError(path_ + ": " + e.what());
    }
    Profiles p = default_profiles();
    if (root.IsNull()) return p;
    expect_map(root, "(top level)");
    for (const auto& kv : root) {
      const std::string name = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (name == "access_leg_kmh") {
        p.access_leg_kmh = number(v, name, true);
      } else if (name == "max_snap_m") {
        p.max_snap_m = number(v, name, false);
      } else if (name == "modes") {
        expect_map(v, name);
        for (const auto& m : v) {
          const std::string mname = m.first.as<std::string>();
          Mode mode{};
          try {
            mode = parse_mode(mname);
          } catch (const ConfigError&) {
            fail(m.first, "modes." + mname, "unknown mode (expected walk, ebike or car)");
          }
          load_mode(m.second, "modes." + mname, p[mode]);
        }
      } else {
        fail(kv.first, name, "unknown key");
      }
    }
    return p;
  }

 private:
  std::string path_;
};

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

Profiles load_profiles(const std::string& path) { return Loader(path).load(); }

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
