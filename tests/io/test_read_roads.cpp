// Road readers: OSM (libosmium) and GIS line layers (GDAL), on files the tests write, and on a
// shared real extract.
#include <cmath>
#include <cstdio>
#include <memory>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include <limits>
#include <ogr_spatialref.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {

class ReadRoads : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lc_roads_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::filesystem::path dir_;
};

// Throws InputError whose message contains every one of `parts`.
template <class F>
void expect_input_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "'" << part << "' not in: " << e.what();
  }
}

const RawWay* find_way(const RawRoads& r, int64_t id, std::size_t nth = 0) {
  for (const RawWay& w : r.ways)
    if (w.id == id && nth-- == 0) return &w;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// OSM

const char* kOsm = R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="30.000" lon="120.000"/>
  <node id="2" version="1" lat="30.000" lon="120.001"/>
  <node id="3" version="1" lat="30.001" lon="120.001"/>
  <node id="4" version="1" lat="30.002" lon="120.001"/>
  <node id="5" version="1" lat="30.002" lon="120.000"/>
  <node id="6" version="1" lat="30.005" lon="120.005"/>
  <way id="10" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="人民路"/><tag k="oneway" v="yes"/>
    <tag k="surface" v="asphalt"/><tag k="motor_vehicle" v="no"/><tag k="motorcar" v="yes"/>
  </way>
  <way id="11" version="1">
    <nd ref="3"/><nd ref="4"/><nd ref="99"/><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="pedestrian"/><tag k="area" v="yes"/>
  </way>
  <way id="12" version="1">
    <nd ref="1"/><nd ref="6"/><nd ref="5"/>
    <tag k="building" v="yes"/>
  </way>
</osm>
)";

TEST_F(ReadRoads, OsmXmlWaysTagsAndMissingNodes) {
  const std::string path = write("tiny.osm", kOsm);
  EXPECT_TRUE(is_osm_file(path));
  const RawRoads r = read_roads(path);
  EXPECT_EQ(r.source, path);
  // The building is skipped; way 11 is cut at the missing node 99 into 3-4 and 5-1.
  ASSERT_EQ(r.ways.size(), 3u);
  EXPECT_EQ(r.coord.size(), 5u);  // node 6 is on no highway
  const RawWay* w10 = find_way(r, 10);
  ASSERT_NE(w10, nullptr);
  ASSERT_EQ(w10->nodes.size(), 3u);
  EXPECT_EQ(r.node_id[w10->nodes[0]], 1);
  EXPECT_NEAR(r.coord[w10->nodes[1]].lon, 120.001, 1e-7);
  EXPECT_NEAR(r.coord[w10->nodes[2]].lat, 30.001, 1e-7);
  ASSERT_NE(w10->tags.get("name"), nullptr);
  EXPECT_EQ(*w10->tags.get("name"), "人民路");
  EXPECT_EQ(*w10->tags.get("oneway"), "yes");
  EXPECT_EQ(*w10->tags.get("motorcar"), "yes");
  EXPECT_EQ(w10->tags.get("surface"), nullptr);  // not a tag the profiles read
  const RawWay* a = find_way(r, 11, 0);
  const RawWay* b = find_way(r, 11, 1);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(r.node_id[a->nodes[0]], 3);
  EXPECT_EQ(r.node_id[a->nodes[1]], 4);
  EXPECT_EQ(r.node_id[b->nodes[0]], 5);
  EXPECT_EQ(r.node_id[b->nodes[1]], 1);
  EXPECT_EQ(*a->tags.get("area"), "yes");
  // Node 1 is shared by ways 10 and 11: one raw node.
  EXPECT_EQ(w10->nodes[0], b->nodes[1]);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("1 node references"), std::string::npos) << r.warnings[0];

  // And it builds: motor_vehicle=no + motorcar=yes is open to cars, oneway respected.
  const RoadGraph g = build_graph(r, default_profiles(), {});
  EXPECT_EQ(g.segment_count(), 4u);
  EXPECT_TRUE(g.weights(Mode::car).present);
}

TEST_F(ReadRoads, OsmNegativeIdsFromJosm) {
  const std::string path = write("josm.osm", R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="JOSM">
  <node id="-1" lat="30.0" lon="120.0"/><node id="-2" lat="30.0" lon="120.001"/>
  <way id="-3"><nd ref="-1"/><nd ref="-2"/><tag k="highway" v="service"/></way>
</osm>)");
  const RawRoads r = read_osm_roads(path);
  ASSERT_EQ(r.ways.size(), 1u);
  EXPECT_EQ(r.ways[0].id, -3);
  EXPECT_EQ(r.node_id[r.ways[0].nodes[1]], -2);
  EXPECT_NEAR(r.coord[r.ways[0].nodes[1]].lon, 120.001, 1e-7);
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(ReadRoads, OsmFakeGzip) {
  // Not a real .gz: libosmium refuses it with a message we pass on.
  const std::string path = write("bad.osm.gz", "plain text, not gzip");
  expect_input_error([&] { read_osm_roads(path); }, {path});
}

TEST_F(ReadRoads, OsmBadInputs) {
  const std::string missing = (dir_ / "nothere.osm.pbf").string();
  expect_input_error([&] { read_roads(missing); }, {missing, "file not found"});
  const std::string garbage = write("garbage.osm", "this is <not xml at all");
  expect_input_error([&] { read_osm_roads(garbage); }, {garbage});
  const std::string garbage_pbf = write("garbage.osm.pbf", std::string(200, '\x7f'));
  expect_input_error([&] { read_osm_roads(garbage_pbf); }, {garbage_pbf});
  const std::string no_roads = write("houses.osm",
                                     R"(<?xml version="1.0"?><osm version="0.6">
  <node id="1" version="1" lat="30" lon="120"/><node id="2" version="1" lat="30.1" lon="120"/>
  <way id="1" version="1"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way></osm>)");
  expect_input_error([&] { read_osm_roads(no_roads); }, {no_roads, "highway"});
}

TEST_F(ReadRoads, IsOsmFile) {
  for (const char* p : {"a.osm", "a.osm.pbf", "A.PBF", "x/y.osm.gz", "b.osm.bz2"})
    EXPECT_TRUE(is_osm_file(p)) << p;
  for (const char* p : {"a.geojson", "a.gpkg", "a.shp", "osm", "a.osm.json"})
    EXPECT_FALSE(is_osm_file(p)) << p;
}

TEST_F(ReadRoads, RealExtractNorthBayreuth) {
  const std::string path = testing::shared_file("osm/north-bayreuth.osm.gz");
  LEGALCIRCLE_REQUIRE_SHARED(path);
  const RawRoads r = read_osm_roads(path);
  EXPECT_GT(r.ways.size(), 1000u);
  EXPECT_GT(r.coord.size(), 10000u);
  for (const LonLat& p : r.coord) {
    ASSERT_GT(p.lon, 11.0);
    ASSERT_LT(p.lon, 12.0);
    ASSERT_GT(p.lat, 49.5);
    ASSERT_LT(p.lat, 50.5);
  }
  const RoadGraph g = build_graph(r, default_profiles(), {});
  for (Mode m : kAllModes) {
    const ComponentStats& s = g.weights(m).stats;
    EXPECT_GT(s.nodes_kept, 5000u) << mode_name(m);
    EXPECT_GT(s.km_kept, 100.0) << mode_name(m);
    // The largest component holds most of the network.
    EXPECT_GT(s.nodes_kept, 5 * s.nodes_dropped) << mode_name(m);
  }
}

// ---------------------------------------------------------------------------------------------
// GIS

// Line 2 starts on line 1's middle vertex; line 3 is a MultiLineString whose second part starts
// on line 1's first vertex.
const char* kGeoJson = R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": 1,
  "properties": {"highway": "residential", "name": "解放路", "oneway": "yes", "maxspeed": 30},
  "geometry": {"type": "LineString", "coordinates": [[120, 30], [120.001, 30], [120.002, 30]]}},
 {"type": "Feature", "id": 2, "properties": {"highway": "residential", "name": "B"},
  "geometry": {"type": "LineString", "coordinates": [[120.001, 30], [120.001, 30.001]]}},
 {"type": "Feature", "id": 3, "properties": {"highway": "footway", "name": null},
  "geometry": {"type": "MultiLineString",
               "coordinates": [[[120.002, 30], [120.003, 30]], [[120, 30], [120, 29.999]]]}}
]})";

