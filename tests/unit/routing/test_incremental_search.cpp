// MultiSourceSearch::extend and TravelTimeField::add_service (one more source after a run) equal a
// fresh search over all sources, on random grids with oneway streets of mixed classes; and the
// distance metric measures network metres without copying the graph.
#include <gtest/gtest.h>

#include <random>

#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/graph/costs.hpp"
#include "legalcircle/routing/dijkstra.hpp"
#include "support/ascii_map.hpp"

namespace legalcircle {
namespace {

// An n x n grid, 80-120 m between neighbours, every street a random class and a third oneway.
RawRoads random_grid(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> jitter(-20, 20);
  const LocalProjection pj(LonLat{120.75, 30.75});
  RawRoads raw;
  raw.source = "random grid";
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      raw.coord.push_back(pj.inverse(XY{c * 100.0 + jitter(rng), r * 100.0 + jitter(rng)}));
      raw.node_id.push_back(r * n + c);
    }
  const char* classes[] = {"residential", "tertiary", "primary", "service", "footway"};
  int64_t id = 1;
  auto street = [&](uint32_t a, uint32_t b) {
    RawWay w;
    w.id = id++;
    w.nodes = {a, b};
    w.tags.set("highway", classes[rng() % 5]);
    if (rng() % 3 == 0) w.tags.set("oneway", "yes");
    raw.ways.push_back(w);
  };
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const auto v = uint32_t(r * n + c);
      if (c + 1 < n) street(v, v + 1);
      if (r + 1 < n) street(v, v + uint32_t(n));
    }
  return raw;
}

struct SearchCase {
  Mode mode;
  Direction direction;
  double limit_s;
};

void PrintTo(const SearchCase& c, std::ostream* os) {
  *os << mode_name(c.mode) << (c.direction == Direction::to_service ? " to_service" : " from_service") << " limit "
      << c.limit_s;
}

class IncrementalSearch : public ::testing::TestWithParam<SearchCase> {};

TEST_P(IncrementalSearch, ExtendEqualsAFreshRunOverAllSources) {
  const SearchCase p = GetParam();
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const RoadGraph g = build_graph(random_grid(25, seed), default_profiles(), BuildOptions{{p.mode}, true});
    std::mt19937 rng(seed * 7919);
    std::vector<uint32_t> kept;
    for (uint32_t v = 0; v < g.node_count(); ++v)
      if (g.weights(p.mode).node_kept[v]) kept.push_back(v);
    ASSERT_GT(kept.size(), 100u);
    std::vector<Seed> seeds;
    for (uint32_t s = 0; s < 6; ++s) seeds.push_back({kept[rng() % kept.size()], double(rng() % 50), s});
    // The last two sources arrive after the run, one at a time.
    MultiSourceSearch incremental(g, p.mode, p.direction);
    incremental.reset();
    for (std::size_t i = 0; i + 2 < seeds.size(); ++i)
      incremental.add_source(seeds[i].node, seeds[i].start_s, seeds[i].source_index);
    incremental.run(p.limit_s);
    incremental.extend(std::span(seeds).subspan(4, 1));
    incremental.extend(std::span(seeds).subspan(5, 1));
    MultiSourceSearch fresh(g, p.mode, p.direction);
    fresh.reset();
    for (const Seed& s : seeds) fresh.add_source(s.node, s.start_s, s.source_index);
    fresh.run(p.limit_s);
    std::size_t labelled = 0;
    for (uint32_t v = 0; v < g.node_count(); ++v) {
      ASSERT_EQ(incremental.time(v), fresh.time(v)) << "node " << v << " seed " << seed;
      ASSERT_EQ(incremental.source(v), fresh.source(v)) << "node " << v << " seed " << seed;
      labelled += fresh.time(v) < kInf;
    }
    EXPECT_GT(labelled, 10u);
  }
}

