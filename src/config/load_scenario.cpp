#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "legalcircle/io/crs.hpp"
#include "legalcircle/io/text_encoding.hpp"
#include "legalcircle/config/load_profiles.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/error.hpp"

namespace legalcircle {

namespace fs = std::filesystem;

std::string_view to_string(Direction v) {
  return v == Direction::to_service ? "to_service" : "from_service";
}

const Tier* Scenario::find_tier(std::string_view tier_name) const { return legalcircle::find_tier(tiers, tier_name); }

namespace {

std::string join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

std::string index(const std::string& prefix, std::size_t i) {
  return prefix + "[" + std::to_string(i) + "]";
}

// Reads one scenario document. Every accessor takes the node and its full key path, so an
// error can name both the key and the line.
class Reader {
 public:
  Reader(std::string file, const ScenarioLoadOptions& options)
      : file_(std::move(file)), options_(options) {
    dir_ = fs::path(file_).parent_path();
  }

  Scenario load() {
    std::error_code ec;
    if (!fs::is_regular_file(file_, ec)) throw ConfigError(file_ + ": file not found");
    YAML::Node loaded;
    try {
      loaded = YAML::LoadFile(file_);
    } catch (const YAML::ParserException& e) {
      throw ConfigError(file_ + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    } catch (const YAML::Exception& e) {
      throw ConfigError(file_ + ": " + e.what());
    }
    root_ = loaded;
    const YAML::Node& root = root_;
    if (!root.IsMap()) fail(root, "(top level)", "expected a mapping with an 'inputs' key");

    Scenario s;
    s.file = file_;
    s.dir = dir_.string();
    s.name = fs::path(file_).stem().string();
    allow_keys(root, "", {"name", "title", "inputs", "profiles", "tiers", "rules", "standard",
                          "isochrones", "planning", "outputs", "guide_maps", "proposals", "baseline"});
    if (auto n = root["name"]) s.name = text(n, "name");
    s.title = s.name;
    if (auto n = root["title"]) s.title = text(n, "title");

    if (auto n = root["inputs"])
      s.inputs = inputs(n, "inputs");
    else
      fail(root, "inputs", "missing (roads, services and demand are required)");
    if (auto n = root["profiles"]) s.profiles = profiles(n, "profiles");
    else s.profiles.profiles = default_profiles();
    if (auto n = root["tiers"]) s.tiers = tiers(n, "tiers");
    if (auto n = root["rules"]) {
      expect_seq(n, "rules");
      for (std::size_t i = 0; i < n.size(); ++i)
        s.rules.push_back(rule(n[i], index("rules", i), s));
    }
    if (auto n = root["standard"]) s.standard = standard(n, "standard", s);
    if (s.rules.empty() && !s.standard) {
      CoverageRule r;
      r.name = "15min";
      r.threshold_minutes = 15.0;
      r.modes = {Mode::walk, Mode::ebike, Mode::car};
      s.rules.push_back(r);
    }
    if (auto n = root["isochrones"]) s.isochrones = isochrones(n, "isochrones");
    if (auto n = root["planning"]) s.planning = planning(n, "planning", s);
    if (auto n = root["outputs"]) s.outputs = outputs(n, "outputs");
    if (auto n = root["guide_maps"]) s.guide_maps = guide_maps(n, "guide_maps", s);
    if (auto n = root["proposals"]) s.proposals = proposals(n, "proposals", s);
    if (auto n = root["baseline"]) {
      // A folder an earlier `legalcircle run` wrote (its summary.json and layers are read).
      s.baseline = fs::absolute(file_path(n, "baseline")).lexically_normal().string();
      std::error_code missing;
      if (options_.check_files && !fs::exists(fs::path(s.baseline) / "summary.json", missing))
        fail(n, "baseline", "not the output folder of a `legalcircle run` (no summary.json in " + s.baseline + ")");
    }
    cross_checks(s);
    return s;
  }

 private:
  // proposals: {remove: [ids], add: [{id, name, tier, lon, lat}]}
  ServiceEdits proposals(const YAML::Node& node, const std::string& key, const Scenario& s) const {
    allow_keys(node, key, {"remove", "add"});
    ServiceEdits e;
    if (auto n = node["remove"]) e.remove = strings(n, join(key, "remove"));
    std::set<std::string> ids(e.remove.begin(), e.remove.end());
    if (ids.size() != e.remove.size()) fail(node["remove"], join(key, "remove"), "an id is listed twice");
    if (auto n = node["add"]) {
      expect_seq(n, join(key, "add"));
      std::set<std::string> added;
      for (std::size_t i = 0; i < n.size(); ++i) {
        const std::string k = index(join(key, "add"), i);
        const YAML::Node& a = n[i];
        allow_keys(a, k, {"id", "name", "tier", "lon", "lat"});
        ProposedService p;
        if (!a["id"]) fail(a, k, "missing id");
        p.id = text(a["id"], join(k, "id"));
        if (p.id.empty() || !added.insert(p.id).second) fail(a["id"], join(k, "id"), "empty or given twice");
        p.name = a["name"] ? text(a["name"], join(k, "name")) : p.id;
        if (!a["lon"] || !a["lat"]) fail(a, k, "missing lon or lat (WGS 84 degrees)");
        p.where.lon = bounded(a["lon"], join(k, "lon"), -180, 180, "degrees");
        p.where.lat = bounded(a["lat"], join(k, "lat"), -85, 85, "degrees");
        if (auto t = a["tier"]) p.tier = text(t, join(k, "tier"));
        if (!s.tiers.empty()) {
          if (p.tier.empty()) fail(a, k, "missing tier (the scenario defines tiers)");
          if (!s.find_tier(p.tier)) fail(a["tier"], join(k, "tier"), "unknown tier '" + p.tier + "'");
          if (s.inputs.services.tier_field.empty())
            fail(a["tier"], join(k, "tier"), "needs inputs.services.tier_field (the field a tier is read from)");
        } else if (!p.tier.empty()) {
          fail(a["tier"], join(k, "tier"), "the scenario defines no tiers");
        }
        e.add.push_back(std::move(p));
      }
    }
    return e;
  }

  // -- primitives --------------------------------------------------------------------------

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& what) const {
    YAML::Mark mark = node.Mark();
    std::string where = file_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1);
    // The section of docs/scenario.md that describes the key.
    const std::string top = key.substr(0, key.find_first_of(".["));
    const std::string section = top == "inputs" ? (key.find("roads") != std::string::npos ? "roads" : "inputs")
                                : top.empty() || top == "(top level)" || top == "name" || top == "title" ? "top-level"
                                                                                                          : top;
    throw ConfigError(where + ": key '" + key + "': " + what + " (see docs/scenario.md#" + section + ")");
  }

