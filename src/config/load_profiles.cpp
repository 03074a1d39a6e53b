#include "legalcircle/config/load_profiles.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {

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

  // Speeds and distances a road network can have: a 1e300 km/h access leg would make every snap
  // free without a word.
  double bounded(const YAML::Node& node, const std::string& key, double lo, double hi, const char* unit) const {
    const double v = number(node, key, false);
    if (v < lo || v > hi) {
      std::ostringstream range;
      range << "expected " << lo << " to " << hi << " " << unit;
      fail(node, key, range.str());
    }
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
        m.default_speed_kmh = bounded(v, key, 0, 300, "km/h");
      } else if (name == "class_speed_kmh") {
        expect_map(v, key);
        m.class_speed_kmh.clear();
        for (const auto& c : v) {
          const std::string cls = c.first.as<std::string>();
          m.class_speed_kmh[cls] = bounded(c.second, key + "." + cls, 0.1, 300, "km/h");
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
        p.access_leg_kmh = bounded(v, name, 0.5, 30, "km/h");
      } else if (name == "max_snap_m") {
        p.max_snap_m = bounded(v, name, 0, 100000, "metres");
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

}  // namespace

Profiles load_profiles(const std::string& path) { return Loader(path).load(); }

}  // namespace legalcircle
