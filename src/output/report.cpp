// report.html: a self-contained page built from a run's result. Everything is inline (CSS, an SVG
// map, a few lines of CSS-only toggling; no script, font or image is loaded), because the
// government intranets it is read on have no internet access.
#include "legalcircle/output/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/render/svg_map.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // keeps summary.json's order (walk, ebike, car)

// ---- labels --------------------------------------------------------------------------------
// Every label of the page in Chinese and English; "{}" is replaced by a value.
struct Label {
  const char* key;
  const char* zh;
  const char* en;
};
constexpr Label kLabels[] = {
    {"kind", "15分钟公共法律服务圈覆盖报告", "15-minute public legal service circle: coverage report"},
    {"run_date", "运行时间", "Run date"},
    {"warnings", "运行提示", "Warnings"},
    {"warnings_note", "本次运行有 {} 条提示（数据缺项、未能使用的点位等），见文末“方法与数据”。",
     "This run has {} warning(s) (missing fields, points not used, ...): see “Method and data” below."},
    {"pop_unknown", "人口未知", "population unknown"},
    {"pop_unknown_sub", "数据无人口字段，无法计算人口覆盖率", "the data have no population: no population share"},
    {"scenario", "方案", "Scenario"},
    {"headline", "主要指标", "Key figures"},
    {"pop_in", "服务圈内人口", "Population inside the circle"},
    {"units_in", "服务圈内村社", "Villages and communities inside the circle"},
    {"services", "公共法律服务点", "Legal service points"},
    {"uncovered", "未覆盖村社", "Uncovered villages and communities"},
    {"of_pop", "占总人口 {}", "{} of the population"},
    {"of_units", "共 {} 个村社", "of {} units"},
    {"uncovered_pop", "涉及人口 {}", "{} residents"},
    {"overall_note", "“服务圈内”按总体口径：适用于该村社的全部覆盖规则（及省级标准）均满足。",
     "\"Inside the circle\" is the overall measure: every rule that applies to the unit (and the "
     "provincial standard) is met."},
    {"by_rule", "按覆盖规则、层级和出行方式", "By rule, tier and mode"},
    {"rule", "规则", "Rule"},
    {"tier", "层级", "Tier"},
    {"mode", "出行方式", "Mode"},
    {"threshold", "标准", "Threshold"},
    {"any_tier", "任一层级", "any tier"},
    {"all_modes", "任一方式", "any mode"},
    {"units_covered", "覆盖村社", "Units covered"},
    {"pop_covered", "覆盖人口", "Population covered"},
    {"min", "{} 分钟", "{} min"},
    {"km", "{} 公里", "{} km"},
    {"map", "服务圈地图", "Map of the circle"},
    {"comparison", "与基准运行对比（A：基准，B：本次）", "Compared with the baseline run (A: baseline, B: this run)"},
    {"map_note", "色带为所选规则与出行方式的等时圈（颜色越浅，时间越长）；圆点为村社。",
     "Bands: the circle of the chosen rule and mode (lighter = more minutes). Dots: villages and "
     "communities."},
    {"show", "显示：", "Show:"},
    {"legend", "图例", "Legend"},
    {"within", "{} 分钟内", "within {} min"},
    {"covered_dot", "已覆盖村社", "Covered village or community"},
    {"uncovered_dot", "未覆盖村社", "Uncovered village or community"},
    {"new_site", "建议新增服务点", "Recommended new site"},
    {"area_covered", "已覆盖的街道/村范围", "Covered area (unit polygon)"},
    {"area_uncovered", "未覆盖的街道/村范围", "Uncovered area (unit polygon)"},
    {"town_boundary", "镇街界", "Town boundary"},
    {"county_boundary", "县界（所有单元的外缘）", "County boundary (outer edge of every unit)"},
    {"north", "北", "N"},
    {"no_points", "没有可绘制的点位。", "Nothing to draw."},
    {"county_table", "各区县覆盖率", "Coverage by county"},
    {"town_table", "各镇街覆盖率", "Coverage by town"},
    {"sorted_note", "总体口径，按人口覆盖率由低到高排列。", "Overall measure, sorted by population coverage, lowest first."},
    {"county", "区县", "County"},
    {"town", "镇街", "Town"},
    {"units", "村社数", "Units"},
    {"population", "人口", "Population"},
    {"rate_pop", "人口覆盖率", "Coverage (population)"},
    {"rate_units", "村社覆盖率", "Coverage (units)"},
    {"not_given", "（未填写）", "(not given)"},
    {"no_rollup", "缺少分区统计表（{}）。", "The breakdown table is missing ({})."},
    {"gaps", "未覆盖村社清单", "Uncovered villages and communities"},
    {"gaps_note", "按人口由多到少排列；时间为任一方式到最近服务点的最短时间。",
     "Ranked by population, largest first; minutes to the nearest service by any mode."},
    {"rank", "序号", "Rank"},
    {"name", "名称", "Name"},
    {"minutes", "最短时间（分钟）", "Minutes"},
    {"unmet", "未满足", "Not met"},
    {"no_gaps", "全部村社均在服务圈内。", "Every village and community is inside the circle."},
    {"more_rows", "另有 {} 个未列出，见 gaps.csv。", "{} more not listed here; see gaps.csv."},
    {"unreachable", "无法到达", "unreachable"},
    {"snap_too_far", "附近无道路", "no road nearby"},
    {"no_service", "无法到达任何服务点", "no service reachable"},
    {"standard_rule", "省级标准", "provincial standard"},
    {"plan", "选址规划", "Planning: new sites"},
    {"no_plan", "本次未进行选址规划。", "No planning in this run."},
    {"plan_basis", "规划口径：{}", "Planned for: {}"},
    {"objective_overall", "总体口径（适用的全部覆盖规则及省级标准均满足，与主要指标相同）",
     "the overall measure (every applicable rule and the provincial standard met, as in the key figures)"},
    {"objective_standard", "省级标准（按城乡类别的出行方式与距离）", "the provincial standard (each area class's mode and distance)"},
    {"objective_rule", "覆盖规则 {}", "coverage rule {}"},
    {"not_certified", "注意：{}", "Note: {}"},
    {"mclp", "新增 {} 个点，使覆盖人口最多（最大覆盖模型）", "{} new sites covering the most people (maximal covering)"},
    {"lscp", "以最少的新点达到目标覆盖率 {}（集合覆盖模型）", "fewest new sites to reach {} coverage (set covering)"},
    {"evaluate", "评估拟建点（{}）", "what-if evaluation of the proposed sites ({})"},
    {"min_sites", "至少需要新增 {} 个点（已证明）", "at least {} new sites are needed (proven)"},
    {"infeasible", "目标覆盖率无法达到：所有候选点都用上，最多可达 {}（共用 {} 个新点）。",
     "The target cannot be reached: with every useful candidate the share is at most {} ({} new sites)."},
    {"new_sites", "新增服务点", "New sites"},
    {"pop_before", "规划前覆盖人口", "Covered before"},
    {"pop_after", "规划后覆盖人口", "Covered after"},
    {"gain", "新增覆盖人口", "Population gained"},
    {"bound", "覆盖人口理论上限", "Proven upper bound"},
    {"gap", "最优性差距（已证明）", "Certified optimality gap"},
    {"gain_units", "新增覆盖村社", "Units gained"},
    {"newly", "新覆盖的村社", "Newly covered"},
    {"no_sites", "无需或无法新增服务点。", "No new site was chosen."},
    {"by_measure", "各口径规划前后（人口覆盖率）", "Each measure before and after the plan (population share)"},
    {"measure", "口径", "Measure"},
    {"before", "规划前", "Before"},
    {"after", "规划后", "After"},
    {"measure_overall", "总体", "overall"},
    {"method", "方法与数据", "Method and data"},
    {"direction", "出行方向", "Direction"},
    {"to_service", "居民前往服务点", "residents travel to the service"},
    {"from_service", "从服务点出发", "from the service to the residents"},
    {"profiles", "出行方式参数", "Travel profiles"},
    {"speed", "速度", "Speed"},
    {"kmh", "{} 公里/小时", "{} km/h"},
    {"by_class", "按道路等级", "by road class"},
    {"oneway", "遵守单行", "Respects one-way"},
    {"yes", "是", "yes"},
    {"no", "否", "no"},
    {"snap", "最大接入距离 {} 米，接入段步行速度 {} 公里/小时。",
     "Points farther than {} m from the network are unreachable; access legs are walked at {} km/h."},
    {"rules", "覆盖规则", "Coverage rules"},
    {"tiers", "服务层级", "Service tiers"},
    {"level", "级别", "Level"},
    {"standard", "浙江省标准", "Zhejiang provincial standard"},
    {"area_class", "区域类型", "Area class"},
    {"urban", "城镇", "urban"},
    {"rural", "农村", "rural"},
    {"remote", "偏远山区海岛", "remote"},
    {"inputs", "输入数据", "Input data"},
    {"roads_in", "路网", "Roads"},
    {"services_in", "服务点", "Services"},
    {"demand_in", "村社", "Villages and communities"},
    {"sources", "数据来源", "Data sources"},
    {"osm", "道路数据 © OpenStreetMap 贡献者，依 ODbL 1.0 许可使用（openstreetmap.org/copyright）。",
     "Road data © OpenStreetMap contributors, available under the ODbL 1.0 (openstreetmap.org/copyright)."},
    {"own_data", "数据由方案文件指定的输入提供。", "Data from the inputs named in the scenario."},
    {"footer", "本报告由 legalcircle 根据运行结果自动生成，可离线打开。",
     "Generated by legalcircle from the run's outputs; opens offline."},
    {"walk", "步行", "walk"},
    {"ebike", "电动自行车", "e-bike"},
    {"car", "小汽车", "car"},
};

