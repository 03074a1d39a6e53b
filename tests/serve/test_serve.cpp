// legalcircle serve: the WhatIf under edits equals a fresh evaluation; every API endpoint and
// each class of bad request; the state after edits equals `legalcircle run` of the exported
// scenario, village by village; Ctrl-C stops the command cleanly.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "legalcircle/config/scenario.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "legalcircle/pipeline/what_if.hpp"
#include "legalcircle/serve/http_server.hpp"
#include "legalcircle/serve/workspace.hpp"
#include "support/run_command.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using testing::fresh_temp_dir;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kSource = LEGALCIRCLE_SOURCE_DIR;
const std::string kScenario = kSource + "/configs/synthetic-county.yaml";

World load_world(const Scenario& sc) {
  RawRoads raw = read_roads(sc.inputs.roads.path, sc.inputs.roads.mapping);
  PointLayer services = read_points(sc.inputs.services.path, sc.inputs.services.read);
  apply_service_edits(sc, sc.proposals, services);
  PointLayer demand = read_points(sc.inputs.demand.path, sc.inputs.demand.read);
  RoadGraph g = build_graph(raw, sc.profiles.profiles, BuildOptions{scenario_modes(sc), true});
  return World(std::move(g), sc.profiles.profiles, sc.profiles.direction, std::move(services), std::move(demand));
}

// -------------------------------------------------------------------------------------------
// WhatIf: edits equal a fresh evaluation over the services as they stand

void expect_same_verdicts(const Verdicts& a, const Verdicts& b, const std::vector<uint32_t>& standing_of_slot,
                          const std::string& when) {
  ASSERT_EQ(a.overall.size(), b.overall.size());
  for (std::size_t k = 0; k < a.overall.size(); ++k) {
    ASSERT_EQ(a.overall[k].covered, b.overall[k].covered) << when << " unit " << k;
    ASSERT_EQ(a.overall[k].primary.seconds, b.overall[k].primary.seconds) << when << " unit " << k;
    const uint32_t na = a.overall[k].primary.nearest_service;
    ASSERT_EQ(na == kInvalidId ? kInvalidId : standing_of_slot[na], b.overall[k].primary.nearest_service) << when << " unit " << k;
    for (std::size_t r = 0; r < a.rules.size(); ++r) {
      ASSERT_EQ(a.rules[r][k].covered, b.rules[r][k].covered) << when << " rule " << r << " unit " << k;
      for (std::size_t m = 0; m < a.rules[r][k].modes.size(); ++m) {
        ASSERT_EQ(a.rules[r][k].modes[m].time.seconds, b.rules[r][k].modes[m].time.seconds) << when;
        ASSERT_EQ(a.rules[r][k].modes[m].distance.seconds, b.rules[r][k].modes[m].distance.seconds) << when;
      }
    }
    if (!a.standard.empty()) {
      ASSERT_EQ(a.standard[k].met, b.standard[k].met) << when << " unit " << k;
    }
  }
}

// Rules that count the same tiers share their searches (the synthetic county's 15-minute circle
// and its village-point walk rule both count every tier); each rule still gets what it gets
// alone, in a scenario of that one rule, before and after an edit.
TEST(WhatIfFields, RulesCountingTheSameTiersShareASearchAndKeepTheirOwnAnswers) {
  Scenario sc = load_scenario(kScenario);
  const World world = load_world(sc);
  const auto tiers = service_tiers(sc, world);
  const auto classes = unit_area_classes(sc, world);
  WhatIf w(world, sc, world.service_xy(), tiers, classes);
  std::size_t wanted = 0;  // (rule, mode, metric) triples
  for (const CoverageRule& r : sc.rules) wanted += r.modes.size() * (r.threshold_km ? 2 : 1);
  ASSERT_EQ(wanted, 6u) << "the synthetic county's rules changed: revisit this test";
  EXPECT_EQ(w.field_count(), 5u) << "circle_15min and village_point_walk_urban should share the walk search";
  w.add(world.units()[7].where, "village_point");  // counted by two rules, not by the town-station one
  w.add(world.units()[40].where, "town_station");  // counted by all three
  const Verdicts both = w.verdicts();
  for (std::size_t r = 0; r < sc.rules.size(); ++r) {
    Scenario one = sc;
    one.rules = {sc.rules[r]};
    one.planning.reset();
    const Verdicts alone = evaluate_verdicts(world, one, w.where(), w.tiers(), classes, 2);
    ASSERT_EQ(alone.rules.size(), 1u);
    for (std::size_t k = 0; k < world.units().size(); ++k) {
      ASSERT_EQ(both.rules[r][k].covered, alone.rules[0][k].covered) << sc.rules[r].name << " unit " << k;
      for (std::size_t m = 0; m < sc.rules[r].modes.size(); ++m) {
        ASSERT_EQ(both.rules[r][k].modes[m].time.seconds, alone.rules[0][k].modes[m].time.seconds);
        ASSERT_EQ(both.rules[r][k].modes[m].time.nearest_service, alone.rules[0][k].modes[m].time.nearest_service);
        ASSERT_EQ(both.rules[r][k].modes[m].distance.seconds, alone.rules[0][k].modes[m].distance.seconds);
      }
    }
  }
}

