// Rule, tier, area-class, standard and "overall" semantics (analysis/rules + pipeline) on a
// hand-drawn road, every expected value worked out in the comments.
//
//   a-----C---------T---------V--------------------------b     one straight residential road
//   0    300      1300      2300                        5000 m   (1 character = 100 m)
//
// Services C (center, level 3), T (town_station, 2), V (village_point, 1), listed in that order.
// Units on the road (no access leg) unless said otherwise:
//   U1   700 m  area_class urban     C 400 m, T 600 m, V 1600 m
//   U2  3000 m  type 村 (rural)      V 700 m, T 1700 m, C 2700 m
//   U3  1750 m  area_class remote    T 450 m, V 550 m, C 1450 m
//   U4   100 m  no class             C 200 m, V 2200 m
//   U5  4800 m  type 村 (rural)      V 2500 m
//   U6   700 m, 100 m south of the road, area_class urban: C 100 + 400 = 500 m
// walk 4.5 km/h = 0.8 s/m; ebike 15 km/h = 0.24 s/m; car on residential 25 km/h = 0.144 s/m.
#include <gtest/gtest.h>

#include "legalcircle/analysis/rules.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "support/ascii_map.hpp"

namespace legalcircle {
namespace {

using testing::AsciiMap;

constexpr double kTol = 0.1;  // seconds or metres: drawing metres vs haversine metres
const std::vector<Tier> kTiers = {{"center", "县中心", 3}, {"town_station", "镇街站", 2}, {"village_point", "村社点", 1}};

TEST(RuleSemantics, EligibleServicesFollowTiersAndLevels) {
  const std::vector<std::string> tier = {"village_point", "town_station", "center", "", "mediation"};
  using V = std::vector<uint32_t>;
  EXPECT_EQ(eligible_services(tier, kTiers, "", false), (V{0, 1, 2, 3, 4}));  // every service
  EXPECT_EQ(eligible_services(tier, kTiers, "village_point", false), (V{0}));
  EXPECT_EQ(eligible_services(tier, kTiers, "village_point", true), (V{0, 1, 2}));  // higher levels serve
  EXPECT_EQ(eligible_services(tier, kTiers, "town_station", true), (V{1, 2}));
  EXPECT_EQ(eligible_services(tier, kTiers, "center", true), (V{2}));
  // A tier the table lacks has level 0: it serves only its own rules, never a lower one.
  EXPECT_EQ(eligible_services(tier, kTiers, "mediation", true), (V{0, 1, 2, 4}));
  ProvincialStandard st;
  EXPECT_EQ(standard_services(tier, st), (V{0, 1, 2, 3, 4}));
  st.tiers = {"center", "village_point"};
  EXPECT_EQ(standard_services(tier, st), (V{0, 2}));
}

TEST(RuleSemantics, AreaClassFromValueElseTypeThroughTheStandard) {
  const ProvincialStandard st;
  EXPECT_EQ(area_class_of("urban", "村", &st), AreaClass::urban);  // the value wins over the type
  EXPECT_EQ(area_class_of("", "社区", &st), AreaClass::urban);
  EXPECT_EQ(area_class_of("", "村", &st), AreaClass::rural);
  EXPECT_EQ(area_class_of("", "村", nullptr), std::nullopt);  // no standard, no type table
  EXPECT_EQ(area_class_of("", "街道", &st), std::nullopt);
  EXPECT_THROW(area_class_of("city", "", &st), ConfigError);
}

TEST(RuleSemantics, ThresholdsAreInclusiveAndBothMustHold) {
  CoverageRule r;
  r.threshold_minutes = 15;
  UnitResult t, d;
  t.seconds = 900;
  EXPECT_TRUE(meets_thresholds(r, t, d));  // exactly 15 min
  t.seconds = 900.001;
  EXPECT_FALSE(meets_thresholds(r, t, d));
  r.threshold_km = 1.2;
  t.seconds = 600;
  d.seconds = 1200;
  EXPECT_TRUE(meets_thresholds(r, t, d));  // exactly 1.2 km and within 15 min
  d.seconds = 1200.5;
  EXPECT_FALSE(meets_thresholds(r, t, d));
  r.threshold_minutes.reset();  // km only: any time
  t.seconds = kInf;
  d.seconds = 800;
  EXPECT_TRUE(meets_thresholds(r, t, d));
}

TEST(RuleSemantics, OverallIsEveryApplicableRuleAndTheStandard) {
  std::vector<CoverageRule> rules(2);
  rules[0].threshold_minutes = 15;
  rules[0].modes = {Mode::walk, Mode::car};
  rules[1].threshold_minutes = 10;
  rules[1].modes = {Mode::walk};
  rules[1].applies_to = AreaClass::urban;
  UnitResult walk, car;
  walk.seconds = 700, walk.nearest_service = 1;
  car.seconds = 200, car.nearest_service = 2;
  std::vector<RuleOutcome> o = {rule_outcome(rules[0], AreaClass::rural, std::vector{walk, car}, std::vector<UnitResult>(2)),
                                rule_outcome(rules[1], AreaClass::rural, std::vector{walk}, std::vector<UnitResult>(1))};
  EXPECT_TRUE(o[0].covered);
  EXPECT_FALSE(o[1].applies);
  OverallOutcome all = overall_outcome(rules, o, StandardOutcome{});
  EXPECT_EQ(all.covered, true);
  EXPECT_EQ(all.primary.nearest_service, 2u);  // the first rule's best mode: car, 200 s
  EXPECT_EQ(all.primary_threshold_minutes, 15.0);
  StandardOutcome fails;
  fails.met = false;
  EXPECT_EQ(overall_outcome(rules, o, fails).covered, false);  // the standard counts too
  // No applicable rule and no class: no verdict at all.
  const std::vector<RuleOutcome> none = {rule_outcome(rules[1], AreaClass::rural, std::vector{walk}, std::vector<UnitResult>(1))};
  EXPECT_EQ(overall_outcome(std::span(rules).subspan(1), none, StandardOutcome{}).covered, std::nullopt);
}

// The scenario of the file comment, run through the pipeline.
class ScenarioOnOneRoad : public ::testing::Test {
 protected:
  ScenarioOnOneRoad()
      : map("a-----------------------------------------------------------b", 100.0) {
    // 'a' at 0 m, 'b' at 6000 m: the drawing is longer than the points need.
    const RawRoads raw = map.roads({{"ab", {{"highway", "residential"}}}});
    PointLayer services, demand;
    auto service = [&](const std::string& id, double x, const std::string& tier) {
      PointRecord p;
      p.id = id;
      p.where = map.offset('a', x, 0);
      p.extra = {{"tier", tier}};
      services.points.push_back(p);
    };
    service("C", 300, "center");
    service("T", 1300, "town_station");
    service("V", 2300, "village_point");
    services.extra_fields = {"tier"};
    auto unit = [&](const std::string& id, double x, double y, const std::string& cls, const std::string& type) {
      PointRecord p;
      p.id = id;
      p.where = map.offset('a', x, y);
      p.population = 100;
      p.has_population = true;
      p.extra = {{"area_class", cls}, {"type", type}, {"town", x < 2000 ? "西镇" : "东镇"}};
      demand.points.push_back(p);
    };
    unit("U1", 700, 0, "urban", "");
    unit("U2", 3000, 0, "", "村");
    unit("U3", 1750, 0, "remote", "");
    unit("U4", 100, 0, "", "");
    unit("U5", 4800, 0, "", "村");
    unit("U6", 700, -100, "urban", "");
    demand.extra_fields = {"area_class", "type", "town"};
    world = std::make_unique<World>(build_graph(raw, default_profiles(), BuildOptions{{Mode::walk, Mode::ebike, Mode::car}, true}),
                                    default_profiles(), Direction::to_service, services, demand);

    sc.tiers = kTiers;
    sc.inputs.services.tier_field = "tier";
    sc.inputs.demand.admin.area_class = "area_class";
    sc.inputs.demand.admin.type = "type";
    sc.inputs.demand.admin.town = "town";
    sc.isochrones.enabled = false;
    CoverageRule any;
    any.name = "any_walk_15";
    any.threshold_minutes = 15;
    any.modes = {Mode::walk};
    CoverageRule village;
    village.name = "village_only_walk_10";
    village.tier = "village_point";
    village.threshold_minutes = 10;
    village.modes = {Mode::walk};
    CoverageRule urban_km;
    urban_km.name = "urban_km";
    urban_km.tier = "village_point";
    urban_km.higher_tiers_serve = true;
    urban_km.threshold_km = 0.45;
    urban_km.modes = {Mode::walk};
    urban_km.applies_to = AreaClass::urban;
    sc.rules = {any, village, urban_km};
    sc.standard = ProvincialStandard{};  // urban walk 1.2 km, rural ebike 2.0 km, remote car 3.0 km
  }

