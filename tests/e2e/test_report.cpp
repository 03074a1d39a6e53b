// report.html end to end: `legalcircle run` on the synthetic county, then `legalcircle report` in
// Chinese and English. The page must be self-contained (no external resource), carry every
// section, and load in headless Chromium with no console message and no network request.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "legalcircle/core/error.hpp"
#include "legalcircle/output/report.hpp"
#include "support/run_command.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kBinary = LEGALCIRCLE_BINARY;
const char* const kChromium = "/usr/bin/chromium";
const char* const kSectionIds[] = {"headline", "map", "legend", "county-table", "town-table", "gaps", "plan", "method"};

class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = testing::fresh_temp_dir("report");
    const std::string out = (dir_ / "out").string();
    run_ = run_command(kBinary + " run -q " + LEGALCIRCLE_SOURCE_DIR + "/configs/synthetic-county.yaml -o " + out);
    if (run_.exit_code != 0) return;
    run_report_ = read_file(dir_ / "out" / "report.html");  // rendered in memory by the run
    zh_ = run_command(kBinary + " report -q " + out);  // default: the scenario's lang (zh)
    en_ = run_command(kBinary + " report -q " + out + " --lang en -o " + (dir_ / "en.html").string());
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override {
    ASSERT_EQ(run_.exit_code, 0) << run_.output;
    ASSERT_EQ(zh_.exit_code, 0) << zh_.output;
    ASSERT_EQ(en_.exit_code, 0) << en_.output;
  }
  static fs::path zh_path() { return dir_ / "out" / "report.html"; }
  static fs::path en_path() { return dir_ / "en.html"; }

  static inline fs::path dir_;
  static inline testing::CommandResult run_, zh_, en_;
  static inline std::string run_report_;
};

// The run renders its report from its result in memory; `legalcircle report` reads the folder
// back. Both must give the same page (the map draws at the layers' written precision).
TEST_F(Report, RunsOwnReportEqualsTheFolderReRendered) {
  const std::string folder = read_file(zh_path());
  ASSERT_FALSE(run_report_.empty());
  EXPECT_EQ(run_report_.size(), folder.size());
  EXPECT_TRUE(run_report_ == folder) << "the run's report.html and `legalcircle report` differ";
}

// Every src= / href= / url() / @import that points outside the file.
std::vector<std::string> external_references(const std::string& html) {
  static const std::regex ref(R"re(((src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import)[^"' >)]*)re",
                              std::regex::icase);
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it)
    found.push_back(it->str());
  return found;
}

TEST_F(Report, IsSelfContainedWithEverySection) {
  for (const fs::path& p : {zh_path(), en_path()}) {
    const std::string html = read_file(p);
    SCOPED_TRACE(p.string());
    EXPECT_LT(html.size(), 5u << 20);
    EXPECT_TRUE(external_references(html).empty()) << external_references(html).front();
    for (const char* tag : {"<script", "<link", "<img", "<iframe", "<object", "<embed"})
      EXPECT_EQ(html.find(tag), std::string::npos) << tag;
    for (const char* id : kSectionIds) EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
    // The map: circle bands, services, villages, the three recommended sites, a scale bar.
    EXPECT_NE(html.find("<svg id=\"map\""), std::string::npos);
    EXPECT_NE(html.find("class=\"bands\""), std::string::npos);
    EXPECT_NE(html.find("<g class=\"unc\"><circle"), std::string::npos);
    std::size_t stars = 0;
    for (auto at = html.find("class=\"star\""); at != std::string::npos; at = html.find("class=\"star\"", at + 1)) ++stars;
    EXPECT_EQ(stars, 3u + 1u);  // + the legend's
    EXPECT_NE(html.find("示例县"), std::string::npos);  // data stay as they are in both languages
  }
}