class WhatIfEdits : public ::testing::TestWithParam<std::string> {};

TEST_P(WhatIfEdits, EveryEditEqualsAFreshEvaluationOfTheServicesAsTheyStand) {
  const Scenario sc = load_scenario(kSource + "/configs/" + GetParam() + ".yaml");
  const World world = load_world(sc);
  const auto tiers = service_tiers(sc, world);
  const auto classes = unit_area_classes(sc, world);
  WhatIf w(world, sc, world.service_xy(), tiers, classes);
  const auto& units = world.units();
  std::vector<std::string> tier_names;
  for (const Tier& t : sc.tiers) tier_names.push_back(t.name);
  if (tier_names.empty()) tier_names.push_back("");
  auto check = [&](const std::string& when) {
    std::vector<LonLat> xy;
    std::vector<std::string> tt;
    std::vector<uint32_t> standing(w.slot_count(), kInvalidId);
    for (uint32_t s = 0; s < w.slot_count(); ++s)
      if (w.active(s)) standing[s] = uint32_t(xy.size()), xy.push_back(w.where()[s]), tt.push_back(w.tiers()[s]);
    // The fresh evaluation builds its fields two at a time (as `run` does on two cores).
    expect_same_verdicts(w.verdicts(), evaluate_verdicts(world, sc, xy, tt, classes, /*threads=*/2), standing, when);
  };
  check("as loaded");
  // Points at villages (on the network), of every tier in turn; then moved, removed, restored.
  std::vector<uint32_t> added;
  for (std::size_t i = 0; i < 4; ++i) {
    added.push_back(w.add(units[(i * 37 + 5) % units.size()].where, tier_names[i % tier_names.size()]));
    check("after add " + std::to_string(i));
  }
  w.move(added[1], units[(11 * 13) % units.size()].where);
  check("after move");
  w.remove(0);  // the scenario's first service, which wins every tie it is in
  check("after removing service 0");
  w.remove(added[2]);
  check("after removing a proposal");
  w.restore(0);
  check("after restoring service 0");
  w.move(added[1], units[3].where);
  w.restore(added[2]);
  check("after move and restore");
}