  void expect_map(const YAML::Node& node, const std::string& key) const {
    if (!node.IsMap()) fail(node, key, "expected a mapping");
  }

  void expect_seq(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list");
  }

  // Every key of the mapping must be one of `allowed`.
  void allow_keys(const YAML::Node& node, const std::string& prefix,
                  const std::vector<std::string_view>& allowed) const {
    expect_map(node, prefix.empty() ? "(top level)" : prefix);
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) fail(kv.first, prefix, "keys must be plain names");
      const std::string name = kv.first.Scalar();
      // YAML readers differ on duplicates (yaml-cpp keeps the first): refuse them.
      if (!seen.insert(name).second) fail(kv.first, join(prefix, name), "key given twice");
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, join(prefix, name), "unknown key (expected one of: " + list + ")");
      }
    }
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

  std::string text(const YAML::Node& node, const std::string& key) const {
    std::string v = scalar<std::string>(node, key, "a string");
    // Titles, names and paths end up in summary.json and the report: refused now, not after the run.
    if (!is_valid_utf8(v)) fail(node, key, "is not UTF-8 text (save the scenario as UTF-8)");
    return v;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    return scalar<bool>(node, key, "true or false");
  }

  double number(const YAML::Node& node, const std::string& key, bool positive) const {
    const double v = scalar<double>(node, key, "a number");
    if (!std::isfinite(v) || v < 0 || (positive && v == 0))
      fail(node, key, positive ? "expected a positive number" : "expected a number >= 0");
    return v;
  }

  // A number within [lo, hi]: rasters, bands and cells that could never be computed fail here,
  // at load, not after the work (a 0.001 m cell used to end in bad_alloc).
  double bounded(const YAML::Node& node, const std::string& key, double lo, double hi, const char* unit) const {
    const double v = scalar<double>(node, key, "a number");
    if (!std::isfinite(v) || v < lo || v > hi) {
      std::ostringstream range;
      range << "expected " << lo << " to " << hi << " " << unit;
      fail(node, key, range.str());
    }
    return v;
  }

  int integer(const YAML::Node& node, const std::string& key) const {
    return scalar<int>(node, key, "an integer");
  }

  std::vector<std::string> strings(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(text(node[i], index(key, i)));
    return out;
  }

  Mode mode(const YAML::Node& node, const std::string& key) const {
    const std::string v = text(node, key);
    try {
      return parse_mode(v);
    } catch (const ConfigError&) {
      fail(node, key, "unknown mode '" + v + "' (expected walk, ebike or car)");
    }
  }

  std::vector<Mode> modes(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) fail(node, key, "expected a list of modes (walk, ebike, car)");
    std::vector<Mode> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      Mode m = mode(node[i], index(key, i));
      if (std::find(out.begin(), out.end(), m) != out.end())
        fail(node[i], index(key, i), "mode listed twice");
      out.push_back(m);
    }
    return out;
  }

  AreaClass area_class(const YAML::Node& node, const std::string& key) const {
    const std::string v = text(node, key);
    try {
      return parse_area_class(v);
    } catch (const ConfigError&) {
      fail(node, key, "unknown area class '" + v + "' (expected urban, rural or remote)");
    }
  }

  // A path relative to the scenario's folder; checked to exist unless told otherwise.
  std::string file_path(const YAML::Node& node, const std::string& key) const {
    const std::string v = text(node, key);
    if (v.empty()) fail(node, key, "empty path");
    if (v.rfind("PG:", 0) == 0) return v;  // a PostgreSQL/PostGIS connection: checked when read
    fs::path p(v);
    if (p.is_relative()) p = dir_ / p;
    const std::string resolved = p.lexically_normal().string();
    std::error_code ec;
    if (options_.check_files && !fs::exists(resolved, ec))
      fail(node, key, "file not found: " + resolved);
    return resolved;
  }

  // -- sections ------------------------------------------------------------------------------

  RoadsInput roads(const YAML::Node& node, const std::string& key) const {
    RoadsInput r;
    if (node.IsScalar()) {  // shorthand: `roads: roads.osm.pbf`
      r.path = file_path(node, key);
      return r;
    }
    allow_keys(node, key, {"path", "layer", "class_field", "oneway_field", "speed_field",
                           "name_field", "vertex_snap_m", "encoding", "class_map", "cache"});
    if (auto n = node["path"]) r.path = file_path(n, join(key, "path"));
    else fail(node, join(key, "path"), "missing: the road network file is required");
    if (auto n = node["cache"]) {  // written when absent or stale, so it need not exist yet
      const std::string v = text(n, join(key, "cache"));
      if (v.empty()) fail(n, join(key, "cache"), "empty path");
      fs::path p(v);
      if (p.is_relative()) p = dir_ / p;
      r.cache = p.lexically_normal().string();
    }
    RoadFieldMapping& m = r.mapping;
    if (auto n = node["layer"]) m.layer = text(n, join(key, "layer"));
    if (auto n = node["class_field"]) m.class_field = text(n, join(key, "class_field"));
    if (auto n = node["oneway_field"]) m.oneway_field = text(n, join(key, "oneway_field"));
    if (auto n = node["speed_field"]) m.speed_field = text(n, join(key, "speed_field"));
    if (auto n = node["name_field"]) m.name_field = text(n, join(key, "name_field"));
    if (auto n = node["vertex_snap_m"]) m.vertex_snap_m = number(n, join(key, "vertex_snap_m"), false);
    if (auto n = node["encoding"]) m.encoding = text(n, join(key, "encoding"));
    if (auto n = node["class_map"]) {
      const std::string ckey = join(key, "class_map");
      if (!n.IsMap()) fail(n, ckey, "expected a mapping of class values to OSM highway classes, e.g. {机耕路: track}");
      for (const auto& kv : n) {
        const std::string from = kv.first.as<std::string>();
        const std::string to = text(kv.second, join(ckey, from));
        if (!is_known_highway_class(to))
          fail(kv.second, join(ckey, from), "'" + to + "' is not an OSM highway class (e.g. primary, residential, track)");
        m.class_map[from] = to;
      }
    }
    return r;
  }

  enum class Role { services, demand, candidates };

  PointInput points(const YAML::Node& node, const std::string& key, Role role) const {
    PointInput p;
    p.read.osm_filter = role == Role::services ? kDefaultServiceOsmFilter
                        : role == Role::demand ? kDefaultDemandOsmFilter
                                               : "";
    if (role == Role::services) p.tier_field = "tier";
    if (role != Role::demand) p.read.population_field.clear();  // only demand units have residents
    if (node.IsScalar()) {  // shorthand: `services: services.csv`
      p.path = file_path(node, key);
      // The default tier field is read as in the long form (it was lost: "no tier field 'tier'").
      if (role == Role::services) p.read.keep_if_present.push_back(p.tier_field);
      return p;
    }
    std::vector<std::string_view> allowed = {"path",  "layer",     "crs",        "offset",
                                             "id_field", "name_field", "population_field",
                                             "lon_field", "lat_field", "osm_filter", "encoding",
                                             "keep_fields"};
    if (role == Role::services) {
      allowed.push_back("tier_field");
      allowed.push_back("default_tier");
    }
    if (role == Role::demand) allowed.push_back("admin");
    allow_keys(node, key, allowed);
    if (auto n = node["path"]) p.path = file_path(n, join(key, "path"));
    else fail(node, join(key, "path"), "missing: the file is required");
    PointReadOptions& r = p.read;
    if (auto n = node["layer"]) r.layer = text(n, join(key, "layer"));
    if (auto n = node["crs"]) {
      r.crs = text(n, join(key, "crs"));
      r.crs_given = true;
      if (auto why = crs_problem(r.crs)) fail(n, join(key, "crs"), *why + "; e.g. EPSG:4326, EPSG:4490, EPSG:4549");
    }
    if (auto n = node["offset"]) {
      const std::string v = text(n, join(key, "offset"));
      try {
        p.read.offset = parse_offset_system(v);
      } catch (const ConfigError&) {
        fail(n, join(key, "offset"), "expected none, gcj02 or bd09, got '" + v + "'");
      }
    }
    if (auto n = node["id_field"]) r.id_field = text(n, join(key, "id_field")), r.id_field_given = true;
    if (auto n = node["name_field"]) r.name_field = text(n, join(key, "name_field")), r.name_field_given = true;
    if (auto n = node["population_field"])
      r.population_field = text(n, join(key, "population_field")), r.population_field_given = true;
    if (auto n = node["lon_field"]) r.lon_field = text(n, join(key, "lon_field"));
    if (auto n = node["lat_field"]) r.lat_field = text(n, join(key, "lat_field"));
    if (auto n = node["osm_filter"]) r.osm_filter = text(n, join(key, "osm_filter"));
    if (auto n = node["encoding"]) r.encoding = text(n, join(key, "encoding"));
    if (auto n = node["keep_fields"]) r.keep_fields = strings(n, join(key, "keep_fields"));
    if (auto n = node["tier_field"]) p.tier_field = text(n, join(key, "tier_field"));
    if (auto n = node["default_tier"]) p.default_tier = text(n, join(key, "default_tier"));
    if (auto n = node["admin"]) {
      const std::string akey = join(key, "admin");
      allow_keys(n, akey, {"county", "county_code", "town", "town_code", "village",
                           "village_code", "area_class", "type"});
      AdminFields& a = p.admin;
      auto field = [&](const char* name, std::string& out) {
        if (auto f = n[name]) out = text(f, join(akey, name));
      };
      field("county", a.county);
      field("county_code", a.county_code);
      field("town", a.town);
      field("town_code", a.town_code);
      field("village", a.village);
      field("village_code", a.village_code);
      field("area_class", a.area_class);
      field("type", a.type);
      // The outputs carry the admin fields, so the reader must keep them.
      if (!(r.keep_fields.size() == 1 && r.keep_fields[0] == "*")) {
        for (const std::string* f : {&a.county, &a.county_code, &a.town, &a.town_code,
                                     &a.village, &a.village_code, &a.area_class, &a.type})
          if (!f->empty() &&
              std::find(r.keep_fields.begin(), r.keep_fields.end(), *f) == r.keep_fields.end())
            r.keep_fields.push_back(*f);
      }
    }
    // Services need their tier field kept too; without the column every service gets the default
    // tier (the pipeline warns), so it is kept when present.
    if (role == Role::services && !p.tier_field.empty()) r.keep_if_present.push_back(p.tier_field);
    return p;
  }

  Inputs inputs(const YAML::Node& node, const std::string& key) const {
    allow_keys(node, key, {"roads", "services", "demand", "candidates"});
    Inputs in;
    if (auto n = node["roads"]) in.roads = roads(n, join(key, "roads"));
    else fail(node, join(key, "roads"), "missing: the road network is required");
    if (auto n = node["services"]) in.services = points(n, join(key, "services"), Role::services);
    else fail(node, join(key, "services"), "missing: the service points are required");
    if (auto n = node["demand"]) in.demand = points(n, join(key, "demand"), Role::demand);
    else fail(node, join(key, "demand"), "missing: the demand units (villages) are required");
    if (auto n = node["candidates"])
      in.candidates = points(n, join(key, "candidates"), Role::candidates);
    return in;
  }

  ProfilesConfig profiles(const YAML::Node& node, const std::string& key) const {
    allow_keys(node, key, {"file", "max_snap_m", "direction"});
    ProfilesConfig p;
    if (auto n = node["file"]) {
      p.file = file_path(n, join(key, "file"));
      p.profiles = options_.check_files ? load_profiles(p.file) : default_profiles();
    } else {
      p.profiles = default_profiles();
    }
    if (auto n = node["max_snap_m"]) p.profiles.max_snap_m = number(n, join(key, "max_snap_m"), false);
    if (auto n = node["direction"]) {
      const std::string v = text(n, join(key, "direction"));
      if (v == "to_service") p.direction = Direction::to_service;
      else if (v == "from_service") p.direction = Direction::from_service;
      else fail(n, join(key, "direction"), "expected to_service or from_service, got '" + v + "'");
    }
    return p;
  }

  std::vector<Tier> tiers(const YAML::Node& node, const std::string& key) const {
    expect_seq(node, key);
    std::vector<Tier> out;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node& t = node[i];
      const std::string tkey = index(key, i);
      allow_keys(t, tkey, {"name", "label", "level"});
      Tier tier;
      if (auto n = t["name"]) tier.name = text(n, join(tkey, "name"));
      if (tier.name.empty()) fail(t, join(tkey, "name"), "missing: every tier needs a name");
      for (const Tier& other : out)
        if (other.name == tier.name) fail(t["name"], join(tkey, "name"), "tier '" + tier.name + "' defined twice");
      if (auto n = t["level"]) tier.level = integer(n, join(tkey, "level"));
      else fail(t, join(tkey, "level"), "missing: every tier needs a level (higher serves lower)");
      tier.label = tier.name;
      if (auto n = t["label"]) tier.label = text(n, join(tkey, "label"));
      out.push_back(std::move(tier));
    }
    return out;
  }

  std::string tier_ref(const YAML::Node& node, const std::string& key, const Scenario& s) const {
    const std::string v = text(node, key);
    if (!s.find_tier(v)) {
      std::string list;
      for (const Tier& t : s.tiers) list += (list.empty() ? "" : ", ") + t.name;
      fail(node, key, "unknown tier '" + v + "' (tiers: " + (list.empty() ? "none defined" : list) + ")");
    }
    return v;
  }

  CoverageRule rule(const YAML::Node& node, const std::string& key, const Scenario& s) const {
    allow_keys(node, key, {"name", "label", "tier", "threshold_minutes", "threshold_km", "modes",
                           "higher_tiers_serve", "applies_to"});
    CoverageRule r;
    if (auto n = node["name"]) r.name = text(n, join(key, "name"));
    if (r.name.empty()) fail(node, join(key, "name"), "missing: every rule needs a name");
    if (auto n = node["label"]) r.label = text(n, join(key, "label"));
    for (const CoverageRule& other : s.rules)
      if (other.name == r.name) fail(node["name"], join(key, "name"), "rule '" + r.name + "' defined twice");
    if (auto n = node["tier"]) r.tier = tier_ref(n, join(key, "tier"), s);
    if (auto n = node["threshold_minutes"]) r.threshold_minutes = bounded(n, join(key, "threshold_minutes"), 0.1, 600, "minutes");
    if (auto n = node["threshold_km"]) r.threshold_km = bounded(n, join(key, "threshold_km"), 0.01, 500, "km");
    if (!r.threshold_minutes && !r.threshold_km)
      fail(node, key, "needs threshold_minutes or threshold_km (or both)");
    if (auto n = node["modes"]) r.modes = modes(n, join(key, "modes"));
    if (r.modes.empty())
      fail(node["modes"] ? node["modes"] : node, join(key, "modes"),
           "a rule needs at least one mode (walk, ebike, car)");
    if (auto n = node["higher_tiers_serve"]) r.higher_tiers_serve = boolean(n, join(key, "higher_tiers_serve"));
    if (auto n = node["applies_to"]) r.applies_to = area_class(n, join(key, "applies_to"));
    return r;
  }

  ProvincialStandard standard(const YAML::Node& node, const std::string& key,
                              const Scenario& s) const {
    allow_keys(node, key, {"name", "basis", "urban", "rural", "remote", "type_classes", "tiers"});
    ProvincialStandard st;
    if (auto n = node["name"]) st.name = text(n, join(key, "name"));
    if (auto n = node["basis"]) {
      const std::string v = text(n, join(key, "basis"));
      if (v == "distance") st.basis = StandardBasis::distance;
      else if (v == "time") st.basis = StandardBasis::time;
      else fail(n, join(key, "basis"), "expected distance or time, got '" + v + "'");
    }
    for (AreaClass c : {AreaClass::urban, AreaClass::rural, AreaClass::remote}) {
      const std::string name(to_string(c));
      auto n = node[name];
      if (!n) continue;
      const std::string ckey = join(key, name);
      allow_keys(n, ckey, {"mode", "km", "minutes"});
      StandardClass& sc = st.classes[static_cast<std::size_t>(c)];
      if (auto m = n["mode"]) sc.mode = mode(m, join(ckey, "mode"));
      if (auto m = n["km"]) sc.km = number(m, join(ckey, "km"), true);
      if (auto m = n["minutes"]) sc.minutes = number(m, join(ckey, "minutes"), true);
    }
    if (auto n = node["type_classes"]) {
      const std::string tkey = join(key, "type_classes");
      expect_map(n, tkey);
      st.type_classes.clear();
      for (const auto& kv : n) {
        const std::string type = text(kv.first, tkey);
        st.type_classes[type] = area_class(kv.second, join(tkey, type));
      }
    }
    if (auto n = node["tiers"]) {
      const std::string tkey = join(key, "tiers");
      expect_seq(n, tkey);
      for (std::size_t i = 0; i < n.size(); ++i)
        st.tiers.push_back(tier_ref(n[i], index(tkey, i), s));
    }
    return st;
  }

  // A non-empty ascending list of minutes (isochrones.bands, guide_maps.bands).
  std::vector<double> minute_bands(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence() || n.size() == 0) fail(n, key, "expected a non-empty list of minutes");
    std::vector<double> out;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const double v = bounded(n[i], index(key, i), 0.1, 600, "minutes");
      if (!out.empty() && v <= out.back()) fail(n[i], index(key, i), "bands must be in ascending order");
      out.push_back(v);
    }
    return out;
  }

  // guide_maps: {enabled, modes, bands, address_field, town_field}
  GuideConfig guide_maps(const YAML::Node& node, const std::string& key, Scenario& s) const {
    allow_keys(node, key, {"enabled", "modes", "bands", "address_field", "town_field"});
    GuideConfig g;
    if (auto n = node["enabled"]) g.enabled = boolean(n, join(key, "enabled"));
    if (auto n = node["modes"]) g.modes = modes(n, join(key, "modes"));
    if (auto n = node["bands"]) g.bands_minutes = minute_bands(n, join(key, "bands"));
    if (auto n = node["address_field"]) g.address_field = text(n, join(key, "address_field"));
    if (auto n = node["town_field"]) g.town_field = text(n, join(key, "town_field"));
    // Kept when the layer has them; guide_data names the key when a named one is absent.
    for (const std::string* f : {&g.address_field, &g.town_field})
      if (!f->empty()) s.inputs.services.read.keep_if_present.push_back(*f);
    return g;
  }

  IsochroneConfig isochrones(const YAML::Node& node, const std::string& key) const {
    allow_keys(node, key, {"enabled", "bands", "cell_m", "simplify_m", "modes", "per_service",
                           "geotiff"});
    IsochroneConfig c;
    if (auto n = node["enabled"]) c.enabled = boolean(n, join(key, "enabled"));
    if (auto n = node["bands"]) c.bands_minutes = minute_bands(n, join(key, "bands"));
    if (auto n = node["cell_m"]) {
      const std::string ckey = join(key, "cell_m");
      allow_keys(n, ckey, {"walk", "ebike", "car"});
      for (Mode m : kAllModes)
        if (auto v = n[std::string(mode_name(m))])
          c.cell_m[static_cast<std::size_t>(m)] = bounded(v, join(ckey, mode_name(m)), 5, 2000, "metres");
    }
    if (auto n = node["simplify_m"]) c.simplify_m = bounded(n, join(key, "simplify_m"), 0, 2000, "metres");
    if (auto n = node["modes"]) c.modes = modes(n, join(key, "modes"));
    if (auto n = node["per_service"]) c.per_service = boolean(n, join(key, "per_service"));
    if (auto n = node["geotiff"]) c.geotiff = boolean(n, join(key, "geotiff"));
    return c;
  }

  PlanningConfig planning(const YAML::Node& node, const std::string& key, const Scenario& s) const {
    allow_keys(node, key, {"candidates", "add", "target", "mode", "minutes", "tier", "objective", "evaluate",
                           "required", "excluded", "per_area"});
    PlanningConfig p;
    if (auto n = node["candidates"]) {
      const std::string ckey = join(key, "candidates");
      const std::string v = text(n, ckey);
      try {
        p.candidates = parse_candidate_source(v, "candidates", false, "layer");
      } catch (const ConfigError& e) {
        fail(n, ckey, e.what());
      }
      if (p.candidates.kind == CandidateSource::Kind::layer) {
        if (!s.inputs.candidates) fail(n, ckey, "'layer' needs inputs.candidates (or use demand, or grid:500)");
        p.candidates.path = s.inputs.candidates->path;
      }
    }
    if (auto n = node["add"]) {
      const int k = integer(n, join(key, "add"));
      if (k < 1) fail(n, join(key, "add"), "expected a positive number of new sites");
      p.add = k;
    }
    if (auto n = node["target"]) {
      const double t = number(n, join(key, "target"), true);
      if (t > 1) fail(n, join(key, "target"), "expected a population share in (0, 1], e.g. 0.95");
      p.target = t;
    }
    if (auto n = node["evaluate"]) p.evaluate = points(n, join(key, "evaluate"), Role::candidates);
    if (auto n = node["required"]) p.required = strings(n, join(key, "required"));
    if (auto n = node["excluded"]) p.excluded = strings(n, join(key, "excluded"));
    if (auto n = node["per_area"]) {
      const std::string akey = join(key, "per_area");
      allow_keys(n, akey, {"area", "min", "below_rate", "max"});
      if (auto a = n["area"]) {
        const std::string v = text(a, join(akey, "area"));
        if (v == "town") p.area = PlanningConfig::Area::town;
        else if (v == "county") p.area = PlanningConfig::Area::county;
        else fail(a, join(akey, "area"), "expected town or county, got '" + v + "'");
      }
      if (auto a = n["min"]) p.min_per_area = integer(a, join(akey, "min"));
      if (auto a = n["below_rate"]) p.below_rate = number(a, join(akey, "below_rate"), false);
      if (auto a = n["max"]) p.max_per_area = integer(a, join(akey, "max"));
      if (p.min_per_area < 0 || p.max_per_area < 0) fail(n, akey, "min and max are counts of new sites (0 or more)");
      if (p.max_per_area > 0 && p.min_per_area > p.max_per_area) fail(n, akey, "min is larger than max");
    }
    if (int(p.add.has_value()) + int(p.target.has_value()) + int(p.evaluate.has_value()) != 1)
      fail(node, key, "give exactly one of 'add' (number of new sites), 'target' (share) or 'evaluate' (proposals)");
    if (!p.add && (!p.required.empty() || !p.excluded.empty() || p.min_per_area > 0 || p.max_per_area > 0))
      fail(node, key, "required, excluded and per_area constrain 'add' (MCLP); with 'target' or 'evaluate' they are "
                      "not supported yet");
    if (auto n = node["mode"]) p.mode = mode(n, join(key, "mode"));
    if (auto n = node["minutes"]) p.minutes = number(n, join(key, "minutes"), true);
    if (auto n = node["tier"]) p.tier = tier_ref(n, join(key, "tier"), s);
    if (auto n = node["objective"]) {
      const std::string okey = join(key, "objective");
      const std::string v = text(n, okey);
      if (v == "overall") {
        p.objective = PlanningConfig::Objective::overall;
      } else if (v == "standard") {
        if (!s.standard) fail(n, okey, "'standard' needs a standard: section");
        p.objective = PlanningConfig::Objective::standard;
      } else if (v.rfind("rule:", 0) == 0) {
        p.objective = PlanningConfig::Objective::rule;
        p.objective_rule = v.substr(5);
        std::string names;
        bool found = false;
        for (const CoverageRule& r : s.rules) {
          names += (names.empty() ? "" : ", ") + r.name;
          found = found || r.name == p.objective_rule;
        }
        if (!found) fail(n, okey, "no rule '" + p.objective_rule + "' (rules: " + names + ")");
      } else {
        fail(n, okey, "expected overall, standard or rule:<name>, got '" + v + "'");
      }
    }
    return p;
  }

  OutputConfig outputs(const YAML::Node& node, const std::string& key) const {
    allow_keys(node, key, {"geopackage", "geojson", "csv", "csv_bom", "csv_headers", "qgis", "project_crs",
                           "report", "lang", "postgis"});
    OutputConfig o;
    if (auto n = node["geopackage"]) o.geopackage = boolean(n, join(key, "geopackage"));
    if (auto n = node["geojson"]) o.geojson = boolean(n, join(key, "geojson"));
    if (auto n = node["csv"]) o.csv = boolean(n, join(key, "csv"));
    std::optional<bool> bom;
    if (auto n = node["csv_bom"]) bom = boolean(n, join(key, "csv_bom"));
    if (auto n = node["csv_headers"]) {
      const std::string h = text(n, join(key, "csv_headers"));
      if (h != "fields" && h != "labels") fail(n, join(key, "csv_headers"), "expected fields or labels");
      o.csv_header_labels = h == "labels";
    }
    if (auto n = node["qgis"]) o.qgis = boolean(n, join(key, "qgis"));
    if (auto n = node["project_crs"]) {
      o.project_crs = text(n, join(key, "project_crs"));
      if (o.project_crs.rfind("EPSG:", 0) != 0 || o.project_crs.size() == 5 ||
          o.project_crs.find_first_not_of("0123456789", 5) != std::string::npos)
        fail(n, join(key, "project_crs"), "expected EPSG:<code>, e.g. EPSG:4549");
      // Checked now, not when the GeoPackage is written after all the computing.
      if (auto why = crs_problem(o.project_crs))
        fail(n, join(key, "project_crs"), *why + "; e.g. EPSG:4549 (CGCS2000 3-degree Gauss-Kruger CM 120E)");
    }
    if (auto n = node["report"]) o.report = boolean(n, join(key, "report"));
    if (auto pg = node["postgis"]) {
      const std::string pk = join(key, "postgis");
      allow_keys(pg, pk, {"connection", "schema"});
      if (!pg["connection"]) fail(pg, pk, "needs connection: \"PG:dbname=... host=... user=...\"");
      o.postgis_connection = text(pg["connection"], join(pk, "connection"));
      if (o.postgis_connection.rfind("PG:", 0) != 0)
        fail(pg["connection"], join(pk, "connection"), "expected a GDAL connection string starting with PG:");
      if (auto n = pg["schema"]) {
        o.postgis_schema = text(n, join(pk, "schema"));
        if (o.postgis_schema.empty() || o.postgis_schema.find_first_of("\"\\") != std::string::npos)
          fail(n, join(pk, "schema"), "expected a plain schema name");
      }
    }
    if (auto n = node["lang"]) {
      o.lang = text(n, join(key, "lang"));
      if (o.lang != "zh" && o.lang != "en") fail(n, join(key, "lang"), "expected zh or en");
    }
    // Excel opens a BOM-less UTF-8 CSV as the machine's code page (GBK in China): Chinese
    // reports get the BOM unless the scenario says otherwise.
    o.csv_bom = bom.value_or(o.lang == "zh");
    if (o.qgis && !o.geopackage)
      fail(node["qgis"] ? node["qgis"] : node, join(key, "qgis"),
           "the QGIS project reads the GeoPackage: set geopackage: true or qgis: false");
    return o;
  }

  // Checks that span sections (they run after every section is read).
  void cross_checks(const Scenario& s) const {
    const PointInput& svc = s.inputs.services;
    if (!svc.default_tier.empty() && !s.find_tier(svc.default_tier))
      fail(root_["inputs"]["services"]["default_tier"], "inputs.services.default_tier",
           "unknown tier '" + svc.default_tier + "'");
    const AdminFields& admin = s.inputs.demand.admin;
    const bool has_class = !admin.area_class.empty() || !admin.type.empty();
    if (s.standard && !has_class)
      fail(root_["standard"], "standard",
           "needs the demand units' area class: set inputs.demand.admin.area_class or .type");
    for (std::size_t i = 0; i < s.rules.size(); ++i)
      if (s.rules[i].applies_to && !has_class)
        fail(root_["rules"][i]["applies_to"], index("rules", i) + ".applies_to",
             "needs the demand units' area class: set inputs.demand.admin.area_class or .type");
  }

  std::string file_;
  fs::path dir_;
  ScenarioLoadOptions options_;
  YAML::Node root_;
};

}  // namespace

