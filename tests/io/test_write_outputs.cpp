// Writers: GeoJSON read back with GDAL, CSV compared byte for byte.
#include "legalcircle/io/write_outputs.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/io/trace_polygons.hpp"

#include <random>

#include <cpl_vsi.h>

#include <cmath>
#include <limits>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

class WriteOutputs : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lc_write_outputs_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Table coverage_table() {
  Table t;
  t.columns = {{"id", Column::Type::text},
               {"name", Column::Type::text},
               {"population", Column::Type::integer},
               {"minutes", Column::Type::real},
               {"covered", Column::Type::boolean}};
  t.rows = {{"v1", "东栅村", "1520", "12.5", "true"},
            {"v2", "新丰社区, \"南\"", "", "", "false"},
            {"v3", "", "9000000000", "-0.25", ""}};
  t.geometry = {{120.7555, 30.7469}, {120.8421, 30.6503}, {-8.61, 41.15}};
  return t;
}

TEST_F(WriteOutputs, GeoJsonRoundTripThroughGdal) {
  const std::string file = path("coverage.geojson");
  { std::ofstream(file) << "old content"; }  // replaced, not refused
  write_geojson(file, "coverage", coverage_table());

  const std::string text = slurp(file);
  EXPECT_EQ(text.find("\"crs\""), std::string::npos);  // RFC 7946 has no crs member
  EXPECT_NE(text.find("东栅村"), std::string::npos);   // UTF-8 as is, not \u escapes

  gdal::DatasetPtr ds = gdal::open_vector(file);
  OGRLayer* layer = gdal::get_layer(*ds, file, "");
  EXPECT_STREQ(layer->GetName(), "coverage");
  ASSERT_EQ(layer->GetFeatureCount(), 3);
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  ASSERT_EQ(defn->GetFieldCount(), 5);
  EXPECT_EQ(defn->GetFieldDefn(0)->GetType(), OFTString);
  EXPECT_TRUE(defn->GetFieldDefn(2)->GetType() == OFTInteger64 ||
              defn->GetFieldDefn(2)->GetType() == OFTInteger);
  EXPECT_EQ(defn->GetFieldDefn(3)->GetType(), OFTReal);
  EXPECT_EQ(defn->GetFieldDefn(4)->GetSubType(), OFSTBoolean);

  gdal::FeaturePtr f(layer->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->GetFieldAsString("name"), "东栅村");
  EXPECT_EQ(f->GetFieldAsInteger64("population"), 1520);
  EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("minutes"), 12.5);
  EXPECT_EQ(f->GetFieldAsInteger("covered"), 1);
  const OGRPoint* p = f->GetGeometryRef()->toPoint();
  EXPECT_NEAR(p->getX(), 120.7555, 1e-7);  // lon first (RFC 7946)
  EXPECT_NEAR(p->getY(), 30.7469, 1e-7);

  f.reset(layer->GetNextFeature());
  EXPECT_STREQ(f->GetFieldAsString("name"), "新丰社区, \"南\"");
  EXPECT_TRUE(f->IsFieldNull(defn->GetFieldIndex("population")));
  EXPECT_TRUE(f->IsFieldNull(defn->GetFieldIndex("minutes")));
  EXPECT_EQ(f->GetFieldAsInteger("covered"), 0);
  EXPECT_FALSE(f->IsFieldNull(defn->GetFieldIndex("covered")));

  f.reset(layer->GetNextFeature());
  EXPECT_TRUE(f->IsFieldNull(defn->GetFieldIndex("name")));
  EXPECT_EQ(f->GetFieldAsInteger64("population"), 9000000000LL);
  EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("minutes"), -0.25);
  EXPECT_TRUE(f->IsFieldNull(defn->GetFieldIndex("covered")));
  EXPECT_NEAR(f->GetGeometryRef()->toPoint()->getX(), -8.61, 1e-7);
}