INSTANTIATE_TEST_SUITE_P(Shipped, WhatIfEdits, ::testing::Values("synthetic-county", "zhejiang-standard", "office-county"),
                         [](const auto& test_case) {
                           std::string n = test_case.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// -------------------------------------------------------------------------------------------
// proposals: in a scenario

TEST(ScenarioProposals, RemoveAndAddAreCheckedAndApplied) {
  const fs::path dir = fresh_temp_dir("proposals");
  const std::string base = testing::shipped_scenario_text("synthetic-county");
  write_file(dir / "a.yaml", base + "proposals:\n  remove: [C330499]\n  add:\n    - {id: N1, name: 新址, tier: village_point, lon: 120.75, lat: 30.72}\n");
  const Scenario sc = load_scenario((dir / "a.yaml").string());
  ASSERT_EQ(sc.proposals.add.size(), 1u);
  EXPECT_EQ(sc.proposals.add[0].tier, "village_point");
  PointLayer services = read_points(sc.inputs.services.path, sc.inputs.services.read);
  const std::size_t n = services.points.size();
  apply_service_edits(sc, sc.proposals, services);
  ASSERT_EQ(services.points.size(), n);  // one out, one in
  EXPECT_EQ(services.points.back().id, "N1");
  EXPECT_TRUE(std::none_of(services.points.begin(), services.points.end(), [](const PointRecord& p) { return p.id == "C330499"; }));
  // A tier the scenario lacks, a missing coordinate and an id the layer lacks are errors naming them.
  write_file(dir / "b.yaml", base + "proposals:\n  add:\n    - {id: N1, tier: mediation, lon: 120.75, lat: 30.72}\n");
  try {
    load_scenario((dir / "b.yaml").string());
    FAIL() << "unknown tier accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("proposals.add[0].tier"), std::string::npos) << e.what();
  }
  write_file(dir / "c.yaml", base + "proposals:\n  add:\n    - {id: N1, tier: village_point, lon: 120.75}\n");
  EXPECT_THROW(load_scenario((dir / "c.yaml").string()), ConfigError);
  write_file(dir / "d.yaml", base + "proposals:\n  remove: [NOPE]\n");
  const Scenario d = load_scenario((dir / "d.yaml").string());
  PointLayer again = read_points(d.inputs.services.path, d.inputs.services.read);
  try {
    apply_service_edits(d, d.proposals, again);
    FAIL() << "unknown id accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no service 'NOPE'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("C330499"), std::string::npos) << "lists the ids that exist: " << e.what();
  }
}

// -------------------------------------------------------------------------------------------
// the HTTP API, on one server for the suite

class ServeApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Scenario sc = load_scenario(kScenario);
    World world = load_world(sc);
    WorkspaceOptions wo;
    wo.threads = 2;
    wo.max_proposals = 20;
    workspace_ = new Workspace(std::move(world), std::move(sc), std::move(wo));
    ServeOptions so;
    so.port = 0;
    so.max_body_bytes = 64 * 1024;
    server_ = new WorkspaceServer(*workspace_, so);
    port_ = server_->bind();
    thread_ = new std::thread([] { server_->run(); });
    // listen_after_bind starts accepting at once; wait until it answers.
    for (int i = 0; i < 100; ++i) {
      httplib::Client c("127.0.0.1", port_);
      if (c.Get("/api/state")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_->join();
    delete thread_;
    delete server_;
    delete workspace_;
  }
  void SetUp() override {
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(60, 0);
    post("/api/reset", "{}");
  }
  httplib::Result get(const std::string& path) { return client_->Get(path.c_str()); }
  httplib::Result post(const std::string& path, const std::string& body, const std::string& type = "application/json",
                       const httplib::Headers& headers = {}) {
    return client_->Post(path.c_str(), headers, body, type.c_str());
  }
  json post_json(const std::string& path, const json& body, int expect = 200) {
    auto r = post(path, body.dump());
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, expect) << path << " " << body.dump() << " -> " << r->body;
    return json::parse(r->body);
  }
  json get_json(const std::string& path) {
    auto r = get(path);
    EXPECT_TRUE(r && r->status == 200) << path;
    return r ? json::parse(r->body) : json();
  }
  // The villages not covered overall now, as (lon, lat).
  std::vector<std::pair<double, double>> uncovered() {
    const json v = get_json("/api/villages"), s = get_json("/api/state");
    std::vector<std::pair<double, double>> out;
    for (std::size_t k = 0; k < v.size(); ++k)
      if (s["units"]["overall"][k] == 0) out.emplace_back(v[k]["lon"].get<double>(), v[k]["lat"].get<double>());
    return out;
  }
  static json total(const json& state, const std::string& measure) {
    for (const json& m : state["measures"])
      if (m["key"] == measure) return m["total"];
    return json();
  }
  void expect_error(httplib::Result r, int status, const std::string& says) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_NE(r->body.find(says), std::string::npos) << "expected '" << says << "' in " << r->body;
  }

  static Workspace* workspace_;
  static WorkspaceServer* server_;
  static std::thread* thread_;
  static int port_;
  std::unique_ptr<httplib::Client> client_;
};
Workspace* ServeApi::workspace_ = nullptr;
WorkspaceServer* ServeApi::server_ = nullptr;
std::thread* ServeApi::thread_ = nullptr;
int ServeApi::port_ = 0;

TEST_F(ServeApi, PageAndBundledScriptsComeFromTheServerItself) {
  auto page = get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  // Every script and style the page names is served here: no CDN, no other host.
  for (const std::string ref : {"/assets/leaflet.js", "/assets/leaflet.css", "/assets/app.js", "/assets/app.css"}) {
    EXPECT_NE(page->body.find(ref), std::string::npos) << ref;
    auto a = get(ref);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->status, 200) << ref;
    EXPECT_GT(a->body.size(), 1000u) << ref;
  }
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  EXPECT_NE(get("/assets/leaflet.js")->body.find("Leaflet"), std::string::npos);
  EXPECT_EQ(get("/assets/images/marker-icon.png")->get_header_value("Content-Type"), "image/png");
  // Scripts only from the server itself.
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos)
      << page->get_header_value("Content-Security-Policy");
}

