// `legalcircle run` end to end on a real extract: every layer written, the GeoPackage opens
// with GDAL and every geometry in it is valid, roll-up totals equal the sums over units, and
// every unit counted covered lies inside its rule's circle (within a cell).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <nlohmann/json.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "legalcircle/io/gdal_handle.hpp"
#include "support/run_command.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using testing::replace_all;

// A PyQGIS check from tests/support, run by QGIS's own Python (Debian python3-qgis, which
// .ci/install-deps.sh installs: without it the script fails, and so does the test).
testing::CommandResult run_pyqgis(const std::string& script, const std::string& args) {
  return testing::run_command("QT_QPA_PLATFORM=offscreen /usr/bin/python3 " + std::string(LEGALCIRCLE_SOURCE_DIR) +
                              "/tests/support/" + script + " " + args);
}

class RunScenario : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string osm = testing::shared_file("osm/north-bayreuth.osm.gz");
    if (!fs::exists(osm)) return;
    dir_ = testing::fresh_temp_dir("run-scenario");
    // The shipped scenario, with absolute paths and per-service isochrones switched on.
    std::string yaml = testing::read_file(fs::path(LEGALCIRCLE_SOURCE_DIR) / "configs/north-bayreuth.yaml");
    yaml = replace_all(yaml, "../../shared/data", testing::shared_data_dir());
    yaml = replace_all(yaml, "file: profiles.yaml", std::string("file: ") + LEGALCIRCLE_SOURCE_DIR + "/configs/profiles.yaml");
    yaml = replace_all(yaml, "per_service: false", "per_service: true ");
    testing::write_file(dir_ / "scenario.yaml", yaml);
    result_ = testing::run_command(std::string(LEGALCIRCLE_BINARY) + " run -q " + (dir_ / "scenario.yaml").string() +
                                   " -o " + (dir_ / "out").string());
  }
  void SetUp() override {
    LEGALCIRCLE_REQUIRE_SHARED(testing::shared_file("osm/north-bayreuth.osm.gz"));
    ASSERT_EQ(result_.exit_code, 0) << result_.output;
    gdal::ensure_registered();
    gpkg_ = gdal::open_vector((dir_ / "out/legalcircle.gpkg").string());
  }
  OGRLayer* layer(const char* name) {
    OGRLayer* l = gpkg_->GetLayerByName(name);
    EXPECT_NE(l, nullptr) << name;
    return l;
  }
  static inline fs::path dir_;
  static inline testing::CommandResult result_;
  gdal::DatasetPtr gpkg_;
};

TEST_F(RunScenario, WritesEveryLayerFileAndProject) {
  for (const char* name : {"demand", "services", "circle", "isochrones", "gaps", "gap_areas", "roads",
                           "rollup_county", "rollup_town"})
    EXPECT_NE(gpkg_->GetLayerByName(name), nullptr) << name;
  for (const char* file : {"demand.geojson", "services.geojson", "circle.geojson", "isochrones.geojson",
                           "gaps.geojson", "roads.geojson", "demand.csv", "gaps.csv", "rollup_county.csv",
                           "rollup_town.csv", "legalcircle.qgs", "demand.qml", "circle.qml", "summary.json"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / file)) << file;
  EXPECT_GT(layer("isochrones")->GetFeatureCount(), 0);
  const std::string qgs = testing::read_file(dir_ / "out/legalcircle.qgs");
  EXPECT_NE(qgs.find("legalcircle.gpkg|layername=demand"), std::string::npos);
  // The project CRS of the scenario (ETRS89 / UTM 32N) is the GeoPackage's.
  const OGRSpatialReference* srs = layer("demand")->GetSpatialRef();
  ASSERT_NE(srs, nullptr);
  EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "25832");
}

