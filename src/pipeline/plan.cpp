#include "legalcircle/pipeline/plan.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/planning/cover_matrix.hpp"

namespace legalcircle {
namespace {

std::string whole(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

void describe_sites(const World& world, Mode mode, const std::string& town_field, const PointReadOptions& read,
                    std::vector<PlanResult::Site>& sites) {
  const RoadGraph& g = world.graph();
  const SegmentIndex& index = world.index(mode);
  for (PlanResult::Site& s : sites) {
    const SnappedPoint snap = index.snap(s.point.where, world.profiles().max_snap_m);
    if (snap.ok()) s.road = g.way_name[g.seg_way[snap.segment]];
    if (!town_field.empty()) {
      double best = kInf;
      for (const PointRecord& u : world.units()) {
        const double d = haversine_m(u.where, s.point.where);
        if (d < best) {
          best = d;
          if (town_field == read.name_field) s.town = u.name;
          else
            for (const auto& [k, v] : u.extra)
              if (k == town_field) s.town = v;
        }
      }
    }
    if (s.point.name.empty()) {
      std::string label = s.town;
      if (!s.road.empty()) label += (label.empty() ? "" : " ") + s.road;
      s.point.name = label;
    }
  }
}

std::vector<SitePoint> candidate_points(const World& world, const CandidateSource& source, Mode mode,
                                        const std::vector<SitePoint>& layer) {
  std::vector<SitePoint> c;
  switch (source.kind) {
    case CandidateSource::Kind::demand:
      // A site at a demand unit snaps like that unit and serves like any service.
      for (const PointRecord& p : world.units()) c.push_back({p.id, p.name, p.where});
      break;
    case CandidateSource::Kind::grid: {
      const auto where = grid_candidates(world.graph(), world.index(mode), source.grid_m,
                                         world.profiles().max_snap_m);
      for (std::size_t j = 0; j < where.size(); ++j) c.push_back({"grid/" + std::to_string(j + 1), "", where[j]});
      break;
    }
    case CandidateSource::Kind::layer: c = layer; break;
  }
  return c;
}

PlanResult plan_sites(const World& world, const PlanRequest& r, const std::vector<SitePoint>& given,
                      Observer& observer) {
  if (!(r.minutes > 0)) throw ConfigError("planning: minutes must be positive");
  if (int(r.add.has_value()) + int(r.target.has_value()) + int(r.evaluate) != 1)
    throw ConfigError("planning: give exactly one of --add K, --target SHARE, --evaluate FILE");
  if (r.add && *r.add == 0) throw ConfigError("--add: give at least one site");
  const std::vector<PointRecord>& units = world.units();
  const double threshold_s = r.minutes * 60.0;
  const CoverageRequest req = world.request(r.mode);
  const std::vector<SnappedPoint>& unit_snaps = world.unit_snaps(r.mode);

  PlanResult out;
  out.mode = r.mode;
  out.minutes = r.minutes;
  out.before = world.evaluate_units(world.field(r.mode, Metric::time, world.service_xy()));

  std::vector<SitePoint> new_sites;
  if (r.evaluate) {
    out.kind = PlanResult::Kind::evaluate;
    out.proposals = r.proposals;
    new_sites = given;
  } else {
    Stage matrix_stage(observer, "candidates and cover matrix");
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<SitePoint> cand = candidate_points(world, r.candidates, r.mode, given);
    if (cand.empty()) throw InputError("planning: no candidate sites (" + r.candidates.text() + ")");
    std::vector<LonLat> where;
    for (const SitePoint& s : cand) where.push_back(s.where);
    const CoverMatrix matrix = cover_matrix(world.graph(), world.index(r.mode), req, threshold_s, where, unit_snaps,
                                            r.threads);
    out.cover_matrix_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (uint8_t u : matrix.usable) out.unusable_candidates += !u;
    out.candidate_source = r.candidates.text();
    out.candidate_count = cand.size();
    matrix_stage.end(std::to_string(cand.size()) + " candidates" +
                     (out.unusable_candidates ? ", " + std::to_string(out.unusable_candidates) + " cannot snap" : ""));
    CoverProblem problem;
    for (const PointRecord& p : units) problem.weight.push_back(p.population);
    for (const UnitResult& u : out.before) problem.already_covered.push_back(u.seconds <= threshold_s);
    problem.covers = matrix.covers;

    Stage solve(observer, r.add ? "choosing " + std::to_string(*r.add) + " sites (MCLP)" : "fewest sites (LSCP)");
    const std::vector<PlannedSite>* chosen = nullptr;
    if (r.add) {
      out.kind = PlanResult::Kind::mclp;
      out.add = r.add;
      out.mclp = solve_mclp(problem, *r.add);
      chosen = &out.mclp->sites;
      out.objective_population = out.mclp->objective;
      char gap[32];
      std::snprintf(gap, sizeof gap, "%.2f", 100 * out.mclp->gap);
      solve.end("objective " + whole(out.mclp->objective) + ", bound " + whole(out.mclp->upper_bound) + ", gap " + gap + "%");
    } else {
      out.kind = PlanResult::Kind::lscp;
      out.target = r.target;
      out.lscp = solve_lscp(problem, *r.target);
      chosen = &out.lscp->sites;
      out.objective_population = out.lscp->objective;
      char share[32];
      std::snprintf(share, sizeof share, "%.1f", 100 * out.lscp->share);
      solve.end(std::to_string(out.lscp->count) + " sites (at least " + std::to_string(out.lscp->lower_bound_sites) +
                " needed), share " + share + "%");
      if (!out.lscp->feasible) {
        char t[32], b[32];
        std::snprintf(t, sizeof t, "%.1f", 100 * *r.target);
        std::snprintf(b, sizeof b, "%.1f", 100 * out.lscp->best_reachable_share);
        observer.warning(std::string("target ") + t + "% cannot be reached even with every candidate; best " + b + "%");
      }
    }
    for (const PlannedSite& s : *chosen) {
      new_sites.push_back(cand[s.candidate]);
      out.sites.push_back({cand[s.candidate], s.gain, s.newly_covered, "", ""});
    }
  }

  // After: existing and new sites together, the same semantics.
  std::vector<LonLat> all_sites = world.service_xy();
  for (const SitePoint& s : new_sites) all_sites.push_back(s.where);
  out.after = world.evaluate_units(world.field(r.mode, Metric::time, all_sites));
  const std::size_t existing = world.services().size();
  std::vector<std::vector<uint32_t>> nearest_gain(new_sites.size());
  for (std::size_t k = 0; k < units.size(); ++k) {
    const bool cb = out.before[k].seconds <= threshold_s, ca = out.after[k].seconds <= threshold_s;
    out.population_total += units[k].population;
    out.population_before += cb ? units[k].population : 0;
    out.population_after += ca ? units[k].population : 0;
    if (!cb && ca && out.after[k].nearest_service >= existing)
      nearest_gain[out.after[k].nearest_service - existing].push_back(uint32_t(k));
  }
  if (r.evaluate) {
    // What-if: each proposal with the units it serves that were uncovered before.
    for (std::size_t s = 0; s < new_sites.size(); ++s) {
      double gain = 0;
      for (uint32_t k : nearest_gain[s]) gain += units[k].population;
      out.sites.push_back({new_sites[s], gain, nearest_gain[s], "", ""});
    }
    out.objective_population = out.population_after;
  } else if (std::abs(out.population_after - out.objective_population) > 1e-6 * std::max(1.0, out.population_total)) {
    // The solver's objective and a fresh coverage run must agree: both use the same semantics.
    throw std::logic_error("planning: cover matrix and coverage disagree (" + whole(out.population_after) + " vs " +
                           whole(out.objective_population) + ")");
  }

  describe_sites(world, r.mode, "", PointReadOptions{}, out.sites);

  // The circle after the plan.
  Stage circle_stage(observer, "circle after the plan");
  CircleSpec spec;
  spec.mode = r.mode;
  spec.bands_minutes.clear();
  for (double b : r.bands)
    if (b < r.minutes) spec.bands_minutes.push_back(b);
  spec.bands_minutes.push_back(r.minutes);
  spec.cell_m = r.cell_m > 0 ? r.cell_m : default_cell_m(r.mode);
  spec.threads = r.threads;
  out.circle = union_circle(world, spec, all_sites).bands;
  circle_stage.end();
  return out;
}

}  // namespace legalcircle
