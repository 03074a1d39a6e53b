// MCLP and LSCP against exhaustive enumeration on small random instances (fixed seed), plus
// hand-made cases: greedy beaten by the swap, existing coverage, ties, infeasible targets,
// empty and malformed inputs.
#include "legalcircle/planning/max_covering.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

constexpr double kEps = 1e-7;

// n <= 64 units: coverage as bit masks, for brute force.
struct Brute {
  const CoverProblem& problem;
  std::vector<uint64_t> masks;
  uint64_t fixed = 0;

  explicit Brute(const CoverProblem& p) : problem(p) {
    for (const auto& c : p.covers) {
      uint64_t m = 0;
      for (uint32_t i : c) m |= uint64_t{1} << i;
      masks.push_back(m);
    }
    for (size_t i = 0; i < p.already_covered.size(); ++i) {
      if (p.already_covered[i]) fixed |= uint64_t{1} << i;
    }
  }
  double weight(uint64_t mask) const {
    double w = 0;
    for (size_t i = 0; i < problem.weight.size(); ++i) {
      if ((mask >> i) & 1u) w += problem.weight[i];
    }
    return w;
  }
  double coverage(const std::vector<uint32_t>& sites) const {
    uint64_t m = fixed;
    for (uint32_t j : sites) m |= masks[j];
    return weight(m);
  }
  // Best coverage with at most k sites.
  double best(size_t k) const {
    double best_w = weight(fixed);
    recurse(0, k, fixed, best_w);
    return best_w;
  }
  void recurse(size_t from, size_t left, uint64_t mask, double& best_w) const {
    best_w = std::max(best_w, weight(mask));
    if (left == 0) return;
    for (size_t j = from; j < masks.size(); ++j) recurse(j + 1, left - 1, mask | masks[j], best_w);
  }
  // Fewest sites reaching target (all subsets, m <= ~16); masks.size() + 1 when none does.
  size_t fewest(double target) const {
    const size_t m = masks.size();
    size_t best_n = m + 1;
    for (uint64_t s = 0; s < (uint64_t{1} << m); ++s) {
      const auto n = static_cast<size_t>(std::popcount(s));
      if (n >= best_n) continue;
      uint64_t mask = fixed;
      for (size_t j = 0; j < m; ++j) {
        if ((s >> j) & 1u) mask |= masks[j];
      }
      if (weight(mask) >= target - 1e-9) best_n = n;
    }
    return best_n;
  }
};

// Deterministic across standard libraries: raw mt19937 output only.
struct Rng {
  std::mt19937 gen;
  explicit Rng(uint32_t seed) : gen(seed) {}
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(gen() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }
};

// Candidates cover clustered units (a window of the unit line plus a few stray units), as
// travel-time circles do, so overlaps and ties are common.
CoverProblem random_problem(Rng& rng, size_t m, size_t n) {
  CoverProblem p;
  for (size_t i = 0; i < n; ++i) {
    p.weight.push_back(rng.chance(10) ? 0.0 : static_cast<double>(1 + rng.below(100)));
    p.already_covered.push_back(rng.chance(15) ? 1 : 0);
  }
  for (size_t j = 0; j < m; ++j) {
    std::set<uint32_t> units;
    const uint32_t center = rng.below(static_cast<uint32_t>(n));
    const uint32_t radius = 1 + rng.below(6);
    for (uint32_t i = center >= radius ? center - radius : 0;
         i <= center + radius && i < n; ++i) {
      if (!rng.chance(20)) units.insert(i);
    }
    const uint32_t strays = rng.below(4);
    for (uint32_t s = 0; s < strays; ++s) units.insert(rng.below(static_cast<uint32_t>(n)));
    p.covers.emplace_back(units.begin(), units.end());
  }
  return p;
}

std::vector<uint32_t> site_ids(const std::vector<PlannedSite>& sites) {
  std::vector<uint32_t> ids;
  for (const auto& s : sites) ids.push_back(s.candidate);
  return ids;
}