std::string scenario_yaml_with_proposals(const Scenario& sc, const ServiceEdits& edits) {
  YAML::Node root = YAML::LoadFile(sc.file);
  const fs::path dir = fs::absolute(sc.dir);
  auto absolute = [&](YAML::Node node) {
    if (!node || !node.IsScalar()) return;
    const std::string v = node.Scalar();
    if (v.rfind("PG:", 0) == 0) return;
    fs::path p(v);
    if (p.is_relative()) node = (dir / p).lexically_normal().string();
  };
  auto input = [&](YAML::Node node) {
    if (!node) return;
    if (node.IsScalar()) absolute(node);
    else if (node.IsMap()) absolute(node["path"]);
  };
  if (YAML::Node in = root["inputs"])
    for (const char* k : {"roads", "services", "demand", "candidates"}) input(in[k]);
  if (YAML::Node pl = root["planning"]; pl && pl.IsMap()) input(pl["evaluate"]);
  if (YAML::Node pr = root["profiles"]; pr && pr.IsMap()) absolute(pr["file"]);
  root.remove("proposals");
  if (!edits.empty()) {
    YAML::Node p;
    if (!edits.remove.empty()) {
      YAML::Node r(YAML::NodeType::Sequence);
      for (const std::string& id : edits.remove) r.push_back(id);
      p["remove"] = r;
    }
    if (!edits.add.empty()) {
      YAML::Node a(YAML::NodeType::Sequence);
      for (const ProposedService& s : edits.add) {
        YAML::Node e;
        e["id"] = s.id;
        e["name"] = s.name;
        if (!s.tier.empty()) e["tier"] = s.tier;
        char lon[32], lat[32];
        std::snprintf(lon, sizeof lon, "%.7f", s.where.lon);
        std::snprintf(lat, sizeof lat, "%.7f", s.where.lat);
        e["lon"] = lon;
        e["lat"] = lat;
        e.SetStyle(YAML::EmitterStyle::Flow);
        a.push_back(e);
      }
      p["add"] = a;
    }
    root["proposals"] = p;
  }
  YAML::Emitter out;
  out << root;
  return "# Written by legalcircle serve from " + fs::absolute(sc.file).string() +
         ": the scenario with the planner's proposals (WGS 84 lon/lat).\n" + out.c_str() + "\n";
}

Scenario load_scenario(const std::string& path, const ScenarioLoadOptions& options) {
  return Reader(path, options).load();
}

}  // namespace legalcircle