// ---- small helpers -------------------------------------------------------------------------
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}


// 1234567 -> "1,234,567" (both languages group by thousands in official tables).
std::string thousands(double v) {
  std::string digits = fixed(std::fabs(v), 0), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < -0.5 ? "-" : "") + out;
}

std::string percent(double rate) { return fixed(100.0 * rate, 1) + "%"; }

// Number for numeric text cells: "" stays "" (null).
double num(const std::string& s, double fallback = 0.0) {
  if (s.empty()) return fallback;
  try {
    return std::stod(s);
  } catch (const std::exception&) {
    return fallback;
  }
}

// A minutes / km value as written by the run: drop trailing zeros ("15.0" -> "15").
std::string short_number(double v) {
  std::string s = fixed(v, 2);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": file not found (is this a legalcircle run's output folder?)");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- the run's layers, as the report reads them ---------------------------------------------------
struct Feature {
  std::map<std::string, std::string> p;  // field -> value as text ("" = null)
  std::optional<LonLat> point;           // point layers
  const std::string* wkb = nullptr;      // polygon layers (lon/lat WKB), or null
  const std::string& get(const std::string& field) const {
    static const std::string empty;
    auto it = p.find(field);
    return it == p.end() ? empty : it->second;
  }
};

struct Layer {
  bool found = false;
  std::vector<Feature> features;
};

Layer features_of(const LayerRows& rows) {
  Layer out;
  out.found = rows.found;
  for (std::size_t i = 0; i < rows.rows.size(); ++i) {
    Feature f;
    for (std::size_t c = 0; c < rows.columns.size() && c < rows.rows[i].size(); ++c) f.p[rows.columns[c]] = rows.rows[i][c];
    if (i < rows.points.size()) f.point = rows.points[i];
    if (i < rows.wkb.size() && !rows.wkb[i].empty()) f.wkb = &rows.wkb[i];
    out.features.push_back(std::move(f));
  }
  return out;
}

// ---- the report --------------------------------------------------------------------------------
class Report {
 public:
  Report(const ReportInput& input, const std::string& lang) : in_(input), zh_(lang != "en") {}
  std::string render();

 private:
  std::string t(std::string_view key) const {
    for (const Label& l : kLabels)
      if (key == l.key) return zh_ ? l.zh : l.en;
    return std::string(key);  // a data value with no translation (e.g. an unknown mode)
  }
  std::string t(std::string_view key, const std::string& value, const std::string& value2 = "") const {
    std::string s = t(key);
    if (auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, value);
    if (auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, value2);
    return s;
  }
  std::string tier_label(const std::string& name) const;
  // A rule in words: its label: (as tiers, labels are written in Chinese: the English page shows
  // the rule's name), escaped.
  std::string rule_words(const std::string& name) const;
  std::string rule_plain(const std::string& name) const;  // the same without <code> (a button)
  std::size_t tier_rank(const std::string& name) const;
  std::string rule_threshold(const json& rule) const;
  std::string admin(const std::string& v) const { return v.empty() ? t("not_given") : escape(v); }

  void load();
  void header();
  void headline();
  void map();
  void rollup_table(const std::string& id, const LayerRows& rows, const std::string& layer_name, bool town);
  void gaps();
  void plan();
  void method();

  const ReportInput& in_;
  bool zh_;
  json summary_;
  Layer demand_, services_, circle_, gaps_, plan_, areas_;
  std::vector<std::string> boundaries_;  // town unions, then the county's (lon/lat WKB)
  std::map<std::string, const Feature*> unit_by_id_;
  std::string html_;
};

std::string Report::rule_plain(const std::string& name) const {
  for (const json& rule : summary_.value("rules", json::array()))
    if (rule.value("name", "") == name && zh_) return escape(rule.value("label", name));
  return escape(name);
}

std::string Report::rule_words(const std::string& name) const {
  for (const json& rule : summary_.value("rules", json::array()))
    if (rule.value("name", "") == name && zh_ && rule.value("label", name) != name) return escape(rule.value("label", name));
  return "<code>" + escape(name) + "</code>";
}

std::string Report::tier_label(const std::string& name) const {
  if (name.empty()) return t("any_tier");
  for (const json& tier : summary_.value("tiers", json::array()))
    if (tier.value("name", "") == name) {
      const std::string label = tier.value("label", "");
      // Labels are written in Chinese in the scenario; the English page shows the tier's name.
      if (zh_ && !label.empty()) return escape(label);
      std::string pretty = name;
      std::replace(pretty.begin(), pretty.end(), '_', ' ');
      return escape(pretty);
    }
  return escape(name);
}

std::size_t Report::tier_rank(const std::string& name) const {
  std::vector<std::pair<int, std::string>> levels;
  for (const json& tier : summary_.value("tiers", json::array()))
    levels.emplace_back(-tier.value("level", 0), tier.value("name", ""));
  std::stable_sort(levels.begin(), levels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i].second == name) return i;
  return levels.size();  // untiered services: the last shape
}

std::string Report::rule_threshold(const json& rule) const {
  std::string s;
  if (rule.contains("threshold_minutes")) s = t("min", short_number(rule["threshold_minutes"].get<double>()));
  if (rule.contains("threshold_km")) s += (s.empty() ? "" : " + ") + t("km", short_number(rule["threshold_km"].get<double>()));
  return s;
}

void Report::load() {
  summary_ = in_.summary;
  demand_ = features_of(in_.demand);
  for (const Feature& f : demand_.features) unit_by_id_[f.get("id")] = &f;
  services_ = features_of(in_.services);
  circle_ = features_of(in_.circle);
  gaps_ = features_of(in_.gaps);
  plan_ = features_of(in_.plan);
  areas_ = features_of(in_.demand_areas);
}

void Report::header() {
  const std::string title = summary_.value("title", "").empty() ? summary_.value("name", "legalcircle") : summary_.value("title", "");
  html_ += "<!DOCTYPE html>\n<html lang=\"" + std::string(zh_ ? "zh-CN" : "en") + "\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>" + escape(title) + " | " + t("kind") + "</title>\n<style>\n"
R"(:root{--ink:#1d2733;--muted:#5b6876;--line:#d9dee5;--brand:#a4161a;--blue:#1f4e8c;--ok:#2e8b57;--bad:#d7301f}
*{box-sizing:border-box}
body{margin:0;background:#f3f5f8;color:var(--ink);font:15px/1.55 "Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Helvetica Neue",Arial,sans-serif}
header{background:linear-gradient(90deg,#8e1216,#b3261e);color:#fff;padding:22px 40px 18px;border-bottom:4px solid #e0b04a}
header h1{margin:0 0 4px;font-size:26px;letter-spacing:.5px}
header .kind{font-size:15px;opacity:.92}
header .meta{margin-top:8px;font-size:13px;opacity:.85}
main{max-width:1180px;margin:0 auto;padding:10px 24px 30px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;margin:18px 0;padding:18px 22px}
h2{margin:0 0 12px;font-size:19px;color:var(--blue);border-left:5px solid var(--brand);padding-left:10px}
h3{font-size:15px;margin:18px 0 8px}
.note{color:var(--muted);font-size:13px;margin:6px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:14px}
.card{border:1px solid var(--line);border-top:4px solid var(--blue);border-radius:5px;padding:12px 14px;background:#fbfcfe}
.card.bad{border-top-color:var(--bad)}
.card .label{font-size:13px;color:var(--muted)}
.card .value{font-size:28px;font-weight:700;margin:2px 0}
.card .sub{font-size:13px;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:middle}
th{background:#eef2f7;font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafbfc}
.bar{display:flex;align-items:center;gap:8px;min-width:170px}
.bar .track{flex:1;height:12px;background:#e8ecf1;border-radius:2px;overflow:hidden}
.bar .fill{height:100%;background:var(--ok)}
.bar .fill.mid{background:#e6a23c}.bar .fill.low{background:var(--bad)}
.bar span{width:52px;text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:520px;overflow:auto;border:1px solid var(--line)}
.scroll th{position:sticky;top:0}
.mapwrap{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start}
#map{flex:1 1 640px;max-width:100%;height:auto;border:1px solid var(--line);background:#fdfdfb}
.legend{flex:0 0 230px;font-size:13px}
.legend div{display:flex;align-items:center;gap:8px;margin:4px 0}
.legend svg{flex:0 0 22px}
#map-section>input{position:absolute;opacity:0}
#map-section>label{display:inline-block;font-size:13px;border:1px solid var(--line);border-radius:14px;padding:2px 10px;margin:0 4px 10px 0;cursor:pointer;background:#fff}
#map-section>input:checked+label{background:var(--blue);color:#fff;border-color:var(--blue)}
.bands{display:none}
)" + map_css() + R"(dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dt{color:var(--muted)}dd{margin:0}
code{font-family:Consolas,"DejaVu Sans Mono",monospace;font-size:13px;background:#f1f3f6;padding:0 4px;border-radius:3px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:6px 0 24px}
@media print{body{background:#fff}section{break-inside:avoid;border:none}.scroll{max-height:none;overflow:visible}}
)";
  html_ += "</style>\n</head>\n<body>\n<header>\n<h1>" + escape(title) + "</h1>\n<div class=\"kind\">" + t("kind") +
           "</div>\n<div class=\"meta\">" + t("run_date") + ": " + escape(summary_.value("run_date", "")) + " &nbsp;·&nbsp; " +
           t("scenario") + ": " + escape(summary_.value("scenario", summary_.value("name", ""))) + "</div>\n</header>\n<main>\n";
}

std::string bar(const std::string& rate_text) {
  if (rate_text.empty()) return "—";
  const double r = std::clamp(num(rate_text), 0.0, 1.0);
  const char* cls = r >= 0.9 ? "" : r >= 0.6 ? " mid" : " low";
  return "<div class=\"bar\"><div class=\"track\"><div class=\"fill" + std::string(cls) + "\" style=\"width:" + fixed(100 * r, 1) +
         "%\"></div></div><span>" + percent(r) + "</span></div>";
}

void Report::headline() {
  const json overall = summary_["totals"].value("overall", json::object());
  const double pop = overall.value("population", 0.0), cov_pop = overall.value("covered_population", 0.0);
  const double units = overall.value("units", 0.0), cov_units = overall.value("covered_units", 0.0);
  double unc_pop = 0;
  for (const Feature& f : demand_.features)
    if (f.get("covered") != "1" && f.get("covered") != "true") unc_pop += num(f.get("population"));
  std::map<std::string, int> per_tier;
  for (const Feature& f : services_.features) ++per_tier[f.get("tier")];
  std::string tiers;
  std::vector<std::pair<std::size_t, std::string>> by_level;  // highest tier first
  for (const auto& [tier, n] : per_tier)
    if (!tier.empty()) by_level.emplace_back(tier_rank(tier), tier_label(tier) + " " + std::to_string(n));
  std::sort(by_level.begin(), by_level.end());
  for (const auto& [rank, text] : by_level) tiers += (tiers.empty() ? "" : " · ") + text;

  html_ += "<section id=\"headline\">\n<h2>" + t("headline") + "</h2>\n<div class=\"cards\">\n";
  auto card = [&](const std::string& id, const std::string& label, const std::string& value, const std::string& sub, bool bad) {
    html_ += "<div class=\"card" + std::string(bad ? " bad" : "") + "\" id=\"" + id + "\"><div class=\"label\">" + label +
             "</div><div class=\"value\">" + value + "</div><div class=\"sub\">" + sub + "</div></div>\n";
  };
  // No unit with a population: say so instead of "0 / 0".
  const bool pop_unknown = summary_.value("units_without_population", 0.0) >= summary_.value("units", 0.0) &&
                           summary_.value("units", 0.0) > 0;
  card("card-population", t("pop_in"), pop > 0 ? percent(cov_pop / pop) : pop_unknown ? t("pop_unknown") : "—",
       pop_unknown ? t("pop_unknown_sub") : thousands(cov_pop) + " / " + thousands(pop), false);
  card("card-units", t("units_in"), thousands(cov_units), t("of_units", thousands(units)) +
       (units > 0 ? " (" + percent(cov_units / units) + ")" : ""), false);
  card("card-services", t("services"), thousands(summary_.value("services", 0.0)), tiers, false);
  card("card-uncovered", t("uncovered"), thousands(units - cov_units), t("uncovered_pop", thousands(unc_pop)), units > cov_units);
  html_ += "</div>\n<p class=\"note\">" + t("overall_note") + "</p>\n";
  if (const json w = summary_.value("warnings", json::array()); w.is_array() && !w.empty())
    html_ += "<p class=\"note\" id=\"warnings-note\">" + t("warnings_note", std::to_string(w.size())) + "</p>\n";

  // Per rule (its tier) and mode: the units within the threshold by that mode alone.
  html_ += "<h3>" + t("by_rule") + "</h3>\n<table id=\"rule-table\"><thead><tr><th>" + t("rule") + "</th><th>" + t("tier") + "</th><th>" +
           t("mode") + "</th><th>" + t("threshold") + "</th><th class=\"n\">" + t("units_covered") + "</th><th class=\"n\">" +
           t("pop_covered") + "</th><th>" + t("rate_pop") + "</th></tr></thead><tbody>\n";
  for (const json& rule : summary_.value("rules", json::array())) {
    const std::string name = rule.value("name", "");
    std::vector<std::string> modes = {""};  // "": any mode (the rule itself)
    for (const json& m : rule.value("modes", json::array())) modes.push_back(m.get<std::string>());
    for (const std::string& mode : modes) {
      const std::string col = mode.empty() ? name + "_covered" : name + "_" + mode + "_covered";
      double n = 0, ncov = 0, p = 0, pcov = 0;
      for (const Feature& f : demand_.features) {
        const std::string& v = f.get(col);
        if (v.empty()) continue;  // the rule does not apply to this unit
        const bool yes = v == "1" || v == "true";
        n += 1;
        p += num(f.get("population"));
        if (yes) {
          ncov += 1;
          pcov += num(f.get("population"));
        }
      }
      html_ += "<tr><td>" + (mode.empty() ? "<b>" + rule_words(name) + "</b>" : std::string()) + "</td><td>" +
               (mode.empty() ? tier_label(rule.value("tier", "")) : std::string()) + "</td><td>" +
               (mode.empty() ? t("all_modes") : t(mode)) + "</td><td>" + rule_threshold(rule) + "</td><td class=\"n\">" +
               thousands(ncov) + " / " + thousands(n) + "</td><td class=\"n\">" + thousands(pcov) + "</td><td>" +
               (p > 0 ? bar(fixed(pcov / p, 6)) : "—") + "</td></tr>\n";
    }
  }
  html_ += "</tbody></table>\n</section>\n";
}

void Report::map() {
  html_ += "<section id=\"map-section\">\n<h2>" + t("map") + "</h2>\n";
  // Extent: villages, services and new sites (circles may reach far beyond; they are clipped).
  std::vector<LonLat> extent;
  for (const Layer* l : {&demand_, &services_, &plan_})
    for (const Feature& f : l->features)
      if (f.point) extent.push_back(*f.point);
  for (const Feature& f : areas_.features)  // the whole of every polygon unit
    if (f.wkb)
      for (LonLat c : wkb_corners(*f.wkb)) extent.push_back(c);
  MapProjection pj;
  if (!fit_projection(extent, 900.0, 760.0, pj)) {
    html_ += "<svg id=\"map\" viewBox=\"0 0 10 10\" width=\"10\" height=\"10\"></svg>\n<p class=\"note\">" + t("no_points") + "</p>\n</section>\n";
    return;
  }

  // Circle bands grouped by rule and mode, in the layer's order; one group shown at a time.
  MapLayers layers;
  std::vector<std::pair<std::string, std::string>> group_names;  // rule, mode
  for (const Feature& f : circle_.features) {
    if (!f.wkb) continue;
    const std::string rule = f.get("rule"), mode = f.get("mode");
    auto it = std::find(group_names.begin(), group_names.end(), std::pair{rule, mode});
    std::size_t g = it - group_names.begin();
    if (it == group_names.end()) {
      group_names.emplace_back(rule, mode);
      layers.band_groups.push_back({"bands-" + std::to_string(g), {}});
    }
    layers.band_groups[g].bands.emplace_back(num(f.get("minutes")), f.wkb);
  }
  for (MapBandGroup& g : layers.band_groups)
    std::sort(g.bands.begin(), g.bands.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::vector<double> all_minutes = band_minutes(layers);

  // One band group at a time, chosen with radio buttons and CSS only (no script): the inputs
  // are siblings before .mapwrap so "#choice:checked ~ .mapwrap #group" can show the group.
  if (group_names.size() > 1) {
    std::string css;
    html_ += "<span class=\"note\">" + t("show") + "</span> ";
    for (std::size_t i = 0; i < group_names.size(); ++i) {
      const std::string id = "band-choice-" + std::to_string(i);
      html_ += "<input type=\"radio\" name=\"bands\" id=\"" + id + "\"" + (i == 0 ? " checked" : "") + "><label for=\"" + id + "\">" +
               rule_plain(group_names[i].first) + " · " + t(group_names[i].second) + "</label>\n";
      css += "#" + id + ":checked~.mapwrap #bands-" + std::to_string(i) + "{display:inline}\n";
    }
    html_ += "<style>\n" + css + "</style>\n";
  } else {
    html_ += "<style>#bands-0{display:inline}</style>\n";
  }

  layers.unit_count = demand_.features.size();
  for (const Feature& f : demand_.features) {
    if (!f.point) continue;
    const bool yes = f.get("covered") == "1" || f.get("covered") == "true";
    (yes ? layers.covered : layers.uncovered).push_back({*f.point, yes ? "" : escape(f.get("name"))});
  }
  for (const Feature& f : services_.features)
    if (f.point) layers.services.push_back({{*f.point, escape(f.get("name"))}, tier_rank(f.get("tier"))});
  for (const Feature& f : plan_.features)
    if (f.point) layers.new_sites.push_back({*f.point, escape(f.get("name"))});
  // Polygon units as areas by verdict, and the boundaries their unions draw: each town's, then
  // the county's (the demand polygons are the scenario's admin polygons).
  if (!areas_.features.empty()) {
    std::map<std::string, std::vector<std::string>> by_town;
    std::vector<std::string> every;
    for (const Feature& f : areas_.features) {
      if (!f.wkb) continue;
      const std::string& c = f.get("covered");
      layers.areas.push_back({f.wkb, c == "1" || c == "true" ? "acov" : "aunc"});
      every.push_back(*f.wkb);
      if (!f.get("town").empty()) by_town[f.get("town")].push_back(*f.wkb);
    }
    boundaries_.clear();
    boundaries_.reserve(by_town.size() + 1);
    if (by_town.size() > 1)
      for (const auto& [town, parts] : by_town) boundaries_.push_back(union_wkb(parts));
    const std::size_t towns = boundaries_.size();
    boundaries_.push_back(union_wkb(every));
    for (std::size_t i = 0; i < boundaries_.size(); ++i)
      layers.outlines.push_back({&boundaries_[i], i < towns ? "bnd" : "bnd0"});
  }
  // Names beside the symbols: services, then uncovered villages (towns first, centred); a name
  // with no free room is left out (the tooltip and the tables still carry it). A large county
  // names only its higher tiers and its most populous gaps, so the map stays readable.
  constexpr std::size_t kAllServicesNamedUpTo = 40, kGapsNamed = 40;
  const bool name_every_service = services_.features.size() <= kAllServicesNamedUpTo;
  for (const Feature& f : services_.features)
    if (f.point && (name_every_service || tier_rank(f.get("tier")) <= 1))
      layers.labels.push_back(MapLabel::beside(*f.point, escape(f.get("name")), 10, 1));
  std::size_t gaps_named = 0;
  for (const Feature& f : gaps_.features) {  // ranked: most residents first
    if (!f.point) continue;
    if (++gaps_named > kGapsNamed) break;
    layers.labels.push_back(MapLabel::beside(*f.point, escape(f.get("name")), 9.5, 2));
  }
  // Roads by class under everything; town names over everything.
  for (std::size_t c = 0; c < in_.roads.columns.size(); ++c)
    if (in_.roads.columns[c] == "highway")
      for (std::size_t i = 0; i < in_.roads.rows.size(); ++i)
        if (!in_.roads.wkb[i].empty()) layers.roads.push_back({road_rank(in_.roads.rows[i][c]), &in_.roads.wkb[i]});
  const std::string town_field = summary_.contains("admin_fields") ? summary_["admin_fields"].value("town", "") : "";
  if (!town_field.empty()) {
    std::map<std::string, std::tuple<double, double, int>> towns;
    for (const Feature& f : demand_.features) {
      const std::string& town = f.get(town_field);
      if (town.empty() || !f.point) continue;
      auto& [x, y, n] = towns[town];
      x += f.point->lon, y += f.point->lat, ++n;
    }
    for (const auto& [town, c] : towns)
      layers.labels.push_back({{std::get<0>(c) / std::get<2>(c), std::get<1>(c) / std::get<2>(c)}, escape(town)});
  }
  MapText text;
  text.aria_label = t("map");
  text.north = t("north");
  text.km = zh_ ? " 公里" : " km";
  text.m = zh_ ? " 米" : " m";
  html_ += "<div class=\"mapwrap\">\n" + svg_map(layers, pj, text);

  // Legend.
  html_ += "<div class=\"legend\" id=\"legend\"><b>" + t("legend") + "</b>\n";
  auto icon = [](const std::string& body) { return "<svg width=\"22\" height=\"18\" viewBox=\"-11 -9 22 18\">" + body + "</svg>"; };
  for (double m : all_minutes)
    html_ += "<div>" + icon("<rect x=\"-10\" y=\"-7\" width=\"20\" height=\"14\" fill=\"" + std::string(band_colour(all_minutes, m)) + "\"/>") +
             t("within", short_number(m)) + "</div>\n";
  std::vector<std::pair<int, std::string>> tiers;
  for (const json& tier : summary_.value("tiers", json::array())) tiers.emplace_back(-tier.value("level", 0), tier.value("name", ""));
  std::stable_sort(tiers.begin(), tiers.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (tiers.empty()) tiers.emplace_back(0, "");
  for (const auto& tier : tiers)
    html_ += "<div>" + icon(tier_shape(tier_rank(tier.second), 0, 0)) + (tier.second.empty() ? t("services") : tier_label(tier.second)) + "</div>\n";
  html_ += "<div>" + icon("<circle class=\"unc\" r=\"3.6\"/>") + t("uncovered_dot") + "</div>\n";
  html_ += "<div>" + icon("<circle class=\"cov\" r=\"2.6\"/>") + t("covered_dot") + "</div>\n";
  if (plan_.found && !plan_.features.empty()) html_ += "<div>" + icon(star(0, 0, 8)) + t("new_site") + "</div>\n";
  if (!layers.areas.empty()) {
    html_ += "<div>" + icon("<rect class=\"acov\" x=\"-10\" y=\"-7\" width=\"20\" height=\"14\"/>") + t("area_covered") + "</div>\n";
    html_ += "<div>" + icon("<rect class=\"aunc\" x=\"-10\" y=\"-7\" width=\"20\" height=\"14\"/>") + t("area_uncovered") + "</div>\n";
    if (layers.outlines.size() > 1)
      html_ += "<div>" + icon("<path class=\"bnd\" d=\"M-10 0H10\"/>") + t("town_boundary") + "</div>\n";
    html_ += "<div>" + icon("<path class=\"bnd0\" d=\"M-10 0H10\"/>") + t("county_boundary") + "</div>\n";
  }
  html_ += "</div>\n</div>\n<p class=\"note\">" + t("map_note") + "</p>\n</section>\n";
}

void Report::rollup_table(const std::string& id, const LayerRows& rows_in, const std::string& layer_name, bool town) {
  html_ += "<section id=\"" + id + "\">\n<h2>" + t(town ? "town_table" : "county_table") + "</h2>\n";
  const Layer l = features_of(rows_in);
  if (!l.found) {
    html_ += "<p class=\"note\">" + t("no_rollup", layer_name + ".csv") + "</p>\n</section>\n";
    return;
  }
  std::vector<const Feature*> rows;
  for (const Feature& f : l.features)
    if (f.get("measure") == "overall") rows.push_back(&f);
  // Lowest coverage first: where action is needed; rows without population rate last.
  std::stable_sort(rows.begin(), rows.end(), [](const Feature* a, const Feature* b) {
    const double ra = num(a->get("coverage_rate_population"), 2), rb = num(b->get("coverage_rate_population"), 2);
    return ra != rb ? ra < rb : num(a->get("coverage_rate_units")) < num(b->get("coverage_rate_units"));
  });
  html_ += "<p class=\"note\">" + t("sorted_note") + "</p>\n<div class=\"scroll\"><table><thead><tr><th>" + t("county") + "</th>" +
           (town ? "<th>" + t("town") + "</th>" : std::string()) + "<th class=\"n\">" + t("units") + "</th><th class=\"n\">" +
           t("units_covered") + "</th><th class=\"n\">" + t("population") + "</th><th class=\"n\">" + t("pop_covered") + "</th><th>" +
           t("rate_pop") + "</th><th>" + t("rate_units") + "</th></tr></thead><tbody>\n";
  for (const Feature* f : rows)
    html_ += "<tr><td>" + admin(f->get("county")) + "</td>" + (town ? "<td>" + admin(f->get("town")) + "</td>" : std::string()) +
             "<td class=\"n\">" + thousands(num(f->get("units"))) + "</td><td class=\"n\">" + thousands(num(f->get("covered_units"))) +
             "</td><td class=\"n\">" + thousands(num(f->get("population"))) + "</td><td class=\"n\">" +
             thousands(num(f->get("covered_population"))) + "</td><td>" + bar(f->get("coverage_rate_population")) + "</td><td>" +
             bar(f->get("coverage_rate_units")) + "</td></tr>\n";
  html_ += "</tbody></table></div>\n</section>\n";
}

void Report::gaps() {
  html_ += "<section id=\"gaps\">\n<h2>" + t("gaps") + "</h2>\n";
  if (!gaps_.found || gaps_.features.empty()) {
    html_ += "<p class=\"note\">" + t("no_gaps") + "</p>\n</section>\n";
    return;
  }
  const std::size_t limit = 500;  // a printable list; the full one is gaps.csv
  html_ += "<p class=\"note\">" + t("gaps_note") + "</p>\n<div class=\"scroll\"><table><thead><tr><th class=\"n\">" + t("rank") +
           "</th><th>" + t("name") + "</th><th>" + t("county") + "</th><th>" + t("town") + "</th><th class=\"n\">" +
           t("population") + "</th><th class=\"n\">" + t("minutes") + "</th><th>" + t("unmet") + "</th></tr></thead><tbody>\n";
  const json rules = summary_.value("rules", json::array());
  for (std::size_t i = 0; i < gaps_.features.size() && i < limit; ++i) {
    const Feature& f = gaps_.features[i];
    // Which rules the unit fails, from the demand layer; an unreachable unit says why.
    std::string unmet;
    const std::string& reason = f.get("reason");
    if (reason == "no road within max_snap_m") unmet = t("snap_too_far");
    else if (reason == "no service reachable") unmet = t("no_service");
    else if (!reason.empty()) unmet = escape(reason);
    if (auto it = unit_by_id_.find(f.get("id")); unmet.empty() && it != unit_by_id_.end()) {
      for (const json& r : rules) {
        const std::string v = it->second->get(r.value("name", "") + "_covered");
        if (v == "0" || v == "false") unmet += (unmet.empty() ? "" : zh_ ? "、" : ", ") + rule_words(r.value("name", ""));
      }
      const std::string s = it->second->get("standard_met");
      if (s == "0" || s == "false") unmet += (unmet.empty() ? "" : ", ") + t("standard_rule");
    }
    const std::string& minutes = f.get("minutes");
    html_ += "<tr><td class=\"n\">" + escape(f.get("rank")) + "</td><td>" + escape(f.get("name")) + "</td><td>" + admin(f.get("county")) +
             "</td><td>" + admin(f.get("town")) + "</td><td class=\"n\">" +
             (f.get("population").empty() ? "—" : thousands(num(f.get("population")))) + "</td><td class=\"n\">" +
             (minutes.empty() ? t("unreachable") : fixed(num(minutes), 1)) + "</td><td>" + unmet + "</td></tr>\n";
  }
  html_ += "</tbody></table></div>\n";
  if (gaps_.features.size() > limit) html_ += "<p class=\"note\">" + t("more_rows", thousands(double(gaps_.features.size() - limit))) + "</p>\n";
  html_ += "</section>\n";
}

void Report::plan() {
  html_ += "<section id=\"plan\">\n<h2>" + t("plan") + "</h2>\n";
  if (!summary_.contains("planning") || !summary_["planning"].is_object()) {
    html_ += "<p class=\"note\">" + t("no_plan") + "</p>\n</section>\n";
    return;
  }
  const json& p = summary_["planning"];
  const std::string kind = p.value("kind", "");
  std::string basis = kind == "lscp"       ? t("lscp", percent(p.value("target_share", 0.0)))
                      : kind == "evaluate" ? t("evaluate", escape(p.value("proposals", "")))
                                           : t("mclp", std::to_string(p.value("add", 0)));
  basis += zh_ ? "；" : "; ";
  // A scenario plans for its own measure; `legalcircle plan` for one mode's minutes.
  const std::string objective = p.value("objective", "");
  if (objective == "overall") basis += t("objective_overall");
  else if (objective == "standard") basis += t("objective_standard");
  else if (objective.rfind("rule:", 0) == 0) basis += t("objective_rule", rule_words(objective.substr(5)));
  else basis += t(p.value("mode", "")) + " " + t("min", short_number(p.value("minutes", 0.0)));
  html_ += "<p>" + t("plan_basis", basis) + "</p>\n";
  if (p.contains("bound_note")) html_ += "<p class=\"note\">" + t("not_certified", escape(p.value("bound_note", ""))) + "</p>\n";
  html_ += "<div class=\"cards\">\n";
  const double before = p.value("population_covered_before", p.value("existing_population", 0.0));
  const double after = p.value("population_covered_after", p.value("objective_population", 0.0));
  const double total = p.value("population_total", p.value("total_population", 0.0));
  auto card = [&](const std::string& label, const std::string& value, const std::string& sub) {
    html_ += "<div class=\"card\"><div class=\"label\">" + label + "</div><div class=\"value\">" + value + "</div><div class=\"sub\">" + sub + "</div></div>\n";
  };
  card(t("new_sites"), thousands(double(plan_.features.size())), "");
  card(t("gain"), "+" + thousands(after - before), t("pop_before") + " " + thousands(before) + " → " + t("pop_after") + " " + thousands(after));
  card(t("pop_after"), total > 0 ? percent(after / total) : "—", thousands(after) + " / " + thousands(total));
  // The certificate: MCLP's relative gap to a proven upper bound; LSCP's proven minimum count.
  if (kind == "mclp") {
    const double gap = p.value("gap", 0.0);  // (bound - objective) / bound
    card(t("gap"), gap < 0.0001 ? "≤ 0.01%" : fixed(100 * gap, 2) + "%", t("bound") + " " + thousands(p.value("upper_bound_population", 0.0)));
  } else if (kind == "lscp") {
    card(t("gap"), std::to_string(p.value("gap_sites", 0)), t("min_sites", std::to_string(p.value("lower_bound_sites", 0))));
  }
  html_ += "</div>\n";
  if (kind == "lscp" && !p.value("feasible", true))
    html_ += "<p class=\"note bad\" id=\"infeasible\"><b>" +
             t("infeasible", percent(p.value("best_reachable_share", 0.0)), std::to_string(p.value("sites", 0))) + "</b></p>\n";
  // Every measure before and after (totals), so a plan for one measure shows what it does to the others.
  const Layer by_measure = features_of(in_.plan_rollup);
  if (by_measure.found && !by_measure.features.empty()) {
    html_ += "<h3>" + t("by_measure") + "</h3>\n<table id=\"plan-measures\"><thead><tr><th>" + t("measure") + "</th><th>" +
             t("before") + "</th><th>" + t("after") + "</th></tr></thead><tbody>\n";
    for (const Feature& f : by_measure.features) {
      if (!f.get("county").empty() || !f.get("town").empty()) continue;  // the totals
      const std::string m = f.get("measure");
      const std::string label = m == "overall"                ? t("measure_overall")
                                : m == "standard"             ? t("standard_rule")
                                : m.rfind("rule:", 0) == 0    ? rule_words(m.substr(5))
                                                              : escape(m);
      html_ += "<tr><td>" + label + "</td><td>" + bar(f.get("coverage_rate_population_before")) + "</td><td>" +
               bar(f.get("coverage_rate_population_after")) + "</td></tr>\n";
    }
    html_ += "</tbody></table>\n";
  }
  if (plan_.features.empty()) {
    html_ += "<p class=\"note\">" + t("no_sites") + "</p>\n</section>\n";
    return;
  }
  html_ += "<table><thead><tr><th class=\"n\">" + t("rank") + "</th><th>" + t("name") + "</th><th class=\"n\">" + t("gain") +
           "</th><th class=\"n\">" + t("gain_units") + "</th><th>" + t("newly") + "</th></tr></thead><tbody>\n";
  for (const Feature& f : plan_.features) {
    std::string names;
    std::stringstream ids(f.get("newly_covered_ids"));
    std::string id;
    int shown = 0, total_ids = 0;
    while (std::getline(ids, id, ',')) {
      ++total_ids;
      if (shown >= 12) continue;  // a long list is in plan.csv
      auto it = unit_by_id_.find(id);
      names += (names.empty() ? "" : zh_ ? "、" : ", ") + escape(it != unit_by_id_.end() && !it->second->get("name").empty() ? it->second->get("name") : id);
      ++shown;
    }
    if (total_ids > shown) names += " …(+" + std::to_string(total_ids - shown) + ")";
    html_ += "<tr><td class=\"n\">" + escape(f.get("rank")) + "</td><td>" + escape(f.get("name").empty() ? f.get("id") : f.get("name")) +
             "</td><td class=\"n\">" + thousands(num(f.get("gain_population"))) + "</td><td class=\"n\">" + thousands(num(f.get("gain_units"))) +
             "</td><td>" + names + "</td></tr>\n";
  }
  html_ += "</tbody></table>\n</section>\n";
}

void Report::method() {
  html_ += "<section id=\"method\">\n<h2>" + t("method") + "</h2>\n<dl>\n";
  html_ += "<dt>" + t("direction") + "</dt><dd>" + t(summary_.value("direction", "to_service")) + "</dd>\n";
  html_ += "<dt>" + t("profiles") + "</dt><dd>";
  if (summary_.contains("profiles"))
    for (const auto& [mode, prof] : summary_["profiles"].items()) {
      html_ += "<div><b>" + t(mode) + "</b>: ";
      if (prof.contains("class_speed_kmh")) {
        html_ += t("by_class") + " (";
        bool first = true;
        for (const auto& [cls, v] : prof["class_speed_kmh"].items()) {
          html_ += (first ? "" : ", ") + escape(cls) + " " + short_number(v.get<double>());
          first = false;
        }
        html_ += zh_ ? " 公里/小时)" : " km/h)";
      } else {
        html_ += t("kmh", short_number(prof.value("default_speed_kmh", 0.0)));
      }
      html_ += "; " + t("oneway") + ": " + t(prof.value("respect_oneway", false) ? "yes" : "no") + "</div>";
    }
  html_ += "<div class=\"note\">" + t("snap", short_number(summary_.value("max_snap_m", 0.0)), short_number(summary_.value("access_leg_kmh", 0.0))) +
           "</div></dd>\n";
  html_ += "<dt>" + t("rules") + "</dt><dd><table><thead><tr><th>" + t("rule") + "</th><th>" + t("tier") + "</th><th>" + t("mode") + "</th><th>" +
           t("threshold") + "</th></tr></thead><tbody>";
  for (const json& rule : summary_.value("rules", json::array())) {
    std::string modes;
    for (const json& m : rule.value("modes", json::array())) modes += (modes.empty() ? "" : zh_ ? "、" : ", ") + t(m.get<std::string>());
    html_ += "<tr><td>" + rule_words(rule.value("name", "")) + "</td><td>" + tier_label(rule.value("tier", "")) + "</td><td>" + modes +
             "</td><td>" + rule_threshold(rule) + "</td></tr>";
  }
  html_ += "</tbody></table></dd>\n";
  if (summary_.contains("standard") && summary_["standard"].is_object()) {
    html_ += "<dt>" + t("standard") + "</dt><dd>";
    for (const char* cls : {"urban", "rural", "remote"}) {
      if (!summary_["standard"].contains(cls)) continue;
      const json& c = summary_["standard"][cls];
      html_ += "<div>" + t(cls) + ": " + t(c.value("mode", "")) + " " +
               (c.value("km", 0.0) > 0 ? t("km", short_number(c.value("km", 0.0))) : t("min", short_number(c.value("minutes", 0.0)))) + "</div>";
    }
    html_ += "</dd>\n";
  }
  if (!summary_.value("tiers", json::array()).empty()) {
    html_ += "<dt>" + t("tiers") + "</dt><dd>";
    for (const json& tier : summary_["tiers"])
      html_ += "<div>" + t("level") + " " + std::to_string(tier.value("level", 0)) + ": " + tier_label(tier.value("name", "")) +
               " (<code>" + escape(tier.value("name", "")) + "</code>)</div>";
    html_ += "</dd>\n";
  }
  const json inputs = summary_.value("inputs", json::object());
  html_ += "<dt>" + t("inputs") + "</dt><dd>";
  for (const auto& [key, label] : {std::pair{"roads", "roads_in"}, {"services", "services_in"}, {"demand", "demand_in"}})
    if (inputs.contains(key)) html_ += "<div>" + t(label) + ": <code>" + escape(inputs[key].get<std::string>()) + "</code></div>";
  // The credit the data carry: OpenStreetMap's licence text, the generator's SYNTHETIC note as
  // written, or the county's own inputs.
  const std::string credit = summary_.value("attribution", "");
  html_ += "</dd>\n<dt>" + t("sources") + "</dt><dd>" +
           (credit.empty() ? t("own_data")
            : credit.find("OpenStreetMap contributors") != std::string::npos ? t("osm")
                                                                              : escape(credit)) +
           "</dd>\n";
  html_ += "<dt>" + t("scenario") + "</dt><dd><code>" + escape(summary_.value("scenario", "")) + "</code></dd>\n";
  html_ += "<dt>" + t("run_date") + "</dt><dd>" + escape(summary_.value("run_date", "")) + "</dd>\n";
  const json warnings = summary_.value("warnings", json::array());
  if (!warnings.empty()) {
    html_ += "<dt id=\"warnings\">" + t("warnings") + "</dt><dd><ul>";
    for (const json& w : warnings)
      if (w.is_string()) html_ += "<li>" + escape(w.get<std::string>()) + "</li>";
    html_ += "</ul></dd>\n";
  }
  html_ += "</dl>\n</section>\n";
}

std::string Report::render() {
  load();
  header();
  headline();
  if (!in_.comparison_section.empty())  // the scenario's baseline: what changed since then
    html_ += "<section id=\"comparison\">\n<h2>" + t("comparison") + "</h2>\n" + in_.comparison_section + "</section>\n";
  map();
  rollup_table("county-table", in_.rollup_county, "rollup_county", false);
  rollup_table("town-table", in_.rollup_town, "rollup_town", true);
  gaps();
  plan();
  method();
  html_ += "</main>\n<footer>" + t("footer") + "</footer>\n</body>\n</html>\n";
  return std::move(html_);
}

}  // namespace

namespace {
// The map draws geometry at the precision the GeoJSON layers carry (RFC 7946: 7 decimals, about
// 1 cm), so a run's report and `legalcircle report` on its folder are the same page.
constexpr int kLayerDecimals = 7;

// The roads the report's map draws: every way when the network is small (a county's streets give
// the map its context), else the main classes (motorway to tertiary), so the page stays light.
constexpr std::size_t kMapAllRoadsUpTo = 5000;
std::vector<std::size_t> map_road_indices(const std::vector<std::string>& classes) {
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < classes.size(); ++i)
    if (classes.size() <= kMapAllRoadsUpTo || road_rank(classes[i]) <= 2) keep.push_back(i);
  return keep;
}

LayerRows rows_of(const Table& t) {
  LayerRows r;
  r.found = true;
  for (const Column& c : t.columns) r.columns.push_back(c.name);
  r.rows = t.rows;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    r.points.push_back(i < t.geometry.size() ? std::optional<LonLat>(round_lonlat(t.geometry[i], kLayerDecimals))
                                             : std::nullopt);
    // As the layers write it: rounded (and, unless traced valid with clearance, made valid).
    r.wkb.push_back(i >= t.wkb.size() || t.wkb[i].empty() ? std::string()
                    : t.polygons_valid_as_written   ? round_wkb(t.wkb[i], kLayerDecimals)
                                                    : polygon_as_written(t.wkb[i], kLayerDecimals));
  }
  return r;
}
}  // namespace

ReportInput report_input(const nlohmann::ordered_json& summary, const ScenarioLayers& layers) {
  ReportInput in;
  in.summary = summary;
  in.demand = rows_of(layers.demand);
  in.services = rows_of(layers.services);
  in.circle = rows_of(layers.circle);
  in.gaps = rows_of(layers.gaps);
  if (!layers.demand_areas.rows.empty()) in.demand_areas = rows_of(layers.demand_areas);
  if (layers.plan_sites.shape != Table::Shape::derived) in.plan = rows_of(layers.plan_sites);
  if (!layers.plan_rollup.columns.empty()) in.plan_rollup = rows_of(layers.plan_rollup);
  {
    const Table& r = layers.roads;
    std::size_t highway = r.columns.size();
    for (std::size_t c = 0; c < r.columns.size(); ++c)
      if (r.columns[c].name == "highway") highway = c;
    if (highway < r.columns.size()) {
      std::vector<std::string> classes;
      for (const auto& row : r.rows) classes.push_back(row[highway]);
      Table kept;
      kept.columns = r.columns;
      kept.shape = r.shape;
      for (std::size_t i : map_road_indices(classes)) kept.rows.push_back(r.rows[i]), kept.wkb.push_back(r.wkb[i]);
      in.roads = rows_of(kept);
    }
  }
  in.rollup_county = rows_of(layers.rollup_county);
  in.rollup_town = rows_of(layers.rollup_town);
  return in;
}

ReportInput read_report_input(const std::string& dir) {
  ReportInput in;
  const std::string summary_path = (fs::path(dir) / "summary.json").string();
  try {
    in.summary = json::parse(read_text(summary_path));
  } catch (const json::exception& e) {
    throw InputError(summary_path + ": not valid JSON (" + e.what() + ")");
  }
  if (!in.summary.is_object() || !in.summary.contains("totals"))
    throw InputError(summary_path + ": not the summary.json of a 'legalcircle run' (no \"totals\")");
  in.demand = read_output_layer(dir, "demand");
  if (!in.demand.found)
    throw InputError((fs::path(dir) / "demand.geojson").string() + ": file not found (nor a demand layer in legalcircle.gpkg)");
  in.services = read_output_layer(dir, "services");
  in.circle = read_output_layer(dir, "circle");
  in.gaps = read_output_layer(dir, "gaps");
  in.plan = read_output_layer(dir, "plan");
  in.rollup_county = read_output_layer(dir, "rollup_county");
  in.rollup_town = read_output_layer(dir, "rollup_town");
  in.plan_rollup = read_output_layer(dir, "plan_rollup");
  in.demand_areas = read_output_layer(dir, "demand_areas");
  {
    LayerRows all = read_output_layer(dir, "roads");
    int highway = -1;
    for (std::size_t c = 0; c < all.columns.size(); ++c)
      if (all.columns[c] == "highway") highway = int(c);
    if (all.found && highway >= 0) {
      std::vector<std::string> classes;
      for (const auto& row : all.rows) classes.push_back(row[std::size_t(highway)]);
      in.roads.found = true;
      in.roads.source = all.source;
      in.roads.columns = all.columns;
      for (std::size_t i : map_road_indices(classes)) {
        in.roads.rows.push_back(std::move(all.rows[i]));
        in.roads.points.push_back(all.points[i]);
        in.roads.wkb.push_back(std::move(all.wkb[i]));
      }
    }
  }
  return in;
}

std::string render_report(const ReportInput& input, const std::string& lang) {
  if (lang != "zh" && lang != "en") throw ConfigError("report language must be zh or en, not '" + lang + "'");
  return Report(input, lang).render();
}

void write_report(const ReportInput& input, const std::string& lang, const std::string& path) {
  write_text_file(path, render_report(input, lang));
}

}  // namespace legalcircle
