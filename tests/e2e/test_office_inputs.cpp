// Inputs as county offices have them, end to end: configs/office-county.yaml reads the synthetic
// county as an Excel sheet (GCJ-02, Chinese headers), a GBK Shapefile without .cpg and a road
// layer with Chinese grades, and must give the answers of configs/synthetic-county.yaml; every
// output is valid UTF-8; wrong inputs stop early with the likely cause and no output.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/text_encoding.hpp"
#include "support/run_command.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kBinary = LEGALCIRCLE_BINARY;
const std::string kSource = LEGALCIRCLE_SOURCE_DIR;

// CSV rows by their first column (BOM stripped): header -> value.
std::map<std::string, std::map<std::string, std::string>> csv_by_id(const fs::path& p) {
  std::string text = read_file(p);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, std::map<std::string, std::string>> rows;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : l) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
      else cell += c;
    }
    cells.push_back(cell);
    return cells;
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto cells = split(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    auto& row = rows[cells[0]];
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
  }
  return rows;
}

class OfficeCounty : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = testing::fresh_temp_dir("office");
    office_ = run_command(kBinary + " run " + kSource + "/configs/office-county.yaml -o " + (dir_ / "office").string());
    clean_ = run_command(kBinary + " run -q " + kSource + "/configs/synthetic-county.yaml -o " + (dir_ / "clean").string());
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override {
    ASSERT_EQ(office_.exit_code, 0) << office_.output;
    ASSERT_EQ(clean_.exit_code, 0) << clean_.output;
  }
  static inline fs::path dir_;
  static inline testing::CommandResult office_, clean_;
};

TEST_F(OfficeCounty, SameAnswersAsTheCleanTwin) {
  const auto office = csv_by_id(dir_ / "office" / "demand.csv");
  const auto clean = csv_by_id(dir_ / "clean" / "demand.csv");
  ASSERT_EQ(office.size(), 101u);
  ASSERT_EQ(office.size(), clean.size());
  std::size_t compared = 0;
  for (const auto& [id, row] : clean) {
    ASSERT_TRUE(office.count(id)) << id;
    const auto& other = office.at(id);
    for (const auto& [col, value] : row) {
      const bool verdict = col.size() >= 7 && col.compare(col.size() - 7, 7, "covered") == 0;
      const bool minutes = col == "minutes" || (col.size() >= 8 && col.compare(col.size() - 8, 8, "_minutes") == 0);
      if (verdict) {
        EXPECT_EQ(other.at(col), value) << id << " " << col;
      }
      if (minutes && !value.empty()) {
        EXPECT_NEAR(std::stod(other.at(col)), std::stod(value), 0.011) << id << " " << col;
      }
      compared += verdict || minutes;
    }
    EXPECT_EQ(other.at("name"), row.at("name")) << "GBK names decoded";
    EXPECT_EQ(other.at("乡镇"), row.at("town")) << "the admin fields keep their Chinese names";
  }
  EXPECT_GT(compared, 1000u);
  // The plan chooses the same sites (the office's plan.csv adds x/y in its project CRS).
  const auto plan_office = csv_by_id(dir_ / "office" / "plan.csv"), plan_clean = csv_by_id(dir_ / "clean" / "plan.csv");
  ASSERT_EQ(plan_office.size(), plan_clean.size());
  for (const auto& [rank, row] : plan_clean)
    for (const auto& [col, value] : row) EXPECT_EQ(plan_office.at(rank).at(col), value) << rank << " " << col;
  EXPECT_FALSE(plan_office.begin()->second.at("x").empty());
  // Roll-ups by the Chinese admin fields equal the clean ones.
  const auto s1 = nlohmann::json::parse(read_file(dir_ / "office" / "summary.json"));
  const auto s2 = nlohmann::json::parse(read_file(dir_ / "clean" / "summary.json"));
  EXPECT_EQ(s1["totals"], s2["totals"]);
}

TEST_F(OfficeCounty, DetectionsAreSaidAndKeptInTheSummary) {
  EXPECT_NE(office_.output.find("read as GB18030"), std::string::npos) << office_.output;
  EXPECT_NE(office_.output.find("class '国道' read as highway=primary"), std::string::npos) << office_.output;
  const auto summary = nlohmann::json::parse(read_file(dir_ / "office" / "summary.json"));
  bool gb = false;
  for (const auto& w : summary["warnings"]) gb = gb || w.get<std::string>().find("GB18030") != std::string::npos;
  EXPECT_TRUE(gb) << summary["warnings"].dump();
  EXPECT_NE(read_file(dir_ / "office" / "report.html").find("GB18030"), std::string::npos);
}

