#include "legalcircle/output/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/write_qgis.hpp"  // xml_escape
#include "legalcircle/render/svg_map.hpp"

namespace legalcircle {
namespace {

int column(const LayerRows& l, const std::string& name) {
  for (std::size_t i = 0; i < l.columns.size(); ++i)
    if (l.columns[i] == name) return int(i);
  return -1;
}

std::string cell(const LayerRows& l, std::size_t row, int col) { return col < 0 ? "" : l.rows[row][std::size_t(col)]; }

std::optional<double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> verdict(const std::string& s) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

std::string text_of(const std::optional<double>& v, const char* format) {
  if (!v) return "";
  char b[64];
  std::snprintf(b, sizeof b, format, *v);
  return b;
}

// The same escaping as every XML the project writes.
std::string xml(const std::string& s) { return xml_escape(s); }

struct Run {
  const ReportInput& in;
  std::string dir;
};

}  // namespace

RunComparison compare_runs(const std::string& dir_a, const std::string& dir_b) {
  return compare_inputs(read_report_input(dir_a), dir_a, read_report_input(dir_b), dir_b);
}

RunComparison compare_inputs(const ReportInput& in_a, const std::string& dir_a, const ReportInput& in_b,
                             const std::string& dir_b) {
  const Run a{in_a, dir_a}, b{in_b, dir_b};
  RunComparison c;
  c.roads = in_b.roads;
  for (const ReportInput* in : {&in_a, &in_b})
    for (const auto& r : in->summary.value("rules", nlohmann::ordered_json::array()))
      if (r.is_object() && r.contains("name")) c.rule_labels[r["name"].get<std::string>()] = r.value("label", r["name"].get<std::string>());
  c.dir_a = dir_a, c.dir_b = dir_b;
  c.title_a = a.in.summary.value("title", dir_a), c.title_b = b.in.summary.value("title", dir_b);
  c.date_a = a.in.summary.value("run_date", ""), c.date_b = b.in.summary.value("run_date", "");
  c.lang = b.in.summary.value("lang", "zh");
  for (const Run* r : {&a, &b})
    if (!r->in.rollup_town.found && !r->in.rollup_county.found)
      throw InputError(r->dir + ": no rollup_town or rollup_county layer (run with outputs.csv or geojson)");

  // Areas: every (measure, county, town) row of either run.
  std::map<std::tuple<std::string, std::string, std::string>, AreaChange> areas;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  auto take = [&](const LayerRows& l, bool first) {
    if (!l.found) return;
    const int m = column(l, "measure"), co = column(l, "county"), to = column(l, "town"), u = column(l, "units"),
              cu = column(l, "covered_units"), r = column(l, "coverage_rate_population");
    for (std::size_t i = 0; i < l.rows.size(); ++i) {
      const auto key = std::make_tuple(cell(l, i, m), cell(l, i, co), cell(l, i, to));
      auto [it, fresh] = areas.try_emplace(key);
      AreaChange& ac = it->second;
      if (fresh) {
        order.push_back(key);
        std::tie(ac.measure, ac.county, ac.town) = key;
      }
      (first ? ac.units_a : ac.units_b) = number(cell(l, i, u));
      (first ? ac.covered_a : ac.covered_b) = number(cell(l, i, cu));
      (first ? ac.rate_a : ac.rate_b) = number(cell(l, i, r));
    }
  };
  take(a.in.rollup_county, true);
  take(b.in.rollup_county, false);
  take(a.in.rollup_town, true);
  take(b.in.rollup_town, false);
  // Totals from summary.json (the roll-up tables hold areas only).
  for (const Run* r : {&a, &b})
    if (r->in.summary.contains("totals"))
      for (const auto& [measure, t] : r->in.summary["totals"].items()) {
        const auto key = std::make_tuple(measure, std::string(), std::string());
        auto [it, fresh] = areas.try_emplace(key);
        if (fresh) {
          order.push_back(key);
          it->second.measure = measure;
        }
        const bool first = r == &a;
        (first ? it->second.units_a : it->second.units_b) = t.value("units", 0.0);
        (first ? it->second.covered_a : it->second.covered_b) = t.value("covered_units", 0.0);
        if (t.contains("coverage_rate_population") && t["coverage_rate_population"].is_number())
          (first ? it->second.rate_a : it->second.rate_b) = t["coverage_rate_population"].get<double>();
      }
  // Per measure (in the order met): its total, then counties, then towns, each in the order met.
  // Measures in run B's summary order (overall, each rule, the standard), then any other.
  std::vector<std::string> measures;
  for (const Run* r : {&b, &a})
    if (r->in.summary.contains("totals"))
      for (const auto& [measure, t] : r->in.summary["totals"].items())
        if (std::find(measures.begin(), measures.end(), measure) == measures.end()) measures.push_back(measure);
  for (const auto& k : order)
    if (std::find(measures.begin(), measures.end(), std::get<0>(k)) == measures.end()) measures.push_back(std::get<0>(k));
  auto rank = [](const auto& k) { return std::get<1>(k).empty() ? 0 : std::get<2>(k).empty() ? 1 : 2; };
  for (const std::string& m : measures)
    for (int r = 0; r < 3; ++r)
      for (const auto& k : order)
        if (std::get<0>(k) == m && rank(k) == r) c.areas.push_back(areas[k]);

  // Villages: the overall verdict per id in both runs.
  auto units = [](const LayerRows& d) {
    std::map<std::string, std::size_t> by_id;
    const int id = column(d, "id");
    for (std::size_t i = 0; i < d.rows.size(); ++i) by_id[cell(d, i, id)] = i;
    return by_id;
  };
  const auto ua = units(a.in.demand), ub = units(b.in.demand);
  // Town and county of a unit: from either run's gap list (a changed unit is uncovered in one).
  std::map<std::string, std::pair<std::string, std::string>> admin;
  for (const LayerRows* g : {&a.in.gaps, &b.in.gaps}) {
    if (!g->found) continue;
    const int id = column(*g, "id"), co = column(*g, "county"), to = column(*g, "town");
    for (std::size_t i = 0; i < g->rows.size(); ++i) admin[cell(*g, i, id)] = {cell(*g, i, co), cell(*g, i, to)};
  }
  const LayerRows &da = a.in.demand, &db = b.in.demand;
  const int ca = column(da, "covered"), cb = column(db, "covered"), ma = column(da, "minutes"), mb = column(db, "minutes"),
            na = column(da, "name"), pa = column(da, "population");
  if (ca < 0) throw InputError(a.in.demand.source + ": no 'covered' column (not a legalcircle run's demand layer)");
  if (cb < 0) throw InputError(b.in.demand.source + ": no 'covered' column (not a legalcircle run's demand layer)");
  for (const auto& [id, i] : ua) {
    auto j = ub.find(id);
    if (j == ub.end()) {
      c.only_a.push_back(id);
      continue;
    }
    ++c.units_compared;
    VillageChange v;
    v.covered_a = verdict(cell(da, i, ca));
    v.covered_b = verdict(cell(db, j->second, cb));
    if (v.covered_a == v.covered_b) continue;
    v.id = id;
    v.name = cell(da, i, na);
    v.population = number(cell(da, i, pa)).value_or(0);
    v.minutes_a = number(cell(da, i, ma));
    v.minutes_b = number(cell(db, j->second, mb));
    if (auto ad = admin.find(id); ad != admin.end()) v.county = ad->second.first, v.town = ad->second.second;
    if (i < da.points.size() && da.points[i]) v.where = da.points[i];
    c.changed.push_back(std::move(v));
  }
  for (const auto& [id, j] : ub)
    if (!ua.count(id)) c.only_b.push_back(id);
  for (const auto& p : db.points)
    if (p) c.extent.push_back(*p);
  // Newly covered first, then lost; by population within each.
  std::stable_sort(c.changed.begin(), c.changed.end(), [](const VillageChange& x, const VillageChange& y) {
    const bool gx = x.covered_b == true, gy = y.covered_b == true;
    return gx != gy ? gx : x.population > y.population;
  });
  return c;
}

Table comparison_table(const RunComparison& c) {
  Table t;
  for (const char* n : {"measure", "county", "town"}) add_column(t, n, Column::Type::text);
  for (const char* n : {"units_a", "covered_units_a", "coverage_rate_population_a", "units_b", "covered_units_b",
                        "coverage_rate_population_b", "change_points"})
    add_column(t, n, Column::Type::real);
  for (const AreaChange& a : c.areas) {
    std::optional<double> change;
    if (a.rate_a && a.rate_b) change = 100 * (*a.rate_b - *a.rate_a);
    t.rows.push_back({a.measure, a.county, a.town, text_of(a.units_a, "%.0f"), text_of(a.covered_a, "%.0f"),
                      text_of(a.rate_a, "%.4f"), text_of(a.units_b, "%.0f"), text_of(a.covered_b, "%.0f"),
                      text_of(a.rate_b, "%.4f"), text_of(change, "%.2f")});
  }
  t.shape = Table::Shape::none;
  return t;
}

Table changed_villages_table(const RunComparison& c) {
  Table t;
  for (const char* n : {"id", "name", "county", "town", "change"}) add_column(t, n, Column::Type::text);
  add_column(t, "population", Column::Type::real);
  add_column(t, "covered_a", Column::Type::boolean);
  add_column(t, "covered_b", Column::Type::boolean);
  add_column(t, "minutes_a", Column::Type::real);
  add_column(t, "minutes_b", Column::Type::real);
  auto b = [](const std::optional<bool>& v) { return v ? (*v ? "true" : "false") : ""; };
  bool all_points = true;
  for (const VillageChange& v : c.changed) all_points = all_points && v.where.has_value();
  for (const VillageChange& v : c.changed) {
    const char* change = v.covered_b == true ? "newly_covered" : v.covered_a == true ? "lost" : "judged_differently";
    t.rows.push_back({v.id, v.name, v.county, v.town, change, text_of(v.population, "%.0f"), b(v.covered_a), b(v.covered_b),
                      text_of(v.minutes_a, "%.2f"), text_of(v.minutes_b, "%.2f")});
    if (all_points) t.geometry.push_back(*v.where);
  }
  t.shape = all_points ? Table::Shape::point : Table::Shape::none;
  return t;
}

namespace {

// The comparison's content; `h2` is the heading tag of its parts (h2 on its own page, h3 in the report).
std::string comparison_body(const RunComparison& c, const std::string& lang, const std::string& hx) {
  const bool zh = lang == "zh";
  auto T = [zh](const char* z, const char* e) { return std::string(zh ? z : e); };
  auto pct = [](const std::optional<double>& r) { return r ? text_of(100 * *r, "%.1f") + "%" : std::string("–"); };
  auto change = [](const AreaChange& a) {
    if (!a.rate_a || !a.rate_b) return std::string("–");
    const double d = 100 * (*a.rate_b - *a.rate_a);
    std::string out = d > 0 ? "+" : "";
    return out.append(text_of(d, "%.1f"));
  };
  auto measure_name = [&](const std::string& m) {
    if (m == "overall") return T("总体", "Overall");
    if (m == "standard") return T("省级标准", "Provincial standard");
    const std::string rule = m.rfind("rule:", 0) == 0 ? m.substr(5) : m;
    auto label = c.rule_labels.find(rule);  // the rule in words (Chinese, as the labels are)
    return zh && label != c.rule_labels.end() ? label->second : rule;
  };
  std::size_t gained = 0, lost = 0;
  double gained_pop = 0, lost_pop = 0;
  for (const VillageChange& v : c.changed) {
    if (v.covered_b == true) ++gained, gained_pop += v.population;
    else if (v.covered_a == true) ++lost, lost_pop += v.population;
  }
  std::string open = "<", close = "</";  // appended: GCC 12 -Wrestrict misfires on "<" + hx
  open.append(hx).append(">");
  close.append(hx).append(">\n");
  std::string h = "<p>A: " + xml(c.title_a) + " (" + xml(c.dir_a) + ", " + xml(c.date_a) + ")<br>B: " + xml(c.title_b) + " (" +
                  xml(c.dir_b) + ", " + xml(c.date_b) + ")</p>\n";
  h += "<p id=\"changed-summary\">" +
       xml(zh ? "新增覆盖 " + std::to_string(gained) + " 个村社（" + text_of(gained_pop, "%.0f") + " 人），失去覆盖 " +
                    std::to_string(lost) + " 个（" + text_of(lost_pop, "%.0f") + " 人）；比较 " +
                    std::to_string(c.units_compared) + " 个村社。"
              : std::to_string(gained) + " villages newly covered (" + text_of(gained_pop, "%.0f") + " people), " +
                    std::to_string(lost) + " lost (" + text_of(lost_pop, "%.0f") + " people); " +
                    std::to_string(c.units_compared) + " villages compared.") +
       "</p>\n";
  if (!c.only_a.empty() || !c.only_b.empty())
    h += "<p>" + xml(T("仅在一次运行中的村社：A ", "Villages in one run only: A ")) + std::to_string(c.only_a.size()) + ", B " +
         std::to_string(c.only_b.size()) + "</p>\n";
  // The map of the changed villages, over run B's roads.
  std::vector<LonLat> pts;
  MapLayers layers;
  for (const VillageChange& v : c.changed)
    if (v.where) {
      pts.push_back(*v.where);
      (v.covered_b == true ? layers.covered : layers.uncovered).push_back({*v.where, xml(v.name)});
      layers.labels.push_back(MapLabel::beside(*v.where, xml(v.name), 10, v.covered_b == true ? 0 : 1));
    }
  const int highway = column(c.roads, "highway");
  if (highway >= 0)
    for (std::size_t i = 0; i < c.roads.rows.size(); ++i)
      if (!c.roads.wkb[i].empty()) layers.roads.push_back({road_rank(cell(c.roads, i, highway)), &c.roads.wkb[i]});
  layers.unit_count = c.units_compared;
  MapProjection proj;
  if (!pts.empty() && fit_projection(c.extent.empty() ? pts : c.extent, 900, 600, proj)) {
    MapText text{T("变化的村社", "Changed villages"), T("北", "N"), T(" 公里", " km"), T(" 米", " m"), "", "change-map"};
    h += open + xml(T("变化的村社（绿：新增覆盖，红：失去覆盖）", "Changed villages (green: newly covered, red: lost)")) + close +
         "<div class=\"cmp-map\">" + svg_map(layers, proj, text) + "</div>\n";
  }
  for (const std::string& m : [&] {
         std::vector<std::string> ms;
         for (const AreaChange& a : c.areas)
           if (std::find(ms.begin(), ms.end(), a.measure) == ms.end()) ms.push_back(a.measure);
         return ms;
       }()) {
    h += open + xml(measure_name(m)) + close + "<table class=\"cmp\"><thead><tr><th>" + xml(T("县", "County")) + "</th><th>" +
         xml(T("镇街", "Town")) + "</th><th>A</th><th>B</th><th>" + xml(T("变化（百分点）", "Change (points)")) +
         "</th></tr></thead><tbody>\n";
    for (const AreaChange& a : c.areas) {
      if (a.measure != m) continue;
      const std::string d = change(a);
      const std::string cls = d.rfind("+", 0) == 0 ? "up" : d.rfind("-", 0) == 0 ? "down" : "";
      h += "<tr><td class=\"t\">" + xml(a.county.empty() ? T("合计", "Total") : a.county) + "</td><td class=\"t\">" + xml(a.town) +
           "</td><td>" + pct(a.rate_a) + "</td><td>" + pct(a.rate_b) + "</td><td class=\"" + cls + "\">" + d + "</td></tr>\n";
    }
    h += "</tbody></table>\n";
  }
  h += open + xml(T("变化的村社", "Changed villages")) + close + "<table class=\"cmp\" id=\"changed\"><thead><tr><th>" +
       xml(T("村社", "Village")) + "</th><th>" + xml(T("镇街", "Town")) + "</th><th>" + xml(T("人口", "Population")) + "</th><th>" +
       xml(T("变化", "Change")) + "</th><th>A " + xml(T("分钟", "min")) + "</th><th>B " + xml(T("分钟", "min")) +
       "</th></tr></thead><tbody>\n";
  for (const VillageChange& v : c.changed)
    h += "<tr data-id=\"" + xml(v.id) + "\"><td class=\"t\">" + xml(v.name) + "</td><td class=\"t\">" + xml(v.town) + "</td><td>" +
         text_of(v.population, "%.0f") + "</td><td class=\"" + (v.covered_b == true ? "up" : "down") + "\">" +
         xml(v.covered_b == true ? T("新增覆盖", "newly covered") : T("失去覆盖", "lost")) + "</td><td>" +
         text_of(v.minutes_a, "%.1f") + "</td><td>" + text_of(v.minutes_b, "%.1f") + "</td></tr>\n";
  h += "</tbody></table>\n";
  return h;
}

// The comparison's own styles (the map's come from map_css()).
const char* kComparisonCss =
    "table.cmp{border-collapse:collapse;margin:8px 0}table.cmp th,table.cmp td{border-bottom:1px solid #ddd;padding:3px 8px;"
    "text-align:right}table.cmp th:first-child,table.cmp td:first-child,table.cmp td.t{text-align:left}"
    "table.cmp .up{color:#1a7f37}table.cmp .down{color:#c62828}"
    ".cmp-map svg{max-width:100%;height:auto;border:1px solid #ccc;background:#fdfdfb}"
    ".cmp-map .cov{fill:#2e8b57;stroke:#fff;stroke-width:1}.cmp-map .unc{fill:#d7301f;stroke:#fff;stroke-width:1}"
    ".cmp-map .cov circle,.cmp-map .unc circle{r:5px}\n";

}  // namespace

std::string render_comparison(const RunComparison& c, const std::string& lang) {
  if (lang != "zh" && lang != "en") throw ConfigError("lang must be zh or en, got '" + lang + "'");
  const bool zh = lang == "zh";
  auto T = [zh](const char* z, const char* e) { return std::string(zh ? z : e); };
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + lang + "\"><head><meta charset=\"utf-8\"><title>" +
                  xml(T("覆盖对比：", "Comparison: ") + c.title_a + " → " + c.title_b) +
                  "</title>\n<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#222}"
                  "h1{font-size:20px}h2{font-size:16px;color:#1f4e79}\n" + map_css() + kComparisonCss +
                  "</style></head><body>\n";
  h += "<h1>" + xml(T("覆盖对比", "Coverage comparison")) + "</h1>\n" + comparison_body(c, lang, "h2");
  h += "</body></html>\n";
  return h;
}

std::string comparison_section(const RunComparison& c, const std::string& lang) {
  return std::string("<style>") + kComparisonCss + "</style>\n" + comparison_body(c, lang, "h3");
}

void attach_baseline(ReportInput& in, const std::string& this_dir, const std::string& lang) {
  if (!in.summary.contains("baseline") || !in.summary["baseline"].is_object()) return;
  const std::string dir = in.summary["baseline"].value("dir", "");
  if (dir.empty()) return;
  in.comparison_section = comparison_section(compare_inputs(read_report_input(dir), dir, in, this_dir), lang);
}

}  // namespace legalcircle