TEST_F(ReadRoads, GeoJsonSharedVerticesAndAttributes) {
  const std::string path = write("roads.geojson", kGeoJson);
  EXPECT_FALSE(is_osm_file(path));
  const RawRoads r = read_roads(path);
  ASSERT_EQ(r.ways.size(), 4u);   // the MultiLineString gives two ways
  EXPECT_EQ(r.coord.size(), 6u);  // shared vertices are one node
  const RawWay* l1 = find_way(r, 1);
  const RawWay* l2 = find_way(r, 2);
  const RawWay* l3a = find_way(r, 3, 0);
  const RawWay* l3b = find_way(r, 3, 1);
  ASSERT_TRUE(l1 && l2 && l3a && l3b);
  EXPECT_EQ(l2->nodes[0], l1->nodes[1]);
  EXPECT_EQ(l3a->nodes[0], l1->nodes[2]);
  EXPECT_EQ(l3b->nodes[0], l1->nodes[0]);
  EXPECT_EQ(*l1->tags.get("highway"), "residential");
  EXPECT_EQ(*l1->tags.get("name"), "解放路");
  EXPECT_EQ(*l1->tags.get("oneway"), "yes");
  EXPECT_EQ(*l1->tags.get("maxspeed"), "30");
  EXPECT_EQ(l3a->tags.get("name"), nullptr);
  EXPECT_EQ(r.node_id[0], -1);
  EXPECT_NEAR(r.coord[l2->nodes[1]].lat, 30.001, 1e-12);
  EXPECT_NEAR(r.coord[l2->nodes[1]].lon, 120.001, 1e-12);

  // The lines are joined at the shared vertices: one component for walking.
  const RoadGraph g = build_graph(r, default_profiles(), {});
  EXPECT_EQ(g.weights(Mode::walk).stats.nodes_kept, 6u);
  EXPECT_EQ(g.weights(Mode::walk).stats.components_total, 1u);
}

// A county road layer with Chinese grades: mapped to OSM classes by default (the car network keeps
// its 国道 and 县道, walking stays off the 快速路), an office's own class by class_map, and a
// value nobody knows reported with its km instead of vanishing.
TEST_F(ReadRoads, ChineseRoadGradesAreMappedAndUnknownOnesReported) {
  const std::string path = write("grades.geojson", R"({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"dj": "国道"}, "geometry": {"type": "LineString", "coordinates": [[120.000, 30.0], [120.010, 30.0]]}},
    {"type": "Feature", "properties": {"dj": " 县道 "}, "geometry": {"type": "LineString", "coordinates": [[120.010, 30.0], [120.020, 30.0]]}},
    {"type": "Feature", "properties": {"dj": "快速路"}, "geometry": {"type": "LineString", "coordinates": [[120.020, 30.0], [120.030, 30.0]]}},
    {"type": "Feature", "properties": {"dj": "机耕路"}, "geometry": {"type": "LineString", "coordinates": [[120.030, 30.0], [120.040, 30.0]]}},
    {"type": "Feature", "properties": {"dj": "高架匝道X"}, "geometry": {"type": "LineString", "coordinates": [[120.040, 30.0], [120.050, 30.0]]}}]})");
  RoadFieldMapping m;
  m.class_field = "dj";
  m.class_map["机耕路"] = "track";
  const RawRoads r = read_roads(path, m);
  ASSERT_EQ(r.ways.size(), 5u);
  EXPECT_EQ(*r.ways[0].tags.get("highway"), "primary");
  EXPECT_EQ(*r.ways[1].tags.get("highway"), "tertiary");  // trimmed, then mapped
  EXPECT_EQ(*r.ways[2].tags.get("highway"), "trunk");
  EXPECT_EQ(*r.ways[3].tags.get("highway"), "track");
  EXPECT_EQ(*r.ways[4].tags.get("highway"), "高架匝道X");
  bool reported = false;
  for (const std::string& w : r.warnings)
    reported = reported || (w.find("'高架匝道X' (1 features, 1.0 km)") != std::string::npos && w.find("class_map") != std::string::npos);
  EXPECT_TRUE(reported) << (r.warnings.empty() ? "no warning" : r.warnings[0]);
  EXPECT_FALSE(r.notes.empty());
  const RoadGraph g = build_graph(r, default_profiles(), {});
  // Car: 国道 + 县道 + 快速路 + 机耕路, four 0.963 km pieces (the unknown class carries no car).
  EXPECT_NEAR(g.weights(Mode::car).stats.km_kept, 4 * 0.9634, 0.01);
  // Walking: never on the 快速路 (a trunk road).
  std::size_t trunk_segments = 0;
  for (uint32_t seg = 0; seg < g.segment_count(); ++seg)
    if (g.way_class[g.seg_way[seg]] == "trunk") {
      ++trunk_segments;
      EXPECT_EQ(g.weights(Mode::walk).seg_time_ab[seg], std::numeric_limits<float>::infinity());
      EXPECT_EQ(g.weights(Mode::ebike).seg_time_ab[seg], std::numeric_limits<float>::infinity());
    }
  EXPECT_EQ(trunk_segments, 1u);
}