// Invariants of every plan: ranked gains, disjoint newly covered units never already covered,
// gains summing to the objective.
void check_sites(const CoverProblem& p, const std::vector<PlannedSite>& sites, double existing,
                 double objective) {
  std::set<uint32_t> seen_units;
  std::set<uint32_t> seen_sites;
  double sum = existing;
  for (size_t r = 0; r < sites.size(); ++r) {
    const auto& s = sites[r];
    EXPECT_TRUE(seen_sites.insert(s.candidate).second) << "site twice: " << s.candidate;
    EXPECT_GT(s.gain, 0.0);
    if (r > 0) {
      EXPECT_LE(s.gain, sites[r - 1].gain + kEps) << "not ranked at " << r;
    }
    EXPECT_TRUE(std::is_sorted(s.newly_covered.begin(), s.newly_covered.end()));
    double w = 0;
    for (uint32_t i : s.newly_covered) {
      EXPECT_TRUE(seen_units.insert(i).second) << "unit " << i << " covered twice";
      EXPECT_TRUE(p.already_covered.empty() || !p.already_covered[i]) << "unit " << i;
      EXPECT_TRUE(std::binary_search(p.covers[s.candidate].begin(), p.covers[s.candidate].end(),
                                     i));
      w += p.weight[i];
    }
    EXPECT_NEAR(w, s.gain, kEps);
    sum += s.gain;
  }
  EXPECT_NEAR(sum, objective, kEps);
}

TEST(MaxCovering, RandomInstancesAgainstEnumeration) {
  Rng rng(20240611);
  const int instances = 300;
  int greedy_optimal = 0;
  int swap_optimal = 0;
  int optimal = 0;
  int lagrangian_tighter = 0;
  int proven = 0;  // gap ~ 0: the bound certifies optimality
  double gap_sum = 0;
  double max_gap = 0;
  double bound_excess_sum = 0;  // (bound - optimum) / optimum: the quality of the bound itself
  for (int t = 0; t < instances; ++t) {
    const size_t m = 12 + rng.below(7);
    const size_t n = 30 + rng.below(31);
    const size_t k = 1 + rng.below(4);
    const CoverProblem p = random_problem(rng, m, n);
    const Brute brute(p);
    const double opt = brute.best(k);

    const MclpResult r = solve_mclp(p, k);
    CoverOptions greedy_only;
    greedy_only.max_swap_moves = 0;
    greedy_only.lagrangian_iterations = 0;
    CoverOptions no_lagrangian;
    no_lagrangian.lagrangian_iterations = 0;
    const MclpResult g = solve_mclp(p, k, greedy_only);
    const MclpResult s = solve_mclp(p, k, no_lagrangian);
    SCOPED_TRACE("instance " + std::to_string(t) + " m=" + std::to_string(m) +
                 " n=" + std::to_string(n) + " k=" + std::to_string(k));
    EXPECT_LE(r.sites.size(), k);
    EXPECT_NEAR(r.objective, brute.coverage(site_ids(r.sites)), kEps);
    EXPECT_LE(r.objective, opt + kEps);
    EXPECT_GE(r.upper_bound, opt) << "the bound must never be below the optimum";
    EXPECT_LE(r.upper_bound, r.total_weight + kEps);
    EXPECT_NEAR(r.total_weight, brute.weight(~uint64_t{0}), kEps);
    EXPECT_NEAR(r.existing_weight, brute.weight(brute.fixed), kEps);
    ASSERT_GT(r.upper_bound, 0.0);
    EXPECT_NEAR(r.gap, (r.upper_bound - r.objective) / r.upper_bound, 1e-12);
    EXPECT_GE(r.gap, 0.0);
    EXPECT_LE(r.gap, 1.0);
    EXPECT_GE(r.seconds, 0.0);
    check_sites(p, r.sites, r.existing_weight, r.objective);

    EXPECT_GE(s.objective, g.objective - kEps);  // the swap never makes things worse
    EXPECT_GE(r.objective, s.objective - kEps);
    EXPECT_GE(s.upper_bound, opt);                // the trivial bounds are bounds too
    EXPECT_LE(r.upper_bound, s.upper_bound);
    if (r.upper_bound < s.upper_bound - kEps) ++lagrangian_tighter;
    if (g.objective >= opt - kEps) ++greedy_optimal;
    if (s.objective >= opt - kEps) ++swap_optimal;
    if (r.objective >= opt - kEps) ++optimal;
    if (r.gap < 1e-6) ++proven;
    gap_sum += r.gap;
    max_gap = std::max(max_gap, r.gap);
    bound_excess_sum += (r.upper_bound - opt) / opt;
  }
  std::cout << "[MCLP] optimum found by greedy " << greedy_optimal << ", greedy + swap "
            << swap_optimal << ", with the Lagrangian's plans " << optimal << " of " << instances
            << "; Lagrangian bound below the trivial ones " << lagrangian_tighter << "\n";
  std::cout << "[MCLP] optimum found " << optimal << "/" << instances << ", proven optimal "
            << proven << "/" << instances << ", mean gap " << gap_sum / instances
            << ", max gap " << max_gap << ", mean bound excess over optimum "
            << bound_excess_sum / instances << "\n";
  EXPECT_GE(swap_optimal, instances * 9 / 10);
  EXPECT_GE(optimal, instances * 95 / 100);
  EXPECT_GE(lagrangian_tighter, instances / 2);
}

