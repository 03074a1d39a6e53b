#include "legalcircle/render/svg_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "legalcircle/io/geometry_ops.hpp"

namespace legalcircle {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string short_number(double v) {
  std::string s = fixed(v, 2);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// One decimal of a pixel is far below what a screen shows; "-0" and ".0" are dropped.
void append_coord(std::string& out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  out += s;
}

// The SVG path of a lon/lat (multi)polygon: projected, clipped to the map, simplified to about a
// pixel (a region's circle stays a few hundred kB instead of megabytes).
std::string polygon_path(const std::string& wkb, const MapProjection& pj) {
  PageTransform t;
  t.lon0 = pj.lon0;
  t.lat1 = pj.lat1;
  t.kx = pj.kx;
  t.scale = pj.scale;
  t.width = pj.width;
  t.height = pj.height;
  t.margin = 4;
  std::string d;
  bool skip_holes = false;
  for (const PageRing& ring : page_rings(wkb, t, 1.0)) {
    // Parts and holes under ~2x2 px cannot be seen, but a region's car circle has thousands; a
    // part too small to draw takes its holes with it.
    if (ring.exterior) skip_holes = false;
    if (skip_holes) continue;
    if (ring.points.size() < 4 || ring.area < 4.0) {
      if (ring.exterior) skip_holes = true;
      continue;
    }
    std::string part, last;
    int kept = 0;
    for (std::size_t i = 0; i + 1 < ring.points.size(); ++i) {  // the closing point is the Z
      std::string xy;
      append_coord(xy, ring.points[i].x);
      xy += ' ';
      append_coord(xy, ring.points[i].y);
      if (xy == last) continue;  // equal after rounding
      part += (kept == 0 ? "M" : " ") + xy;
      last = xy;
      ++kept;
    }
    if (kept >= 3) d += part + "Z";
  }
  return d;
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Labels in priority order, each kept only where it overlaps no label kept before and no
// service symbol, and stays on the page; towns in the "place" group, the rest in "lbl".
std::string labels_svg(const MapLayers& layers, const MapProjection& pj, std::size_t* left_out) {
  std::vector<std::size_t> order(layers.labels.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return layers.labels[a].priority < layers.labels[b].priority;
  });
  std::vector<Box> taken;
  for (const MapService& s : layers.services) {  // symbols stay readable
    double x = 0, y = 0;
    pj.apply(s.point.where, x, y);
    taken.push_back({x - 6, y - 6, x + 6, y + 6});
  }
  // The scale bar and the north arrow (drawn after the labels) keep their corners.
  taken.push_back({0, pj.height - 42, 200, pj.height});
  taken.push_back({pj.width - 44, 0, pj.width, 60});
  for (const auto& [where, r] : layers.keep_clear) {
    double x = 0, y = 0;
    pj.apply(where, x, y);
    taken.push_back({x - r, y - r, x + r, y + r});
  }
  struct Spot {
    double tx, ty;
    const char* anchor;
    Box box;
  };
  std::string places, others;
  std::size_t dropped = 0;
  for (std::size_t i : order) {
    const MapLabel& l = layers.labels[i];
    double x = 0, y = 0;
    pj.apply(l.where, x, y);
    const double w = label_width(l.text, l.font_size), h = l.font_size * 1.15;
    std::vector<Spot> spots;
    if (l.kind == MapLabel::Kind::point) {
      const double gap = l.gap;
      // Every spot's baseline lies 0.8 of the box's height below its top (the glyphs' ascent).
      spots.push_back({x + gap, y + h * 0.3, "start", {x + gap, y - h / 2, x + gap + w, y + h / 2}});
      spots.push_back({x - gap, y + h * 0.3, "end", {x - gap - w, y - h / 2, x - gap, y + h / 2}});
      spots.push_back({x, y - gap - h * 0.2, "middle", {x - w / 2, y - gap - h, x + w / 2, y - gap}});
      spots.push_back({x, y + gap + h * 0.8, "middle", {x - w / 2, y + gap, x + w / 2, y + gap + h}});
    } else if (l.kind == MapLabel::Kind::place) {
      for (double dy : {0.0, -h, h})  // centred, else just above or below
        spots.push_back({x, y + h * 0.3 + dy, "middle", {x - w / 2, y - h / 2 + dy, x + w / 2, y + h / 2 + dy}});
    } else {
      // A turned road label takes the box of its turned extent.
      const double a = l.angle_deg * std::numbers::pi / 180, c = std::abs(std::cos(a)), sn = std::abs(std::sin(a));
      const double bw = w * c + h * sn, bh = w * sn + h * c;
      spots.push_back({x, y + h * 0.3, "middle", {x - bw / 2, y - bh / 2, x + bw / 2, y + bh / 2}});
    }
    bool placed = false;
    for (const Spot& sp : spots) {
      if (sp.box.x0 < 1 || sp.box.y0 < 1 || sp.box.x1 > pj.width - 1 || sp.box.y1 > pj.height - 1) continue;
      if (std::any_of(taken.begin(), taken.end(), [&](const Box& b) { return b.overlaps(sp.box); })) continue;
      taken.push_back(sp.box);
      if (l.kind == MapLabel::Kind::place) {
        places += "<text x=\"" + fixed(sp.tx, 1) + "\" y=\"" + fixed(sp.ty, 1) + "\">" + l.text + "</text>";
      } else {
        std::string t = "<text x=\"" + fixed(sp.tx, 1) + "\" y=\"" + fixed(sp.ty, 1) + "\" font-size=\"" +
                        short_number(l.font_size) + "\"";
        if (std::string(sp.anchor) != "start") t += " text-anchor=\"" + std::string(sp.anchor) + "\"";
        if (l.kind == MapLabel::Kind::road) {
          t += " class=\"rd\"";
          if (l.angle_deg != 0)
            t += " transform=\"rotate(" + fixed(l.angle_deg, 1) + " " + fixed(x, 1) + " " + fixed(y, 1) + ")\"";
        }
        others += t + ">" + l.text + "</text>";
      }
      placed = true;
      break;
    }
    if (!placed) ++dropped;
  }
  if (left_out) *left_out = dropped;
  std::string out;
  if (!places.empty()) out += "<g class=\"place\">" + places + "</g>\n";
  if (!others.empty()) out += "<g class=\"lbl\">" + others + "</g>\n";
  return out;
}

}  // namespace

bool fit_projection(const std::vector<LonLat>& points, double max_width, double max_height, MapProjection& pj) {
  double lon_min = 1e9, lon_max = -1e9, lat_min = 1e9, lat_max = -1e9;
  for (const LonLat& p : points) {
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat)) continue;
    lon_min = std::min(lon_min, p.lon);
    lon_max = std::max(lon_max, p.lon);
    lat_min = std::min(lat_min, p.lat);
    lat_max = std::max(lat_max, p.lat);
  }
  if (lon_min > lon_max) return false;
  pj = MapProjection{};
  pj.kx = std::cos((lat_min + lat_max) / 2 * std::numbers::pi / 180);
  const double span_x = std::max((lon_max - lon_min) * pj.kx, 0.01), span_y = std::max(lat_max - lat_min, 0.01);
  const double pad = 0.05;
  pj.lon0 = (lon_min + lon_max) / 2 - span_x * (0.5 + pad) / pj.kx;
  pj.lat1 = (lat_min + lat_max) / 2 + span_y * (0.5 + pad);
  pj.scale = max_width / (span_x * (1 + 2 * pad));
  pj.height = span_y * (1 + 2 * pad) * pj.scale;
  if (pj.height > max_height) {  // tall regions: limit the height, narrow the map
    pj.scale *= max_height / pj.height;
    pj.height = max_height;
  }
  pj.width = span_x * (1 + 2 * pad) * pj.scale;
  pj.height = std::round(pj.height);
  pj.width = std::round(pj.width);
  // Recentre after rounding so the points stay inside.
  pj.lon0 = (lon_min + lon_max) / 2 - pj.width / 2 / pj.scale / pj.kx;
  pj.lat1 = (lat_min + lat_max) / 2 + pj.height / 2 / pj.scale;
  return true;
}

