// read_points over small files written by each test, plus the shared real extracts.
#include "legalcircle/io/read_points.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <iconv.h>
#include <ogr_geometry.h>

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test, removed afterwards.
class ReadPoints : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lc_read_points_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

// Whether the message holds `part`; prints the whole message when not.
::testing::AssertionResult has(const std::string& message, const std::string& part) {
  if (message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in: " << message;
}

// The InputError message of read_points(path, opt); fails the test when nothing is thrown.
std::string error_of(const std::string& path, const PointReadOptions& opt = {}) {
  try {
    read_points(path, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

// Creates a vector file with GDAL: one layer, string fields, features from WKT.
struct GisFeature {
  std::string wkt;
  std::vector<std::string> values;
};
void write_gis(const std::string& path, const char* driver_name, int epsg,
               const std::vector<std::string>& fields, const std::vector<GisFeature>& features,
               const char* const* layer_options = nullptr, OGRFieldType type = OFTString) {
  gdal::ensure_registered();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
  ASSERT_NE(driver, nullptr);
  gdal::DatasetPtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  ASSERT_TRUE(ds) << gdal::last_error();
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRLayer* layer = ds->CreateLayer("points", &srs, wkbUnknown,
                                    const_cast<char**>(layer_options));
  ASSERT_NE(layer, nullptr) << gdal::last_error();
  for (const auto& name : fields) {
    OGRFieldDefn f(name.c_str(), name == "population" ? type : OFTString);
    ASSERT_EQ(layer->CreateField(&f), OGRERR_NONE);
  }
  for (const auto& feature : features) {
    gdal::FeaturePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    for (size_t i = 0; i < feature.values.size(); ++i)
      if (!feature.values[i].empty()) f->SetField(static_cast<int>(i), feature.values[i].c_str());
    OGRGeometry* g = nullptr;
    ASSERT_EQ(OGRGeometryFactory::createFromWkt(feature.wkt.c_str(), &srs, &g), OGRERR_NONE);
    f->SetGeometryDirectly(g);
    ASSERT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
  }
}

// lon/lat → EPSG:<epsg> x/y with OGR, to build projected test inputs.
std::pair<double, double> project(LonLat ll, int epsg) {
  gdal::ensure_registered();
  OGRSpatialReference wgs84, target;
  wgs84.importFromEPSG(4326);
  target.importFromEPSG(epsg);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gdal::TransformPtr t(OGRCreateCoordinateTransformation(&wgs84, &target));
  double x = ll.lon, y = ll.lat;
  EXPECT_TRUE(t && t->Transform(1, &x, &y));
  return {x, y};
}

// ------------------------------------------------------------------------------------------ CSV

TEST_F(ReadPoints, CsvWithBomCrlfQuotesAndChineseNames) {
  const std::string file = write(
      "services.csv",
      "\xEF\xBB\xBFid,name,Lng,LAT,population,county\r\n"
      "s1,嘉兴市南湖区公共法律服务中心,120.7555,30.7469,1200,南湖区\r\n"
      "s2,\"新丰镇, \"\"法律\"\" 服务站\",120.8421,30.6503,,南湖区\r\n"
      "\r\n"
      "s3,\"多行\n名称\",120.70,30.80, 35.5 ,秀洲区\r\n"
      "s4,5\" 屏,120.71,30.81,,\r\n");
  PointReadOptions opt;
  opt.keep_fields = {"county"};
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 4u);
  EXPECT_EQ(layer.points[0].id, "s1");
  EXPECT_EQ(layer.points[0].name, "嘉兴市南湖区公共法律服务中心");
  EXPECT_DOUBLE_EQ(layer.points[0].where.lon, 120.7555);
  EXPECT_DOUBLE_EQ(layer.points[0].where.lat, 30.7469);
  EXPECT_TRUE(layer.points[0].has_population);
  EXPECT_DOUBLE_EQ(layer.points[0].population, 1200);
  EXPECT_EQ(layer.points[1].name, "新丰镇, \"法律\" 服务站");
  EXPECT_FALSE(layer.points[1].has_population);
  EXPECT_EQ(layer.points[2].name, "多行\n名称");
  EXPECT_DOUBLE_EQ(layer.points[2].population, 35.5);
  ASSERT_EQ(layer.extra_fields, std::vector<std::string>{"county"});
  EXPECT_EQ(layer.points[2].extra.at(0).second, "秀洲区");
  EXPECT_EQ(layer.points[3].name, "5\" 屏");
  EXPECT_EQ(layer.points[3].extra.at(0).second, "");
}

TEST_F(ReadPoints, CsvWithoutIdColumnNumbersRows) {
  const std::string file = write("p.csv", "latitude,longitude\n30.1,120.1\n30.2,120.2\n");
  const PointLayer layer = read_points(file, {});
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_EQ(layer.points[1].id, "2");
  EXPECT_DOUBLE_EQ(layer.points[1].where.lon, 120.2);
}

// Projected numbers no place has (1e98, inf) or that PROJ turns into a place the CRS does not
// cover (x 500000, y 1e98 came out at 60 W, 80 S) are refused, naming the line and the CRS.
// Every quoted field of a record is unquoted, not only the first.
// A population is a count: negative or NaN is an error naming the row or feature, in a CSV and in
// a GIS layer (coverage used to accept those the run refused).
TEST_F(ReadPoints, NegativeOrNanPopulationIsAnError) {
  PointReadOptions opt;
  EXPECT_THROW(read_points(write("neg.csv", "id,name,population,lon,lat\nV1,a,-5,120.7,30.7\n"), opt), InputError);
  EXPECT_THROW(read_points(write("nan.csv", "id,name,population,lon,lat\nV1,a,nan,120.7,30.7\n"), opt), InputError);
  try {
    read_points(write("neg.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature",)"
                                     R"("properties":{"id":"V1","population":-12.5},"geometry":{"type":"Point",)"
                                     R"("coordinates":[120.7,30.7]}}]})"),
                opt);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("V1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("population"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(read_points(write("zero.csv", "id,name,population,lon,lat\nV1,a,0,120.7,30.7\nV2,b,,120.7,30.7\n"), opt));
}

// A polygon of zero area (collinear vertices) is read as a point with a warning: no gap area of
// "0 residents" is made up for it.
TEST_F(ReadPoints, ZeroAreaPolygonIsAPointWithAWarning) {
  const std::string file = write("flat.geojson",
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","properties":{"id":"FLAT","population":100},"geometry":{"type":"Polygon","coordinates":)"
      R"([[[120.70,30.70],[120.71,30.70],[120.72,30.70],[120.70,30.70]]]}},)"
      R"({"type":"Feature","properties":{"id":"REAL","population":100},"geometry":{"type":"Polygon","coordinates":)"
      R"([[[120.70,30.70],[120.71,30.70],[120.71,30.71],[120.70,30.70]]]}}]})");
  const PointLayer layer = read_points(file, PointReadOptions{});
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_TRUE(layer.points[0].area_wkb.empty());
  EXPECT_FALSE(layer.points[1].area_wkb.empty());
  bool warned = false;
  for (const std::string& w : layer.warnings) warned = warned || w.find("zero area (first: FLAT)") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(ReadPoints, CsvUnquotesEveryQuotedField) {
  const std::string file = write("q.csv", "id,name,lon,lat\n\"V1\",\"Village \"\"East\"\"\",\"120.75\",30.75\n"
                                          "V2,\"a, \"\"b\"\"\",120.76,\"30.76\"\n");
  const PointLayer layer = read_points(file, PointReadOptions{});
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_EQ(layer.points[0].id, "V1");
  EXPECT_EQ(layer.points[0].name, "Village \"East\"");
  EXPECT_EQ(layer.points[1].name, "a, \"b\"");
  EXPECT_DOUBLE_EQ(layer.points[1].where.lat, 30.76);
}

TEST_F(ReadPoints, ProjectedCoordinatesOutsideTheCrsAreRefused) {
  PointReadOptions opt;
  opt.crs = "EPSG:4549";
  opt.crs_given = true;
  for (const char* row : {"a,500000,1e98", "a,1e98,3400000", "a,500000,inf", "a,-9e8,3400000", "a,500000,-3e7"}) {
    SCOPED_TRACE(row);
    const std::string file = write("far.csv", std::string("id,x,y\n") + row + "\n");
    try {
      read_points(file, opt);
      ADD_FAILURE() << "accepted";
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("line 2"), std::string::npos) << m;
      EXPECT_TRUE(m.find("EPSG:4549") != std::string::npos || m.find("not a number") != std::string::npos) << m;
    }
  }
  const std::string polygon = write("far.geojson",
      R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},)"
      R"("features":[{"type":"Feature","properties":{"id":"V"},"geometry":{"type":"Polygon","coordinates":)"
      R"([[[574000,3395000],[575000,1e98],[575000,3396000],[574000,3395000]]]}}]})");
  EXPECT_THROW(read_points(polygon, PointReadOptions{}), InputError);
}

TEST_F(ReadPoints, CsvProjectedGaussKrugerToLonLat) {
  // EPSG:4549: CGCS2000 3-degree Gauss-Kruger CM 120E, false easting 500000 m. On the central
  // meridian x is exactly the false easting.
  const auto [x0, y0] = project({120.0, 30.0}, 4549);
  EXPECT_NEAR(x0, 500000.0, 1e-6);
  EXPECT_NEAR(y0, 3320113.4, 1.0);  // meridian arc of GRS 80 to 30°N
  const LonLat jiaxing{120.7555, 30.7469};
  const auto [x1, y1] = project(jiaxing, 4549);
  const std::string file = write("gk.csv", "id,x,y\na,500000," + std::to_string(y0) + "\nb," +
                                               std::to_string(x1) + "," + std::to_string(y1) +
                                               "\n");
  PointReadOptions opt;
  opt.crs = "EPSG:4549";
  opt.crs_given = true;
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_NEAR(layer.points[0].where.lon, 120.0, 1e-8);
  EXPECT_NEAR(layer.points[0].where.lat, 30.0, 1e-7);
  EXPECT_NEAR(layer.points[1].where.lon, jiaxing.lon, 1e-7);
  EXPECT_NEAR(layer.points[1].where.lat, jiaxing.lat, 1e-7);
}

TEST_F(ReadPoints, CsvProjectedCoordinatesWithoutCrsAreAnError) {
  const std::string file = write("gk.csv", "id,x,y\na,573000.5,3402000.25\n");
  const std::string msg = error_of(file);
  EXPECT_TRUE(has(msg, "line 2"));
  EXPECT_TRUE(has(msg, "outside the lon/lat range"));
  EXPECT_TRUE(has(msg, "--crs"));
}

TEST_F(ReadPoints, CsvMissingFile) {
  EXPECT_TRUE(has(error_of(path("nope.csv")), "nope.csv: file not found"));
}

TEST_F(ReadPoints, CsvHeaderOnlyOrEmptyHasNoPoints) {
  EXPECT_TRUE(has(error_of(write("h.csv", "id,lon,lat\r\n")), "h.csv: no points"));
  EXPECT_TRUE(has(error_of(write("e.csv", "")), "e.csv: no points"));
}

TEST_F(ReadPoints, CsvMissingCoordinateColumnsListsHeader) {
  const std::string msg = error_of(write("d.csv", "id,名称,东西,南北\n1,a,120,30\n"));
  EXPECT_TRUE(has(msg, "d.csv"));
  EXPECT_TRUE(has(msg, "id, 名称, 东西, 南北"));
  EXPECT_TRUE(has(msg, "经度"));  // the message lists the names it looked for, Chinese ones too
  // 经度/纬度 are recognised without being named.
  write("c.csv", "id,名称,经度,纬度\n1,a,120,30\n");
  EXPECT_EQ(read_points(path("c.csv"), {}).points.size(), 1u);
  PointReadOptions opt;
  opt.lon_field = "经度";
  opt.lat_field = "纬度";
  EXPECT_EQ(read_points(path("c.csv"), opt).points.size(), 1u);
  opt.lat_field = "wei";
  EXPECT_TRUE(has(error_of(path("c.csv"), opt), "'wei'"));
}

TEST_F(ReadPoints, CsvNonNumericCoordinateNamesLineAndField) {
  const std::string file = write("n.csv", "id,lon,lat\n1,120.1,30.1\n2,120.2,30.x\n");
  const std::string msg = error_of(file);
  EXPECT_TRUE(has(msg, "n.csv: line 3"));
  EXPECT_TRUE(has(msg, "'lat'"));
  EXPECT_TRUE(has(msg, "'30.x'"));
}

TEST_F(ReadPoints, CsvDuplicateIdNamesBothLines) {
  const std::string file = write("d.csv", "id,lon,lat\nA,120,30\nB,120,30\nA,121,31\n");
  const std::string msg = error_of(file);
  EXPECT_TRUE(has(msg, "duplicate id 'A'"));
  EXPECT_TRUE(has(msg, "lines 2 and 4"));
}

TEST_F(ReadPoints, CsvUnknownCrsAndMissingKeptField) {
  const std::string file = write("k.csv", "id,lon,lat\nA,120,30\n");
  PointReadOptions opt;
  opt.crs = "EPSG:999999";
  EXPECT_TRUE(has(error_of(file, opt), "unknown CRS"));
  opt = {};
  opt.keep_fields = {"town"};
  const std::string msg = error_of(file, opt);
  EXPECT_TRUE(has(msg, "'town'"));
  EXPECT_TRUE(has(msg, "id, lon, lat"));
}

// ------------------------------------------------------------------------------------- GeoJSON

TEST_F(ReadPoints, UnreadableFiles) {
  fs::create_directories(dir_ / "folder.geojson");
  EXPECT_TRUE(has(error_of(path("folder.geojson")), "folder"));
  EXPECT_TRUE(has(error_of(path("missing.geojson")), "file not found"));
  const std::string garbage = write("garbage.geojson", std::string("\x01\x02\xff\xfe{{not json", 14));
  EXPECT_TRUE(has(error_of(garbage), "garbage.geojson: not a vector file GDAL can read"));
  EXPECT_TRUE(has(error_of(write("g.csv", "id,lon,lat\n\"1,120,30\n")), "not closed"));
}

TEST_F(ReadPoints, GeoJsonEmptyFeatureCollection) {
  const std::string file = write("empty.geojson", R"({"type":"FeatureCollection","features":[]})");
  EXPECT_TRUE(has(error_of(file), "empty.geojson layer empty: empty layer"));
}

TEST_F(ReadPoints, GeoJsonWithoutCrsHoldingProjectedCoordinates) {
  const std::string file = write("proj.geojson", R"({"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[573000.5,3402000.25]}}]})");
  const std::string msg = error_of(file);
  EXPECT_TRUE(has(msg, "proj.geojson"));
  EXPECT_TRUE(has(msg, "no CRS"));
  EXPECT_TRUE(has(msg, "projected coordinates"));
  EXPECT_TRUE(has(msg, "--crs"));

  PointReadOptions opt;  // with --crs it reads
  opt.crs = "EPSG:4549";
  opt.crs_given = true;
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 1u);
  EXPECT_NEAR(layer.points[0].where.lon, 120.76, 0.01);
  EXPECT_NEAR(layer.points[0].where.lat, 30.74, 0.01);
}