TEST_F(WriteOutputs, GeoJsonBadCellLeavesNoFile) {
  Table t = coverage_table();
  t.rows[1][2] = "many";
  const std::string file = path("bad.geojson");
  try {
    write_geojson(file, "coverage", t);
    FAIL() << "no OutputError";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.geojson: layer coverage: row 1: column 'population'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_THROW(write_geojson(path("no/such/folder/x.geojson"), "x", coverage_table()),
               OutputError);
}

// Every writer refuses text that is not UTF-8 (so every output file is UTF-8), writing nothing.
TEST_F(WriteOutputs, EveryWriterRefusesInvalidUtf8) {
  Table t = coverage_table();
  t.rows[0][1] = "\xC4\xCF\xBA\xFE";  // 南湖 in GBK
  auto refused = [&](auto write, const std::string& file) {
    try {
      write();
      ADD_FAILURE() << file << ": no OutputError";
    } catch (const OutputError& e) {
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(file)) << file;
  };
  refused([&] { write_geojson(path("x.geojson"), "coverage", t); }, path("x.geojson"));
  refused([&] { write_csv(path("x.csv"), t); }, path("x.csv"));
  const NamedTable layer{"coverage", &t};
  refused([&] { write_gpkg_layers(path("x.gpkg"), {layer}); }, path("x.gpkg"));
  refused([&] { write_text_file(path("x.json"), "{\"name\": \"\xC4\xCF\"}"); }, path("x.json"));
}

TEST_F(WriteOutputs, CsvQuotingAndBom) {
  Table t;
  t.columns = {{"id", Column::Type::text}, {"名称", Column::Type::text}, {"n", Column::Type::real}};
  t.rows = {{"a", "plain 村", "1.5"},
            {"b", "comma, here", ""},
            {"c", "say \"hi\"", "2"},
            {"d", "two\nlines", "3"}};
  const std::string file = path("t.csv");
  write_csv(file, t);
  EXPECT_EQ(slurp(file),
            "id,名称,n\n"
            "a,plain 村,1.5\n"
            "b,\"comma, here\",\n"
            "c,\"say \"\"hi\"\"\",2\n"
            "d,\"two\nlines\",3\n");
  EXPECT_FALSE(fs::exists(file + ".tmp"));

  const std::string slurp_without_bom = slurp(file);
  write_csv(file, t, true);  // overwrites; Excel wants the BOM to read UTF-8
  const std::string with_bom = slurp(file);
  EXPECT_EQ(with_bom.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(with_bom.substr(3), slurp_without_bom);
}

TEST_F(WriteOutputs, TextFileAndDirectories) {
  const std::string nested = path("a/b/c");
  ensure_directory(nested);
  EXPECT_TRUE(fs::is_directory(nested));
  ensure_directory(nested);  // already there is fine

  const std::string file = nested + "/summary.json";
  write_text_file(file, "{\"ok\": true}\n");
  EXPECT_EQ(slurp(file), "{\"ok\": true}\n");
  EXPECT_FALSE(fs::exists(file + ".tmp"));
  EXPECT_EQ(std::distance(fs::directory_iterator(nested), fs::directory_iterator()), 1) << "no temporary left";
  // A symlink planted where the old writer put its temporary file is not followed.
  { std::ofstream(path("victim")) << "keep"; }
  fs::create_symlink(path("victim"), file + ".tmp");
  write_text_file(file, "new\n");
  EXPECT_EQ(slurp(file), "new\n");
  EXPECT_EQ(slurp(path("victim")), "keep");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::others_read, fs::perms::others_read)
      << "readable like any file the user writes (umask permitting)";
  EXPECT_EQ(std::distance(fs::directory_iterator(nested), fs::directory_iterator()), 2) << "the file and the planted link";

  { std::ofstream(path("plain")) << "x"; }
  EXPECT_THROW(ensure_directory(path("plain/sub")), OutputError);
  EXPECT_THROW(write_text_file(path("missing/dir/x.txt"), "x"), OutputError);
}

TEST_F(WriteOutputs, TableWithoutGeometryOrWithWrongShape) {
  Table t;
  t.columns = {{"id", Column::Type::text}};
  t.rows = {{"x"}};
  const std::string file = path("nogeom.geojson");
  write_geojson(file, "plain", t);
  gdal::DatasetPtr ds = gdal::open_vector(file);
  EXPECT_EQ(gdal::get_layer(*ds, file, "")->GetFeatureCount(), 1);

  t.rows.push_back({"y", "extra"});
  EXPECT_THROW(write_csv(path("shape.csv"), t), OutputError);
}


// The minutes GeoTIFF is warped into a standard CRS (QGIS names it) by nearest neighbour: every
// written cell holds the time of the source cell under its centre, unreachable cells are nodata.
TEST_F(WriteOutputs, MinutesGeotiffInUtmOrProjectCrsWithNodata) {
  TimeRaster r;
  r.grid.projection = LocalProjection({120.75, 30.75});  // Jiaxing: UTM zone 51N
  r.grid.cell_m = 100;
  r.grid.width = 40;
  r.grid.height = 30;
  r.grid.min_x = -2000;
  r.grid.max_y = 1500;
  r.seconds.resize(static_cast<std::size_t>(r.grid.width) * r.grid.height);
  for (int row = 0; row < r.grid.height; ++row)
    for (int col = 0; col < r.grid.width; ++col)
      r.seconds[static_cast<std::size_t>(row) * r.grid.width + col] =
          col < 5 ? std::numeric_limits<float>::infinity() : static_cast<float>(60 * (col + row));
  EXPECT_EQ(geotiff_crs(r.grid, ""), "EPSG:32651");
  EXPECT_EQ(geotiff_crs(r.grid, "EPSG:4490"), "EPSG:32651") << "a geographic project CRS gets UTM";
  EXPECT_EQ(geotiff_crs(r.grid, "EPSG:4549"), "EPSG:4549");
  EXPECT_THROW(geotiff_crs(r.grid, "EPSG:999999"), OutputError);
  for (const std::string crs : {"", "EPSG:4549"}) {
    const std::string tif = path("minutes" + crs.substr(crs.size() > 4 ? 5 : 0) + ".tif");
    write_minutes_geotiff(tif, r, crs);
    gdal::ensure_registered();
    GDALDataset* ds = GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY);
    ASSERT_NE(ds, nullptr);
    const OGRSpatialReference* srs = ds->GetSpatialRef();
    ASSERT_NE(srs, nullptr);
    EXPECT_STREQ(srs->GetAuthorityCode(nullptr), crs.empty() ? "32651" : "4549");
    GDALRasterBand* band = ds->GetRasterBand(1);
    int has_nodata = 0;
    EXPECT_EQ(band->GetNoDataValue(&has_nodata), -1.0);
    EXPECT_TRUE(has_nodata);
    double gt[6];
    ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
    EXPECT_NEAR(gt[1], 100.0, 1e-9);
    EXPECT_NEAR(gt[5], -100.0, 1e-9);
    const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    std::vector<float> cells(static_cast<std::size_t>(w) * h);
    ASSERT_EQ(band->RasterIO(GF_Read, 0, 0, w, h, cells.data(), w, h, GDT_Float32, 0, 0), CE_None);
    // Back from each written cell centre to the source grid: the value must be that cell's.
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference target;
    target.importFromEPSG(crs.empty() ? 32651 : 4549);
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> back(OGRCreateCoordinateTransformation(&target, &wgs84));
    int checked = 0, unreachable = 0;
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        double x = gt[0] + (col + 0.5) * gt[1], y = gt[3] + (row + 0.5) * gt[5];
        ASSERT_TRUE(back->Transform(1, &x, &y));
        const XY local = r.grid.projection.forward({x, y});
        const double fc = (local.x - r.grid.min_x) / r.grid.cell_m, fr = (r.grid.max_y - local.y) / r.grid.cell_m;
        const float got = cells[static_cast<std::size_t>(row) * w + col];
        if (fc < 0 || fr < 0 || fc >= r.grid.width || fr >= r.grid.height) continue;
        // Away from source cell borders, where rotation between the frames could pick either.
        if (std::abs(fc - std::round(fc)) < 0.05 || std::abs(fr - std::round(fr)) < 0.05) continue;
        const float want = r.seconds[static_cast<std::size_t>(fr) * r.grid.width + static_cast<std::size_t>(fc)];
        if (std::isinf(want)) {
          EXPECT_EQ(got, -1.0f) << row << "," << col;
          ++unreachable;
        } else {
          EXPECT_FLOAT_EQ(got, want / 60.0f) << row << "," << col;
        }
        ++checked;
      }
    EXPECT_GT(checked, 900);
    EXPECT_GT(unreachable, 50);
    GDALClose(ds);
  }
}