// Greedy takes the big middle site X first; the two side sites Y + Z are better together.
CoverProblem greedy_trap() {
  CoverProblem p;
  p.weight = {2, 2, 2, 2, 1.5};
  p.covers = {
      {0, 1},     // Y
      {1, 2, 4},  // X: 5.5, the greedy's first pick
      {2, 3},     // Z
  };
  return p;
}

TEST(MaxCovering, SwapFixesGreedy) {
  const CoverProblem p = greedy_trap();
  CoverOptions greedy_only;
  greedy_only.max_swap_moves = 0;
  greedy_only.lagrangian_iterations = 0;
  const MclpResult g = solve_mclp(p, 2, greedy_only);
  EXPECT_DOUBLE_EQ(g.objective, 7.5);
  EXPECT_EQ(site_ids(g.sites), (std::vector<uint32_t>{1, 0}));
  EXPECT_GT(g.gap, 0.0);

  CoverOptions swap_only;
  swap_only.lagrangian_iterations = 0;
  const MclpResult s = solve_mclp(p, 2, swap_only);
  EXPECT_DOUBLE_EQ(s.objective, 8.0);
  EXPECT_EQ(s.swap_moves, 1u);
  EXPECT_EQ(site_ids(s.sites), (std::vector<uint32_t>{0, 2}));
  check_sites(p, s.sites, 0, s.objective);

  const MclpResult full = solve_mclp(p, 2);
  EXPECT_DOUBLE_EQ(full.objective, 8.0);
  EXPECT_GE(full.upper_bound, 8.0);
  EXPECT_LE(full.upper_bound, 9.5);  // the total weight
  EXPECT_NEAR(full.gap, (full.upper_bound - 8.0) / full.upper_bound, 1e-12);
}

TEST(MaxCovering, LagrangianBoundBeatsTrivialBounds) {
  // C is the biggest single site but not in the optimum A + B (8 of 9). Both trivial bounds
  // (total weight; the two largest single gains) say 9; lambda = 1 on units 0, 1, 6, 7, 8
  // gives L = 4 + (2 + 2) = 8, so the Lagrangian certifies the optimum.
  CoverProblem p;
  p.weight = std::vector<double>(9, 1.0);
  p.covers = {{0, 1, 2, 3}, {4, 5, 6, 7}, {2, 3, 4, 5, 8}};
  CoverOptions no_lagrangian;
  no_lagrangian.lagrangian_iterations = 0;
  const MclpResult trivial = solve_mclp(p, 2, no_lagrangian);
  EXPECT_DOUBLE_EQ(trivial.objective, 8.0);  // the swap fixed greedy's C + A
  EXPECT_DOUBLE_EQ(trivial.upper_bound, 9.0);

  const MclpResult r = solve_mclp(p, 2);
  EXPECT_DOUBLE_EQ(r.objective, 8.0);
  EXPECT_GE(r.upper_bound, 8.0);
  EXPECT_LT(r.gap, 1e-6);
  EXPECT_GT(r.lagrangian_iterations, 0u);

  // Without the swap, the Lagrangian's own top-2 plan (A + B) replaces greedy's C + A.
  CoverOptions no_swap;
  no_swap.max_swap_moves = 0;
  const MclpResult l = solve_mclp(p, 2, no_swap);
  EXPECT_DOUBLE_EQ(l.objective, 8.0);
  EXPECT_EQ(site_ids(l.sites), (std::vector<uint32_t>{0, 1}));
}

