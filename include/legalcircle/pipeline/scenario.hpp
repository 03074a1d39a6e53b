#pragma once
// A scenario run on a World, into a typed result: per unit and rule/mode the time, distance,
// nearest service and verdict; the standard and "overall"; circles and per-service isochrones;
// roll-ups per county and town; gaps and gap areas; the plan. Numbers stay numbers: the layers,
// summary.json, the report and a server all render from this result (output/).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/analysis/rollup.hpp"
#include "legalcircle/analysis/rules.hpp"
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/observer.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/pipeline/plan.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

// The modes a scenario needs (rules, standard, isochrones), in walk, ebike, car order.
std::vector<Mode> scenario_modes(const Scenario& scenario);
// The modes of the per-service isochrones: isochrones.modes, else every mode of a rule or the standard.
std::vector<Mode> isochrone_modes(const Scenario& scenario);

// A point's value of `field`: its id or name when the layer reads that field as id or name (an
// admin field may name the same column, e.g. town and name both "乡镇"), else its kept attribute;
// "" when the point has none.
std::string field_value(const PointRecord& point, const std::string& field, const PointReadOptions& read);

// The scenario's `proposals:` applied to the services as read: the ids in `remove` left out,
// `add` appended in order (their tier in the tier field, which is added to the layer when it
// lacks one). ConfigError naming the key for an id the layer lacks or an added id it has.
void apply_service_edits(const Scenario& scenario, const ServiceEdits& edits, PointLayer& services);

// The tier of every service: its tier field's value, else the scenario's default tier. A tier the
// scenario does not define is an InputError naming the file, service and field; a layer without
// the tier field takes the default tier (a warning) or, with none, is an InputError.
std::vector<std::string> service_tiers(const Scenario& scenario, const World& world,
                                       std::vector<std::string>* warnings = nullptr);

// Area class of each unit: its area_class field, else its admin type via the standard; none
// when neither gives one. InputError naming the unit for a value that is no class.
std::vector<std::optional<AreaClass>> unit_area_classes(const Scenario& scenario, const World& world);

// Every unit's verdicts for a set of services (points + tiers): per rule, the standard, overall.
// nearest_service indexes the services given.
struct Verdicts {
  std::vector<std::vector<RuleOutcome>> rules;  // [rule][unit]
  std::vector<StandardOutcome> standard;        // per unit; empty without a standard
  std::vector<OverallOutcome> overall;          // per unit
  // The unit's verdict on the planning objective (overall without a planning section); none: the
  // measure does not judge it (a rule for another area class, no area class for the standard).
  std::optional<bool> measure(const Scenario& scenario, std::size_t unit) const;
};
Verdicts evaluate_verdicts(const World& world, const Scenario& scenario, const std::vector<LonLat>& services,
                           const std::vector<std::string>& service_tier,
                           const std::vector<std::optional<AreaClass>>& unit_class, unsigned threads = 1);

// Roll-ups per county and town of every measure with units: overall, each rule, the standard.
std::vector<MeasureRollup> measure_rollups(const World& world, const Scenario& scenario, const Verdicts& verdicts);

struct CircleBand {
  std::string rule;
  Mode mode = Mode::walk;
  BandPolygon band;
};

struct ServiceBand {
  uint32_t service = 0;
  Mode mode = Mode::walk;
  BandPolygon band;
};

struct RuleRaster {
  std::string rule;
  Mode mode = Mode::walk;
  TimeRaster raster;
};

struct UnitGap {
  uint32_t unit = 0;  // index into world.units()
  Gap gap;
};

struct GapArea {
  uint32_t unit = 0;
  std::string wkb;  // the unit's area outside the first rule's circle (lon/lat MultiPolygon)
  double area_km2 = 0, outside_km2 = 0, outside_share = 0;
};

struct ScenarioResult {
  std::vector<Mode> modes;  // scenario_modes()
  std::vector<std::string> service_tier;
  // Per mode (as `modes`) and service: snap distance in metres; none when it cannot snap.
  std::vector<std::vector<std::optional<double>>> service_snap_m;

  std::vector<std::optional<AreaClass>> unit_class;
  std::size_t unclassified_units = 0;
  std::vector<std::vector<RuleOutcome>> rules;  // [rule][unit]; nearest_service indexes world.services()
  std::vector<StandardOutcome> standard;        // per unit; empty without a standard
  std::vector<OverallOutcome> overall;          // per unit

  std::vector<CircleBand> circles;      // per rule with a minute threshold and mode: bands + threshold
  std::vector<ServiceBand> isochrones;  // per service, mode and band
  std::vector<RuleRaster> rasters;      // isochrones.geotiff: the rules' time rasters
  std::vector<MeasureRollup> rollups;   // overall, each rule, the standard (those with units)
  std::vector<UnitGap> gaps;            // uncovered units (overall), ranked
  std::vector<GapArea> gap_areas;
  std::optional<PlanResult> plan;

  std::vector<std::string> warnings;                    // also sent to the observer
  std::vector<std::pair<std::string, double>> timings;  // stage -> seconds
};

struct RunSettings {
  unsigned threads = 1;
  // Points of planning.candidates when it is a layer, and of planning.evaluate (read by the caller).
  std::vector<SitePoint> candidate_sites, proposal_sites;
};

ScenarioResult run_scenario(const World& world, const Scenario& scenario, const RunSettings& settings,
                            Observer& observer);

// The scenario's planning section on its own measure (planning.objective), after `base` (the
// run's verdicts and tiers); `layer`: the candidate points of a layer source.
// The cover problem plan_on_measure solves: per candidate at `where`, the units that this one site
// (of the planning tier), added to the existing services, brings to meet the objective; units the
// objective does not judge weigh 0. For exact checks (a MIP on the same problem).
CoverProblem measure_cover_problem(const World& world, const Scenario& scenario, const ScenarioResult& base,
                                   const std::vector<LonLat>& where, unsigned threads);

// With planning.evaluate, `proposals` are evaluated instead (what-if). Without `with_circle`
// the plan's mode times (before/after) and its circle are left empty (a server's suggestion
// that draws its own circle). `circle_snaps`: the cells' snaps of the plan's mode at the
// isochrones' cell size, if the caller has them (the circle is the same either way).
PlanResult plan_on_measure(const World& world, const Scenario& scenario, const ScenarioResult& base,
                           const std::vector<SitePoint>& layer, const std::vector<SitePoint>& proposals,
                           unsigned threads, Observer& observer, bool with_circle = true,
                           const SnapGrid* circle_snaps = nullptr);

}  // namespace legalcircle
