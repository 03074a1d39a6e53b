// Scenario files: the shipped configs load; bad files are ConfigErrors naming key and line.
#include "legalcircle/config/scenario.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = LEGALCIRCLE_SOURCE_DIR;

TEST(ScenarioShipped, SyntheticCountyLoads) {
  const Scenario s = load_scenario((kSource / "configs/synthetic-county.yaml").string());
  EXPECT_EQ(s.name, "synthetic-county");
  EXPECT_TRUE(fs::exists(s.inputs.roads.path)) << s.inputs.roads.path;
  EXPECT_TRUE(fs::exists(s.inputs.services.path));
  EXPECT_TRUE(fs::exists(s.inputs.demand.path));
  EXPECT_EQ(fs::path(s.inputs.demand.path).filename(), "villages.geojson");
  EXPECT_EQ(s.inputs.services.tier_field, "tier");
  ASSERT_EQ(s.tiers.size(), 3u);
  EXPECT_EQ(s.tiers[0].name, "center");
  EXPECT_GT(s.find_tier("center")->level, s.find_tier("village_point")->level);
  EXPECT_EQ(s.tiers[0].label, "县级公共法律服务中心");
  ASSERT_EQ(s.rules.size(), 3u);
  EXPECT_EQ(s.rules[0].tier, "");
  EXPECT_EQ(s.rules[0].modes.size(), 3u);
  EXPECT_EQ(s.rules[1].tier, "town_station");
  EXPECT_TRUE(s.rules[1].higher_tiers_serve);
  ASSERT_TRUE(s.rules[2].threshold_km.has_value());
  EXPECT_DOUBLE_EQ(*s.rules[2].threshold_km, 1.2);
  EXPECT_EQ(s.rules[2].applies_to, AreaClass::urban);
  EXPECT_EQ(s.inputs.demand.admin.village_code, "village_code");
  // The admin fields are kept by the point reader for the outputs.
  const auto& keep = s.inputs.demand.read.keep_fields;
  EXPECT_NE(std::find(keep.begin(), keep.end(), "town_code"), keep.end());
  ASSERT_TRUE(s.planning.has_value());
  EXPECT_EQ(s.planning->add, 3);
  EXPECT_EQ(s.isochrones.bands_minutes, (std::vector<double>{5, 10, 15}));
  EXPECT_TRUE(s.outputs.csv_bom);
  EXPECT_EQ(s.profiles.direction, Direction::to_service);
  EXPECT_DOUBLE_EQ(s.profiles.profiles.max_snap_m, 1000.0);
}

TEST(ScenarioShipped, ZhejiangStandardLoads) {
  const Scenario s = load_scenario((kSource / "configs/zhejiang-standard.yaml").string());
  ASSERT_TRUE(s.standard.has_value());
  EXPECT_TRUE(s.rules.empty());  // the standard is the rule set
  const ProvincialStandard& st = *s.standard;
  EXPECT_EQ(st.basis, StandardBasis::distance);
  EXPECT_EQ(st[AreaClass::urban].mode, Mode::walk);
  EXPECT_DOUBLE_EQ(st[AreaClass::urban].km, 1.2);
  EXPECT_EQ(st[AreaClass::rural].mode, Mode::ebike);
  EXPECT_DOUBLE_EQ(st[AreaClass::rural].km, 2.0);
  EXPECT_EQ(st[AreaClass::remote].mode, Mode::car);
  EXPECT_DOUBLE_EQ(st[AreaClass::remote].km, 3.0);
  EXPECT_EQ(st.type_classes.at("社区"), AreaClass::urban);
  EXPECT_EQ(st.type_classes.at("村"), AreaClass::rural);
}

