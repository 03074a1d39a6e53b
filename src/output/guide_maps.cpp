#include "legalcircle/output/guide_maps.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <set>

#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/io/write_qgis.hpp"  // xml_escape
#include "legalcircle/output/layers.hpp"    // fixed
#include "legalcircle/render/svg_map.hpp"

namespace legalcircle {
namespace {

constexpr double kMargin = 36, kMapTop = 112, kMapHeight = 430;
constexpr double kMapWidth = kA4WidthPt - 2 * kMargin;

std::string short_number(double v) {
  std::string s = fixed(v, 1);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// Whole minutes, rounded up: a page never promises a shorter trip than the engine computed.
std::string minutes_text(const std::optional<double>& m, double limit) {
  if (!m) return "&gt;" + short_number(limit);
  return std::to_string(static_cast<long>(std::ceil(*m - 1e-9)));
}

// A name cut to `width` points at `size` (with an ellipsis), already escaped.
std::string fit_text(const std::string& raw, double width, double size) {
  std::string s = xml_escape(raw);
  if (label_width(s, size) <= width) return s;
  std::string out;
  for (std::size_t i = 0; i < raw.size();) {
    const unsigned char c = static_cast<unsigned char>(raw[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string next = raw.substr(0, i + len);
    if (label_width(xml_escape(next), size) + size > width) break;
    out = next;
    i += len;
  }
  return xml_escape(out) + "…";
}

// A file name from an id or town: path separators and characters Windows refuses become '_'.
std::string safe_stem(const std::string& raw) {
  std::string s;
  for (char c : raw) {
    const unsigned char u = static_cast<unsigned char>(c);
    s += (u < 0x20 || std::string_view("/\\:*?\"<>|").find(c) != std::string_view::npos) ? '_' : c;
  }
  while (!s.empty() && (s.front() == '.' || s.front() == ' ')) s.erase(s.begin());
  if (s.empty()) s = "_";
  return s;
}

std::string text_at(double x, double y, const std::string& body, double size, const std::string& extra = "") {
  return "<text x=\"" + fixed(x, 1) + "\" y=\"" + fixed(y, 1) + "\" font-size=\"" + short_number(size) + "\"" +
         (extra.empty() ? "" : " " + extra) + ">" + body + "</text>\n";
}

struct Words {
  bool zh;
  const char* pick(const char* z, const char* e) const { return zh ? z : e; }
};

// Ways of the graph with their bounding boxes, for the roads of each page.
struct WayIndex {
  std::vector<std::vector<uint32_t>> segments;  // per way
  std::vector<std::array<double, 4>> box;       // lon_min, lat_min, lon_max, lat_max
};

WayIndex index_ways(const RoadGraph& g) {
  WayIndex w;
  w.segments.resize(g.way_id.size());
  w.box.assign(g.way_id.size(), {1e9, 1e9, -1e9, -1e9});
  for (uint32_t s = 0; s < g.segment_count(); ++s) {
    const uint32_t way = g.seg_way[s];
    w.segments[way].push_back(s);
    for (uint32_t n : {g.seg_a[s], g.seg_b[s]}) {
      auto& b = w.box[way];
      b[0] = std::min(b[0], g.coord[n].lon), b[1] = std::min(b[1], g.coord[n].lat);
      b[2] = std::max(b[2], g.coord[n].lon), b[3] = std::max(b[3], g.coord[n].lat);
    }
  }
  return w;
}

// The page's map content beyond MapLayers: roads picked from the graph and labelled by name.
struct PageRoads {
  std::vector<std::string> wkb;  // kept alive for MapRoad pointers
  std::vector<MapRoad> roads;
  std::vector<MapLabel> labels;
};

PageRoads page_roads(const RoadGraph& g, const WayIndex& ways, const MapProjection& pj, int label_priority) {
  PageRoads out;
  const double lon_min = pj.lon0, lon_max = pj.lon0 + pj.width / pj.scale / pj.kx;
  const double lat_max = pj.lat1, lat_min = pj.lat1 - pj.height / pj.scale;
  struct Best {
    double length = 0;
    LonLat where;
    double angle = 0;
  };
  std::map<std::string, Best> best_by_name;
  std::vector<std::size_t> picked;
  for (std::size_t w = 0; w < ways.segments.size(); ++w) {
    const auto& b = ways.box[w];
    if (ways.segments[w].empty() || b[2] < lon_min || b[0] > lon_max || b[3] < lat_min || b[1] > lat_max) continue;
    picked.push_back(w);
  }
  out.wkb.reserve(picked.size());
  for (std::size_t w : picked) {
    std::vector<std::pair<LonLat, LonLat>> lines;
    for (uint32_t s : ways.segments[w]) lines.emplace_back(g.coord[g.seg_a[s]], g.coord[g.seg_b[s]]);
    out.wkb.push_back(multiline_wkb(lines));
    const int rank = road_rank(g.way_class[w]);
    out.roads.push_back({rank, nullptr});
    if (g.way_name[w].empty() || rank > 3) continue;
    // The longest on-page run of consecutive segments carries the name, at its middle.
    std::vector<std::pair<double, double>> run;  // page x, y
    auto consider = [&] {
      double len = 0;
      for (std::size_t i = 1; i < run.size(); ++i)
        len += std::hypot(run[i].first - run[i - 1].first, run[i].second - run[i - 1].second);
      Best& best = best_by_name[g.way_name[w]];
      if (run.size() >= 2 && len > best.length) {
        double half = len / 2, acc = 0;
        for (std::size_t i = 1; i < run.size(); ++i) {
          const double dx = run[i].first - run[i - 1].first, dy = run[i].second - run[i - 1].second;
          const double d = std::hypot(dx, dy);
          if (acc + d >= half && d > 0) {
            const double f = (half - acc) / d;
            const double x = run[i - 1].first + f * dx, y = run[i - 1].second + f * dy;
            double angle = std::atan2(dy, dx) * 180 / std::numbers::pi;
            if (angle > 90) angle -= 180;
            if (angle < -90) angle += 180;
            best = {len, {pj.lon0 + x / pj.scale / pj.kx, pj.lat1 - y / pj.scale}, std::round(angle)};
            break;
          }
          acc += d;
        }
      }
      run.clear();
    };
    uint32_t last_node = UINT32_MAX;
    for (uint32_t s : ways.segments[w]) {
      double ax = 0, ay = 0, bx = 0, by = 0;
      pj.apply(g.coord[g.seg_a[s]], ax, ay);
      pj.apply(g.coord[g.seg_b[s]], bx, by);
      const bool inside = ax > 0 && ay > 0 && ax < pj.width && ay < pj.height && bx > 0 && by > 0 &&
                          bx < pj.width && by < pj.height;
      if (!inside || g.seg_a[s] != last_node) consider();
      if (inside) {
        if (run.empty()) run.emplace_back(ax, ay);
        run.emplace_back(bx, by);
      }
      last_node = inside ? g.seg_b[s] : UINT32_MAX;
    }
    consider();
  }
  for (std::size_t i = 0; i < out.roads.size(); ++i) out.roads[i].wkb = &out.wkb[i];
  for (const auto& [name, best] : best_by_name) {
    const std::string text = xml_escape(name);
    if (best.length < label_width(text, 8.5)) continue;  // the road is shorter than its name here
    MapLabel l;
    l.where = best.where;
    l.text = text;
    l.kind = MapLabel::Kind::road;
    l.font_size = 8.5;
    l.angle_deg = best.angle;
    l.priority = label_priority;
    out.labels.push_back(std::move(l));
  }
  return out;
}

class BookWriter {
 public:
  BookWriter(const World& world, const Scenario& sc, const GuideData& data, const std::vector<std::string>& tiers,
             const GuideText& text)
      : world_(world), sc_(sc), data_(data), tiers_(tiers), text_(text), w_{text.zh}, ways_(index_ways(world.graph())) {
    std::vector<std::pair<int, std::string>> levels;
    for (const Tier& t : sc.tiers) levels.emplace_back(-t.level, t.name);
    std::stable_sort(levels.begin(), levels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < levels.size(); ++i) tier_rank_[levels[i].second] = i;
    const std::string& town = sc.inputs.demand.admin.town;
    for (std::size_t u = 0; u < world.units().size(); ++u)
      unit_town_.push_back(town.empty() ? "" : field_value(world.units()[u], town, sc.inputs.demand.read));
  }

  GuideBook write() {
    GuideBook book;
    std::set<std::string> stems;
    auto unique_stem = [&](std::string stem) {
      std::string s = stem;
      for (int k = 2; stems.count(s); ++k) s = stem + "_" + std::to_string(k);
      stems.insert(s);
      return s;
    };
    std::vector<bool> done(data_.stations.size(), false);
    for (const std::string& town : data_.towns) {
      std::vector<std::size_t> in_town;
      for (std::size_t s = 0; s < data_.stations.size(); ++s)
        if (data_.stations[s].town == town) in_town.push_back(s);
      book.pages.push_back(town_page(town, in_town));
      book.pages.back().file_stem = unique_stem("towns/" + safe_stem(town));
      for (std::size_t s : in_town) {
        book.pages.push_back(station_page(s));
        book.pages.back().file_stem = unique_stem("stations/" + safe_stem(world_.services()[s].id));
        done[s] = true;
      }
    }
    for (std::size_t s = 0; s < data_.stations.size(); ++s)
      if (!done[s]) {
        book.pages.push_back(station_page(s));
        book.pages.back().file_stem = unique_stem("stations/" + safe_stem(world_.services()[s].id));
      }
    book.villages = villages_table();
    book.index.columns = {{"page", Column::Type::integer}, {"kind", Column::Type::text}, {"id", Column::Type::text},
                          {"name", Column::Type::text},    {"town", Column::Type::text}, {"file", Column::Type::text},
                          {"villages_listed", Column::Type::integer}, {"villages_not_listed", Column::Type::integer}};
    for (std::size_t p = 0; p < book.pages.size(); ++p) {
      const GuidePage& page = book.pages[p];
      const bool town = page.kind == GuidePage::Kind::town;
      std::string town_name = page.key;
      if (!town)
        for (std::size_t s = 0; s < data_.stations.size(); ++s)
          if (world_.services()[s].id == page.key) town_name = data_.stations[s].town;
      book.index.rows.push_back({std::to_string(p + 1), town ? "town" : "station", page.key, page.title, town_name,
                                 page.file_stem + ".pdf", std::to_string(page.listed.size()),
                                 std::to_string(page.not_listed)});
    }
    return book;
  }

 private:
  std::size_t rank_of(std::size_t service) const {
    auto it = tier_rank_.find(tiers_[service]);
    return it == tier_rank_.end() ? tier_rank_.size() : it->second;
  }
  std::string tier_words(std::size_t service) const {
    const Tier* t = sc_.find_tier(tiers_[service]);
    if (!t) return tiers_[service];
    return w_.zh && !t->label.empty() ? t->label : t->name;
  }
  std::string mode_words(Mode m) const {
    switch (m) {
      case Mode::walk: return w_.pick("步行", "Walk");
      case Mode::ebike: return w_.pick("电动车", "E-bike");
      case Mode::car: return w_.pick("小汽车", "Car");
    }
    return "";
  }
  int palette_of(Mode m) const { return m == Mode::walk ? 1 : m == Mode::ebike ? 2 : 0; }

  std::string page_open(const std::string& title) const {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fixed(kA4WidthPt, 2) + "\" height=\"" +
           fixed(kA4HeightPt, 2) + "\" viewBox=\"0 0 " + fixed(kA4WidthPt, 2) + " " + fixed(kA4HeightPt, 2) +
           "\">\n<title>" + xml_escape(title) + "</title>\n<style>\ntext{font-family:\"" + text_.font_family +
           "\",sans-serif;fill:#1d2733}\n" + map_css() +
           ".cov{fill:#1f4e8c;stroke:#fff;stroke-width:.8}.unc{fill:#b9b9b9;stroke:none}\n"
           ".muted{fill:#5b6876}.head{font-weight:700}\n</style>\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  }

  std::string header(const std::string& kicker, const std::string& name, const std::string& sub) const {
    std::string s;
    s += text_at(kMargin, 46, xml_escape(kicker), 10.5, "class=\"muted\"");
    s += text_at(kA4WidthPt - kMargin, 46, xml_escape(text_.title), 10.5, "class=\"muted\" text-anchor=\"end\"");
    s += text_at(kMargin, 76, fit_text(name, kMapWidth, 22), 22, "class=\"head\"");
    if (!sub.empty()) s += text_at(kMargin, 98, fit_text(sub, kMapWidth, 11), 11);
    s += "<rect x=\"" + fixed(kMargin, 1) + "\" y=\"104\" width=\"" + fixed(kMapWidth, 1) +
         "\" height=\"2\" fill=\"#a4161a\"/>\n";
    return s;
  }

  std::string footer() const {
    const std::string made = w_.pick("制图：legalcircle · 日期 ", "Made with legalcircle · ") + text_.date;
    std::string s = text_at(kMargin, kA4HeightPt - 34,
                            fit_text(std::string(w_.pick("数据：", "Data: ")) + text_.attribution, kMapWidth, 7.5), 7.5,
                            "class=\"muted\"");
    s += text_at(kMargin, kA4HeightPt - 22, xml_escape(made), 7.5, "class=\"muted\"");
    return s;
  }

  // The map box: a frame, then the map fitted and centred in it.
  std::string map_block(MapLayers& layers, const std::vector<LonLat>& extent, const std::string& aria,
                        const std::vector<std::size_t>& ringed) {
    MapProjection pj;
    std::string s = "<rect x=\"" + fixed(kMargin, 1) + "\" y=\"" + fixed(kMapTop, 1) + "\" width=\"" +
                    fixed(kMapWidth, 1) + "\" height=\"" + fixed(kMapHeight, 1) +
                    "\" fill=\"#fdfdfb\" stroke=\"#d9dee5\"/>\n";
    if (!fit_projection(extent, kMapWidth, kMapHeight, pj)) return s;
    // The map fills the whole box: the fitted scale, the box's size, the same centre.
    const double lon_c = pj.lon0 + pj.width / 2 / pj.scale / pj.kx, lat_c = pj.lat1 - pj.height / 2 / pj.scale;
    pj.width = std::floor(kMapWidth);
    pj.height = std::floor(kMapHeight);
    pj.lon0 = lon_c - pj.width / 2 / pj.scale / pj.kx;
    pj.lat1 = lat_c + pj.height / 2 / pj.scale;
    const double ox = kMargin, oy = kMapTop;
    for (std::size_t service : ringed) layers.keep_clear.push_back({world_.services()[service].where, 12.0});
    PageRoads roads = page_roads(world_.graph(), ways_, pj, 5);
    layers.roads = roads.roads;
    for (MapLabel& l : roads.labels) layers.labels.push_back(std::move(l));
    MapText mt{aria, w_.pick("北", "N"), w_.pick(" 公里", " km"), w_.pick(" 米", " m"),
               "x=\"" + fixed(ox, 1) + "\" y=\"" + fixed(oy, 1) + "\"", "map"};
    s += svg_map(layers, pj, mt);
    for (std::size_t service : ringed) {  // the page's own station stands out
      double x = 0, y = 0;
      pj.apply(world_.services()[service].where, x, y);
      s += "<circle cx=\"" + fixed(ox + x, 1) + "\" cy=\"" + fixed(oy + y, 1) +
           "\" r=\"11\" fill=\"none\" stroke=\"#c1121f\" stroke-width=\"2.5\"/>\n";
    }
    return s;
  }

  MapLayers base_layers(const std::vector<bool>& highlighted_unit) const {
    MapLayers layers;
    const auto& units = world_.units();
    layers.unit_count = units.size();
    for (std::size_t u = 0; u < units.size(); ++u)
      (highlighted_unit[u] ? layers.covered : layers.uncovered).push_back({units[u].where, ""});
    for (std::size_t s = 0; s < world_.services().size(); ++s)
      layers.services.push_back({{world_.services()[s].where, ""}, rank_of(s)});
    return layers;
  }

  // The legend from `y` down; `y` ends below it.
  std::string legend(double& y, std::size_t station_rank, bool town_page) const {
    std::string s;
    double x = kMargin;
    if (!town_page) {
      for (std::size_t m = 0; m < data_.modes.size(); ++m) {
        s += text_at(x, y + 4, xml_escape(mode_words(data_.modes[m])), 9);
        x += label_width(xml_escape(mode_words(data_.modes[m])), 9) + 5;
        for (double b : data_.bands_minutes) {
          s += "<rect x=\"" + fixed(x, 1) + "\" y=\"" + fixed(y - 5, 1) + "\" width=\"14\" height=\"11\" fill=\"" +
               band_colour(data_.bands_minutes, b, palette_of(data_.modes[m])) + "\" stroke=\"#999\" stroke-width=\".3\"/>";
          s += text_at(x + 16, y + 4, short_number(b), 8.5);
          x += 16 + label_width(short_number(b), 8.5) + 5;
        }
        s += text_at(x, y + 4, w_.pick("分钟", "min"), 8.5, "class=\"muted\"");
        x += 34;
      }
      y += 18;
      x = kMargin;
    }
    auto item = [&](const std::string& symbol, const std::string& words) {
      s += symbol + text_at(x + 12, y + 4, xml_escape(words), 9);
      x += 12 + label_width(xml_escape(words), 9) + 16;
    };
    if (!town_page) {
      item(tier_shape(station_rank, x + 4, y) + "<circle cx=\"" + fixed(x + 4, 1) + "\" cy=\"" + fixed(y, 1) +
               "\" r=\"8\" fill=\"none\" stroke=\"#c1121f\" stroke-width=\"2\"/>",
           w_.pick("本服务点", "This service point"));
      item("<circle class=\"cov\" cx=\"" + fixed(x + 4, 1) + "\" cy=\"" + fixed(y, 1) + "\" r=\"3.2\"/>",
           w_.pick("以本点为最近的村社", "Villages nearest to it"));
    } else {
      item("<circle class=\"cov\" cx=\"" + fixed(x + 4, 1) + "\" cy=\"" + fixed(y, 1) + "\" r=\"3.2\"/>",
           w_.pick("本镇街村社", "Villages of the town"));
      const std::vector<double> one = {data_.bands_minutes.back()};  // as the map draws it
      item("<rect x=\"" + fixed(x, 1) + "\" y=\"" + fixed(y - 5, 1) + "\" width=\"10\" height=\"10\" fill=\"" +
               band_colour(one, one[0], palette_of(data_.modes[0])) + "\"/>",
           mode_words(data_.modes[0]) + " " + short_number(data_.bands_minutes.back()) + w_.pick(" 分钟范围", " min"));
    }
    item("<circle class=\"unc\" cx=\"" + fixed(x + 4, 1) + "\" cy=\"" + fixed(y, 1) + "\" r=\"2.6\"/>",
         w_.pick("其他村社", "Other villages"));
    std::set<std::size_t> ranks;
    for (std::size_t i = 0; i < world_.services().size(); ++i) ranks.insert(rank_of(i));
    for (std::size_t r : ranks) {
      std::string words;
      for (const Tier& t : sc_.tiers)
        if (tier_rank_.count(t.name) && tier_rank_.at(t.name) == r) words = w_.zh && !t.label.empty() ? t.label : t.name;
      if (words.empty()) words = w_.pick("服务点", "Service point");
      if (x + label_width(xml_escape(words), 9) + 30 > kA4WidthPt - kMargin) y += 16, x = kMargin;
      item(tier_shape(r, x + 4, y), words);
    }
    y += 10;
    return s;
  }

  GuidePage station_page(std::size_t s) {
    const GuideStation& st = data_.stations[s];
    const PointRecord& svc = world_.services()[s];
    GuidePage page;
    page.kind = GuidePage::Kind::station;
    page.key = svc.id;
    page.title = svc.name.empty() ? svc.id : svc.name;
    std::string sub = tier_words(s);
    if (!st.address.empty()) sub += std::string(w_.pick(" · 地址：", " · Address: ")) + st.address;
    if (!st.town.empty()) sub += " · " + st.town;
    std::string svg = page_open(page.title);
    svg += header(w_.pick("公共法律服务指引地图", "Public legal service guide map"), page.title, sub);

    std::vector<bool> mine(world_.units().size(), false);
    for (const GuideVillage& v : st.villages) mine[v.unit] = true;
    MapLayers layers = base_layers(mine);
    // Areas: the widest mode first (drawn under), every band of it.
    std::vector<LonLat> extent = {svc.where};
    for (std::size_t m = data_.modes.size(); m-- > 0;) {
      MapBandGroup g;
      g.id = "areas-" + std::string(mode_name(data_.modes[m]));
      g.palette = palette_of(data_.modes[m]);
      for (const BandPolygon& b : st.areas[m]) {
        g.bands.push_back({b.minutes, &b.wkb});
        for (LonLat c : wkb_corners(b.wkb)) extent.push_back(c);
      }
      if (!g.bands.empty()) layers.band_groups.push_back(std::move(g));
    }
    for (const GuideVillage& v : st.villages) extent.push_back(world_.units()[v.unit].where);
    pad_extent(extent, svc.where, 800);
    MapLabel name_label = MapLabel::beside(svc.where, xml_escape(page.title), 11, 0);
    name_label.gap = 13;  // outside the red ring
    layers.labels.push_back(name_label);
    for (const GuideVillage& v : st.villages)
      layers.labels.push_back(MapLabel::beside(world_.units()[v.unit].where, xml_escape(world_.units()[v.unit].name), 8.5, 1));
    svg += map_block(layers, extent, page.title, {s});
    double legend_y = kMapTop + kMapHeight + 16;
    svg += legend(legend_y, rank_of(s), false);

    // The villages it is the nearest point for, with minutes by mode.
    double pop = 0;
    for (const GuideVillage& v : st.villages) pop += world_.units()[v.unit].population;
    const double table_top = legend_y + 12;
    std::string heading =
        w_.zh ? "以本点为最近服务点的村社：" + std::to_string(st.villages.size()) + " 个，" + short_number(std::round(pop)) + " 人"
              : "Villages for which this is the nearest point: " + std::to_string(st.villages.size()) + ", " +
                    short_number(std::round(pop)) + " residents";
    svg += text_at(kMargin, table_top, xml_escape(heading), 11, "class=\"head\"");
    std::string first_mode = mode_words(data_.modes[0]);
    if (!w_.zh && !first_mode.empty()) first_mode[0] = char(std::tolower(static_cast<unsigned char>(first_mode[0])));
    std::string note = std::string(w_.pick("按", "By ")) + first_mode +
                       w_.pick("时间最近（到不了的按下一种方式）；分钟为到本点的出行时间，向上取整",
                               " time (the next mode where it cannot reach); minutes to this point, rounded up");
    svg += text_at(kMargin, table_top + 13, xml_escape(note), 7.5, "class=\"muted\"");
    const double block_w = (kMapWidth - 16) / 2, row_h = 12.5, first_row = table_top + 42;
    const std::size_t rows_per_block = std::size_t((kA4HeightPt - 48 - first_row) / row_h);
    const std::size_t M = data_.modes.size();
    const double col_w = 38, pop_w = 44, name_w = block_w - pop_w - col_w * double(M);
    std::size_t capacity = rows_per_block * 2;
    const bool overflow = st.villages.size() > capacity;
    if (overflow) capacity -= 1;  // the last line says how many more
    for (int b = 0; b < 2; ++b) {
      const double x0 = kMargin + b * (block_w + 16);
      if (b == 1 && st.villages.size() <= rows_per_block) break;
      double x = x0;
      svg += text_at(x, first_row - 12, w_.pick("村社", "Village"), 8.5, "class=\"muted\"");
      x += name_w;
      svg += text_at(x + pop_w - 6, first_row - 12, w_.pick("人口", "Pop."), 8.5, "class=\"muted\" text-anchor=\"end\"");
      x += pop_w;
      for (std::size_t m = 0; m < M; ++m, x += col_w)
        svg += text_at(x + col_w - 6, first_row - 12, xml_escape(mode_words(data_.modes[m])), 8.5,
                       "class=\"muted\" text-anchor=\"end\"");
      svg += "<rect x=\"" + fixed(x0, 1) + "\" y=\"" + fixed(first_row - 8, 1) + "\" width=\"" + fixed(block_w, 1) +
             "\" height=\".6\" fill=\"#d9dee5\"/>\n";
    }
    for (std::size_t i = 0; i < std::min(capacity, st.villages.size()); ++i) {
      const GuideVillage& v = st.villages[i];
      const PointRecord& u = world_.units()[v.unit];
      const std::size_t b = i / rows_per_block, r = i % rows_per_block;
      double x = kMargin + double(b) * (block_w + 16);
      const double y = first_row + double(r) * row_h;
      const std::string name = u.name.empty() ? u.id : u.name;
      svg += text_at(x, y, fit_text(name, name_w - 6, 9), 9);
      page.listed.push_back(name);
      x += name_w;
      svg += text_at(x + pop_w - 6, y, u.has_population ? short_number(std::round(u.population)) : "", 9,
                     "text-anchor=\"end\"");
      x += pop_w;
      for (std::size_t m = 0; m < M; ++m, x += col_w)
        svg += text_at(x + col_w - 6, y, minutes_text(v.minutes[m], data_.limit_minutes), 9,
                       std::string("text-anchor=\"end\"") + (m == v.by_mode ? " class=\"head\"" : ""));
    }
    if (overflow) {
      page.not_listed = st.villages.size() - capacity;
      const std::string more = w_.zh ? "……另有 " + std::to_string(page.not_listed) + " 个村社，见 guide_villages.csv"
                                     : "... and " + std::to_string(page.not_listed) + " more villages: guide_villages.csv";
      svg += text_at(kMargin + block_w + 16, first_row + double(rows_per_block - 1) * row_h, xml_escape(more), 9,
                     "class=\"muted\"");
    }
    if (st.villages.empty())
      svg += text_at(kMargin, first_row, w_.pick("（没有村社以本点为最近服务点）", "(no village has this as its nearest point)"), 9,
                     "class=\"muted\"");
    if (st.areas.empty() || std::all_of(st.areas.begin(), st.areas.end(), [](const auto& a) { return a.empty(); }))
      svg += text_at(kMargin + 8, kMapTop + 20,
                     w_.pick("本点离道路太远，无法计算范围", "This point is too far from any road for its areas"), 10,
                     "fill=\"#c1121f\"");
    svg += footer() + "</svg>\n";
    page.svg = std::move(svg);
    return page;
  }

  GuidePage town_page(const std::string& town, const std::vector<std::size_t>& stations) {
    GuidePage page;
    page.kind = GuidePage::Kind::town;
    page.key = town;
    page.title = town;
    const std::string sub = w_.zh ? "公共法律服务点 " + std::to_string(stations.size()) + " 个"
                                  : std::to_string(stations.size()) + " public legal service points";
    std::string svg = page_open(town);
    svg += header(w_.pick("公共法律服务指引地图 · 镇街总览", "Public legal service guide map · town overview"), town, sub);
    std::vector<bool> in_town(world_.units().size(), false);
    std::vector<LonLat> extent;
    for (std::size_t u = 0; u < world_.units().size(); ++u)
      if (unit_town_[u] == town) in_town[u] = true, extent.push_back(world_.units()[u].where);
    MapLayers layers = base_layers(in_town);
    for (std::size_t u = 0; u < world_.units().size(); ++u)
      if (in_town[u]) layers.labels.push_back(MapLabel::beside(world_.units()[u].where, xml_escape(world_.units()[u].name), 8, 1));
    MapBandGroup g;
    g.id = "town-areas";
    g.palette = palette_of(data_.modes[0]);
    for (std::size_t s : stations) {
      extent.push_back(world_.services()[s].where);
      const auto& bands = data_.stations[s].areas[0];
      if (!bands.empty()) g.bands.push_back({bands.back().minutes, &bands.back().wkb});
      layers.labels.push_back(MapLabel::beside(world_.services()[s].where, xml_escape(world_.services()[s].name), 9, 0));
    }
    if (!g.bands.empty()) {
      // One group per station would stack; every station's widest band in one colour instead.
      std::vector<double> one = {data_.bands_minutes.back()};
      for (auto& b : g.bands) b.first = one[0];
      layers.band_groups.push_back(std::move(g));
    }
    if (!extent.empty()) pad_extent(extent, extent.front(), 500);
    svg += map_block(layers, extent, town, {});
    double legend_y = kMapTop + kMapHeight + 16;
    svg += legend(legend_y, 0, true);
    const double table_top = legend_y + 12;
    svg += text_at(kMargin, table_top, w_.pick("本镇街的公共法律服务点", "Service points of the town"), 11, "class=\"head\"");
    const double y0 = table_top + 22, row_h = 13;
    const double cw[] = {170, 130, 133, 30, 60};  // name, tier, address, villages, residents
    const char* head_zh[] = {"名称", "层级", "地址", "最近村社", "人口"};
    const char* head_en[] = {"Name", "Tier", "Address", "Vill.", "Residents"};
    double x = kMargin;
    for (int c = 0; c < 5; ++c) {
      const bool right = c >= 3;
      svg += text_at(right ? x + cw[c] - 4 : x, y0, w_.zh ? head_zh[c] : head_en[c], 8.5,
                     right ? "class=\"muted\" text-anchor=\"end\"" : "class=\"muted\"");
      x += cw[c];
    }
    const std::size_t capacity = std::size_t((kA4HeightPt - 52 - y0 - 15) / row_h);
    std::size_t row = 0;
    for (std::size_t s : stations) {
      if (row + 1 >= capacity && stations.size() > capacity) break;
      const GuideStation& st = data_.stations[s];
      double pop = 0;
      for (const GuideVillage& v : st.villages) pop += world_.units()[v.unit].population;
      const double y = y0 + 15 + double(row) * row_h;
      const std::string cells[] = {world_.services()[s].name, tier_words(s), st.address,
                                   std::to_string(st.villages.size()), short_number(std::round(pop))};
      x = kMargin;
      for (int c = 0; c < 5; ++c) {
        const bool right = c >= 3;
        svg += text_at(right ? x + cw[c] - 4 : x, y, fit_text(cells[c], cw[c] - 6, 9), 9,
                       right ? "text-anchor=\"end\"" : "");
        x += cw[c];
      }
      page.listed.push_back(world_.services()[s].name);
      ++row;
    }
    if (row < stations.size()) {
      page.not_listed = stations.size() - row;
      const std::string more = w_.zh ? "……另有 " + std::to_string(page.not_listed) + " 个服务点，见 guide_index.csv"
                                     : "... and " + std::to_string(page.not_listed) + " more: guide_index.csv";
      svg += text_at(kMargin, y0 + 15 + double(row) * row_h, xml_escape(more), 9, "class=\"muted\"");
    }
    svg += footer() + "</svg>\n";
    page.svg = std::move(svg);
    return page;
  }

  // At least `min_m` across around `centre`, so a lone point still gets a street-level map.
  static void pad_extent(std::vector<LonLat>& extent, LonLat centre, double min_m) {
    const double dlat = min_m / 2 / 111320.0, dlon = dlat / std::max(0.1, std::cos(centre.lat * std::numbers::pi / 180));
    extent.push_back({centre.lon - dlon, centre.lat - dlat});
    extent.push_back({centre.lon + dlon, centre.lat + dlat});
  }

  Table villages_table() const {
    Table t;
    t.columns = {{"service_id", Column::Type::text}, {"service_name", Column::Type::text},
                 {"town", Column::Type::text},       {"village_id", Column::Type::text},
                 {"village_name", Column::Type::text}, {"population", Column::Type::real},
                 {"nearest_by", Column::Type::text}};
    for (Mode m : data_.modes) t.columns.push_back({std::string(mode_name(m)) + "_minutes", Column::Type::real});
    for (const GuideStation& st : data_.stations) {
      const PointRecord& svc = world_.services()[st.service];
      for (const GuideVillage& v : st.villages) {
        const PointRecord& u = world_.units()[v.unit];
        std::vector<std::string> row = {svc.id, svc.name, st.town, u.id, u.name,
                                        u.has_population ? fixed(u.population, 0) : "",
                                        std::string(mode_name(data_.modes[v.by_mode]))};
        for (const auto& m : v.minutes) row.push_back(m ? fixed(*m, 2) : "");
        t.rows.push_back(std::move(row));
      }
    }
    return t;
  }

  const World& world_;
  const Scenario& sc_;
  const GuideData& data_;
  const std::vector<std::string>& tiers_;
  const GuideText& text_;
  Words w_;
  WayIndex ways_;
  std::map<std::string, std::size_t> tier_rank_;
  std::vector<std::string> unit_town_;
};

}  // namespace

GuideBook guide_book(const World& world, const Scenario& scenario, const GuideData& data,
                     const std::vector<std::string>& service_tier, const GuideText& text) {
  return BookWriter(world, scenario, data, service_tier, text).write();
}

}  // namespace legalcircle
