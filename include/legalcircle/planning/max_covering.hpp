#pragma once
// The optimisation core of `legalcircle plan` (DESIGN.md "Planning"): maximal covering (MCLP,
// k new sites) and set covering (LSCP, fewest new sites for a target share). Plain data in,
// plain data out: no files, no routing. Every answer carries a proven bound, so the report can
// state how far from optimal it may be, not just what the heuristic found.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace legalcircle {

// The cover matrix of one planning run. Units covered by existing services are fixed: their
// weight counts in every objective but no new site gains anything from them.
struct CoverProblem {
  std::vector<double> weight;           // population per demand unit, finite and >= 0
  std::vector<uint8_t> already_covered; // per unit, nonzero = covered by existing services;
                                        // empty = none covered
  // Per candidate: the demand units it covers within the threshold, strictly increasing.
  std::vector<std::vector<uint32_t>> covers;
};

struct CoverOptions {
  size_t max_swap_moves = 1000;         // 1-swap local search stops after this many moves
  size_t lagrangian_iterations = 300;   // subgradient steps for the upper bound
  size_t lagrangian_stall = 20;         // halve the step factor after this many non-improving
};

struct PlannedSite {
  uint32_t candidate = 0;              // index into CoverProblem::covers
  double gain = 0;                     // weight it newly covers, given the sites ranked above
  std::vector<uint32_t> newly_covered; // those units, increasing
};

struct MclpResult {
  // The chosen sites ranked by greedy order within the final set: gains are non-increasing
  // and sum to objective - existing_weight. Fewer than k when no further site adds weight.
  std::vector<PlannedSite> sites;
  double total_weight = 0;     // all units
  double existing_weight = 0;  // covered by existing services
  double objective = 0;        // covered weight after the plan, existing included
  // Proven: no choice of k candidates covers more (up to a rounding slack of 1e-9 of the total
  // weight). min of the Lagrangian bounds evaluated, the total weight and existing + the k
  // largest single-candidate gains.
  double upper_bound = 0;
  double gap = 0;                 // (upper_bound - objective) / upper_bound; 0 when it is 0
  size_t greedy_evaluations = 0;  // gain recomputations in the lazy greedy (CELF)
  size_t swap_moves = 0;          // improving 1-swaps applied
  size_t lagrangian_iterations = 0;
  double seconds = 0;
};

// Chooses up to k candidates maximising covered weight: lazy greedy (ties: lower candidate
// index), then 1-swap local search, then a subgradient-optimised Lagrangian upper bound; a
// better solution met on the way (the Lagrangian's top-k sites) is polished and kept.
// Deterministic. Throws InputError on a malformed problem (negative or non-finite weight,
// already_covered of the wrong size, unit index out of range or not strictly increasing).
MclpResult solve_mclp(const CoverProblem& problem, size_t k, const CoverOptions& options = {});

struct LscpResult {
  // The sites, ranked as in MclpResult (gains sum to objective - existing_weight).
  std::vector<PlannedSite> sites;
  size_t count = 0;              // sites.size()
  // Proven: fewer sites cannot reach the target (an MCLP upper bound falls short of it); when
  // infeasible, the best reachable share instead.
  size_t lower_bound_sites = 0;
  size_t gap_sites = 0;          // count - lower_bound_sites
  bool feasible = true;          // false: even all candidates together fall short of the target
  double target_share = 0;       // as asked
  double best_reachable_share = 0;  // share covered by all candidates together (+ existing)
  double total_weight = 0;
  double existing_weight = 0;
  double objective = 0;          // covered weight with the sites, existing included
  double share = 0;              // objective / total_weight (1 when total_weight is 0)
  double seconds = 0;
};

// Fewest new sites covering at least target_share (in (0, 1]) of the total weight: lazy greedy
// until reached, redundant sites dropped, then MCLP runs with fewer sites try to do better and
// prove the lower bound. When infeasible the plan reaches best_reachable_share instead, with the
// same machinery. Throws ConfigError for a target_share outside (0, 1], InputError as
// solve_mclp.
LscpResult solve_lscp(const CoverProblem& problem, double target_share,
                      const CoverOptions& options = {});

}  // namespace legalcircle