TEST_F(ReadPoints, GeoJsonCrsMemberIsUsedAndBeatsTheOption) {
  const LonLat jiaxing{120.7555, 30.7469};
  const auto [x, y] = project(jiaxing, 4549);
  const std::string file = write("gk.geojson", R"({"type":"FeatureCollection",
    "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[
    {"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[)" +
                                                   std::to_string(x) + "," + std::to_string(y) +
                                                   "]}}]}");
  PointReadOptions opt;
  opt.crs = "EPSG:4326";
  opt.crs_given = true;
  opt.encoding = "GBK";  // a Shapefile-only option does no harm elsewhere
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 1u);
  EXPECT_NEAR(layer.points[0].where.lon, jiaxing.lon, 1e-7);
  EXPECT_NEAR(layer.points[0].where.lat, jiaxing.lat, 1e-7);
}

TEST_F(ReadPoints, GeoJsonPolygonsBecomePointOnSurfaceAndLinesAPointOnTheLine) {
  // A U shape whose centroid lies in the notch, outside the polygon.
  const std::string u = "[[[120,30],[120.03,30],[120.03,30.03],[120.02,30.03],[120.02,30.01],"
                        "[120.01,30.01],[120.01,30.03],[120,30.03],[120,30]]]";
  const std::string file = write("areas.geojson", R"({"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{"id":7,"name":"U 村","population":"350"},
     "geometry":{"type":"Polygon","coordinates":)" + u + R"(}},
    {"type":"Feature","properties":{"id":8,"name":"多边形"},
     "geometry":{"type":"MultiPolygon","coordinates":[[[[121,31],[121.01,31],[121.01,31.01],[121,31]]]]}},
    {"type":"Feature","properties":{"id":9,"name":"路"},
     "geometry":{"type":"LineString","coordinates":[[122,32],[122.1,32],[122.2,32.1]]}}]})");
  const PointLayer layer = read_points(file, {});
  ASSERT_EQ(layer.points.size(), 3u);
  EXPECT_EQ(layer.points[0].id, "7");
  EXPECT_EQ(layer.points[0].name, "U 村");
  EXPECT_TRUE(layer.points[0].has_population);
  EXPECT_DOUBLE_EQ(layer.points[0].population, 350);
  EXPECT_FALSE(layer.points[1].has_population);

  OGRGeometry* shape = nullptr;
  ASSERT_EQ(OGRGeometryFactory::createFromWkt(
                "POLYGON((120 30,120.03 30,120.03 30.03,120.02 30.03,120.02 30.01,120.01 30.01,"
                "120.01 30.03,120 30.03,120 30))",
                nullptr, &shape),
            OGRERR_NONE);
  std::unique_ptr<OGRGeometry> owned(shape);
  OGRPoint p(layer.points[0].where.lon, layer.points[0].where.lat);
  EXPECT_TRUE(p.Within(shape)) << p.getX() << " " << p.getY();
  EXPECT_DOUBLE_EQ(layer.points[2].where.lon, 122.1);  // the middle vertex
  EXPECT_DOUBLE_EQ(layer.points[2].where.lat, 32.0);
}