// Cells that spreadsheets would run as formulas are written as text; numbers stay numbers.
TEST_F(WriteOutputs, CsvNeutralisesFormulaCells) {
  Table t;
  t.columns = {{"name", Column::Type::text}, {"minutes", Column::Type::real}, {"@id", Column::Type::text}};
  t.rows = {{"=HYPERLINK(\"http://x\",\"click\")", "-3.5", "@SUM(A1)"}, {"+1", "2", "-东村"}, {"南湖村", "", "a=b"}};
  write_csv(path("t.csv"), t);
  EXPECT_EQ(slurp(path("t.csv")),
            "name,minutes,'@id\n"
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",-3.5,'@SUM(A1)\n"
            "'+1,2,'-东村\n"
            "南湖村,,a=b\n");
}


// The GeoJSON writer prints geometries itself (GDAL's tree of one json-c object per number was
// most of a large write): its bytes must be those GDAL writes for the same features.
std::string gdal_geojson(const Table& t, OGRwkbGeometryType type) {
  gdal::ensure_registered();
  const std::string path = "/vsimem/reference-" + std::to_string(::getpid()) + ".geojson";
  {
    gdal::DatasetPtr ds(GetGDALDriverManager()->GetDriverByName("GeoJSON")->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const char* options[] = {"RFC7946=YES", nullptr};
    OGRLayer* layer = ds->CreateLayer("t", &wgs84, type, const_cast<char**>(options));
    OGRFieldDefn name("name", OFTString);
    layer->CreateField(&name);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      gdal::FeaturePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
      f->SetField(0, t.rows[r][0].c_str());
      OGRGeometry* g = nullptr;
      if (!t.geometry.empty()) g = new OGRPoint(t.geometry[r].lon, t.geometry[r].lat);
      if (!t.wkb.empty() && !t.wkb[r].empty())
        OGRGeometryFactory::createFromWkb(t.wkb[r].data(), nullptr, &g, t.wkb[r].size());
      if (g) {
        round_geometry(g, 7);
        f->SetGeometryDirectly(g);
      }
      EXPECT_EQ(layer->CreateFeature(f.get()), OGRERR_NONE);
    }
  }
  vsi_l_offset size = 0;
  GByte* bytes = VSIGetMemFileBuffer(path.c_str(), &size, TRUE);
  std::string text(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
  CPLFree(bytes);
  return text;
}

TEST_F(WriteOutputs, GeoJsonGeometriesAreTheBytesGdalWrites) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lon(-180.0, 180.0), lat(-90.0, 90.0), small(-1e-6, 1e-6);
  Table points;
  points.columns = {{"name", Column::Type::text}};
  const std::vector<LonLat> edges = {{120.0, 30.0}, {0.0, -0.0}, {-0.00000004, 0.00000005}, {179.99999995, -89.99999996},
                                     {120.70681955, 31.09621985}, {1e-8, -1e-8}, {-180.0, 90.0}};
  // Random values, values near a tie of the 7th decimal, and runs of 0s and 9s GDAL rounds.
  std::uniform_int_distribution<int> digit(0, 9);
  auto near_tie = [&](double v) { return std::round(v * 1e7) / 1e7 + (digit(rng) - 4.5) * 1.1e-8; };
  auto runs = [&](double v) { return std::floor(v) + (digit(rng) < 5 ? 0.99999 : 0.00001) + digit(rng) * 1e-7; };
  for (std::size_t i = 0; i < 20000; ++i) {
    const LonLat p = i < edges.size() ? edges[i]
                     : i % 4 == 0     ? LonLat{small(rng), small(rng)}
                     : i % 4 == 1     ? LonLat{near_tie(lon(rng)), near_tie(lat(rng))}
                     : i % 4 == 2     ? LonLat{runs(lon(rng)), runs(lat(rng))}
                                      : LonLat{lon(rng), lat(rng)};
    points.rows.push_back({i == 5 ? std::string("a \", \"geometry\": null } b") : std::string("p").append(std::to_string(i))});
    points.geometry.push_back(p);
  }
  EXPECT_EQ(geojson_text("points", "t", points), gdal_geojson(points, wkbPoint));
  // Rounding (to_chars, from_chars) gives what printf's text read back gives.
  for (const LonLat& p : points.geometry) {
    OGRPoint pt(p.lon, p.lat);
    round_geometry(&pt, 7);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.7f", p.lon);
    ASSERT_EQ(pt.getX(), std::strtod(buf, nullptr)) << buf;
    std::snprintf(buf, sizeof buf, "%.7f", p.lat);
    ASSERT_EQ(pt.getY(), std::strtod(buf, nullptr)) << buf;
  }

  // Polygons with holes, rings given either way round (RFC 7946 turns them), rows without one.
  Table polygons;
  polygons.shape = Table::Shape::polygon;
  polygons.columns = {{"name", Column::Type::text}};
  for (int i = 0; i < 200; ++i) {
    OGRMultiPolygon m;
    for (int k = 0; k < 1 + i % 3; ++k) {
      const double x = 120.0 + i * 0.01 + k * 0.003, y = 30.0 + (i % 7) * 0.01;
      OGRPolygon poly;
      auto* outer = new OGRLinearRing();
      auto* hole = new OGRLinearRing();
      const bool clockwise = (i + k) % 2;
      for (int j = 0; j < 8; ++j) {  // valid rings: the writer's repair would otherwise differ
        const double a = (clockwise ? -1 : 1) * j * 2 * M_PI / 8;
        outer->addPoint(x + 0.001 * std::cos(a) + small(rng), y + 0.001 * std::sin(a) + small(rng));
        hole->addPoint(x + 0.0003 * std::cos(-a), y + 0.0003 * std::sin(-a));
      }
      outer->closeRings();
      hole->closeRings();
      poly.addRingDirectly(outer);
      if (i % 4) poly.addRingDirectly(hole);
      else delete hole;
      m.addGeometry(&poly);
    }
    std::string wkb(m.WkbSize(), '\0');
    m.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    polygons.rows.push_back({"poly" + std::to_string(i)});
    polygons.wkb.push_back(i % 10 == 3 ? std::string() : wkb);
  }
  EXPECT_EQ(geojson_text("polygons", "t", polygons), gdal_geojson(polygons, wkbMultiPolygon));
  polygons.polygons_valid_as_written = true;  // rounding only: the same bytes for valid rings
  EXPECT_EQ(geojson_text("polygons", "t", polygons), gdal_geojson(polygons, wkbMultiPolygon));

  Table lines;
  lines.shape = Table::Shape::line;
  lines.columns = {{"name", Column::Type::text}};
  for (int i = 0; i < 100; ++i) {
    OGRMultiLineString m;
    for (int k = 0; k < 1 + i % 4; ++k) {
      OGRLineString l;
      for (int j = 0; j < 2 + k; ++j) l.addPoint(lon(rng), lat(rng));
      m.addGeometry(&l);
    }
    std::string wkb(m.WkbSize(), '\0');
    m.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    lines.rows.push_back({"line" + std::to_string(i)});
    lines.wkb.push_back(wkb);
  }
  EXPECT_EQ(geojson_text("lines", "t", lines), gdal_geojson(lines, wkbMultiLineString));
}

