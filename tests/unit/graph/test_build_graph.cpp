// build_graph on tiny hand-made networks: CSR shape, per-mode times, largest SCC, stats.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"

namespace legalcircle {
namespace {

constexpr float kInfF = std::numeric_limits<float>::infinity();

// Node i sits at (120 + x * 0.001, 30 + y * 0.001) and has OSM id 100 + i.
struct Builder {
  RawRoads roads;
  Builder() { roads.source = "tiny.osm"; }
  void node(double x, double y) {
    roads.coord.push_back({120.0 + x * 0.001, 30.0 + y * 0.001});
    roads.node_id.push_back(100 + static_cast<int64_t>(roads.node_id.size()));
  }
  void way(int64_t id, std::vector<uint32_t> nodes,
           std::initializer_list<std::pair<const char*, const char*>> tags) {
    RawWay w;
    w.id = id;
    w.nodes = std::move(nodes);
    for (const auto& [k, v] : tags) w.tags.set(k, v);
    roads.ways.push_back(std::move(w));
  }
};

// Graph node of raw node i (found by its OSM id).
uint32_t gnode(const RoadGraph& g, uint32_t raw) {
  for (uint32_t v = 0; v < g.node_count(); ++v)
    if (g.source_node_id[v] == 100 + static_cast<int64_t>(raw)) return v;
  return kInvalidId;
}

// Segment between raw nodes a and b (in either order).
uint32_t gseg(const RoadGraph& g, uint32_t a, uint32_t b) {
  const uint32_t ga = gnode(g, a), gb = gnode(g, b);
  for (uint32_t s = 0; s < g.segment_count(); ++s)
    if ((g.seg_a[s] == ga && g.seg_b[s] == gb) || (g.seg_a[s] == gb && g.seg_b[s] == ga)) return s;
  return kInvalidId;
}

void expect_valid_csr(const RoadGraph& g) {
  ASSERT_EQ(g.first_out.size(), g.node_count() + 1u);
  EXPECT_EQ(g.first_out.front(), 0u);
  EXPECT_EQ(g.first_out.back(), g.arc_count());
  EXPECT_EQ(g.arc_count(), 2 * g.segment_count());
  ASSERT_EQ(g.arc_segment.size(), g.arc_head.size());
  std::vector<int> seen(g.segment_count(), 0);
  for (uint32_t v = 0; v < g.node_count(); ++v) {
    for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
      const uint32_t s = g.arc_segment[a];
      ASSERT_LT(s, g.segment_count());
      // Each arc is one end of its segment, pointing to the other end.
      EXPECT_TRUE((g.seg_a[s] == v && g.seg_b[s] == g.arc_head[a]) ||
                  (g.seg_b[s] == v && g.seg_a[s] == g.arc_head[a]));
      ++seen[s];
      if (a + 1 < g.first_out[v + 1]) {  // sorted by (head, segment)
        EXPECT_TRUE(std::make_pair(g.arc_head[a], s) <
                    std::make_pair(g.arc_head[a + 1], g.arc_segment[a + 1]));
      }
    }
  }
  for (int c : seen) EXPECT_EQ(c, 2);
  for (Mode m : kAllModes) {
    const ModeWeights& w = g.weights(m);
    if (!w.present) continue;
    ASSERT_EQ(w.arc_time_out.size(), g.arc_count());
    ASSERT_EQ(w.arc_time_in.size(), g.arc_count());
    ASSERT_EQ(w.seg_time_ab.size(), g.segment_count());
    ASSERT_EQ(w.node_kept.size(), g.node_count());
    for (uint32_t v = 0; v < g.node_count(); ++v) {
      for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
        const uint32_t s = g.arc_segment[a];
        const bool fwd = g.seg_a[s] == v;
        EXPECT_EQ(w.arc_time_out[a], fwd ? w.seg_time_ab[s] : w.seg_time_ba[s]);
        EXPECT_EQ(w.arc_time_in[a], fwd ? w.seg_time_ba[s] : w.seg_time_ab[s]);
      }
    }
  }
}

