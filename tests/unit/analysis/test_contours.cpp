// analysis/contours: marching squares on hand-made rasters and on random ones, against GDAL's
// contour generator in polygon mode and GEOS's validity.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <cstdio>
#include <random>

#include <ogr_geometry.h>

#include "legalcircle/analysis/contours.hpp"
#include "support/gdal_contours.hpp"
#include "support/isochrone_check.hpp"

namespace legalcircle {
namespace {

constexpr float kNo = std::numeric_limits<float>::infinity();

TimeRaster raster(int width, int height, double cell_m, std::vector<float> seconds) {
  TimeRaster r;
  r.grid.projection = LocalProjection(LonLat{120.7, 30.7});
  r.grid.cell_m = cell_m;
  r.grid.min_x = 0.0;
  r.grid.max_y = height * cell_m;
  r.grid.width = width;
  r.grid.height = height;
  r.seconds = std::move(seconds);
  return r;
}

std::unique_ptr<OGRMultiPolygon> to_ogr(const ContourBand& band) {
  auto out = std::make_unique<OGRMultiPolygon>();
  auto ring_of = [](const Ring& r) {
    auto* ring = new OGRLinearRing();
    for (XY p : r) ring->addPoint(p.x, p.y);
    ring->closeRings();
    return ring;
  };
  for (const ContourPolygon& p : band.polygons) {
    OGRPolygon poly;
    poly.addRingDirectly(ring_of(p.outer));
    for (const Ring& h : p.holes) poly.addRingDirectly(ring_of(h));
    out->addGeometry(&poly);
  }
  return out;
}

double ring_area(const Ring& r) {
  double twice = 0.0;
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) twice += (r[j].x - r[i].x) * (r[j].y + r[i].y);
  return 0.5 * twice;
}

TEST(Contours, OneCellInTimeIsADiamondAroundItsCentre) {
  // . . .
  // . S .   S: 60 s; the others 600 s. At 5 minutes the crossings sit (300-60)/(600-60) of a
  // . . .   cell from S's centre, on the four edges to its neighbours.
  const double cell = 10.0;
  TimeRaster r = raster(3, 3, cell, {600, 600, 600, 600, 60, 600, 600, 600, 600});
  const std::vector<ContourBand> bands = trace_contours(r, {5.0}, 0.0);
  ASSERT_EQ(bands.size(), 1u);
  ASSERT_EQ(bands[0].polygons.size(), 1u);
  const ContourPolygon& p = bands[0].polygons[0];
  EXPECT_TRUE(p.holes.empty());
  ASSERT_EQ(p.outer.size(), 4u);
  const double d = (300.0 - 60.0) / (600.0 - 60.0) * cell;
  const XY centre{15.0, 15.0};
  for (XY v : p.outer) {
    EXPECT_NEAR(std::abs(v.x - centre.x) + std::abs(v.y - centre.y), d, 1e-9);
    EXPECT_TRUE(std::abs(v.x - centre.x) < 1e-9 || std::abs(v.y - centre.y) < 1e-9);
  }
  EXPECT_GT(ring_area(p.outer), 0.0) << "outer rings counter-clockwise";
  EXPECT_NEAR(bands[0].area_m2, 2.0 * d * d, 1e-9);
  EXPECT_FALSE(bands[0].simplified);
  EXPECT_TRUE(bands[0].keeps_clearance);
  // Unreachable neighbours: the diamond shrinks to the edge margin.
  TimeRaster alone = raster(3, 3, cell, {kNo, kNo, kNo, kNo, 60, kNo, kNo, kNo, kNo});
  const std::vector<ContourBand> tiny = trace_contours(alone, {5.0}, 0.0);
  ASSERT_EQ(tiny[0].polygons.size(), 1u);
  EXPECT_NEAR(tiny[0].area_m2, 2.0 * std::pow(kContourEdgeMargin * cell, 2), 1e-9);
}

TEST(Contours, ACellOutOfTimeInsideARingOfCellsInTimeIsAHole) {
  // A 3 x 3 block in time (60 s) around one unreachable cell, all in an unreachable border;
  // cells in time on the raster's own edge close too (the tracer pads the raster).
  std::vector<float> s(25, kNo);
  for (int r = 1; r <= 3; ++r)
    for (int c = 1; c <= 3; ++c) s[r * 5 + c] = 60;
  s[2 * 5 + 2] = kNo;
  s[0] = 30;  // the north-west corner cell, on the edge
  TimeRaster r = raster(5, 5, 20.0, s);
  const std::vector<ContourBand> bands = trace_contours(r, {5.0}, 0.0);
  ASSERT_EQ(bands[0].polygons.size(), 2u);
  std::size_t holes = 0;
  for (const ContourPolygon& p : bands[0].polygons) {
    EXPECT_GT(ring_area(p.outer), 0.0);
    for (const Ring& h : p.holes) EXPECT_LT(ring_area(h), 0.0) << "holes clockwise";
    holes += p.holes.size();
  }
  EXPECT_EQ(holes, 1u);
  EXPECT_TRUE(to_ogr(bands[0])->IsValid());
}

TEST(Contours, RingsKeepClearanceFindsRingsThatCrossTouchOrFold) {
  const Ring a = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  const Ring far = {{20, 0}, {30, 0}, {30, 10}, {20, 10}};
  const Ring overlapping = {{5, 5}, {15, 5}, {15, 15}, {5, 15}};
  const Ring touching = {{10, 10}, {20, 10}, {20, 20}};
  const Ring near = {{10.05, 0}, {20, 0}, {20, 10}};
  const Ring bowtie = {{0, 0}, {10, 10}, {10, 0}, {0, 10}};
  const Ring fold = {{0, 0}, {10, 0}, {10, 10}, {10, 3}, {0, 10}};  // back along its own edge
  EXPECT_TRUE(rings_keep_clearance({a, far}, 0.1));
  EXPECT_TRUE(rings_keep_clearance({{{0, 0}, {1, 0}, {0, 1}}}, 0.1));
  EXPECT_FALSE(rings_keep_clearance({a, overlapping}, 0.1));
  EXPECT_FALSE(rings_keep_clearance({a, touching}, 0.1));
  EXPECT_FALSE(rings_keep_clearance({a, near}, 0.1));
  EXPECT_TRUE(rings_keep_clearance({a, near}, 0.01));
  EXPECT_FALSE(rings_keep_clearance({bowtie}, 0.1));
  EXPECT_FALSE(rings_keep_clearance({fold}, 0.1));
  EXPECT_FALSE(rings_keep_clearance({{{0, 0}, {1, 0}}}, 0.1));
}

// Times from a few random sources at random speeds, with unreachable blobs and cells exactly at
// a band: what the tracer meets on real rasters, and worse.
TimeRaster random_raster(std::mt19937& rng, int width, int height, double cell) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> s(static_cast<std::size_t>(width) * height, kNo);
  const int sources = 1 + static_cast<int>(u(rng) * 4);
  std::vector<std::array<double, 3>> src;
  for (int k = 0; k < sources; ++k) src.push_back({u(rng) * width, u(rng) * height, 0.5 + u(rng) * 3.0});
  for (int r = 1; r + 1 < height; ++r)
    for (int c = 1; c + 1 < width; ++c) {
      double best = kInf;
      for (const auto& [x, y, speed] : src)
        best = std::min(best, std::hypot(c - x, r - y) * cell / speed * (1.0 + 0.3 * u(rng)));
      if (u(rng) < 0.08) continue;  // scattered unreachable cells
      s[static_cast<std::size_t>(r) * width + c] = static_cast<float>(best);
    }
  for (int k = 0; k < 3; ++k) {  // unreachable blobs
    const int bc = static_cast<int>(u(rng) * width), br = static_cast<int>(u(rng) * height);
    for (int r = std::max(0, br - 2); r < std::min(height, br + 3); ++r)
      for (int c = std::max(0, bc - 2); c < std::min(width, bc + 3); ++c) s[static_cast<std::size_t>(r) * width + c] = kNo;
  }
  for (std::size_t i = 0; i < s.size(); i += 17)
    if (std::isfinite(s[i])) s[i] = 600.0f;  // exactly the 10-minute band
  return raster(width, height, cell, s);
}

