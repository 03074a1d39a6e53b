// Planning on a real extract, checked against an exact MIP solved by GLPK (glpsol, a test-only
// tool installed by .ci/install-deps.sh): the reported upper bound is never below the true
// optimum, and greedy + swap lies within the reported gap of it.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/planning/cover_matrix.hpp"
#include "legalcircle/planning/max_covering.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "support/run_command.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;

// max sum w_i y_i  s.t.  y_i <= sum_{j covers i} x_j,  sum_j x_j = k,  x binary, 0 <= y <= 1.
double exact_mclp_with_glpk(const CoverProblem& p, std::size_t k, const std::filesystem::path& dir) {
  std::vector<std::vector<uint32_t>> covered_by(p.weight.size());
  for (uint32_t j = 0; j < p.covers.size(); ++j)
    for (uint32_t i : p.covers[j]) covered_by[i].push_back(j);
  std::ofstream lp(dir / "mclp.lp");
  lp << "Maximize\n obj:";
  double fixed = 0;
  bool any = false;
  for (std::size_t i = 0; i < p.weight.size(); ++i) {
    if (p.already_covered[i]) fixed += p.weight[i];
    else if (!covered_by[i].empty()) lp << " + " << p.weight[i] << " y" << i, any = true;
  }
  if (!any) lp << " 0 x0";
  lp << "\nSubject To\n";
  for (std::size_t i = 0; i < p.weight.size(); ++i) {
    if (p.already_covered[i] || covered_by[i].empty()) continue;
    lp << " c" << i << ": y" << i;
    for (uint32_t j : covered_by[i]) lp << " - x" << j;
    lp << " <= 0\n";
  }
  lp << " sites:";
  for (std::size_t j = 0; j < p.covers.size(); ++j) lp << " + x" << j;
  lp << " = " << k << "\nBounds\n";
  for (std::size_t i = 0; i < p.weight.size(); ++i)
    if (!p.already_covered[i] && !covered_by[i].empty()) lp << " 0 <= y" << i << " <= 1\n";
  lp << "Binary\n";
  for (std::size_t j = 0; j < p.covers.size(); ++j) lp << " x" << j << "\n";
  lp << "End\n";
  lp.close();
  const auto r = testing::run_command("glpsol --lp " + (dir / "mclp.lp").string() + " -o " + (dir / "mclp.out").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string out = testing::read_file(dir / "mclp.out");
  std::smatch m;
  const std::regex objective(R"(Objective:\s+obj = ([-0-9.eE+]+))");
  EXPECT_TRUE(std::regex_search(out, m, objective)) << out.substr(0, 2000);
  EXPECT_NE(out.find("INTEGER OPTIMAL"), std::string::npos) << out.substr(0, 2000);
  return fixed + std::stod(m[1]);
}

// A candidate's cover is what that one site brings: the units the measure judges unmet before
// and met by a fresh evaluation of the scenario with the site added (of the plan's tier).
void expect_single_site_covers(const World& world, const Scenario& sc, const ScenarioResult& base,
                               const std::vector<LonLat>& candidates, const CoverProblem& p) {
  ASSERT_EQ(p.covers.size(), candidates.size());
  const Verdicts before{base.rules, base.standard, base.overall};
  std::size_t nonempty = 0;
  for (std::size_t j = 0; j < candidates.size(); j += candidates.size() / 12 + 1) {
    std::vector<LonLat> services = world.service_xy();
    std::vector<std::string> tiers = base.service_tier;
    services.push_back(candidates[j]);
    tiers.push_back(sc.planning->tier);
    const Verdicts after = evaluate_verdicts(world, sc, services, tiers, base.unit_class, 2);
    std::vector<uint32_t> expected;
    for (uint32_t u = 0; u < world.units().size(); ++u)
      if (before.measure(sc, u) == false && after.measure(sc, u) == true) expected.push_back(u);
    EXPECT_EQ(p.covers[j], expected) << "candidate " << j << ", objective " << int(sc.planning->objective) << ", tier "
                                     << sc.planning->tier;
    nonempty += !expected.empty();
  }
  EXPECT_GT(nonempty, 0u) << "no sampled candidate brings any unit: the check would prove nothing";
}

TEST(PlanningExact, PortoWalkBoundHoldsAgainstGlpk) {
  const std::string osm = testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  if (testing::run_command("glpsol --version").exit_code != 0)
    GTEST_SKIP() << "glpsol (Debian glpk-utils) not installed; .ci/install-deps.sh installs it";
  const RoadGraph g = build_graph(read_roads(osm), default_profiles(), BuildOptions{{Mode::walk}, true});
  const SegmentIndex index(g, Mode::walk);
  PointReadOptions so, dopt;
  so.osm_filter = "amenity=courthouse,townhall";
  dopt.osm_filter = "place=neighbourhood,suburb,quarter";
  const PointLayer services = read_points(osm, so), demand = read_points(osm, dopt);
  CoverageRequest req;
  req.mode = Mode::walk;
  const double threshold_s = 600.0;  // 10 minutes: a binding instance
  // Demand: the neighbourhoods plus 400 road nodes spread over the city, so that sites compete.
  std::vector<LonLat> demand_xy;
  for (const PointRecord& p : demand.points) demand_xy.push_back(p.where);
  for (uint32_t k = 0; k < 400; ++k) demand_xy.push_back(g.coord[(uint64_t(k) * 2654435761u) % g.node_count()]);
  std::vector<SnappedPoint> snaps;
  for (const LonLat& p : demand_xy) snaps.push_back(index.snap(p, req.max_snap_m));
  std::vector<LonLat> existing;
  for (const PointRecord& p : services.points) existing.push_back(p.where);
  TravelTimeField field(g, index, req);
  field.set_services(existing);
  const std::vector<LonLat> candidates = grid_candidates(g, index, 300.0, req.max_snap_m);
  ASSERT_GE(candidates.size(), 100u);
  const CoverMatrix matrix = cover_matrix(g, index, req, threshold_s, candidates, snaps, 2);
  CoverProblem p;
  p.covers = matrix.covers;
  for (std::size_t i = 0; i < demand_xy.size(); ++i) {
    // OSM carries no population here: deterministic stand-in weights, 1,000-9,000.
    p.weight.push_back(1000.0 + double((i * 7919) % 8001));
    p.already_covered.push_back(field.evaluate_snapped(snaps[i]).seconds <= threshold_s);
  }
  const auto dir = testing::fresh_temp_dir("planning-exact");
  for (std::size_t k : {2u, 4u, 6u, 10u}) {
    const MclpResult r = solve_mclp(p, k);
    const double optimum = exact_mclp_with_glpk(p, k, dir);
    EXPECT_GE(r.upper_bound + 1e-6, optimum) << "k=" << k;
    EXPECT_LE(r.objective, optimum + 1e-6) << "k=" << k;
    EXPECT_GE(r.objective, optimum - r.gap * r.upper_bound - 1e-6) << "k=" << k << ": outside the reported gap";
    EXPECT_GT(r.objective, r.existing_weight) << "k=" << k;
    std::cout << "  k=" << k << ": objective " << r.objective << ", GLPK optimum " << optimum << ", bound "
              << r.upper_bound << " (gap " << 100 * r.gap << "%), " << candidates.size() << " candidates, "
              << demand_xy.size() << " units\n";
  }
}

// The scenario's own measure on a real extract: porto with its town halls and courthouses as
// tiers, the neighbourhoods plus 300 road nodes as units with area classes (urban, rural, remote
// in turn), a tier rule with higher tiers serving, a km rule, and the provincial standard. The
// MIP is the cover problem plan_on_measure solves; the bound holds and the plan is within its gap.
TEST(PlanningExact, PortoScenarioMeasuresBoundHoldsAgainstGlpk) {
  const std::string osm = testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  if (testing::run_command("glpsol --version").exit_code != 0)
    GTEST_SKIP() << "glpsol (Debian glpk-utils) not installed; .ci/install-deps.sh installs it";
  PointReadOptions so, dopt;
  so.osm_filter = "amenity=courthouse,townhall";
  so.keep_fields = {"amenity"};
  dopt.osm_filter = "place=neighbourhood,suburb,quarter";
  PointLayer services = read_points(osm, so), demand = read_points(osm, dopt);
  const std::vector<Mode> modes = {Mode::walk, Mode::ebike, Mode::car};
  RoadGraph g = build_graph(read_roads(osm), default_profiles(), BuildOptions{modes, true});
  for (uint32_t k = 0; k < 300; ++k) {
    PointRecord p;
    p.id = "node/";
    p.id += std::to_string(k);
    p.where = g.coord[(uint64_t(k) * 2654435761u) % g.node_count()];
    demand.points.push_back(p);
  }
  const char* classes[] = {"urban", "rural", "remote"};
  for (std::size_t i = 0; i < demand.points.size(); ++i) {
    demand.points[i].population = 1000.0 + double((i * 7919) % 8001);  // stand-in weights
    demand.points[i].has_population = true;
    demand.points[i].extra = {{"class", classes[i % 3]}};
  }
  demand.extra_fields = {"class"};
  for (PointRecord& p : services.points)
    for (auto& [k, v] : p.extra) v = v == "courthouse" ? "center" : "town_station";
  services.extra_fields = {"amenity"};
  const World world(std::move(g), default_profiles(), Direction::to_service, services, demand);

  Scenario sc;
  sc.tiers = {{"center", "", 3}, {"town_station", "", 2}, {"village_point", "", 1}};
  sc.inputs.services.tier_field = "amenity";
  sc.inputs.demand.admin.area_class = "class";
  sc.isochrones.enabled = false;
  CoverageRule station;
  station.name = "station_ebike_5";
  station.tier = "town_station";
  station.higher_tiers_serve = true;
  station.threshold_minutes = 5;
  station.modes = {Mode::ebike};
  CoverageRule near;
  near.name = "walk_800m";
  near.threshold_km = 0.8;
  near.threshold_minutes = 9;  // both thresholds: the site may bring one while the services meet the other
  near.modes = {Mode::walk};
  sc.rules = {station, near};
  sc.standard = ProvincialStandard{};
  sc.standard->classes = {{{Mode::walk, 0.6, 15.0}, {Mode::ebike, 1.0, 15.0}, {Mode::car, 1.5, 15.0}}};  // binding
  Observer quiet;
  const ScenarioResult base = run_scenario(world, sc, RunSettings{}, quiet);
  const std::vector<LonLat> candidates = grid_candidates(world.graph(), world.index(Mode::walk), 300.0, 1000.0);
  ASSERT_GE(candidates.size(), 100u);
  const auto dir = testing::fresh_temp_dir("planning-exact-measures");
  for (const auto objective : {PlanningConfig::Objective::standard, PlanningConfig::Objective::rule,
                               PlanningConfig::Objective::overall}) {
    sc.planning = PlanningConfig{};
    sc.planning->objective = objective;
    sc.planning->objective_rule = "station_ebike_5";
    sc.planning->tier = "town_station";
    const CoverProblem p = measure_cover_problem(world, sc, base, candidates, 2);
    expect_single_site_covers(world, sc, base, candidates, p);
    for (std::size_t k : {3u, 8u}) {
      const MclpResult r = solve_mclp(p, k);
      const double optimum = exact_mclp_with_glpk(p, k, dir);
      EXPECT_GE(r.upper_bound + 1e-6, optimum) << "k=" << k;
      EXPECT_LE(r.objective, optimum + 1e-6) << "k=" << k;
      EXPECT_GE(r.objective, optimum - r.gap * r.upper_bound - 1e-6) << "k=" << k << ": outside the reported gap";
      EXPECT_GT(r.objective, r.existing_weight) << "k=" << k;
      std::cout << "  objective " << int(objective) << " k=" << k << ": plan " << r.objective << ", GLPK optimum "
                << optimum << ", bound " << r.upper_bound << " (gap " << 100 * r.gap << "%), " << candidates.size()
                << " candidates, " << p.weight.size() << " units\n";
    }
  }
  // A site of a tier the station rule does not count: units short of that rule are no one's gain.
  sc.planning->objective = PlanningConfig::Objective::overall;
  sc.planning->tier = "village_point";
  expect_single_site_covers(world, sc, base, candidates, measure_cover_problem(world, sc, base, candidates, 2));
  // And through the pipeline: the plan's objective equals a fresh evaluation of the scenario.
  sc.planning->add = 5;
  sc.planning->candidates.kind = CandidateSource::Kind::grid;
  sc.planning->candidates.grid_m = 300;
  RunSettings settings;
  settings.threads = 2;
  const ScenarioResult run = run_scenario(world, sc, settings, quiet);
  ASSERT_TRUE(run.plan);
  EXPECT_GT(run.plan->population_after, run.plan->population_before);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle
