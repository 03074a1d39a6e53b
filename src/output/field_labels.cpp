#include "legalcircle/output/field_labels.hpp"

#include <algorithm>
#include <array>

namespace legalcircle {
namespace {

struct Words {
  std::string_view column, zh, en;
};

// Every fixed column of the run's layers and tables (scenario_layers, plan_tables, roll-ups).
constexpr Words kColumns[] = {
    {"id", "编号", "ID"},
    {"name", "名称", "Name"},
    {"population", "人口", "Population"},
    {"county", "县（市、区）", "County"},
    {"county_code", "县级代码", "County code"},
    {"town", "乡镇（街道）", "Town"},
    {"town_code", "乡镇代码", "Town code"},
    {"village_code", "村社代码", "Village code"},
    {"area_class", "区域类型", "Area class"},
    {"area_class_used", "采用的区域类型", "Area class used"},
    {"type", "类型", "Type"},
    {"minutes", "用时（分钟）", "Minutes"},
    {"nearest_service_id", "最近服务点编号", "Nearest service"},
    {"covered", "总体覆盖", "Covered (overall)"},
    {"standard_value", "省级标准距离或用时", "Standard: km or minutes"},
    {"standard_met", "达到省级标准", "Meets the standard"},
    {"snap_m", "接入路网距离（米）", "Snap distance (m)"},
    {"reason", "说明", "Reason"},
    {"tier", "服务点层级", "Tier"},
    {"walk_snap_m", "步行接入距离（米）", "Walk snap (m)"},
    {"ebike_snap_m", "电动自行车接入距离（米）", "E-bike snap (m)"},
    {"car_snap_m", "小汽车接入距离（米）", "Car snap (m)"},
    {"rank", "排名", "Rank"},
    {"minutes_over", "超出分钟", "Minutes over"},
    {"measure", "口径", "Measure"},
    {"units", "村社数", "Units"},
    {"covered_units", "已覆盖村社数", "Covered units"},
    {"uncovered_units", "未覆盖村社数", "Uncovered units"},
    {"unreachable_units", "不可达村社数", "Unreachable units"},
    {"covered_population", "已覆盖人口", "Covered population"},
    {"coverage_rate_population", "人口覆盖率", "Coverage rate (population)"},
    {"coverage_rate_units", "村社覆盖率", "Coverage rate (units)"},
    {"gain_population", "新增覆盖人口", "Population gained"},
    {"gain_units", "新增覆盖村社数", "Units gained"},
    {"newly_covered_ids", "新覆盖村社编号", "Newly covered IDs"},
    {"newly_covered_names", "新覆盖村社", "Newly covered names"},
    {"newly_covered", "新覆盖", "Newly covered"},
    {"road", "所在道路", "Road"},
    {"lon", "经度", "Longitude"},
    {"lat", "纬度", "Latitude"},
    {"x", "X 坐标", "X"},
    {"y", "Y 坐标", "Y"},
    {"rule", "覆盖规则", "Rule"},
    {"mode", "出行方式", "Mode"},
    {"area_km2", "面积（平方千米）", "Area (km²)"},
    {"service_id", "服务点编号", "Service ID"},
    {"outside_km2", "圈外面积（平方千米）", "Area outside (km²)"},
    {"outside_share", "圈外面积比例", "Share outside"},
    {"population_outside_est", "圈外人口估计", "Population outside (est.)"},
    {"way_id", "道路编号", "Way ID"},
    {"highway", "道路等级", "Road class"},
    {"walk", "可步行", "Walk"},
    {"ebike", "可骑电动自行车", "E-bike"},
    {"car", "可行驶小汽车", "Car"},
};

constexpr Words kModes[] = {{"walk", "步行", "walk"}, {"ebike", "电动自行车", "e-bike"}, {"car", "小汽车", "car"}};

// Per rule and mode: <rule>_<mode>_<suffix>.
constexpr Words kRuleModeSuffixes[] = {{"minutes", "用时（分钟）", "minutes"},
                                       {"service", "最近服务点", "nearest service"},
                                       {"km", "路网距离（千米）", "network km"},
                                       {"covered", "达标", "covered"}};

std::string_view pick(const Words& w, std::string_view lang) { return lang == "en" ? w.en : w.zh; }

const Words* find(std::span<const Words> table, std::string_view column) {
  for (const Words& w : table)
    if (w.column == column) return &w;
  return nullptr;
}

std::string fixed_label(std::string_view column, std::string_view lang) {
  if (const Words* w = find(kColumns, column)) return std::string(pick(*w, lang));
  // Plan tables: x_before / x_after.
  for (const auto& [suffix, zh, en] : {Words{"_before", "（规划前）", " (before)"}, Words{"_after", "（规划后）", " (after)"}})
    if (column.size() > suffix.size() && column.ends_with(suffix))
      if (const Words* w = find(kColumns, column.substr(0, column.size() - suffix.size())))
        return std::string(pick(*w, lang)) + std::string(lang == "en" ? en : zh);
  return "";
}

}  // namespace

std::string field_label(std::string_view column, std::span<const CoverageRule> rules, std::string_view lang) {
  const std::string sep = lang == "en" ? " · " : "·";
  if (column.starts_with("input_")) return std::string(lang == "en" ? "input: " : "输入：") + std::string(column.substr(6));
  // The longest rule name first: a rule "a" must not claim the columns of a rule "a_b".
  std::vector<const CoverageRule*> by_length;
  for (const CoverageRule& r : rules) by_length.push_back(&r);
  std::stable_sort(by_length.begin(), by_length.end(),
                   [](const CoverageRule* a, const CoverageRule* b) { return a->name.size() > b->name.size(); });
  for (const CoverageRule* r : by_length) {
    if (!column.starts_with(r->name) || column.size() <= r->name.size() + 1 || column[r->name.size()] != '_') continue;
    const std::string_view rest = column.substr(r->name.size() + 1);
    if (rest == "covered") return r->shown() + sep + std::string(lang == "en" ? "covered" : "达标");
    for (const Words& m : kModes) {
      if (!rest.starts_with(m.column) || rest.size() <= m.column.size() + 1 || rest[m.column.size()] != '_') continue;
      if (const Words* s = find(kRuleModeSuffixes, rest.substr(m.column.size() + 1)))
        return r->shown() + sep + std::string(pick(m, lang)) + sep + std::string(pick(*s, lang));
    }
  }
  const std::string fixed = fixed_label(column, lang);
  return fixed.empty() ? std::string(column) : fixed;
}

std::vector<std::string> column_labels(std::span<const std::string> columns, std::span<const CoverageRule> rules,
                                       std::string_view lang) {
  std::vector<std::string> words;
  for (const std::string& c : columns) words.push_back(field_label(c, rules, lang));
  std::vector<std::string> labels = words;
  for (std::size_t i = 0; i < words.size(); ++i)
    if (std::count(words.begin(), words.end(), words[i]) > 1) labels[i] += " (" + columns[i] + ")";
  return labels;
}

}  // namespace legalcircle