TEST_F(ReadPoints, GeoJsonBadFeatures) {
  const std::string head = R"({"type":"FeatureCollection","features":[)";
  const std::string null_geom = write("null.geojson", head + R"(
    {"type":"Feature","properties":{"id":"p1"},"geometry":{"type":"Point","coordinates":[120,30]}},
    {"type":"Feature","properties":{"id":"p2"},"geometry":null}]})");
  EXPECT_TRUE(has(error_of(null_geom), "null.geojson layer null feature p2: no geometry"));

  const std::string bad_pop = write("pop.geojson", head + R"(
    {"type":"Feature","properties":{"id":"p1","population":"many"},"geometry":{"type":"Point","coordinates":[120,30]}}]})");
  const std::string msg = error_of(bad_pop);
  EXPECT_TRUE(has(msg, "feature p1"));
  EXPECT_TRUE(has(msg, "'population'"));

  const std::string dup = write("dup.geojson", head + R"(
    {"type":"Feature","properties":{"id":"p1"},"geometry":{"type":"Point","coordinates":[120,30]}},
    {"type":"Feature","properties":{"id":"p1"},"geometry":{"type":"Point","coordinates":[121,30]}}]})");
  EXPECT_TRUE(has(error_of(dup), "duplicate id 'p1'"));

  PointReadOptions opt;
  opt.keep_fields = {"town"};
  EXPECT_TRUE(has(error_of(null_geom, opt), "no field 'town' to keep (fields: id)"));
  opt = {};
  opt.layer = "other";
  EXPECT_TRUE(has(error_of(null_geom, opt), "no layer 'other'"));
}

