// MCLP and LSCP on a cover matrix: lazy greedy, 1-swap local search, Lagrangian upper bound.
#include "legalcircle/planning/max_covering.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <string>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The problem, validated, with the fixed (existing) coverage folded in: free_weight is 0 for
// units already covered, so every gain below is simply a sum of free_weight.
struct Instance {
  const CoverProblem& problem;
  std::vector<uint8_t> fixed;       // per unit: covered by existing services
  std::vector<double> free_weight;  // weight, or 0 when fixed
  double total = 0;
  double existing = 0;
  // Sums of the same weights in different orders differ by rounding; comparisons against a
  // target and "strict" improvements use this slack so that noise neither cycles nor fails.
  double slack = 0;

  size_t units() const { return free_weight.size(); }
  size_t candidates() const { return problem.covers.size(); }
  const std::vector<uint32_t>& covers(size_t j) const { return problem.covers[j]; }
};

Instance make_instance(const CoverProblem& problem) {
  const size_t n = problem.weight.size();
  if (!problem.already_covered.empty() && problem.already_covered.size() != n) {
    throw InputError("cover problem: already_covered has " +
                     std::to_string(problem.already_covered.size()) + " entries for " +
                     std::to_string(n) + " demand units");
  }
  if (n > std::numeric_limits<uint32_t>::max()) {
    throw InputError("cover problem: too many demand units (" + std::to_string(n) + ")");
  }
  Instance inst{problem, std::vector<uint8_t>(n, 0), std::vector<double>(n, 0.0)};
  for (size_t i = 0; i < n; ++i) {
    const double w = problem.weight[i];
    if (!std::isfinite(w) || w < 0) {
      throw InputError("cover problem: demand unit " + std::to_string(i) +
                       " has an invalid weight " + std::to_string(w) +
                       " (must be finite and >= 0)");
    }
    inst.fixed[i] = problem.already_covered.empty() ? 0 : (problem.already_covered[i] != 0);
    inst.total += w;
    if (inst.fixed[i]) {
      inst.existing += w;
    } else {
      inst.free_weight[i] = w;
    }
  }
  for (size_t j = 0; j < problem.covers.size(); ++j) {
    const auto& c = problem.covers[j];
    for (size_t p = 0; p < c.size(); ++p) {
      if (c[p] >= n) {
        throw InputError("cover problem: candidate " + std::to_string(j) + " covers unit " +
                         std::to_string(c[p]) + " but there are only " + std::to_string(n) +
                         " demand units");
      }
      if (p > 0 && c[p] <= c[p - 1]) {
        throw InputError("cover problem: the units covered by candidate " + std::to_string(j) +
                         " are not strictly increasing (" + std::to_string(c[p - 1]) +
                         " then " + std::to_string(c[p]) + ")");
      }
    }
  }
  inst.slack = 1e-9 * inst.total;
  return inst;
}

// Weight candidate j adds to a plan whose per-unit cover counts are count.
double gain_of(const Instance& inst, const std::vector<uint32_t>& count, size_t j) {
  double g = 0;
  for (uint32_t i : inst.covers(j)) {
    if (count[i] == 0) g += inst.free_weight[i];
  }
  return g;
}

void add_site(const Instance& inst, std::vector<uint32_t>& count, size_t j) {
  for (uint32_t i : inst.covers(j)) ++count[i];
}

void remove_site(const Instance& inst, std::vector<uint32_t>& count, size_t j) {
  for (uint32_t i : inst.covers(j)) --count[i];
}

// Covered weight of the plan, existing included (summed in unit order: deterministic).
double covered_weight(const Instance& inst, const std::vector<uint32_t>& count) {
  double sum = inst.existing;
  for (size_t i = 0; i < inst.units(); ++i) {
    if (count[i] > 0) sum += inst.free_weight[i];
  }
  return sum;
}