  ScenarioResult run() {
    Observer quiet;
    return run_scenario(*world, sc, RunSettings{}, quiet);
  }

  AsciiMap map;
  std::unique_ptr<World> world;
  Scenario sc;
};

TEST_F(ScenarioOnOneRoad, TimesTiersAndVerdictsPerRule) {
  const ScenarioResult r = run();
  ASSERT_EQ(r.rules.size(), 3u);
  // any_walk_15: nearest of all services.
  const auto& any = r.rules[0];
  EXPECT_NEAR(any[0].modes[0].time.seconds, 400 * 0.8, kTol);  // U1 -> C
  EXPECT_EQ(any[0].modes[0].time.nearest_service, 0u);
  EXPECT_NEAR(any[2].modes[0].time.seconds, 450 * 0.8, kTol);  // U3 -> T, not V at 550 m
  EXPECT_EQ(any[2].modes[0].time.nearest_service, 1u);
  EXPECT_NEAR(any[5].modes[0].time.seconds, 500 * 0.8, kTol);  // U6: 100 m access leg + 400 m
  EXPECT_FALSE(any[4].covered);                                 // U5: 2500 m = 2000 s
  for (int k : {0, 1, 2, 3, 5}) EXPECT_TRUE(any[k].covered) << "U" << k + 1;
  // village_only_walk_10: only V counts (no higher tiers), index mapped back to all services.
  const auto& village = r.rules[1];
  EXPECT_NEAR(village[0].modes[0].time.seconds, 1600 * 0.8, kTol);
  EXPECT_EQ(village[0].modes[0].time.nearest_service, 2u);
  EXPECT_FALSE(village[0].covered);                             // 1280 s > 600 s
  EXPECT_TRUE(village[1].covered);                              // U2: 700 m = 560 s
  EXPECT_TRUE(village[2].covered);                              // U3: 550 m = 440 s
  EXPECT_FALSE(village[3].covered);                             // U4: 2200 m
  // urban_km: urban units only, km by the network, the access leg in metres too.
  const auto& km = r.rules[2];
  EXPECT_TRUE(km[0].applies);
  EXPECT_NEAR(km[0].modes[0].distance.seconds, 400, kTol);
  EXPECT_TRUE(km[0].covered);                                   // 0.40 km <= 0.45
  EXPECT_NEAR(km[5].modes[0].distance.seconds, 500, kTol);
  EXPECT_FALSE(km[5].covered);                                  // 0.50 km > 0.45
  for (int k : {1, 2, 3, 4}) EXPECT_FALSE(km[k].applies) << "U" << k + 1;
}

TEST_F(ScenarioOnOneRoad, StandardByClassModeAndDistance) {
  const ScenarioResult r = run();
  ASSERT_EQ(r.standard.size(), 6u);
  EXPECT_EQ(r.unit_class[1], AreaClass::rural);  // from the type 村
  EXPECT_EQ(r.unit_class[3], std::nullopt);
  EXPECT_EQ(r.unclassified_units, 1u);
  EXPECT_NEAR(r.standard[0].value, 0.4, 1e-4);   // urban: walk, km
  EXPECT_EQ(r.standard[0].met, true);
  EXPECT_NEAR(r.standard[1].value, 0.7, 1e-4);   // rural: ebike 0.7 km <= 2.0
  EXPECT_NEAR(r.standard[1].time.seconds, 700 * 0.24, kTol);
  EXPECT_EQ(r.standard[1].met, true);
  EXPECT_NEAR(r.standard[2].value, 0.45, 1e-4);  // remote: car
  EXPECT_NEAR(r.standard[2].time.seconds, 450 * 3.6 / 25, kTol);
  EXPECT_EQ(r.standard[3].met, std::nullopt);    // no class, no verdict
  EXPECT_NEAR(r.standard[4].value, 2.5, 1e-4);
  EXPECT_EQ(r.standard[4].met, false);           // 2.5 km > 2.0 km
  // The warning about the unclassified unit is in the result, not only on stderr.
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.back().find("1 demand units have no area class"), std::string::npos);
}

TEST_F(ScenarioOnOneRoad, OverallRollupsAndGaps) {
  const ScenarioResult r = run();
  // U1: village rule fails. U2, U3: all met. U4: village rule fails, no standard verdict.
  // U5: everything fails. U6: urban_km fails (0.5 km).
  const std::vector<std::optional<bool>> expected = {false, true, true, false, false, false};
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_EQ(r.overall[k].covered, expected[k]) << "U" << k + 1;
  // Primary minutes: the first applicable rule's best mode (any_walk_15 walk).
  EXPECT_NEAR(r.overall[0].primary.seconds, 320, kTol);
  ASSERT_FALSE(r.rollups.empty());
  EXPECT_EQ(r.rollups[0].measure, "overall");
  EXPECT_EQ(r.rollups[0].rollup.total.units, 6u);
  EXPECT_EQ(r.rollups[0].rollup.total.covered_units, 2u);
  EXPECT_DOUBLE_EQ(r.rollups[0].rollup.total.covered_population, 200.0);
  // The urban_km roll-up counts only the two urban units.
  auto km = std::find_if(r.rollups.begin(), r.rollups.end(), [](const MeasureRollup& m) { return m.measure == "rule:urban_km"; });
  ASSERT_NE(km, r.rollups.end());
  EXPECT_EQ(km->rollup.total.units, 2u);
  EXPECT_EQ(km->rollup.total.covered_units, 1u);
  // Gaps: the four uncovered units, U5 first (most minutes over with equal population).
  ASSERT_EQ(r.gaps.size(), 4u);
  EXPECT_EQ(world->units()[r.gaps[0].unit].id, "U5");
}

TEST_F(ScenarioOnOneRoad, UnknownTierIsAnInputErrorNamingServiceAndField) {
  sc.tiers.pop_back();  // village_point is no longer defined
  try {
    run();
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("service V"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'tier'"), std::string::npos) << e.what();
  }
}


TEST_F(ScenarioOnOneRoad, DefaultTierServesALayerWithoutTierColumn) {
  // The same services without their tier column: default_tier applies, and says so.
  PointLayer services = world->service_layer();
  for (PointRecord& p : services.points) p.extra.clear();
  services.extra_fields.clear();
  services.source_fields = {"id", "lon", "lat"};
  World plain(World(build_graph(map.roads({{"ab", {{"highway", "residential"}}}}), default_profiles(),
                                BuildOptions{{Mode::walk, Mode::ebike, Mode::car}, true}),
                    default_profiles(), Direction::to_service, services, world->demand_layer()));
  sc.inputs.services.default_tier = "village_point";
  Observer quiet;
  const ScenarioResult r = run_scenario(plain, sc, RunSettings{}, quiet);
  for (const std::string& t : r.service_tier) EXPECT_EQ(t, "village_point");
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.front().find("no tier field 'tier'"), std::string::npos) << r.warnings.front();
  // Without a default the run stops, listing the fields there are.
  sc.inputs.services.default_tier.clear();
  try {
    run_scenario(plain, sc, RunSettings{}, quiet);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("id, lon, lat"), std::string::npos) << e.what();
  }
}