TEST_F(ReadPoints, GeoJsonWithoutIdFieldUsesFid) {
  const std::string file = write("fid.geojson", R"({"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{"name":"甲"},"geometry":{"type":"Point","coordinates":[120,30]}},
    {"type":"Feature","properties":{"name":"乙"},"geometry":{"type":"Point","coordinates":[121,31]}}]})");
  const PointLayer layer = read_points(file, {});
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_EQ(layer.points[0].id, "0");
  EXPECT_EQ(layer.points[1].id, "1");
  EXPECT_EQ(layer.points[1].name, "乙");
}

// ------------------------------------------------------------------- GeoPackage and Shapefile

TEST_F(ReadPoints, GeoPackageInCgcs2000) {
  const std::string file = path("villages.gpkg");
  write_gis(file, "GPKG", 4490, {"code", "name", "population", "town"},
            {{"POINT(120.7555 30.7469)", {"330402001001", "东栅村", "1520", "东栅街道"}},
             {"POLYGON((120.8 30.6,120.81 30.6,120.81 30.61,120.8 30.61,120.8 30.6))",
              {"330402001002", "新丰社区", "", "新丰镇"}}},
            nullptr, OFTInteger);
  PointReadOptions opt;
  opt.id_field = "code";
  opt.keep_fields = {"town"};
  const PointLayer layer = read_points(file, opt);
  EXPECT_EQ(layer.source, file + " layer points");
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_EQ(layer.points[0].id, "330402001001");
  EXPECT_EQ(layer.points[0].name, "东栅村");
  EXPECT_DOUBLE_EQ(layer.points[0].population, 1520);
  EXPECT_FALSE(layer.points[1].has_population);
  // CGCS2000 and WGS 84 agree to well under a metre for this purpose.
  EXPECT_NEAR(layer.points[0].where.lon, 120.7555, 1e-6);
  EXPECT_NEAR(layer.points[0].where.lat, 30.7469, 1e-6);
  EXPECT_NEAR(layer.points[1].where.lon, 120.805, 0.005);
  EXPECT_EQ(layer.points[1].extra.at(0), (std::pair<std::string, std::string>{"town", "新丰镇"}));
}

