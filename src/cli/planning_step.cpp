#include "planning_step.hpp"

#include <chrono>
#include <cmath>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/planning/cover_matrix.hpp"

namespace legalcircle::cli {
namespace {

struct Candidates {
  std::vector<std::string> id, name;
  std::vector<LonLat> where;
};

Candidates make_candidates(const Inputs& in, const PlanRequest& r, const SegmentIndex& index) {
  Candidates c;
  if (r.candidates == "demand") {
    // A site at a demand unit snaps like that unit and serves like any service.
    for (const PointRecord& p : in.demand_points.points) {
      c.id.push_back(p.id);
      c.name.push_back(p.name);
      c.where.push_back(p.where);
    }
  } else if (r.candidates.rfind("grid:", 0) == 0) {
    char* end = nullptr;
    const double spacing = std::strtod(r.candidates.c_str() + 5, &end);
    if (end == r.candidates.c_str() + 5 || *end != '\0' || !(spacing >= 10))
      throw ConfigError("--candidates " + r.candidates + ": give grid:<metres>, at least 10 (e.g. grid:500)");
    c.where = grid_candidates(in.graph, index, spacing, in.profiles.max_snap_m);
    for (std::size_t j = 0; j < c.where.size(); ++j) {
      c.id.push_back("grid/" + std::to_string(j + 1));
      c.name.push_back("");
    }
  } else {
    for (const PointRecord& p : read_points(r.candidates, r.candidate_read).points) {
      c.id.push_back(p.id);
      c.name.push_back(p.name);
      c.where.push_back(p.where);
    }
  }
  return c;
}

std::string join_ids(const std::vector<uint32_t>& units, const std::vector<PointRecord>& points) {
  std::string out;
  for (uint32_t i : units) out += (out.empty() ? "" : ",") + points[i].id;
  return out;
}

}  // namespace

PlanOutputs plan_sites(const Inputs& in, const PlanRequest& r, Progress& progress) {
  if (!(r.minutes > 0)) throw ConfigError("planning: minutes must be positive");
  if (int(r.add.has_value()) + int(r.target.has_value()) + int(!r.evaluate.empty()) != 1)
    throw ConfigError("planning: give exactly one of --add K, --target SHARE, --evaluate FILE");
  if (r.add && *r.add == 0) throw ConfigError("--add: give at least one site");
  const std::vector<PointRecord>& units = in.demand_points.points;
  const double threshold_s = r.minutes * 60.0;
  const SegmentIndex index(in.graph, r.mode);
  CoverageRequest req;
  req.mode = r.mode;
  req.direction = in.direction;
  req.access_leg_kmh = in.profiles.access_leg_kmh;
  req.max_snap_m = in.profiles.max_snap_m;

  // Before: existing services alone.
  std::vector<SnappedPoint> unit_snaps;
  for (const PointRecord& p : units) unit_snaps.push_back(index.snap(p.where, req.max_snap_m));
  TravelTimeField before(in.graph, index, req);
  before.set_services(in.service_xy());
  std::vector<UnitResult> before_t;
  for (const SnappedPoint& s : unit_snaps) before_t.push_back(before.evaluate_snapped(s));

  PlanOutputs out;
  nlohmann::ordered_json& j = out.json;
  j["mode"] = std::string(mode_name(r.mode));
  j["minutes"] = r.minutes;
  std::vector<LonLat> new_sites;
  std::vector<std::string> new_ids, new_names;
  out.sites.shape = Table::Shape::point;
  out.sites.columns = {{"rank", Column::Type::integer}, {"id", Column::Type::text}, {"name", Column::Type::text},
                       {"gain_population", Column::Type::real}, {"gain_units", Column::Type::integer},
                       {"newly_covered_ids", Column::Type::text}};

  if (!r.evaluate.empty()) {
    const PointLayer proposals = read_points(r.evaluate, r.evaluate_read);
    for (const PointRecord& p : proposals.points) {
      new_sites.push_back(p.where);
      new_ids.push_back(p.id);
      new_names.push_back(p.name);
    }
    j["kind"] = "evaluate";
    j["proposals"] = r.evaluate;
  } else {
    progress.begin("candidates and cover matrix");
    const auto t0 = std::chrono::steady_clock::now();
    const Candidates cand = make_candidates(in, r, index);
    if (cand.where.empty()) throw InputError("planning: no candidate sites (" + r.candidates + ")");
    const CoverMatrix matrix = cover_matrix(in.graph, index, req, threshold_s, cand.where, unit_snaps, r.threads);
    const double matrix_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t unusable = 0;
    for (uint8_t u : matrix.usable) unusable += !u;
    progress.end(std::to_string(cand.where.size()) + " candidates" +
                 (unusable ? ", " + std::to_string(unusable) + " cannot snap" : ""));
    CoverProblem problem;
    for (const PointRecord& p : units) problem.weight.push_back(p.population);
    for (const UnitResult& u : before_t) problem.already_covered.push_back(u.seconds <= threshold_s);
    problem.covers = matrix.covers;

    progress.begin(r.add ? "choosing " + std::to_string(*r.add) + " sites (MCLP)" : "fewest sites (LSCP)");
    std::vector<PlannedSite> chosen;
    if (r.add) {
      const MclpResult m = solve_mclp(problem, *r.add);
      chosen = m.sites;
      j["kind"] = "mclp";
      j["add"] = *r.add;
      j["objective_population"] = m.objective;
      j["upper_bound_population"] = m.upper_bound;
      j["gap"] = m.gap;
      j["existing_population"] = m.existing_weight;
      j["total_population"] = m.total_weight;
      j["runtime_s"] = {{"cover_matrix", matrix_s}, {"solve", m.seconds}};
      j["swap_moves"] = m.swap_moves;
      j["lagrangian_iterations"] = m.lagrangian_iterations;
      progress.end("objective " + fixed(m.objective, 0) + ", bound " + fixed(m.upper_bound, 0) + ", gap " +
                   fixed(100 * m.gap, 2) + "%");
    } else {
      const LscpResult l = solve_lscp(problem, *r.target);
      chosen = l.sites;
      j["kind"] = "lscp";
      j["target_share"] = *r.target;
      j["feasible"] = l.feasible;
      j["sites"] = l.count;
      j["lower_bound_sites"] = l.lower_bound_sites;
      j["gap_sites"] = l.gap_sites;
      j["objective_population"] = l.objective;
      j["share"] = l.share;
      j["best_reachable_share"] = l.best_reachable_share;
      j["existing_population"] = l.existing_weight;
      j["total_population"] = l.total_weight;
      j["runtime_s"] = {{"cover_matrix", matrix_s}, {"solve", l.seconds}};
      progress.end(std::to_string(l.count) + " sites (at least " + std::to_string(l.lower_bound_sites) +
                   " needed), share " + fixed(100 * l.share, 1) + "%");
      if (!l.feasible)
        progress.warn("target " + fixed(100 * *r.target, 1) + "% cannot be reached even with every candidate; best " +
                      fixed(100 * l.best_reachable_share, 1) + "%");
    }
    j["candidates"] = {{"source", r.candidates}, {"count", cand.where.size()}, {"unusable", unusable}};
    for (std::size_t rank = 0; rank < chosen.size(); ++rank) {
      const PlannedSite& s = chosen[rank];
      new_sites.push_back(cand.where[s.candidate]);
      new_ids.push_back(cand.id[s.candidate]);
      new_names.push_back(cand.name[s.candidate]);
      out.sites.rows.push_back({std::to_string(rank + 1), cand.id[s.candidate], cand.name[s.candidate],
                                fixed(s.gain, 0), std::to_string(s.newly_covered.size()),
                                join_ids(s.newly_covered, units)});
      out.sites.geometry.push_back(cand.where[s.candidate]);
    }
  }

  // After: existing and new sites together, the same semantics.
  std::vector<LonLat> all_sites = in.service_xy();
  all_sites.insert(all_sites.end(), new_sites.begin(), new_sites.end());
  TravelTimeField after(in.graph, index, req);
  after.set_services(all_sites);
  const std::size_t existing = in.service_points.points.size();
  auto site_id = [&](uint32_t s) { return s < existing ? in.service_points.points[s].id : new_ids[s - existing]; };
  out.coverage.shape = Table::Shape::point;
  out.coverage.columns = {{"id", Column::Type::text},          {"name", Column::Type::text},
                          {"population", Column::Type::real},  {"minutes_before", Column::Type::real},
                          {"covered_before", Column::Type::boolean}, {"minutes", Column::Type::real},
                          {"covered", Column::Type::boolean},  {"nearest_service_id", Column::Type::text},
                          {"newly_covered", Column::Type::boolean}};
  double pop_before = 0, pop_after = 0, total = 0;
  std::vector<std::vector<uint32_t>> evaluated_gain(new_sites.size());
  for (std::size_t k = 0; k < units.size(); ++k) {
    const UnitResult a = after.evaluate_snapped(unit_snaps[k]);
    const bool cb = before_t[k].seconds <= threshold_s, ca = a.seconds <= threshold_s;
    total += units[k].population;
    pop_before += cb ? units[k].population : 0;
    pop_after += ca ? units[k].population : 0;
    if (!cb && ca && a.nearest_service >= existing) evaluated_gain[a.nearest_service - existing].push_back(uint32_t(k));
    out.coverage.rows.push_back({units[k].id, units[k].name, units[k].has_population ? fixed(units[k].population, 0) : "",
                                 before_t[k].seconds < kInf ? fixed(before_t[k].seconds / 60, 2) : "", cb ? "true" : "false",
                                 a.seconds < kInf ? fixed(a.seconds / 60, 2) : "", ca ? "true" : "false",
                                 a.nearest_service != kInvalidId ? site_id(a.nearest_service) : "",
                                 !cb && ca ? "true" : "false"});
    out.coverage.geometry.push_back(units[k].where);
  }
  j["population_covered_before"] = pop_before;
  j["population_covered_after"] = pop_after;
  j["population_total"] = total;
  if (!r.evaluate.empty()) {
    // What-if: each proposal with the units it serves that were uncovered before.
    for (std::size_t s = 0; s < new_sites.size(); ++s) {
      double gain = 0;
      for (uint32_t k : evaluated_gain[s]) gain += units[k].population;
      out.sites.rows.push_back({std::to_string(s + 1), new_ids[s], new_names[s], fixed(gain, 0),
                                std::to_string(evaluated_gain[s].size()), join_ids(evaluated_gain[s], units)});
      out.sites.geometry.push_back(new_sites[s]);
    }
    j["objective_population"] = pop_after;
  } else if (std::abs(pop_after - j["objective_population"].get<double>()) > 1e-6 * std::max(1.0, total)) {
    // The solver's objective and a fresh coverage run must agree: both use the same semantics.
    throw std::logic_error("planning: cover matrix and coverage disagree (" + fixed(pop_after, 0) + " vs " +
                           fixed(j["objective_population"].get<double>(), 0) + ")");
  }

  // The circle after the plan.
  progress.begin("circle after the plan");
  std::vector<double> bands;
  for (double b : r.bands)
    if (b < r.minutes) bands.push_back(b);
  bands.push_back(r.minutes);
  const double cell = r.cell_m > 0 ? r.cell_m : default_cell_m(r.mode);
  CoverageRequest iso = req;
  iso.limit_s = isochrone_search_limit_s(threshold_s, cell, req.access_leg_kmh);
  TravelTimeField field(in.graph, index, iso);
  field.set_services(all_sites);
  const TimeRaster raster = time_raster(in.graph, field, iso, threshold_s, cell, r.threads);
  out.circle.shape = Table::Shape::polygon;
  out.circle.columns = {{"minutes", Column::Type::real}, {"mode", Column::Type::text}, {"area_km2", Column::Type::real}};
  for (const BandPolygon& b : trace_bands(raster, bands)) {
    out.circle.rows.push_back({fixed(b.minutes, 2), std::string(mode_name(r.mode)), fixed(b.area_km2, 4)});
    out.circle.wkb.push_back(b.wkb);
  }
  progress.end();
  return out;
}

}  // namespace legalcircle::cli