TEST_F(ServeApi, NoFileOrListingOutsideTheBundle) {
  for (const std::string path : {"/assets/", "/assets/../CMakeLists.txt", "/assets/..%2f..%2fetc%2fpasswd", "/etc/passwd",
                                  "/api/export/../../x", "/src/serve/web/app.js", "/assets/nope.js"}) {
    auto r = get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_TRUE(r->status == 404 || r->status == 400) << path << " -> " << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << path;
  }
}

TEST_F(ServeApi, ScenarioVillagesStateAndTheBaseline) {
  const json sc = get_json("/api/scenario");
  EXPECT_EQ(sc["title"], "示例县15分钟公共法律服务圈");
  EXPECT_EQ(sc["tiers"].size(), 3u);
  EXPECT_EQ(sc["services"].size(), 12u);
  EXPECT_EQ(sc["measures"][0]["key"], "overall");
  EXPECT_EQ(sc["towns"].size(), 6u);
  const json v = get_json("/api/villages");
  EXPECT_EQ(v.size(), 101u);
  const json s = get_json("/api/state");
  EXPECT_EQ(s["units"]["overall"].size(), 101u);
  EXPECT_EQ(s["minutes"].size(), 101u);
  // The scenario as it stands is the baseline; the run's own summary says the same.
  const json t = total(s, "overall");
  for (const json& m : s["measures"]) EXPECT_EQ(m["total"], m["baseline"]) << m["key"];
  const fs::path out = fresh_temp_dir("serve-baseline");
  ASSERT_EQ(run_command(std::string(LEGALCIRCLE_BINARY) + " run " + kScenario + " -o " + (out / "o").string() + " -q").exit_code, 0);
  const json summary = json::parse(read_file(out / "o" / "summary.json"));
  EXPECT_EQ(t["covered_units"], summary["totals"]["overall"]["covered_units"]);
  EXPECT_EQ(t["covered_population"], summary["totals"]["overall"]["covered_population"]);
}

