#include "legalcircle/output/summary.hpp"

#include <ctime>

#include "legalcircle/output/layers.hpp"

namespace legalcircle {

std::string local_run_date(std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);  // the machine's zone (TZ), e.g. Asia/Shanghai on a county office PC
  char date[40];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %z", &local);
  const std::string_view text = date;  // "... +0800" -> "... +08:00" (ISO 8601's offset)
  const std::size_t n = text.size();
  if (n < 5 || (text[n - 5] != '+' && text[n - 5] != '-')) return std::string(text);
  std::string out(text.substr(0, n - 2));
  out.push_back(':');
  out.append(text.substr(n - 2));
  return out;
}

std::string local_run_date() { return local_run_date(std::time(nullptr)); }

nlohmann::ordered_json scenario_summary(const World& world, const Scenario& sc, const ScenarioResult& res,
                                        const RunRecord& record) {
  nlohmann::ordered_json s;
  s["command"] = "run";
  s["scenario"] = sc.file;
  s["name"] = sc.name;
  s["title"] = sc.title;
  s["lang"] = sc.outputs.lang;
  s["run_date"] = record.run_date;
  s["direction"] = std::string(to_string(world.direction()));
  s["max_snap_m"] = world.profiles().max_snap_m;
  s["access_leg_kmh"] = world.profiles().access_leg_kmh;
  for (Mode m : res.modes) {
    const ModeProfile& mp = world.profiles()[m];
    nlohmann::ordered_json pj = {{"default_speed_kmh", mp.default_speed_kmh}, {"respect_oneway", mp.respect_oneway}};
    if (!mp.class_speed_kmh.empty()) pj["class_speed_kmh"] = mp.class_speed_kmh;
    s["profiles"][std::string(mode_name(m))] = pj;
  }
  s["tiers"] = nlohmann::json::array();
  for (const Tier& t : sc.tiers) s["tiers"].push_back({{"name", t.name}, {"label", t.label}, {"level", t.level}});
  if (sc.standard) {
    for (std::size_t c = 0; c < kAreaClassCount; ++c) {
      const StandardClass& cls = sc.standard->classes[c];
      s["standard"][std::string(to_string(static_cast<AreaClass>(c)))] = {
          {"mode", std::string(mode_name(cls.mode))}, {"km", cls.km}, {"minutes", cls.minutes}};
    }
    s["standard"]["basis"] = std::string(to_string(sc.standard->basis));
  }
  s["inputs"] = {{"roads", record.roads}, {"services", record.services}, {"demand", record.demand}};
  s["units"] = world.units().size();
  // Which demand columns hold the county and town (the report labels towns on its map).
  s["admin_fields"] = {{"county", sc.inputs.demand.admin.county}, {"town", sc.inputs.demand.admin.town}};
  s["services"] = world.services().size();
  s["rules"] = nlohmann::json::array();
  for (const CoverageRule& r : sc.rules) {
    nlohmann::ordered_json j = {{"name", r.name}, {"label", r.shown()}, {"tier", r.tier}, {"modes", nlohmann::json::array()}};
    for (Mode m : r.modes) j["modes"].push_back(std::string(mode_name(m)));
    if (r.threshold_minutes) j["threshold_minutes"] = *r.threshold_minutes;
    if (r.threshold_km) j["threshold_km"] = *r.threshold_km;
    s["rules"].push_back(j);
  }
  nlohmann::ordered_json totals = nlohmann::ordered_json::object();
  for (const MeasureRollup& m : res.rollups) {
    const RollupRow& t = m.rollup.total;
    totals[m.measure] = {{"units", t.units}, {"covered_units", t.covered_units}, {"population", t.population},
                         {"covered_population", t.covered_population}, {"coverage_rate_units", t.coverage_rate_units}};
    if (t.coverage_rate_population) totals[m.measure]["coverage_rate_population"] = *t.coverage_rate_population;
  }
  s["totals"] = totals;
  s["uncovered_units"] = res.gaps.size();
  if (res.plan) s["planning"] = plan_json(*res.plan);
  s["units_without_area_class"] = res.unclassified_units;
  std::size_t without_population = 0;
  for (const PointRecord& p : world.units()) without_population += !p.has_population;
  s["units_without_population"] = without_population;
  // Every warning of the run: a default that could not apply, a point not used... (also in the report).
  s["warnings"] = nlohmann::json::array();
  for (const std::string& w : record.warnings) s["warnings"].push_back(w);
  for (const std::string& w : res.warnings) s["warnings"].push_back(w);
  s["attribution"] = record.attribution;
  if (!sc.baseline.empty()) s["baseline"] = {{"dir", sc.baseline}};
  nlohmann::ordered_json timings = nlohmann::ordered_json::object();
  for (const auto& [k, v] : record.timings) timings[k] = v;
  s["timings"] = timings;
  return s;
}

}  // namespace legalcircle