std::vector<double> band_minutes(const MapLayers& layers) {
  std::vector<double> all;
  for (const MapBandGroup& g : layers.band_groups)
    for (const auto& b : g.bands) all.push_back(b.first);
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

const char* band_colour(const std::vector<double>& all_minutes, double minutes, int palette) {
  static const char* kBand[4][5] = {{"#3f8fc5", "#74b0d8", "#a9cfe8", "#cfe3f1", "#e6f0f8"},
                                    {"#2f9e57", "#6cc08b", "#a6dbb6", "#cdebd6", "#e5f5ea"},
                                    {"#e8862a", "#f2ab62", "#f8cb97", "#fbe0c2", "#fdeedd"},
                                    {"#8c8c8c", "#b0b0b0", "#cccccc", "#e0e0e0", "#eeeeee"}};
  const std::size_t i = std::lower_bound(all_minutes.begin(), all_minutes.end(), minutes) - all_minutes.begin();
  const std::size_t shift = all_minutes.size() >= 5 ? 0 : 1;
  return kBand[std::clamp(palette, 0, 3)][std::min<std::size_t>(i + shift, 4)];
}

const std::string& map_css() {
  static const std::string css =
      ".t0{fill:#0b3d91;stroke:#fff;stroke-width:1.2}.t1{fill:#6a3d9a;stroke:#fff;stroke-width:1.2}"
      ".t2{fill:#e66101;stroke:#fff;stroke-width:1}.t3{fill:#4d4d4d;stroke:#fff;stroke-width:1}\n"
      ".cov{fill:#2e8b57}.unc{fill:#d7301f;stroke:#fff;stroke-width:.8}\n"
      ".road{fill:none;stroke-linecap:round;stroke-linejoin:round}.r0{stroke:#e8a33d;stroke-width:2.4}"
      ".r1{stroke:#f2c45a;stroke-width:1.8}.r2{stroke:#c4c4c4;stroke-width:1.2}.r3{stroke:#dcdcdc;stroke-width:.7}"
      ".r4{stroke:#e4e4e4;stroke-width:.5;stroke-dasharray:2 2}\n"
      ".place text{font-size:13px;font-weight:600;fill:#444;paint-order:stroke;stroke:#fff;stroke-width:3px;"
      "stroke-linejoin:round;text-anchor:middle}\n"
      ".lbl text{fill:#222;paint-order:stroke;stroke:#fff;stroke-width:2.5px;stroke-linejoin:round}"
      ".lbl .rd{fill:#6b5a3a;font-style:italic}\n"
      ".star{fill:#ffd400;stroke:#5a4300;stroke-width:1}\n"
      ".acov{fill:#2e8b57;fill-opacity:.18;stroke:#2e8b57;stroke-opacity:.5;stroke-width:.5}"
      ".aunc{fill:#d7301f;fill-opacity:.22;stroke:#d7301f;stroke-opacity:.5;stroke-width:.5}\n"
      ".bnd{fill:none;stroke:#555;stroke-width:1.1;stroke-dasharray:5 3}.bnd0{fill:none;stroke:#333;stroke-width:2}\n";
  return css;
}

double label_width(const std::string& text, double font_size) {
  double w = 0;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '&') {  // an XML entity is one character
      const std::size_t end = text.find(';', i);
      i = end == std::string::npos ? i + 1 : end + 1;
      w += 0.6 * font_size;
      continue;
    }
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? font_size : 0.6 * font_size;  // CJK (3-byte UTF-8) a full em
    i += len;
  }
  return w;
}