// Lazy greedy (CELF): gains only shrink as sites are added (submodularity), so a stale gain is
// an upper bound and only the top of the queue needs re-evaluating. The order (gain, then lower
// candidate index) makes it pick exactly what the plain greedy with that tie rule picks: a
// lower-index candidate with an equal stale gain sits above and is refreshed first.
class LazyGreedy {
 public:
  LazyGreedy(const Instance& inst, std::vector<uint32_t>& count,
             const std::vector<uint32_t>& pool)
      : inst_(inst), count_(count) {
    for (uint32_t j : pool) {
      const double g = gain_of(inst_, count_, j);
      ++evaluations_;
      if (g > 0) heap_.push({g, j, 0});
    }
  }

  // The next site (added to count), or nothing when no candidate adds weight.
  std::optional<std::pair<uint32_t, double>> next() {
    while (!heap_.empty()) {
      const Entry top = heap_.top();
      heap_.pop();
      if (top.round == round_) {
        add_site(inst_, count_, top.candidate);
        ++round_;
        return std::make_pair(top.candidate, top.gain);
      }
      const double g = gain_of(inst_, count_, top.candidate);
      ++evaluations_;
      if (g > 0) heap_.push({g, top.candidate, round_});
    }
    return std::nullopt;
  }

  size_t evaluations() const { return evaluations_; }

 private:
  struct Entry {
    double gain;
    uint32_t candidate;
    size_t round;  // the number of sites chosen when gain was computed
  };
  struct Lower {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.gain != b.gain) return a.gain < b.gain;
      return a.candidate > b.candidate;
    }
  };

  const Instance& inst_;
  std::vector<uint32_t>& count_;
  std::priority_queue<Entry, std::vector<Entry>, Lower> heap_;
  size_t round_ = 0;
  size_t evaluations_ = 0;
};

std::vector<uint32_t> all_candidates(const Instance& inst) {
  std::vector<uint32_t> pool(inst.candidates());
  std::iota(pool.begin(), pool.end(), 0u);
  return pool;
}

// 1-swap local search: for each chosen site in turn, take it out and put in the best unchosen
// candidate (ties: lower index) when that strictly gains; repeat passes until a pass changes
// nothing or max_moves. count must match chosen; both are updated. Returns the moves made.
size_t swap_search(const Instance& inst, std::vector<uint32_t>& chosen,
                   std::vector<uint32_t>& count, size_t max_moves) {
  std::vector<uint8_t> in_plan(inst.candidates(), 0);
  for (uint32_t j : chosen) in_plan[j] = 1;
  // A candidate's gain alone bounds its gain next to any plan (a sum of a subset of the same
  // terms, in the same order: exact in floating point too), so most need no evaluation.
  const std::vector<uint32_t> none(inst.units(), 0);
  std::vector<double> alone(inst.candidates());
  for (size_t j = 0; j < inst.candidates(); ++j) alone[j] = gain_of(inst, none, j);
  size_t moves = 0;
  bool improved = true;
  while (improved && moves < max_moves) {
    improved = false;
    for (size_t p = 0; p < chosen.size() && moves < max_moves; ++p) {
      const uint32_t out = chosen[p];
      remove_site(inst, count, out);
      const double loss = gain_of(inst, count, out);
      uint32_t best = out;
      double best_gain = loss + inst.slack;  // must beat this strictly
      for (uint32_t a = 0; a < inst.candidates(); ++a) {
        if (in_plan[a] || alone[a] <= best_gain) continue;
        const double g = gain_of(inst, count, a);
        if (g > best_gain) {
          best_gain = g;
          best = a;
        }
      }
      add_site(inst, count, best);
      if (best != out) {
        in_plan[out] = 0;
        in_plan[best] = 1;
        chosen[p] = best;
        ++moves;
        improved = true;
      }
    }
  }
  return moves;
}

// Ranks a plan by greedy order within it and fills the per-site gains and newly covered units.
// Sites that add nothing given the others are left out.
std::vector<PlannedSite> rank_sites(const Instance& inst, const std::vector<uint32_t>& plan) {
  std::vector<uint32_t> count(inst.units(), 0);
  std::vector<uint32_t> pool = plan;
  std::sort(pool.begin(), pool.end());
  LazyGreedy greedy(inst, count, pool);
  std::vector<PlannedSite> sites;
  while (auto pick = greedy.next()) {
    PlannedSite site;
    site.candidate = pick->first;
    site.gain = pick->second;
    for (uint32_t i : inst.covers(site.candidate)) {
      // count already includes this site: newly covered means it is the only one so far.
      if (count[i] == 1 && !inst.fixed[i]) site.newly_covered.push_back(i);
    }
    sites.push_back(std::move(site));
  }
  return sites;
}

// The Lagrangian relaxation of the MCLP over the free units (fixed ones are a constant):
//   max sum_i w_i y_i  s.t.  y_i <= sum_j a_ij x_j,  sum_j x_j <= k,  0 <= y <= 1,  x binary.
// Relaxing y_i <= sum_j a_ij x_j with lambda_i >= 0 gives, for every lambda,
//   L(lambda) = existing + sum_i max(0, w_i - lambda_i) + (sum of the k largest c_j),
//   c_j = sum_{i in covers(j)} lambda_i,
// an upper bound on the optimum. lambda_i > w_i never helps, so lambda stays in [0, w_i].
class Lagrangian {
 public:
  Lagrangian(const Instance& inst, size_t k)
      : inst_(inst), k_(std::min(k, inst.candidates())), lambda_(inst.units(), 0.0),
        c_(inst.candidates(), 0.0), order_(inst.candidates()), xcount_(inst.units(), 0) {}

  std::vector<double>& lambda() { return lambda_; }

  // Evaluates L at the current lambda; fills the subgradient and the top-k sites (a feasible
  // plan, whose covered weight is returned in plan_weight).
  double evaluate(std::vector<double>& subgradient, double& plan_weight,
                  std::vector<uint32_t>& top) {
    const size_t n = inst_.units();
    const size_t m = inst_.candidates();
    double value = inst_.existing;
    for (size_t i = 0; i < n; ++i) value += std::max(0.0, inst_.free_weight[i] - lambda_[i]);
    for (size_t j = 0; j < m; ++j) {
      double c = 0;
      for (uint32_t i : inst_.covers(j)) c += lambda_[i];
      c_[j] = c;
    }
    std::iota(order_.begin(), order_.end(), 0u);
    const auto before = [this](uint32_t a, uint32_t b) {
      if (c_[a] != c_[b]) return c_[a] > c_[b];
      return a < b;
    };
    if (k_ < m) {
      std::nth_element(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(k_),
                       order_.end(), before);
    }
    top.assign(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(k_));
    std::sort(top.begin(), top.end());  // fixed summation order
    for (uint32_t j : top) value += c_[j];

    // Subgradient d L / d lambda_i = (sites of top covering i) - y_i, y_i = [w_i > lambda_i].
    plan_weight = inst_.existing;
    for (uint32_t j : top) {
      for (uint32_t i : inst_.covers(j)) {
        if (xcount_[i]++ == 0) plan_weight += inst_.free_weight[i];
      }
    }
    subgradient.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      if (inst_.free_weight[i] <= 0) continue;  // lambda_i is pinned to 0
      const double y = inst_.free_weight[i] > lambda_[i] ? 1.0 : 0.0;
      subgradient[i] = static_cast<double>(xcount_[i]) - y;
    }
    for (uint32_t j : top) {
      for (uint32_t i : inst_.covers(j)) xcount_[i] = 0;
    }
    return value;
  }

 private:
  const Instance& inst_;
  size_t k_;
  std::vector<double> lambda_;
  std::vector<double> c_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> xcount_;
};

