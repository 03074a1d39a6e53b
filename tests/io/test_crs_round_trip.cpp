// CRS round trips through GDAL/PROJ for the CRSs Zhejiang data comes in (docs/coordinates.md):
// EPSG:4326 <-> 4490 (CGCS2000 geographic), 4549 (CGCS2000 3-degree GK CM 120E, no zone prefix)
// and 4528 (3-degree GK zone 40, the zone number prefixed to the false easting); and a CSV in
// EPSG:4549 read through read_points.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/read_points.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

// Points across Zhejiang (WGS-84 lon/lat): Hangzhou, Jiaxing, Ningbo, Wenzhou, Quzhou, Zhoushan.
const std::vector<LonLat> kZhejiang = {{120.1551, 30.2741}, {120.7555, 30.7461},
                                       {121.5440, 29.8683}, {120.6994, 27.9943},
                                       {118.8595, 28.9700}, {122.2072, 29.9853}};

OGRSpatialReference epsg(int code) {
  OGRSpatialReference srs;
  EXPECT_EQ(srs.importFromEPSG(code), OGRERR_NONE) << "EPSG:" << code;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

gdal::TransformPtr transform(int from, int to) {
  const OGRSpatialReference a = epsg(from);
  const OGRSpatialReference b = epsg(to);
  gdal::TransformPtr t(OGRCreateCoordinateTransformation(&a, &b));
  EXPECT_TRUE(t) << "EPSG:" << from << " -> EPSG:" << to << ": " << gdal::last_error();
  return t;
}

struct Projected {
  std::vector<double> x, y;
};

// 4326 -> `code` -> 4326; returns the projected coordinates and checks the round trip < 1 cm.
Projected round_trip(int code) {
  gdal::ensure_registered();
  const auto there = transform(4326, code);
  const auto back = transform(code, 4326);
  Projected out;
  if (!there || !back) return out;
  double worst_m = 0;
  for (const LonLat& p : kZhejiang) {
    double x = p.lon, y = p.lat;
    EXPECT_TRUE(there->Transform(1, &x, &y)) << "EPSG:" << code;
    out.x.push_back(x);
    out.y.push_back(y);
    double lon = x, lat = y;
    EXPECT_TRUE(back->Transform(1, &lon, &lat)) << "EPSG:" << code;
    worst_m = std::max(worst_m, haversine_m(p, {lon, lat}));
    EXPECT_LT(haversine_m(p, {lon, lat}), 0.01)
        << "EPSG:" << code << " at " << p.lon << "," << p.lat << " came back as " << lon << ","
        << lat;
  }
  std::cout << "EPSG:4326 -> EPSG:" << code << " -> EPSG:4326: max round-trip error "
            << worst_m * 1000.0 << " mm\n";
  return out;
}

TEST(CrsRoundTrip, Cgcs2000Geographic) {
  const Projected g = round_trip(4490);
  ASSERT_EQ(g.x.size(), kZhejiang.size());
  // CGCS2000 and WGS-84 agree to centimetres; PROJ treats them as equal (no grid), and the axis
  // order stays lon/lat under OAMS_TRADITIONAL_GIS_ORDER.
  for (size_t i = 0; i < g.x.size(); ++i) {
    EXPECT_GT(g.x[i], 118.0);  // lon first
    EXPECT_LT(haversine_m(kZhejiang[i], {g.x[i], g.y[i]}), 1.0);
  }
}

TEST(CrsRoundTrip, Cgcs2000GaussKrugerCm120) {
  const Projected p = round_trip(4549);
  ASSERT_EQ(p.x.size(), kZhejiang.size());
  // False easting 500 km without zone prefix; northings of Zhejiang are ~3.0–3.4 million m.
  EXPECT_NEAR(p.x[1], 500000.0 + (120.7555 - 120.0) * 96e3, 3e3);  // Jiaxing, ~0.75° east of CM
  for (size_t i = 0; i < p.x.size(); ++i) {
    EXPECT_GT(p.x[i], 200000.0);
    EXPECT_LT(p.x[i], 800000.0);
    EXPECT_GT(p.y[i], 3000000.0);
    EXPECT_LT(p.y[i], 3500000.0);
  }
}

TEST(CrsRoundTrip, Cgcs2000GaussKrugerZone40WithPrefix) {
  const Projected p = round_trip(4528);
  const Projected q = round_trip(4549);
  ASSERT_EQ(p.x.size(), kZhejiang.size());
  ASSERT_EQ(q.x.size(), kZhejiang.size());
  // Same central meridian (120E) as 4549, the zone number 40 prefixed to the false easting.
  for (size_t i = 0; i < p.x.size(); ++i) {
    EXPECT_NEAR(p.x[i], q.x[i] + 40000000.0, 0.001) << i;
    EXPECT_NEAR(p.y[i], q.y[i], 0.001) << i;
  }
}

TEST(CrsRoundTrip, CsvInGaussKrugerThroughReadPoints) {
  gdal::ensure_registered();
  const auto to_gk = transform(4326, 4549);
  ASSERT_TRUE(to_gk);
  std::ostringstream csv;
  csv << "id,name,x,y\n" << std::fixed << std::setprecision(4);  // 0.1 mm
  for (size_t i = 0; i < kZhejiang.size(); ++i) {
    double x = kZhejiang[i].lon, y = kZhejiang[i].lat;
    ASSERT_TRUE(to_gk->Transform(1, &x, &y));
    csv << "p" << i << ",点" << i << "," << x << "," << y << "\n";
  }
  const fs::path path = fs::temp_directory_path() /
                        ("lc_crs_round_trip_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << csv.str();

  PointReadOptions opt;
  opt.crs = "EPSG:4549";
  opt.crs_given = true;
  opt.lon_field = "x";
  opt.lat_field = "y";
  PointLayer layer;
  try {
    layer = read_points(path.string(), opt);
  } catch (...) {
    fs::remove(path);
    throw;
  }
  fs::remove(path);
  ASSERT_EQ(layer.points.size(), kZhejiang.size());
  for (size_t i = 0; i < kZhejiang.size(); ++i) {
    // Appending, not "p" + to_string(i): GCC 12 -O3 gives a false -Wrestrict on the latter.
    std::string id = "p", name = "点";
    id += std::to_string(i);
    name += std::to_string(i);
    EXPECT_EQ(layer.points[i].id, id);
    EXPECT_EQ(layer.points[i].name, name);
    EXPECT_LT(haversine_m(kZhejiang[i], layer.points[i].where), 0.01) << i;
  }
}

}  // namespace
}  // namespace legalcircle
