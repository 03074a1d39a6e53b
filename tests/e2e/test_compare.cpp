// legalcircle compare: two runs that differ by one added station give a comparison whose changed
// villages are exactly those whose overall verdict changed, with both runs' totals.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_command.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using testing::fresh_temp_dir;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kBin = LEGALCIRCLE_BINARY;

std::map<std::string, json> covered_by_id(const fs::path& geojson) {
  std::map<std::string, json> out;
  const json layer = json::parse(read_file(geojson));
  for (const json& f : layer["features"]) out[f["properties"]["id"].get<std::string>()] = f["properties"]["covered"];
  return out;
}

TEST(Compare, OneAddedStationChangesExactlyTheVillagesWhoseVerdictChanged) {
  const fs::path dir = fresh_temp_dir("compare");
  const std::string base = testing::shipped_scenario_text("synthetic-county") +
                           "\n";  // isochrones off: the comparison needs the tables only
  std::string a = testing::replace_all(base, "per_service: true", "per_service: false");
  write_file(dir / "a.yaml", a);
  auto r = run_command(kBin + " run " + (dir / "a.yaml").string() + " -o " + (dir / "A").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Rules in words (label:): in summary.json and, instead of the id, in the Chinese report and the
  // QGIS project's layer titles.
  const json summary_a = json::parse(read_file(dir / "A" / "summary.json"));
  EXPECT_EQ(summary_a["rules"][0]["label"], "15分钟公共法律服务圈");
  // The synthetic county's roads are no one's survey: credited as synthetic, not to OpenStreetMap
  // (the generator's name is in the file's OSM header), in the summary, the report and QGIS.
  EXPECT_NE(summary_a["attribution"].get<std::string>().find("SYNTHETIC"), std::string::npos) << summary_a["attribution"];
  EXPECT_EQ(read_file(dir / "A" / "report.html").find("OpenStreetMap contributors"), std::string::npos);
  EXPECT_EQ(read_file(dir / "A" / "legalcircle.qgs").find("OpenStreetMap contributors"), std::string::npos);
  const std::string report_a = read_file(dir / "A" / "report.html");
  EXPECT_NE(report_a.find("<td>15分钟公共法律服务圈</td>"), std::string::npos);
  EXPECT_EQ(report_a.find("<code>circle_15min</code>"), std::string::npos);
  EXPECT_NE(read_file(dir / "A" / "legalcircle.qgs").find("15分钟公共法律服务圈 · 步行"), std::string::npos);
  // The report's map has context: main roads and (a small county) its streets, town names, and
  // the band buttons in words; the page stays small.
  EXPECT_NE(report_a.find("class=\"road r1\""), std::string::npos);
  EXPECT_NE(report_a.find("class=\"road r3\""), std::string::npos);
  EXPECT_NE(report_a.find(">梅汇街道</text>"), std::string::npos);
  EXPECT_NE(report_a.find("\">15分钟公共法律服务圈 · 步行</label>"), std::string::npos);
  EXPECT_LT(report_a.size(), std::size_t(3) << 20);
  // The station goes to the most populous uncovered village of run A.
  json best;
  const json demand_a = json::parse(read_file(dir / "A" / "demand.geojson"));
  for (const json& f : demand_a["features"])
    if (f["properties"]["covered"] == false &&
        (best.is_null() || f["properties"]["population"].get<double>() > best["properties"]["population"].get<double>()))
      best = f;
  ASSERT_FALSE(best.is_null());
  std::ostringstream add;
  add.precision(10);
  add << "proposals:\n  add:\n    - {id: NEW1, name: 新站, tier: town_station, lon: " << best["geometry"]["coordinates"][0].get<double>()
      << ", lat: " << best["geometry"]["coordinates"][1].get<double>() << "}\n";
  write_file(dir / "b.yaml", a + add.str());
  r = run_command(kBin + " run " + (dir / "b.yaml").string() + " -o " + (dir / "B").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(kBin + " compare " + (dir / "A").string() + " " + (dir / "B").string() + " -o " + (dir / "C").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Expected: every id whose verdict differs between the two demand layers.
  const auto ca = covered_by_id(dir / "A" / "demand.geojson"), cb = covered_by_id(dir / "B" / "demand.geojson");
  std::set<std::string> expected;
  for (const auto& [id, v] : ca)
    if (cb.at(id) != v) expected.insert(id);
  ASSERT_FALSE(expected.empty()) << "the added station changed nothing: the test would prove nothing";
  std::set<std::string> got;
  const json changed = json::parse(read_file(dir / "C" / "changed_villages.geojson"));
  for (const json& f : changed["features"]) {
    got.insert(f["properties"]["id"].get<std::string>());
    EXPECT_EQ(f["properties"]["change"], f["properties"]["covered_b"] == true ? "newly_covered" : "lost");
  }
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(got.count(best["properties"]["id"].get<std::string>())) << "the village the station stands at";
  // Totals: both runs' summary figures, and the change.
  const json sa = json::parse(read_file(dir / "A" / "summary.json")), sb = json::parse(read_file(dir / "B" / "summary.json"));
  const std::string csv = read_file(dir / "C" / "comparison.csv");
  char row[256];
  std::snprintf(row, sizeof row, "overall,,,%d,%d,%.4f,%d,%d,%.4f,", sa["totals"]["overall"]["units"].get<int>(),
                sa["totals"]["overall"]["covered_units"].get<int>(),
                sa["totals"]["overall"]["coverage_rate_population"].get<double>(), sb["totals"]["overall"]["units"].get<int>(),
                sb["totals"]["overall"]["covered_units"].get<int>(),
                sb["totals"]["overall"]["coverage_rate_population"].get<double>());
  EXPECT_NE(csv.find(row), std::string::npos) << row << "\n" << csv.substr(0, 600);
  // Every town of run B has its row.
  EXPECT_NE(csv.find("overall,示例县,梅汇街道,"), std::string::npos);
  const std::string html = read_file(dir / "C" / "comparison.html");
  for (const std::string& id : expected) EXPECT_NE(html.find("data-id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("<svg"), std::string::npos);
  // A folder that is no run is an input error naming what is missing.
  fs::create_directories(dir / "empty");
  r = run_command(kBin + " compare " + (dir / "A").string() + " " + (dir / "empty").string() + " -o " + (dir / "D").string() + " -q");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("summary.json"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "D" / "comparison.html"));

  // The same comparison inside run B's own report, with `baseline:` naming run A.
  write_file(dir / "b2.yaml", a + add.str() + "baseline: " + (dir / "A").string() + "\n");
  r = run_command(kBin + " run " + (dir / "b2.yaml").string() + " -o " + (dir / "B2").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string report_b = read_file(dir / "B2" / "report.html");
  ASSERT_NE(report_b.find("<section id=\"comparison\">"), std::string::npos);
  EXPECT_NE(report_b.find("与基准运行对比"), std::string::npos);
  for (const std::string& id : expected) EXPECT_NE(report_b.find("data-id=\"" + id + "\""), std::string::npos) << id;
  const auto summary_line = [](const std::string& h) {
    const std::size_t at = h.find("<p id=\"changed-summary\">");
    return at == std::string::npos ? std::string() : h.substr(at, h.find("</p>", at) - at);
  };
  EXPECT_EQ(summary_line(report_b), summary_line(html)) << "the report's comparison says what compare says";
  EXPECT_NE(summary_line(report_b).find("新增覆盖 " + std::to_string(expected.size()) + " 个村社"), std::string::npos)
      << summary_line(report_b);
  EXPECT_NE(report_b.find("class=\"road r1\""), std::string::npos) << "the change map has the roads";
  std::set<std::string> in_csv;
  const json changed_b = json::parse(read_file(dir / "B2" / "changed_villages.geojson"));
  for (const json& f : changed_b["features"])
    in_csv.insert(f["properties"]["id"].get<std::string>());
  EXPECT_EQ(in_csv, expected);
  EXPECT_EQ(json::parse(read_file(dir / "B2" / "summary.json"))["baseline"]["dir"], fs::absolute(dir / "A").lexically_normal().string());
  // `legalcircle report` on the folder compares again with the baseline: the same page.
  r = run_command(kBin + " report -q " + (dir / "B2").string() + " -o " + (dir / "again.html").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(read_file(dir / "again.html") == report_b) << "re-rendered report differs";
  // A baseline that is the run's own output folder would compare the run with itself: refused.
  write_file(dir / "self.yaml", a + "baseline: " + (dir / "B2").string() + "\n");
  r = run_command(kBin + " run " + (dir / "self.yaml").string() + " -o " + (dir / "B2").string() + " -q");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("is this run's output folder"), std::string::npos) << r.output;
  write_file(dir / "none.yaml", a + "baseline: " + (dir / "empty").string() + "\n");
  r = run_command(kBin + " run " + (dir / "none.yaml").string() + " -o " + (dir / "N").string() + " -q");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("baseline"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace legalcircle