// Every file a run writes is valid UTF-8: text files byte by byte, the GeoPackage field by field.
TEST_F(OfficeCounty, EveryOutputIsValidUtf8) {
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "office")) {
    const std::string ext = e.path().extension().string();
    if (ext == ".gpkg" || ext == ".tif") continue;
    const std::string text = read_file(e.path());
    EXPECT_EQ(first_invalid_utf8(text), std::string_view::npos) << e.path();
    ++files;
  }
  EXPECT_GT(files, 15u);
  gdal::ensure_registered();
  gdal::DatasetPtr ds = gdal::open_vector((dir_ / "office" / "legalcircle.gpkg").string());
  std::size_t strings = 0;
  for (int i = 0; i < ds->GetLayerCount(); ++i) {
    OGRLayer* l = ds->GetLayer(i);
    for (gdal::FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
      for (int k = 0; k < f->GetFieldCount(); ++k)
        if (f->IsFieldSetAndNotNull(k) && f->GetFieldDefnRef(k)->GetType() == OFTString) {
          ++strings;
          ASSERT_TRUE(is_valid_utf8(f->GetFieldAsString(k))) << l->GetName() << " field " << k;
        }
  }
  EXPECT_GT(strings, 1000u);
}

// A case folder with the embedded county's roads and a services file written by the test.
struct OfficeCase {
  fs::path dir = testing::fresh_temp_dir("office-case");
  ~OfficeCase() { fs::remove_all(dir); }
  std::string roads() const { return kSource + "/geodata/synthetic-county/roads.osm.pbf"; }
  std::string demand() const { return kSource + "/geodata/synthetic-county/villages.geojson"; }
};

