// legalcircle run SCENARIO.yaml: the whole pipeline from one scenario file — tiers and coverage
// rules per mode, the provincial standard, circles and per-service isochrones, gaps, admin
// roll-ups, planning — written as one GeoPackage, GeoJSON layers, CSV tables, a QGIS project,
// summary.json and report.html.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogr_geometry.h>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/analysis/rollup.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/io/write_qgis.hpp"
#include "legalcircle/io/write_report.hpp"
#include "planning_step.hpp"
#include "staging.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* c = app.add_subcommand(
      "run",
      "The whole pipeline from a scenario file (configs/*.yaml): coverage per tier rule and mode,\n"
      "the provincial standard, circles and isochrones, gaps, roll-ups per county and town.\n"
      "Writes legalcircle.gpkg (every layer), GeoJSON layers, CSV tables, a QGIS project\n"
      "(legalcircle.qgs + .qml styles), summary.json and report.html (for officials, offline).");
  c->add_option("scenario", o.scenario, "Scenario YAML (paths inside are relative to it)")->required();
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer(
      "Examples:\n"
      "  legalcircle run configs/synthetic-county.yaml -o out/synthetic\n"
      "  legalcircle run configs/zhejiang-standard.yaml -o out/standard");
  return c;
}

namespace {

const std::string* extra_value(const PointRecord& p, const std::string& field) {
  if (field.empty()) return nullptr;
  for (const auto& [k, v] : p.extra)
    if (k == field) return &v;
  return nullptr;
}

std::string extra_or(const PointRecord& p, const std::string& field, const std::string& fallback = "") {
  const std::string* v = extra_value(p, field);
  return v ? *v : fallback;
}

PointLayer read_point_input(const PointInput& in, const std::string& role, Progress& progress) {
  progress.begin("reading " + role + " " + in.path);
  PointLayer layer = read_points(in.path, in.read);
  if (in.offset != OffsetSystem::wgs84)
    for (PointRecord& p : layer.points) p.where = to_wgs84(p.where, in.offset);
  progress.end(std::to_string(layer.points.size()) + " points");
  for (const std::string& w : layer.warnings) progress.warn(w);
  return layer;
}

// What one rule found for one unit in one mode.
struct ModeOutcome {
  UnitResult time;      // seconds, nearest service (index into all services)
  UnitResult distance;  // "seconds" are metres (length-weighted graph)
  bool covered = false;
};

struct RuleOutcome {
  bool applies = true;
  bool covered = false;
  std::vector<ModeOutcome> modes;  // as rule.modes
};

CoverageRequest request_for(const Inputs& in, Mode mode, bool distance) {
  CoverageRequest r;
  r.mode = mode;
  r.direction = in.direction;
  r.max_snap_m = in.profiles.max_snap_m;
  // Distances: the access leg counts its metres (1 m/s on a length-weighted graph).
  r.access_leg_kmh = distance ? 3.6 : in.profiles.access_leg_kmh;
  return r;
}

std::string fmt_minutes(const UnitResult& u) { return u.seconds < kInf ? fixed(u.seconds / 60.0, 2) : ""; }
std::string fmt_km(const UnitResult& u) { return u.seconds < kInf ? fixed(u.seconds / 1000.0, 3) : ""; }
std::string fmt_bool(bool b) { return b ? "true" : "false"; }

// Roads used by any mode, one MultiLineString per way.
Table roads_table(const RoadGraph& g, const std::vector<Mode>& modes) {
  Table t;
  t.shape = Table::Shape::line;
  t.columns = {{"way_id", Column::Type::integer}, {"name", Column::Type::text}, {"highway", Column::Type::text}};
  for (Mode m : modes) t.columns.push_back({std::string(mode_name(m)), Column::Type::boolean});
  std::vector<std::vector<uint32_t>> segs(g.way_id.size());
  for (uint32_t s = 0; s < g.segment_count(); ++s) segs[g.seg_way[s]].push_back(s);
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t w = 0; w < segs.size(); ++w) {
    if (segs[w].empty()) continue;
    std::vector<std::string> row = {std::to_string(g.way_id[w]), g.way_name[w], g.way_class[w]};
    OGRMultiLineString lines;
    bool any = false;
    for (Mode m : modes) {
      const ModeWeights& mw = g.weights(m);
      bool usable = false;
      for (uint32_t s : segs[w]) usable = usable || mw.seg_time_ab[s] < inf || mw.seg_time_ba[s] < inf;
      row.push_back(fmt_bool(usable));
      any = any || usable;
    }
    if (!any) continue;
    for (uint32_t s : segs[w]) {
      OGRLineString l;
      l.addPoint(g.coord[g.seg_a[s]].lon, g.coord[g.seg_a[s]].lat);
      l.addPoint(g.coord[g.seg_b[s]].lon, g.coord[g.seg_b[s]].lat);
      lines.addGeometry(&l);
    }
    std::string wkb(lines.WkbSize(), '\0');
    lines.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    t.rows.push_back(std::move(row));
    t.wkb.push_back(std::move(wkb));
  }
  return t;
}

std::unique_ptr<OGRGeometry> geometry_from_wkb(const std::string& wkb) {
  OGRGeometry* g = nullptr;
  if (wkb.empty() || OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE)
    return nullptr;
  return std::unique_ptr<OGRGeometry>(g);
}

// Area in km² of a lon/lat geometry, in an equirectangular projection at its own latitude.
double area_km2(const OGRGeometry& g) {
  OGREnvelope e;
  g.getEnvelope(&e);
  const double lat = (e.MinY + e.MaxY) / 2 * kPi / 180.0;
  const double deg = kEarthRadiusM * kPi / 180.0;
  return OGR_G_Area(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g))) * deg * deg * std::cos(lat) / 1e6;
}

void add_rollup_rows(Table& t, const std::string& measure, const std::vector<RollupRow>& rows) {
  for (const RollupRow& r : rows)
    t.rows.push_back({measure, r.county, r.town, std::to_string(r.units), std::to_string(r.covered_units),
                      std::to_string(r.uncovered_units), std::to_string(r.unreachable_units),
                      fixed(r.population, 0), fixed(r.covered_population, 0),
                      r.coverage_rate_population ? fixed(*r.coverage_rate_population, 4) : "",
                      fixed(r.coverage_rate_units, 4)});
}

std::vector<Column> rollup_columns() {
  return {{"measure", Column::Type::text},          {"county", Column::Type::text},
          {"town", Column::Type::text},             {"units", Column::Type::integer},
          {"covered_units", Column::Type::integer}, {"uncovered_units", Column::Type::integer},
          {"unreachable_units", Column::Type::integer}, {"population", Column::Type::real},
          {"covered_population", Column::Type::real}, {"coverage_rate_population", Column::Type::real},
          {"coverage_rate_units", Column::Type::real}};
}

}  // namespace