TEST_F(ScenarioOnOneRoad, ProjectCrsOutsideItsAreaOfUseWarns) {
  sc.outputs.project_crs = "EPSG:4549";  // CGCS2000 GK CM 120E: covers the drawing (120.75E)
  auto has_area_warning = [](const ScenarioResult& r) {
    for (const std::string& w : r.warnings)
      if (w.find("area of use") != std::string::npos) return true;
    return false;
  };
  EXPECT_FALSE(has_area_warning(run()));
  sc.outputs.project_crs = "EPSG:4547";  // CM 114E: 112.5-115.5E
  EXPECT_TRUE(has_area_warning(run()));
}

TEST(FieldValue, AdminFieldMayNameTheNameOrIdColumn) {
  PointRecord p;
  p.id = "330402001";
  p.name = "新丰镇";
  p.extra = {{"county", "南湖区"}};
  PointReadOptions read;
  read.name_field = "乡镇";
  read.id_field = "代码";
  EXPECT_EQ(field_value(p, "乡镇", read), "新丰镇");  // town and name are the same column
  EXPECT_EQ(field_value(p, "代码", read), "330402001");
  EXPECT_EQ(field_value(p, "county", read), "南湖区");
  EXPECT_EQ(field_value(p, "", read), "");
}


// Planning on the scenario's own measure, checked against enumeration: every single candidate and
// every pair added to the services and the scenario evaluated afresh.
class PlanningOnOneRoad : public ScenarioOnOneRoad {
 protected:
  // Candidates along the road, 250 m apart, from 0 to 5000 m.
  std::vector<SitePoint> candidates() const {
    std::vector<SitePoint> c;
    for (int x = 0; x <= 5000; x += 250) {
      std::string id = "K";
      id += std::to_string(x);  // appended: GCC 12's -Wrestrict misfires on "K" + to_string
      c.push_back({id, "", map.offset('a', x, 0)});
    }
    return c;
  }
  // Population meeting the objective with these extra sites of the planning tier.
  double evaluate_with(const std::vector<SitePoint>& extra) const {
    std::vector<LonLat> all = world->service_xy();
    std::vector<std::string> tiers = {"center", "town_station", "village_point"};
    for (const SitePoint& s : extra) all.push_back(s.where), tiers.push_back(sc.planning->tier);
    std::vector<std::optional<AreaClass>> cls;
    Observer quiet;
    const ScenarioResult base = run_scenario(*world, without_planning(), RunSettings{}, quiet);
    const Verdicts v = evaluate_verdicts(*world, sc, all, tiers, base.unit_class);
    double pop = 0;
    for (std::size_t k = 0; k < world->units().size(); ++k) pop += v.measure(sc, k) == true ? world->units()[k].population : 0;
    return pop;
  }
  Scenario without_planning() const {
    Scenario copy = sc;
    copy.planning.reset();
    return copy;
  }
  PlanResult plan(int add) {
    sc.planning = sc.planning.value_or(PlanningConfig{});
    sc.planning->add = add;
    sc.planning->candidates.kind = CandidateSource::Kind::layer;
    Observer quiet;
    RunSettings settings;
    settings.candidate_sites = candidates();
    return *run_scenario(*world, sc, settings, quiet).plan;
  }
  // The best objective over every single site and every pair, by fresh evaluation.
  std::pair<double, double> enumerate() const {
    const auto c = candidates();
    double best1 = 0, best2 = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      best1 = std::max(best1, evaluate_with({c[i]}));
      for (std::size_t j = i + 1; j < c.size(); ++j) best2 = std::max(best2, evaluate_with({c[i], c[j]}));
    }
    return {best1, best2};
  }
  void expect_optimal() {
    const auto [best1, best2] = enumerate();
    const PlanResult one = plan(1), two = plan(2);
    EXPECT_DOUBLE_EQ(one.population_after, best1);
    EXPECT_DOUBLE_EQ(one.population_after, evaluate_with({one.sites[0].point}));
    EXPECT_DOUBLE_EQ(two.population_after, best2);
    EXPECT_GE(two.mclp->upper_bound + 1e-6, best2);  // the bound holds against the optimum
    EXPECT_GE(two.population_after, two.population_before);
  }
};

TEST_F(PlanningOnOneRoad, RuleInKilometresWithHigherTiersServing) {
  // urban_km: a village point or higher within 0.45 km (urban units U1, U6); U6 is 0.50 km from C.
  sc.planning = PlanningConfig{};
  sc.planning->objective = PlanningConfig::Objective::rule;
  sc.planning->objective_rule = "urban_km";
  sc.planning->tier = "village_point";
  expect_optimal();
  const PlanResult p = plan(1);
  EXPECT_EQ(p.objective, "rule:urban_km");
  EXPECT_DOUBLE_EQ(p.population_before, 100);  // U1
  EXPECT_DOUBLE_EQ(p.population_after, 200);   // a site within 0.45 km of U6 (100 m off the road at 700 m)
  EXPECT_DOUBLE_EQ(p.population_total, 200);   // only the urban units are judged
}

TEST_F(PlanningOnOneRoad, TierRuleCountsOnlySitesOfItsTier) {
  // village_only_walk_10 has no higher tiers serving: a new town station covers nobody.
  sc.planning = PlanningConfig{};
  sc.planning->objective = PlanningConfig::Objective::rule;
  sc.planning->objective_rule = "village_only_walk_10";
  sc.planning->tier = "town_station";
  const PlanResult none = plan(1);
  EXPECT_DOUBLE_EQ(none.population_after, none.population_before);
  sc.planning->tier = "village_point";
  expect_optimal();
  EXPECT_GT(plan(1).population_after, none.population_after);
}