TEST(MaxCovering, ExistingCoverageNeverCountedTwice) {
  CoverProblem p;
  p.weight = {10, 20, 30, 40};
  p.already_covered = {1, 1, 0, 0};
  p.covers = {
      {0, 1},     // only already covered units: worthless
      {1, 2},     // 30 new
      {0, 1, 3},  // 40 new
  };
  const MclpResult r = solve_mclp(p, 3);
  EXPECT_DOUBLE_EQ(r.existing_weight, 30.0);
  EXPECT_DOUBLE_EQ(r.total_weight, 100.0);
  EXPECT_DOUBLE_EQ(r.objective, 100.0);
  EXPECT_DOUBLE_EQ(r.upper_bound, 100.0);
  EXPECT_DOUBLE_EQ(r.gap, 0.0);
  ASSERT_EQ(r.sites.size(), 2u);  // candidate 0 adds nothing and is left out
  EXPECT_EQ(r.sites[0].candidate, 2u);
  EXPECT_DOUBLE_EQ(r.sites[0].gain, 40.0);
  EXPECT_EQ(r.sites[0].newly_covered, (std::vector<uint32_t>{3}));
  EXPECT_EQ(r.sites[1].candidate, 1u);
  EXPECT_DOUBLE_EQ(r.sites[1].gain, 30.0);
  EXPECT_EQ(r.sites[1].newly_covered, (std::vector<uint32_t>{2}));

  // Everything already covered: no site, nothing gained, optimal.
  p.already_covered = {1, 1, 1, 1};
  const MclpResult all = solve_mclp(p, 2);
  EXPECT_TRUE(all.sites.empty());
  EXPECT_DOUBLE_EQ(all.objective, 100.0);
  EXPECT_DOUBLE_EQ(all.upper_bound, 100.0);
  EXPECT_DOUBLE_EQ(all.gap, 0.0);
}

TEST(MaxCovering, TiesAreDeterministic) {
  // Identical candidates 1 and 3, and 0 == 2 in gain: the lower index wins every tie.
  CoverProblem p;
  p.weight = {1, 1, 1, 1, 1, 1};
  p.covers = {{0, 1}, {2, 3, 4}, {4, 5}, {2, 3, 4}};
  const MclpResult a = solve_mclp(p, 2);
  const MclpResult b = solve_mclp(p, 2);
  EXPECT_EQ(site_ids(a.sites), site_ids(b.sites));
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.upper_bound, b.upper_bound);
  EXPECT_EQ(a.lagrangian_iterations, b.lagrangian_iterations);
  EXPECT_EQ(site_ids(a.sites), (std::vector<uint32_t>{1, 0}));
  EXPECT_DOUBLE_EQ(a.objective, 5.0);

  // Random instances: two runs agree exactly.
  Rng rng(7);
  for (int t = 0; t < 30; ++t) {
    const CoverProblem q = random_problem(rng, 15, 40);
    const MclpResult x = solve_mclp(q, 3);
    const MclpResult y = solve_mclp(q, 3);
    EXPECT_EQ(site_ids(x.sites), site_ids(y.sites));
    EXPECT_EQ(x.objective, y.objective);
    EXPECT_EQ(x.upper_bound, y.upper_bound);
    const LscpResult u = solve_lscp(q, 0.8);
    const LscpResult v = solve_lscp(q, 0.8);
    EXPECT_EQ(site_ids(u.sites), site_ids(v.sites));
    EXPECT_EQ(u.lower_bound_sites, v.lower_bound_sites);
  }
}