//   H        E           F --- G   (far away)
//   |        ^
//   A ------ B ----- C      J --- K (construction)
//   |                |
//   D ---------------+
// A-B-C-D-A residential ring (B listed twice in a row), C->E oneway residential,
// A-H footway, F-G residential fragment, J-K construction, I in no way.
Builder sample() {
  Builder b;
  b.node(0, 0);    // 0 A
  b.node(1, 0);    // 1 B
  b.node(2, 0);    // 2 C
  b.node(0, -1);   // 3 D
  b.node(2, 1);    // 4 E
  b.node(50, 50);  // 5 F
  b.node(51, 50);  // 6 G
  b.node(0, 1);    // 7 H
  b.node(5, 5);    // 8 I
  b.node(3, 0);    // 9 J
  b.node(4, 0);    // 10 K
  b.way(1, {0, 1, 1, 2, 3, 0}, {{"highway", "residential"}, {"name", "Ring Road"}});
  b.way(2, {2, 4}, {{"highway", "residential"}, {"oneway", "yes"}});
  b.way(3, {0, 7}, {{"highway", "footway"}});
  b.way(4, {5, 6}, {{"highway", "residential"}});
  b.way(5, {9, 10}, {{"highway", "construction"}});
  return b;
}

TEST(BuildGraph, CsrShapeAndNodeSelection) {
  const Builder b = sample();
  const RoadGraph g = build_graph(b.roads, default_profiles(), {});
  // I (no way) and J, K (construction) are left out; B twice in a row makes no segment.
  EXPECT_EQ(g.node_count(), 8u);
  EXPECT_EQ(g.segment_count(), 7u);
  EXPECT_EQ(g.arc_count(), 14u);
  for (uint32_t raw : {8u, 9u, 10u}) EXPECT_EQ(gnode(g, raw), kInvalidId);
  expect_valid_csr(g);
  // Ways: the ones allowed for some mode, with names and classes.
  ASSERT_EQ(g.way_id.size(), 4u);
  const uint32_t ab = gseg(g, 0, 1);
  ASSERT_NE(ab, kInvalidId);
  EXPECT_EQ(g.way_id[g.seg_way[ab]], 1);
  EXPECT_EQ(g.way_name[g.seg_way[ab]], "Ring Road");
  EXPECT_EQ(g.way_class[g.seg_way[gseg(g, 0, 7)]], "footway");
  // Haversine length: 0.001 degree of longitude at 30 N.
  const double expected = haversine_m({120.0, 30.0}, {120.001, 30.0});
  EXPECT_NEAR(g.seg_length_m[ab], expected, 1e-3);
  // Projection centred on the bbox of the kept nodes (A..G, H).
  EXPECT_NEAR(g.projection.origin().lon, 120.0 + 0.051 / 2, 1e-9);
  EXPECT_NEAR(g.projection.origin().lat, 30.0 + (0.050 - 0.001) / 2, 1e-9);
}

TEST(BuildGraph, TimesPerModeFromLengthAndSpeed) {
  const Builder b = sample();
  const RoadGraph g = build_graph(b.roads, default_profiles(), {});
  const uint32_t ab = gseg(g, 0, 1);
  const double len = g.seg_length_m[ab];
  EXPECT_NEAR(g.weights(Mode::walk).seg_time_ab[ab], len / (4.5 / 3.6), 1e-3);
  EXPECT_NEAR(g.weights(Mode::ebike).seg_time_ba[ab], len / (15 / 3.6), 1e-3);
  EXPECT_NEAR(g.weights(Mode::car).seg_time_ab[ab], len / (25 / 3.6), 1e-3);
  // Footway: walk only.
  const uint32_t ah = gseg(g, 0, 7);
  EXPECT_TRUE(std::isfinite(g.weights(Mode::walk).seg_time_ab[ah]));
  EXPECT_EQ(g.weights(Mode::ebike).seg_time_ab[ah], kInfF);
  EXPECT_EQ(g.weights(Mode::car).seg_time_ba[ah], kInfF);
}

TEST(BuildGraph, LargestSccDropsFragmentAndOnewayDeadEnd) {
  const Builder b = sample();
  const RoadGraph g = build_graph(b.roads, default_profiles(), {});
  const uint32_t ce = gseg(g, 2, 4), fg = gseg(g, 5, 6);

  // walk: oneway ignored, so E stays; the F-G fragment goes.
  const ModeWeights& walk = g.weights(Mode::walk);
  EXPECT_TRUE(std::isfinite(walk.seg_time_ab[ce]) && std::isfinite(walk.seg_time_ba[ce]));
  EXPECT_EQ(walk.seg_time_ab[fg], kInfF);
  EXPECT_EQ(walk.seg_time_ba[fg], kInfF);
  EXPECT_EQ(walk.node_kept[gnode(g, 4)], 1);
  EXPECT_EQ(walk.node_kept[gnode(g, 5)], 0);
  EXPECT_EQ(walk.stats.nodes_kept, 6u);
  EXPECT_EQ(walk.stats.nodes_dropped, 2u);
  EXPECT_EQ(walk.stats.segments_kept, 6u);
  EXPECT_EQ(walk.stats.segments_dropped, 1u);
  EXPECT_EQ(walk.stats.components_total, 2u);
  EXPECT_EQ(walk.stats.components_dropped, 1u);
  EXPECT_NEAR(walk.stats.km_dropped, g.seg_length_m[fg] / 1000.0, 1e-6);

  // ebike and car: C->E is a dead end (E cannot get back), so E is its own component.
  for (Mode m : {Mode::ebike, Mode::car}) {
    SCOPED_TRACE(std::string(mode_name(m)));
    const ModeWeights& w = g.weights(m);
    EXPECT_EQ(w.seg_time_ab[ce], kInfF);
    EXPECT_EQ(w.seg_time_ba[ce], kInfF);
    EXPECT_EQ(w.node_kept[gnode(g, 4)], 0);
    EXPECT_EQ(w.node_kept[gnode(g, 7)], 0);  // H: footway only, not touched
    for (uint32_t raw : {0u, 1u, 2u, 3u}) EXPECT_EQ(w.node_kept[gnode(g, raw)], 1);
    EXPECT_EQ(w.stats.nodes_kept, 4u);
    EXPECT_EQ(w.stats.nodes_dropped, 3u);  // E, F, G
    EXPECT_EQ(w.stats.segments_kept, 4u);
    EXPECT_EQ(w.stats.segments_dropped, 2u);
    EXPECT_EQ(w.stats.components_total, 3u);
    EXPECT_EQ(w.stats.components_dropped, 2u);
    double ring_km = 0;
    for (auto [a, c] : {std::pair{0u, 1u}, {1u, 2u}, {2u, 3u}, {3u, 0u}})
      ring_km += g.seg_length_m[gseg(g, a, c)] / 1000.0;
    EXPECT_NEAR(w.stats.km_kept, ring_km, 1e-6);
  }
}

TEST(BuildGraph, OnewayInsideTheComponent) {
  // A roundabout A -> B -> C -> A: one direction only, all kept.
  Builder b;
  b.node(0, 0);
  b.node(1, 0);
  b.node(0, 1);
  b.way(7, {0, 1, 2, 0}, {{"highway", "tertiary"}, {"junction", "roundabout"}});
  const RoadGraph g = build_graph(b.roads, default_profiles(), {});
  expect_valid_csr(g);
  const ModeWeights& car = g.weights(Mode::car);
  EXPECT_EQ(car.stats.nodes_kept, 3u);
  EXPECT_EQ(car.stats.components_total, 1u);
  const uint32_t A = gnode(g, 0), B = gnode(g, 1);
  for (uint32_t a = g.first_out[A]; a < g.first_out[A + 1]; ++a) {
    if (g.arc_head[a] == B) {  // A -> B allowed; B -> A (what a reversed search uses) is not
      EXPECT_TRUE(std::isfinite(car.arc_time_out[a]));
      EXPECT_EQ(car.arc_time_in[a], kInfF);
    } else {  // the arc A -> C is against the roundabout
      EXPECT_EQ(car.arc_time_out[a], kInfF);
      EXPECT_TRUE(std::isfinite(car.arc_time_in[a]));
    }
  }
  // Walking ignores it.
  for (float t : g.weights(Mode::walk).arc_time_out) EXPECT_TRUE(std::isfinite(t));
}