std::string tier_shape(std::size_t rank, double x, double y, const std::string& title) {
  auto xy = [&](double dx, double dy) {
    std::string s;
    append_coord(s, x + dx);
    s += ',';
    append_coord(s, y + dy);
    return s;
  };
  const std::string cls = "class=\"t" + std::to_string(std::min<std::size_t>(rank, 3)) + "\" ";
  std::string tag, out;
  if (rank == 0) {
    tag = "rect";
    out = "<rect " + cls + "x=\"";
    append_coord(out, x - 5.5);
    out += "\" y=\"";
    append_coord(out, y - 5.5);
    out += "\" width=\"11\" height=\"11\"";
  } else if (rank == 1) {
    tag = "polygon";
    out = "<polygon " + cls + "points=\"" + xy(0, -6.5) + " " + xy(6.5, 0) + " " + xy(0, 6.5) + " " + xy(-6.5, 0) + "\"";
  } else if (rank == 2) {
    tag = "polygon";
    out = "<polygon " + cls + "points=\"" + xy(0, -5.5) + " " + xy(5, 4) + " " + xy(-5, 4) + "\"";
  } else {
    tag = "circle";
    out = "<circle " + cls + "cx=\"";
    append_coord(out, x);
    out += "\" cy=\"";
    append_coord(out, y);
    out += "\" r=\"4\"";
  }
  return title.empty() ? out + "/>" : out + "><title>" + title + "</title></" + tag + ">";
}

