#pragma once
// Planning on a World (DESIGN.md "Planning"): candidates, the cover matrix, MCLP or LSCP with a
// certified gap, or the what-if of given proposals; then coverage and the circle after the plan.
// Shared by `legalcircle plan` and the planning section of `legalcircle run`. Candidate and
// proposal layers are read by the caller: nothing here touches a file.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/analysis/rollup.hpp"
#include "legalcircle/core/observer.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/pipeline/world.hpp"
#include "legalcircle/planning/candidates.hpp"
#include "legalcircle/planning/max_covering.hpp"

namespace legalcircle {

// A candidate or proposed site.
struct SitePoint {
  std::string id, name;
  LonLat where;
};

struct PlanRequest {
  Mode mode = Mode::walk;
  double minutes = 15.0;
  CandidateSource candidates;         // demand, grid, or layer (its points in `sites`)
  std::optional<std::size_t> add;     // MCLP
  std::optional<double> target;       // LSCP
  bool evaluate = false;              // what-if of `sites`
  std::string proposals;              // what-if: the proposals' source, for the record
  std::vector<double> bands = {5, 10, 15};  // circle after the plan (the threshold is added)
  double cell_m = -1;                 // < 0: default_cell_m(mode)
  unsigned threads = 1;
};

struct PlanResult {
  enum class Kind { mclp, lscp, evaluate };
  Kind kind = Kind::mclp;
  // What was optimised: "" for a mode's minutes (`legalcircle plan`), else the scenario's measure
  // (overall, standard, rule:<name>).
  std::string objective;
  // Per unit, the measure's verdict before and after (scenario objectives; none: not judged).
  std::vector<std::optional<bool>> measure_before, measure_after;
  // False when units were covered by a combination of new sites (one meeting a rule, another the
  // standard, or time and km by different sites), which the single-site bound does not count:
  // the plan is then a good one, not a certified one; `bound_note` says why.
  bool bound_valid = true;
  std::string bound_note;
  Mode mode = Mode::walk;
  double minutes = 15.0;
  std::optional<std::size_t> add;
  std::optional<double> target;
  std::optional<MclpResult> mclp;
  std::optional<LscpResult> lscp;
  std::string candidate_source;  // as CandidateSource::text()
  std::size_t candidate_count = 0, unusable_candidates = 0;
  double cover_matrix_s = 0;
  std::string proposals;

  // Chosen sites in rank order (or the proposals in input order), with the units each newly
  // covers: for MCLP/LSCP given the sites ranked above, for a what-if the units it is nearest to.
  struct Site {
    SitePoint point;
    double gain_population = 0;
    std::vector<uint32_t> newly_covered;
    std::string road;  // name of the road it snaps to (the plan's mode), "" when unnamed
    std::string town;  // town of the nearest demand unit (scenario plans), "" when unknown
  };
  std::vector<Site> sites;

  // Per unit, by the plan's mode, before (existing services) and after (services then sites:
  // nearest_service >= world.services().size() is sites[nearest - services]).
  std::vector<UnitResult> before, after;
  double population_before = 0, population_after = 0, population_total = 0;
  double objective_population = 0;  // the solver's (checked equal to population_after)
  std::vector<BandPolygon> circle;  // union circle after the plan
  // Scenario plans: every measure (overall, each rule, the standard) per county and town, before
  // and after the plan.
  std::vector<MeasureRollup> rollups_before, rollups_after;
};

// Fills each site's road (the named road it snaps to in `mode`) and, with a town field, its town
// (the nearest demand unit's); a site without a name (a grid point) is named "town road".
void describe_sites(const World& world, Mode mode, const std::string& town_field, const PointReadOptions& read,
                    std::vector<PlanResult::Site>& sites);

// The candidate sites of a source: the demand units, a grid on `mode`'s network, or `layer`.
std::vector<SitePoint> candidate_points(const World& world, const CandidateSource& source, Mode mode,
                                        const std::vector<SitePoint>& layer);

// Throws ConfigError on a bad request, InputError when there is no candidate, and logic_error if
// the solver's objective ever differs from the coverage after the plan.
PlanResult plan_sites(const World& world, const PlanRequest& request, const std::vector<SitePoint>& sites,
                      Observer& observer);

}  // namespace legalcircle