TEST_F(ReadPoints, ShapefileInGbkArrivesAsUtf8) {
  const std::string file = path("gbk.shp");
  const char* gbk[] = {"ENCODING=GBK", nullptr};
  write_gis(file, "ESRI Shapefile", 4326, {"id", "name"},
            {{"POINT(120.1 30.1)", {"1", "南湖区新丰镇"}}, {"POINT(120.2 30.2)", {"2", "秀洲区"}}},
            gbk);
  // The DBF really holds GBK bytes, not UTF-8.
  std::ifstream dbf(path("gbk.dbf"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(dbf)), {});
  EXPECT_NE(bytes.find("\xC4\xCF\xBA\xFE"), std::string::npos);  // 南湖
  EXPECT_EQ(bytes.find("南湖"), std::string::npos);

  const PointLayer layer = read_points(file, {});  // the .cpg says GBK
  ASSERT_EQ(layer.points.size(), 2u);
  EXPECT_EQ(layer.points[0].name, "南湖区新丰镇");
  EXPECT_EQ(layer.points[1].name, "秀洲区");

  fs::remove(path("gbk.cpg"));  // without .cpg the option decides
  PointReadOptions opt;
  opt.encoding = "GBK";
  EXPECT_EQ(read_points(file, opt).points[0].name, "南湖区新丰镇");
}

TEST_F(ReadPoints, RealBeijingTownshipsShapefile) {
  const std::string file = legalcircle::testing::shared_file("admin/beijing-townships.shp");
  LEGALCIRCLE_REQUIRE_SHARED(file);
  PointReadOptions opt;
  opt.name_field = "乡";
  opt.keep_fields = {"县"};
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 331u);
  EXPECT_EQ(layer.points[0].id, "0");
  EXPECT_EQ(layer.points[0].name, "建外街道");
  EXPECT_EQ(layer.points[0].extra.at(0).second, "朝阳区");
  for (const auto& p : layer.points) {
    EXPECT_FALSE(p.name.empty());
    EXPECT_GT(p.where.lon, 115.4);
    EXPECT_LT(p.where.lon, 117.6);
    EXPECT_GT(p.where.lat, 39.4);
    EXPECT_LT(p.where.lat, 41.1);
  }
}

// ------------------------------------------------------------------------------------------ OSM

TEST_F(ReadPoints, OsmFilterIsRequiredAndChecked) {
  const std::string file = write("tiny.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="30.0" lon="120.0"><tag k="amenity" v="townhall"/><tag k="name:zh" v="镇政府"/></node>
</osm>)");
  EXPECT_TRUE(has(error_of(file), "needs a tag filter"));
  PointReadOptions opt;
  opt.osm_filter = "amenity";
  EXPECT_TRUE(has(error_of(file, opt), "'amenity' is not key=value"));
  opt.osm_filter = "office=lawyer";
  EXPECT_TRUE(has(error_of(file, opt), "no points"));
  opt.osm_filter = "amenity=*";
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 1u);
  EXPECT_EQ(layer.points[0].name, "镇政府");
  EXPECT_EQ(read_points(file, opt).points[0].id, "node/1");
  opt.osm_filter = "amenity=*";
  EXPECT_TRUE(has(error_of(path("missing.osm.pbf"), opt), "file not found"));
  EXPECT_TRUE(has(error_of(write("bad.osm", "<osm><node"), opt), "bad.osm"));
}