// Sources removed one after another (including the one listed first, which wins ties, and
// sources sharing a node) leave the labels a fresh run over the rest gives.
TEST_P(IncrementalSearch, RemoveSourceEqualsAFreshRunWithoutIt) {
  const SearchCase p = GetParam();
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const RoadGraph g = build_graph(random_grid(25, seed), default_profiles(), BuildOptions{{p.mode}, true});
    std::mt19937 rng(seed * 104729);
    std::vector<uint32_t> kept;
    for (uint32_t v = 0; v < g.node_count(); ++v)
      if (g.weights(p.mode).node_kept[v]) kept.push_back(v);
    std::vector<Seed> seeds;
    for (uint32_t s = 0; s < 7; ++s) seeds.push_back({kept[rng() % kept.size()], double(rng() % 50), s});
    seeds.push_back({seeds[2].node, seeds[2].start_s, 7});  // a tie at the same node: 2 wins it until removed
    MultiSourceSearch incremental(g, p.mode, p.direction);
    incremental.reset();
    for (const Seed& s : seeds) incremental.add_source(s.node, s.start_s, s.source_index);
    incremental.run(p.limit_s);
    std::vector<Seed> remaining = seeds;
    for (uint32_t removed : {0u, 2u, 5u}) {
      std::vector<Seed> own;
      for (const Seed& s : remaining)
        if (s.source_index == removed) own.push_back(s);
      std::erase_if(remaining, [&](const Seed& s) { return s.source_index == removed; });
      incremental.remove_source(removed, own, remaining);
      MultiSourceSearch fresh(g, p.mode, p.direction);
      fresh.reset();
      for (const Seed& s : remaining) fresh.add_source(s.node, s.start_s, s.source_index);
      fresh.run(p.limit_s);
      std::size_t labelled = 0;
      for (uint32_t v = 0; v < g.node_count(); ++v) {
        ASSERT_EQ(incremental.time(v), fresh.time(v)) << "node " << v << " seed " << seed << " removed " << removed;
        ASSERT_EQ(incremental.source(v), fresh.source(v)) << "node " << v << " seed " << seed << " removed " << removed;
        labelled += fresh.time(v) < kInf;
        ASSERT_NE(incremental.source(v), removed);
      }
      EXPECT_GT(labelled, 10u);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, IncrementalSearch,
                         ::testing::Values(SearchCase{Mode::car, Direction::to_service, kInf},
                                           SearchCase{Mode::car, Direction::from_service, kInf},
                                           SearchCase{Mode::car, Direction::to_service, 60.0},
                                           SearchCase{Mode::ebike, Direction::to_service, 200.0},
                                           SearchCase{Mode::walk, Direction::from_service, 500.0}),
                         [](const auto& test_case) {
                           return std::string(mode_name(test_case.param.mode)) +
                                  (test_case.param.direction == Direction::to_service ? "_to" : "_from") +
                                  (test_case.param.limit_s < kInf ? "_bounded" : "_unbounded");
                         });

TEST(IncrementalField, AddServiceEqualsSetServicesWithItAppended) {
  const RoadGraph g = build_graph(random_grid(20, 11), default_profiles(), BuildOptions{{Mode::car}, true});
  const SegmentIndex index(g, Mode::car);
  CoverageRequest req;
  req.mode = Mode::car;
  req.limit_s = 120;
  const LocalProjection pj(LonLat{120.75, 30.75});
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> at(0, 1900);
  std::vector<LonLat> services;
  for (int i = 0; i < 5; ++i) services.push_back(pj.inverse(XY{at(rng), at(rng)}));
  TravelTimeField incremental(g, index, req);
  incremental.set_services({services.begin(), services.begin() + 3});
  EXPECT_EQ(incremental.add_service(services[3]), 3u);
  EXPECT_EQ(incremental.add_service(services[4]), 4u);
  TravelTimeField fresh(g, index, req);
  fresh.set_services(services);
  for (int i = 0; i < 2000; ++i) {
    const LonLat p = pj.inverse(XY{at(rng), at(rng)});
    const UnitResult a = incremental.evaluate(p), b = fresh.evaluate(p);
    ASSERT_EQ(a.seconds, b.seconds) << i;
    ASSERT_EQ(a.nearest_service, b.nearest_service) << i;
  }
}

// Moving a service keeps its index; removing one leaves its index unused. Both equal a fresh
// field over the services as they now stand (the removed one's index mapped out).
TEST(IncrementalField, MoveAndRemoveEqualAFreshFieldOverTheServicesAsTheyStand) {
  const RoadGraph g = build_graph(random_grid(20, 13), default_profiles(), BuildOptions{{Mode::walk}, true});
  const SegmentIndex index(g, Mode::walk);
  CoverageRequest req;
  req.mode = Mode::walk;
  req.limit_s = 900;
  const LocalProjection pj(LonLat{120.75, 30.75});
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> at(0, 1900);
  std::vector<LonLat> services;
  for (int i = 0; i < 6; ++i) services.push_back(pj.inverse(XY{at(rng), at(rng)}));
  TravelTimeField incremental(g, index, req);
  incremental.set_services(services);
  incremental.move_service(1, services[1] = pj.inverse(XY{at(rng), at(rng)}));
  incremental.move_service(4, services[4] = pj.inverse(XY{5000, 5000}));  // off the network: unused
  EXPECT_EQ(incremental.unsnapped_services(), std::vector<uint32_t>{4});
  incremental.move_service(4, services[4] = pj.inverse(XY{at(rng), at(rng)}));
  EXPECT_TRUE(incremental.unsnapped_services().empty());
  incremental.remove_service(0);
  incremental.add_service(services.emplace_back(pj.inverse(XY{at(rng), at(rng)})));
  const std::vector<LonLat> standing(services.begin() + 1, services.end());  // index k here is k + 1 there
  TravelTimeField fresh(g, index, req);
  fresh.set_services(standing);
  std::size_t reached = 0;
  for (int i = 0; i < 2000; ++i) {
    const LonLat p = pj.inverse(XY{at(rng), at(rng)});
    const UnitResult a = incremental.evaluate(p), b = fresh.evaluate(p);
    ASSERT_EQ(a.seconds, b.seconds) << i;
    ASSERT_EQ(a.reason, b.reason) << i;
    if (b.nearest_service == kInvalidId) continue;
    ASSERT_EQ(a.nearest_service, b.nearest_service + 1) << i;
    ++reached;
  }
  EXPECT_GT(reached, 500u);
}

//   S            D      1 character = 10 m; S and D 10 m north of the road, 130 m apart
//   a------------b
TEST(DistanceMetric, NetworkMetresWithAccessLegsInMetres) {
  testing::AsciiMap map(R"(
S            D
a------------b
)", 10.0);
  const RoadGraph g = build_graph(map.roads({{"ab", {{"highway", "residential"}}}}), default_profiles(),
                                  BuildOptions{{Mode::car}, true});
  const SegmentIndex index(g, Mode::car);
  const CostArrays metres = distance_costs(g, Mode::car);
  CoverageRequest req;
  req.mode = Mode::car;
  req.metric = Metric::distance;
  TravelTimeField dist(g, index, req, metres.view());
  dist.set_services({map.at('D')});
  EXPECT_NEAR(dist.evaluate(map.at('S')).seconds, 10 + 130 + 10, 0.01);  // metres, access legs included
  // The same field by time: the network part at 25 km/h, the access legs walked at 4.5 km/h.
  req.metric = Metric::time;
  TravelTimeField time(g, index, req);
  time.set_services({map.at('D')});
  EXPECT_NEAR(time.evaluate(map.at('S')).seconds, 130 * 3.6 / 25 + 20 * 0.8, 0.01);
  // A distance field without its costs is refused rather than measuring seconds.
  req.metric = Metric::distance;
  EXPECT_THROW(TravelTimeField(g, index, req), std::invalid_argument);
}

}  // namespace
}  // namespace legalcircle