MclpResult solve_mclp_impl(const Instance& inst, size_t k, const CoverOptions& options) {
  const auto start = Clock::now();
  MclpResult result;
  result.total_weight = inst.total;
  result.existing_weight = inst.existing;
  const size_t n = inst.units();
  const size_t k_eff = std::min(k, inst.candidates());

  // Greedy.
  std::vector<uint32_t> count(n, 0);
  std::vector<uint32_t> chosen;
  std::vector<double> single_gains;  // first-round gains, for the trivial bound
  {
    const std::vector<uint32_t> pool = all_candidates(inst);
    single_gains.reserve(pool.size());
    for (uint32_t j : pool) single_gains.push_back(gain_of(inst, count, j));
    LazyGreedy greedy(inst, count, pool);
    while (chosen.size() < k_eff) {
      const auto pick = greedy.next();
      if (!pick) break;
      chosen.push_back(pick->first);
    }
    result.greedy_evaluations = greedy.evaluations();
  }
  const bool exhausted = chosen.size() < k_eff;  // every coverable unit is covered

  if (!exhausted) {
    result.swap_moves = swap_search(inst, chosen, count, options.max_swap_moves);
  }
  double objective = covered_weight(inst, count);

  double bound = inst.total;
  if (exhausted || k_eff == 0) {
    // Nothing more can be covered, or nothing may be added: the plan is optimal.
    bound = std::min(bound, objective);
  } else {
    // existing + the k largest single gains (submodularity).
    std::vector<double> g = single_gains;
    std::sort(g.begin(), g.end(), std::greater<>());
    double trivial = inst.existing;
    for (size_t j = 0; j < k_eff; ++j) trivial += g[j];
    bound = std::min(bound, trivial + inst.slack);

    // Subgradient optimisation of L, started at lambda_i = w_i on the units the plan leaves
    // uncovered and 0 elsewhere: there L = objective + the k largest gains w.r.t. the plan.
    Lagrangian lag(inst, k_eff);
    auto& lambda = lag.lambda();
    for (size_t i = 0; i < n; ++i) lambda[i] = count[i] == 0 ? inst.free_weight[i] : 0.0;
    std::vector<double> sub;
    std::vector<uint32_t> top;
    std::optional<std::vector<uint32_t>> better_plan;
    double best_plan = objective;
    double best_l = std::numeric_limits<double>::infinity();
    double beta = 2.0;
    size_t stall = 0;
    for (size_t it = 0; it < options.lagrangian_iterations; ++it) {
      double plan_weight = 0;
      const double l = lag.evaluate(sub, plan_weight, top);
      ++result.lagrangian_iterations;
      if (plan_weight > best_plan + inst.slack) {
        best_plan = plan_weight;
        better_plan = top;
      }
      if (l < best_l - inst.slack) {
        best_l = l;
        stall = 0;
      } else if (++stall >= options.lagrangian_stall) {
        beta /= 2;
        stall = 0;
      }
      best_l = std::min(best_l, l);
      if (best_l - best_plan <= inst.slack || beta < 1e-4) break;  // proven, or converged
      double norm2 = 0;
      for (double s : sub) norm2 += s * s;
      if (norm2 == 0) break;  // a zero subgradient: lambda is a minimiser
      const double step = beta * (l - best_plan) / norm2;  // Polyak, target = best plan
      for (size_t i = 0; i < n; ++i) {
        if (sub[i] == 0) continue;
        lambda[i] = std::clamp(lambda[i] - step * sub[i], 0.0, inst.free_weight[i]);
      }
    }
    bound = std::min(bound, best_l + inst.slack);

    if (better_plan) {
      // The Lagrangian's top-k beat greedy + swap: polish it and keep it if still better.
      std::vector<uint32_t> alt_count(n, 0);
      for (uint32_t j : *better_plan) add_site(inst, alt_count, j);
      std::vector<uint32_t> alt = *better_plan;
      const size_t moves = swap_search(inst, alt, alt_count, options.max_swap_moves);
      const double alt_objective = covered_weight(inst, alt_count);
      if (alt_objective > objective + inst.slack) {
        chosen = std::move(alt);
        count = std::move(alt_count);
        objective = alt_objective;
        result.swap_moves += moves;
      }
    }
  }

  result.sites = rank_sites(inst, chosen);
  result.objective = objective;
  // A feasible plan is a lower bound on the optimum: a bound under it is rounding noise.
  result.upper_bound = std::max(bound, objective);
  result.gap = result.upper_bound > 0
                   ? (result.upper_bound - result.objective) / result.upper_bound
                   : 0.0;
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace

MclpResult solve_mclp(const CoverProblem& problem, size_t k, const CoverOptions& options) {
  const Instance inst = make_instance(problem);
  return solve_mclp_impl(inst, k, options);
}

LscpResult solve_lscp(const CoverProblem& problem, double target_share,
                      const CoverOptions& options) {
  const auto start = Clock::now();
  if (!(target_share > 0 && target_share <= 1)) {
    throw ConfigError("set covering: the target share must be in (0, 1], got " +
                      std::to_string(target_share));
  }
  const Instance inst = make_instance(problem);
  const size_t n = inst.units();
  LscpResult result;
  result.target_share = target_share;
  result.total_weight = inst.total;
  result.existing_weight = inst.existing;
  const auto share_of = [&](double w) { return inst.total > 0 ? w / inst.total : 1.0; };

  // What all candidates together reach.
  std::vector<uint32_t> all_count(n, 0);
  for (size_t j = 0; j < inst.candidates(); ++j) add_site(inst, all_count, j);
  const double reachable = covered_weight(inst, all_count);
  result.best_reachable_share = share_of(reachable);

  double target = target_share * inst.total;
  if (reachable < target - inst.slack) {
    result.feasible = false;
    target = reachable;  // plan for the best that can be done instead
  }
  const auto reaches = [&](double w) { return w >= target - inst.slack; };

  std::vector<uint32_t> plan;
  size_t lower = 0;  // proven: fewer sites cannot reach the target
  if (!reaches(inst.existing)) {
    lower = 1;
    // Greedy until reached.
    std::vector<uint32_t> count(n, 0);
    double covered = inst.existing;
    LazyGreedy greedy(inst, count, all_candidates(inst));
    while (!reaches(covered)) {
      const auto pick = greedy.next();
      if (!pick) break;  // only by rounding: reachable was reached
      plan.push_back(pick->first);
      covered += pick->second;
    }
    covered = covered_weight(inst, count);
    // Drop sites whose removal keeps the target, latest added (smallest gain) first.
    for (size_t p = plan.size(); p-- > 0;) {
      remove_site(inst, count, plan[p]);
      const double loss = gain_of(inst, count, plan[p]);
      if (reaches(covered - loss)) {
        plan.erase(plan.begin() + static_cast<std::ptrdiff_t>(p));
        covered -= loss;
      } else {
        add_site(inst, count, plan[p]);
      }
    }

    // MCLP with fewer sites: a plan reaching the target is a better answer; an upper bound
    // below it proves that many sites too few (and then so are all fewer).
    const auto try_k = [&](size_t k) {
      const MclpResult r = solve_mclp_impl(inst, k, options);
      if (reaches(r.objective) && r.sites.size() < plan.size()) {
        plan.clear();
        for (const auto& s : r.sites) plan.push_back(s.candidate);
      }
      if (r.upper_bound < target - inst.slack) lower = std::max(lower, k + 1);
    };
    // First the next smaller count, repeatedly while that succeeds (usually 0-2 steps)...
    while (plan.size() > lower) {
      const size_t before = plan.size();
      try_k(before - 1);
      if (plan.size() == before) break;
    }
    // ...then a binary search for the largest count proven too few, below the one just tried.
    // lower >= 1 here, so mid >= 1 and mid - 1 cannot wrap.
    if (plan.size() >= 2 && lower + 2 <= plan.size()) {
      size_t lo = lower;
      size_t hi = plan.size() - 2;
      while (lo <= hi) {
        const size_t mid = lo + (hi - lo) / 2;
        try_k(mid);
        if (lower > mid) {
          lo = lower;
        } else {
          hi = mid - 1;
        }
        if (!plan.empty()) hi = std::min(hi, plan.size() - 1);
      }
    }
  }

  result.sites = rank_sites(inst, plan);
  result.count = result.sites.size();
  result.lower_bound_sites = std::min(lower, result.count);
  result.gap_sites = result.count - result.lower_bound_sites;
  std::vector<uint32_t> final_count(n, 0);
  for (const auto& s : result.sites) add_site(inst, final_count, s.candidate);
  result.objective = covered_weight(inst, final_count);
  result.share = share_of(result.objective);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace legalcircle