TEST_F(ReadPoints, OsmWaysNodesAndRelations) {
  // Way 20: a U-shaped closed building (area centroid is outside → node average);
  // way 21: a square (area centroid); way 22: open; relation 30 matches but is not assembled.
  const std::string file = write("ways.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="0.0" lon="0.0"/>
  <node id="2" lat="0.0" lon="0.003"/>
  <node id="3" lat="0.003" lon="0.003"/>
  <node id="4" lat="0.003" lon="0.002"/>
  <node id="5" lat="0.001" lon="0.002"/>
  <node id="6" lat="0.001" lon="0.001"/>
  <node id="7" lat="0.003" lon="0.001"/>
  <node id="8" lat="0.003" lon="0.0"/>
  <node id="11" lat="1.0" lon="1.0"/>
  <node id="12" lat="1.0" lon="1.002"/>
  <node id="13" lat="1.002" lon="1.002"/>
  <node id="14" lat="1.002" lon="1.0"/>
  <node id="9" lat="2.0" lon="2.0"><tag k="office" v="lawyer"/><tag k="name" v="Law"/><tag k="population" v="12"/></node>
  <way id="22"><nd ref="11"/><nd ref="12"/><tag k="office" v="lawyer"/></way>
  <way id="20"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="1"/><tag k="amenity" v="courthouse"/><tag k="name:en" v="Court"/></way>
  <way id="21"><nd ref="11"/><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="11"/><tag k="amenity" v="townhall"/></way>
  <relation id="30"><member type="way" ref="21" role="outer"/><tag k="amenity" v="townhall"/></relation>
</osm>)");
  PointReadOptions opt;
  opt.osm_filter = "amenity=townhall,courthouse office=lawyer";
  const PointLayer layer = read_points(file, opt);
  ASSERT_EQ(layer.points.size(), 4u);
  EXPECT_EQ(layer.points[0].id, "node/9");
  EXPECT_EQ(layer.points[0].name, "Law");
  EXPECT_DOUBLE_EQ(layer.points[0].population, 12);
  EXPECT_EQ(layer.points[1].id, "way/20");
  EXPECT_EQ(layer.points[1].name, "Court");
  EXPECT_NEAR(layer.points[1].where.lon, 0.0015, 1e-9);  // average of the 8 nodes
  EXPECT_NEAR(layer.points[1].where.lat, 0.00175, 1e-9);
  EXPECT_EQ(layer.points[2].id, "way/21");
  EXPECT_NEAR(layer.points[2].where.lon, 1.001, 1e-7);
  EXPECT_NEAR(layer.points[2].where.lat, 1.001, 1e-7);
  EXPECT_EQ(layer.points[3].id, "way/22");
  EXPECT_NEAR(layer.points[3].where.lon, 1.001, 1e-9);
  ASSERT_EQ(layer.warnings.size(), 1u);
  EXPECT_TRUE(has(layer.warnings[0], "1 relation"));
}

TEST_F(ReadPoints, RealNorthBayreuthPlacesAndTownhalls) {
  const std::string file = legalcircle::testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(file);
  PointReadOptions opt;
  opt.osm_filter = "place=village,hamlet";
  opt.keep_fields = {"place"};
  const PointLayer places = read_points(file, opt);
  int villages = 0, hamlets = 0;
  std::set<std::string> ids;
  for (const auto& p : places.points) {
    villages += p.extra.at(0).second == "village";
    hamlets += p.extra.at(0).second == "hamlet";
    ids.insert(p.id);
    EXPECT_FALSE(p.name.empty()) << p.id;
    EXPECT_NEAR(p.where.lon, 11.6, 0.5);
    EXPECT_NEAR(p.where.lat, 50.0, 0.5);
  }
  EXPECT_EQ(villages, 22);
  EXPECT_EQ(hamlets, 48);
  EXPECT_EQ(ids.size(), places.points.size());

  opt.osm_filter = "amenity=townhall";
  opt.keep_fields = {};
  EXPECT_EQ(read_points(file, opt).points.size(), 3u);
}

TEST_F(ReadPoints, RealPortoLawyers) {
  const std::string file = legalcircle::testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(file);
  PointReadOptions opt;
  opt.osm_filter = "office=lawyer";
  const PointLayer lawyers = read_points(file, opt);
  EXPECT_EQ(lawyers.points.size(), 10u);
  for (size_t i = 1; i < lawyers.points.size(); ++i)  // deterministic order
    EXPECT_NE(lawyers.points[i - 1].id, lawyers.points[i].id);
  for (const auto& p : lawyers.points) {
    EXPECT_NEAR(p.where.lon, -8.6, 0.2);
    EXPECT_NEAR(p.where.lat, 41.15, 0.2);
  }
  // The README's 8 townhalls include one multipolygon relation, which is counted, not read.
  opt.osm_filter = kDefaultServiceOsmFilter;
  const PointLayer services = read_points(file, opt);
  EXPECT_EQ(services.points.size(), 10u + 7u + 3u);
  ASSERT_EQ(services.warnings.size(), 1u);
  EXPECT_TRUE(has(services.warnings[0], "1 relation(s) match"));
}


