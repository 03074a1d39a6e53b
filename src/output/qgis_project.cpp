#include "legalcircle/output/qgis_project.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "legalcircle/io/crs.hpp"
#include "legalcircle/output/field_labels.hpp"

namespace legalcircle {
namespace {

struct LayerMaker {
  const Scenario& sc;
  std::string crs;

  QgisLayer make(std::string name, std::string title, QgisGeometry geometry, QgisStyle style, const Table& table,
                 bool visible) const {
    QgisLayer l;
    l.name = std::move(name);
    l.title = std::move(title);
    l.geometry = geometry;
    l.style = style;
    l.crs = crs;
    l.visible = visible;
    l.lang = sc.outputs.lang;
    for (const Column& c : table.columns) l.fields.push_back({c.name, field_label(c.name, sc.rules, sc.outputs.lang)});
    return l;
  }
};

}  // namespace

QgisProject scenario_qgis_project(const Scenario& sc, const ScenarioResult& result, const ScenarioLayers& layers,
                                  const std::string& attribution) {
  QgisProject project;
  project.title = sc.title;
  project.gpkg = "legalcircle.gpkg";
  const bool zh = sc.outputs.lang != "en";
  const LayerMaker m{sc, sc.outputs.project_crs.empty() ? "EPSG:4326" : sc.outputs.project_crs};
  std::vector<QgisCategory> tiers;
  std::vector<Tier> by_level = sc.tiers;
  std::stable_sort(by_level.begin(), by_level.end(), [](const Tier& a, const Tier& b) { return a.level > b.level; });
  for (const Tier& t : by_level) tiers.push_back({t.name, t.label});

  // Drawn in list order, the first on top: points, then polygons, roads at the bottom.
  std::vector<QgisLayer>& L = project.layers;
  if (sc.planning) {
    L.push_back(m.make("plan", zh ? "建议新增服务点" : "Recommended new sites", QgisGeometry::point, QgisStyle::new_site,
                       layers.plan_sites, true));
    L.back().label_field = "name";
  }
  L.push_back(m.make("services", zh ? "公共法律服务点" : "Legal service points", QgisGeometry::point,
                     QgisStyle::services_by_tier, layers.services, true));
  L.back().categories = tiers;
  // No tiers: every point is a service point, one symbol under the layer's own name.
  if (tiers.empty()) L.back().categories = {{"", zh ? "公共法律服务点" : "Legal service point"}};
  L.back().label_field = "name";
  L.push_back(m.make("gaps", zh ? "未覆盖村社（按人口排序）" : "Uncovered villages (ranked)", QgisGeometry::point,
                     QgisStyle::gap_marker, layers.gaps, true));
  L.back().label_field = "name";
  L.push_back(m.make("demand", zh ? "村社覆盖情况" : "Villages and communities", QgisGeometry::point,
                     QgisStyle::uncovered_red, layers.demand, true));
  if (sc.planning)
    L.push_back(m.make("plan_coverage", zh ? "规划后村社覆盖" : "Villages after the plan", QgisGeometry::point,
                       QgisStyle::uncovered_red, layers.plan_coverage, false));

  // The circle: the primary rule's band at its threshold (the largest band without a minutes
  // threshold) in its first mode on top and visible; every rule and mode with all bands grouped, off.
  std::vector<std::pair<std::string, Mode>> groups;
  for (const CircleBand& c : result.circles)
    if (std::find(groups.begin(), groups.end(), std::pair{c.rule, c.mode}) == groups.end()) groups.emplace_back(c.rule, c.mode);
  const char* mode_zh[] = {"步行", "电动自行车", "小汽车"};
  const auto mode_words = [&](Mode mode) { return zh ? std::string(mode_zh[static_cast<int>(mode)]) : std::string(mode_name(mode)); };
  // A rule's words (its label:) for titles; its name stays in the filters.
  const auto shown = [&](const std::string& rule_name) {
    for (const CoverageRule& r : sc.rules)
      if (r.name == rule_name) return r.shown();
    return rule_name;
  };
  const auto subset = [](const std::string& rule_name, Mode mode) {
    std::string rule;  // OGR SQL string literal: quotes doubled
    for (char ch : rule_name) rule += ch == '\'' ? std::string("''") : std::string(1, ch);
    return "\"rule\" = '" + rule + "' AND \"mode\" = '" + std::string(mode_name(mode)) + "'";
  };
  if (!groups.empty()) {
    const auto& [rule_name, mode] = groups.front();
    std::optional<double> minutes;
    for (const CoverageRule& r : sc.rules)
      if (r.name == rule_name) minutes = r.threshold_minutes;
    double band = -1;
    for (const CircleBand& c : result.circles)
      if (c.rule == rule_name && c.mode == mode && (minutes ? c.band.minutes == *minutes : c.band.minutes > band))
        band = c.band.minutes;
    if (band >= 0) {
      const std::string words = fixed(band, band == std::floor(band) ? 0 : 1);
      QgisLayer l = m.make("circle", shown(rule_name) + " · " + mode_words(mode) + " · " + words + (zh ? " 分钟圈" : "-minute circle"),
                           QgisGeometry::polygon, QgisStyle::circle_fill, layers.circle, true);
      l.subset = subset(rule_name, mode) + " AND \"minutes\" = " + words;
      L.push_back(std::move(l));
    }
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    QgisLayer l = m.make("circle", shown(groups[g].first) + " · " + mode_words(groups[g].second), QgisGeometry::polygon,
                         QgisStyle::circle_fill, layers.circle, false);
    l.subset = subset(groups[g].first, groups[g].second);
    l.group = zh ? "服务圈（各规则、出行方式、各时段）" : "Circles (every rule, mode and band)";
    L.push_back(std::move(l));
  }
  if (sc.planning)
    L.push_back(m.make("plan_circle", zh ? "规划后服务圈" : "Circle after the plan", QgisGeometry::polygon,
                       QgisStyle::circle_fill, layers.plan_circle, false));
  L.push_back(m.make("isochrones", zh ? "各服务点等时圈" : "Per-service isochrones", QgisGeometry::polygon,
                     QgisStyle::circle_fill, layers.isochrones, false));
  if (!layers.demand_areas.rows.empty())
    L.push_back(m.make("demand_areas", zh ? "街道/村范围（按覆盖）" : "Unit areas by verdict", QgisGeometry::polygon,
                       QgisStyle::areas_by_verdict, layers.demand_areas, true));
  L.push_back(m.make("gap_areas", zh ? "服务圈外区域" : "Areas outside the circle", QgisGeometry::polygon,
                     QgisStyle::hatched_red, layers.gap_areas, false));
  L.push_back(m.make("roads", zh ? "道路" : "Roads", QgisGeometry::line, QgisStyle::roads_by_class, layers.roads, true));

  // The station guide layout: its own isochrones and the villages nearest to it, drawn only on
  // atlas pages (their rules test @atlas_feature), on top of the map.
  {
    const Mode guide_mode = groups.empty() ? Mode::walk : groups.front().second;
    QgisLayer bands = m.make("isochrones", zh ? "本站等时圈（" + mode_words(guide_mode) + "，仅指引图）"
                                              : "This station's isochrones (" + mode_words(guide_mode) + ", guide pages only)",
                             QgisGeometry::polygon, QgisStyle::atlas_bands, layers.isochrones, true);
    bands.subset = "\"mode\" = '" + std::string(mode_name(guide_mode)) + "'";
    bands.group = zh ? "服务点指引图" : "Station guide";
    QgisLayer served = m.make("demand", zh ? "就近到本站的村社（仅指引图）" : "Villages nearest to this station (guide pages only)",
                              QgisGeometry::point, QgisStyle::atlas_served, layers.demand, true);
    served.label_field = "name";
    served.group = bands.group;
    L.insert(L.begin(), {served, bands});
  }

  // The station guide layout: one A4 page per service point, centred on it. The page's map
  // covers 8 km across (an e-bike's 15 minutes either way), in the project CRS.
  if (!layers.services.geometry.empty()) {
    QgisAtlas atlas;
    atlas.name = zh ? "服务点指引图（每站一页）" : "Station guide (one page per station)";
    atlas.coverage_layer = static_cast<std::size_t>(
        std::find_if(L.begin(), L.end(), [](const QgisLayer& l) { return l.name == "services"; }) - L.begin());
    atlas.title_expression = "\"name\"";
    atlas.page_name_expression = "\"name\"";
    atlas.subtitle = sc.title + (zh ? " · 15分钟公共法律服务圈" : " · 15-minute legal service circle");
    atlas.footer = (attribution.empty() ? std::string(zh ? "数据：本地数据" : "Data: local data") : attribution) +
                   (zh ? " · 由 legalcircle 生成 · [% format_date(now(), 'yyyy-MM-dd') %]"
                       : " · made with legalcircle · [% format_date(now(), 'yyyy-MM-dd') %]");
    const LonLat c = layers.services.geometry.front();
    const double half_w = 4000.0, half_h = half_w * 200.0 / 186.0;  // the map item's aspect
    if (m.crs == "EPSG:4326") {
      const double dlon = half_w / (111320.0 * std::cos(c.lat * 3.14159265358979323846 / 180.0)), dlat = half_h / 110540.0;
      atlas.extent[0] = c.lon - dlon, atlas.extent[1] = c.lat - dlat, atlas.extent[2] = c.lon + dlon, atlas.extent[3] = c.lat + dlat;
    } else {
      const XY p = project_points({c}, m.crs).front();
      atlas.extent[0] = p.x - half_w, atlas.extent[1] = p.y - half_h, atlas.extent[2] = p.x + half_w, atlas.extent[3] = p.y + half_h;
    }
    project.atlases.push_back(atlas);
  }
  return project;
}

}  // namespace legalcircle
