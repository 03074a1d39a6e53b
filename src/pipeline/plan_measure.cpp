// Planning on the scenario's own measure (overall, the standard, one rule): the cover matrix
// says, per candidate, which units that one new site would bring to meet the measure, given the
// existing services; MCLP/LSCP choose on it; a fresh evaluation of the scenario with the chosen
// sites added must give the solver's objective.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "legalcircle/planning/cover_matrix.hpp"

namespace legalcircle {
namespace {

using Cover = std::vector<std::vector<uint32_t>>;  // per candidate: sorted unit indices

// The cover matrices a plan needs, each (mode, metric, threshold) searched once however many
// rules or standard classes ask for it.
class CoverMatrices {
 public:
  CoverMatrices(const World& world, const std::vector<LonLat>& where, unsigned threads)
      : world_(world), where_(where), threads_(threads) {}
  const Cover& of(Mode mode, Metric metric, double threshold) {
    auto [it, fresh] = done_.try_emplace({mode, metric, threshold});
    if (fresh)
      it->second = cover_matrix(world_.graph(), world_.index(mode), world_.request(mode, metric),
                                world_.costs(mode, metric), threshold, where_, world_.unit_snaps(mode), threads_)
                       .covers;
    return it->second;
  }

 private:
  const World& world_;
  const std::vector<LonLat>& where_;
  unsigned threads_;
  std::map<std::tuple<Mode, Metric, double>, Cover> done_;
};

bool in(const std::vector<uint32_t>& sorted, uint32_t u) { return std::binary_search(sorted.begin(), sorted.end(), u); }

// Per candidate: the units short of `rule` before (it applies, no mode met it) that this one
// site, added to the existing services, would bring to it: some mode where each threshold is met
// by the existing services or by the site. Such a unit lies within one of the site's thresholds
// (else every mode would still miss what it missed), so only those are looked at.
Cover rule_cover(CoverMatrices& matrices, const CoverageRule& rule, bool site_counts,
                 const std::vector<RuleOutcome>& before, std::size_t candidates) {
  Cover out(candidates);
  if (!site_counts) return out;
  std::vector<const Cover*> time(rule.modes.size(), nullptr), dist(rule.modes.size(), nullptr);
  for (std::size_t m = 0; m < rule.modes.size(); ++m) {
    if (rule.threshold_minutes) time[m] = &matrices.of(rule.modes[m], Metric::time, *rule.threshold_minutes * 60.0);
    if (rule.threshold_km) dist[m] = &matrices.of(rule.modes[m], Metric::distance, *rule.threshold_km * 1000.0);
  }
  std::vector<uint32_t> near;
  for (std::size_t j = 0; j < candidates; ++j) {
    near.clear();
    for (std::size_t m = 0; m < rule.modes.size(); ++m) {
      if (time[m]) near.insert(near.end(), (*time[m])[j].begin(), (*time[m])[j].end());
      if (dist[m]) near.insert(near.end(), (*dist[m])[j].begin(), (*dist[m])[j].end());
    }
    std::sort(near.begin(), near.end());
    near.erase(std::unique(near.begin(), near.end()), near.end());
    for (uint32_t u : near) {
      const RuleOutcome& o = before[u];
      if (!o.applies || o.covered) continue;
      for (std::size_t m = 0; m < rule.modes.size(); ++m) {
        const ModeOutcome& b = o.modes[m];
        const bool t_ok = !time[m] || b.time.seconds <= *rule.threshold_minutes * 60.0 || in((*time[m])[j], u);
        const bool d_ok = !dist[m] || b.distance.seconds <= *rule.threshold_km * 1000.0 || in((*dist[m])[j], u);
        if (t_ok && d_ok) {
          out[j].push_back(u);
          break;
        }
      }
    }
  }
  return out;
}

// The same for the standard: the units short of it before that have the site within their
// class's threshold by their class's mode.
Cover standard_cover(CoverMatrices& matrices, const ProvincialStandard& st, bool site_counts,
                     const std::vector<StandardOutcome>& before, const std::vector<std::optional<AreaClass>>& unit_class,
                     std::size_t candidates) {
  Cover out(candidates);
  if (!site_counts) return out;
  const bool by_distance = st.basis == StandardBasis::distance;
  for (AreaClass c : {AreaClass::urban, AreaClass::rural, AreaClass::remote}) {
    if (std::none_of(unit_class.begin(), unit_class.end(), [c](const auto& k) { return k == c; })) continue;
    const StandardClass& cls = st[c];
    const Cover& cov = matrices.of(cls.mode, by_distance ? Metric::distance : Metric::time,
                                   by_distance ? cls.km * 1000.0 : cls.minutes * 60.0);
    for (std::size_t j = 0; j < candidates; ++j)
      for (uint32_t u : cov[j])
        if (unit_class[u] == c && before[u].met == false) out[j].push_back(u);
  }
  for (std::vector<uint32_t>& units : out) std::sort(units.begin(), units.end());
  return out;
}

std::string objective_name(const PlanningConfig& pc) {
  switch (pc.objective) {
    case PlanningConfig::Objective::overall: return "overall";
    case PlanningConfig::Objective::standard: return "standard";
    case PlanningConfig::Objective::rule: return "rule:" + pc.objective_rule;
  }
  return "";
}

// MCLP under the planners' constraints: required sites first, then at least `min` sites in each
// area below the rate, then the best gains, never more than `max` per area. The bound is the
// unconstrained problem's (over the allowed candidates): constraints only remove choices, so it
// still bounds every constrained plan — the certified gap may just be wider.
MclpResult constrained_mclp(const CoverProblem& problem, std::size_t k, const std::vector<uint8_t>& allowed,
                            const std::vector<uint32_t>& required, const std::vector<int>& area_of,
                            const std::vector<uint8_t>& area_needs, int min_per_area, int max_per_area) {
  CoverProblem relaxed = problem;
  for (std::size_t j = 0; j < allowed.size(); ++j)
    if (!allowed[j]) relaxed.covers[j].clear();
  const MclpResult bound = solve_mclp(relaxed, k);
  MclpResult r;
  r.total_weight = bound.total_weight;
  r.existing_weight = bound.existing_weight;
  r.upper_bound = bound.upper_bound;
  r.lagrangian_iterations = bound.lagrangian_iterations;
  std::vector<uint8_t> covered(problem.weight.size(), 0), chosen(problem.covers.size(), 0);
  for (std::size_t u = 0; u < covered.size(); ++u) covered[u] = problem.already_covered[u];
  std::map<int, int> count;
  auto gain_of = [&](uint32_t j) {
    double g = 0;
    for (uint32_t u : problem.covers[j]) g += covered[u] ? 0 : problem.weight[u];
    return g;
  };
  auto take = [&](uint32_t j) {
    PlannedSite s;
    s.candidate = j;
    for (uint32_t u : problem.covers[j])
      if (!covered[u]) covered[u] = 1, s.gain += problem.weight[u], s.newly_covered.push_back(u);
    chosen[j] = 1;
    ++count[area_of[j]];
    r.sites.push_back(std::move(s));
  };
  auto open_in = [&](uint32_t j) { return allowed[j] && !chosen[j] && (max_per_area == 0 || count[area_of[j]] < max_per_area); };
  auto best = [&](auto eligible) {
    int pick = -1;
    double g = -1;
    for (uint32_t j = 0; j < problem.covers.size(); ++j)
      if (open_in(j) && eligible(j))
        if (const double gj = gain_of(j); gj > g) g = gj, pick = int(j);
    return std::pair{pick, g};
  };
  for (uint32_t j : required)
    if (!chosen[j] && r.sites.size() < k) take(j);
  if (min_per_area > 0)
    for (std::size_t a = 0; a < area_needs.size(); ++a)
      while (area_needs[a] && count[int(a)] < min_per_area && r.sites.size() < k) {
        const auto [pick, g] = best([&](uint32_t j) { return area_of[j] == int(a); });
        if (pick < 0) break;  // no allowed candidate left in the area (reported by the caller)
        take(uint32_t(pick));
      }
  while (r.sites.size() < k) {
    const auto [pick, g] = best([](uint32_t) { return true; });
    if (pick < 0 || g <= 0) break;
    take(uint32_t(pick));
  }
  r.objective = r.existing_weight;
  for (const PlannedSite& s : r.sites) r.objective += s.gain;
  // A constrained plan is a plan of the relaxed problem: its bound must hold.
  if (r.objective > r.upper_bound + 1e-9 * std::max(1.0, r.total_weight))
    throw std::logic_error("planning: a constrained plan exceeds the relaxation's bound");
  r.gap = r.upper_bound > 0 ? (r.upper_bound - r.objective) / r.upper_bound : 0.0;
  return r;
}

}  // namespace

CoverProblem measure_cover_problem(const World& world, const Scenario& sc, const ScenarioResult& base,
                                   const std::vector<LonLat>& where, unsigned threads) {
  const PlanningConfig& pc = *sc.planning;
  const auto& units = world.units();
  const std::size_t n = units.size();
  const Verdicts before{base.rules, base.standard, base.overall};
  std::vector<std::optional<bool>> measure_before;
  for (std::size_t k = 0; k < n; ++k) measure_before.push_back(before.measure(sc, k));
  const std::vector<std::string> site_tier = {pc.tier};
  auto counts_for = [&](const CoverageRule& r) {
    return !eligible_services(site_tier, sc.tiers, r.tier, r.higher_tiers_serve).empty();
  };
  // The conditions the objective needs, each as "this one site would bring the unit to it"; a
  // unit short of the measure is covered by a site that brings it to every condition it misses.
  CoverMatrices matrices(world, where, threads);
  std::vector<Cover> conditions;
  std::vector<uint32_t> misses(n, 0);  // per unit: how many of the conditions it misses
  const bool want_overall = pc.objective == PlanningConfig::Objective::overall;
  for (std::size_t r = 0; r < sc.rules.size(); ++r) {
    const bool wanted = want_overall || (pc.objective == PlanningConfig::Objective::rule && sc.rules[r].name == pc.objective_rule);
    const bool unmet = std::any_of(base.rules[r].begin(), base.rules[r].end(),
                                   [](const RuleOutcome& o) { return o.applies && !o.covered; });
    if (!wanted || !unmet) continue;
    conditions.push_back(rule_cover(matrices, sc.rules[r], counts_for(sc.rules[r]), base.rules[r], where.size()));
    for (std::size_t u = 0; u < n; ++u) misses[u] += base.rules[r][u].applies && !base.rules[r][u].covered;
  }
  if (sc.standard && (want_overall || pc.objective == PlanningConfig::Objective::standard) && !base.standard.empty()) {
    conditions.push_back(standard_cover(matrices, *sc.standard, !standard_services(site_tier, *sc.standard).empty(),
                                        base.standard, base.unit_class, where.size()));
    for (std::size_t u = 0; u < n; ++u) misses[u] += base.standard[u].met == false;
  }
  CoverProblem problem;
  problem.covers.resize(where.size());
  std::vector<uint32_t> always;  // short of the measure yet missing no condition: any site covers them
  for (std::size_t k = 0; k < n; ++k) {
    const std::optional<bool> m = measure_before[k];
    problem.weight.push_back(m ? units[k].population : 0.0);  // units the measure does not judge weigh nothing
    problem.already_covered.push_back(m.value_or(false));
    if (m == false && misses[k] == 0) always.push_back(uint32_t(k));
  }
  // Each condition lists a unit at most once per candidate, and only where the unit misses it:
  // a unit listed by as many conditions as it misses is brought to all of them.
  parallel_for(where.size(), threads, [] { return std::vector<uint32_t>(); }, [&](std::vector<uint32_t>& listed, std::size_t j) {
    listed = always;
    for (const Cover& c : conditions) listed.insert(listed.end(), c[j].begin(), c[j].end());
    std::sort(listed.begin(), listed.end());
    std::vector<uint32_t>& covers = problem.covers[j];
    for (std::size_t a = 0, b; a < listed.size(); a = b) {
      for (b = a + 1; b < listed.size() && listed[b] == listed[a]; ++b) {}
      const uint32_t u = listed[a];
      if (measure_before[u] == false && b - a == std::max<uint32_t>(misses[u], 1)) covers.push_back(u);
    }
  });
  return problem;
}

PlanResult plan_on_measure(const World& world, const Scenario& sc, const ScenarioResult& base,
                           const std::vector<SitePoint>& layer, const std::vector<SitePoint>& proposals,
                           unsigned threads, Observer& observer, bool with_circle, const SnapGrid* circle_snaps) {
  const PlanningConfig& pc = *sc.planning;
  const auto& units = world.units();
  const std::size_t n = units.size();
  PlanResult out;
  out.objective = objective_name(pc);
  out.mode = pc.mode;
  out.minutes = pc.minutes;
  const Verdicts before{base.rules, base.standard, base.overall};
  for (std::size_t k = 0; k < n; ++k) out.measure_before.push_back(before.measure(sc, k));

  const bool what_if = pc.evaluate.has_value();
  Stage matrix_stage(observer, (what_if ? "proposals and their covers (" : "candidates and cover matrix (") + out.objective + ")");
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<SitePoint> cand = what_if ? proposals : candidate_points(world, pc.candidates, pc.mode, layer);
  if (cand.empty())
    throw InputError(what_if ? "planning.evaluate: no proposed site (" + pc.evaluate->path + ")"
                             : "planning: no candidate sites (" + pc.candidates.text() + ")");
  std::vector<LonLat> where;
  for (const SitePoint& s : cand) where.push_back(s.where);
  const CoverProblem problem = measure_cover_problem(world, sc, base, where, threads);
  out.cover_matrix_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.candidate_source = pc.candidates.text();
  out.candidate_count = cand.size();
  const CoverageRequest snap_req = world.request(pc.mode);
  for (const LonLat& w : where) out.unusable_candidates += !world.index(pc.mode).snap(w, snap_req.max_snap_m).ok();
  matrix_stage.end(std::to_string(cand.size()) + " candidates");

  Stage solve(observer, what_if ? "evaluating " + std::to_string(cand.size()) + " proposed sites (" + out.objective + ")"
                       : pc.add ? "choosing " + std::to_string(*pc.add) + " sites (MCLP, " + out.objective + ")"
                                : "fewest sites (LSCP, " + out.objective + ")");
  const std::vector<PlannedSite>* chosen = nullptr;
  std::vector<PlannedSite> proposed;
  if (what_if) {
    // Every proposal, in input order, with the units it alone brings to the measure that no
    // proposal listed before it does.
    out.kind = PlanResult::Kind::evaluate;
    out.proposals = pc.evaluate->path;
    std::vector<uint8_t> taken(n, 0);
    for (uint32_t j = 0; j < cand.size(); ++j) {
      PlannedSite p;
      p.candidate = j;
      for (uint32_t u : problem.covers[j])
        if (!taken[u]) taken[u] = 1, p.newly_covered.push_back(u), p.gain += problem.weight[u];
      proposed.push_back(std::move(p));
    }
    chosen = &proposed;
  } else if (pc.add && (!pc.required.empty() || !pc.excluded.empty() || pc.min_per_area > 0 || pc.max_per_area > 0)) {
    out.kind = PlanResult::Kind::mclp;
    out.add = static_cast<std::size_t>(*pc.add);
    std::map<std::string, uint32_t> by_id;
    for (uint32_t j = 0; j < cand.size(); ++j) by_id.emplace(cand[j].id, j);
    auto index_of = [&](const std::string& id, const char* what) {
      auto it = by_id.find(id);
      if (it == by_id.end())
        throw InputError("planning." + std::string(what) + ": no candidate '" + id + "' among the " +
                         std::to_string(cand.size()) + " of " + pc.candidates.text());
      return it->second;
    };
    std::vector<uint8_t> allowed(cand.size(), 1);
    for (const std::string& id : pc.excluded) allowed[index_of(id, "excluded")] = 0;
    std::vector<uint32_t> required;
    for (const std::string& id : pc.required) {
      required.push_back(index_of(id, "required"));
      if (!allowed[required.back()]) throw ConfigError("planning: '" + id + "' is both required and excluded");
    }
    // The area of each candidate: the town (or county) of its nearest demand unit.
    const AdminFields& admin = sc.inputs.demand.admin;
    const std::string& field = pc.area == PlanningConfig::Area::town ? admin.town : admin.county;
    if ((pc.min_per_area > 0 || pc.max_per_area > 0) && field.empty())
      throw ConfigError("planning.per_area: needs inputs.demand.admin." +
                        std::string(pc.area == PlanningConfig::Area::town ? "town" : "county"));
    std::map<std::string, int> area_index;
    std::vector<std::string> area_names;
    auto area_key = [&](const PointRecord& u) {
      const std::string county = field_value(u, admin.county, sc.inputs.demand.read);
      return pc.area == PlanningConfig::Area::town ? county + " / " + field_value(u, admin.town, sc.inputs.demand.read) : county;
    };
    for (const PointRecord& u : units)
      if (area_index.emplace(area_key(u), int(area_names.size())).second) area_names.push_back(area_key(u));
    std::vector<int> area_of(cand.size(), -1);
    for (uint32_t j = 0; j < cand.size(); ++j) {
      double best_d = kInf;
      for (const PointRecord& u : units)
        if (const double d = haversine_m(u.where, cand[j].where); d < best_d) best_d = d, area_of[j] = area_index.at(area_key(u));
    }
    // Areas below the rate on the objective, before the plan.
    std::vector<uint8_t> needs(area_names.size(), 0);
    std::vector<double> pop(area_names.size(), 0), met(area_names.size(), 0);
    for (std::size_t k = 0; k < n; ++k)
      if (out.measure_before[k]) {
        const int a = area_index.at(area_key(units[k]));
        pop[a] += units[k].population;
        met[a] += *out.measure_before[k] ? units[k].population : 0;
      }
    for (std::size_t a = 0; a < needs.size(); ++a) needs[a] = pop[a] > 0 && met[a] / pop[a] < pc.below_rate;
    out.mclp = constrained_mclp(problem, *out.add, allowed, required, area_of, needs, pc.min_per_area, pc.max_per_area);
    for (std::size_t a = 0; a < needs.size(); ++a) {
      int placed = 0;
      for (const PlannedSite& s : out.mclp->sites) placed += area_of[s.candidate] == int(a);
      if (needs[a] && placed < pc.min_per_area)
        observer.warning("planning.per_area: " + area_names[a] + " is below the rate but got " + std::to_string(placed) +
                         " of the " + std::to_string(pc.min_per_area) + " sites asked (no allowed candidate left, or add reached)");
    }
    out.bound_note = "constraints (required, excluded, per area) applied; the bound is that of the unconstrained plan "
                     "over the allowed candidates, which bounds every constrained plan";
    chosen = &out.mclp->sites;
    out.objective_population = out.mclp->objective;
  } else if (pc.add) {
    out.kind = PlanResult::Kind::mclp;
    out.add = static_cast<std::size_t>(*pc.add);
    out.mclp = solve_mclp(problem, *out.add);
    chosen = &out.mclp->sites;
    out.objective_population = out.mclp->objective;
  } else {
    out.kind = PlanResult::Kind::lscp;
    out.target = pc.target;
    out.lscp = solve_lscp(problem, *pc.target);
    chosen = &out.lscp->sites;
    out.objective_population = out.lscp->objective;
    if (!out.lscp->feasible) {
      char t[32], b[32];
      std::snprintf(t, sizeof t, "%.1f", 100 * *pc.target);
      std::snprintf(b, sizeof b, "%.1f", 100 * out.lscp->best_reachable_share);
      observer.warning("target " + std::string(t) + "% of " + out.objective + " cannot be reached even with every candidate (" +
                       std::to_string(cand.size()) + "); best " + b + "%");
    }
  }
  solve.end();
  for (const PlannedSite& s : *chosen) out.sites.push_back({cand[s.candidate], s.gain, s.newly_covered, "", ""});
  describe_sites(world, pc.mode, sc.inputs.demand.admin.town, sc.inputs.demand.read, out.sites);

  // After: the scenario evaluated afresh with the new sites, of the plan's tier.
  std::vector<LonLat> all = world.service_xy();
  std::vector<std::string> tiers = base.service_tier;
  for (const PlanResult::Site& s : out.sites) all.push_back(s.point.where), tiers.push_back(pc.tier);
  Stage check_stage(observer, "the scenario afresh with the " + std::to_string(out.sites.size()) + " sites");
  const Verdicts after = evaluate_verdicts(world, sc, all, tiers, base.unit_class, threads);
  out.rollups_before = base.rollups;
  out.rollups_after = measure_rollups(world, sc, after);
  check_stage.end();
  std::vector<uint8_t> by_one_site(n, 0);
  for (const PlanResult::Site& s : out.sites)
    for (uint32_t u : s.newly_covered) by_one_site[u] = 1;
  std::size_t combined = 0;
  for (std::size_t k = 0; k < n; ++k) {
    out.measure_after.push_back(after.measure(sc, k));
    const double pop = units[k].population;
    if (out.measure_before[k]) out.population_total += pop;
    if (out.measure_before[k] == true) out.population_before += pop;
    if (out.measure_after[k] == true) out.population_after += pop;
    if (out.measure_before[k] == false && out.measure_after[k] == true && !by_one_site[k]) ++combined;
  }
  // Time/km or rules met by different new sites are found by the evaluation, not by single-site
  // covers: the result is then better than the solver's objective, and no longer certified.
  if (what_if) {
    out.objective_population = out.population_after;
    if (combined > 0)
      out.bound_note = std::to_string(combined) + " units are brought to the measure only by several proposals together; "
                       "they are in no proposal's own gain";
  } else if (combined > 0) {
    out.bound_valid = false;
    out.bound_note = std::to_string(combined) + " units are brought to the measure only by a combination of new sites "
                     "(one meeting a rule or threshold, another the rest); the bound counts covers by one site, so "
                     "this plan is a good one, not a certified optimum";
    observer.warning("planning: " + out.bound_note);
  } else if (std::abs(out.population_after - out.objective_population) > 1e-6 * std::max(1.0, out.population_total)) {
    char a[64], b[64];
    std::snprintf(a, sizeof a, "%.0f", out.population_after);
    std::snprintf(b, sizeof b, "%.0f", out.objective_population);
    throw std::logic_error("planning: the cover matrix and the scenario's evaluation disagree (" + std::string(a) +
                           " vs " + b + ")");
  }
  if (!with_circle) return out;
  // The plan's mode and minutes: per unit before/after times (side by side) and the circle after
  // the plan.
  Stage circle_stage(observer, "circle after the plan");
  world.unit_snaps(pc.mode);  // built before the threads read it
  parallel_for(2, threads, [] { return 0; }, [&](int, std::size_t i) {
    (i == 0 ? out.before : out.after) = world.evaluate_units(world.field(pc.mode, Metric::time, i == 0 ? world.service_xy() : all));
  });
  CircleSpec spec;
  spec.mode = pc.mode;
  spec.bands_minutes.clear();
  for (double b : sc.isochrones.bands_minutes)
    if (b < pc.minutes) spec.bands_minutes.push_back(b);
  spec.bands_minutes.push_back(pc.minutes);
  spec.cell_m = sc.isochrones.cell_m[static_cast<std::size_t>(pc.mode)];
  spec.threads = threads;
  out.circle = union_circle(world, spec, all, circle_snaps).bands;
  circle_stage.end();
  return out;
}

}  // namespace legalcircle