TEST_F(Report, ChineseByDefaultEnglishOnRequest) {
  const std::string zh = read_file(zh_path()), en = read_file(en_path());
  EXPECT_NE(zh.find("<html lang=\"zh-CN\">"), std::string::npos);
  for (const char* label : {"主要指标", "服务圈内人口", "服务圈地图", "各区县覆盖率", "各镇街覆盖率", "未覆盖村社清单", "选址规划", "方法与数据",
                            "步行", "图例", "openstreetmap.org/copyright"})
    EXPECT_NE(zh.find(label), std::string::npos) << label;
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  for (const char* label : {"Key figures", "Population inside the circle", "Map of the circle", "Coverage by county",
                            "Coverage by town", "Uncovered villages and communities", "Planning: new sites", "Method and data",
                            "walk", "Legend", "openstreetmap.org/copyright"})
    EXPECT_NE(en.find(label), std::string::npos) << label;
  for (const char* label : {"主要指标", "服务圈地图", "选址规划", "方法与数据", "图例", "步行"})
    EXPECT_EQ(en.find(label), std::string::npos) << "untranslated label in the English page: " << label;
}

TEST_F(Report, FiguresMatchTheSummary) {
  const auto summary = nlohmann::json::parse(read_file(dir_ / "out" / "summary.json"));
  const std::string zh = read_file(zh_path());
  const double rate = summary["totals"]["overall"]["coverage_rate_population"].get<double>();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * rate);
  EXPECT_NE(zh.find(std::string("<div class=\"value\">") + buf + "</div>"), std::string::npos) << buf;
  EXPECT_NE(zh.find(summary["run_date"].get<std::string>()), std::string::npos);
  // The first uncovered village of gaps.csv is the first row of the list.
  const std::string gaps = read_file(dir_ / "out" / "gaps.csv");
  const std::string first = gaps.substr(gaps.find('\n') + 1);
  const std::string name = first.substr(first.find(',', first.find(',') + 1) + 1);
  EXPECT_NE(zh.find(name.substr(0, name.find(','))), std::string::npos);
}