TEST_F(ServeApi, AddMoveRemoveUndoRedoReset) {
  const auto gaps = uncovered();
  ASSERT_GE(gaps.size(), 3u);
  const json s0 = get_json("/api/state");
  json s1 = post_json("/api/edit", {{"op", "add"}, {"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}});
  ASSERT_EQ(s1["proposals"].size(), 1u);
  const std::string id = s1["proposals"][0]["id"];
  EXPECT_GT(total(s1, "rule:circle_15min")["covered_units"].get<int>() + total(s1, "overall")["covered_units"].get<int>(),
            total(s0, "rule:circle_15min")["covered_units"].get<int>() + total(s0, "overall")["covered_units"].get<int>() - 1);
  EXPECT_TRUE(s1["can_undo"]);
  json s2 = post_json("/api/edit", {{"op", "move"}, {"id", id}, {"lon", gaps[1].first}, {"lat", gaps[1].second}});
  EXPECT_NEAR(s2["proposals"][0]["lon"].get<double>(), gaps[1].first, 1e-6);
  json s3 = post_json("/api/edit", {{"op", "remove"}, {"id", "C330499"}});
  EXPECT_EQ(s3["removed"], json::array({"C330499"}));
  // Undo twice: back to the first add; redo once: the move again.
  json u = post_json("/api/undo", json::object());
  EXPECT_TRUE(u["removed"].empty());
  u = post_json("/api/undo", json::object());
  EXPECT_NEAR(u["proposals"][0]["lon"].get<double>(), gaps[0].first, 1e-6);
  EXPECT_EQ(u["units"], s1["units"]);
  json r = post_json("/api/redo", json::object());
  EXPECT_EQ(r["units"], s2["units"]);
  EXPECT_EQ(r["measures"], s2["measures"]);
  json back = post_json("/api/reset", json::object());
  EXPECT_TRUE(back["proposals"].empty());
  EXPECT_EQ(back["units"], s0["units"]);
  EXPECT_EQ(back["measures"], s0["measures"]);
  // add_many is one step.
  json many = post_json("/api/edit", {{"op", "add_many"},
                                      {"sites", {{{"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}},
                                                 {{"lon", gaps[2].first}, {"lat", gaps[2].second}, {"tier", "town_station"}, {"name", "市场"}}}}});
  EXPECT_EQ(many["proposals"].size(), 2u);
  EXPECT_EQ(many["proposals"][1]["name"], "市场");
  EXPECT_TRUE(post_json("/api/undo", json::object())["proposals"].empty());
  expect_error(post("/api/undo", "{}"), 200, "");  // undo of the reset above
}

TEST_F(ServeApi, EvaluateAnswersWithoutChangingTheWorkspace) {
  const auto gaps = uncovered();
  const json before = get_json("/api/state");
  const json e = post_json("/api/evaluate", {{"add", {{{"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}}}},
                                             {"remove", {"T330499100"}}});
  // The same as doing it, and the workspace is untouched.
  const json after = get_json("/api/state");
  EXPECT_EQ(after["units"], before["units"]);
  EXPECT_EQ(after["version"], before["version"]);
  post_json("/api/edit", {{"op", "remove"}, {"id", "T330499100"}});
  const json done = post_json("/api/edit", {{"op", "add"}, {"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}});
  EXPECT_EQ(e["units"], done["units"]);
  EXPECT_EQ(e["measures"], done["measures"]);
}

TEST_F(ServeApi, SuggestRunsThePlanningStepOnTheServicesAsTheyStand) {
  const json s = post_json("/api/suggest", {{"k", 3}});
  ASSERT_EQ(s["sites"].size(), 3u);
  EXPECT_GE(s["population_after"].get<double>(), s["population_before"].get<double>());
  EXPECT_LE(s["population_after"].get<double>(), s["upper_bound"].get<double>() + 1e-6);
  EXPECT_GE(s["gap"].get<double>(), 0.0);
  // Adopting the sites gives the coverage the plan promised (its objective is coverage after).
  json sites = json::array();
  for (const json& x : s["sites"]) sites.push_back({{"lon", x["lon"]}, {"lat", x["lat"]}, {"tier", x["tier"]}, {"name", x["name"]}});
  const json st = post_json("/api/edit", {{"op", "add_many"}, {"sites", sites}});
  EXPECT_NEAR(total(st, "overall")["covered_population"].get<double>(), s["population_after"].get<double>(), 1e-6);
  // And the next suggestion starts from them: it cannot claim the same people again.
  const json next = post_json("/api/suggest", {{"k", 1}});
  EXPECT_NEAR(next["population_before"].get<double>(), s["population_after"].get<double>(), 1e-6);
}

TEST_F(ServeApi, CircleAndRoadsAreGeoJson) {
  const json c = get_json("/api/circle?rule=circle_15min&mode=walk");
  EXPECT_EQ(c["type"], "FeatureCollection");
  ASSERT_FALSE(c["features"].empty());
  EXPECT_EQ(c["features"].back()["properties"]["minutes"], 15);
  EXPECT_EQ(c["features"][0]["geometry"]["type"].get<std::string>().find("Polygon") != std::string::npos, true);
  const json sc = get_json("/api/scenario");
  const auto& b = sc["bounds"];
  std::ostringstream q;
  q.precision(10);
  q << "/api/roads?bbox=" << b[0].get<double>() << "," << b[1].get<double>() << "," << b[2].get<double>() << ","
    << b[3].get<double>();
  // The whole small county fits the budget at any zoom: every class, streets included.
  const json all = get_json(q.str() + "&zoom=8");
  EXPECT_FALSE(all["truncated"]);
  std::set<int> ranks;
  std::size_t lines = 0;
  for (const json& f : all["features"]) ranks.insert(f["properties"]["rank"].get<int>()), lines += f["geometry"]["coordinates"].size();
  EXPECT_TRUE(ranks.count(1) && ranks.count(3)) << all["features"].size();
  // A corner of it has fewer lines.
  std::ostringstream corner;
  corner.precision(10);
  corner << "/api/roads?bbox=" << b[0].get<double>() << "," << b[1].get<double>() << ","
         << (b[0].get<double>() + b[2].get<double>()) / 2 << "," << (b[1].get<double>() + b[3].get<double>()) / 2 << "&zoom=14";
  std::size_t corner_lines = 0;
  const json corner_roads = get_json(corner.str());
  for (const json& f : corner_roads["features"]) corner_lines += f["geometry"]["coordinates"].size();
  EXPECT_GT(corner_lines, 0u) << corner.str();
  EXPECT_LT(corner_lines, lines);
  expect_error(get("/api/circle?rule=nope&mode=walk"), 400, "no rule 'nope'");
  expect_error(get("/api/circle?rule=town_station_15min_ebike&mode=walk"), 400, "does not use walk");
  expect_error(get("/api/roads?bbox=1,2,3&zoom=3"), 400, "bbox");
  expect_error(get(q.str() + "&zoom=abc"), 400, "zoom");
}

TEST_F(ServeApi, EveryBadRequestIsA4xxThatSaysWhy) {
  const auto gaps = uncovered();
  const std::string lon = std::to_string(gaps[0].first), lat = std::to_string(gaps[0].second);
  expect_error(post("/api/edit", "{not json"), 400, "not JSON");
  expect_error(post("/api/edit", "{\"op\":\"add\"}", "text/plain"), 415, "JSON");
  expect_error(post("/api/edit", "{\"op\":\"fly\"}"), 400, "unknown op 'fly'");
  expect_error(post("/api/edit", "{\"op\":\"add\",\"lon\":200,\"lat\":30,\"tier\":\"village_point\"}"), 400, "lon must be");
  expect_error(post("/api/edit", "{\"op\":\"add\",\"lon\":\"x\",\"lat\":30,\"tier\":\"village_point\"}"), 400, "'lon' must be a number");
  expect_error(post("/api/edit", "{\"op\":\"add\",\"lon\":121.5,\"lat\":31.5,\"tier\":\"village_point\"}"), 400, "nearest road");
  expect_error(post("/api/edit", "{\"op\":\"add\",\"lon\":" + lon + ",\"lat\":" + lat + ",\"tier\":\"mediation\"}"), 400,
               "unknown tier 'mediation'");
  expect_error(post("/api/edit", "{\"op\":\"remove\",\"id\":\"S99\"}"), 400, "no service or proposal 'S99'");
  expect_error(post("/api/edit", "{\"op\":\"move\",\"id\":\"C330499\",\"lon\":" + lon + ",\"lat\":" + lat + "}"), 400,
               "existing service");
  expect_error(post("/api/suggest", "{\"k\":0}"), 400, "'k' must be");
  expect_error(post("/api/evaluate", "{\"adds\":[]}"), 400, "unknown key 'adds'");
  // Too many proposals (this server allows 20).
  json sites = json::array();
  for (int i = 0; i < 21; ++i) sites.push_back({{"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}});
  expect_error(post("/api/edit", json{{"op", "add_many"}, {"sites", sites}}.dump()), 400, "at most 20");
  // Oversized bodies are refused before parsing.
  expect_error(post("/api/edit", std::string(100 * 1024, ' ')), 413, "too large");
  // DNS rebinding: a Host that is not an IP literal or localhost; another Origin for a change.
  httplib::Headers evil_host = {{"Host", "evil.example:" + std::to_string(port_)}};
  expect_error(client_->Get("/api/state", evil_host), 403, "Host");
  expect_error(post("/api/reset", "{}", "application/json", {{"Origin", "http://evil.example"}}), 403, "Origin");
  expect_error(post("/api/reset", "{}", "application/json", {{"Sec-Fetch-Site", "cross-site"}}), 403, "cross-site");
  // Nothing of the above changed the workspace.
  EXPECT_TRUE(get_json("/api/state")["proposals"].empty());
  EXPECT_TRUE(host_header_allowed("127.0.0.1:8765", 8765));
  EXPECT_TRUE(host_header_allowed("localhost:8765", 8765));
  EXPECT_TRUE(host_header_allowed("[::1]:8765", 8765));
  EXPECT_FALSE(host_header_allowed("127.0.0.1:8766", 8765));
  EXPECT_FALSE(host_header_allowed("127.0.0.1.nip.io:8765", 8765));
  EXPECT_FALSE(host_header_allowed("", 8765));
}

TEST_F(ServeApi, ConcurrentRequestsAreSafe) {
  const auto gaps = uncovered();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port_);
      for (int i = 0; i < 15; ++i) {
        const auto& g = gaps[std::size_t(t * 15 + i) % gaps.size()];
        const json body = {{"add", {{{"lon", g.first}, {"lat", g.second}, {"tier", "village_point"}}}}};
        auto r = c.Post("/api/evaluate", body.dump(), "application/json");
        if (!r || r->status != 200) ++failures;
        auto s = c.Get("/api/state");
        if (!s || s->status != 200) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_TRUE(get_json("/api/state")["proposals"].empty());
}

// The planner's path end to end: edits in the workspace, the scenario exported, `legalcircle run`
// on it: every village's verdict per measure, its minutes and nearest service, every measure's
// total and every town's row are the same.
TEST_F(ServeApi, StateEqualsLegalcircleRunOfTheExportedScenario) {
  const auto gaps = uncovered();
  post_json("/api/edit", {{"op", "add"}, {"lon", gaps[0].first}, {"lat", gaps[0].second}, {"tier", "village_point"}});
  json s = post_json("/api/edit", {{"op", "add"}, {"lon", gaps[1].first}, {"lat", gaps[1].second}, {"tier", "town_station"}});
  post_json("/api/edit", {{"op", "move"}, {"id", s["proposals"][1]["id"]}, {"lon", gaps[2].first}, {"lat", gaps[2].second}});
  const json state = post_json("/api/edit", {{"op", "remove"}, {"id", "T330499101"}});
  const fs::path dir = fresh_temp_dir("serve-export");
  auto y = get("/api/export/scenario.yaml");
  ASSERT_TRUE(y && y->status == 200);
  EXPECT_NE(y->get_header_value("Content-Disposition").find("attachment"), std::string::npos);
  write_file(dir / "exported.yaml", y->body);
  const auto run = run_command(std::string(LEGALCIRCLE_BINARY) + " run " + (dir / "exported.yaml").string() + " -o " +
                               (dir / "out").string() + " -q");
  ASSERT_EQ(run.exit_code, 0) << run.output << "\n" << y->body;
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  for (const json& m : state["measures"]) {
    const json& t = summary["totals"][m["key"].get<std::string>()];
    EXPECT_EQ(m["total"]["covered_units"], t["covered_units"]) << m["key"];
    EXPECT_EQ(m["total"]["covered_population"], t["covered_population"]) << m["key"];
    EXPECT_EQ(m["total"]["units"], t["units"]) << m["key"];
  }
  // Village by village (demand.geojson: covered, minutes, nearest_service_id).
  const json demand = json::parse(read_file(dir / "out" / "demand.geojson"));
  ASSERT_EQ(demand["features"].size(), state["units"]["overall"].size());
  for (std::size_t k = 0; k < demand["features"].size(); ++k) {
    const json& p = demand["features"][k]["properties"];
    const json& v = state["units"]["overall"][k];
    if (v.is_null()) {
      EXPECT_TRUE(p["covered"].is_null()) << k;
    } else {
      EXPECT_EQ(p["covered"].get<bool>(), v == 1) << k;
    }
    EXPECT_EQ(p["nearest_service_id"], state["nearest"][k]) << k;
    if (!state["minutes"][k].is_null()) {
      EXPECT_NEAR(p["minutes"].get<double>(), state["minutes"][k].get<double>(), 0.051) << k;
    }
  }
  // Town rows of the overall measure (rollup_town.csv).
  const std::string towns = read_file(dir / "out" / "rollup_town.csv");
  for (const json& t : state["measures"][0]["towns"]) {
    const std::string row = "overall," + t["county"].get<std::string>() + "," + t["town"].get<std::string>() + "," +
                            std::to_string(t["units"].get<int>()) + "," + std::to_string(t["covered_units"].get<int>()) + ",";
    EXPECT_NE(towns.find(row), std::string::npos) << row;
  }
  // The downloads of the same proposal set.
  auto csv = get("/api/export/proposals.csv");
  ASSERT_TRUE(csv && csv->status == 200);
  EXPECT_NE(csv->body.find("T330499101"), std::string::npos);
  EXPECT_NE(csv->body.find(",add,"), std::string::npos);
  const json gj = json::parse(get("/api/export/proposals.geojson")->body);
  EXPECT_EQ(gj["features"].size(), 3u);
  auto report = get("/api/export/report.html");
  ASSERT_TRUE(report && report->status == 200);
  EXPECT_NE(report->body.find("<svg"), std::string::npos);
  EXPECT_EQ(report->body.find("http://"), report->body.find("http://www.w3.org") == std::string::npos ? std::string::npos
                                                                                                   : report->body.find("http://"));
}

// The command itself: prints its address, answers, and stops cleanly on SIGINT (exit 0).
TEST(ServeCommand, PrintsItsAddressAnswersAndStopsOnCtrlC) {
  const fs::path dir = fresh_temp_dir("serve-command");
  const std::string log = (dir / "log").string();
  // A shell's background job starts with SIGINT ignored: env gives it back, as a terminal's
  // foreground job has it.
  FILE* pipe = ::popen(("env --default-signal=INT " + std::string(LEGALCIRCLE_BINARY) + " serve " + kScenario +
                        " --port 0 2>" + log + " & echo $!").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, pipe), nullptr);
  const int pid = std::atoi(line);
  ASSERT_NE(std::fgets(line, sizeof line, pipe), nullptr) << read_file(log);
  const std::string url = line;
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  const int port = std::atoi(url.c_str() + std::strlen("http://127.0.0.1:"));
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/api/state");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ::kill(pid, SIGINT);
  ::pclose(pipe);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(::kill(pid, 0), 0) << "still running after SIGINT";
  EXPECT_NE(read_file(log).find("stopped"), std::string::npos) << read_file(log);
  EXPECT_FALSE(c.Get("/api/state"));
  // A busy port is an error that says what to do.
  httplib::Server busy;
  const int taken = busy.bind_to_any_port("127.0.0.1");
  const auto again = run_command(std::string(LEGALCIRCLE_BINARY) + " serve " + kScenario + " -q --port " + std::to_string(taken));
  EXPECT_EQ(again.exit_code, 4) << again.output;
  EXPECT_NE(again.output.find("--port 0"), std::string::npos) << again.output;
}

// A running `legalcircle serve` on a free port, stopped (SIGTERM) at the end.
struct ServeProcess {
  int pid = 0;
  std::string url;
  FILE* pipe = nullptr;
  explicit ServeProcess(const std::string& scenario, const std::string& log) {
    pipe = ::popen((std::string(LEGALCIRCLE_BINARY) + " serve " + scenario + " --port 0 2>" + log + " & echo $!").c_str(), "r");
    char line[256] = {};
    if (!pipe || !std::fgets(line, sizeof line, pipe)) return;
    pid = std::atoi(line);
    if (std::fgets(line, sizeof line, pipe)) url = line;
    while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  }
  ~ServeProcess() {
    if (pid > 0) ::kill(pid, SIGTERM);
    if (pipe) ::pclose(pipe);
  }
};

// The planner's first step in a real browser: the page loads, "add" is chosen and the map is
// clicked; the headline the page then shows is what `legalcircle run` says for that proposal.
// No console error, no exception, no request to anywhere but the server.
TEST(ServeBrowser, ClickingTheMapAddsAPointAndTheHeadlineEqualsTheRun) {
  if (!fs::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "/usr/bin/chromium not installed (Debian package chromium, installed by .ci/install-deps.sh)";
  const fs::path dir = fresh_temp_dir("serve-browser");
  ServeProcess serve(kScenario, (dir / "serve.log").string());
  ASSERT_FALSE(serve.url.empty()) << read_file(dir / "serve.log");
  const auto r = run_command("timeout 180 /usr/bin/python3 " + kSource + "/tests/support/serve_browser.py " + serve.url +
                             " " + (dir / "browser.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json b = json::parse(read_file(dir / "browser.json"));
  EXPECT_TRUE(b["console_errors"].empty()) << b["console_errors"].dump();
  EXPECT_TRUE(b["exceptions"].empty()) << b["exceptions"].dump();
  ASSERT_FALSE(b["requests"].empty());
  for (const json& u : b["requests"]) {
    const std::string url = u;
    EXPECT_TRUE(url.rfind(serve.url, 0) == 0 || url.rfind("data:", 0) == 0) << "request outside the server: " << url;
  }
  ASSERT_FALSE(b["proposal"].is_null()) << b.dump();
  EXPECT_GT(b["after"]["version"].get<int>(), b["before"]["version"].get<int>());
  EXPECT_GE(b["after"]["covered_population"].get<double>(), b["before"]["covered_population"].get<double>());
  // The same proposal through `legalcircle run`.
  httplib::Client c("127.0.0.1", std::atoi(serve.url.c_str() + serve.url.rfind(':') + 1));
  auto y = c.Get("/api/export/scenario.yaml");
  ASSERT_TRUE(y && y->status == 200);
  EXPECT_NE(y->body.find(b["proposal"]["id"].get<std::string>()), std::string::npos) << y->body;
  write_file(dir / "proposal.yaml", y->body);
  const auto run = run_command(std::string(LEGALCIRCLE_BINARY) + " run " + (dir / "proposal.yaml").string() + " -o " +
                               (dir / "out").string() + " -q");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  EXPECT_EQ(b["after"]["covered_population"].get<double>(), summary["totals"]["overall"]["covered_population"].get<double>());
  EXPECT_EQ(b["after"]["covered_units"].get<int>(), summary["totals"]["overall"]["covered_units"].get<int>());
  char shown[32];
  std::snprintf(shown, sizeof shown, "%.1f%%", 100 * summary["totals"]["overall"]["coverage_rate_population"].get<double>());
  EXPECT_EQ(b["after"]["text"], shown);
}

}  // namespace
}  // namespace legalcircle