std::string star(double x, double y, double r, const std::string& title) {
  std::string pts;
  for (int i = 0; i < 10; ++i) {
    const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5, rr = i % 2 == 0 ? r : r * 0.45;
    if (i) pts += ' ';
    append_coord(pts, x + rr * std::cos(a));
    pts += ',';
    append_coord(pts, y + rr * std::sin(a));
  }
  const std::string open = "<polygon class=\"star\" points=\"" + pts + "\"";
  return title.empty() ? open + "/>" : open + "><title>" + title + "</title></polygon>";
}

int road_rank(const std::string& c) {
  auto in = [&](std::initializer_list<const char*> l) {
    return std::any_of(l.begin(), l.end(), [&](const char* x) { return c == x; });
  };
  if (in({"motorway", "motorway_link", "trunk", "trunk_link"})) return 0;
  if (in({"primary", "primary_link", "secondary", "secondary_link"})) return 1;
  if (in({"tertiary", "tertiary_link"})) return 2;
  if (in({"track", "path", "footway", "cycleway", "bridleway", "steps", "pedestrian"})) return 4;
  return 3;
}

std::string svg_map(const MapLayers& layers, const MapProjection& pj, const MapText& text, std::size_t* left_out) {
  const std::vector<double> all_minutes = band_minutes(layers);
  std::string svg = "<svg id=\"" + text.id + "\" " + (text.placement.empty() ? "" : text.placement + " ") +
                    "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + fixed(pj.width, 0) + " " +
                    fixed(pj.height, 0) + "\" width=\"" + fixed(pj.width, 0) + "\" height=\"" + fixed(pj.height, 0) +
                    "\" role=\"img\" aria-label=\"" + text.aria_label + "\">\n";
  for (const MapBandGroup& g : layers.band_groups) {
    svg += "<g class=\"bands\" id=\"" + g.id + "\">";
    for (auto it = g.bands.rbegin(); it != g.bands.rend(); ++it) {  // largest first
      const std::string d = polygon_path(*it->second, pj);
      if (!d.empty()) svg += "<path fill=\"" + std::string(band_colour(all_minutes, it->first, g.palette)) + "\" fill-rule=\"evenodd\" d=\"" + d + "\"/>";
    }
    svg += "</g>\n";
  }
  // Roads over the bands (opaque fills would hide them), under everything else.
  if (!layers.roads.empty()) {
    PageTransform t;
    t.lon0 = pj.lon0, t.lat1 = pj.lat1, t.kx = pj.kx, t.scale = pj.scale, t.width = pj.width, t.height = pj.height;
    t.margin = 4;
    // One path per class, finest first so the main roads are on top.
    for (int rank = 4; rank >= 0; --rank) {
      std::string d;
      for (const MapRoad& r : layers.roads) {
        if (r.rank != rank || !r.wkb) continue;
        for (const std::vector<XY>& line : page_lines(*r.wkb, t, 1.0)) {
          std::string part, last;
          std::size_t kept = 0;
          for (const XY& p : line) {
            std::string xy;
            append_coord(xy, p.x);
            xy += ' ';
            append_coord(xy, p.y);
            if (xy == last) continue;
            part += (kept == 0 ? "M" : " ") + xy;
            last = xy;
            ++kept;
          }
          if (kept >= 2) d += part;
        }
      }
      if (!d.empty()) svg += "<path class=\"road r" + std::to_string(rank) + "\" d=\"" + d + "\"/>\n";
    }
  }
  for (const auto* group : {&layers.areas, &layers.outlines}) {
    for (const MapArea& a : *group) {
      const std::string d = a.wkb ? polygon_path(*a.wkb, pj) : "";
      if (!d.empty()) svg += "<path class=\"" + a.css_class + "\" fill-rule=\"evenodd\" d=\"" + d + "\"/>";
    }
    if (!group->empty()) svg += "\n";
  }
  auto visible = [](const MapPoint& p) { return std::isfinite(p.where.lon) && std::isfinite(p.where.lat); };
  // Villages: covered small green dots first (no tooltip: they are the many), then uncovered red.
  const double shrink = std::clamp(std::sqrt(800.0 / std::max<double>(1, double(layers.unit_count))), 0.6, 1.0);
  const std::string r_cov = fixed(2.6 * shrink, 1), r_unc = fixed(3.6 * shrink, 1);
  auto dots = [&](const std::vector<MapPoint>& points, const std::string& r, bool titled) {
    std::string out;
    for (const MapPoint& p : points) {
      if (!visible(p)) continue;
      double x = 0, y = 0;
      pj.apply(p.where, x, y);
      out += "<circle cx=\"";
      append_coord(out, x);
      out += "\" cy=\"";
      append_coord(out, y);
      out += titled ? "\" r=\"" + r + "\"><title>" + p.title + "</title></circle>" : "\" r=\"" + r + "\"/>";
    }
    return out;
  };
  const std::string covered = dots(layers.covered, r_cov, false), uncovered = dots(layers.uncovered, r_unc, true);
  svg += "<g class=\"cov\">" + covered + "</g>\n<g class=\"unc\">" + uncovered + "</g>\n<g>";
  for (const MapService& s : layers.services) {
    if (!visible(s.point)) continue;
    double x = 0, y = 0;
    pj.apply(s.point.where, x, y);
    svg += tier_shape(s.tier_rank, x, y, s.point.title);
  }
  svg += "</g>\n<g>";
  for (const MapPoint& p : layers.new_sites) {
    if (!visible(p)) continue;
    double x = 0, y = 0;
    pj.apply(p.where, x, y);
    svg += star(x, y, 9, p.title);
  }
  svg += "</g>\n";
  if (!layers.labels.empty()) svg += labels_svg(layers, pj, left_out);
  // Scale bar (1, 2 or 5 x 10^n km, about a sixth of the width) and a north arrow.
  const double m_per_px = 111320.0 / pj.scale;
  double len_m = 1;
  for (double target = pj.width / 6 * m_per_px; len_m * 10 <= target;) len_m *= 10;
  if (len_m * 5 <= pj.width / 6 * m_per_px) len_m *= 5;
  else if (len_m * 2 <= pj.width / 6 * m_per_px) len_m *= 2;
  const double len_px = len_m / m_per_px, x0 = 16, y0 = pj.height - 18;
  const std::string label = len_m >= 1000 ? short_number(len_m / 1000) + text.km : short_number(len_m) + text.m;
  svg += "<g font-size=\"12\" fill=\"#222\"><rect x=\"" + fixed(x0 - 6, 0) + "\" y=\"" + fixed(y0 - 20, 0) + "\" width=\"" +
         fixed(len_px + 60, 0) + "\" height=\"30\" fill=\"#fff\" fill-opacity=\".8\"/><path d=\"M" + fixed(x0, 1) + " " +
         fixed(y0 - 5, 1) + "v5h" + fixed(len_px, 1) + "v-5\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"/><text x=\"" +
         fixed(x0 + len_px + 6, 1) + "\" y=\"" + fixed(y0 + 1, 1) + "\">" + label + "</text>";
  const double nx = pj.width - 24, ny = 18;
  svg += "<path d=\"M" + fixed(nx, 1) + " " + fixed(ny, 1) + "l7 20l-7 -5l-7 5z\" fill=\"#222\"/><text x=\"" + fixed(nx, 1) +
         "\" y=\"" + fixed(ny + 34, 1) + "\" text-anchor=\"middle\">" + text.north + "</text></g>\n</svg>\n";
  return svg;
}

}  // namespace legalcircle
