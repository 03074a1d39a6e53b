// The command-line program end to end: the embedded default, the output contract, and bad input
// giving a clear message, a non-zero exit and no partial output.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "legalcircle/core/chinese_offsets.hpp"
#include "support/run_command.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using testing::fresh_temp_dir;
using testing::read_file;
using testing::run_command;
using testing::write_file;
using testing::replace_all;
using testing::shipped_scenario_text;
using testing::synthetic_inputs_yaml;

const std::string kBinary = LEGALCIRCLE_BINARY;

// A 1 km east-west residential road at lat 30.75 (nodes every ~100 m).
std::string tiny_osm() {
  std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n";
  for (int i = 0; i <= 10; ++i)
    xml += "<node id='" + std::to_string(i + 1) + "' lat='30.75' lon='" +
           std::to_string(120.75 + i * 0.001044) + "'/>\n";
  xml += "<way id='1'>";
  for (int i = 0; i <= 10; ++i) xml += "<nd ref='" + std::to_string(i + 1) + "'/>";
  xml += "<tag k='highway' v='residential'/><tag k='name' v='长水路'/></way>\n</osm>\n";
  return xml;
}

struct TinyCase {
  fs::path dir = fresh_temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::path roads = dir / "roads.osm";
  fs::path services = dir / "services.csv";
  fs::path demand = dir / "demand.csv";
  fs::path out = dir / "out";
  TinyCase() {
    write_file(roads, tiny_osm());
    write_file(services, "id,name,lon,lat\nS1,城东公共法律服务站,120.75,30.7501\n");
  }
  testing::CommandResult run(const std::string& extra = "") const {
    return run_command(kBinary + " coverage -q --roads " + roads.string() + " --services " +
                       services.string() + " --demand " + demand.string() + " -o " + out.string() +
                       " " + extra);
  }
  bool out_has_files() const { return fs::exists(out) && !fs::is_empty(out); }
};

TEST(Cli, HelpListsCommandsAndExamples) {
  auto r = run_command(kBinary + " --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("coverage"), std::string::npos);
  EXPECT_NE(r.output.find("Examples"), std::string::npos);
  auto c = run_command(kBinary + " coverage --help");
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.output.find("--max-snap-m"), std::string::npos);
}

TEST(Cli, CoverageWritesTheContractColumnsAndReportsFarPointsAsUnreachable) {
  TinyCase t;
  // V1 on the road 500 m east of S1; V2 about 50 km away: unreachable, still in the output.
  write_file(t.demand, "id,name,population,lon,lat\nV1,南湖村,1200,120.7552,30.7501\nV2,远村,300,121.25,30.75\n");
  auto r = t.run("--mode walk,car");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = read_file(t.out / "coverage.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "id,name,population,mode,nearest_service_id,minutes,covered,snap_m,reason");
  // walk: ~500 m at 1.25 m/s plus two ~11 m access legs: about 6.97 minutes.
  EXPECT_NE(csv.find("V1,南湖村,1200,walk,S1,6.9"), std::string::npos) << csv;
  EXPECT_NE(csv.find("V2,远村,300,walk,,,false,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("no road within max_snap_m"), std::string::npos);
  auto summary = nlohmann::json::parse(read_file(t.out / "summary.json"));
  EXPECT_EQ(summary["units"], 2);
  EXPECT_EQ(summary["modes"]["walk"]["covered_units"], 1);
  EXPECT_EQ(summary["modes"]["walk"]["unreachable_units"], 1);
  EXPECT_DOUBLE_EQ(summary["modes"]["walk"]["covered_population"].get<double>(), 1200.0);
  EXPECT_TRUE(summary["timings"].contains("build_graph_s"));
  // Minutes are not capped: with a 5-minute threshold V1 is uncovered but still says ~6.97.
  auto r5 = t.run("--minutes 5");
  ASSERT_EQ(r5.exit_code, 0) << r5.output;
  EXPECT_NE(read_file(t.out / "coverage.csv").find("V1,南湖村,1200,walk,S1,6.9"), std::string::npos);
  EXPECT_TRUE(fs::exists(t.out / "coverage.geojson"));
  // No staging leftovers.
  for (const auto& e : fs::directory_iterator(t.out))
    EXPECT_EQ(e.path().filename().string().rfind(".legalcircle-staging", 0), std::string::npos);
}

struct BadInput {
  std::string name;
  std::string demand_file;     // file name inside the case folder
  std::string demand_text;     // its content; empty: do not create it
  std::string expected;        // part of the error message
};

// What ctest and gtest print for a case (instead of the struct's bytes).
void PrintTo(const BadInput& b, std::ostream* os) { *os << b.name << " (" << b.demand_file << ")"; }

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, FailsClearlyWithoutOutput) {
  const BadInput& b = GetParam();
  TinyCase t;
  t.demand = t.dir / b.demand_file;
  if (!b.demand_text.empty()) write_file(t.demand, b.demand_text);
  auto r = t.run();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(b.expected), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(b.demand_file), std::string::npos) << "message names the file: " << r.output;
  EXPECT_FALSE(t.out_has_files()) << "partial output left in " << t.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadInput{"missing_file", "nowhere.csv", "", "not found"},
        BadInput{"header_only_csv", "empty.csv", "id,name,lon,lat\n", "no points"},
        BadInput{"missing_lonlat", "nocoords.csv", "id,name,east,north\nV1,a,1,2\n", "lon"},
        BadInput{"non_numeric", "text.csv", "id,name,lon,lat\nV1,a,120.75,abc\n", "line 2"},
        BadInput{"empty_layer", "empty.geojson", R"({"type":"FeatureCollection","features":[]})",
                 "empty"},
        BadInput{"unreadable", "garbage.geojson", "this is not json {", "garbage.geojson"},
        BadInput{"projected_without_crs", "projected.geojson",
                 R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"V1"},)"
                 R"("geometry":{"type":"Point","coordinates":[574000.0,3402000.0]}}]})",
                 "--crs"}),
    [](const auto& test_case) { return test_case.param.name; });

TEST(Cli, MissingRoadsFileIsAnInputError) {
  TinyCase t;
  write_file(t.demand, "id,name,lon,lat\nV1,a,120.7552,30.7501\n");
  auto r = run_command(kBinary + " coverage -q --roads " + (t.dir / "none.osm.pbf").string() +
                       " --services " + t.services.string() + " --demand " + t.demand.string() +
                       " -o " + t.out.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("none.osm.pbf"), std::string::npos) << r.output;
  EXPECT_FALSE(t.out_has_files());
}

TEST(Cli, BadOptionValuesAreConfigurationErrors) {
  TinyCase t;
  write_file(t.demand, "id,name,lon,lat\nV1,a,120.7552,30.7501\n");
  EXPECT_EQ(t.run("--mode bicycle").exit_code, 3);
  EXPECT_EQ(t.run("--minutes -2").exit_code, 3);
  EXPECT_FALSE(t.out_has_files());
}

TEST(Cli, GisRoadLayerWithFieldMapping) {
  TinyCase t;
  // The same 1 km road as a GeoJSON line whose class lives in field "dengji".
  const fs::path roads = t.dir / "roads.geojson";
  write_file(roads, R"({"type":"FeatureCollection","features":[{"type":"Feature",)"
                    R"("properties":{"dengji":"residential","mingcheng":"长水路"},)"
                    R"("geometry":{"type":"LineString","coordinates":[[120.75,30.75],[120.7604,30.75]]}}]})");
  write_file(t.demand, "id,name,population,lon,lat\nV1,南湖村,1200,120.7552,30.7501\n");
  auto r = run_command(kBinary + " coverage -q --roads " + roads.string() + " --road-class-field dengji" +
                       " --road-name-field mingcheng --services " + t.services.string() +
                       " --demand " + t.demand.string() + " -o " + t.out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(read_file(t.out / "coverage.csv").find("V1,南湖村,1200,walk,S1,6.9"), std::string::npos);
  // Without the mapping the class field is missing: a clear error naming the field.
  auto bad = run_command(kBinary + " coverage -q --roads " + roads.string() + " --services " +
                         t.services.string() + " --demand " + t.demand.string() + " -o " +
                         (t.dir / "out2").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("highway"), std::string::npos) << bad.output;
}

// Signed area of a ring in lon/lat (shoelace): > 0 counterclockwise.
double signed_area(const nlohmann::json& ring) {
  double a = 0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    a += ring[i][0].get<double>() * ring[i + 1][1].get<double>() - ring[i + 1][0].get<double>() * ring[i][1].get<double>();
  return a / 2;
}

TEST(Cli, IsochronesWriteCircleAndPerServicePolygonsInRfc7946Order) {
  const fs::path out = fresh_temp_dir("isochrones") / "out";
  auto r = run_command(kBinary + " isochrones -q --mode walk,car --minutes 5,10,15 --geotiff -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto circle = nlohmann::json::parse(read_file(out / "circle.geojson"));
  ASSERT_EQ(circle["features"].size(), 6u);  // 3 bands x 2 modes
  double last_area = 0;
  int holes = 0;
  for (const auto& f : circle["features"]) {
    const auto& p = f["properties"];
    EXPECT_TRUE(p.contains("minutes") && p.contains("mode") && p.contains("area_km2"));
    if (p["mode"] == "walk") {
      EXPECT_GT(p["area_km2"].get<double>(), last_area) << "bands grow";
      last_area = p["area_km2"].get<double>();
    }
    ASSERT_EQ(f["geometry"]["type"], "MultiPolygon");
    for (const auto& polygon : f["geometry"]["coordinates"]) {
      EXPECT_GT(signed_area(polygon[0]), 0) << "exterior ring counterclockwise (RFC 7946)";
      for (std::size_t k = 1; k < polygon.size(); ++k, ++holes)
        EXPECT_LT(signed_area(polygon[k]), 0) << "holes clockwise";
    }
  }
  auto per_service = nlohmann::json::parse(read_file(out / "isochrones.geojson"));
  EXPECT_EQ(per_service["features"].size(), 12u * 3u * 2u);  // 12 services, 3 bands, 2 modes
  EXPECT_TRUE(per_service["features"][0]["properties"].contains("service_id"));
  EXPECT_TRUE(fs::exists(out / "circle_walk_minutes.tif"));
  auto info = run_command("gdalinfo " + (out / "circle_car_minutes.tif").string());
  ASSERT_EQ(info.exit_code, 0) << info.output;  // gdal-bin comes with .ci/install-deps.sh
  EXPECT_NE(info.output.find("NoData Value=-1"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("ID[\"EPSG\",32651]"), std::string::npos) << "the UTM zone of Jiaxing\n" << info.output;
}

TEST(Cli, WebMapOffsetsAreConvertedToWgs84) {
  TinyCase t;
  write_file(t.demand, "id,name,population,lon,lat\nV1,南湖村,1200,120.7552,30.7501\n");
  ASSERT_EQ(t.run().exit_code, 0);
  const std::string wgs_csv = read_file(t.out / "coverage.csv");
  // The same service as AMap (GCJ-02) would geocode it: ~500 m off, unless converted back.
  const LonLat gcj = wgs84_to_gcj02({120.75, 30.7501});
  write_file(t.services, "id,name,lon,lat\nS1,城东公共法律服务站," + std::to_string(gcj.lon) + "," +
                             std::to_string(gcj.lat) + "\n");
  ASSERT_EQ(t.run().exit_code, 0);
  EXPECT_NE(read_file(t.out / "coverage.csv"), wgs_csv) << "unconverted GCJ-02 moves the service";
  ASSERT_EQ(t.run("--services-offset gcj02").exit_code, 0);
  EXPECT_EQ(read_file(t.out / "coverage.csv"), wgs_csv);
  EXPECT_EQ(t.run("--services-offset mars").exit_code, 3);
}

TEST(Cli, RunWithPolygonDemandWritesGapAreas) {
  TinyCase t;
  // Two square "villages" (polygons, EPSG:4326): one 1.8 km wide around the service, one 3 km east.
  auto square = [](double lon, double lat, double d) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]", lon - d, lat - d, lon + d, lat - d,
                  lon + d, lat + d, lon - d, lat + d, lon - d, lat - d);
    return std::string(buf);
  };
  write_file(t.dir / "villages.geojson",
             R"({"type":"FeatureCollection","features":[)"
             R"({"type":"Feature","properties":{"id":"A","name":"近村","population":1000,"county":"示例县","town":"甲镇"},"geometry":{"type":"Polygon","coordinates":)" +
                 square(120.752, 30.7501, 0.008) +
                 R"(}},{"type":"Feature","properties":{"id":"B","name":"远村","population":500,"county":"示例县","town":"乙镇"},"geometry":{"type":"Polygon","coordinates":)" +
                 square(120.785, 30.7501, 0.002) + "}}]}");
  write_file(t.dir / "scenario.yaml", "name: polygons\ninputs:\n  roads: roads.osm\n  services: services.csv\n"
                                      "  demand:\n    path: villages.geojson\n    admin: {county: county, town: town}\n"
                                      "rules:\n  - {name: walk15, threshold_minutes: 15, modes: [walk]}\n"
                                      "isochrones: {per_service: false}\noutputs: {qgis: false, report: false}\n");
  auto r = run_command(kBinary + " run -q " + (t.dir / "scenario.yaml").string() + " -o " + t.out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto gap_areas = nlohmann::json::parse(read_file(t.out / "gap_areas.geojson"));
  std::map<std::string, double> share;
  for (const auto& f : gap_areas["features"])
    share[f["properties"]["id"].get<std::string>()] = f["properties"]["outside_share"].get<double>();
  ASSERT_EQ(share.count("B"), 1u);
  EXPECT_NEAR(share["B"], 1.0, 1e-3) << "B is 3 km away: all of it outside the 15-minute walk";
  ASSERT_EQ(share.count("A"), 1u) << "A's corners (890 m off the road) are beyond the circle";
  EXPECT_GT(share["A"], 0.0);
  EXPECT_LT(share["A"], 0.9);
  const std::string town = read_file(t.out / "rollup_town.csv");
  EXPECT_NE(town.find("overall,示例县,甲镇,1,1,0,0,1000,1000,1.0000,1.0000"), std::string::npos) << town;
  EXPECT_NE(town.find("overall,示例县,乙镇,1,0,1,1,500,0,0.0000,0.0000"), std::string::npos) << town;
}

TEST(Cli, PlanChoosesSitesWithACertifiedGapAndEvaluateAgrees) {
  const fs::path dir = fresh_temp_dir("plan");
  auto r = run_command(kBinary + " plan -q --candidates demand --add 3 -o " + (dir / "mclp").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto plan = nlohmann::json::parse(read_file(dir / "mclp/plan.json"));
  const double objective = plan["objective_population"], bound = plan["upper_bound_population"];
  EXPECT_GT(objective, plan["population_covered_before"].get<double>());
  EXPECT_GE(bound, objective);
  EXPECT_NEAR(plan["gap"].get<double>(), (bound - objective) / bound, 1e-9);
  EXPECT_DOUBLE_EQ(plan["population_covered_after"].get<double>(), objective);
  auto sites = nlohmann::json::parse(read_file(dir / "mclp/plan.geojson"))["features"];
  ASSERT_EQ(sites.size(), 3u);
  EXPECT_EQ(sites[0]["properties"]["rank"], 1);
  EXPECT_GE(sites[0]["properties"]["gain_population"].get<double>(), sites[1]["properties"]["gain_population"].get<double>());
  EXPECT_TRUE(fs::exists(dir / "mclp/circle.geojson"));
  // What-if with the same three sites (as a CSV of their coordinates) gives the same after.
  std::string proposals = "id,name,lon,lat\n";
  for (const auto& f : sites)
    proposals += f["properties"]["id"].get<std::string>() + ",p," + std::to_string(f["geometry"]["coordinates"][0].get<double>()) +
                 "," + std::to_string(f["geometry"]["coordinates"][1].get<double>()) + "\n";
  write_file(dir / "proposals.csv", proposals);
  auto e = run_command(kBinary + " plan -q --evaluate " + (dir / "proposals.csv").string() + " -o " + (dir / "what-if").string());
  ASSERT_EQ(e.exit_code, 0) << e.output;
  auto what_if = nlohmann::json::parse(read_file(dir / "what-if/plan.json"));
  EXPECT_NEAR(what_if["population_covered_after"].get<double>(), objective, 1.0);
  // LSCP: the fewest sites for 60 %, never fewer than its proven lower bound.
  auto l = run_command(kBinary + " plan -q --candidates demand --target 0.6 -o " + (dir / "lscp").string());
  ASSERT_EQ(l.exit_code, 0) << l.output;
  auto lscp = nlohmann::json::parse(read_file(dir / "lscp/plan.json"));
  EXPECT_GE(lscp["share"].get<double>(), 0.6);
  EXPECT_LE(lscp["lower_bound_sites"].get<int>(), lscp["sites"].get<int>());
  // One of --add, --target, --evaluate.
  EXPECT_EQ(run_command(kBinary + " plan -q -o " + (dir / "none").string()).exit_code, 3);
  EXPECT_EQ(run_command(kBinary + " plan -q --add 2 --target 0.5 -o " + (dir / "both").string()).exit_code, 3);
  EXPECT_EQ(run_command(kBinary + " plan -q --candidates grid:abc --add 2 -o " + (dir / "grid").string()).exit_code, 3);
}

TEST(Cli, GraphPrintsPerModeStatistics) {
  TinyCase t;
  auto r = run_command(kBinary + " graph -q --roads " + t.roads.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("walk"), std::string::npos);
  EXPECT_NE(r.output.find("car"), std::string::npos);
}

TEST(Cli, EmbeddedDefaultRunsAndFindsGaps) {
  const fs::path out = fresh_temp_dir("embedded") / "out";
  auto r = run_command(kBinary + " coverage -q --mode walk,ebike,car -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = nlohmann::json::parse(read_file(out / "summary.json"));
  EXPECT_GE(s["units"].get<int>(), 80);
  const double walk = s["modes"]["walk"]["covered_share_population"];
  const double car = s["modes"]["car"]["covered_share_population"];
  EXPECT_GT(walk, 0.0);
  EXPECT_LT(walk, 1.0) << "the synthetic county is built to have walking gaps";
  EXPECT_GE(car, walk);
  // Deterministic: a second run gives the same table.
  const fs::path out2 = out.parent_path() / "out2";
  ASSERT_EQ(run_command(kBinary + " coverage -q --mode walk,ebike,car -o " + out2.string()).exit_code, 0);
  EXPECT_EQ(read_file(out / "coverage.csv"), read_file(out2 / "coverage.csv"));
  EXPECT_EQ(read_file(out / "coverage.geojson"), read_file(out2 / "coverage.geojson"));
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// -o names a folder, a lone GeoPackage (run) or a database (run); anything else that looks like a
// file is refused before any work, with what it could be instead.
TEST(CliOutputTarget, WrongTargetsFailBeforeTheWork) {
  const fs::path dir = fresh_temp_dir("output-target");
  const std::string scenario = std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/synthetic-county.yaml";
  auto geojson = run_command(kBinary + " run " + scenario + " -o " + (dir / "x.geojson").string());
  EXPECT_EQ(geojson.exit_code, 3) << geojson.output;
  EXPECT_NE(geojson.output.find("looks like a geojson file"), std::string::npos) << geojson.output;
  EXPECT_EQ(geojson.output.find("reading roads"), std::string::npos) << "refused before reading: " << geojson.output;
  write_file(dir / "a-file", "x");
  auto file = run_command(kBinary + " coverage -o " + (dir / "a-file").string());
  EXPECT_EQ(file.exit_code, 3) << file.output;
  EXPECT_NE(file.output.find("is a file, not a folder"), std::string::npos) << file.output;
  auto gpkg_coverage = run_command(kBinary + " coverage -o " + (dir / "c.gpkg").string());
  EXPECT_EQ(gpkg_coverage.exit_code, 3) << gpkg_coverage.output;
  EXPECT_NE(gpkg_coverage.output.find("only 'run'"), std::string::npos) << gpkg_coverage.output;
  auto schema = run_command(kBinary + " run " + scenario + " --schema s -o " + (dir / "out").string());
  EXPECT_EQ(schema.exit_code, 3) << schema.output;
  auto no_parent = run_command(kBinary + " run " + scenario + " -o " + (dir / "missing/r.gpkg").string());
  EXPECT_EQ(no_parent.exit_code, 3) << no_parent.output;
  EXPECT_NE(no_parent.output.find("does not exist"), std::string::npos) << no_parent.output;
  EXPECT_FALSE(fs::exists(dir / "x.geojson"));
  EXPECT_FALSE(fs::exists(dir / "c.gpkg"));
}

TEST(CliOutputTarget, RunIntoAGeoPackageWritesThatFileAlone) {
  const fs::path dir = fresh_temp_dir("output-gpkg");
  const std::string scenario = std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/synthetic-county.yaml";
  auto r = run_command(kBinary + " run -q " + scenario + " -o " + (dir / "county.gpkg").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::is_regular_file(dir / "county.gpkg"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1) << "nothing beside it";
  auto info = run_command("ogrinfo -ro -so " + (dir / "county.gpkg").string());
  ASSERT_EQ(info.exit_code, 0) << info.output;
  for (const char* layer : {"demand", "services", "circle", "roads", "plan", "layer_styles"})
    EXPECT_NE(info.output.find(std::string(": ") + layer + " ("), std::string::npos) << layer << "\n" << info.output;
}

// A rerun into a folder leaves nothing an earlier run wrote that this one does not write; files
// the tool never wrote stay.
TEST(CliOutputTarget, RerunLeavesNoStaleFiles) {
  const fs::path dir = fresh_temp_dir("stale");
  std::string yaml = shipped_scenario_text("synthetic-county");
  write_file(dir / "with-plan.yaml", yaml);
  const std::size_t planning = yaml.find("\nplanning:");
  ASSERT_NE(planning, std::string::npos);
  std::size_t end = yaml.find("\n", planning + 1);
  while (end != std::string::npos && end + 1 < yaml.size() && (yaml[end + 1] == ' ' || yaml[end + 1] == '#' || yaml[end + 1] == '\n'))
    end = yaml.find("\n", end + 1);
  write_file(dir / "no-plan.yaml", yaml.substr(0, planning) + (end == std::string::npos ? "\n" : yaml.substr(end)));
  const fs::path out = dir / "out";
  ASSERT_EQ(run_command(kBinary + " run -q " + (dir / "with-plan.yaml").string() + " -o " + out.string()).exit_code, 0);
  ASSERT_TRUE(fs::exists(out / "plan.csv"));
  write_file(out / "notes-by-the-planner.txt", "mine");
  auto r = run_command(kBinary + " run -q " + (dir / "no-plan.yaml").string() + " -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* stale : {"plan.csv", "plan.json", "plan.geojson", "plan_rollup.csv", "plan_circle.geojson", "plan.qml"})
    EXPECT_FALSE(fs::exists(out / stale)) << stale;
  EXPECT_TRUE(fs::exists(out / "demand.csv"));
  EXPECT_TRUE(fs::exists(out / "notes-by-the-planner.txt")) << "a file the tool never wrote is not touched";
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// Every file of a folder (names, then contents), hidden files included.
std::map<std::string, std::string> folder_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  if (!fs::is_directory(dir)) return files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = read_file(e.path());
  return files;
}

// The names whose presence or content differ, for readable failures.
std::string differences(const std::map<std::string, std::string>& a, const std::map<std::string, std::string>& b) {
  std::string out;
  for (const auto& [name, text] : a)
    if (!b.count(name) || b.at(name) != text) out += " " + name + (b.count(name) ? "(content)" : "(only left)");
  for (const auto& [name, text] : b)
    if (!a.count(name)) out += " " + name + "(only right)";
  return out.empty() ? "none" : out;
}

std::vector<std::string> staging_left(const fs::path& parent) {
  std::vector<std::string> left;
  for (const fs::directory_entry& e : fs::directory_iterator(parent))
    if (e.path().filename().string().find("legalcircle-staging") != std::string::npos) left.push_back(e.path().string());
  return left;
}

class CliOutputIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_temp_dir("integrity");
    out_ = dir_ / "out";
    // Two runs that write different files: the standard scenario and the synthetic county.
    for (const char* name : {"synthetic-county", "zhejiang-standard"}) {
      const std::string yaml = shipped_scenario_text(name);
      write_file(dir_ / (std::string(name) + ".yaml"), yaml);
    }
  }
  testing::CommandResult run(const std::string& scenario, const std::string& env = "") {
    return run_command(env + " " + kBinary + " run -q " + (dir_ / (scenario + ".yaml")).string() + " -o " + out_.string());
  }
  // Shell that waits (up to 10 s) until a run's staging folder appears in dir_: the run holds the
  // folder's lock and is computing from then on.
  std::string wait_for_staging() const {
    return "for i in $(seq 1000); do ls -a '" + dir_.string() + "' | grep -q legalcircle-staging && break; sleep 0.01; done; ";
  }
  fs::path dir_, out_;
};

// A kill at each step of the commit leaves the whole old folder or the whole new one.
TEST_F(CliOutputIntegrity, KillAtEachCommitStepLeavesOldOrNewWhole) {
  ASSERT_EQ(run("zhejiang-standard").exit_code, 0);
  write_file(out_ / "my-notes.txt", "the planner's own file");
  const auto old_files = folder_files(out_);
  // The new run's files, written into a folder of their own for comparison.
  const auto reference = run_command(kBinary + " run -q " + (dir_ / "synthetic-county.yaml").string() + " -o " +
                                     (dir_ / "reference").string());
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  auto new_files = folder_files(dir_ / "reference");
  new_files["my-notes.txt"] = "the planner's own file";
  const auto comparable = [](std::map<std::string, std::string> files) {
    // Run dates and timings (summary.json, the report, plan.json's solve time) differ by design.
    for (const char* volatile_file : {"summary.json", "report.html", "plan.json"}) files.erase(volatile_file);  // *_s timings
    for (auto& [name, text] : files)
      if (name.ends_with(".gpkg")) text = std::to_string(text.size() > 0);
    return files;
  };
  for (const char* step : {"carried", "synced", "swapped"}) {
    SCOPED_TRACE(step);
    const auto killed = run("synthetic-county", std::string("LEGALCIRCLE_TEST_KILL_AT=") + step);
    EXPECT_NE(killed.exit_code, 0) << "killed at " << step;
    const auto now = folder_files(out_);
    if (std::string(step) == "swapped") {
      EXPECT_EQ(differences(comparable(now), comparable(new_files)), "none") << "the whole new folder";
      // Back to the old content for the next step.
      ASSERT_EQ(run("zhejiang-standard").exit_code, 0);
    } else {
      EXPECT_EQ(differences(now, old_files), "none") << "the whole old folder, byte for byte";
    }
  }
  // The next run cleans what the killed ones left beside the folder.
  ASSERT_EQ(run("synthetic-county").exit_code, 0);
  EXPECT_TRUE(staging_left(dir_).empty());
  EXPECT_EQ(differences(comparable(folder_files(out_)), comparable(new_files)), "none");
}

// A write that fails (the file-size limit stands in for a full disk) fails the run, and the
// earlier output stays whole: the GeoPackage, and the GeoJSON writer that used to ignore it.
TEST_F(CliOutputIntegrity, FailedWritesFailTheRunAndKeepTheOldOutput) {
  std::string yaml = read_file(dir_ / "synthetic-county.yaml");
  yaml = replace_all(yaml, "  geopackage: true ", "  geopackage: false");
  yaml = replace_all(yaml, "  qgis: true ", "  qgis: false");
  write_file(dir_ / "geojson-only.yaml", yaml);
  ASSERT_EQ(run("zhejiang-standard").exit_code, 0);
  const auto before = folder_files(out_);
  for (const char* scenario : {"synthetic-county", "geojson-only"})
    for (const char* limit_kb : {"300", "1500"}) {  // 1500: only roads.geojson (2 MB) is larger
      SCOPED_TRACE(std::string(scenario) + " limit " + limit_kb + " KB");
      const auto r = run_command("bash -c \"trap '' XFSZ; ulimit -f " + std::string(limit_kb) + "; " + kBinary + " run -q " +
                                 (dir_ / (std::string(scenario) + ".yaml")).string() + " -o " + out_.string() + "\"");
      EXPECT_EQ(r.exit_code, 4) << r.output;
      // SQLite says "disk I/O error", the other writers the system's "File too large".
      EXPECT_TRUE(r.output.find("File too large") != std::string::npos || r.output.find("disk I/O error") != std::string::npos)
          << r.output;
      EXPECT_EQ(differences(folder_files(out_), before), "none");
      EXPECT_TRUE(staging_left(dir_).empty());
    }
}

TEST_F(CliOutputIntegrity, InterruptRemovesTheStagingFolderAndKeepsTheOldOutput) {
  ASSERT_EQ(run("zhejiang-standard").exit_code, 0);
  const auto before = folder_files(out_);
  for (const char* sig : {"INT", "TERM"}) {
    SCOPED_TRACE(sig);
    // The signal arrives while the run computes: as soon as its staging folder exists (the run
    // takes ~0.3 s after that, so a fixed sleep would race it).
    const auto r = run_command("( " + kBinary + " run -q " + (dir_ / "synthetic-county.yaml").string() + " -o " +
                               out_.string() + " & pid=$!; " + wait_for_staging() + "kill -" + sig + " $pid; wait $pid; echo \"status=$?\" )");
    EXPECT_NE(r.output.find(std::string("status=") + (std::string(sig) == "INT" ? "130" : "143")), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("interrupted"), std::string::npos) << r.output;
    EXPECT_TRUE(staging_left(dir_).empty()) << "no staging folder left";
    EXPECT_EQ(folder_files(out_), before);
  }
}

TEST_F(CliOutputIntegrity, SecondRunIntoTheSameFolderFailsAtOnce) {
  const auto r = run_command("( " + kBinary + " run -q " + (dir_ / "synthetic-county.yaml").string() + " -o " +
                             out_.string() + " & first=$!; " + wait_for_staging() + kBinary + " run -q " +
                             (dir_ / "zhejiang-standard.yaml").string() + " -o " + out_.string() +
                             "; echo \"second=$?\"; wait $first; echo \"first=$?\" )");
  EXPECT_NE(r.output.find("another legalcircle run is writing there"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("second=4"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("first=0"), std::string::npos) << r.output;
  const std::string summary = read_file(out_ / "summary.json");
  EXPECT_NE(summary.find("synthetic-county"), std::string::npos) << "the first run's output, whole";
}

TEST_F(CliOutputIntegrity, OutputFolderHoldingAnInputIsRefused) {
  const fs::path data = dir_ / "data";
  fs::create_directories(data);
  const fs::path geodata = fs::path(LEGALCIRCLE_SOURCE_DIR) / "geodata/synthetic-county";
  for (const char* f : {"roads.osm.pbf", "services.csv", "villages.geojson"}) fs::copy_file(geodata / f, data / f);
  const auto before = folder_files(data);
  const std::string args = " --roads " + (data / "roads.osm.pbf").string() + " --services " + (data / "services.csv").string() +
                           " --demand " + (data / "villages.geojson").string();
  auto r = run_command(kBinary + " coverage" + args + " -o " + data.string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("holds the input"), std::string::npos) << r.output;
  EXPECT_EQ(folder_files(data), before) << "inputs untouched";
  auto scenario = run_command(kBinary + " run " + (dir_ / "synthetic-county.yaml").string() + " -o " + dir_.string());
  EXPECT_EQ(scenario.exit_code, 3) << "the folder holding the scenario file: " << scenario.output;
  // A lone GeoPackage target that is the scenario's own roads file.
  const fs::path roads = geodata.parent_path() / "office-county/roads.gpkg";
  const std::string roads_before = read_file(roads);
  auto gpkg = run_command(kBinary + " run " + std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/office-county.yaml -o " +
                          roads.string());
  EXPECT_EQ(gpkg.exit_code, 3) << gpkg.output;
  EXPECT_NE(gpkg.output.find("is the input"), std::string::npos) << gpkg.output;
  EXPECT_EQ(read_file(roads), roads_before);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// `report` on a hand-edited summary.json names the file and the key whose value has the wrong type.
TEST(CliReport, HandEditedSummaryNamesFileAndKey) {
  const fs::path out = fresh_temp_dir("report-edited") / "out";
  ASSERT_EQ(run_command(kBinary + " run -q " + std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/synthetic-county.yaml -o " +
                        out.string()).exit_code, 0);
  nlohmann::json summary = nlohmann::json::parse(read_file(out / "summary.json"));
  summary["totals"]["overall"]["units"] = "lots";
  write_file(out / "summary.json", summary.dump());
  const auto r = run_command(kBinary + " report " + out.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find((out / "summary.json").string()), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("units"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("must be number"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// Text that cannot go into summary.json (not UTF-8) is refused before the work, naming where.
TEST(CliNonUtf8, PathsAndTitlesAreRefusedBeforeTheWork) {
  const fs::path dir = fresh_temp_dir("non-utf8");
  auto out = run_command(kBinary + " coverage -o '" + (dir / "out\xff").string() + "'");
  EXPECT_EQ(out.exit_code, 3) << out.output;
  EXPECT_NE(out.output.find("not UTF-8"), std::string::npos) << out.output;
  EXPECT_EQ(out.output.find("reading roads"), std::string::npos) << out.output;
  std::string yaml = shipped_scenario_text("synthetic-county");
  const std::size_t title = yaml.find("\ntitle: ");
  ASSERT_NE(title, std::string::npos);
  yaml.insert(title + 8, "\xc0\xaf");  // an overlong '/' : not UTF-8
  write_file(dir / "bad-title.yaml", yaml);
  auto r = run_command(kBinary + " run " + (dir / "bad-title.yaml").string() + " -o " + (dir / "o").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("key 'title': is not UTF-8"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// `graph` prints the reader's warnings like every other command (it hid them).
TEST(CliGraph, PrintsTheReadersWarnings) {
  const auto r = run_command(kBinary + " graph --roads " + std::string(LEGALCIRCLE_SOURCE_DIR) +
                             "/geodata/office-county/roads.gpkg --road-class-field 道路等级");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("maxspeed"), std::string::npos) << "the missing speed field: " << r.output;
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// A planning mode no rule uses is built into the graph at once: the run finishes with the circle
// after the plan in that mode (it used to compute everything, then exit 1).
TEST(CliPlanningMode, ModeOnlyThePlanUsesWorks) {
  const fs::path dir = fresh_temp_dir("plan-mode");
  write_file(dir / "s.yaml", synthetic_inputs_yaml() + "rules:\n  - {name: walk15, threshold_minutes: 15, modes: [walk]}\n"
                                 "isochrones:\n  per_service: false\nplanning:\n  add: 1\n  mode: car\n  minutes: 10\n");
  const auto r = run_command(kBinary + " run -q " + (dir / "s.yaml").string() + " -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string circle = read_file(dir / "out/plan_circle.geojson");
  EXPECT_NE(circle.find("\"mode\": \"car\""), std::string::npos) << circle.substr(0, 300);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// A rule no service can serve has no raster: the GeoTIFF is left out with a warning (in
// summary.json too) instead of failing the run at the end with nothing written.
TEST(CliGeotiff, EmptyCircleIsAWarningNotAFailure) {
  const fs::path dir = fresh_temp_dir("empty-tif");
  write_file(dir / "s.yaml", synthetic_inputs_yaml() + "tiers:\n  - {name: center, level: 3}\n  - {name: town_station, level: 2}\n"
                                 "  - {name: village_point, level: 1}\n  - {name: mediation, level: 0}\nrules:\n"
                                 "  - {name: med15, tier: mediation, threshold_minutes: 15, modes: [walk]}\n"
                                 "  - {name: any15, threshold_minutes: 15, modes: [walk]}\n"
                                 "isochrones:\n  per_service: false\n  geotiff: true\n");
  const auto r = run_command(kBinary + " run -q " + (dir / "s.yaml").string() + " -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("circle_med15_walk_minutes.tif not written"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out/circle_med15_walk_minutes.tif"));
  EXPECT_TRUE(fs::exists(dir / "out/circle_any15_walk_minutes.tif"));
  EXPECT_NE(read_file(dir / "out/summary.json").find("circle_med15_walk_minutes.tif not written"), std::string::npos);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// Hostile numbers are refused at the edge with a message naming the option (no bad_alloc after
// the work, no abort): infinite, NaN, zero and absurd values.
TEST(CliHostileNumbers, RefusedBeforeTheWork) {
  const fs::path dir = fresh_temp_dir("hostile");
  for (const char* args : {"isochrones --cell-m inf", "isochrones --cell-m nan", "isochrones --cell-m 0.001",
                           "isochrones --threads 40000", "isochrones --simplify-m -1", "coverage --minutes -5",
                           "coverage --minutes inf", "coverage --max-snap-m inf", "plan --threads 0"}) {
    SCOPED_TRACE(args);
    const auto r = run_command(kBinary + " " + args + " -q -o " + (dir / "out").string());
    EXPECT_EQ(r.exit_code, 3) << r.output;
    const std::string option = std::string(args).substr(std::string(args).find("--"));
    EXPECT_NE(r.output.find(option.substr(0, option.find(' '))), std::string::npos) << "names the option: " << r.output;
    EXPECT_EQ(r.output.find("reading roads"), std::string::npos) << r.output;
  }
  std::string yaml = shipped_scenario_text("synthetic-county");
  ASSERT_NE(yaml.find("cell_m: {walk: 50,"), std::string::npos);
  yaml = replace_all(yaml, "cell_m: {walk: 50,", "cell_m: {walk: 0.001,");
  write_file(dir / "tiny-cells.yaml", yaml);
  const auto r = run_command(kBinary + " run " + (dir / "tiny-cells.yaml").string() + " -o " + (dir / "o").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("isochrones.cell_m.walk"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("expected 5 to 2000 metres"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// A worker thread the system refuses (here: address space for its stack) is an error naming the
// thread and the way out, not an abort (SIGABRT from an unjoined std::thread).
TEST(CliHostileNumbers, ThreadStartFailureIsAnError) {
  const fs::path dir = fresh_temp_dir("threads");
  const auto r = run_command("bash -c 'ulimit -s 8192; ulimit -v 1500000; " + kBinary +
                             " isochrones --threads 256 --mode walk -q -o " + (dir / "out").string() + "'");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("cannot start worker thread"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("use fewer --threads"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace legalcircle
