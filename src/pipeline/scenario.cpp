#include "legalcircle/pipeline/scenario.hpp"

#include "legalcircle/analysis/isochrone.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/crs.hpp"
#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/pipeline/what_if.hpp"

namespace legalcircle {
namespace {

const std::string* extra_value(const PointRecord& p, const std::string& field) {
  if (field.empty()) return nullptr;
  for (const auto& [k, v] : p.extra)
    if (k == field) return &v;
  return nullptr;
}

std::string extra_or(const PointRecord& p, const std::string& field) {
  const std::string* v = extra_value(p, field);
  return v ? *v : std::string();
}

std::vector<LonLat> points_of(const World& world, const std::vector<uint32_t>& idx) {
  std::vector<LonLat> xy;
  for (uint32_t i : idx) xy.push_back(world.services()[i].where);
  return xy;
}

}  // namespace

std::string field_value(const PointRecord& p, const std::string& field, const PointReadOptions& read) {
  if (field.empty()) return "";
  if (field == read.name_field) return p.name;
  if (field == read.id_field) return p.id;
  return extra_or(p, field);
}

void apply_service_edits(const Scenario& sc, const ServiceEdits& edits, PointLayer& layer) {
  if (edits.empty()) return;
  auto sample = [&] {
    std::string ids;
    for (std::size_t i = 0; i < layer.points.size() && i < 8; ++i) ids += (i ? ", " : "") + layer.points[i].id;
    return ids + (layer.points.size() > 8 ? ", ..." : "");
  };
  std::set<std::string> gone(edits.remove.begin(), edits.remove.end());
  for (const std::string& id : edits.remove)
    if (std::none_of(layer.points.begin(), layer.points.end(), [&](const PointRecord& p) { return p.id == id; }))
      throw ConfigError(sc.file + ": key 'proposals.remove': no service '" + id + "' in " + layer.source +
                        " (its ids: " + sample() + ")");
  std::erase_if(layer.points, [&](const PointRecord& p) { return gone.count(p.id) > 0; });
  const std::string& tier_field = sc.inputs.services.tier_field;
  const bool tiers = !sc.tiers.empty() && !tier_field.empty();
  if (tiers && std::find(layer.extra_fields.begin(), layer.extra_fields.end(), tier_field) == layer.extra_fields.end()) {
    layer.extra_fields.push_back(tier_field);
    for (PointRecord& p : layer.points) p.extra.emplace_back(tier_field, "");
  }
  for (std::size_t i = 0; i < edits.add.size(); ++i) {
    const ProposedService& a = edits.add[i];
    if (std::any_of(layer.points.begin(), layer.points.end(), [&](const PointRecord& p) { return p.id == a.id; }))
      throw ConfigError(sc.file + ": key 'proposals.add[" + std::to_string(i) + "].id': '" + a.id +
                        "' is already a service id in " + layer.source);
    PointRecord p;
    p.id = a.id;
    p.name = a.name;
    p.where = a.where;
    for (const std::string& f : layer.extra_fields) p.extra.emplace_back(f, tiers && f == tier_field ? a.tier : "");
    layer.points.push_back(std::move(p));
  }
}

std::vector<std::optional<AreaClass>> unit_area_classes(const Scenario& sc, const World& world) {
  const auto& units = world.units();
  const AdminFields& admin = sc.inputs.demand.admin;
  const PointReadOptions& read = sc.inputs.demand.read;
  std::vector<std::optional<AreaClass>> out(units.size());
  for (std::size_t k = 0; k < units.size(); ++k) {
    const std::string v = field_value(units[k], admin.area_class, read);
    try {
      out[k] = area_class_of(v, field_value(units[k], admin.type, read), sc.standard ? &*sc.standard : nullptr);
    } catch (const ConfigError&) {
      throw InputError(sc.inputs.demand.path + ": unit " + units[k].id + ": field '" + admin.area_class + "' is '" +
                       v + "', expected urban, rural or remote");
    }
  }
  return out;
}

std::vector<Mode> isochrone_modes(const Scenario& sc) {
  if (!sc.isochrones.modes.empty()) return sc.isochrones.modes;
  std::set<Mode> s;
  for (const CoverageRule& r : sc.rules) s.insert(r.modes.begin(), r.modes.end());
  if (sc.standard)
    for (const StandardClass& c : sc.standard->classes) s.insert(c.mode);
  return {s.begin(), s.end()};
}

std::vector<Mode> scenario_modes(const Scenario& sc) {
  std::set<Mode> s;
  for (const CoverageRule& r : sc.rules) s.insert(r.modes.begin(), r.modes.end());
  if (sc.standard)
    for (const StandardClass& c : sc.standard->classes) s.insert(c.mode);
  for (Mode m : isochrone_modes(sc)) s.insert(m);
  // The circle after the plan is drawn in planning.mode: the graph needs it even when no rule
  // uses it (the run used to do all the work, then stop for want of it).
  if (sc.planning) s.insert(sc.planning->mode);
  if (sc.guide_maps.enabled) s.insert(sc.guide_maps.modes.begin(), sc.guide_maps.modes.end());
  return {s.begin(), s.end()};
}

std::vector<std::string> service_tiers(const Scenario& sc, const World& world, std::vector<std::string>* warnings) {
  const auto& services = world.services();
  std::vector<std::string> tier(services.size());
  const std::string& field = sc.inputs.services.tier_field;
  const auto& kept = world.service_layer().extra_fields;
  if (!field.empty() && !services.empty() && std::find(kept.begin(), kept.end(), field) == kept.end()) {
    std::string fields;
    for (const std::string& f : world.service_layer().source_fields) fields += (fields.empty() ? "" : ", ") + f;
    if (sc.inputs.services.default_tier.empty() && !sc.tiers.empty())
      throw InputError(sc.inputs.services.path + ": no tier field '" + field +
                       "' (inputs.services.tier_field) and no default_tier; the fields are: " + fields);
    if (warnings && !sc.inputs.services.default_tier.empty())
      warnings->push_back(sc.inputs.services.path + ": no tier field '" + field + "': every service is tier '" +
                          sc.inputs.services.default_tier + "' (default_tier)");
  }
  for (std::size_t i = 0; i < services.size(); ++i) {
    const std::string* v = extra_value(services[i], sc.inputs.services.tier_field);
    tier[i] = v && !v->empty() ? *v : sc.inputs.services.default_tier;
    if (!sc.tiers.empty() && !tier[i].empty() && !sc.find_tier(tier[i]))
      throw InputError(sc.inputs.services.path + ": service " + services[i].id + ": field '" +
                       sc.inputs.services.tier_field + "' has tier '" + tier[i] + "', which the scenario does not define");
  }
  return tier;
}

Verdicts evaluate_verdicts(const World& world, const Scenario& sc, const std::vector<LonLat>& services,
                          const std::vector<std::string>& service_tier,
                          const std::vector<std::optional<AreaClass>>& unit_class, unsigned threads) {
  return WhatIf(world, sc, services, service_tier, unit_class, /*keep_fields=*/false, threads).verdicts();
}

namespace {

// The units with a verdict on a measure, as roll-up records; minutes are the overall primary's.
template <class CoveredOf>
std::pair<std::vector<RollupUnit>, std::vector<uint32_t>> rollup_units(const World& world, const Scenario& sc,
                                                                        const Verdicts& v, CoveredOf covered_of) {
  const auto& units = world.units();
  const AdminFields& admin = sc.inputs.demand.admin;
  std::vector<RollupUnit> ru;
  std::vector<uint32_t> unit_of;
  for (std::size_t k = 0; k < units.size(); ++k) {
    const std::optional<bool> c = covered_of(k);
    if (!c) continue;  // no verdict (no applicable rule / no class): not counted
    const OverallOutcome& o = v.overall[k];
    RollupUnit u;
    u.id = units[k].id;
    u.county = field_value(units[k], admin.county, sc.inputs.demand.read);
    u.town = field_value(units[k], admin.town, sc.inputs.demand.read);
    u.population = units[k].population;
    u.covered = *c;
    u.reachable = o.primary.seconds < kInf;
    u.minutes = u.reachable ? o.primary.seconds / 60.0 : kInf;
    u.threshold_minutes = o.primary_threshold_minutes.value_or(u.minutes);  // km-only: nothing over
    if (u.covered && !u.reachable) u.reachable = true, u.minutes = 0;    // a km-only rule met
    ru.push_back(u);
    unit_of.push_back(uint32_t(k));
  }
  return {ru, unit_of};
}

}  // namespace

std::vector<MeasureRollup> measure_rollups(const World& world, const Scenario& sc, const Verdicts& v) {
  std::vector<MeasureRollup> out;
  auto roll = [&](const std::string& measure, auto covered_of) {
    auto [ru, unit_of] = rollup_units(world, sc, v, covered_of);
    if (!ru.empty()) out.push_back({measure, roll_up(ru)});
  };
  roll("overall", [&](std::size_t k) { return v.overall[k].covered; });
  for (std::size_t r = 0; r < sc.rules.size(); ++r)
    roll("rule:" + sc.rules[r].name, [&](std::size_t k) {
      return v.rules[r][k].applies ? std::optional<bool>(v.rules[r][k].covered) : std::nullopt;
    });
  if (sc.standard) roll("standard", [&](std::size_t k) { return v.standard[k].met; });
  return out;
}

std::optional<bool> Verdicts::measure(const Scenario& sc, std::size_t k) const {
  if (!sc.planning || sc.planning->objective == PlanningConfig::Objective::overall) return overall[k].covered;
  if (sc.planning->objective == PlanningConfig::Objective::standard) return standard.empty() ? std::nullopt : standard[k].met;
  for (std::size_t r = 0; r < sc.rules.size(); ++r)
    if (sc.rules[r].name == sc.planning->objective_rule)
      return rules[r][k].applies ? std::optional<bool>(rules[r][k].covered) : std::nullopt;
  return std::nullopt;
}

ScenarioResult run_scenario(const World& world, const Scenario& sc, const RunSettings& settings, Observer& observer) {
  ScenarioResult res;
  auto warn = [&](const std::string& message) {
    res.warnings.push_back(message);
    observer.warning(message);
  };
  const std::vector<PointRecord>& services = world.services();
  const std::vector<PointRecord>& units = world.units();
  const unsigned threads = std::max(1u, settings.threads);
  res.modes = scenario_modes(sc);
  world.check_usable(res.modes);
  // Rasters that could not be held fail now, before any search.
  if (sc.isochrones.enabled)
    for (Mode m : res.modes)
      check_raster_size(world.graph(), sc.isochrones.cell_m[static_cast<std::size_t>(m)],
                        "isochrones.cell_m." + std::string(mode_name(m)));
  // The GeoPackage's CRS should cover the data (EPSG:4549 is for 118.5-121.5 E).
  if (!sc.outputs.project_crs.empty())
    if (const auto area = crs_area_of_use(sc.outputs.project_crs)) {
      std::size_t outside = 0;
      for (const PointRecord& p : units)
        outside += p.where.lon < area->west || p.where.lon > area->east || p.where.lat < area->south ||
                   p.where.lat > area->north;
      if (outside > 0) {
        char box[128];
        std::snprintf(box, sizeof box, "lon %.1f to %.1f, lat %.1f to %.1f", area->west, area->east, area->south,
                      area->north);
        warn(std::to_string(outside) + " of " + std::to_string(units.size()) + " demand units lie outside the area of use of " +
             "outputs.project_crs " + sc.outputs.project_crs + " (" + area->name + ": " + box +
             "): the projected layers are distorted there; choose the zone of the data");
      }
    }
  res.service_tier = service_tiers(sc, world, &res.warnings);
  for (const std::string& w : res.warnings) observer.warning(w);

  const AdminFields& admin = sc.inputs.demand.admin;
  res.unit_class = unit_area_classes(sc, world);
  for (const auto& c : res.unit_class) res.unclassified_units += !c;

  // Rules, the standard and overall, over the existing services.
  Stage coverage_stage(observer, "coverage rules");
  for (std::size_t r = 0; r < sc.rules.size(); ++r)
    if (eligible_services(res.service_tier, sc.tiers, sc.rules[r].tier, sc.rules[r].higher_tiers_serve).empty())
      warn("rule " + sc.rules[r].name + ": no service of tier '" + sc.rules[r].tier + "'");
  Verdicts v = evaluate_verdicts(world, sc, world.service_xy(), res.service_tier, res.unit_class, threads);
  res.rules = std::move(v.rules);
  res.standard = std::move(v.standard);
  res.overall = std::move(v.overall);
  res.timings.emplace_back("coverage_s", coverage_stage.end(std::to_string(sc.rules.size()) + " rules"));
  if (res.unclassified_units > 0 &&
      (sc.standard || std::any_of(sc.rules.begin(), sc.rules.end(),
                                  [](const CoverageRule& r) { return r.applies_to.has_value(); })))
    warn(std::to_string(res.unclassified_units) + " demand units have no area class (field '" + admin.area_class +
         "' or type '" + admin.type + "'): no standard verdict, area-class rules skip them");

  // Services' snaps per mode (a service that cannot snap is not used by that mode).
  for (Mode m : res.modes) {
    std::vector<std::optional<double>> snap_m(services.size());
    for (std::size_t i = 0; i < services.size(); ++i) {
      const SnappedPoint s = world.index(m).snap(services[i].where, world.profiles().max_snap_m);
      if (s.ok()) snap_m[i] = s.offset_m;
      else warn(std::string(mode_name(m)) + ": service " + services[i].id + " cannot snap: not used");
    }
    res.service_snap_m.push_back(std::move(snap_m));
  }

  // Circles per rule and mode (bands + the rule's threshold), per-service isochrones per mode.
  Stage iso_stage(observer, "circles and isochrones");
  std::optional<SnapGrid> plan_snaps;  // kept for the plan's circle
  std::map<std::pair<std::string, Mode>, std::string> rule_circle;  // (rule, mode) -> WKB at threshold
  auto spec_for = [&](Mode m, std::vector<double> bands) {
    CircleSpec spec;
    spec.mode = m;
    spec.bands_minutes = std::move(bands);
    spec.cell_m = sc.isochrones.cell_m[static_cast<std::size_t>(m)];
    spec.simplify_m = sc.isochrones.simplify_m.value_or(-1.0);
    spec.threads = threads;
    return spec;
  };
  if (sc.isochrones.enabled) {
    // Mode by mode: the cells' snaps once (SnapGrid, over the reach of every service at the
    // longest band or threshold of the mode), read by each rule's circle and each service's
    // isochrones; then dropped, so one mode's grid is in memory at a time.
    struct RuleCircle {
      const CoverageRule* rule;
      std::vector<double> bands;
      std::vector<LonLat> xy;
    };
    std::vector<RuleCircle> wanted;
    for (const CoverageRule& rule : sc.rules) {
      if (!rule.threshold_minutes) continue;  // km-only rules have no time circle
      std::vector<double> bands;
      for (double b : sc.isochrones.bands_minutes)
        if (b < *rule.threshold_minutes) bands.push_back(b);
      bands.push_back(*rule.threshold_minutes);
      wanted.push_back({&rule, std::move(bands),
                        points_of(world, eligible_services(res.service_tier, sc.tiers, rule.tier, rule.higher_tiers_serve))});
    }
    auto has = [](const std::vector<Mode>& modes, Mode m) { return std::find(modes.begin(), modes.end(), m) != modes.end(); };
    std::vector<Mode> modes;
    for (const RuleCircle& w : wanted)
      for (Mode m : w.rule->modes)
        if (!has(modes, m)) modes.push_back(m);
    const std::vector<Mode> iso_modes = sc.isochrones.per_service ? isochrone_modes(sc) : std::vector<Mode>{};
    for (Mode m : iso_modes)
      if (!has(modes, m)) modes.push_back(m);
    std::map<std::pair<std::size_t, Mode>, Circle> circles;  // (wanted index, mode)
    std::map<Mode, std::vector<std::vector<BandPolygon>>> per_service;
    const std::vector<LonLat> all = world.service_xy();
    const bool plans = sc.planning.has_value();
    const Mode plan_mode = plans ? sc.planning->mode : Mode::walk;
    // The plan's mode last: its grid is kept for the plan, not held while the others are built.
    if (plans)
      std::stable_partition(modes.begin(), modes.end(), [&](Mode m) { return m != plan_mode; });
    for (Mode m : modes) {
      double longest = 0.0;
      for (const RuleCircle& w : wanted)
        if (has(w.rule->modes, m)) longest = std::max(longest, w.bands.back());
      const bool each = has(iso_modes, m);
      if (each) longest = std::max(longest, sc.isochrones.bands_minutes.back());
      // A rule's circle of every service up to the longest band comes from the grid's own search
      // (one search and one walk of the reach for both); a circle equal to an earlier rule's
      // (the same services and bands) is that one.
      auto same_points = [](const std::vector<LonLat>& a, const std::vector<LonLat>& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                          [](LonLat p, LonLat q) { return p.lon == q.lon && p.lat == q.lat; });
      };
      auto uses = [&](std::size_t k) { return has(wanted[k].rule->modes, m); };
      std::optional<std::size_t> with_grid;
      for (std::size_t k = 0; k < wanted.size() && !with_grid; ++k)
        if (uses(k) && wanted[k].bands.back() == longest && same_points(wanted[k].xy, all)) with_grid = k;
      SnapGrid snaps;
      if (with_grid) {
        SnappedCircle both = circle_and_snap_grid(world, spec_for(m, wanted[*with_grid].bands), all);
        snaps = std::move(both.snaps);
        circles[{*with_grid, m}] = std::move(both.circle);
        if (!sc.isochrones.geotiff) circles.at({*with_grid, m}).raster = TimeRaster{};  // only the GeoTIFF needs it
      } else {
        snaps = circle_snap_grid(world, spec_for(m, {longest}), all);
      }
      for (std::size_t k = 0; k < wanted.size(); ++k) {
        if (!uses(k) || circles.count({k, m})) continue;
        std::optional<std::size_t> twin;
        for (std::size_t e = 0; e < k && !twin; ++e)
          if (uses(e) && wanted[e].bands == wanted[k].bands && same_points(wanted[e].xy, wanted[k].xy)) twin = e;
        circles[{k, m}] = twin ? circles.at({*twin, m})
                               : union_circle(world, spec_for(m, wanted[k].bands), wanted[k].xy, &snaps);
        if (!sc.isochrones.geotiff) circles.at({k, m}).raster = TimeRaster{};
      }
      if (each) per_service[m] = per_service_isochrones(world, spec_for(m, sc.isochrones.bands_minutes), all, snaps);
      // The plan's circle after the new sites reads the same snaps (cells they reach beyond
      // these are snapped on the spot).
      if (plans && plan_mode == m) plan_snaps = std::move(snaps);
    }
    // In the order of rules, then their modes; then per mode of the isochrones, per service.
    for (std::size_t k = 0; k < wanted.size(); ++k)
      for (Mode m : wanted[k].rule->modes) {
        Circle& c = circles.at({k, m});
        for (BandPolygon& b : c.bands) {
          if (b.minutes == *wanted[k].rule->threshold_minutes) rule_circle[{wanted[k].rule->name, m}] = b.wkb;
          res.circles.push_back({wanted[k].rule->name, m, std::move(b)});
        }
        if (sc.isochrones.geotiff) res.rasters.push_back({wanted[k].rule->name, m, std::move(c.raster)});
      }
    for (Mode m : iso_modes) {
      auto& results = per_service.at(m);
      for (std::size_t i = 0; i < services.size(); ++i)
        for (BandPolygon& b : results[i])
          if (!b.wkb.empty()) res.isochrones.push_back({uint32_t(i), m, std::move(b)});
    }
  }
  res.timings.emplace_back("isochrones_s", iso_stage.end(std::to_string(res.circles.size()) + " circle bands, " +
                                                         std::to_string(res.isochrones.size()) + " service polygons"));