// A folder with only summary.json and the demand layer: optional sections say what is missing,
// and data are HTML-escaped.
TEST(ReportMinimal, MissingOptionalFilesAndEscaping) {
  const fs::path dir = testing::fresh_temp_dir("report-minimal");
  write_file(dir / "summary.json", R"({"title": "<b>T&amp</b>", "lang": "zh", "run_date": "2026-01-01 00:00 UTC",
    "totals": {"overall": {"units": 1, "covered_units": 0, "population": 10, "covered_population": 0}}})");
  write_file(dir / "demand.geojson", R"({"type": "FeatureCollection", "features": [{"type": "Feature",
    "properties": {"id": "V1", "name": "<script>alert(1)</script>", "population": 10, "covered": false},
    "geometry": {"type": "Point", "coordinates": [120.7, 30.7]}}]})");
  const std::string zh = render_report(read_report_input(dir.string()), "zh");
  EXPECT_NE(zh.find("本次未进行选址规划"), std::string::npos);
  EXPECT_NE(zh.find("全部村社均在服务圈内"), std::string::npos);  // no gaps file
  EXPECT_NE(zh.find("&lt;b&gt;T&amp;amp&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(zh.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(zh.find("<script"), std::string::npos);
  EXPECT_NE(render_report(read_report_input(dir.string()), "en").find("No planning in this run"), std::string::npos);
  EXPECT_THROW(render_report(read_report_input(dir.string()), "fr"), ConfigError);
  fs::remove(dir / "demand.geojson");
  try {
    render_report(read_report_input(dir.string()), "zh");
    ADD_FAILURE() << "no demand layer must be an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("demand.geojson"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
  // Not an output folder: exit code 2 and a message naming summary.json, no file written.
  const auto r = run_command(kBinary + " report " + (dir / "nothing").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("summary.json"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "nothing" / "report.html"));
}

// Headless Chromium: the DOM it builds, its console messages and the requests the page made.
struct BrowserRun {
  int exit_code = -1;
  std::string dom, log;
  std::vector<std::string> console;   // console lines (the page has no script: must be none)
  std::vector<std::string> requests;  // http(s) requests made on behalf of the page
};

BrowserRun open_in_chromium(const fs::path& html, const fs::path& work) {
  BrowserRun b;
  const fs::path profile = work / "profile", dom = work / "dom.html", log = work / "stderr.txt", net = work / "netlog.json";
  fs::remove_all(profile);
  fs::create_directories(profile);
  // In a subshell: run_command's own "2>&1" must not send Chromium's log into the DOM file.
  const auto r = run_command("(timeout 120 " + std::string(kChromium) +
                             " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                             " --disable-background-networking --disable-component-update --disable-sync"
                             " --user-data-dir=" + profile.string() + " --enable-logging=stderr --v=0 --log-net-log=" +
                             net.string() + " --dump-dom file://" + fs::absolute(html).string() + " >" + dom.string() +
                             " 2>" + log.string() + ")");
  b.exit_code = r.exit_code;
  b.dom = read_file(dom);
  b.log = read_file(log);
  std::istringstream lines(b.log);
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) b.console.push_back(line);
  // Chromium's own background requests have no page site; the page's carry site=file://.
  const auto netlog = nlohmann::json::parse(read_file(net), nullptr, false);
  if (netlog.is_object())
    for (const auto& e : netlog.value("events", nlohmann::json::array())) {
      const auto params = e.value("params", nlohmann::json::object());
      const std::string url = params.value("url", ""), site = params.value("site_for_cookies", "");
      if (url.rfind("http", 0) == 0 && site.find("site=file://") != std::string::npos) b.requests.push_back(url);
    }
  return b;
}

TEST_F(Report, LoadsInHeadlessChromiumWithoutErrorsOrRequests) {
  if (!fs::exists(kChromium))
    GTEST_SKIP() << kChromium << " not installed (Debian package chromium, installed by .ci/install-deps.sh)";
  // The checks themselves, on a page that logs, throws and loads an outside image.
  write_file(dir_ / "bad.html", "<!DOCTYPE html><p id=\"x\">x</p><img src=\"https://example.invalid/a.png\">"
                                "<script>console.error('boom'); undefined_function();</script>");
  const BrowserRun bad = open_in_chromium(dir_ / "bad.html", dir_ / "chromium-bad");
  ASSERT_EQ(bad.exit_code, 0) << bad.log;
  ASSERT_NE(bad.dom.find("id=\"x\""), std::string::npos) << bad.log;
  EXPECT_FALSE(bad.console.empty()) << "Chromium's console lines are no longer recognised:\n" << bad.log;
  EXPECT_FALSE(bad.requests.empty()) << "Chromium's net log is no longer recognised";

  for (const fs::path& p : {zh_path(), en_path()}) {
    SCOPED_TRACE(p.string());
    const BrowserRun b = open_in_chromium(p, dir_ / ("chromium-" + p.stem().string()));
    ASSERT_EQ(b.exit_code, 0) << b.log;
    for (const char* id : kSectionIds) EXPECT_NE(b.dom.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
    EXPECT_NE(b.dom.find("</svg>"), std::string::npos);
    EXPECT_TRUE(b.console.empty()) << b.console.front();
    EXPECT_TRUE(b.requests.empty()) << b.requests.front();
  }
}

// A real extract (north of Bayreuth, OpenStreetMap): the map has its roads by class and names
// (services, town halls here), the credit is OpenStreetMap's, and Chromium loads it cleanly.
TEST(ReportRealExtract, NorthBayreuthMapWithRoadsAndNamesLoadsCleanly) {
  const fs::path osm = fs::path(LEGALCIRCLE_SOURCE_DIR) / ".." / "shared" / "data" / "osm" / "north-bayreuth.osm.gz";
  if (!fs::exists(osm)) GTEST_SKIP() << osm << " absent: the shared data folder is needed for this test";
  if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " not installed (Debian package chromium, installed by .ci/install-deps.sh)";
  const fs::path dir = testing::fresh_temp_dir("report-bayreuth");
  const auto r = run_command(kBinary + " run -q " + LEGALCIRCLE_SOURCE_DIR + "/configs/north-bayreuth.yaml -o " +
                             (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = read_file(dir / "out" / "report.html");
  EXPECT_LT(html.size(), std::size_t(3) << 20);
  EXPECT_NE(html.find("class=\"road r1\""), std::string::npos);
  EXPECT_NE(html.find("<g class=\"lbl\"><text"), std::string::npos) << "services and gaps named";
  EXPECT_NE(html.find(">Rathaus</text>"), std::string::npos);
  EXPECT_NE(html.find("openstreetmap.org/copyright"), std::string::npos);
  const BrowserRun b = open_in_chromium(dir / "out" / "report.html", dir / "chromium");
  ASSERT_EQ(b.exit_code, 0) << b.log;
  EXPECT_NE(b.dom.find("</svg>"), std::string::npos);
  EXPECT_TRUE(b.console.empty()) << b.console.front();
  EXPECT_TRUE(b.requests.empty()) << b.requests.front();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// The shipped standard scenario plans for the standard: before and after are on the headline's
// measure, after > before, and the report names the objective in words.
TEST(ReportPlanning, StandardScenarioPlansForTheStandard) {
  const fs::path dir = testing::fresh_temp_dir("report-standard");
  const auto r = run_command(kBinary + " run -q " + LEGALCIRCLE_SOURCE_DIR + "/configs/zhejiang-standard.yaml -o " +
                             (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto plan = nlohmann::json::parse(read_file(dir / "out" / "plan.json"));
  const auto summary = nlohmann::json::parse(read_file(dir / "out" / "summary.json"));
  EXPECT_EQ(plan["objective"], "standard");
  const double before = plan["population_covered_before"].get<double>(), after = plan["population_covered_after"].get<double>();
  EXPECT_DOUBLE_EQ(before, summary["totals"]["standard"]["covered_population"].get<double>());
  EXPECT_GT(after, before);
  EXPECT_LE(after, plan["upper_bound_population"].get<double>() + 1e-6);
  const std::string html = read_file(dir / "out" / "report.html");
  EXPECT_NE(html.find("省级标准（按城乡类别的出行方式与距离）"), std::string::npos);
  char buf[64];
  std::snprintf(buf, sizeof buf, "+%s", [&] {
    std::string s = std::to_string(static_cast<long long>(after - before)), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i && (s.size() - i) % 3 == 0) out += ',';
      out += s[i];
    }
    return out;
  }().c_str());
  EXPECT_NE(html.find(buf), std::string::npos) << buf;  // the gain card
  fs::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

// `run --evaluate`: the scenario's measure before and after given proposals, by county and town.
TEST(ReportPlanning, WhatIfOnTheCommandLine) {
  const fs::path dir = testing::fresh_temp_dir("report-whatif");
  write_file(dir / "p.csv", "id,name,lon,lat\nP1,新点一,120.6686786,30.7715903\nP2,新点二,120.7902331,30.6755605\n");
  const auto r = run_command(kBinary + " run -q " + LEGALCIRCLE_SOURCE_DIR + "/configs/synthetic-county.yaml --evaluate " +
                             (dir / "p.csv").string() + " -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto plan = nlohmann::json::parse(read_file(dir / "out" / "plan.json"));
  const auto summary = nlohmann::json::parse(read_file(dir / "out" / "summary.json"));
  EXPECT_EQ(plan["kind"], "evaluate");
  EXPECT_EQ(plan["objective"], "overall");
  EXPECT_DOUBLE_EQ(plan["population_covered_before"].get<double>(),
                   summary["totals"]["overall"]["covered_population"].get<double>());
  EXPECT_GT(plan["population_covered_after"].get<double>(), plan["population_covered_before"].get<double>());
  const std::string rollup = read_file(dir / "out" / "plan_rollup.csv");
  for (const char* measure : {"\noverall,", "\nrule:circle_15min,", "\nrule:town_station_15min_ebike,"})
    EXPECT_NE(rollup.find(measure), std::string::npos) << measure;
  EXPECT_NE(read_file(dir / "out" / "report.html").find("id=\"plan-measures\""), std::string::npos);
  fs::remove_all(dir);
}

// Polygon demand (街道 / 村 boundaries): the units drawn as their polygons by verdict, each town's
// boundary (the union of its units) and the county's, services and uncovered villages named;
// demand_areas holds exactly the units with the run's verdicts, and the folder re-renders the same.
TEST(ReportPolygons, UnitsAsAreasWithTownAndCountyBoundaries) {
  const fs::path dir = testing::fresh_temp_dir("report-polygons");
  const std::string source = LEGALCIRCLE_SOURCE_DIR;
  auto villages = nlohmann::json::parse(read_file(fs::path(source) / "geodata/synthetic-county/villages.geojson"));
  std::set<std::string> towns;
  for (auto& f : villages["features"]) {
    const double x = f["geometry"]["coordinates"][0], y = f["geometry"]["coordinates"][1], r = 0.004;
    const double rx = r / std::cos(y * 3.14159265358979 / 180);
    f["geometry"] = {{"type", "Polygon"},
                     {"coordinates", {{{x - rx, y - r}, {x + rx, y - r}, {x + rx, y + r}, {x - rx, y + r}, {x - rx, y - r}}}}};
    towns.insert(f["properties"]["town"].get<std::string>());
  }
  write_file(dir / "areas.geojson", villages.dump());
  std::string yaml = testing::shipped_scenario_text("synthetic-county");
  yaml = testing::replace_all(yaml, source + "/geodata/synthetic-county/villages.geojson", (dir / "areas.geojson").string());
  yaml = testing::replace_all(yaml, "per_service: true", "per_service: false");
  write_file(dir / "s.yaml", yaml);
  auto r = run_command(kBinary + " run -q " + (dir / "s.yaml").string() + " -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto areas = nlohmann::json::parse(read_file(dir / "out" / "demand_areas.geojson"));
  const auto demand = nlohmann::json::parse(read_file(dir / "out" / "demand.geojson"));
  ASSERT_EQ(areas["features"].size(), villages["features"].size());
  std::size_t covered = 0;
  for (std::size_t i = 0; i < areas["features"].size(); ++i) {
    EXPECT_EQ(areas["features"][i]["geometry"]["type"], "Polygon");
    EXPECT_EQ(areas["features"][i]["properties"]["id"], demand["features"][i]["properties"]["id"]);
    EXPECT_EQ(areas["features"][i]["properties"]["covered"], demand["features"][i]["properties"]["covered"]);
    covered += areas["features"][i]["properties"]["covered"] == true;
  }
  const std::string html = read_file(dir / "out" / "report.html");
  auto count = [&](const std::string& needle) {
    std::size_t n = 0;
    for (auto at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1)) ++n;
    return n;
  };
  // One path per unit (each square is some pixels wide), plus the two legend swatches.
  EXPECT_EQ(count("<path class=\"acov\""), covered);
  EXPECT_EQ(count("<path class=\"aunc\""), villages["features"].size() - covered);
  EXPECT_EQ(count("<path class=\"bnd\""), towns.size() + 1);  // + the legend's
  EXPECT_EQ(count("<path class=\"bnd0\""), 2u);
  EXPECT_NE(html.find("镇街界"), std::string::npos);
  // Services and uncovered villages named on the map (those with room), towns too.
  EXPECT_NE(html.find("<g class=\"lbl\"><text"), std::string::npos);
  EXPECT_NE(html.find(">示例县公共法律服务中心</text>"), std::string::npos);
  EXPECT_NE(html.find(">梅汇街道</text>"), std::string::npos);
  r = run_command(kBinary + " report -q " + (dir / "out").string() + " -o " + (dir / "again.html").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(read_file(dir / "again.html") == html) << "the folder re-rendered differs from the run's report";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace legalcircle