TEST_F(ReadRoads, GeoJsonNearVerticesMergeWithinTolerance) {
  // The second line starts 2 mm east of the first line's end.
  const std::string path = write("near.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": 1, "properties": {"highway": "residential"},
  "geometry": {"type": "LineString", "coordinates": [[120, 30], [120.001, 30]]}},
 {"type": "Feature", "id": 2, "properties": {"highway": "residential"},
  "geometry": {"type": "LineString", "coordinates": [[120.00100002, 30], [120.002, 30]]}}]})");
  RoadFieldMapping mapping;
  mapping.vertex_snap_m = 1.0;
  EXPECT_EQ(read_gis_roads(path, mapping).coord.size(), 3u);
  mapping.vertex_snap_m = 0.0001;
  EXPECT_EQ(read_gis_roads(path, mapping).coord.size(), 4u);
}

TEST_F(ReadRoads, GeoJsonInProjectedCgcs2000) {
  // EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E), coordinates easting, northing.
  OGRSpatialReference wgs84, gk;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gk.importFromEPSG(4549);
  gk.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &gk));
  ASSERT_TRUE(ct);
  double x[3] = {120.75, 120.76, 120.76}, y[3] = {30.75, 30.75, 30.76};
  ASSERT_TRUE(ct->Transform(3, x, y));
  ASSERT_GT(x[0], 500000);  // east of the central meridian
  ASSERT_GT(y[0], 3000000);
  char buf[1024];
  std::snprintf(buf, sizeof buf, R"({"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4549"}},
 "features": [
 {"type": "Feature", "id": 7, "properties": {"kind": "primary", "title": "嘉兴路"},
  "geometry": {"type": "LineString", "coordinates": [[%.4f, %.4f], [%.4f, %.4f]]}},
 {"type": "Feature", "id": 8, "properties": {"kind": "primary"},
  "geometry": {"type": "LineString", "coordinates": [[%.4f, %.4f], [%.4f, %.4f]]}}]})",
                x[0], y[0], x[1], y[1], x[1], y[1], x[2], y[2]);
  const std::string path = write("gk.geojson", buf);
  RoadFieldMapping mapping;
  mapping.class_field = "kind";
  mapping.name_field = "title";
  const RawRoads r = read_gis_roads(path, mapping);
  ASSERT_EQ(r.coord.size(), 3u);
  const RawWay* w7 = find_way(r, 7);
  const RawWay* w8 = find_way(r, 8);
  ASSERT_TRUE(w7 && w8);
  EXPECT_EQ(w7->nodes[1], w8->nodes[0]);
  EXPECT_NEAR(r.coord[w7->nodes[0]].lon, 120.75, 1e-6);
  EXPECT_NEAR(r.coord[w7->nodes[0]].lat, 30.75, 1e-6);
  EXPECT_NEAR(r.coord[w8->nodes[1]].lon, 120.76, 1e-6);
  EXPECT_NEAR(r.coord[w8->nodes[1]].lat, 30.76, 1e-6);
  EXPECT_EQ(*w7->tags.get("highway"), "primary");
  EXPECT_EQ(*w7->tags.get("name"), "嘉兴路");
  // The unmapped optional fields are reported, not fatal.
  EXPECT_FALSE(r.warnings.empty());
}