// A way's segments in order are one LineString (where one starts at the previous end); a gap
// (a segment dropped between) starts another part. Every segment is still there, in order.
TEST(RoadLines, ConsecutiveSegmentsAreOneLineAndGapsStartAnother) {
  const LonLat a{120.0, 30.0}, b{120.001, 30.0}, c{120.002, 30.001}, d{120.003, 30.002}, e{120.004, 30.0};
  const std::string wkb = multiline_wkb({{a, b}, {b, c}, {d, e}, {e, a}});
  OGRGeometry* raw = nullptr;
  ASSERT_EQ(OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &raw, wkb.size()), OGRERR_NONE);
  std::unique_ptr<OGRGeometry> g(raw);
  ASSERT_EQ(wkbFlatten(g->getGeometryType()), wkbMultiLineString);
  const OGRMultiLineString* m = g->toMultiLineString();
  ASSERT_EQ(m->getNumGeometries(), 2);
  const OGRLineString* first = m->getGeometryRef(0);
  const OGRLineString* second = m->getGeometryRef(1);
  ASSERT_EQ(first->getNumPoints(), 3);
  ASSERT_EQ(second->getNumPoints(), 3);
  EXPECT_EQ(first->getX(0), a.lon);
  EXPECT_EQ(first->getY(2), c.lat);
  EXPECT_EQ(second->getX(0), d.lon);
  EXPECT_EQ(second->getX(2), a.lon);
  EXPECT_TRUE(g->IsValid());
}