TEST(MaxCovering, EmptyAndDegenerateInputs) {
  CoverProblem p;
  p.weight = {3, 4};
  p.already_covered = {1, 0};
  // No candidates.
  const MclpResult none = solve_mclp(p, 3);
  EXPECT_TRUE(none.sites.empty());
  EXPECT_DOUBLE_EQ(none.objective, 3.0);
  EXPECT_DOUBLE_EQ(none.upper_bound, 3.0);
  EXPECT_DOUBLE_EQ(none.gap, 0.0);

  // k = 0 and k larger than the candidate list.
  p.covers = {{1}, {0, 1}};
  const MclpResult zero = solve_mclp(p, 0);
  EXPECT_TRUE(zero.sites.empty());
  EXPECT_DOUBLE_EQ(zero.objective, 3.0);
  EXPECT_DOUBLE_EQ(zero.upper_bound, 3.0);
  const MclpResult many = solve_mclp(p, 10);
  ASSERT_EQ(many.sites.size(), 1u);
  EXPECT_EQ(many.sites[0].candidate, 0u);
  EXPECT_DOUBLE_EQ(many.objective, 7.0);
  EXPECT_DOUBLE_EQ(many.gap, 0.0);

  // No units at all.
  CoverProblem empty;
  empty.covers = {{}, {}};
  const MclpResult e = solve_mclp(empty, 1);
  EXPECT_TRUE(e.sites.empty());
  EXPECT_DOUBLE_EQ(e.objective, 0.0);
  EXPECT_DOUBLE_EQ(e.upper_bound, 0.0);
  EXPECT_DOUBLE_EQ(e.gap, 0.0);
  const LscpResult l = solve_lscp(empty, 1.0);
  EXPECT_TRUE(l.feasible);
  EXPECT_EQ(l.count, 0u);
  EXPECT_DOUBLE_EQ(l.share, 1.0);
}

TEST(MaxCovering, MalformedInputThrows) {
  CoverProblem p;
  p.weight = {1, 2, 3};
  p.covers = {{0, 2}};
  EXPECT_NO_THROW(solve_mclp(p, 1));

  CoverProblem bad = p;
  bad.weight[1] = -1;
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  bad = p;
  bad.weight[1] = std::nan("");
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  bad = p;
  bad.covers = {{2, 0}};
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  bad = p;
  bad.covers = {{0, 0}};
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  bad = p;
  bad.covers = {{0, 3}};
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  bad = p;
  bad.already_covered = {0, 1};
  EXPECT_THROW(solve_mclp(bad, 1), InputError);
  EXPECT_THROW(solve_lscp(bad, 0.5), InputError);

  EXPECT_THROW(solve_lscp(p, 0.0), ConfigError);
  EXPECT_THROW(solve_lscp(p, 1.5), ConfigError);
  EXPECT_THROW(solve_lscp(p, std::nan("")), ConfigError);
}

