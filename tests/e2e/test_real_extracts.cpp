// Independent checks on real OpenStreetMap extracts (../shared/data/osm).
#include <gtest/gtest.h>

#include <algorithm>

#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {

// Fastest speed a mode can reach anywhere (network or access leg), m/s.
double top_speed_mps(const Profiles& p, Mode m) {
  const ModeProfile& mp = p[m];
  double kmh = std::max(mp.default_speed_kmh, p.access_leg_kmh);
  for (const auto& [cls, v] : mp.class_speed_kmh) kmh = std::max(kmh, v);
  return kmh / 3.6;
}

struct Extract {
  RoadGraph graph;
  PointLayer services, demand;
};

Extract load(const std::string& osm, const std::string& service_filter, const std::string& demand_filter,
             std::vector<Mode> modes) {
  Extract e;
  e.graph = build_graph(read_roads(osm), default_profiles(), BuildOptions{modes, true});
  PointReadOptions so;
  so.osm_filter = service_filter;
  e.services = read_points(osm, so);
  PointReadOptions dopt;
  dopt.osm_filter = demand_filter;
  e.demand = read_points(osm, dopt);
  return e;
}

std::vector<LonLat> where(const PointLayer& l) {
  std::vector<LonLat> v;
  for (const auto& p : l.points) v.push_back(p.where);
  return v;
}

// The multi-source result equals the minimum over one search per service, for every village,
// and no time beats the straight line at the mode's top speed.
void check_multi_vs_single(const Extract& e, Mode mode, Direction dir) {
  const Profiles profiles = default_profiles();
  const SegmentIndex index(e.graph, mode);
  CoverageRequest req;
  req.mode = mode;
  req.direction = dir;
  const auto services = where(e.services), demand = where(e.demand);
  const CoverageResult multi = compute_coverage(e.graph, index, services, demand, req);
  std::vector<CoverageResult> single;
  for (const LonLat& s : services) single.push_back(compute_coverage(e.graph, index, {s}, demand, req));

  const double vmax = top_speed_mps(profiles, mode);
  std::size_t reached = 0;
  for (std::size_t k = 0; k < demand.size(); ++k) {
    double best = kInf;
    uint32_t best_service = kInvalidId;
    for (uint32_t s = 0; s < services.size(); ++s) {
      const double t = single[s].units[k].seconds;
      if (t < best) best = t, best_service = s;  // strict: ties stay with the lower index
    }
    const UnitResult& u = multi.units[k];
    if (!(best < kInf)) {
      EXPECT_FALSE(u.seconds < kInf) << "unit " << e.demand.points[k].id;
      continue;
    }
    ++reached;
    EXPECT_NEAR(u.seconds, best, 1e-6 * std::max(1.0, best)) << "unit " << e.demand.points[k].id;
    EXPECT_NEAR(single[u.nearest_service].units[k].seconds, best, 1e-6 * std::max(1.0, best));
    if (std::abs(u.seconds - best) > 1e-3) {
      EXPECT_EQ(u.nearest_service, best_service);
    }
    const double straight = haversine_m(demand[k], services[u.nearest_service]);
    EXPECT_GE(u.seconds * (1 + 1e-3), straight / vmax)
        << "unit " << e.demand.points[k].id << " faster than the crow flies";
  }
  EXPECT_GT(reached, demand.size() / 2) << "most villages should be reachable";
}

TEST(RealExtract, NorthBayreuthMultiSourceEqualsMinOfSingleSourceWalkAndCar) {
  const std::string osm = testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  const Extract e = load(osm, "amenity=townhall", "place=village,hamlet", {Mode::walk, Mode::car});
  ASSERT_EQ(e.services.points.size(), 3u);
  ASSERT_GE(e.demand.points.size(), 60u);
  for (Direction dir : {Direction::to_service, Direction::from_service}) {
    check_multi_vs_single(e, Mode::walk, dir);
    check_multi_vs_single(e, Mode::car, dir);
  }
}

TEST(RealExtract, PortoNeighbourhoodsToLawyersAndCourthousesEbike) {
  const std::string osm = testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  const Extract e = load(osm, "office=lawyer amenity=courthouse,townhall", "place=neighbourhood",
                         {Mode::ebike});
  ASSERT_GE(e.services.points.size(), 15u);
  check_multi_vs_single(e, Mode::ebike, Direction::to_service);
}

TEST(RealExtract, TimesGrowAlongShortestPathTree) {
  // Monotone labels: settled order is non-decreasing in time, and each node's time is at most
  // a neighbour's time plus the arc (the Bellman condition) on the whole north-bayreuth car graph.
  const std::string osm = testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  const RoadGraph g = build_graph(read_roads(osm), default_profiles(), BuildOptions{{Mode::car}, true});
  MultiSourceSearch search(g, Mode::car, Direction::from_service);
  search.reset().add_source(0, 0.0, 0).add_source(g.node_count() / 2, 30.0, 1).run();
  double last = 0;
  for (uint32_t v : search.settled_nodes()) {
    EXPECT_GE(search.time(v), last);
    last = search.time(v);
  }
  const auto& w = g.weights(Mode::car);
  for (uint32_t u = 0; u < g.node_count(); ++u) {
    if (!(search.time(u) < kInf)) continue;
    for (uint32_t a = g.first_out[u]; a < g.first_out[u + 1]; ++a) {
      if (!(w.arc_time_out[a] < std::numeric_limits<float>::infinity())) continue;
      ASSERT_LE(search.time(g.arc_head[a]), search.time(u) + w.arc_time_out[a] + 1e-9);
    }
  }
}

}  // namespace
}  // namespace legalcircle