// The map's rings: each simplified on its own within the tolerance (page units), closed, no
// vertex farther than the tolerance from the drawn ring, and a small ring kept whole.
TEST(PageRings, EachRingWithinTheToleranceAndClosed) {
  // A wavy square 100 x 100 page units (1 unit per degree * 1) with a small square hole.
  std::string wkt = "POLYGON((";
  std::vector<XY> outer;
  for (int i = 0; i <= 100; ++i) outer.push_back({double(i), 0.3 * std::sin(i)});
  for (int i = 0; i <= 100; ++i) outer.push_back({100.0, double(i)});
  for (int i = 100; i >= 0; --i) outer.push_back({double(i), 100.0});
  for (int i = 100; i > 0; --i) outer.push_back({0.0, double(i)});
  outer.push_back(outer.front());
  for (std::size_t i = 0; i < outer.size(); ++i) wkt += (i ? "," : "") + std::to_string(outer[i].x) + " " + std::to_string(-outer[i].y);
  wkt += "),(40 -40,40 -42,42 -42,42 -40,40 -40))";
  OGRGeometry* raw = nullptr;
  ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &raw), OGRERR_NONE);
  std::unique_ptr<OGRGeometry> g(raw);
  std::string wkb(g->WkbSize(), '\0');
  g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()));
  PageTransform t;
  t.lon0 = 0, t.lat1 = 0, t.kx = 1, t.scale = 1, t.width = 200, t.height = 200;
  const std::vector<PageRing> rings = page_rings(wkb, t, 1.0);
  ASSERT_EQ(rings.size(), 2u);
  EXPECT_TRUE(rings[0].exterior);
  EXPECT_FALSE(rings[1].exterior);
  for (const PageRing& r : rings) {
    ASSERT_GE(r.points.size(), 4u);
    EXPECT_EQ(r.points.front().x, r.points.back().x);
    EXPECT_EQ(r.points.front().y, r.points.back().y);
  }
  EXPECT_LT(rings[0].points.size(), outer.size() / 10) << "the waves (0.3 high) are under a pixel";
  EXPECT_EQ(rings[1].points.size(), 5u) << "the hole's four corners are kept";
  EXPECT_NEAR(rings[0].area, 10000.0, 100.0);
  EXPECT_NEAR(rings[1].area, 4.0, 1e-9);
  // Every traced vertex lies within the tolerance of the simplified outer ring.
  for (const XY& p : outer) {
    double best = 1e9;
    for (std::size_t i = 0; i + 1 < rings[0].points.size(); ++i)
      best = std::min(best, point_segment_distance(p, rings[0].points[i], rings[0].points[i + 1]));
    EXPECT_LE(best, 1.0 + 1e-9);
  }
}

}  // namespace
}  // namespace legalcircle