TEST(LSCP, RandomInstancesAgainstEnumeration) {
  Rng rng(99);
  const double shares[] = {0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0};
  const int instances = 200;
  int feasible_cases = 0;
  int optimal_count = 0;
  int tight_bound = 0;
  size_t gap_sites_sum = 0;
  for (int t = 0; t < instances; ++t) {
    const size_t m = 10 + rng.below(5);
    const size_t n = 30 + rng.below(31);
    const double share = shares[rng.below(7)];
    const CoverProblem p = random_problem(rng, m, n);
    const Brute brute(p);
    const double total = brute.weight(~uint64_t{0});
    const double target = share * total;
    const size_t fewest = brute.fewest(target);

    const LscpResult r = solve_lscp(p, share);
    SCOPED_TRACE("instance " + std::to_string(t) + " m=" + std::to_string(m) +
                 " n=" + std::to_string(n) + " share=" + std::to_string(share));
    EXPECT_EQ(r.count, r.sites.size());
    EXPECT_EQ(r.gap_sites, r.count - r.lower_bound_sites);
    EXPECT_NEAR(r.objective, brute.coverage(site_ids(r.sites)), kEps);
    EXPECT_NEAR(r.share, r.objective / total, 1e-12);
    check_sites(p, r.sites, r.existing_weight, r.objective);
    std::vector<uint32_t> all(m);
    for (uint32_t j = 0; j < m; ++j) all[j] = j;
    const double reachable = brute.coverage(all);
    EXPECT_NEAR(r.best_reachable_share, reachable / total, 1e-12);

    if (fewest <= m) {
      ++feasible_cases;
      EXPECT_TRUE(r.feasible);
      EXPECT_GE(r.objective, target - 1e-6);
      EXPECT_LE(r.lower_bound_sites, fewest) << "the lower bound must be proven";
      EXPECT_GE(r.count, fewest);
      if (r.count == fewest) ++optimal_count;
      if (r.lower_bound_sites == fewest) ++tight_bound;
      gap_sites_sum += r.gap_sites;
    } else {
      // Infeasible: the plan reaches what all candidates reach, with as few sites as it can.
      EXPECT_FALSE(r.feasible);
      EXPECT_LT(reachable, target);
      EXPECT_NEAR(r.objective, reachable, kEps);
      const size_t fewest_reachable = brute.fewest(reachable);
      EXPECT_LE(r.lower_bound_sites, fewest_reachable);
      EXPECT_GE(r.count, fewest_reachable);
    }
  }
  std::cout << "[LSCP] feasible " << feasible_cases << "/" << instances << ": fewest sites found "
            << optimal_count << ", lower bound tight " << tight_bound << ", mean gap in sites "
            << static_cast<double>(gap_sites_sum) / std::max(feasible_cases, 1) << "\n";
  EXPECT_GE(optimal_count, feasible_cases * 9 / 10);
}

TEST(LSCP, InfeasibleTargetReported) {
  CoverProblem p;
  p.weight = {10, 10, 10, 70};  // unit 3 is out of every candidate's reach
  p.covers = {{0}, {0, 1}, {2}};
  const LscpResult r = solve_lscp(p, 0.5);
  EXPECT_FALSE(r.feasible);
  EXPECT_DOUBLE_EQ(r.best_reachable_share, 0.3);
  EXPECT_DOUBLE_EQ(r.objective, 30.0);
  EXPECT_DOUBLE_EQ(r.share, 0.3);
  EXPECT_EQ(site_ids(r.sites), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(r.count, 2u);
  EXPECT_EQ(r.lower_bound_sites, 2u);

  // No candidates at all.
  p.covers.clear();
  const LscpResult none = solve_lscp(p, 0.9);
  EXPECT_FALSE(none.feasible);
  EXPECT_EQ(none.count, 0u);
  EXPECT_DOUBLE_EQ(none.best_reachable_share, 0.0);
  EXPECT_EQ(none.lower_bound_sites, 0u);
}

TEST(LSCP, ExistingCoverageAndRedundantSites) {
  CoverProblem p;
  p.weight = {50, 10, 10, 10, 10, 10};
  p.already_covered = {1, 0, 0, 0, 0, 0};
  // Greedy: 0 (30), then 1 (10: unit 4), then 2 (unit 5) for 100 %; 0 is then redundant.
  p.covers = {{1, 2, 3}, {1, 4}, {2, 3, 5}, {0, 5}};
  // 50 % is already there.
  const LscpResult half = solve_lscp(p, 0.5);
  EXPECT_TRUE(half.feasible);
  EXPECT_EQ(half.count, 0u);
  EXPECT_EQ(half.lower_bound_sites, 0u);
  EXPECT_DOUBLE_EQ(half.share, 0.5);

  const LscpResult full = solve_lscp(p, 1.0);
  EXPECT_TRUE(full.feasible);
  EXPECT_EQ(full.count, 2u);
  EXPECT_EQ(full.lower_bound_sites, 2u);
  EXPECT_EQ(full.gap_sites, 0u);
  EXPECT_DOUBLE_EQ(full.objective, 100.0);
  std::vector<uint32_t> ids = site_ids(full.sites);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<uint32_t>{1, 2}));
  check_sites(p, full.sites, 50.0, 100.0);
}

}  // namespace
}  // namespace legalcircle