// ------------------------------------------------------------ inputs as county offices have them

// UTF-8 -> GBK with iconv, to make the files Excel and ArcGIS write on Chinese Windows.
std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2 + 4, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* dst = out.data();
  const std::size_t r = iconv(cd, &in, &in_left, &dst, &out_left);
  iconv_close(cd);
  EXPECT_NE(r, static_cast<std::size_t>(-1));
  out.resize(out.size() - out_left);
  return out;
}

const char* const kStationsCsv =
    "id,name,lon,lat,tier\n"
    "S1,南湖区公共法律服务中心,120.7555,30.7469,center\n"
    "S2,新丰镇公共法律服务工作站 ,120.8421,30.6503,town_station \n";

TEST_F(ReadPoints, GbkCsvReadsLikeItsUtf8TwinAndSaysSo) {
  PointReadOptions opt;
  opt.keep_fields = {"tier"};
  opt.population_field.clear();  // services have none
  const PointLayer utf8 = read_points(write("utf8.csv", kStationsCsv), opt);
  EXPECT_TRUE(utf8.warnings.empty());
  const PointLayer gbk = read_points(write("gbk.csv", to_gbk(kStationsCsv)), opt);
  ASSERT_EQ(gbk.points.size(), utf8.points.size());
  for (std::size_t i = 0; i < gbk.points.size(); ++i) {
    EXPECT_EQ(gbk.points[i].name, utf8.points[i].name);
    EXPECT_EQ(gbk.points[i].extra, utf8.points[i].extra);
  }
  EXPECT_EQ(utf8.points[1].extra[0].second, "town_station");  // values are trimmed
  EXPECT_EQ(utf8.points[1].name, "新丰镇公共法律服务工作站");
  ASSERT_FALSE(gbk.warnings.empty());
  EXPECT_TRUE(has(gbk.warnings[0], "GB18030"));
  opt.encoding = "GBK";  // said explicitly: no warning
  EXPECT_TRUE(read_points(path("gbk.csv"), opt).warnings.empty());
  // Bytes that are neither UTF-8 nor GB18030: refused, naming the line and the option.
  const std::string msg = error_of(write("bad.csv", std::string("id,name,lon,lat\nS1,ok,120.7,30.7\nS2,\xFF\xFF,120.8,30.6\n")));
  EXPECT_TRUE(has(msg, "line 3"));
  EXPECT_TRUE(has(msg, "encoding"));
}

TEST_F(ReadPoints, GbkShapefileWithoutCpgIsDetected) {
  const std::vector<GisFeature> features = {{"POINT (120.75 30.75)", {"V1", "南湖村"}}, {"POINT (120.76 30.76)", {"V2", "新丰镇"}}};
  // The twin in UTF-8 (with a .cpg), and the same names as GBK bytes with no .cpg at all.
  const char* utf8_options[] = {"ENCODING=UTF-8", nullptr};
  write_gis(path("utf8.shp"), "ESRI Shapefile", 4326, {"id", "name"}, features, utf8_options);
  std::vector<GisFeature> gbk_features = features;
  for (auto& f : gbk_features) f.values[1] = to_gbk(f.values[1]);
  const char* raw_options[] = {"ENCODING=", nullptr};
  write_gis(path("gbk.shp"), "ESRI Shapefile", 4326, {"id", "name"}, gbk_features, raw_options);
  fs::remove(path("gbk.cpg"));  // as written by tools that leave it out
  const PointLayer a = read_points(path("utf8.shp"), {}), b = read_points(path("gbk.shp"), {});
  ASSERT_EQ(b.points.size(), 2u);
  EXPECT_EQ(b.points[0].name, "南湖村");
  EXPECT_EQ(b.points[1].name, a.points[1].name);
  ASSERT_FALSE(b.warnings.empty());
  EXPECT_TRUE(has(b.warnings[0], "GB18030"));
}