TEST(OfficeInputs, WrongCrsStopsBeforeComputingWithTheLikelyCause) {
  OfficeCase c;
  // Gauss-Kruger x/y of two stations (CM 120E, EPSG:4549), declared as the CM 114E zone.
  write_file(c.dir / "gk.csv", "id,name,x,y\nS1,a,574000,3395000\nS2,b,578000,3398000\n");
  const auto r = run_command(kBinary + " coverage --roads " + c.roads() + " --services " + (c.dir / "gk.csv").string() +
                             " --demand " + c.demand() + " --crs EPSG:4547 -o " + (c.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // The villages' lon/lat read as CM 114E x/y lie nowhere that zone covers: the first thing read.
  EXPECT_NE(r.output.find("not a place its CRS EPSG:4547 covers"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CRS"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(c.dir / "out" / "coverage.csv"));
  // Swapped columns: said so.
  write_file(c.dir / "swapped.csv", "id,name,lon,lat\nS1,a,30.6730278,120.7792611\nS2,b,30.78,120.66\n");
  const auto s = run_command(kBinary + " coverage --roads " + c.roads() + " --services " + (c.dir / "swapped.csv").string() +
                             " --demand " + c.demand() + " -o " + (c.dir / "out").string());
  EXPECT_EQ(s.exit_code, 2) << s.output;
  EXPECT_NE(s.output.find("swapped"), std::string::npos) << s.output;
}

TEST(OfficeInputs, ErrorsStartTheirOwnLine) {
  OfficeCase c;
  write_file(c.dir / "bad.csv", "id,name,lon,lat\nS1,a,120.7,abc\n");
  const auto r = run_command(kBinary + " coverage --roads " + c.roads() + " --services " + (c.dir / "bad.csv").string() +
                             " --demand " + c.demand() + " -o " + (c.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // The stage line "reading services ... " is ended before the error is printed.
  EXPECT_NE(r.output.find(" ...\nlegalcircle: input error:"), std::string::npos) << r.output;
}

TEST(OfficeInputs, ProposalsFromAMapNeedTheirOffsetAndGetAHint) {
  OfficeCase c;
  // Two proposals near uncovered villages, in WGS-84 and as AMap gives them (GCJ-02).
  const LonLat a{120.6652092 + 0.004, 30.7855636}, b{120.70, 30.70};
  const LonLat ga = wgs84_to_gcj02(a), gb = wgs84_to_gcj02(b);
  char wgs[256], gcj[256];
  std::snprintf(wgs, sizeof wgs, "id,name,lon,lat\nP1,a,%.7f,%.7f\nP2,b,%.7f,%.7f\n", a.lon, a.lat, b.lon, b.lat);
  std::snprintf(gcj, sizeof gcj, "id,name,lon,lat\nP1,a,%.9f,%.9f\nP2,b,%.9f,%.9f\n", ga.lon, ga.lat, gb.lon, gb.lat);
  write_file(c.dir / "wgs.csv", wgs);
  write_file(c.dir / "gcj.csv", gcj);
  const std::string base = kBinary + " plan --mode walk --minutes 15 ";
  const auto w = run_command(base + "--evaluate " + (c.dir / "wgs.csv").string() + " -o " + (c.dir / "w").string());
  const auto g = run_command(base + "--evaluate " + (c.dir / "gcj.csv").string() + " --evaluate-offset gcj02 -o " +
                             (c.dir / "g").string());
  ASSERT_EQ(w.exit_code, 0) << w.output;
  ASSERT_EQ(g.exit_code, 0) << g.output;
  const auto jw = nlohmann::json::parse(read_file(c.dir / "w" / "plan.json"));
  const auto jg = nlohmann::json::parse(read_file(c.dir / "g" / "plan.json"));
  EXPECT_DOUBLE_EQ(jg["population_covered_after"].get<double>(), jw["population_covered_after"].get<double>());
  EXPECT_EQ(read_file(c.dir / "g" / "plan.csv"), read_file(c.dir / "w" / "plan.csv"));
  // Services from AMap but proposals read as WGS-84: a hint, not silence.
  write_file(c.dir / "services_gcj.csv", "id,name,lon,lat\nS1,a," + std::to_string(wgs84_to_gcj02({120.7792611, 30.6730278}).lon) +
                                             "," + std::to_string(wgs84_to_gcj02({120.7792611, 30.6730278}).lat) + "\n");
  const auto h = run_command(kBinary + " plan --roads " + c.roads() + " --demand " + c.demand() + " --services " +
                             (c.dir / "services_gcj.csv").string() + " --services-offset gcj02 --evaluate " +
                             (c.dir / "wgs.csv").string() + " -o " + (c.dir / "h").string());
  EXPECT_EQ(h.exit_code, 0) << h.output;
  EXPECT_NE(h.output.find("--evaluate-offset gcj02"), std::string::npos) << h.output;
}

// Candidate sites from Baidu (BD-09) in `plan` and from AMap (GCJ-02) in a scenario choose what
// their WGS-84 twins choose.
TEST(OfficeInputs, WebMapCandidatesChooseLikeTheirWgs84Twins) {
  OfficeCase c;
  std::string wgs = "id,name,lon,lat\n", bd = wgs, gcj = wgs;
  const LonLat sites[] = {{120.6652092 + 0.004, 30.7855636}, {120.70, 30.70}, {120.80, 30.66}, {120.75, 30.74}};
  for (std::size_t i = 0; i < 4; ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "C%zu,c,%.9f,%.9f\n", i, sites[i].lon, sites[i].lat);
    wgs += line;
    const LonLat b = wgs84_to_bd09(sites[i]), g = wgs84_to_gcj02(sites[i]);
    std::snprintf(line, sizeof line, "C%zu,c,%.9f,%.9f\n", i, b.lon, b.lat);
    bd += line;
    std::snprintf(line, sizeof line, "C%zu,c,%.9f,%.9f\n", i, g.lon, g.lat);
    gcj += line;
  }
  write_file(c.dir / "wgs.csv", wgs);
  write_file(c.dir / "bd.csv", bd);
  write_file(c.dir / "gcj.csv", gcj);
  const std::string base = kBinary + " plan -q --mode walk --minutes 15 --add 2 --candidates ";
  const auto w = run_command(base + (c.dir / "wgs.csv").string() + " -o " + (c.dir / "w").string());
  const auto b = run_command(base + (c.dir / "bd.csv").string() + " --candidates-offset bd09 -o " + (c.dir / "b").string());
  ASSERT_EQ(w.exit_code, 0) << w.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(read_file(c.dir / "b" / "plan.csv"), read_file(c.dir / "w" / "plan.csv"));
  // The scenario's inputs.candidates.offset is applied too.
  std::string yaml = read_file(kSource + "/configs/synthetic-county.yaml");
  const std::string rel = "../geodata/synthetic-county/";
  for (std::size_t at = yaml.find(rel); at != std::string::npos; at = yaml.find(rel, at))
    yaml.replace(at, rel.size(), kSource + "/geodata/synthetic-county/");
  yaml.replace(yaml.find("file: profiles.yaml"), 19, "file: " + kSource + "/configs/profiles.yaml");
  const std::string planning = "  candidates: demand ";
  yaml.replace(yaml.find(planning), planning.size(), "  candidates: layer ");
  // New town stations for the town-station rule, where the four sites make a difference.
  const std::string tier = "  tier: village_point", objective = "objective: overall";
  yaml.replace(yaml.rfind(tier), tier.size(), "  tier: town_station");
  yaml.replace(yaml.find(objective), objective.size(), "objective: rule:town_station_15min_ebike");
  auto scenario = [&](const std::string& file, const std::string& offset) {
    std::string y = yaml;
    y.replace(y.find("  # candidates:\n  #   path: candidates.csv"), 43,
              "  candidates:\n    path: " + (c.dir / file).string() + "\n    offset: " + offset);
    write_file(c.dir / (file + ".yaml"), y);
    return run_command(kBinary + " run -q " + (c.dir / (file + ".yaml")).string() + " -o " + (c.dir / ("run-" + file.substr(0, 3))).string());
  };
  const auto rw = scenario("wgs.csv", "none"), rg = scenario("gcj.csv", "gcj02");
  ASSERT_EQ(rw.exit_code, 0) << rw.output;
  ASSERT_EQ(rg.exit_code, 0) << rg.output;
  EXPECT_EQ(read_file(c.dir / "run-gcj" / "plan.csv"), read_file(c.dir / "run-wgs" / "plan.csv"));
  EXPECT_NE(read_file(c.dir / "run-wgs" / "plan.csv").find("C"), std::string::npos);
}

TEST(OfficeInputs, NamedFieldThatDoesNotExistIsAnErrorWithoutOutput) {
  OfficeCase c;
  const auto r = run_command(kBinary + " coverage --roads " + c.roads() + " --services " + kSource +
                             "/geodata/synthetic-county/services.csv --demand " + c.demand() +
                             " --demand-population-field 人口数 -o " + (c.dir / "out").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no population field '人口数'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("population"), std::string::npos) << r.output;  // the fields there are
  EXPECT_FALSE(fs::exists(c.dir / "out"));
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// geodata/office-county is what the generator writes (same points, same roads).
TEST(OfficeInputs, CommittedDataAreTheGeneratorsOutput) {
  const fs::path dir = testing::fresh_temp_dir("office-gen");
  const auto r = run_command(std::string(LEGALCIRCLE_OFFICE_INPUTS_BINARY) + " --from " + kSource +
                             "/geodata/synthetic-county --out " + (dir / "gen").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* layer : {"stations.xlsx", "villages.shp", "roads.gpkg"}) {
    gdal::DatasetPtr a = gdal::open_vector(kSource + "/geodata/office-county/" + layer);
    gdal::DatasetPtr b = gdal::open_vector((dir / "gen" / layer).string());
    OGRLayer* la = a->GetLayer(0);
    OGRLayer* lb = b->GetLayer(0);
    ASSERT_EQ(la->GetFeatureCount(), lb->GetFeatureCount()) << layer;
    for (gdal::FeaturePtr fa(la->GetNextFeature()), fb(lb->GetNextFeature()); fa && fb;
         fa.reset(la->GetNextFeature()), fb.reset(lb->GetNextFeature())) {
      for (int k = 0; k < fa->GetFieldCount(); ++k)
        ASSERT_STREQ(fa->GetFieldAsString(k), fb->GetFieldAsString(k)) << layer << " field " << k;
      if (fa->GetGeometryRef()) {
        ASSERT_TRUE(fa->GetGeometryRef()->Equals(fb->GetGeometryRef())) << layer;
      }
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle
