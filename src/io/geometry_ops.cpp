#include "legalcircle/io/geometry_ops.hpp"

#include <bit>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <cpl_conv.h>
#include <ogr_api.h>
#include <ogr_geometry.h>

namespace legalcircle {
namespace {

std::unique_ptr<OGRGeometry> from_wkb(const std::string& wkb) {
  OGRGeometry* g = nullptr;
  if (wkb.empty() || OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE)
    return nullptr;
  return std::unique_ptr<OGRGeometry>(g);
}

std::string to_wkb(const OGRGeometry& g) {
  std::string wkb(g.WkbSize(), '\0');
  g.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
  return wkb;
}

// Area in km² of a lon/lat geometry, in an equirectangular projection at its own latitude.
double area_km2(const OGRGeometry& g) {
  OGREnvelope e;
  g.getEnvelope(&e);
  const double lat = (e.MinY + e.MaxY) / 2 * kPi / 180.0;
  const double deg = kEarthRadiusM * kPi / 180.0;
  return OGR_G_Area(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g))) * deg * deg * std::cos(lat) / 1e6;
}

void project(OGRGeometry* g, const PageTransform& t) {
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      OGRPolygon* poly = g->toPolygon();
      for (int r = 0; r <= poly->getNumInteriorRings(); ++r) {
        OGRLinearRing* ring = r == 0 ? poly->getExteriorRing() : poly->getInteriorRing(r - 1);
        if (!ring) continue;
        for (int i = 0; i < ring->getNumPoints(); ++i)
          ring->setPoint(i, (ring->getX(i) - t.lon0) * t.kx * t.scale, (t.lat1 - ring->getY(i)) * t.scale);
      }
      break;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      auto* coll = g->toGeometryCollection();
      for (int i = 0; i < coll->getNumGeometries(); ++i) project(coll->getGeometryRef(i), t);
      break;
    }
    default: break;
  }
}

void collect_rings(const OGRGeometry* g, std::vector<PageRing>& out) {
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPolygon: {
      const OGRPolygon* poly = g->toPolygon();
      for (int r = 0; r <= poly->getNumInteriorRings(); ++r) {
        const OGRLinearRing* ring = r == 0 ? poly->getExteriorRing() : poly->getInteriorRing(r - 1);
        PageRing pr;
        pr.exterior = r == 0;
        if (ring) {
          for (int i = 0; i < ring->getNumPoints(); ++i) pr.points.push_back({ring->getX(i), ring->getY(i)});
          pr.area = ring->get_Area();
        }
        out.push_back(std::move(pr));
      }
      break;
    }
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      const auto* coll = g->toGeometryCollection();
      for (int i = 0; i < coll->getNumGeometries(); ++i) collect_rings(coll->getGeometryRef(i), out);
      break;
    }
    default: break;  // lines and points left over from clipping
  }
}

double round_text(double v, int decimals) {
  // The value printf("%.*f") prints, read back: to_chars and from_chars are exact like them.
  char buf[400];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (ec != std::errc()) {
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return std::strtod(buf, nullptr);
  }
  double out = v;
  std::from_chars(buf, end, out);
  return out;
}


// The polygonal parts of a geometry as one MultiPolygon (lines and points left over from GEOS
// operations dropped).
OGRMultiPolygon polygonal_parts(const OGRGeometry& g) {
  OGRMultiPolygon parts;
  switch (wkbFlatten(g.getGeometryType())) {
    case wkbPolygon: parts.addGeometry(&g); break;
    case wkbMultiPolygon: parts = *g.toMultiPolygon(); break;
    case wkbGeometryCollection:
      for (const OGRGeometry* part : *g.toGeometryCollection())
        for (const OGRPolygon* poly : polygonal_parts(*part)) parts.addGeometry(poly);
      break;
    default: break;
  }
  return parts;
}

}  // namespace

void round_geometry(OGRGeometry* g, int decimals) {
  map_coordinates(g, [decimals](double& x, double& y) {
    x = round_text(x, decimals);
    y = round_text(y, decimals);
  });
}

void map_coordinates(OGRGeometry* g, const std::function<void(double&, double&)>& fn) {
  switch (wkbFlatten(g->getGeometryType())) {
    case wkbPoint: {
      OGRPoint* p = g->toPoint();
      double x = p->getX(), y = p->getY();
      fn(x, y);
      p->setX(x);
      p->setY(y);
      break;
    }
    case wkbLineString:
    case wkbLinearRing: {
      OGRSimpleCurve* c = g->toSimpleCurve();
      for (int i = 0; i < c->getNumPoints(); ++i) {
        double x = c->getX(i), y = c->getY(i);
        fn(x, y);
        c->setPoint(i, x, y);
      }
      break;
    }
    case wkbPolygon: {
      OGRPolygon* poly = g->toPolygon();
      for (int r = 0; r <= poly->getNumInteriorRings(); ++r)
        if (OGRLinearRing* ring = r == 0 ? poly->getExteriorRing() : poly->getInteriorRing(r - 1)) map_coordinates(ring, fn);
      break;
    }
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection: {
      auto* coll = g->toGeometryCollection();
      for (int i = 0; i < coll->getNumGeometries(); ++i) map_coordinates(coll->getGeometryRef(i), fn);
      break;
    }
    default: break;
  }
}

std::string round_wkb(const std::string& wkb, int decimals) {
  auto g = from_wkb(wkb);
  if (!g) return wkb;
  round_geometry(g.get(), decimals);
  return to_wkb(*g);
}

std::string wkb_to_geojson(const std::string& wkb, int decimals) {
  auto g = from_wkb(wkb);
  if (!g) return "null";
  const std::string precision = "COORDINATE_PRECISION=" + std::to_string(decimals);
  const char* options[] = {precision.c_str(), nullptr};
  char* json = OGR_G_ExportToJsonEx(OGRGeometry::ToHandle(g.get()), const_cast<char**>(options));
  if (!json) return "null";
  std::string out(json);
  CPLFree(json);
  return out;
}

void make_valid_as_written(OGRGeometry*& g, int decimals) {
  if (!g) return;
  const auto type = wkbFlatten(g->getGeometryType());
  if (decimals >= 0) round_geometry(g, decimals);
  if (type != wkbPolygon && type != wkbMultiPolygon) return;
  for (int pass = 0; pass < 4 && !g->IsValid(); ++pass) {
    std::unique_ptr<OGRGeometry> fixed(g->MakeValid());
    if (!fixed) return;
    // Keep the polygonal parts (MakeValid may return a collection with slivers as lines).
    auto* parts = new OGRMultiPolygon(polygonal_parts(*fixed));
    // RFC 7946 orientation (exterior counter-clockwise, holes clockwise), as the traced bands
    // have it, so the GeoJSON writer keeps the rings as they are.
    for (OGRPolygon* poly : *parts)
      for (int r = 0; r <= poly->getNumInteriorRings(); ++r) {
        OGRLinearRing* ring = r == 0 ? poly->getExteriorRing() : poly->getInteriorRing(r - 1);
        if (ring && ring->isClockwise() == (r == 0)) ring->reverseWindingOrder();
      }
    delete g;
    g = parts;
    if (decimals >= 0) round_geometry(g, decimals);
  }
}

std::string polygon_as_written(const std::string& wkb, int decimals) {
  auto g = from_wkb(wkb);
  if (!g) return wkb;
  OGRGeometry* raw = g.release();
  make_valid_as_written(raw, decimals);
  std::unique_ptr<OGRGeometry> owned(raw);
  return to_wkb(*owned);
}

LonLat round_lonlat(LonLat p, int decimals) { return {round_text(p.lon, decimals), round_text(p.lat, decimals)}; }

std::string multiline_wkb(const std::vector<std::pair<LonLat, LonLat>>& segments) {
  // WKB written directly (little-endian MultiLineString): a province's roads are a million
  // segments, and OGR's objects cost a copy and an allocation per part.
  std::vector<std::vector<LonLat>> parts;
  for (const auto& [a, b] : segments) {
    if (parts.empty() || parts.back().back().lon != a.lon || parts.back().back().lat != a.lat) parts.push_back({a});
    parts.back().push_back(b);
  }
  std::string wkb;
  auto put = [&wkb](const auto& v) { wkb.append(reinterpret_cast<const char*>(&v), sizeof v); };
  static_assert(std::endian::native == std::endian::little, "WKB is written in the machine's byte order, flagged 1");
  put(uint8_t(1)), put(uint32_t(wkbMultiLineString)), put(uint32_t(parts.size()));
  for (const std::vector<LonLat>& line : parts) {
    put(uint8_t(1)), put(uint32_t(wkbLineString)), put(uint32_t(line.size()));
    for (const LonLat& p : line) put(p.lon), put(p.lat);
  }
  return wkb;
}

std::string union_wkb(const std::vector<std::string>& polygons) {
  std::unique_ptr<OGRGeometry> all;
  for (const std::string& wkb : polygons)
    if (auto g = from_wkb(wkb)) all.reset(all ? all->Union(g.get()) : g.release());
  return all ? to_wkb(*all) : std::string();
}

AreaOutside area_outside(const std::string& area_wkb, const std::string& cut_wkb) {
  AreaOutside out;
  auto area = from_wkb(area_wkb);
  if (!area) return out;
  auto cut = from_wkb(cut_wkb);
  std::unique_ptr<OGRGeometry> outside(cut ? area->Difference(cut.get()) : area->clone());
  if (!outside || outside->IsEmpty()) return out;
  const OGRMultiPolygon parts = polygonal_parts(*outside);
  if (parts.IsEmpty()) return out;
  out.area_km2 = area_km2(*area);
  out.outside_km2 = area_km2(parts);
  out.wkb = to_wkb(parts);
  return out;
}

namespace {

// The vertices of `line` that keep it within `tolerance` of itself (Douglas–Peucker), ends kept:
// a road drawn at a county's scale needs a few of its many vertices.
std::vector<XY> simplify_line(const std::vector<XY>& line, double tolerance) {
  const std::size_t n = line.size();
  if (n <= 2) return line;
  std::vector<uint8_t> keep(n, 0);
  keep[0] = keep[n - 1] = 1;
  douglas_peucker(0, n - 1, tolerance,
                  [&](std::size_t i, std::size_t a, std::size_t b) {
                    const double dx = line[b].x - line[a].x, dy = line[b].y - line[a].y, len = std::hypot(dx, dy);
                    return len > 0 ? std::abs(dy * (line[i].x - line[a].x) - dx * (line[i].y - line[a].y)) / len
                                   : std::hypot(line[i].x - line[a].x, line[i].y - line[a].y);
                  },
                  keep);
  std::vector<XY> out;
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) out.push_back(line[i]);
  return out;
}

}  // namespace

std::vector<std::vector<XY>> page_lines(const std::string& wkb, const PageTransform& t, double tolerance) {
  std::vector<std::vector<XY>> out;
  auto g = from_wkb(wkb);
  if (!g) return out;
  std::vector<const OGRLineString*> parts;
  const auto type = wkbFlatten(g->getGeometryType());
  if (type == wkbLineString) parts.push_back(g->toLineString());
  else if (type == wkbMultiLineString)
    for (const OGRLineString* l : *g->toMultiLineString()) parts.push_back(l);
  const double m = t.margin;
  std::vector<XY> line;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // the line's box
  auto flush = [&] {
    const bool outside = x1 < -m || x0 > t.width + m || y1 < -m || y0 > t.height + m;
    if (line.size() >= 2 && !outside) out.push_back(simplify_line(line, tolerance));
    line.clear();
  };
  for (const OGRLineString* l : parts) {
    const int n = l->getNumPoints();
    if (n < 2) continue;
    auto at = [&](int i) { return XY{(l->getX(i) - t.lon0) * t.kx * t.scale, (t.lat1 - l->getY(i)) * t.scale}; };
    const XY first = at(0);
    if (line.empty() || std::hypot(line.back().x - first.x, line.back().y - first.y) > 1e-9) {
      flush();
      line.push_back(first);
      x0 = x1 = first.x, y0 = y1 = first.y;
    }
    for (int i = 1; i < n; ++i) {
      const XY p = at(i);
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
      if (i + 1 < n && std::hypot(line.back().x - p.x, line.back().y - p.y) < tolerance) continue;
      line.push_back(p);
    }
  }
  flush();
  return out;
}

std::vector<PageRing> page_rings(const std::string& wkb, const PageTransform& t, double tolerance) {
  std::vector<PageRing> rings;
  auto g = from_wkb(wkb);
  if (!g) return rings;
  project(g.get(), t);
  OGRLinearRing frame;
  const double m = t.margin;
  frame.addPoint(-m, -m);
  frame.addPoint(t.width + m, -m);
  frame.addPoint(t.width + m, t.height + m);
  frame.addPoint(-m, t.height + m);
  frame.addPoint(-m, -m);
  OGRPolygon box;
  box.addRing(&frame);
  // Inside the frame already (a county's circles mostly are): GEOS's overlay would only copy it,
  // slowly for a circle of thousands of rings.
  OGREnvelope e;
  g->getEnvelope(&e);
  const bool inside = e.MinX >= -m && e.MinY >= -m && e.MaxX <= t.width + m && e.MaxY <= t.height + m;
  std::unique_ptr<OGRGeometry> clipped(inside ? nullptr : g->Intersection(&box));
  const OGRGeometry* use = clipped ? clipped.get() : g.get();  // invalid input: unclipped
  collect_rings(use, rings);
  // Each ring on its own within the tolerance (a pixel): what the eye sees of a map. (GEOS's
  // topology-preserving simplifier took most of a province report's time, keeping apart rings
  // that are drawn a pixel apart anyway.)
  for (PageRing& r : rings) {
    const bool closed = r.points.size() >= 2 && r.points.front().x == r.points.back().x &&
                        r.points.front().y == r.points.back().y;
    if (r.points.size() < 5 || !closed) continue;
    std::vector<XY> open(r.points.begin(), r.points.end() - 1);
    std::vector<XY> kept;
    for (uint32_t i : simplify_ring(open, tolerance)) kept.push_back(open[i]);
    r.area = std::abs(signed_area(kept));
    kept.push_back(kept.front());
    r.points = std::move(kept);
  }
  return rings;
}

}  // namespace legalcircle

namespace legalcircle {

std::vector<LonLat> wkb_corners(const std::string& wkb) {
  auto g = from_wkb(wkb);
  if (!g || g->IsEmpty()) return {};
  OGREnvelope e;
  g->getEnvelope(&e);
  return {{e.MinX, e.MinY}, {e.MaxX, e.MaxY}};
}

}  // namespace legalcircle