  // Gaps (uncovered units, ranked) and roll-ups per county and town. Every measure's roll-up
  // counts the units with a verdict on it; minutes are the overall primary's.
  Stage gaps_stage(observer, "gaps and roll-ups");
  const Verdicts now{res.rules, res.standard, res.overall};
  res.rollups = measure_rollups(world, sc, now);
  {
    auto [ru, unit_of] = rollup_units(world, sc, now, [&](std::size_t k) { return res.overall[k].covered; });
    for (Gap& g : rank_gaps(ru)) res.gaps.push_back({unit_of[g.unit], std::move(g)});
  }
  // Gap areas: the part of each polygon unit outside its first rule's circle (all its modes).
  // Point units have none: the circles' union (a second of GEOS at 1 M nodes) only for polygons.
  const bool polygon_units =
      std::any_of(units.begin(), units.end(), [](const PointRecord& u) { return !u.area_wkb.empty(); });
  std::vector<std::string> first_circle_parts;
  if (!sc.rules.empty() && polygon_units)
    for (Mode m : sc.rules.front().modes)
      if (auto it = rule_circle.find({sc.rules.front().name, m}); it != rule_circle.end())
        first_circle_parts.push_back(it->second);
  const std::string first_circle = union_wkb(first_circle_parts);
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (units[k].area_wkb.empty()) continue;
    AreaOutside a = area_outside(units[k].area_wkb, first_circle);
    if (a.wkb.empty()) continue;
    const double share = a.area_km2 > 0 ? std::min(1.0, a.outside_km2 / a.area_km2) : 0.0;
    res.gap_areas.push_back({uint32_t(k), std::move(a.wkb), a.area_km2, a.outside_km2, share});
  }
  res.timings.emplace_back("gaps_rollups_s", gaps_stage.end(std::to_string(res.gaps.size()) + " uncovered units"));

  // Planning: where new points close the gaps, on the scenario's own measure.
  if (sc.planning)
    res.plan = plan_on_measure(world, sc, res, settings.candidate_sites, settings.proposal_sites, threads, observer,
                               /*with_circle=*/true, plan_snaps ? &*plan_snaps : nullptr);
  return res;
}

}  // namespace legalcircle