int saddles(const TimeRaster& r, double level_s) {
  int n = 0;
  auto in = [&](int row, int col) { return r.seconds[static_cast<std::size_t>(row) * r.grid.width + col] <= level_s; };
  for (int row = 0; row + 1 < r.grid.height; ++row)
    for (int col = 0; col + 1 < r.grid.width; ++col)
      n += in(row, col) == in(row + 1, col + 1) && in(row, col + 1) == in(row + 1, col) && in(row, col) != in(row, col + 1);
  return n;
}

TEST(Contours, RandomRastersGiveValidPolygonsWithEveryCellCentreOnItsSide) {
  std::mt19937 rng(20261201);
  std::size_t rings = 0, as_traced = 0;
  for (int trial = 0; trial < 24; ++trial) {
    const double cell = trial % 2 ? 100.0 : 5.0;
    const TimeRaster r = random_raster(rng, 24 + trial % 17, 18 + trial % 11, cell);
    const std::vector<double> minutes = {5.0 * cell / 100.0, 10.0 * cell / 100.0, 15.0 * cell / 100.0};
    const std::vector<ContourBand> traced = trace_contours(r, minutes, 0.0);
    const std::vector<ContourBand> simple = trace_contours(r, minutes);
    for (std::size_t b = 0; b < minutes.size(); ++b) {
      SCOPED_TRACE("trial " + std::to_string(trial) + ", " + std::to_string(minutes[b]) + " min");
      const double level_s = minutes[b] * 60.0;
      const auto ours = to_ogr(traced[b]);
      EXPECT_TRUE(traced[b].keeps_clearance);
      EXPECT_TRUE(ours->IsEmpty() || ours->IsValid());
      // Every cell centre in time is inside, every other outside: the contour passes between.
      for (int row = 0; row < r.grid.height; ++row)
        for (int col = 0; col < r.grid.width; ++col) {
          const XY c = r.grid.cell_center(col, row);
          OGRPoint p(c.x, c.y);
          const float t = r.seconds[static_cast<std::size_t>(row) * r.grid.width + col];
          ASSERT_EQ(!ours->IsEmpty() && ours->Contains(&p), t <= level_s) << "cell " << col << "," << row << " " << t << " s";
        }
      // The same region as GDAL's polygon mode, but for strips of kContourEdgeMargin along
      // boundaries where GDAL's crossing sits nearer a cell centre (two where a boundary runs
      // between two such centres, as beside single unreachable cells), and squares of four
      // cells alternating in and out of time, where GDAL may join the other pair.
      const auto gdal = testing::gdal_contour_region(r, minutes[b]);
      ASSERT_TRUE(gdal);
      if (!gdal->IsEmpty()) {
        std::unique_ptr<OGRGeometry> diff(ours->SymDifference(gdal.get()));
        const double strip = std::max(testing::boundary_length(*gdal), testing::boundary_length(*ours)) * 2.0 * kContourEdgeMargin * cell;
        EXPECT_LE(testing::area_of(diff.get()), strip + saddles(r, level_s) * cell * cell / 2.0);
      }
      EXPECT_NEAR(traced[b].area_m2, testing::area_of(ours.get()), 1e-6 * (1.0 + traced[b].area_m2));
      // Simplified: valid, clear, and within the tolerance of the traced region.
      const auto s = to_ogr(simple[b]);
      EXPECT_TRUE(simple[b].keeps_clearance);
      EXPECT_TRUE(s->IsEmpty() || s->IsValid());
      EXPECT_EQ(s->IsEmpty(), ours->IsEmpty());
      if (!ours->IsEmpty()) {
        std::unique_ptr<OGRGeometry> diff(s->SymDifference(ours.get()));
        double length = 0.0;
        for (const OGRPolygon* p : *ours)
          for (const OGRLinearRing* ring : *p) length += ring->get_Length();
        EXPECT_LE(testing::area_of(diff.get()), length * cell / 2.0);
      }
      for (const ContourPolygon& p : traced[b].polygons) rings += 1 + p.holes.size();
      as_traced += simple[b].rings_as_traced;
      EXPECT_EQ(simple[b].simplified, !traced[b].polygons.empty());
    }
  }
  // Rings stay as traced only where simplifying would bring them near another or change their
  // nesting: few.
  EXPECT_LT(as_traced, rings / 4) << as_traced << " of " << rings << " rings as traced";
  std::printf("%zu of %zu rings kept as traced\n", as_traced, rings);
}

}  // namespace
}  // namespace legalcircle