// The real-extract configs point into ../shared/data; where it is absent their schema is still
// checked, without the files.
TEST(ScenarioShipped, RealExtractConfigsLoad) {
  for (const char* name : {"north-bayreuth", "porto"}) {
    SCOPED_TRACE(name);
    const fs::path file = kSource / "configs" / (std::string(name) + ".yaml");
    ScenarioLoadOptions options;
    const fs::path osm = kSource / ".." / "shared" / "data" / "osm";
    if (!fs::exists(osm)) {
      std::cout << "[ note ] " << osm << " absent: checking " << name
                << ".yaml without its input files\n";
      options.check_files = false;
    }
    const Scenario s = load_scenario(file.string(), options);
    EXPECT_EQ(s.name, name);
    EXPECT_EQ(s.inputs.services.path, s.inputs.roads.path);
    EXPECT_FALSE(s.inputs.services.read.osm_filter.empty());
    EXPECT_FALSE(s.inputs.demand.read.osm_filter.empty());
    EXPECT_TRUE(s.tiers.empty());
    EXPECT_FALSE(s.rules.empty());
    ASSERT_TRUE(s.planning.has_value());
  }
}

TEST(ScenarioShipped, EveryShippedScenarioLoads) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kSource / "configs")) {
    if (entry.path().extension() != ".yaml" || entry.path().filename() == "profiles.yaml")
      continue;
    SCOPED_TRACE(entry.path().string());
    ScenarioLoadOptions options;
    options.check_files = fs::exists(kSource / ".." / "shared" / "data" / "osm");
    EXPECT_NO_THROW(load_scenario(entry.path().string(), options));
    ++count;
  }
  EXPECT_GE(count, 4);
}

// ---------------------------------------------------------------------------------------------
// Bad scenario files written by the tests.

class ScenarioErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lc_scenario_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    for (const char* f : {"roads.osm.pbf", "services.csv", "villages.geojson"})
      std::ofstream(dir_ / "data" / f) << "x";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text) const {
    const std::string file = (dir_ / "scenario.yaml").string();
    std::ofstream(file) << text;
    return file;
  }

  // Loads `text` and returns the ConfigError's message (empty when it loaded).
  std::string error_of(const std::string& text) const {
    try {
      load_scenario(write(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  // The message names the file, the line and the key.
  void expect_error(const std::string& text, int line, const std::string& key,
                    const std::string& what = "") const {
    const std::string msg = error_of(text);
    ASSERT_FALSE(msg.empty()) << "loaded without an error";
    EXPECT_NE(msg.find((dir_ / "scenario.yaml").string() + ":" + std::to_string(line) + ":"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("key '" + key + "'"), std::string::npos) << msg;
    if (!what.empty()) {
      EXPECT_NE(msg.find(what), std::string::npos) << msg;
    }
  }

  fs::path dir_;
};

// Lines 1-7; tests append from line 8.
const std::string kInputs =
    "inputs:\n"
    "  roads: data/roads.osm.pbf\n"
    "  services:\n"
    "    path: data/services.csv\n"
    "  demand:\n"
    "    path: data/villages.geojson\n"
    "tiers: [{name: center, level: 2}, {name: village_point, level: 1}]\n";

TEST_F(ScenarioErrors, MinimalFileLoadsWithDefaultsAndResolvedPaths) {
  const Scenario s = load_scenario(write(kInputs));
  EXPECT_EQ(s.inputs.roads.path, (dir_ / "data/roads.osm.pbf").lexically_normal().string());
  EXPECT_EQ(s.name, "scenario");
  ASSERT_EQ(s.rules.size(), 1u);  // the default rule: every service, 15 minutes, three modes
  EXPECT_EQ(*s.rules[0].threshold_minutes, 15.0);
  EXPECT_EQ(s.rules[0].modes.size(), 3u);
  EXPECT_EQ(s.isochrones.cell_m[static_cast<std::size_t>(Mode::car)], 100.0);
  EXPECT_TRUE(s.outputs.geopackage);
  EXPECT_EQ(s.outputs.lang, "zh");
  EXPECT_EQ(s.inputs.services.read.offset, OffsetSystem::wgs84);
  EXPECT_EQ(s.inputs.services.read.osm_filter, kDefaultServiceOsmFilter);
  EXPECT_TRUE(s.outputs.csv_bom) << "Chinese reports: CSV with a BOM for Excel by default";
  EXPECT_FALSE(s.outputs.csv_header_labels);
}

// `services: file.csv` reads the tier field like the long form (the shorthand lost it).
TEST_F(ScenarioErrors, ShorthandServicesKeepTheTierField) {
  const Scenario s = load_scenario(write(kInputs));
  const auto& keep = s.inputs.services.read.keep_if_present;
  EXPECT_NE(std::find(keep.begin(), keep.end(), "tier"), keep.end());
  EXPECT_EQ(s.inputs.services.tier_field, "tier");
}

TEST_F(ScenarioErrors, CsvDefaultsFollowTheReportLanguage) {
  EXPECT_FALSE(load_scenario(write(kInputs + "outputs:\n  lang: en\n")).outputs.csv_bom);
  EXPECT_TRUE(load_scenario(write(kInputs + "outputs:\n  lang: en\n  csv_bom: true\n")).outputs.csv_bom);
  EXPECT_FALSE(load_scenario(write(kInputs + "outputs:\n  csv_bom: false\n")).outputs.csv_bom);
  EXPECT_TRUE(load_scenario(write(kInputs + "outputs:\n  csv_headers: labels\n")).outputs.csv_header_labels);
  expect_error(kInputs + "outputs:\n  csv_headers: chinese\n", 9, "outputs.csv_headers", "fields or labels");
}

TEST_F(ScenarioErrors, UnknownKey) {
  expect_error(kInputs +
                   "rules:\n"
                   "  - name: a\n"
                   "    threshold_minutes: 15\n"
                   "    modes: [walk]\n"
                   "    treshold_km: 2\n",  // line 12, a typo
               12, "rules[0].treshold_km", "unknown key");
  expect_error(kInputs + "outputs:\n  geopackge: true\n", 9, "outputs.geopackge", "unknown key");
  expect_error("inputs:\n  roads: data/roads.osm.pbf\n  service: data/services.csv\n", 3,
               "inputs.service", "unknown key");
}

TEST_F(ScenarioErrors, WrongType) {
  expect_error(kInputs + "isochrones:\n  bands: [5, ten, 15]\n", 9, "isochrones.bands[1]",
               "expected a number");
  expect_error(kInputs + "outputs:\n  csv: maybe\n", 9, "outputs.csv", "true or false");
  expect_error(kInputs + "profiles:\n  max_snap_m: far\n", 9, "profiles.max_snap_m",
               "expected a number");
  expect_error("inputs:\n  roads: data/roads.osm.pbf\n  services: data/services.csv\n"
               "  demand: data/villages.geojson\ntiers: center\n",
               5, "tiers", "expected a list");
  expect_error(kInputs + "tiers: []\n", 8, "tiers", "given twice");
  expect_error(kInputs +
                   "rules:\n"
                   "  - name: a\n"
                   "    threshold_minutes: 15\n"
                   "    modes: [walk, bus]\n",
               11, "rules[0].modes[1]", "unknown mode 'bus'");
}

TEST_F(ScenarioErrors, MissingInput) {
  expect_error("inputs:\n  roads: data/roads.osm.pbf\n  demand: data/villages.geojson\n", 2,
               "inputs.services", "missing");
  expect_error("inputs:\n  roads: {layer: roads}\n  services: data/services.csv\n"
               "  demand: data/villages.geojson\n",
               2, "inputs.roads.path", "missing");
  // A path given but no file there: the message names the resolved path.
  const std::string msg = error_of(
      "inputs:\n  roads: data/roads.osm.pbf\n  services:\n    path: data/nothere.csv\n"
      "  demand: data/villages.geojson\n");
  EXPECT_NE(msg.find("scenario.yaml:4:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("key 'inputs.services.path'"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir_ / "data/nothere.csv").string()), std::string::npos) << msg;
}

TEST_F(ScenarioErrors, RuleWithNoMode) {
  expect_error(kInputs +
                   "rules:\n"
                   "  - name: ok\n"
                   "    threshold_minutes: 15\n"
                   "    modes: [walk]\n"
                   "  - name: nomode\n"  // line 12
                   "    threshold_minutes: 15\n"
                   "    modes: []\n",  // line 14
               14, "rules[1].modes", "at least one mode");
  expect_error(kInputs +
                   "rules:\n"
                   "  - name: nomode\n"  // line 9
                   "    threshold_minutes: 15\n",
               9, "rules[0].modes", "at least one mode");
}

TEST_F(ScenarioErrors, UnknownTier) {
  expect_error(kInputs +
                   "rules:\n"
                   "  - name: a\n"
                   "    tier: town_station\n"  // line 10
                   "    threshold_minutes: 15\n"
                   "    modes: [ebike]\n",
               10, "rules[0].tier", "unknown tier 'town_station'");
  expect_error(kInputs + "planning:\n  add: 2\n  tier: township\n", 10, "planning.tier",
               "unknown tier");
}

TEST_F(ScenarioErrors, OtherValidation) {
  expect_error(kInputs + "rules:\n  - name: a\n    modes: [walk]\n", 9, "rules[0]",
               "threshold_minutes or threshold_km");
  expect_error(kInputs + "standard: {basis: distance}\n", 8, "standard", "area class");
  expect_error(kInputs + "planning:\n  candidates: layer\n  add: 2\n", 9, "planning.candidates",
               "inputs.candidates");
  expect_error(kInputs + "planning:\n  add: 2\n  target: 0.9\n", 9, "planning", "exactly one");
  expect_error(kInputs + "planning:\n  objective: rule:nope\n  add: 2\n", 9, "planning.objective", "no rule 'nope'");
  expect_error(kInputs + "planning:\n  objective: standard\n  add: 2\n", 9, "planning.objective", "needs a standard");
  expect_error(kInputs + "planning:\n  objective: best\n  add: 2\n", 9, "planning.objective", "overall, standard or rule:");
  // Grid spacing is checked when the scenario is loaded (it used to fail after all the
  // computing, naming a --candidates flag the user never gave).
  expect_error(kInputs + "planning:\n  candidates: grid:5\n  add: 2\n", 9, "planning.candidates",
               "at least 10 m");
  expect_error(kInputs + "planning:\n  candidates: grid:abc\n  add: 2\n", 9, "planning.candidates",
               "grid:<metres>");
  expect_error(kInputs + "planning:\n  candidates: villages.csv\n  add: 2\n", 9, "planning.candidates",
               "layer, demand or grid");
  expect_error(kInputs + "isochrones:\n  bands: [15, 10]\n", 9, "isochrones.bands[1]",
               "ascending");
  expect_error(kInputs + "profiles:\n  direction: sideways\n", 9, "profiles.direction",
               "to_service");
  expect_error(kInputs + "outputs:\n  project_crs: 4549\n", 9, "outputs.project_crs", "EPSG:");
  // An unknown EPSG code is caught when the scenario is loaded, not after all the computing.
  expect_error(kInputs + "outputs:\n  project_crs: EPSG:45490\n", 9, "outputs.project_crs", "unknown CRS");
  const std::string msg = error_of("inputs: [\n");
  EXPECT_NE(msg.find("scenario.yaml:"), std::string::npos) << msg;  // YAML syntax error
  EXPECT_NE(error_of("").find("inputs"), std::string::npos);        // empty file
}

TEST(ScenarioFiles, MissingScenarioFile) {
  try {
    load_scenario("/nonexistent/scenario.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/scenario.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace legalcircle