TEST_F(PlanningOnOneRoad, StandardWithThreeAreaClasses) {
  sc.planning = PlanningConfig{};
  sc.planning->objective = PlanningConfig::Objective::standard;
  sc.planning->tier = "village_point";
  expect_optimal();
  const PlanResult p = plan(1);
  // Before: U1, U2, U3, U6 meet it (U4 has no class); U5 (rural, 2.5 km by e-bike) does not.
  EXPECT_DOUBLE_EQ(p.population_before, 400);
  EXPECT_DOUBLE_EQ(p.population_after, 500);
  EXPECT_DOUBLE_EQ(p.population_total, 500);
}

TEST_F(PlanningOnOneRoad, WhatIfOfProposalsInTheScenario) {
  sc.planning = PlanningConfig{};
  sc.planning->tier = "village_point";
  sc.planning->evaluate = PointInput{};
  sc.planning->evaluate->path = "proposals.csv";
  const std::vector<SitePoint> proposals = {{"P1", "", map.offset('a', 1000, 0)}, {"P2", "", map.offset('a', 4500, 0)}};
  Observer quiet;
  RunSettings settings;
  settings.proposal_sites = proposals;
  const PlanResult p = *run_scenario(*world, sc, settings, quiet).plan;
  EXPECT_EQ(p.kind, PlanResult::Kind::evaluate);
  ASSERT_EQ(p.sites.size(), 2u);
  EXPECT_DOUBLE_EQ(p.population_after, evaluate_with(proposals));  // the same as a fresh evaluation
  double gains = 0;
  for (const auto& s : p.sites) gains += s.gain_population;
  EXPECT_LE(gains, p.population_after - p.population_before + 1e-9);
  EXPECT_GT(p.population_after, p.population_before);  // P2 brings U5 (4800 m) within reach
  // Before and after on every measure are there for the report.
  ASSERT_FALSE(p.rollups_after.empty());
  EXPECT_EQ(p.rollups_after[0].measure, "overall");
  EXPECT_DOUBLE_EQ(p.rollups_after[0].rollup.total.covered_population, p.population_after);
}

