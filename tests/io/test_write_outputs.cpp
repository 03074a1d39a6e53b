// Writers: GeoJSON read back with GDAL, CSV compared byte for byte.
#include "legalcircle/io/write_outputs.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"

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

}  // namespace
}  // namespace legalcircle