TEST_F(RunScenario, QgisOpensTheProjectWithEveryLayerValidAndStyled) {
  const auto r = run_pyqgis("check_qgis_project.py", (dir_ / "out/legalcircle.qgs").string() + " " +
                                                        (dir_ / "qgis-map.png").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("project read=True crs=EPSG:25832"), std::string::npos) << r.output;
  // Every layer-tree node is attached to its layer (QGIS 3.22 re-ids short ids and detaches them),
  // and the map QGIS draws is not blank.
  EXPECT_NE(r.output.find("detached=0"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("blank=False"), std::string::npos) << r.output;
  for (const char* renderer : {"renderer=categorizedSymbol", "renderer=graduatedSymbol"})
    EXPECT_NE(r.output.find(renderer), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("valid=False"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("features=70"), std::string::npos) << "the 70 villages: " << r.output;
  // Labels on the service points, aliases in the report's language (English here).
  EXPECT_NE(r.output.find("renderer=categorizedSymbol labels=True aliases=6 id=ID name=Name"), std::string::npos)
      << r.output;
}

// Dragging the GeoPackage alone into QGIS (no project, no .qml beside it) shows the same styles:
// QGIS reads each layer's default style from the layer_styles table.
TEST_F(RunScenario, GeoPackageAloneOpensStyledInQgis) {
  const fs::path alone = dir_ / "gpkg-alone";
  fs::create_directories(alone);
  fs::copy_file(dir_ / "out/legalcircle.gpkg", alone / "legalcircle.gpkg", fs::copy_options::overwrite_existing);
  const auto r = run_pyqgis("check_gpkg_styles.py", (alone / "legalcircle.gpkg").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // north-bayreuth reports in English: aliases in English.
  for (const char* expected : {"layer services renderer=categorizedSymbol labels=True", "name=Name",
                               "layer demand renderer=categorizedSymbol", "layer circle renderer=RuleRenderer",
                               "layer roads renderer=categorizedSymbol", "layer gaps renderer=singleSymbol labels=True",
                               "population=Population"})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  // The circle opened alone shows the primary rule's band only (rules over the project's subset),
  // not every rule, mode and band stacked.
  gdal::DatasetPtr gpkg = gdal::open_vector((alone / "legalcircle.gpkg").string());
  OGRLayer* styles = gpkg->GetLayerByName("layer_styles");
  ASSERT_NE(styles, nullptr);
  styles->SetAttributeFilter("f_table_name = 'circle'");
  gdal::FeaturePtr style(styles->GetNextFeature());
  ASSERT_TRUE(style);
  const std::string qml = style->GetFieldAsString("styleQML");
  EXPECT_NE(qml.find("RuleRenderer"), std::string::npos);
  EXPECT_NE(qml.find("&quot;rule&quot; = &apos;"), std::string::npos) << qml.substr(0, 800);
  EXPECT_NE(qml.find("&quot;minutes&quot; = 15"), std::string::npos) << qml.substr(0, 800);
}

// The project's print layout has an atlas over the service points: QGIS exports one page per
// station, each titled with the station's name.
TEST_F(RunScenario, AtlasExportsOnePagePerStation) {
  const fs::path pdf = dir_ / "atlas.pdf";
  const auto r = run_pyqgis("export_atlas.py", (dir_ / "out/legalcircle.qgs").string() + " " + pdf.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto stations = layer("services")->GetFeatureCount();
  ASSERT_GT(stations, 1);
  const auto info = testing::run_command("pdfinfo " + pdf.string());
  ASSERT_EQ(info.exit_code, 0) << info.output;  // poppler-utils come with .ci/install-deps.sh
  EXPECT_NE(info.output.find("Pages:           " + std::to_string(stations) + "\n"), std::string::npos)
      << stations << " stations\n" << info.output;
  const auto text = testing::run_command("pdftotext -layout " + pdf.string() + " -");
  ASSERT_EQ(text.exit_code, 0);
  int named = 0, with_name = 0;
  OGRLayer* services = layer("services");
  services->ResetReading();
  for (gdal::FeaturePtr f(services->GetNextFeature()); f; f.reset(services->GetNextFeature())) {
    const std::string name = f->GetFieldAsString("name");
    if (name.empty()) continue;
    ++with_name;
    named += text.output.find(name) != std::string::npos;
  }
  EXPECT_GT(with_name, 0);
  EXPECT_EQ(named, with_name) << "every station's page carries its name";
  // Map labels and the scale bar are drawn as outlines in the PDF; QGIS itself tells their setup.
  EXPECT_NE(r.output.find("scalebar units=km per_segment=1.0 linked=True"), std::string::npos) << r.output;
}

TEST_F(RunScenario, EveryGeometryIsValid) {
  std::size_t checked = 0;
  for (int i = 0; i < gpkg_->GetLayerCount(); ++i) {
    OGRLayer* l = gpkg_->GetLayer(i);
    l->ResetReading();
    for (gdal::FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) {
      const OGRGeometry* g = f->GetGeometryRef();
      if (!g) continue;
      EXPECT_TRUE(g->IsValid()) << l->GetName() << " feature " << f->GetFID();
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

// Valid in the coordinates actually written: the GeoJSON copies carry 7 decimals (RFC 7946), which
// can make a valid ring touch itself; every band of every rule, mode and service is checked on
// the file as read back.
TEST_F(RunScenario, EveryPolygonIsValidInTheGeoJsonAsWritten) {
  std::size_t checked = 0;
  for (const char* name : {"circle", "isochrones", "gap_areas", "plan_circle"}) {
    const fs::path file = dir_ / "out" / (std::string(name) + ".geojson");
    if (!fs::exists(file)) continue;
    gdal::DatasetPtr ds = gdal::open_vector(file.string());
    OGRLayer* l = ds->GetLayer(0);
    for (gdal::FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) {
      const OGRGeometry* g = f->GetGeometryRef();
      if (!g) continue;
      EXPECT_TRUE(g->IsValid()) << file << " feature " << f->GetFID();
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u);
}

// Porto's circles had 8 polygons invalid once rounded to GeoJSON's 7 decimals (ring
// self-intersections): the shipped porto scenario, every polygon of its GeoJSON as read back.
TEST(RunScenarioPorto, EveryPolygonIsValidInTheGeoJsonAsWritten) {
  const std::string osm = testing::shared_file("osm/porto.osm.pbf");
  LEGALCIRCLE_REQUIRE_SHARED(osm);
  const fs::path dir = testing::fresh_temp_dir("run-porto-validity");
  const auto r = testing::run_command(std::string(LEGALCIRCLE_BINARY) + " run -q " + LEGALCIRCLE_SOURCE_DIR +
                                      "/configs/porto.yaml -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::size_t checked = 0;
  for (const char* name : {"circle", "isochrones", "plan_circle", "gap_areas"}) {
    const fs::path file = dir / "out" / (std::string(name) + ".geojson");
    if (!fs::exists(file)) continue;
    gdal::DatasetPtr ds = gdal::open_vector(file.string());
    OGRLayer* l = ds->GetLayer(0);
    for (gdal::FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
      if (const OGRGeometry* g = f->GetGeometryRef()) {
        EXPECT_TRUE(g->IsValid()) << file << " feature " << f->GetFID();
        ++checked;
      }
  }
  EXPECT_GT(checked, 100u);
  // The run's in-memory report draws exactly these polygons: re-rendering the folder gives it again.
  const auto re = testing::run_command(std::string(LEGALCIRCLE_BINARY) + " report -q " + (dir / "out").string() +
                                       " -o " + (dir / "re.html").string());
  ASSERT_EQ(re.exit_code, 0) << re.output;
  EXPECT_TRUE(testing::read_file(dir / "out" / "report.html") == testing::read_file(dir / "re.html"));
  fs::remove_all(dir);
}

TEST_F(RunScenario, RollupTotalsEqualSumsOverUnits) {
  // Sums over the demand layer, per county ("" for OSM data without admin fields).
  double population = 0, covered_population = 0;
  long units = 0, covered = 0;
  OGRLayer* demand = layer("demand");
  demand->ResetReading();
  for (gdal::FeaturePtr f(demand->GetNextFeature()); f; f.reset(demand->GetNextFeature())) {
    const int ci = f->GetFieldIndex("covered");
    if (!f->IsFieldSetAndNotNull(ci)) continue;
    ++units;
    population += f->GetFieldAsDouble("population");
    if (f->GetFieldAsInteger(ci)) {
      ++covered;
      covered_population += f->GetFieldAsDouble("population");
    }
  }
  double rows_units = 0, rows_covered = 0, rows_pop = 0, rows_cpop = 0;
  OGRLayer* county = layer("rollup_county");
  county->ResetReading();
  for (gdal::FeaturePtr f(county->GetNextFeature()); f; f.reset(county->GetNextFeature())) {
    if (std::string(f->GetFieldAsString("measure")) != "overall") continue;
    rows_units += f->GetFieldAsDouble("units");
    rows_covered += f->GetFieldAsDouble("covered_units");
    rows_pop += f->GetFieldAsDouble("population");
    rows_cpop += f->GetFieldAsDouble("covered_population");
  }
  EXPECT_EQ(rows_units, units);
  EXPECT_EQ(rows_covered, covered);
  EXPECT_NEAR(rows_pop, population, 0.5);
  EXPECT_NEAR(rows_cpop, covered_population, 0.5);
  auto summary = nlohmann::json::parse(testing::read_file(dir_ / "out/summary.json"));
  EXPECT_EQ(summary["totals"]["overall"]["units"].get<long>(), units);
  EXPECT_EQ(summary["totals"]["overall"]["covered_units"].get<long>(), covered);
  // Real OpenStreetMap roads are credited to OpenStreetMap.
  EXPECT_NE(summary["attribution"].get<std::string>().find("OpenStreetMap contributors"), std::string::npos);
  // The gap list is exactly the uncovered units.
  EXPECT_EQ(layer("gaps")->GetFeatureCount(), units - covered);
}

TEST_F(RunScenario, CoveredUnitsLieInsideTheirRulesCircle) {
  // Circle polygons of the rule at its threshold, per mode (in the GeoPackage's metric CRS).
  std::map<std::string, std::unique_ptr<OGRGeometry>> circle;
  OGRLayer* c = layer("circle");
  c->ResetReading();
  for (gdal::FeaturePtr f(c->GetNextFeature()); f; f.reset(c->GetNextFeature()))
    if (f->GetFieldAsDouble("minutes") == 15.0 && f->GetGeometryRef())
      circle[f->GetFieldAsString("mode")].reset(f->GetGeometryRef()->clone());
  ASSERT_EQ(circle.size(), 3u);
  const std::map<std::string, double> cell = {{"walk", 50}, {"ebike", 100}, {"car", 100}};
  int checked = 0;
  OGRLayer* demand = layer("demand");
  demand->ResetReading();
  for (gdal::FeaturePtr f(demand->GetNextFeature()); f; f.reset(demand->GetNextFeature())) {
    for (const auto& [mode, polygon] : circle) {
      const std::string field = "townhall_15min_" + mode + "_covered";
      const int i = f->GetFieldIndex(field.c_str());
      ASSERT_GE(i, 0) << field;
      const OGRGeometry* p = f->GetGeometryRef();
      const bool covered = f->GetFieldAsInteger(i) != 0;
      const double d = polygon->Distance(p);  // 0 inside
      if (covered) {
        EXPECT_LE(d, cell.at(mode)) << f->GetFieldAsString("id") << " " << mode << " covered but " << d << " m outside";
      } else {
        std::unique_ptr<OGRGeometry> boundary(polygon->Boundary());
        EXPECT_TRUE(d > 0 || boundary->Distance(p) <= cell.at(mode))
            << f->GetFieldAsString("id") << " " << mode << " uncovered but deep inside the circle";
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 70 * 3);
}

TEST_F(RunScenario, SameInputSameOutput) {
  const auto again = testing::run_command(std::string(LEGALCIRCLE_BINARY) + " run -q --threads 1 " +
                                          (dir_ / "scenario.yaml").string() + " -o " + (dir_ / "again").string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  for (const char* file : {"demand.csv", "gaps.csv", "rollup_town.csv", "circle.geojson", "isochrones.geojson",
                           "demand.geojson", "plan.geojson", "legalcircle.qgs", "report.html"}) {
    std::string a = testing::read_file(dir_ / "out" / file), b = testing::read_file(dir_ / "again" / file);
    if (std::string(file) == "report.html") {  // the run date is the one thing allowed to differ
      const std::regex date(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2})");  // local time and offset
      a = std::regex_replace(a, date, "DATE");
      b = std::regex_replace(b, date, "DATE");
    }
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, b) << file << " differs between two runs (2 threads vs 1)";
  }
}

// inputs.roads.cache: the first run builds and writes the cache, the second loads it instead of
// the roads; a damaged cache is said and rebuilt. Every answer is the same in all three runs.
TEST(GraphCacheRun, SameAnswersFromTheCacheAndItsDamageIsSaid) {
  const fs::path dir = testing::fresh_temp_dir("graph-cache-run");
  std::string yaml = testing::shipped_scenario_text("synthetic-county");
  yaml = replace_all(yaml, "roads.osm.pbf\n", "roads.osm.pbf\n    cache: " + (dir / "county.lcgraph").string() + "\n");
  yaml = replace_all(yaml, "per_service: true", "per_service: false");
  testing::write_file(dir / "s.yaml", yaml);
  const std::string bin = LEGALCIRCLE_BINARY;
  auto run = [&](const std::string& out) {
    return testing::run_command(bin + " run " + (dir / "s.yaml").string() + " -o " + (dir / out).string());
  };
  auto first = run("A");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("writing graph cache"), std::string::npos) << first.output;
  ASSERT_TRUE(fs::exists(dir / "county.lcgraph"));
  auto second = run("B");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("reading graph cache"), std::string::npos) << second.output;
  EXPECT_EQ(second.output.find("reading roads"), std::string::npos) << "the roads were read again";
  // Damaged: one byte in the middle.
  {
    const auto size = fs::file_size(dir / "county.lcgraph");
    std::fstream f(dir / "county.lcgraph", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(size / 2));
    f.put('\x5a');
  }
  auto third = run("C");
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("not used (checksum mismatch: the file is corrupt): rebuilt"), std::string::npos) << third.output;
  for (const char* f : {"demand.geojson", "circle.geojson", "gaps.csv", "rollup_town.csv", "legalcircle.qgs"}) {
    const std::string a = testing::read_file(dir / "A" / f);
    EXPECT_FALSE(a.empty()) << f;
    EXPECT_TRUE(a == testing::read_file(dir / "B" / f)) << f << " differs with the cache";
    EXPECT_TRUE(a == testing::read_file(dir / "C" / f)) << f << " differs after the rebuild";
  }
  // The credit still comes from the roads' header (kept in the cache).
  EXPECT_NE(testing::read_file(dir / "B" / "summary.json").find("SYNTHETIC data generated"), std::string::npos);
  fs::remove_all(dir);
}

// graph --export-csr: the CSR arrays a peer tool reads (the province bench's scipy comparison),
// sized as the graph says.
TEST(GraphExport, CsrArraysHaveTheGraphsSizes) {
  const fs::path dir = testing::fresh_temp_dir("graph-export");
  const std::string roads = std::string(LEGALCIRCLE_SOURCE_DIR) + "/geodata/synthetic-county/roads.osm.pbf";
  const auto r = testing::run_command(std::string(LEGALCIRCLE_BINARY) + " graph -q --roads " + roads + " --json " +
                                      (dir / "g.json").string() + " --export-csr " + (dir / "csr").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto stats = nlohmann::json::parse(testing::read_file(dir / "g.json"));
  const std::size_t n = stats["nodes"].get<std::size_t>(), segments = stats["segments"].get<std::size_t>();
  EXPECT_EQ(fs::file_size(dir / "csr" / "nodes.f64"), 16 * n);
  EXPECT_EQ(fs::file_size(dir / "csr" / "first_out.u32"), 4 * (n + 1));
  EXPECT_EQ(fs::file_size(dir / "csr" / "arc_head.u32"), 4 * 2 * segments);  // two arcs per segment
  for (const char* m : {"walk", "ebike", "car"})
    EXPECT_EQ(fs::file_size(dir / "csr" / (std::string("arc_in_seconds_") + m + ".f32")), 4 * 2 * segments) << m;
  const std::string first = testing::read_file(dir / "csr" / "first_out.u32");
  uint32_t last = 0;
  std::memcpy(&last, first.data() + first.size() - 4, 4);
  EXPECT_EQ(last, 2 * segments);
  fs::remove_all(dir);
}

TEST(GraphCacheRun, ADatabaseTableHasNoCache) {
  const auto r = testing::run_command(std::string(LEGALCIRCLE_BINARY) +
                                      " graph -q --roads 'PG:dbname=none password=secret' --cache /tmp/never.lcgraph");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("a cache is kept only for a roads file"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("secret"), std::string::npos) << "the password is shown";
}

}  // namespace
}  // namespace legalcircle