TEST_F(ReadRoads, GisBadInputs) {
  const std::string missing = (dir_ / "nothere.geojson").string();
  expect_input_error([&] { read_roads(missing); }, {missing, "file not found"});

  const std::string garbage = write("garbage.geojson", "{ this is not json");
  expect_input_error([&] { read_roads(garbage); }, {garbage});

  const std::string no_class = write("noclass.geojson", R"({"type": "FeatureCollection",
 "features": [{"type": "Feature", "id": 1, "properties": {"kind": "primary", "label": "x"},
  "geometry": {"type": "LineString", "coordinates": [[120, 30], [120.001, 30]]}}]})");
  expect_input_error([&] { read_roads(no_class); }, {no_class, "'highway'", "kind", "label"});

  const std::string point = write("point.geojson", R"({"type": "FeatureCollection",
 "features": [{"type": "Feature", "id": 1, "properties": {"highway": "primary"},
  "geometry": {"type": "LineString", "coordinates": [[120, 30], [120.001, 30]]}},
  {"type": "Feature", "id": 42, "properties": {"highway": "primary"},
  "geometry": {"type": "Point", "coordinates": [120, 30]}}]})");
  expect_input_error([&] { read_roads(point); }, {point, "layer", "feature 42"});

  const std::string empty = write("empty.geojson", R"({"type": "FeatureCollection",
 "features": [{"type": "Feature", "id": 5, "properties": {"highway": "primary"},
  "geometry": null}]})");
  expect_input_error([&] { read_roads(empty); }, {empty, "feature 5", "empty geometry"});
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// Inputs the fuzzers found (tests/fuzz/regressions): each is read to an answer or an InputError,
// never a crash or a sanitizer report (the sanitizer job runs this).
TEST(FuzzRegressions, EveryFoundInputReadsOrFailsCleanly) {
  const std::filesystem::path dir = std::filesystem::path(LEGALCIRCLE_SOURCE_DIR) / "tests/fuzz/regressions";
  int inputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    ++inputs;
    for (int reader = 0; reader < 2; ++reader) {
      try {
        if (reader == 0) {
          read_roads(path, RoadFieldMapping{});
        } else {
          PointReadOptions options;
          options.osm_filter = kDefaultServiceOsmFilter;
          read_points(path, options);
        }
      } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "names the file: " << e.what();
      }
    }
  }
  EXPECT_GE(inputs, 1);
}

// libosmium leaves the descriptor of a corrupt PBF open; the readers close it (5,000 leaked
// descriptors in seconds of fuzzing ended in EMFILE).
TEST(FuzzRegressions, CorruptPbfLeavesNoDescriptorOpen) {
  const auto open_descriptors = [] {
    return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator());
  };
  const std::string pbf = std::string(LEGALCIRCLE_SOURCE_DIR) + "/tests/fuzz/regressions/six-bytes.osm.pbf";
  const auto before = open_descriptors();
  for (int i = 0; i < 20; ++i) {
    EXPECT_THROW(read_roads(pbf), InputError);
    PointReadOptions options;
    options.osm_filter = kDefaultServiceOsmFilter;
    EXPECT_THROW(read_points(pbf, options), InputError);
  }
  EXPECT_EQ(open_descriptors(), before);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// Coordinates out of range in an OSM file are an error naming the file and the object, for
// service points (they used to vanish) and road nodes alike.
TEST(OsmOutOfRange, NodesOutOfRangeAreErrorsNamingFileAndObject) {
  const auto dir = std::filesystem::temp_directory_path() / ("lc_osm_range_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string points = (dir / "points.osm").string(), roads = (dir / "roads.osm").string();
  std::ofstream(points) << "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n"
                           "<node id=\"1\" lat=\"91\" lon=\"200\"><tag k=\"amenity\" v=\"townhall\"/></node>\n"
                           "<node id=\"2\" lat=\"30.7\" lon=\"120.7\"><tag k=\"amenity\" v=\"townhall\"/></node>\n</osm>\n";
  std::ofstream(roads) << "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"1\" lat=\"30.7\" lon=\"120.7\"/>\n"
                          "<node id=\"2\" lat=\"30.7\" lon=\"190\"/>\n<way id=\"5\"><nd ref=\"1\"/><nd ref=\"2\"/>"
                          "<tag k=\"highway\" v=\"residential\"/></way>\n</osm>\n";
  PointReadOptions options;
  options.osm_filter = kDefaultServiceOsmFilter;
  try {
    read_points(points, options);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(points + ": node/1: coordinates out of range"), std::string::npos) << e.what();
  }
  try {
    read_roads(roads);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(roads + ": way/5: node/2 has coordinates out of range"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

// A network across the 180th meridian (Fiji, Chukotka) is refused rather than measured a globe
// apart; so is one spanning more than a region.
TEST(OsmOutOfRange, NetworkAcrossThe180thMeridianIsRefused) {
  const auto dir = std::filesystem::temp_directory_path() / ("lc_osm_180_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string roads = (dir / "fiji.osm").string();
  std::ofstream(roads) << "<?xml version=\"1.0\"?>\n<osm version=\"0.6\">\n<node id=\"1\" lat=\"-16.5\" lon=\"179.99\"/>\n"
                          "<node id=\"2\" lat=\"-16.5\" lon=\"-179.99\"/>\n<way id=\"5\"><nd ref=\"1\"/><nd ref=\"2\"/>"
                          "<tag k=\"highway\" v=\"primary\"/></way>\n</osm>\n";
  try {
    read_roads(roads);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("across the 180th meridian"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle
