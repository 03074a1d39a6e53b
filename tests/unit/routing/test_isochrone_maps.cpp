// Isochrone polygons on hand-drawn networks: no leaking across an unlinked gap, holes kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include <gdal_alg.h>
#include <gdal_priv.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/snap/snap.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "support/ascii_map.hpp"
#include "support/gdal_contours.hpp"
#include "support/isochrone_check.hpp"
#include "legalcircle/analysis/contours.hpp"

namespace legalcircle {
namespace {

using testing::AsciiMap;

const std::vector<std::pair<std::string, std::string>> kResidential = {{"highway", "residential"}};

TEST(IsochroneMaps, ParallelRoadsWithoutLinkGiveNoPolygonAcrossTheGap) {
  // Two parallel roads 400 m apart (cell = 100 m), linked only 3 km east: for walk that link is
  // 40 minutes away. S sits on the south road. Walk 5 minutes = 375 m.
  AsciiMap map(R"(
a------------------------------b
                               |
                               |
                               |
c-S----------------------------d
)", 100.0);
  RoadGraph g = build_graph(map.roads({{"abdc", kResidential}}), default_profiles(),
                            BuildOptions{{Mode::walk}, true});
  SegmentIndex index(g, Mode::walk);
  CoverageRequest req;
  req.mode = Mode::walk;
  auto iso = testing::trace(g, index, req, {map.at('S')}, {5.0}, 20.0);
  ASSERT_TRUE(iso.polygons[0]);
  EXPECT_TRUE(iso.polygons[0]->IsValid());
  // On the south road near S: inside. 100 m north of S (walked access leg 80 s): inside.
  EXPECT_TRUE(testing::inside(iso.polygons[0].get(), map.offset('S', 0, 0)));
  EXPECT_TRUE(testing::inside(iso.polygons[0].get(), map.offset('S', 0, 100)));
  // 250 m north of S the nearest road is the north one, 150 m away and 40 minutes round:
  // outside, though it is only 250 m from S as the crow flies.
  EXPECT_FALSE(testing::inside(iso.polygons[0].get(), map.offset('S', 0, 250)));
  EXPECT_FALSE(testing::inside(iso.polygons[0].get(), map.offset('S', 0, 390)));
  // Far along the south road (more than 375 m): outside.
  EXPECT_FALSE(testing::inside(iso.polygons[0].get(), map.offset('S', 600, 0)));
}

TEST(IsochroneMaps, UnreachableBlockIsAHole) {
  // A 1.2 km square ring road around a block; with a 200 m snap limit the block's middle has no
  // road within reach: a hole in the 15-minute car polygon that surrounds it.
  AsciiMap map(R"(
a-----b-----c
|           |
|           |
h     M     d
|           |
|           |
g-----f-----e
)", 200.0);
  RoadGraph g = build_graph(map.roads({{"abcdefgha", kResidential}}), default_profiles(),
                            BuildOptions{{Mode::car}, true});
  SegmentIndex index(g, Mode::car);
  CoverageRequest req;
  req.mode = Mode::car;
  req.max_snap_m = 200.0;
  auto iso = testing::trace(g, index, req, {map.at('a')}, {15.0}, 50.0);
  ASSERT_TRUE(iso.polygons[0]);
  EXPECT_TRUE(iso.polygons[0]->IsValid());
  EXPECT_FALSE(testing::inside(iso.polygons[0].get(), map.at('M')));  // the hole
  EXPECT_TRUE(testing::inside(iso.polygons[0].get(), map.offset('h', 100, 0)));  // inner edge
  EXPECT_TRUE(testing::inside(iso.polygons[0].get(), map.at('e')));  // far corner, 4.8 km at 25 km/h
  bool has_hole = false;
  const OGRMultiPolygon* mp = iso.polygons[0]->toMultiPolygon();
  for (const OGRPolygon* poly : *mp) has_hole = has_hole || poly->getNumInteriorRings() > 0;
  EXPECT_TRUE(has_hole);
}

TEST(IsochroneMaps, BandsNestAndAreaGrows) {
  AsciiMap map(R"(
a-------b-------c
|       |       |
d-------e-------f
|       |       |
g-------h-------i
)", 150.0);
  RoadGraph g = build_graph(map.roads({{"abc", kResidential}, {"def", kResidential}, {"ghi", kResidential},
                                       {"adg", kResidential}, {"beh", kResidential}, {"cfi", kResidential}}),
                            default_profiles(), BuildOptions{{Mode::walk}, true});
  SegmentIndex index(g, Mode::walk);
  CoverageRequest req;
  req.mode = Mode::walk;
  auto iso = testing::trace(g, index, req, {map.at('e')}, {5.0, 10.0, 15.0}, 25.0);
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_TRUE(iso.polygons[k]) << k;
    EXPECT_TRUE(iso.polygons[k]->IsValid());
  }
  EXPECT_LT(iso.bands[0].area_km2, iso.bands[1].area_km2);
  EXPECT_LT(iso.bands[1].area_km2, iso.bands[2].area_km2);
  // 5 within 10 within 15, up to the simplification tolerance (half a cell, ~1.2e-4 degrees).
  for (std::size_t k = 0; k + 1 < 3; ++k) {
    std::unique_ptr<OGRGeometry> grown(iso.polygons[k + 1]->Buffer(2.5e-4));
    EXPECT_TRUE(grown->Contains(iso.polygons[k].get())) << k;
  }
}

TEST(IsochroneMaps, CachedSnapGridGivesTheSameRaster) {
  AsciiMap map(R"(
a-------b-------c
|       |
d-------e-------f
)", 120.0);
  RoadGraph g = build_graph(map.roads({{"abc", kResidential}, {"def", kResidential}, {"ad", kResidential},
                                       {"be", {{"highway", "residential"}, {"oneway", "yes"}}}}),
                            default_profiles(), BuildOptions{{Mode::car}, true});
  SegmentIndex index(g, Mode::car);
  CoverageRequest req;
  req.mode = Mode::car;
  req.limit_s = 200.0;
  TravelTimeField field(g, index, req);
  field.set_services({map.offset('b', 30, 40)});
  const SnapGrid snaps = snap_grid(g, index, field, req, 150.0, 40.0, 2);
  const TimeRaster direct = time_raster(g, field, req, 150.0, 40.0, 1);
  const TimeRaster cached = time_raster(g, field, req, 150.0, 40.0, 2, &snaps);
  ASSERT_EQ(direct.grid.width, cached.grid.width);
  ASSERT_EQ(direct.grid.height, cached.grid.height);
  EXPECT_EQ(direct.seconds, cached.seconds);
  // The grid's own window, for the field it was built from: the same raster again.
  const TimeRaster of_grid = time_raster_of_snap_grid(g, field, snaps, 2);
  ASSERT_EQ(of_grid.grid.width, direct.grid.width);
  ASSERT_EQ(of_grid.grid.height, direct.grid.height);
  EXPECT_EQ(of_grid.grid.min_x, direct.grid.min_x);
  EXPECT_EQ(of_grid.grid.max_y, direct.grid.max_y);
  EXPECT_EQ(of_grid.seconds, direct.seconds);
  std::size_t reached = 0;
  for (float t : direct.seconds) reached += t < 1e30f;
  EXPECT_GT(reached, 100u);
}

// A grid built for fewer services lacks the cells only the others reach: those are snapped on
// the spot, and the raster is the same (run builds one grid per mode for every circle).
TEST(IsochroneMaps, SnapGridMissingCellsGivesTheSameRaster) {
  AsciiMap map(R"(
a---c---d---e---f---g---h---i---j---k---b
)", 100.0);
  RoadGraph g = build_graph(map.roads({{"acdefghijkb", kResidential}}), default_profiles(), BuildOptions{{Mode::car}, true});
  SegmentIndex index(g, Mode::car);
  CoverageRequest req;
  req.mode = Mode::car;
  req.limit_s = 90.0;
  TravelTimeField one(g, index, req), both(g, index, req);
  one.set_services({map.offset('a', 50, 20)});
  both.set_services({map.offset('a', 50, 20), map.offset('b', -50, 20)});
  const SnapGrid snaps = snap_grid(g, index, one, req, 60.0, 40.0, 2);
  const TimeRaster direct = time_raster(g, both, req, 60.0, 40.0, 1);
  const TimeRaster cached = time_raster(g, both, req, 60.0, 40.0, 2, &snaps);
  ASSERT_EQ(direct.grid.width, cached.grid.width);
  EXPECT_EQ(direct.seconds, cached.seconds);
  std::size_t outside = 0;  // cells in time the grid does not hold
  const int dc = static_cast<int>(std::lround((direct.grid.min_x - snaps.grid.min_x) / 40.0));
  const int dr = static_cast<int>(std::lround((snaps.grid.max_y - direct.grid.max_y) / 40.0));
  for (int row = 0; row < direct.grid.height; ++row)
    for (int col = 0; col < direct.grid.width; ++col)
      outside += !snaps.has(col + dc, row + dr) && direct.seconds[row * direct.grid.width + col] < 1e30f;
  std::size_t in_time = 0;
  for (float t : direct.seconds) in_time += t < 1e30f;
  EXPECT_GT(outside, 10u) << "the second service must reach cells the first one's grid lacks; in time " << in_time
                          << ", grid " << snaps.grid.width << "x" << snaps.grid.height << " raster " << direct.grid.width
                          << "x" << direct.grid.height << " dc " << dc << " dr " << dr;
}

// snap_within stops at the snap limit; within it, the same snap as snap().
TEST(IsochroneMaps, SnapWithinIsSnapInsideTheLimit) {
  AsciiMap map(R"(
a-------b-------c
        |
        d-------e
)", 100.0);
  RoadGraph g = build_graph(map.roads({{"abc", kResidential}, {"bde", kResidential}}), default_profiles(),
                            BuildOptions{{Mode::walk}, true});
  SegmentIndex index(g, Mode::walk);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> dx(-600.0, 2200.0), dy(-900.0, 500.0);
  int within = 0, beyond = 0;
  for (int i = 0; i < 4000; ++i) {
    const LonLat p = map.offset('a', dx(rng), dy(rng));
    const SnappedPoint full = index.snap(p, 150.0), bounded = index.snap_within(p, 150.0);
    ASSERT_EQ(full.ok(), bounded.ok());
    if (full.ok()) {
      ++within;
      EXPECT_EQ(full.segment, bounded.segment);
      EXPECT_EQ(full.fraction, bounded.fraction);
      EXPECT_EQ(full.offset_m, bounded.offset_m);
    } else {
      ++beyond;
      EXPECT_GT(bounded.offset_m, 150.0);
    }
  }
  EXPECT_GT(within, 500);
  EXPECT_GT(beyond, 500);
}

// trace_bands traces its own contours (analysis/contours); they must give GDAL's polygon mode's
// region, but for the strip of kContourEdgeMargin where GDAL's crossing hugs a cell centre.
TEST(IsochroneMaps, RingAssemblyEqualsGdalPolygonMode) {
  AsciiMap map(R"(
a-------b-------c-------j
|       |       |       |
d-------e-------f-------k
|       |               |
g-------h-------i-------l
)", 60.0);
  RoadGraph g = build_graph(map.roads({{"abcj", kResidential}, {"defk", kResidential}, {"ghil", kResidential},
                                       {"adg", kResidential}, {"beh", kResidential}, {"cf", kResidential},
                                       {"jkl", kResidential}}),
                            default_profiles(), BuildOptions{{Mode::walk}, true});
  SegmentIndex index(g, Mode::walk);
  CoverageRequest req;
  req.mode = Mode::walk;
  req.max_snap_m = 30.0;  // blocks' middles (60 m from a road) unreachable: holes
  auto iso = testing::trace(g, index, req, {map.at('e'), map.at('l')}, {10.0}, 10.0);
  const TimeRaster& r = iso.raster;
  const auto gdal_region_owned = testing::gdal_contour_region(r, 10.0);
  ASSERT_TRUE(gdal_region_owned);
  const OGRMultiPolygon& gdal_region = *gdal_region_owned;
  // Ours, unsimplified, in the raster's metric frame.
  const std::vector<BandPolygon> ours = trace_bands(r, {10.0}, 0.0);
  auto geo = testing::from_wkb(ours[0].wkb);
  ASSERT_TRUE(geo);
  OGRSpatialReference metric, wgs84;
  metric.importFromWkt(raster_crs_wkt(r.grid).c_str());
  metric.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gdal::TransformPtr to_metric(OGRCreateCoordinateTransformation(&wgs84, &metric));
  ASSERT_EQ(geo->transform(to_metric.get()), OGRERR_NONE);
  std::unique_ptr<OGRGeometry> diff(geo->SymDifference(&gdal_region));
  const double area = gdal_region.get_Area();
  ASSERT_GT(area, 0.0);
  double holes = 0;
  for (const OGRPolygon* p : gdal_region) holes += p->getNumInteriorRings();
  EXPECT_GT(holes, 0) << "the case should have holes";
  const double diff_area = testing::area_of(diff.get());
  const double strip = testing::boundary_length(gdal_region) * kContourEdgeMargin * r.grid.cell_m;
  EXPECT_LT(diff_area, strip) << "symmetric difference " << diff_area << " m2 of " << area;
  EXPECT_LT(diff_area, 0.01 * area);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// A raster over a network too large for its cell size is refused before any search, naming the
// key and the smallest cell that fits; a county at its default cells passes.
TEST(IsochroneRasterSize, TooManyCellsAreRefusedWithTheSmallestCellThatFits) {
  RoadGraph g;
  g.coord = {{120.0, 30.0}, {122.0, 31.5}};  // ~190 x 165 km: a province
  g.projection = LocalProjection({121.0, 30.75});
  try {
    check_raster_size(g, 5.0, "isochrones.cell_m.walk");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("isochrones.cell_m.walk 5 m"), std::string::npos) << m;
    EXPECT_NE(m.find("use cells of at least"), std::string::npos) << m;
  }
  EXPECT_NO_THROW(check_raster_size(g, 50.0, "isochrones.cell_m.walk"));
  RoadGraph county;
  county.coord = {{120.6, 30.6}, {120.95, 30.85}};
  county.projection = LocalProjection({120.78, 30.72});
  EXPECT_NO_THROW(check_raster_size(county, 5.0, "--cell-m"));
}

// The grid index finds the nearest segment exactly as a scan of every segment does (the same
// segment, fraction and distance; ties to the lower id): dense and sparse parts, roads on top
// of each other, points inside, between and far outside the roads.
TEST(SnapIndex, EqualsAScanOfEverySegment) {
  std::mt19937 rng(11);
  RawRoads raw;
  raw.source = "random";
  std::uniform_real_distribution<double> town(0.0, 0.01), county(0.0, 0.08);
  auto node = [&](double lon, double lat) {
    raw.coord.push_back({120.0 + lon, 30.0 + lat});
    raw.node_id.push_back(int64_t(raw.coord.size()));
    return uint32_t(raw.coord.size() - 1);
  };
  for (int w = 0; w < 400; ++w) {  // a dense town, then a sparse county around it
    const bool dense = w < 300;
    RawWay way;
    way.id = w + 1;
    way.tags.set("highway", "residential");
    double lon = dense ? town(rng) : county(rng), lat = dense ? town(rng) : county(rng);
    if (w > 0) {  // starts at a node already there: one connected network (its largest component)
      const uint32_t from = uint32_t(rng() % raw.coord.size());
      way.nodes.push_back(from);
      lon = raw.coord[from].lon - 120.0, lat = raw.coord[from].lat - 30.0;
    }
    for (int k = 0, n = 2 + int(rng() % 4); k < n; ++k) {
      if (k == 0 && w > 0) continue;
      way.nodes.push_back(node(lon, lat));
      lon += (double(rng() % 200) - 100.0) * (dense ? 2e-5 : 2e-4);
      lat += (double(rng() % 200) - 100.0) * (dense ? 2e-5 : 2e-4);
    }
    raw.ways.push_back(way);
    if (w % 50 == 0) {  // the same road again: equal distances, the lower id wins
      RawWay twin = way;
      twin.id = 10000 + w;
      raw.ways.push_back(twin);
    }
  }
  const RoadGraph g = build_graph(raw, default_profiles(), BuildOptions{{Mode::walk}, false});
  const SegmentIndex index(g, Mode::walk);
  const ModeWeights& mw = g.weights(Mode::walk);
  auto brute = [&](LonLat p) {
    const XY q = g.projection.forward(p);
    SnappedPoint best;
    for (uint32_t s = 0; s < g.segment_count(); ++s) {
      if (!(mw.seg_time_ab[s] < kInf) && !(mw.seg_time_ba[s] < kInf)) continue;
      const XY a = g.projection.forward(g.coord[g.seg_a[s]]), b = g.projection.forward(g.coord[g.seg_b[s]]);
      const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
      const double f = len2 <= 0 ? 0.0 : std::clamp(((q.x - a.x) * dx + (q.y - a.y) * dy) / len2, 0.0, 1.0);
      const double ex = q.x - (a.x + f * dx), ey = q.y - (a.y + f * dy);
      const double d = std::sqrt(ex * ex + ey * ey);
      if (d < best.offset_m || (d == best.offset_m && s < best.segment)) best.offset_m = d, best.segment = s, best.fraction = f;
    }
    return best;
  };
  std::uniform_real_distribution<double> anywhere(-0.05, 0.13), near_town(-0.001, 0.011);
  int in_town = 0;
  for (int i = 0; i < 3000; ++i) {
    const bool town_point = i % 2 == 0;
    const LonLat p{120.0 + (town_point ? near_town(rng) : anywhere(rng)), 30.0 + (town_point ? near_town(rng) : anywhere(rng))};
    const SnappedPoint want = brute(p), got = index.snap(p, 1e9);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got.segment, want.segment) << i;
    ASSERT_EQ(got.fraction, want.fraction) << i;
    ASSERT_EQ(got.offset_m, want.offset_m) << i;
    const SnappedPoint within = index.snap_within(p, 60.0);
    ASSERT_EQ(within.ok(), want.offset_m <= 60.0) << i;
    if (within.ok()) {
      ASSERT_EQ(within.segment, want.segment) << i;
    }
    in_town += town_point && want.offset_m < 60.0;
  }
  EXPECT_GT(in_town, 300) << "town points within the bounded limit";
}

}  // namespace
}  // namespace legalcircle
