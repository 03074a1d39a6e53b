// Isochrone properties on real extracts: valid polygons, nested bands, and "inside the
// 15-minute union polygon" <=> "coverage time <= 15" for random locations, misses only near the
// boundary (within about a cell).
#include <gtest/gtest.h>

#include <random>

#include <ogr_spatialref.h>

#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "support/isochrone_check.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {

struct Agreement {
  int samples = 0, agree = 0, misses_far_from_boundary = 0;
};

void check_extract(const std::string& osm, const std::string& filter, Mode mode, double cell_m) {
  const RoadGraph g = build_graph(read_roads(osm), default_profiles(), BuildOptions{{mode}, true});
  PointReadOptions so;
  so.osm_filter = filter;
  std::vector<LonLat> services;
  for (const PointRecord& p : read_points(osm, so).points) services.push_back(p.where);
  const SegmentIndex index(g, mode);
  CoverageRequest req;
  req.mode = mode;
  auto iso = testing::trace(g, index, req, services, {5.0, 10.0, 15.0}, cell_m);

  // Valid and nested (within the simplification tolerance, half a cell, plus a margin).
  OGRSpatialReference metric;
  metric.importFromWkt(raster_crs_wkt(iso.raster.grid).c_str());
  metric.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> to_metric(OGRCreateCoordinateTransformation(&wgs84, &metric));
  std::vector<std::unique_ptr<OGRGeometry>> projected;
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_TRUE(iso.polygons[k]) << "band " << k;
    EXPECT_TRUE(iso.polygons[k]->IsValid()) << "band " << k;
    projected.emplace_back(iso.polygons[k]->clone());
    projected.back()->transform(to_metric.get());
  }
  for (std::size_t k = 0; k + 1 < 3; ++k) {
    std::unique_ptr<OGRGeometry> grown(projected[k + 1]->Buffer(cell_m));
    std::unique_ptr<OGRGeometry> outside(projected[k]->Difference(grown.get()));
    EXPECT_LT(testing::area_of(outside.get()), 1.0)
        << "band " << k << " pokes out of band " << k + 1;
  }

  // Random locations over the 15-minute polygon's box, widened by a quarter.
  OGREnvelope env;
  iso.polygons[2]->getEnvelope(&env);
  const double wx = (env.MaxX - env.MinX) * 0.25, wy = (env.MaxY - env.MinY) * 0.25;
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> ux(env.MinX - wx, env.MaxX + wx), uy(env.MinY - wy, env.MaxY + wy);
  TravelTimeField field(g, index, req);
  field.set_services(services);
  std::unique_ptr<OGRGeometry> boundary(projected[2]->Boundary());
  Agreement a;
  for (int i = 0; i < 3000; ++i) {
    const LonLat p{ux(rng), uy(rng)};
    const bool covered = field.evaluate(p).seconds <= 900.0;
    const bool in = testing::inside(iso.polygons[2].get(), p);
    ++a.samples;
    if (covered == in) {
      ++a.agree;
      continue;
    }
    OGRPoint pt(p.lon, p.lat);
    pt.transform(to_metric.get());
    const double d = boundary->Distance(&pt);
    if (d > 1.5 * cell_m) {
      ++a.misses_far_from_boundary;
      ADD_FAILURE() << "(" << p.lon << ", " << p.lat << ") covered=" << covered << " inside=" << in
                    << " but " << d << " m from the boundary";
    }
  }
  EXPECT_GE(a.agree, 0.99 * a.samples) << a.agree << " of " << a.samples << " agree";
  EXPECT_EQ(a.misses_far_from_boundary, 0);
  std::cout << "  " << mode_name(mode) << ": " << a.agree << " of " << a.samples
            << " random locations agree; raster " << iso.raster.grid.width << "x"
            << iso.raster.grid.height << " cells of " << cell_m << " m\n";
}

TEST(IsochroneProperties, NorthBayreuthWalk) {
  const std::string osm = testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  check_extract(osm, "amenity=townhall", Mode::walk, default_cell_m(Mode::walk));
}

TEST(IsochroneProperties, NorthBayreuthCar) {
  const std::string osm = testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  check_extract(osm, "amenity=townhall", Mode::car, default_cell_m(Mode::car));
}

TEST(IsochroneProperties, PortoEbike) {
  const std::string osm = testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  check_extract(osm, "office=lawyer amenity=courthouse,townhall", Mode::ebike, default_cell_m(Mode::ebike));
}

}  // namespace
}  // namespace legalcircle