TEST(BuildGraph, EqualComponentsTieToLowestNode) {
  Builder b;
  b.node(0, 0);
  b.node(1, 0);
  b.node(10, 10);
  b.node(11, 10);
  b.way(1, {2, 3}, {{"highway", "residential"}});
  b.way(2, {0, 1}, {{"highway", "residential"}});
  BuildOptions opt;
  opt.spatial_order = false;  // graph node order = raw order
  const RoadGraph g = build_graph(b.roads, default_profiles(), opt);
  for (Mode m : kAllModes) {
    const ModeWeights& w = g.weights(m);
    EXPECT_EQ(w.node_kept[0], 1);
    EXPECT_EQ(w.node_kept[1], 1);
    EXPECT_EQ(w.node_kept[2], 0);
    EXPECT_EQ(w.stats.components_dropped, 1u);
  }
}

TEST(BuildGraph, SpatialOrderIsAPermutation) {
  Builder b;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) b.node(x, y);
  for (uint32_t y = 0; y < 8; ++y) {
    std::vector<uint32_t> row, col;
    for (uint32_t x = 0; x < 8; ++x) {
      row.push_back(y * 8 + x);
      col.push_back(x * 8 + y);
    }
    b.way(y, row, {{"highway", "residential"}});
    b.way(100 + y, col, {{"highway", "residential"}});
  }
  const RoadGraph g = build_graph(b.roads, default_profiles(), {});
  expect_valid_csr(g);
  ASSERT_EQ(g.node_count(), 64u);
  std::vector<int64_t> ids = g.source_node_id;
  std::sort(ids.begin(), ids.end());
  for (int64_t i = 0; i < 64; ++i) EXPECT_EQ(ids[i], 100 + i);
  // A Hilbert curve keeps consecutive nodes close: no jump across the whole grid.
  for (uint32_t v = 0; v + 1 < 64; ++v) EXPECT_LT(haversine_m(g.coord[v], g.coord[v + 1]), 500);
  for (Mode m : kAllModes) EXPECT_EQ(g.weights(m).stats.nodes_kept, 64u);
  // Same input, same graph.
  const RoadGraph again = build_graph(b.roads, default_profiles(), {});
  EXPECT_EQ(again.source_node_id, g.source_node_id);
  EXPECT_EQ(again.arc_head, g.arc_head);
}

TEST(BuildGraph, ModesNotRequestedAreAbsent) {
  const Builder b = sample();
  BuildOptions opt;
  opt.modes = {Mode::car};
  const RoadGraph g = build_graph(b.roads, default_profiles(), opt);
  EXPECT_FALSE(g.weights(Mode::walk).present);
  EXPECT_TRUE(g.weights(Mode::walk).arc_time_out.empty());
  EXPECT_FALSE(g.weights(Mode::ebike).present);
  EXPECT_TRUE(g.weights(Mode::car).present);
  // The footway (walk only) is not in a car-only graph: H is left out.
  EXPECT_EQ(gnode(g, 7), kInvalidId);
  EXPECT_EQ(g.node_count(), 7u);
  expect_valid_csr(g);
}

TEST(BuildGraph, NoUsableWayNamesTheSource) {
  Builder b;
  b.node(0, 0);
  b.node(1, 0);
  b.way(1, {0, 1}, {{"highway", "footway"}});
  BuildOptions opt;
  opt.modes = {Mode::car};
  try {
    build_graph(b.roads, default_profiles(), opt);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("tiny.osm"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace legalcircle