// A station sheet as offices keep it, in the workbook format `driver` writes.
void write_station_sheet(const std::string& file, const char* driver_name) {
  gdal::ensure_registered();
  GDALDriver* xlsx = GetGDALDriverManager()->GetDriverByName(driver_name);
  ASSERT_NE(xlsx, nullptr) << driver_name;
  {
    gdal::DatasetPtr ds(xlsx->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    OGRLayer* l = ds->CreateLayer("站点", nullptr, wkbNone, nullptr);
    for (const char* f : {"编号", "名称", "层级"}) {
      OGRFieldDefn d(f, OFTString);
      l->CreateField(&d);
    }
    for (const char* f : {"经度", "纬度"}) {
      OGRFieldDefn d(f, OFTReal);
      l->CreateField(&d);
    }
    const struct { const char *id, *name; double lon, lat; } rows[] = {{"S1", "南湖区中心", 120.7555, 30.7469},
                                                                          {"S2", "新丰镇站", 120.8421, 30.6503}};
    for (const auto& r : rows) {
      gdal::FeaturePtr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
      f->SetField("编号", r.id);
      f->SetField("名称", r.name);
      f->SetField("层级", "town_station");
      f->SetField("经度", r.lon);
      f->SetField("纬度", r.lat);
      ASSERT_EQ(l->CreateFeature(f.get()), OGRERR_NONE);
    }
  }
}

TEST_F(ReadPoints, OdsWithChineseHeaders) {
  write_station_sheet(path("stations.ods"), "ODS");
  PointReadOptions opt;
  opt.id_field = "编号";
  opt.name_field = "名称";
  const PointLayer p = read_points(path("stations.ods"), opt);
  ASSERT_EQ(p.points.size(), 2u);
  EXPECT_EQ(p.points[1].name, "新丰镇站");
  EXPECT_NEAR(p.points[1].where.lon, 120.8421, 1e-9);
}

TEST_F(ReadPoints, XlsxWithChineseHeaders) {
  write_station_sheet(path("stations.xlsx"), "XLSX");
  PointReadOptions opt;
  opt.id_field = "编号";
  opt.name_field = "名称";
  opt.keep_fields = {"层级"};
  const PointLayer p = read_points(path("stations.xlsx"), opt);
  ASSERT_EQ(p.points.size(), 2u);
  EXPECT_EQ(p.points[0].id, "S1");
  EXPECT_EQ(p.points[1].name, "新丰镇站");
  EXPECT_NEAR(p.points[1].where.lon, 120.8421, 1e-9);
  EXPECT_NEAR(p.points[1].where.lat, 30.6503, 1e-9);
  EXPECT_EQ(p.points[0].extra[0].second, "town_station");
  // The same sheet through a web-map offset: every point moves by GCJ-02's inverse (~500 m here).
  opt.offset = OffsetSystem::gcj02;
  const PointLayer shifted = read_points(path("stations.xlsx"), opt);
  const double moved = haversine_m(p.points[0].where, shifted.points[0].where);
  EXPECT_GT(moved, 300);
  EXPECT_LT(moved, 800);
  EXPECT_NEAR(haversine_m(to_wgs84(p.points[0].where, OffsetSystem::gcj02), shifted.points[0].where), 0, 1e-6);
}

TEST_F(ReadPoints, OffsetMovesPolygonsWholeNotOnlyTheirPoint) {
  const std::string poly = "POLYGON ((120.70 30.70, 120.72 30.70, 120.72 30.72, 120.70 30.72, 120.70 30.70))";
  write_gis(path("villages.geojson"), "GeoJSON", 4326, {"id"}, {{poly, {"V1"}}});
  PointReadOptions opt;
  opt.offset = OffsetSystem::gcj02;
  const PointLayer l = read_points(path("villages.geojson"), opt);
  ASSERT_EQ(l.points.size(), 1u);
  OGRGeometry* g = nullptr;
  ASSERT_EQ(OGRGeometryFactory::createFromWkb(l.points[0].area_wkb.data(), nullptr, &g, l.points[0].area_wkb.size()), OGRERR_NONE);
  std::unique_ptr<OGRGeometry> area(g);
  const OGRLinearRing* ring = area->toPolygon()->getExteriorRing();
  const LonLat expected = to_wgs84(LonLat{120.70, 30.70}, OffsetSystem::gcj02);
  EXPECT_NEAR(ring->getX(0), expected.lon, 1e-9);
  EXPECT_NEAR(ring->getY(0), expected.lat, 1e-9);
  OGRPoint inside(l.points[0].where.lon, l.points[0].where.lat);
  EXPECT_TRUE(area->Contains(&inside));  // the representative point moved with its area
  // OSM data are WGS-84 by definition: an offset there is a mistake, not silently applied.
  PointReadOptions osm;
  osm.offset = OffsetSystem::gcj02;
  osm.osm_filter = "place=*";
  EXPECT_TRUE(has(error_of(write("x.osm", "<osm version=\"0.6\"></osm>"), osm), "does not apply"));
}

TEST_F(ReadPoints, NamedFieldsMustExistDefaultsMayBeAbsent) {
  write("v.csv", "code,村名,lon,lat,人口\nV1,南湖村,120.7,30.7,100\n");
  PointReadOptions opt;
  opt.population_field = "人口数";
  opt.population_field_given = true;
  std::string msg = error_of(path("v.csv"), opt);
  EXPECT_TRUE(has(msg, "no population field '人口数'"));
  EXPECT_TRUE(has(msg, "code, 村名, lon, lat, 人口"));  // what exists instead
  opt = {};
  opt.name_field = "村名X";
  opt.name_field_given = true;
  EXPECT_TRUE(has(error_of(path("v.csv"), opt), "no name field '村名X'"));
  opt = {};
  opt.id_field = "代码X";
  opt.id_field_given = true;
  EXPECT_TRUE(has(error_of(path("v.csv"), opt), "no id field '代码X'"));
  // Defaults that are absent: read on, with warnings that say what follows.
  const PointLayer l = read_points(path("v.csv"), {});
  EXPECT_EQ(l.points[0].id, "1");
  EXPECT_FALSE(l.points[0].has_population);
  ASSERT_EQ(l.warnings.size(), 3u);
  EXPECT_TRUE(has(l.warnings[0], "no id field 'id'"));
  EXPECT_TRUE(has(l.warnings[2], "population unknown"));
}

}  // namespace
}  // namespace legalcircle