TEST_F(PlanningOnOneRoad, ConstraintsAgainstEnumeration) {
  sc.planning = PlanningConfig{};
  sc.planning->tier = "village_point";
  const auto c = candidates();
  // The town of a candidate: its nearest unit's (units below 2000 m are in 西镇).
  const double unit_x[] = {700, 3000, 1750, 100, 4800, 700};
  auto town_of = [&](std::size_t i) {
    const double x = 250.0 * double(i);
    std::size_t best = 0;
    for (std::size_t u = 1; u < 6; ++u)
      if (std::abs(unit_x[u] - x) < std::abs(unit_x[best] - x)) best = u;
    return unit_x[best] < 2000 ? 0 : 1;
  };
  // Excluded: the best single site is never used; the plan is the best of the others.
  const PlanResult free1 = plan(1);
  sc.planning->excluded = {free1.sites[0].point.id};
  double best_other = 0;
  for (const SitePoint& s : c)
    if (s.id != free1.sites[0].point.id) best_other = std::max(best_other, evaluate_with({s}));
  const PlanResult ex = plan(1);
  EXPECT_NE(ex.sites[0].point.id, free1.sites[0].point.id);
  EXPECT_DOUBLE_EQ(ex.population_after, best_other);
  EXPECT_GE(ex.mclp->upper_bound + 1e-6, best_other);
  sc.planning->excluded.clear();
  // Required: K0 is in the plan; the second site is the best partner.
  sc.planning->required = {"K0"};
  double best_with_k0 = 0;
  for (const SitePoint& s : c) best_with_k0 = std::max(best_with_k0, evaluate_with({c[0], s}));
  const PlanResult req = plan(2);
  EXPECT_EQ(req.sites[0].point.id, "K0");
  EXPECT_DOUBLE_EQ(req.population_after, best_with_k0);
  sc.planning->required.clear();
  // One site in each town below 100 %, at most one per town: the best pair across the towns.
  sc.planning->min_per_area = 1;
  sc.planning->max_per_area = 1;
  sc.planning->below_rate = 1.0;
  double best_across = 0;
  for (std::size_t i = 0; i < c.size(); ++i)
    for (std::size_t j = 0; j < c.size(); ++j)
      if (town_of(i) == 0 && town_of(j) == 1) best_across = std::max(best_across, evaluate_with({c[i], c[j]}));
  const PlanResult per = plan(2);
  ASSERT_EQ(per.sites.size(), 2u);
  EXPECT_NE(per.sites[0].town, per.sites[1].town);
  EXPECT_LE(per.population_after, best_across);   // a greedy under constraints ...
  EXPECT_GE(per.mclp->upper_bound + 1e-6, best_across);  // ... with a bound that holds
  EXPECT_DOUBLE_EQ(per.population_after, evaluate_with({per.sites[0].point, per.sites[1].point}));
}

TEST_F(PlanningOnOneRoad, OverallIsTheHeadlineMeasure) {
  sc.planning = PlanningConfig{};
  sc.planning->tier = "village_point";
  expect_optimal();
  const PlanResult p = plan(2);
  Observer quiet;
  const ScenarioResult base = run_scenario(*world, without_planning(), RunSettings{}, quiet);
  EXPECT_DOUBLE_EQ(p.population_before, base.rollups[0].rollup.total.covered_population);  // the headline
  EXPECT_TRUE(p.bound_valid) << p.bound_note;
}

}  // namespace
}  // namespace legalcircle