int run_scenario(const RunOptions& o) {
  Progress progress(o.quiet);
  const unsigned threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  const Scenario sc = load_scenario(o.scenario);

  // The modes every rule, the standard and the isochrones need, in walk, ebike, car order.
  std::set<Mode> mode_set;
  for (const CoverageRule& r : sc.rules) mode_set.insert(r.modes.begin(), r.modes.end());
  if (sc.standard)
    for (const StandardClass& c : sc.standard->classes) mode_set.insert(c.mode);
  std::vector<Mode> iso_modes = sc.isochrones.modes;
  if (iso_modes.empty()) iso_modes.assign(mode_set.begin(), mode_set.end());
  mode_set.insert(iso_modes.begin(), iso_modes.end());
  const std::vector<Mode> modes(mode_set.begin(), mode_set.end());

  nlohmann::ordered_json timings;
  Inputs in;
  in.roads = sc.inputs.roads.path;
  in.services = sc.inputs.services.path;
  in.demand = sc.inputs.demand.path;
  in.profiles = sc.profiles.profiles;
  in.direction = sc.profiles.direction;
  progress.begin("reading roads " + in.roads);
  RawRoads raw = read_roads(in.roads, sc.inputs.roads.mapping);
  timings["read_roads_s"] = progress.end(std::to_string(raw.ways.size()) + " highway ways");
  for (const std::string& w : raw.warnings) progress.warn(w);
  in.service_points = read_point_input(sc.inputs.services, "services", progress);
  in.demand_points = read_point_input(sc.inputs.demand, "demand", progress);
  progress.begin("building graph");
  in.graph = build_graph(raw, in.profiles, BuildOptions{modes, true});
  raw = RawRoads{};
  timings["build_graph_s"] = progress.end(std::to_string(in.graph.node_count()) + " nodes");
  const std::vector<PointRecord>& services = in.service_points.points;
  const std::vector<PointRecord>& units = in.demand_points.points;
  const std::vector<LonLat> demand_xy = in.demand_xy();

  // Tiers of the services: the tier field, else the default tier; unknown tiers are errors.
  std::vector<std::string> service_tier(services.size());
  for (std::size_t i = 0; i < services.size(); ++i) {
    const std::string* v = extra_value(services[i], sc.inputs.services.tier_field);
    service_tier[i] = v && !v->empty() ? *v : sc.inputs.services.default_tier;
    if (!sc.tiers.empty() && !service_tier[i].empty() && !sc.find_tier(service_tier[i]))
      throw InputError(in.services + ": service " + services[i].id + ": field '" +
                       sc.inputs.services.tier_field + "' has tier '" + service_tier[i] +
                       "', which the scenario does not define");
  }
  auto level_of = [&](const std::string& tier) {
    const Tier* t = sc.find_tier(tier);
    return t ? t->level : 0;
  };
  auto eligible = [&](const std::string& rule_tier, bool higher_serve) {
    std::vector<uint32_t> idx;
    for (uint32_t i = 0; i < services.size(); ++i)
      if (rule_tier.empty() || service_tier[i] == rule_tier ||
          (higher_serve && level_of(service_tier[i]) > level_of(rule_tier)))
        idx.push_back(i);
    return idx;
  };

  // Area class of each unit: its area_class field, else its admin type via the standard.
  const AdminFields& admin = sc.inputs.demand.admin;
  std::vector<std::optional<AreaClass>> unit_class(units.size());
  std::size_t unclassified = 0;
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (const std::string* v = extra_value(units[k], admin.area_class); v && !v->empty()) {
      try {
        unit_class[k] = parse_area_class(*v);
      } catch (const ConfigError&) {
        throw InputError(in.demand + ": unit " + units[k].id + ": field '" + admin.area_class +
                         "' is '" + *v + "', expected urban, rural or remote");
      }
    } else if (sc.standard) {
      if (auto it = sc.standard->type_classes.find(extra_or(units[k], admin.type));
          it != sc.standard->type_classes.end())
        unit_class[k] = it->second;
    }
    unclassified += !unit_class[k];
  }

  // Searches: one field per (service set, mode, time|distance), each evaluated at every unit.
  std::map<Mode, SegmentIndex> indexes;
  for (Mode m : modes) indexes.emplace(m, SegmentIndex(in.graph, m));
  std::unique_ptr<RoadGraph> length_graph;  // built on first use (km thresholds, standard)
  // Units snap once per mode: the length-weighted graph has the same segments, so the same
  // index and snaps serve time and distance searches alike.
  std::map<Mode, std::vector<SnappedPoint>> unit_snaps;
  auto snaps_of = [&](Mode mode) -> const std::vector<SnappedPoint>& {
    auto [it, fresh] = unit_snaps.try_emplace(mode);
    if (fresh)
      for (const LonLat& p : demand_xy) it->second.push_back(indexes.at(mode).snap(p, in.profiles.max_snap_m));
    return it->second;
  };
  auto evaluate_all = [&](const std::vector<uint32_t>& service_idx, Mode mode, bool distance) {
    if (distance && !length_graph) length_graph = std::make_unique<RoadGraph>(with_length_weights(in.graph));
    const RoadGraph& g = distance ? *length_graph : in.graph;
    TravelTimeField field(g, indexes.at(mode), request_for(in, mode, distance));
    std::vector<LonLat> xy;
    for (uint32_t i : service_idx) xy.push_back(services[i].where);
    field.set_services(xy);
    std::vector<UnitResult> out;
    out.reserve(units.size());
    for (const SnappedPoint& snap : snaps_of(mode)) {
      UnitResult u = field.evaluate_snapped(snap);
      if (u.nearest_service != kInvalidId) u.nearest_service = service_idx[u.nearest_service];
      out.push_back(u);
    }
    return out;
  };

  progress.begin("coverage rules");
  std::vector<std::vector<RuleOutcome>> outcome(sc.rules.size(), std::vector<RuleOutcome>(units.size()));
  for (std::size_t r = 0; r < sc.rules.size(); ++r) {
    const CoverageRule& rule = sc.rules[r];
    const auto idx = eligible(rule.tier, rule.higher_tiers_serve);
    if (idx.empty()) progress.warn("rule " + rule.name + ": no service of tier '" + rule.tier + "'");
    for (std::size_t k = 0; k < units.size(); ++k) {
      outcome[r][k].applies = !rule.applies_to || unit_class[k] == rule.applies_to;
      outcome[r][k].modes.resize(rule.modes.size());
    }
    for (std::size_t mi = 0; mi < rule.modes.size(); ++mi) {
      const auto times = evaluate_all(idx, rule.modes[mi], false);
      std::vector<UnitResult> dists;
      if (rule.threshold_km) dists = evaluate_all(idx, rule.modes[mi], true);
      for (std::size_t k = 0; k < units.size(); ++k) {
        ModeOutcome& m = outcome[r][k].modes[mi];
        m.time = times[k];
        if (rule.threshold_km) m.distance = dists[k];
        m.covered = (!rule.threshold_minutes || m.time.seconds <= *rule.threshold_minutes * 60.0) &&
                    (!rule.threshold_km || m.distance.seconds <= *rule.threshold_km * 1000.0);
        outcome[r][k].covered = outcome[r][k].covered || m.covered;
      }
    }
  }
  // The provincial standard: per unit its class's mode and threshold, by distance or time.
  std::vector<std::optional<bool>> standard_met(units.size());
  std::vector<double> standard_value(units.size(), kInf);  // km or minutes
  std::vector<UnitResult> standard_time(units.size());     // by the class's mode
  std::vector<double> standard_minutes(units.size(), kInf);
  if (sc.standard) {
    const auto idx = eligible("", false);
    std::vector<uint32_t> std_idx;
    for (uint32_t i : idx)
      if (sc.standard->tiers.empty() ||
          std::find(sc.standard->tiers.begin(), sc.standard->tiers.end(), service_tier[i]) != sc.standard->tiers.end())
        std_idx.push_back(i);
    const bool by_distance = sc.standard->basis == StandardBasis::distance;
    std::map<Mode, std::vector<UnitResult>> per_mode, times;
    for (const StandardClass& c : sc.standard->classes)
      if (!per_mode.count(c.mode)) {
        times[c.mode] = evaluate_all(std_idx, c.mode, false);
        per_mode[c.mode] = by_distance ? evaluate_all(std_idx, c.mode, true) : times[c.mode];
      }
    for (std::size_t k = 0; k < units.size(); ++k) {
      if (!unit_class[k]) continue;
      const StandardClass& c = (*sc.standard)[*unit_class[k]];
      const double s = per_mode[c.mode][k].seconds;
      standard_value[k] = by_distance ? s / 1000.0 : s / 60.0;
      standard_met[k] = by_distance ? s <= c.km * 1000.0 : s <= c.minutes * 60.0;
      standard_time[k] = times[c.mode][k];
      standard_minutes[k] = c.minutes;
    }
  }
  timings["coverage_s"] = progress.end(std::to_string(sc.rules.size()) + " rules");
  if (unclassified > 0 && (sc.standard || std::any_of(sc.rules.begin(), sc.rules.end(), [](const CoverageRule& r) { return r.applies_to.has_value(); })))
    progress.warn(std::to_string(unclassified) + " demand units have no area class (field '" + admin.area_class +
                  "' or type '" + admin.type + "'): no standard verdict, area-class rules skip them");

  // Per unit: overall = every applicable rule and the standard (where the unit has a class)
  // met; primary minutes = the first applicable rule's best mode, else the standard's mode
  // (what maps and the gap list show).
  std::vector<std::optional<bool>> overall(units.size());
  std::vector<UnitResult> primary(units.size());
  std::vector<std::optional<double>> primary_threshold(units.size());  // none: km-only rule
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (standard_met[k]) {
      overall[k] = *standard_met[k];
      primary[k] = standard_time[k];
      primary_threshold[k] = standard_minutes[k];
    }
    bool rule_primary = false;
    for (std::size_t r = 0; r < sc.rules.size(); ++r) {
      const RuleOutcome& ro = outcome[r][k];
      if (!ro.applies) continue;
      overall[k] = overall[k].value_or(true) && ro.covered;
      if (!rule_primary) {
        rule_primary = true;
        primary[k] = UnitResult{};
        for (const ModeOutcome& m : ro.modes)
          if (m.time.seconds < primary[k].seconds || primary[k].nearest_service == kInvalidId) primary[k] = m.time;
        primary_threshold[k] = sc.rules[r].threshold_minutes;
      }
    }
  }

  // ---- layers -------------------------------------------------------------------------------
  Table demand_t;
  demand_t.shape = Table::Shape::point;
  demand_t.columns = {{"id", Column::Type::text}, {"name", Column::Type::text}, {"population", Column::Type::real}};
  for (const std::string& f : in.demand_points.extra_fields) add_column(demand_t, f, Column::Type::text);
  demand_t.columns.push_back({"area_class_used", Column::Type::text});
  demand_t.columns.push_back({"minutes", Column::Type::real});
  demand_t.columns.push_back({"nearest_service_id", Column::Type::text});
  demand_t.columns.push_back({"covered", Column::Type::boolean});
  for (const CoverageRule& rule : sc.rules) {
    demand_t.columns.push_back({rule.name + "_covered", Column::Type::boolean});
    for (Mode m : rule.modes) {
      const std::string p = rule.name + "_" + std::string(mode_name(m));
      demand_t.columns.push_back({p + "_minutes", Column::Type::real});
      demand_t.columns.push_back({p + "_service", Column::Type::text});
      if (rule.threshold_km) demand_t.columns.push_back({p + "_km", Column::Type::real});
      demand_t.columns.push_back({p + "_covered", Column::Type::boolean});
    }
  }
  if (sc.standard) {
    demand_t.columns.push_back({"standard_value", Column::Type::real});
    demand_t.columns.push_back({"standard_met", Column::Type::boolean});
  }
  demand_t.columns.push_back({"snap_m", Column::Type::real});
  demand_t.columns.push_back({"reason", Column::Type::text});
  for (std::size_t k = 0; k < units.size(); ++k) {
    const PointRecord& p = units[k];
    std::vector<std::string> row = {p.id, p.name, p.has_population ? fixed(p.population, 0) : ""};
    for (const auto& kv : p.extra) row.push_back(kv.second);
    row.push_back(unit_class[k] ? std::string(to_string(*unit_class[k])) : "");
    row.push_back(fmt_minutes(primary[k]));
    row.push_back(primary[k].nearest_service != kInvalidId ? services[primary[k].nearest_service].id : "");
    row.push_back(overall[k] ? fmt_bool(*overall[k]) : "");
    for (std::size_t r = 0; r < sc.rules.size(); ++r) {
      const RuleOutcome& ro = outcome[r][k];
      row.push_back(ro.applies ? fmt_bool(ro.covered) : "");
      for (const ModeOutcome& m : ro.modes) {
        row.push_back(fmt_minutes(m.time));
        row.push_back(m.time.nearest_service != kInvalidId ? services[m.time.nearest_service].id : "");
        if (sc.rules[r].threshold_km) row.push_back(fmt_km(m.distance));
        row.push_back(ro.applies ? fmt_bool(m.covered) : "");
      }
    }
    if (sc.standard) {
      row.push_back(standard_value[k] < kInf ? fixed(standard_value[k], 3) : "");
      row.push_back(standard_met[k] ? fmt_bool(*standard_met[k]) : "");
    }
    row.push_back(std::isfinite(primary[k].snap_m) ? fixed(primary[k].snap_m, 1) : "");
    row.push_back(std::string(unreachable_reason(primary[k].reason)));
    demand_t.rows.push_back(std::move(row));
    demand_t.geometry.push_back(p.where);
  }

  Table services_t;
  services_t.shape = Table::Shape::point;
  services_t.columns = {{"id", Column::Type::text}, {"name", Column::Type::text}, {"tier", Column::Type::text}};
  for (Mode m : modes) services_t.columns.push_back({std::string(mode_name(m)) + "_snap_m", Column::Type::real});
  for (std::size_t i = 0; i < services.size(); ++i) {
    std::vector<std::string> row = {services[i].id, services[i].name, service_tier[i]};
    for (Mode m : modes) {
      const SnappedPoint s = indexes.at(m).snap(services[i].where, in.profiles.max_snap_m);
      row.push_back(s.ok() ? fixed(s.offset_m, 1) : "");
      if (!s.ok()) progress.warn(std::string(mode_name(m)) + ": service " + services[i].id + " cannot snap: not used");
    }
    services_t.rows.push_back(std::move(row));
    services_t.geometry.push_back(services[i].where);
  }

  // Circles per rule and mode (bands + the rule's threshold), per-service isochrones per mode.
  progress.begin("circles and isochrones");
  Table circle_t, iso_t;
  circle_t.shape = iso_t.shape = Table::Shape::polygon;
  circle_t.columns = {{"rule", Column::Type::text}, {"mode", Column::Type::text}, {"minutes", Column::Type::real},
                      {"area_km2", Column::Type::real}};
  iso_t.columns = {{"service_id", Column::Type::text}, {"name", Column::Type::text}, {"tier", Column::Type::text},
                   {"minutes", Column::Type::real}, {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  std::map<std::pair<std::string, Mode>, std::string> rule_circle;  // (rule, mode) -> WKB at threshold
  std::vector<std::pair<std::string, TimeRaster>> geotiffs;
  auto cell_for = [&](Mode m) { return sc.isochrones.cell_m[static_cast<std::size_t>(m)]; };
  const double simplify = sc.isochrones.simplify_m.value_or(-1.0);
  if (sc.isochrones.enabled) {
    for (const CoverageRule& rule : sc.rules) {
      if (!rule.threshold_minutes) continue;  // km-only rules have no time circle
      std::vector<double> bands;
      for (double b : sc.isochrones.bands_minutes)
        if (b < *rule.threshold_minutes) bands.push_back(b);
      bands.push_back(*rule.threshold_minutes);
      const auto idx = eligible(rule.tier, rule.higher_tiers_serve);
      std::vector<LonLat> xy;
      for (uint32_t i : idx) xy.push_back(services[i].where);
      for (Mode m : rule.modes) {
        CoverageRequest req = request_for(in, m, false);
        const double cell = cell_for(m), max_s = bands.back() * 60.0;
        req.limit_s = isochrone_search_limit_s(max_s, cell, req.access_leg_kmh);
        TravelTimeField field(in.graph, indexes.at(m), req);
        field.set_services(xy);
        const TimeRaster raster = time_raster(in.graph, field, req, max_s, cell, threads);
        for (const BandPolygon& b : trace_bands(raster, bands, simplify)) {
          circle_t.rows.push_back({rule.name, std::string(mode_name(m)), fixed(b.minutes, 2), fixed(b.area_km2, 4)});
          circle_t.wkb.push_back(b.wkb);
          if (b.minutes == *rule.threshold_minutes) rule_circle[{rule.name, m}] = b.wkb;
        }
        if (sc.isochrones.geotiff) geotiffs.emplace_back("circle_" + rule.name + "_" + std::string(mode_name(m)) + "_minutes.tif", raster);
      }
    }
    if (sc.isochrones.per_service) {
      const std::vector<double>& bands = sc.isochrones.bands_minutes;
      for (Mode m : iso_modes) {
        CoverageRequest req = request_for(in, m, false);
        const double cell = cell_for(m), max_s = bands.back() * 60.0;
        req.limit_s = isochrone_search_limit_s(max_s, cell, req.access_leg_kmh);
        TravelTimeField all(in.graph, indexes.at(m), req);
        all.set_services(in.service_xy());
        const SnapGrid snaps = snap_grid(in.graph, indexes.at(m), all, req, max_s, cell, threads);
        const auto results = trace_each_service(in.graph, indexes.at(m), req, in.service_xy(), bands, cell,
                                                simplify, snaps, threads);
        for (std::size_t i = 0; i < services.size(); ++i)
          for (const BandPolygon& b : results[i])
            if (!b.wkb.empty()) {
              iso_t.rows.push_back({services[i].id, services[i].name, service_tier[i], fixed(b.minutes, 2),
                                    std::string(mode_name(m)), fixed(b.area_km2, 4)});
              iso_t.wkb.push_back(b.wkb);
            }
      }
    }
  }
  timings["isochrones_s"] = progress.end(std::to_string(circle_t.rows.size()) + " circle bands, " +
                                         std::to_string(iso_t.rows.size()) + " service polygons");

  // Gaps (uncovered units, ranked) and roll-ups per county and town.
  progress.begin("gaps and roll-ups");
  auto rollup_units = [&](auto covered_of) {
    std::vector<RollupUnit> ru;
    std::vector<std::size_t> unit_of;
    for (std::size_t k = 0; k < units.size(); ++k) {
      const std::optional<bool> c = covered_of(k);
      if (!c) continue;  // no verdict (no applicable rule / no class): not counted
      RollupUnit u;
      u.id = units[k].id;
      u.county = extra_or(units[k], admin.county);
      u.town = extra_or(units[k], admin.town);
      u.population = units[k].population;
      u.covered = *c;
      u.reachable = primary[k].seconds < kInf;
      u.minutes = u.reachable ? primary[k].seconds / 60.0 : kInf;
      u.threshold_minutes = primary_threshold[k].value_or(u.minutes);  // km-only: nothing over
      if (u.covered && !u.reachable) u.reachable = true, u.minutes = 0;  // a km-only rule met
      ru.push_back(u);
      unit_of.push_back(k);
    }
    return std::pair{ru, unit_of};
  };
  Table county_t, town_t;
  county_t.shape = town_t.shape = Table::Shape::none;
  county_t.columns = town_t.columns = rollup_columns();
  nlohmann::ordered_json totals;
  auto roll = [&](const std::string& measure, auto covered_of) {
    auto [ru, unit_of] = rollup_units(covered_of);
    if (ru.empty()) return;
    const Rollup r = roll_up(ru);
    add_rollup_rows(county_t, measure, r.counties);
    add_rollup_rows(town_t, measure, r.towns);
    totals[measure] = {{"units", r.total.units}, {"covered_units", r.total.covered_units},
                       {"population", r.total.population}, {"covered_population", r.total.covered_population},
                       {"coverage_rate_units", r.total.coverage_rate_units}};
    if (r.total.coverage_rate_population) totals[measure]["coverage_rate_population"] = *r.total.coverage_rate_population;
  };
  roll("overall", [&](std::size_t k) { return overall[k]; });
  for (std::size_t r = 0; r < sc.rules.size(); ++r)
    roll("rule:" + sc.rules[r].name, [&](std::size_t k) {
      return outcome[r][k].applies ? std::optional<bool>(outcome[r][k].covered) : std::nullopt;
    });
  if (sc.standard) roll("standard", [&](std::size_t k) { return standard_met[k]; });

  Table gaps_t;
  gaps_t.shape = Table::Shape::point;
  gaps_t.columns = {{"rank", Column::Type::integer}, {"id", Column::Type::text}, {"name", Column::Type::text},
                    {"county", Column::Type::text}, {"town", Column::Type::text}, {"population", Column::Type::real},
                    {"minutes", Column::Type::real}, {"minutes_over", Column::Type::real}, {"reason", Column::Type::text}};
  {
    auto [ru, unit_of] = rollup_units([&](std::size_t k) { return overall[k]; });
    const std::vector<Gap> gaps = rank_gaps(ru);
    for (std::size_t g = 0; g < gaps.size(); ++g) {
      const std::size_t k = unit_of[gaps[g].unit];
      gaps_t.rows.push_back({std::to_string(g + 1), units[k].id, units[k].name, gaps[g].county, gaps[g].town,
                             fixed(gaps[g].population, 0), gaps[g].minutes < kInf ? fixed(gaps[g].minutes, 2) : "",
                             gaps[g].minutes_over < kInf ? fixed(gaps[g].minutes_over, 2) : "",
                             std::string(unreachable_reason(primary[k].reason))});
      gaps_t.geometry.push_back(units[k].where);
    }
  }
  // Gap areas: the part of each polygon unit outside its first rule's circle (all its modes).
  Table gap_areas_t;
  gap_areas_t.shape = Table::Shape::polygon;
  gap_areas_t.columns = {{"id", Column::Type::text}, {"name", Column::Type::text}, {"county", Column::Type::text},
                         {"town", Column::Type::text}, {"population", Column::Type::real},
                         {"area_km2", Column::Type::real}, {"outside_km2", Column::Type::real},
                         {"outside_share", Column::Type::real}, {"population_outside_est", Column::Type::real}};
  std::unique_ptr<OGRGeometry> first_circle;
  if (!sc.rules.empty())
    for (Mode m : sc.rules.front().modes)
      if (auto it = rule_circle.find({sc.rules.front().name, m}); it != rule_circle.end())
        if (auto g = geometry_from_wkb(it->second)) first_circle.reset(first_circle ? first_circle->Union(g.get()) : g.release());
  for (std::size_t k = 0; k < units.size(); ++k) {
    auto area = geometry_from_wkb(units[k].area_wkb);
    if (!area) continue;
    std::unique_ptr<OGRGeometry> outside(first_circle ? area->Difference(first_circle.get()) : area->clone());
    if (!outside || outside->IsEmpty()) continue;
    OGRMultiPolygon parts;
    if (wkbFlatten(outside->getGeometryType()) == wkbPolygon) parts.addGeometry(outside.get());
    else if (wkbFlatten(outside->getGeometryType()) == wkbMultiPolygon) parts = *outside->toMultiPolygon();
    else if (wkbFlatten(outside->getGeometryType()) == wkbGeometryCollection)
      for (const OGRGeometry* part : *outside->toGeometryCollection())
        if (wkbFlatten(part->getGeometryType()) == wkbPolygon) parts.addGeometry(part);
    if (parts.IsEmpty()) continue;
    const double total = area_km2(*area), out_km2 = area_km2(parts);
    const double share = total > 0 ? std::min(1.0, out_km2 / total) : 0.0;
    std::string wkb(parts.WkbSize(), '\0');
    parts.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    gap_areas_t.rows.push_back({units[k].id, units[k].name, extra_or(units[k], admin.county), extra_or(units[k], admin.town),
                                units[k].has_population ? fixed(units[k].population, 0) : "", fixed(total, 4),
                                fixed(out_km2, 4), fixed(share, 4),
                                units[k].has_population ? fixed(units[k].population * share, 0) : ""});
    gap_areas_t.wkb.push_back(std::move(wkb));
  }
  timings["gaps_rollups_s"] = progress.end(std::to_string(gaps_t.rows.size()) + " uncovered units");

  // Planning: where new points close the gaps (the same step as `legalcircle plan`).
  PlanOutputs plan;
  if (sc.planning) {
    const PlanningConfig& pc = *sc.planning;
    PlanRequest pr;
    pr.mode = pc.mode;
    pr.minutes = pc.minutes;
    pr.threads = threads;
    pr.bands = sc.isochrones.bands_minutes;
    pr.cell_m = cell_for(pc.mode);
    switch (pc.candidates) {
      case PlanningConfig::Source::demand: pr.candidates = "demand"; break;
      case PlanningConfig::Source::grid: pr.candidates = "grid:" + fixed(pc.grid_m, 0); break;
      case PlanningConfig::Source::layer:
        pr.candidates = sc.inputs.candidates->path;
        pr.candidate_read = sc.inputs.candidates->read;
        break;
    }
    if (pc.add) pr.add = static_cast<std::size_t>(*pc.add);
    if (pc.target) pr.target = *pc.target;
    if (!pr.add && !pr.target) throw ConfigError(sc.file + ": planning: give add or target");
    plan = plan_sites(in, pr, progress);
  }

  // ---- write ---------------------------------------------------------------------------------
  progress.begin("writing " + o.out_dir);
  const Table roads_t = roads_table(in.graph, modes);
  std::vector<NamedTable> layers = {
      {"demand", &demand_t},       {"services", &services_t}, {"circle", &circle_t},
      {"isochrones", &iso_t},      {"gaps", &gaps_t},         {"gap_areas", &gap_areas_t},
      {"roads", &roads_t},         {"rollup_county", &county_t}, {"rollup_town", &town_t}};
  if (sc.planning) {
    layers.push_back({"plan", &plan.sites});
    layers.push_back({"plan_coverage", &plan.coverage});
    layers.push_back({"plan_circle", &plan.circle});
  }
  StagedOutput out(o.out_dir);
  if (sc.outputs.geopackage) write_gpkg_layers(out.path("legalcircle.gpkg"), layers, sc.outputs.project_crs);
  if (sc.outputs.geojson)
    for (const NamedTable& l : layers)
      if (l.table->shape != Table::Shape::none) write_geojson(out.path(l.name + ".geojson"), l.name, *l.table);
  if (sc.outputs.csv)
    for (const NamedTable& l : {NamedTable{"demand", &demand_t}, NamedTable{"services", &services_t},
                                NamedTable{"gaps", &gaps_t}, NamedTable{"rollup_county", &county_t},
                                NamedTable{"rollup_town", &town_t}})
      write_csv(out.path(l.name + ".csv"), *l.table, sc.outputs.csv_bom);
  if (sc.planning) {
    if (sc.outputs.csv) write_csv(out.path("plan.csv"), plan.sites, sc.outputs.csv_bom);
    write_text_file(out.path("plan.json"), plan.json.dump(2) + "\n");
  }
  for (const auto& [file, raster] : geotiffs) write_minutes_geotiff(out.path(file), raster);
  if (sc.outputs.qgis && sc.outputs.geopackage) {
    QgisProject project;
    project.title = sc.title;
    project.gpkg = "legalcircle.gpkg";
    const std::string crs = sc.outputs.project_crs.empty() ? "EPSG:4326" : sc.outputs.project_crs;
    std::vector<QgisCategory> tiers;
    std::vector<Tier> by_level = sc.tiers;
    std::stable_sort(by_level.begin(), by_level.end(), [](const Tier& a, const Tier& b) { return a.level > b.level; });
    for (const Tier& t : by_level) tiers.push_back({t.name, t.label});
    const bool zh = sc.outputs.lang != "en";
    project.layers = {
        {"services", zh ? "公共法律服务点" : "Legal service points", QgisGeometry::point, QgisStyle::services_by_tier, tiers, crs, true},
        {"gaps", zh ? "未覆盖村社" : "Uncovered villages", QgisGeometry::point, QgisStyle::plain, {}, crs, true},
        {"demand", zh ? "村社覆盖情况" : "Villages and communities", QgisGeometry::point, QgisStyle::uncovered_red, {}, crs, true},
        {"circle", zh ? "15分钟服务圈" : "15-minute circle", QgisGeometry::polygon, QgisStyle::circle_fill, {}, crs, true},
        {"isochrones", zh ? "各服务点等时圈" : "Per-service isochrones", QgisGeometry::polygon, QgisStyle::circle_fill, {}, crs, false},
        {"gap_areas", zh ? "服务圈外区域" : "Areas outside the circle", QgisGeometry::polygon, QgisStyle::plain, {}, crs, false},
        {"roads", zh ? "道路" : "Roads", QgisGeometry::line, QgisStyle::plain, {}, crs, true}};
    if (sc.planning)
      project.layers.insert(project.layers.begin() + 1, {"plan", zh ? "建议新增服务点" : "Recommended new sites",
                                                         QgisGeometry::point, QgisStyle::plain, {}, crs, true});
    write_qgis_project(out.path("legalcircle.qgs"), project);
    // The styles were written beside the project, in the staging folder: commit them too.
    for (const QgisLayer& l : project.layers) out.path(l.name + ".qml");
  }
  timings["write_s"] = progress.end();

  nlohmann::ordered_json summary;
  summary["command"] = "run";
  summary["scenario"] = sc.file;
  summary["name"] = sc.name;
  summary["title"] = sc.title;
  summary["lang"] = sc.outputs.lang;
  {
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    summary["run_date"] = date;
  }
  summary["direction"] = std::string(to_string(in.direction));
  summary["max_snap_m"] = in.profiles.max_snap_m;
  summary["access_leg_kmh"] = in.profiles.access_leg_kmh;
  for (Mode m : modes) {
    const ModeProfile& mp = in.profiles[m];
    nlohmann::ordered_json pj = {{"default_speed_kmh", mp.default_speed_kmh}, {"respect_oneway", mp.respect_oneway}};
    if (!mp.class_speed_kmh.empty()) pj["class_speed_kmh"] = mp.class_speed_kmh;
    summary["profiles"][std::string(mode_name(m))] = pj;
  }
  summary["tiers"] = nlohmann::json::array();
  for (const Tier& t : sc.tiers) summary["tiers"].push_back({{"name", t.name}, {"label", t.label}, {"level", t.level}});
  if (sc.standard) {
    for (std::size_t c = 0; c < kAreaClassCount; ++c) {
      const StandardClass& sc_c = sc.standard->classes[c];
      summary["standard"][std::string(to_string(static_cast<AreaClass>(c)))] = {
          {"mode", std::string(mode_name(sc_c.mode))}, {"km", sc_c.km}, {"minutes", sc_c.minutes}};
    }
    summary["standard"]["basis"] = std::string(to_string(sc.standard->basis));
  }
  summary["inputs"] = {{"roads", in.roads}, {"services", in.services}, {"demand", in.demand}};
  summary["units"] = units.size();
  summary["services"] = services.size();
  summary["rules"] = nlohmann::json::array();
  for (const CoverageRule& r : sc.rules) {
    nlohmann::ordered_json j = {{"name", r.name}, {"tier", r.tier}, {"modes", nlohmann::json::array()}};
    for (Mode m : r.modes) j["modes"].push_back(std::string(mode_name(m)));
    if (r.threshold_minutes) j["threshold_minutes"] = *r.threshold_minutes;
    if (r.threshold_km) j["threshold_km"] = *r.threshold_km;
    summary["rules"].push_back(j);
  }
  summary["totals"] = totals;
  summary["uncovered_units"] = gaps_t.rows.size();
  if (sc.planning) summary["planning"] = plan.json;
  summary["units_without_area_class"] = unclassified;
  summary["attribution"] = attribution(in);
  summary["timings"] = timings;
  write_text_file(out.path("summary.json"), summary.dump(2) + "\n");
  if (sc.outputs.report) {
    // Written last, from the staged files (summary.json, layers), into the same staging folder.
    const std::string report = out.path("report.html");
    write_report(fs::path(report).parent_path().string(), sc.outputs.lang, report);
  }
  out.commit();
  for (const auto& [measure, t] : totals.items())
    std::cerr << "legalcircle: " << measure << ": " << t["covered_units"] << " of " << t["units"] << " units covered"
              << (t.contains("coverage_rate_population")
                      ? ", " + fixed(100.0 * t["coverage_rate_population"].get<double>(), 1) + "% of population"
                      : std::string())
              << "\n";
  progress.note("wrote legalcircle.gpkg, layers, tables, QGIS project and summary.json to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
