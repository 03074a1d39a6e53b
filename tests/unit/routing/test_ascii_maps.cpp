// Routing semantics on hand-drawn networks; every expected time is worked out in the comment.
// walk: 4.5 km/h = 1.25 m/s = 0.8 s per metre (network and access leg alike).
// car on residential: 25 km/h = 6.944 m/s = 0.144 s per metre.
#include <gtest/gtest.h>

#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "support/ascii_map.hpp"

namespace legalcircle {
namespace {

using testing::AsciiMap;
using testing::WaySpec;

constexpr double kWalkSPerM = 0.8;
constexpr double kCarSPerM = 3.6 / 25.0;
constexpr double kTol = 0.01;  // seconds: drawing metres vs haversine metres

const std::vector<std::pair<std::string, std::string>> kResidential = {{"highway", "residential"}};

struct Network {
  RoadGraph graph;
  SegmentIndex index;
  Network(const RawRoads& raw, Mode mode)
      : graph(build_graph(raw, default_profiles(), BuildOptions{{mode}, true})), index(graph, mode) {}
};

CoverageResult run(const Network& net, Mode mode, std::vector<LonLat> services,
                   std::vector<LonLat> demand, Direction dir = Direction::to_service,
                   double limit_s = kInf) {
  CoverageRequest req;
  req.mode = mode;
  req.direction = dir;
  req.limit_s = limit_s;
  return compute_coverage(net.graph, net.index, services, demand, req);
}

TEST(AsciiRouting, PartialEdgeWithAccessLegsAtBothEnds) {
  AsciiMap map(R"(
  S
  a---------b
     D
)", 10.0);
  Network net(map.roads({{"ab", kResidential}}), Mode::walk);
  auto r = run(net, Mode::walk, {map.at('S')}, {map.at('D')});
  // D walks 10 m to the road, 30 m along it to a, S is 10 m off a: 50 m = 40 s.
  ASSERT_EQ(r.units.size(), 1u);
  EXPECT_EQ(r.units[0].nearest_service, 0u);
  EXPECT_NEAR(r.units[0].seconds, 50 * kWalkSPerM, kTol);
  EXPECT_NEAR(r.units[0].snap_m, 10.0, 1e-3);
}

TEST(AsciiRouting, BothEndsOfASplitEdge) {
  // p-a: 20 m, a-b: 100 m (D at 30 m from a, 70 m from b), b-q: 20 m.
  AsciiMap map(R"(
p-a--D------b-q
)", 10.0);
  Network net(map.roads({{"pabq", kResidential}}), Mode::walk);
  // Only P: D leaves towards a, 30 + 20 = 50 m.
  EXPECT_NEAR(run(net, Mode::walk, {map.at('p')}, {map.at('D')}).units[0].seconds, 50 * kWalkSPerM, kTol);
  // Only Q: D leaves towards b, 70 + 20 = 90 m.
  EXPECT_NEAR(run(net, Mode::walk, {map.at('q')}, {map.at('D')}).units[0].seconds, 90 * kWalkSPerM, kTol);
  // Both: the a side wins, and the label says which service (index 1 = p here).
  auto both = run(net, Mode::walk, {map.at('q'), map.at('p')}, {map.at('D')});
  EXPECT_EQ(both.units[0].nearest_service, 1u);
  EXPECT_NEAR(both.units[0].seconds, 50 * kWalkSPerM, kTol);
}

TEST(AsciiRouting, TwoPointsOnTheSameEdgeTakeTheDirectPath) {
  // S at 20 m, D at 70 m along a-b (100 m): 50 m direct, not 90 m via a or 110 m via b.
  AsciiMap map(R"(
a-S----D---b
)", 10.0);
  Network net(map.roads({{"ab", kResidential}}), Mode::walk);
  for (Direction dir : {Direction::to_service, Direction::from_service}) {
    auto r = run(net, Mode::walk, {map.at('S')}, {map.at('D')}, dir);
    EXPECT_NEAR(r.units[0].seconds, 50 * kWalkSPerM, kTol);
  }
}

// A oneway loop a -> b -> c -> d -> a: a-b and d-c 110 m, b-c and d-a 100 m;
// b -> c is drawn c-b with oneway=-1, d -> a with oneway=1.
//   a--S------b
//   |         D
//   d---------c
const char* kLoop = R"(
a-S--------b
|          |
|          D
|          |
|          |
|          |
|          |
|          |
|          |
|          |
d----------c
)";

RawRoads oneway_loop(const AsciiMap& map) {
  return map.roads({{"ab", {{"highway", "residential"}, {"oneway", "yes"}}},
                    {"cb", {{"highway", "residential"}, {"oneway", "-1"}}},
                    {"cd", {{"highway", "residential"}, {"oneway", "yes"}}},
                    {"da", {{"highway", "residential"}, {"oneway", "1"}}}});
}

TEST(AsciiRouting, OnewayLoopToServiceDiffersFromFromService) {
  AsciiMap map(kLoop, 10.0);  // S: 20 m after a; D: 20 m after b (towards c)
  Network net(oneway_loop(map), Mode::car);
  // to_service: D must drive on around c, d, a to S: 80 + 110 + 100 + 20 = 310 m.
  auto to = run(net, Mode::car, {map.at('S')}, {map.at('D')}, Direction::to_service);
  EXPECT_NEAR(to.units[0].seconds, 310 * kCarSPerM, kTol);
  // from_service: S drives on to b and down to D: 90 + 20 = 110 m.
  auto from = run(net, Mode::car, {map.at('S')}, {map.at('D')}, Direction::from_service);
  EXPECT_NEAR(from.units[0].seconds, 110 * kCarSPerM, kTol);
}

TEST(AsciiRouting, OnewayEachWayAndWalkIgnoresIt) {
  AsciiMap map(kLoop, 10.0);
  // On foot oneway does not apply: D to S is 20 + 90 = 110 m either direction.
  Network walk(oneway_loop(map), Mode::walk);
  for (Direction dir : {Direction::to_service, Direction::from_service})
    EXPECT_NEAR(run(walk, Mode::walk, {map.at('S')}, {map.at('D')}, dir).units[0].seconds,
                110 * kWalkSPerM, kTol);
  // Two points on the same oneway segment: only the forward order is direct.
  // P at 10 m, Q at 60 m along a->b (cells 1 and 6 of the top row).
  Network car(oneway_loop(map), Mode::car);
  const LonLat p = map.offset('a', 10, 0), q = map.offset('a', 60, 0);
  // Q to P (to_service, service P): backward is forbidden, so Q goes round: 50+100+110+100+10.
  EXPECT_NEAR(run(car, Mode::car, {p}, {q}).units[0].seconds, 370 * kCarSPerM, kTol);
  // P to Q (to_service, service Q): direct, 50 m.
  EXPECT_NEAR(run(car, Mode::car, {q}, {p}).units[0].seconds, 50 * kCarSPerM, kTol);
}

TEST(AsciiRouting, SnapLimitIsInclusiveAndUnreachableIsReported) {
  AsciiMap map(R"(
a----------b
)", 100.0);  // 1 km road
  Network net(map.roads({{"ab", kResidential}}), Mode::walk);
  const LonLat service = map.at('a');
  const LonLat near = map.offset('a', 500, -999.0);  // 999 m south of the road's middle
  const LonLat far = map.offset('a', 500, -1001.0);  // strictly farther than 1000 m
  auto r = run(net, Mode::walk, {service}, {near, far});
  EXPECT_EQ(r.units[0].reason, Unreachable::none);
  // 999 m access leg + 500 m along the road.
  EXPECT_NEAR(r.units[0].seconds, (999 + 500) * kWalkSPerM, 0.5);
  EXPECT_EQ(r.units[1].reason, Unreachable::snap_too_far);
  EXPECT_FALSE(r.units[1].seconds < kInf);
  EXPECT_NEAR(r.units[1].snap_m, 1001.0, 0.5);
  // A service that cannot snap is reported and not used.
  auto r2 = run(net, Mode::walk, {far, service}, {map.at('b')});
  EXPECT_EQ(r2.unsnapped_services, std::vector<uint32_t>{0});
  EXPECT_EQ(r2.units[0].nearest_service, 1u);
}

TEST(AsciiRouting, DisconnectedFragmentIsDroppedAndItsPointsSnapToTheMainNetwork) {
  // a-b-c is the big component; d-e is a fragment 60 m north of it (no link).
  AsciiMap map(R"(
   d--E-e


a----D-----b---c
)", 20.0);
  RawRoads raw = map.roads({{"abc", kResidential}, {"de", kResidential}});
  Network net(raw, Mode::walk);
  const ComponentStats& st = net.graph.weights(Mode::walk).stats;
  EXPECT_EQ(st.components_dropped, 1u);
  EXPECT_EQ(st.nodes_dropped, 2u);
  EXPECT_EQ(st.nodes_kept, 3u);
  // E sits on the fragment, but the fragment is gone: E snaps 60 m south onto a-b.
  auto r = run(net, Mode::walk, {map.at('a')}, {map.at('E')});
  EXPECT_NEAR(r.units[0].snap_m, 60.0, 1e-3);
  // 60 m access + 6 cells = 120 m along to a.
  EXPECT_NEAR(r.units[0].seconds, (60 + 120) * kWalkSPerM, kTol);
}

TEST(AsciiRouting, TiesGoToTheServiceListedFirst) {
  AsciiMap map(R"(
a----D----b
)", 10.0);
  Network net(map.roads({{"ab", kResidential}}), Mode::walk);
  auto r1 = run(net, Mode::walk, {map.at('a'), map.at('b')}, {map.at('D')});
  auto r2 = run(net, Mode::walk, {map.at('b'), map.at('a')}, {map.at('D')});
  EXPECT_EQ(r1.units[0].nearest_service, 0u);
  EXPECT_EQ(r2.units[0].nearest_service, 0u);
  EXPECT_NEAR(r1.units[0].seconds, 50 * kWalkSPerM, kTol);
}

TEST(AsciiRouting, BoundedSearchLeavesFartherUnitsUnreached) {
  AsciiMap map(R"(
S--A------B
)", 10.0);
  Network net(map.roads({{"SB", kResidential}}), Mode::walk);
  // A is 30 m (24 s) away, B 100 m (80 s); bound at 60 s.
  auto r = run(net, Mode::walk, {map.at('S')}, {map.at('A'), map.at('B')}, Direction::to_service, 60.0);
  EXPECT_NEAR(r.units[0].seconds, 24.0, kTol);
  EXPECT_EQ(r.units[1].reason, Unreachable::no_service_reached);
}

TEST(AsciiRouting, MultiSourceEqualsMinimumOfSingleSources) {
  AsciiMap map(R"(
a-----b-----c
|     |     |
d-----e-----f
|           |
g-----h-----i
)", 30.0);
  RawRoads raw = map.roads({{"abc", kResidential}, {"def", kResidential}, {"ghi", kResidential},
                            {"adg", kResidential}, {"be", {{"highway", "residential"}, {"oneway", "yes"}}},
                            {"cfi", kResidential}});
  Network net(raw, Mode::car);
  std::vector<LonLat> services = {map.offset('a', 40, 3), map.offset('i', -10, -5)};
  std::vector<LonLat> demand;
  for (char c : std::string("abcdefghi")) demand.push_back(map.offset(c, 7, 2));
  auto multi = run(net, Mode::car, services, demand);
  for (std::size_t k = 0; k < demand.size(); ++k) {
    double best = kInf;
    for (const LonLat& s : services) best = std::min(best, run(net, Mode::car, {s}, {demand[k]}).units[0].seconds);
    EXPECT_NEAR(multi.units[k].seconds, best, 1e-6) << "demand " << k;
  }
}

}  // namespace
}  // namespace legalcircle
