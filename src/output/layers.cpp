#include "legalcircle/output/layers.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "legalcircle/io/crs.hpp"
#include "legalcircle/io/geometry_ops.hpp"

namespace legalcircle {
namespace {

std::string fmt_minutes(const UnitResult& u) { return u.seconds < kInf ? fixed(u.seconds / 60.0, 2) : ""; }
std::string fmt_km(const UnitResult& u) { return u.seconds < kInf ? fixed(u.seconds / 1000.0, 3) : ""; }
std::string fmt_bool(bool b) { return b ? "true" : "false"; }


std::string join_ids(const std::vector<uint32_t>& units, const std::vector<PointRecord>& points) {
  std::string out;
  for (uint32_t i : units) {
    if (!out.empty()) out += ',';
    out += points[i].id;
  }
  return out;
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

Table band_table(const std::vector<BandPolygon>& bands, Mode mode) {
  Table t;
  t.shape = Table::Shape::polygon;
  t.columns = {{"minutes", Column::Type::real}, {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  t.polygons_valid_as_written = true;
  for (const BandPolygon& b : bands) {
    t.rows.push_back({fixed(b.minutes, 2), std::string(mode_name(mode)), fixed(b.area_km2, 4)});
    t.wkb.push_back(b.wkb);
    t.polygons_valid_as_written &= b.valid_as_written;
  }
  return t;
}

Table demand_table(const World& world, const Scenario& sc, const ScenarioResult& res) {
  const auto& units = world.units();
  const auto& services = world.services();
  Table t;
  t.shape = Table::Shape::point;
  t.columns = {{"id", Column::Type::text}, {"name", Column::Type::text}, {"population", Column::Type::real}};
  for (const std::string& f : world.demand_layer().extra_fields) add_column(t, f, Column::Type::text);
  t.columns.push_back({"area_class_used", Column::Type::text});
  t.columns.push_back({"minutes", Column::Type::real});
  t.columns.push_back({"nearest_service_id", Column::Type::text});
  t.columns.push_back({"covered", Column::Type::boolean});
  for (const CoverageRule& rule : sc.rules) {
    t.columns.push_back({rule.name + "_covered", Column::Type::boolean});
    for (Mode m : rule.modes) {
      const std::string p = rule.name + "_" + std::string(mode_name(m));
      t.columns.push_back({p + "_minutes", Column::Type::real});
      t.columns.push_back({p + "_service", Column::Type::text});
      if (rule.threshold_km) t.columns.push_back({p + "_km", Column::Type::real});
      t.columns.push_back({p + "_covered", Column::Type::boolean});
    }
  }
  if (sc.standard) {
    t.columns.push_back({"standard_value", Column::Type::real});
    t.columns.push_back({"standard_met", Column::Type::boolean});
  }
  t.columns.push_back({"snap_m", Column::Type::real});
  t.columns.push_back({"reason", Column::Type::text});
  auto service_id = [&](const UnitResult& u) { return u.nearest_service != kInvalidId ? services[u.nearest_service].id : ""; };
  for (std::size_t k = 0; k < units.size(); ++k) {
    const PointRecord& p = units[k];
    const OverallOutcome& o = res.overall[k];
    std::vector<std::string> row = {p.id, p.name, p.has_population ? fixed(p.population, 0) : ""};
    for (const auto& kv : p.extra) row.push_back(kv.second);
    row.push_back(res.unit_class[k] ? std::string(to_string(*res.unit_class[k])) : "");
    row.push_back(fmt_minutes(o.primary));
    row.push_back(service_id(o.primary));
    row.push_back(o.covered ? fmt_bool(*o.covered) : "");
    for (std::size_t r = 0; r < sc.rules.size(); ++r) {
      const RuleOutcome& ro = res.rules[r][k];
      row.push_back(ro.applies ? fmt_bool(ro.covered) : "");
      for (const ModeOutcome& m : ro.modes) {
        row.push_back(fmt_minutes(m.time));
        row.push_back(service_id(m.time));
        if (sc.rules[r].threshold_km) row.push_back(fmt_km(m.distance));
        row.push_back(ro.applies ? fmt_bool(m.covered) : "");
      }
    }
    if (sc.standard) {
      const StandardOutcome& so = res.standard[k];
      row.push_back(so.value < kInf ? fixed(so.value, 3) : "");
      row.push_back(so.met ? fmt_bool(*so.met) : "");
    }
    row.push_back(std::isfinite(o.primary.snap_m) ? fixed(o.primary.snap_m, 1) : "");
    row.push_back(std::string(unreachable_reason(o.primary.reason)));
    t.rows.push_back(std::move(row));
    t.geometry.push_back(p.where);
  }
  return t;
}

}  // namespace

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::vector<NamedTable> ScenarioLayers::all() const {
  std::vector<NamedTable> l = {{"demand", &demand},         {"services", &services}, {"circle", &circle},
                               {"isochrones", &isochrones}, {"gaps", &gaps},         {"gap_areas", &gap_areas},
                               {"roads", &roads},           {"rollup_county", &rollup_county},
                               {"rollup_town", &rollup_town}};
  if (!demand_areas.rows.empty()) l.push_back({"demand_areas", &demand_areas});
  if (plan_sites.shape != Table::Shape::derived) {
    l.push_back({"plan", &plan_sites});
    l.push_back({"plan_coverage", &plan_coverage});
    l.push_back({"plan_circle", &plan_circle});
    l.push_back({"plan_rollup", &plan_rollup});
  }
  return l;
}

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
    bool any = false;
    for (Mode m : modes) {
      const ModeWeights& mw = g.weights(m);
      bool usable = false;
      for (uint32_t s : segs[w]) usable = usable || mw.seg_time_ab[s] < inf || mw.seg_time_ba[s] < inf;
      row.push_back(fmt_bool(usable));
      any = any || usable;
    }
    if (!any) continue;
    std::vector<std::pair<LonLat, LonLat>> lines;
    for (uint32_t s : segs[w]) lines.emplace_back(g.coord[g.seg_a[s]], g.coord[g.seg_b[s]]);
    t.rows.push_back(std::move(row));
    t.wkb.push_back(multiline_wkb(lines));
  }
  return t;
}

ScenarioLayers scenario_layers(const World& world, const Scenario& sc, const ScenarioResult& res) {
  const auto& units = world.units();
  const auto& services = world.services();
  const AdminFields& admin = sc.inputs.demand.admin;
  ScenarioLayers L;
  L.demand = demand_table(world, sc, res);

  L.services.shape = Table::Shape::point;
  L.services.columns = {{"id", Column::Type::text}, {"name", Column::Type::text}, {"tier", Column::Type::text}};
  for (Mode m : res.modes) L.services.columns.push_back({std::string(mode_name(m)) + "_snap_m", Column::Type::real});
  for (std::size_t i = 0; i < services.size(); ++i) {
    std::vector<std::string> row = {services[i].id, services[i].name, res.service_tier[i]};
    for (std::size_t m = 0; m < res.modes.size(); ++m)
      row.push_back(res.service_snap_m[m][i] ? fixed(*res.service_snap_m[m][i], 1) : "");
    L.services.rows.push_back(std::move(row));
    L.services.geometry.push_back(services[i].where);
  }

  L.circle.shape = L.isochrones.shape = Table::Shape::polygon;
  L.circle.columns = {{"rule", Column::Type::text}, {"mode", Column::Type::text}, {"minutes", Column::Type::real},
                      {"area_km2", Column::Type::real}};
  L.circle.polygons_valid_as_written = L.isochrones.polygons_valid_as_written = true;
  for (const CircleBand& c : res.circles) {
    L.circle.rows.push_back({c.rule, std::string(mode_name(c.mode)), fixed(c.band.minutes, 2), fixed(c.band.area_km2, 4)});
    L.circle.wkb.push_back(c.band.wkb);
    L.circle.polygons_valid_as_written &= c.band.valid_as_written;
  }
  L.isochrones.columns = {{"service_id", Column::Type::text}, {"name", Column::Type::text}, {"tier", Column::Type::text},
                          {"minutes", Column::Type::real},    {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  for (const ServiceBand& s : res.isochrones) {
    L.isochrones.rows.push_back({services[s.service].id, services[s.service].name, res.service_tier[s.service],
                                 fixed(s.band.minutes, 2), std::string(mode_name(s.mode)), fixed(s.band.area_km2, 4)});
    L.isochrones.wkb.push_back(s.band.wkb);
    L.isochrones.polygons_valid_as_written &= s.band.valid_as_written;
  }

  L.rollup_county.shape = L.rollup_town.shape = Table::Shape::none;
  L.rollup_county.columns = L.rollup_town.columns = rollup_columns();
  for (const MeasureRollup& m : res.rollups) {
    add_rollup_rows(L.rollup_county, m.measure, m.rollup.counties);
    add_rollup_rows(L.rollup_town, m.measure, m.rollup.towns);
  }

  L.gaps.shape = Table::Shape::point;
  L.gaps.columns = {{"rank", Column::Type::integer}, {"id", Column::Type::text}, {"name", Column::Type::text},
                    {"county", Column::Type::text}, {"town", Column::Type::text}, {"population", Column::Type::real},
                    {"minutes", Column::Type::real}, {"minutes_over", Column::Type::real}, {"reason", Column::Type::text}};
  for (std::size_t g = 0; g < res.gaps.size(); ++g) {
    const Gap& gap = res.gaps[g].gap;
    const PointRecord& u = units[res.gaps[g].unit];
    L.gaps.rows.push_back({std::to_string(g + 1), u.id, u.name, gap.county, gap.town, fixed(gap.population, 0),
                           gap.minutes < kInf ? fixed(gap.minutes, 2) : "",
                           gap.minutes_over < kInf ? fixed(gap.minutes_over, 2) : "",
                           std::string(unreachable_reason(res.overall[res.gaps[g].unit].primary.reason))});
    L.gaps.geometry.push_back(u.where);
  }

  L.gap_areas.shape = Table::Shape::polygon;
  L.gap_areas.columns = {{"id", Column::Type::text},         {"name", Column::Type::text},
                         {"county", Column::Type::text},     {"town", Column::Type::text},
                         {"population", Column::Type::real}, {"area_km2", Column::Type::real},
                         {"outside_km2", Column::Type::real}, {"outside_share", Column::Type::real},
                         {"population_outside_est", Column::Type::real}};
  for (const GapArea& a : res.gap_areas) {
    const PointRecord& u = units[a.unit];
    L.gap_areas.rows.push_back({u.id, u.name, field_value(u, admin.county, sc.inputs.demand.read),
                                field_value(u, admin.town, sc.inputs.demand.read),
                                u.has_population ? fixed(u.population, 0) : "", fixed(a.area_km2, 4),
                                fixed(a.outside_km2, 4), fixed(a.outside_share, 4),
                                u.has_population ? fixed(u.population * a.outside_share, 0) : ""});
    L.gap_areas.wkb.push_back(a.wkb);
  }

  // Polygon units (街道, 村 boundaries) as drawn areas with their overall verdict.
  L.demand_areas.shape = Table::Shape::polygon;
  L.demand_areas.columns = {{"id", Column::Type::text},   {"name", Column::Type::text},
                            {"county", Column::Type::text}, {"town", Column::Type::text},
                            {"population", Column::Type::real}, {"covered", Column::Type::boolean}};
  for (std::size_t k = 0; k < units.size(); ++k) {
    const PointRecord& u = units[k];
    if (u.area_wkb.empty()) continue;
    L.demand_areas.rows.push_back({u.id, u.name, field_value(u, admin.county, sc.inputs.demand.read),
                                   field_value(u, admin.town, sc.inputs.demand.read),
                                   u.has_population ? fixed(u.population, 0) : "", res.overall[k].covered ? fmt_bool(*res.overall[k].covered) : ""});
    L.demand_areas.wkb.push_back(u.area_wkb);
  }

  L.roads = roads_table(world.graph(), res.modes);
  if (res.plan) {
    PlanTables p = plan_tables(world, *res.plan, sc.outputs.project_crs);
    L.plan_sites = std::move(p.sites);
    L.plan_coverage = std::move(p.coverage);
    L.plan_circle = std::move(p.circle);
    L.plan_rollup = std::move(p.rollup);
  }
  return L;
}

PlanTables plan_tables(const World& world, const PlanResult& plan, const std::string& project_crs) {
  const auto& units = world.units();
  const std::size_t existing = world.services().size();
  const double threshold_s = plan.minutes * 60.0;
  PlanTables t;
  t.sites.shape = Table::Shape::point;
  t.sites.columns = {{"rank", Column::Type::integer}, {"id", Column::Type::text}, {"name", Column::Type::text},
                     {"gain_population", Column::Type::real}, {"gain_units", Column::Type::integer},
                     {"newly_covered_ids", Column::Type::text}, {"newly_covered_names", Column::Type::text},
                     {"town", Column::Type::text}, {"road", Column::Type::text},
                     {"lon", Column::Type::real}, {"lat", Column::Type::real}};
  std::vector<XY> projected;
  if (!project_crs.empty()) {
    t.sites.columns.push_back({"x", Column::Type::real});
    t.sites.columns.push_back({"y", Column::Type::real});
    std::vector<LonLat> where;
    for (const PlanResult::Site& s : plan.sites) where.push_back(s.point.where);
    projected = project_points(where, project_crs);
  }
  for (std::size_t rank = 0; rank < plan.sites.size(); ++rank) {
    const PlanResult::Site& s = plan.sites[rank];
    std::string names;
    for (uint32_t u : s.newly_covered) names += (names.empty() ? "" : "、") + (units[u].name.empty() ? units[u].id : units[u].name);
    std::vector<std::string> row = {std::to_string(rank + 1), s.point.id, s.point.name, fixed(s.gain_population, 0),
                                    std::to_string(s.newly_covered.size()), join_ids(s.newly_covered, units), names,
                                    s.town, s.road, fixed(s.point.where.lon, 7), fixed(s.point.where.lat, 7)};
    if (!projected.empty()) row.push_back(fixed(projected[rank].x, 2)), row.push_back(fixed(projected[rank].y, 2));
    t.sites.rows.push_back(std::move(row));
    t.sites.geometry.push_back(s.point.where);
  }
  // Sites in the after-field's order: the proposals as given, or the chosen ones by rank.
  auto site_id = [&](uint32_t s) {
    return s < existing ? world.services()[s].id : plan.sites[s - existing].point.id;
  };
  t.coverage.shape = Table::Shape::point;
  t.coverage.columns = {{"id", Column::Type::text},          {"name", Column::Type::text},
                        {"population", Column::Type::real},  {"minutes_before", Column::Type::real},
                        {"covered_before", Column::Type::boolean}, {"minutes", Column::Type::real},
                        {"covered", Column::Type::boolean},  {"nearest_service_id", Column::Type::text},
                        {"newly_covered", Column::Type::boolean}};
  for (std::size_t k = 0; k < units.size(); ++k) {
    const UnitResult& b = plan.before[k];
    const UnitResult& a = plan.after[k];
    // Covered on the plan's measure (a scenario objective), else within the plan's minutes.
    const bool measured = !plan.measure_before.empty();
    const bool cb = measured ? plan.measure_before[k] == true : b.seconds <= threshold_s;
    const bool ca = measured ? plan.measure_after[k] == true : a.seconds <= threshold_s;
    t.coverage.rows.push_back({units[k].id, units[k].name, units[k].has_population ? fixed(units[k].population, 0) : "",
                               b.seconds < kInf ? fixed(b.seconds / 60, 2) : "", fmt_bool(cb),
                               a.seconds < kInf ? fixed(a.seconds / 60, 2) : "", fmt_bool(ca),
                               a.nearest_service != kInvalidId ? site_id(a.nearest_service) : "", fmt_bool(!cb && ca)});
    t.coverage.geometry.push_back(units[k].where);
  }
  t.circle = band_table(plan.circle, plan.mode);

  // Before and after on every measure, matched by (measure, county, town); the total first.
  t.rollup.shape = Table::Shape::none;
  t.rollup.columns = {{"measure", Column::Type::text},         {"county", Column::Type::text},
                      {"town", Column::Type::text},            {"units", Column::Type::integer},
                      {"covered_units_before", Column::Type::integer}, {"covered_units_after", Column::Type::integer},
                      {"population", Column::Type::real},      {"covered_population_before", Column::Type::real},
                      {"covered_population_after", Column::Type::real},
                      {"coverage_rate_population_before", Column::Type::real},
                      {"coverage_rate_population_after", Column::Type::real}};
  auto rate = [](const RollupRow& r) { return r.coverage_rate_population ? fixed(*r.coverage_rate_population, 4) : ""; };
  for (const MeasureRollup& after : plan.rollups_after) {
    const MeasureRollup* before = nullptr;
    for (const MeasureRollup& b : plan.rollups_before)
      if (b.measure == after.measure) before = &b;
    if (!before) continue;
    auto add = [&](const RollupRow& b, const RollupRow& a, const std::string& county, const std::string& town) {
      t.rollup.rows.push_back({after.measure, county, town, std::to_string(a.units), std::to_string(b.covered_units),
                               std::to_string(a.covered_units), fixed(a.population, 0), fixed(b.covered_population, 0),
                               fixed(a.covered_population, 0), rate(b), rate(a)});
    };
    add(before->rollup.total, after.rollup.total, "", "");
    auto rows = [&](const std::vector<RollupRow>& bs, const std::vector<RollupRow>& as) {
      for (const RollupRow& a : as)
        for (const RollupRow& b : bs)
          if (b.county == a.county && b.town == a.town) add(b, a, a.county, a.town.empty() ? "" : a.town);
    };
    rows(before->rollup.counties, after.rollup.counties);
    rows(before->rollup.towns, after.rollup.towns);
  }
  return t;
}

nlohmann::ordered_json plan_json(const PlanResult& p) {
  nlohmann::ordered_json j;
  if (!p.objective.empty()) j["objective"] = p.objective;
  j["mode"] = std::string(mode_name(p.mode));
  j["minutes"] = p.minutes;
  if (p.kind == PlanResult::Kind::evaluate) {
    j["kind"] = "evaluate";
    j["proposals"] = p.proposals;
  } else {
    if (p.mclp) {
      const MclpResult& m = *p.mclp;
      j["kind"] = "mclp";
      j["add"] = *p.add;
      j["objective_population"] = m.objective;
      j["upper_bound_population"] = m.upper_bound;
      j["gap"] = m.gap;
      j["existing_population"] = m.existing_weight;
      j["total_population"] = m.total_weight;
      j["runtime_s"] = {{"cover_matrix", p.cover_matrix_s}, {"solve", m.seconds}};
      j["swap_moves"] = m.swap_moves;
      j["lagrangian_iterations"] = m.lagrangian_iterations;
    } else {
      const LscpResult& l = *p.lscp;
      j["kind"] = "lscp";
      j["target_share"] = *p.target;
      j["feasible"] = l.feasible;
      j["sites"] = l.count;
      j["lower_bound_sites"] = l.lower_bound_sites;
      j["gap_sites"] = l.gap_sites;
      j["objective_population"] = l.objective;
      j["share"] = l.share;
      j["best_reachable_share"] = l.best_reachable_share;
      j["existing_population"] = l.existing_weight;
      j["total_population"] = l.total_weight;
      j["runtime_s"] = {{"cover_matrix", p.cover_matrix_s}, {"solve", l.seconds}};
    }
    j["candidates"] = {{"source", p.candidate_source}, {"count", p.candidate_count}, {"unusable", p.unusable_candidates}};
  }
  j["population_covered_before"] = p.population_before;
  j["population_covered_after"] = p.population_after;
  j["population_total"] = p.population_total;
  if (!p.bound_valid) j["bound_valid"] = false;
  if (!p.bound_note.empty()) j["bound_note"] = p.bound_note;
  if (p.kind == PlanResult::Kind::evaluate) j["objective_population"] = p.population_after;
  return j;
}

Table isochrone_circle_table(const std::vector<ModeIsochrones>& runs) {
  Table t;
  t.columns = {{"minutes", Column::Type::real}, {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  t.polygons_valid_as_written = true;
  for (const ModeIsochrones& m : runs)
    for (const BandPolygon& b : m.circle.bands) {
      t.rows.push_back({fixed(b.minutes, 2), std::string(mode_name(m.spec.mode)), fixed(b.area_km2, 4)});
      t.wkb.push_back(b.wkb);
      t.polygons_valid_as_written &= b.valid_as_written;
    }
  return t;
}

Table isochrone_service_table(const World& world, const std::vector<ModeIsochrones>& runs) {
  Table t;
  t.columns = {{"service_id", Column::Type::text}, {"name", Column::Type::text}, {"minutes", Column::Type::real},
               {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  const auto& services = world.services();
  t.polygons_valid_as_written = true;
  for (const ModeIsochrones& m : runs)
    for (std::size_t i = 0; i < m.per_service.size(); ++i)
      for (const BandPolygon& b : m.per_service[i]) {
        if (b.wkb.empty()) continue;
        t.rows.push_back({services[i].id, services[i].name, fixed(b.minutes, 2), std::string(mode_name(m.spec.mode)),
                          fixed(b.area_km2, 4)});
        t.wkb.push_back(b.wkb);
        t.polygons_valid_as_written &= b.valid_as_written;
      }
  return t;
}

}  // namespace legalcircle
