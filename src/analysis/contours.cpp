#include "legalcircle/analysis/contours.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace legalcircle {
namespace {

// Unreachable cells count as a time far beyond any band (as GDAL's contours of the old tracer
// had them), so boundaries next to them sit at the reachable cell, kContourEdgeMargin away.
constexpr double kUnreachableSeconds = 6.0e7;

struct Box {
  double x0 = kInf, y0 = kInf, x1 = -kInf, y1 = -kInf;
  void add(XY p) { x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y); }
  bool contains(const Box& b) const { return x0 <= b.x0 && y0 <= b.y0 && b.x1 <= x1 && b.y1 <= y1; }
};

double cross(XY o, XY a, XY b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

double segment_distance(XY a, XY b, XY c, XY d) {
  const double d1 = cross(a, b, c), d2 = cross(a, b, d), d3 = cross(c, d, a), d4 = cross(c, d, b);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return 0.0;
  return std::min({point_segment_distance(a, c, d), point_segment_distance(b, c, d), point_segment_distance(c, a, b),
                   point_segment_distance(d, a, b)});
}

// Marching squares over the cell centres of a raster padded by one unreachable cell on every
// side, so every contour closes.
class SquareTracer {
 public:
  explicit SquareTracer(const TimeRaster& r)
      : grid_(r.grid), w_(r.grid.width + 2), h_(r.grid.height + 2), seconds_(static_cast<std::size_t>(w_) * h_, static_cast<float>(kUnreachableSeconds)) {
    for (int row = 0; row < r.grid.height; ++row)
      for (int col = 0; col < r.grid.width; ++col) {
        const float s = r.seconds[static_cast<std::size_t>(row) * r.grid.width + col];
        if (std::isfinite(s)) seconds_[index(row + 1, col + 1)] = s;
      }
  }

  // The rings of the level, inside (time <= level) on their left: outer boundaries
  // counter-clockwise, holes clockwise. Deterministic order (row-major by first crossing).
  std::vector<Ring> rings(double level_s) {
    const std::size_t cells = static_cast<std::size_t>(w_) * h_;
    inside_.assign(cells, 0);
    for (std::size_t i = 0; i < cells; ++i) inside_[i] = seconds_[i] <= level_s;
    next_.assign(2 * cells, -1);
    starts_.clear();
    auto link = [&](int64_t from, int64_t to) {
      next_[from] = static_cast<int32_t>(to);
      starts_.push_back(static_cast<int32_t>(from));
    };
    for (int r = 0; r + 1 < h_; ++r)
      for (int c = 0; c + 1 < w_; ++c) {
        // Corners counter-clockwise from the south-west (rows grow southward): BL, BR, TR, TL;
        // edge k runs from corner k to corner k + 1.
        const std::size_t bl = index(r + 1, c), br = bl + 1, tr = index(r, c + 1), tl = index(r, c);
        const int bits = inside_[bl] | inside_[br] << 1 | inside_[tr] << 2 | inside_[tl] << 3;
        if (bits == 0 || bits == 15) continue;
        const int64_t edge[4] = {horizontal(r + 1, c), vertical(r, c + 1), horizontal(r, c), vertical(r, c)};
        const bool in[4] = {inside_[bl] != 0, inside_[br] != 0, inside_[tr] != 0, inside_[tl] != 0};
        if (bits == 5 || bits == 10) {  // saddle: the mean of the corners decides
          const double mean = (double{seconds_[bl]} + seconds_[br] + seconds_[tr] + seconds_[tl]) / 4.0;
          const bool joined = mean <= level_s;
          for (int k = 0; k < 4; ++k)
            if (in[k]) link(edge[k], joined ? edge[(k + 1) % 4] : edge[(k + 3) % 4]);
          continue;
        }
        int from = -1, to = -1;
        for (int k = 0; k < 4; ++k) {
          if (in[k] && !in[(k + 1) % 4]) from = k;
          if (!in[k] && in[(k + 1) % 4]) to = k;
        }
        link(edge[from], edge[to]);
      }
    std::vector<Ring> out;
    leftmost_.clear();
    for (int32_t start : starts_) {
      if (next_[start] < 0) continue;  // already on a ring
      Ring ring;
      std::pair<double, int32_t> left{kInf, -1};  // the ring's westernmost crossing of a row
      const int32_t id = static_cast<int32_t>(out.size());
      int32_t e = start;
      do {
        ring.push_back(point(e, level_s));
        if (e < static_cast<int64_t>(cells) && ring.back().x < left.first) left = {ring.back().x, e};
        const int32_t n = next_[e];
        if (n < 0) throw std::logic_error("contour ring does not close");
        next_[e] = -2 - id;  // the edge's ring, for containers()
        e = n;
      } while (e != start);
      out.push_back(std::move(ring));
      leftmost_.push_back(left);
    }
    return out;
  }

  // For each ring of the last rings() call, the smallest ring containing it (-1: none), read
  // off the raster: west of a ring's westernmost crossing of a row, the first crossing on that
  // row is of the ring bounding the same face; that ring holds it when the face lies on its
  // inner side, else it is a sibling and they share a container. Rings further west come first.
  std::vector<int> containers(const std::vector<double>& area) const {
    const std::size_t n = leftmost_.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return leftmost_[a].first < leftmost_[b].first; });
    std::vector<int> parent(n, -1);
    for (std::size_t i : order) {
      const int32_t e = leftmost_[i].second;
      if (e < 0) throw std::logic_error("contour ring crosses no row");
      const int r = e / w_;
      for (int c = e % w_ - 1; c >= 0; --c) {
        const std::size_t a = index(r, c);
        if (inside_[a] == inside_[a + 1]) continue;
        const int other = -2 - next_[a];
        const bool face_inside = inside_[a + 1] != 0;  // the face between that crossing and ring i
        parent[i] = (area[other] > 0) == face_inside ? other : parent[other];
        break;
      }
    }
    return parent;
  }

 private:
  std::size_t index(int r, int c) const { return static_cast<std::size_t>(r) * w_ + c; }
  int64_t horizontal(int r, int c) const { return static_cast<int64_t>(index(r, c)); }  // (r,c)-(r,c+1)
  int64_t vertical(int r, int c) const {                                                 // (r,c)-(r+1,c)
    return static_cast<int64_t>(w_) * h_ + static_cast<int64_t>(index(r, c));
  }

  // The crossing on an edge, always interpolated from its north-west cell so both squares
  // sharing the edge compute the same point.
  XY point(int64_t edge, double level_s) const {
    const int64_t cells = static_cast<int64_t>(w_) * h_;
    const bool is_vertical = edge >= cells;
    const std::size_t a = static_cast<std::size_t>(is_vertical ? edge - cells : edge);
    const std::size_t b = is_vertical ? a + w_ : a + 1;
    const double fa = seconds_[a], fb = seconds_[b];
    const double t = std::clamp((level_s - fa) / (fb - fa), kContourEdgeMargin, 1.0 - kContourEdgeMargin);
    const int r = static_cast<int>(a / w_) - 1, c = static_cast<int>(a % w_) - 1;  // unpadded
    const double x = grid_.min_x + (c + 0.5 + (is_vertical ? 0.0 : t)) * grid_.cell_m;
    const double y = grid_.max_y - (r + 0.5 + (is_vertical ? t : 0.0)) * grid_.cell_m;
    return {x, y};
  }

  RasterGrid grid_;
  int w_, h_;
  std::vector<float> seconds_;
  std::vector<uint8_t> inside_;
  std::vector<int32_t> next_;  // per edge: the edge the contour goes to from it, -1 none
  std::vector<int32_t> starts_;
  std::vector<std::pair<double, int32_t>> leftmost_;  // per ring: x and edge of its westernmost row crossing
};

Ring pick(const Ring& r, const std::vector<uint32_t>& kept) {
  Ring out;
  out.reserve(kept.size());
  for (uint32_t i : kept) out.push_back(r[i]);
  return out;
}

// Rings whose first point (kept by simplification) lies between a chord of another simplified
// ring and the traced chain it replaced, each with that ring: there the simplified ring would
// hold a ring it did not, or no longer hold one. (A ring between chord and chain lies wholly
// there, once no ring comes near a chord: rings_too_close.)
std::vector<uint32_t> rings_jumped(const std::vector<Ring>& rings, const std::vector<std::vector<uint32_t>>& kept) {
  struct Chord {
    uint32_t ring, from, to;  // traced indices from .. to (to may be n: wraps)
    Box box;
  };
  std::vector<Chord> chords;
  Box all;
  for (uint32_t r = 0; r < rings.size(); ++r) {
    const Ring& ring = rings[r];
    for (XY p : ring) all.add(p);
    const std::vector<uint32_t>& k = kept[r];
    if (k.size() == ring.size()) continue;
    for (std::size_t i = 0; i < k.size(); ++i) {
      const uint32_t from = k[i], to = i + 1 < k.size() ? k[i + 1] : static_cast<uint32_t>(ring.size());
      if (to - from < 2) continue;
      Chord c{r, from, to, {}};
      for (uint32_t m = from; m <= to; ++m) c.box.add(ring[m % ring.size()]);
      chords.push_back(c);
    }
  }
  std::vector<uint32_t> bad;
  if (chords.empty()) return bad;
  const double w = all.x1 - all.x0, h = all.y1 - all.y0;
  const int side = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(chords.size()))));
  const double cw = std::max(w / side, 1e-9), ch = std::max(h / side, 1e-9);
  const int nx = static_cast<int>(w / cw) + 1, ny = static_cast<int>(h / ch) + 1;
  auto cx = [&](double x) { return std::clamp(static_cast<int>((x - all.x0) / cw), 0, nx - 1); };
  auto cy = [&](double y) { return std::clamp(static_cast<int>((y - all.y0) / ch), 0, ny - 1); };
  std::vector<uint32_t> first(static_cast<std::size_t>(nx) * ny + 1, 0), items;
  auto cells = [&](const Box& b, auto&& visit) {
    for (int y = cy(b.y0); y <= cy(b.y1); ++y)
      for (int x = cx(b.x0); x <= cx(b.x1); ++x) visit(static_cast<std::size_t>(y) * nx + x);
  };
  for (const Chord& c : chords) cells(c.box, [&](std::size_t b) { ++first[b + 1]; });
  for (std::size_t b = 1; b < first.size(); ++b) first[b] += first[b - 1];
  items.resize(first.back());
  std::vector<uint32_t> fill(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < chords.size(); ++i) cells(chords[i].box, [&](std::size_t b) { items[fill[b]++] = i; });
  for (uint32_t q = 0; q < rings.size(); ++q) {
    const XY p = rings[q][0];
    const std::size_t b = static_cast<std::size_t>(cy(p.y)) * nx + cx(p.x);
    for (uint32_t k = first[b]; k < first[b + 1]; ++k) {
      const Chord& c = chords[items[k]];
      if (c.ring == q || p.x < c.box.x0 || p.x > c.box.x1 || p.y < c.box.y0 || p.y > c.box.y1) continue;
      const Ring& ring = rings[c.ring];
      bool in = false;  // crossings of the chain from .. to, closed by the chord
      for (uint32_t m = c.from; m <= c.to; ++m) {
        const XY a = ring[m % ring.size()], bb = ring[(m == c.to ? c.from : m + 1) % ring.size()];
        if ((a.y > p.y) != (bb.y > p.y) && p.x < a.x + (p.y - a.y) * (bb.x - a.x) / (bb.y - a.y)) in = !in;
      }
      if (in) bad.push_back(q), bad.push_back(c.ring);
    }
  }
  return bad;
}

std::vector<double> areas_of(const std::vector<Ring>& rings) {
  std::vector<double> a(rings.size());
  for (std::size_t i = 0; i < rings.size(); ++i) a[i] = signed_area(rings[i]);
  return a;
}

}  // namespace

double contour_clearance_m(double cell_m) { return 0.25 * kContourEdgeMargin * cell_m; }

bool rings_keep_clearance(const std::vector<Ring>& rings, double clearance) {
  return rings_too_close(rings, clearance).empty();
}

std::vector<uint32_t> rings_too_close(const std::vector<Ring>& rings, double clearance) {
  std::vector<uint32_t> bad;
  struct Segment {
    uint32_t ring, index;
  };
  std::vector<Segment> segments;
  Box all;
  double length = 0.0;
  for (uint32_t r = 0; r < rings.size(); ++r) {
    const Ring& ring = rings[r];
    if (ring.size() < 3) {
      bad.push_back(r);
      continue;
    }
    for (uint32_t i = 0; i < ring.size(); ++i) {
      segments.push_back({r, i});
      const XY a = ring[i], b = ring[(i + 1) % ring.size()];
      all.add(a);
      length += std::hypot(b.x - a.x, b.y - a.y);
    }
  }
  if (segments.empty()) return bad;
  auto ends = [&](const Segment& s) {
    const Ring& ring = rings[s.ring];
    return std::pair<XY, XY>{ring[s.index], ring[(s.index + 1) % ring.size()]};
  };
  // Buckets of about twice the mean segment, fewer than ~4 per segment.
  double size = std::max(2.0 * length / segments.size(), 4.0 * clearance);
  const double w = all.x1 - all.x0, h = all.y1 - all.y0;
  while ((w / size + 1) * (h / size + 1) > 4.0 * segments.size() + 1024) size *= 2;
  const int nx = static_cast<int>(w / size) + 1, ny = static_cast<int>(h / size) + 1;
  std::vector<uint32_t> first(static_cast<std::size_t>(nx) * ny + 1, 0), items;
  auto span = [&](const Segment& s, auto&& visit) {
    const auto [a, b] = ends(s);
    const int c0 = std::clamp(static_cast<int>((std::min(a.x, b.x) - clearance - all.x0) / size), 0, nx - 1);
    const int c1 = std::clamp(static_cast<int>((std::max(a.x, b.x) + clearance - all.x0) / size), 0, nx - 1);
    const int r0 = std::clamp(static_cast<int>((std::min(a.y, b.y) - clearance - all.y0) / size), 0, ny - 1);
    const int r1 = std::clamp(static_cast<int>((std::max(a.y, b.y) + clearance - all.y0) / size), 0, ny - 1);
    for (int r = r0; r <= r1; ++r)
      for (int c = c0; c <= c1; ++c) visit(static_cast<std::size_t>(r) * nx + c);
  };
  for (const Segment& s : segments) span(s, [&](std::size_t b) { ++first[b + 1]; });
  for (std::size_t b = 1; b < first.size(); ++b) first[b] += first[b - 1];
  items.resize(first.back());
  std::vector<uint32_t> fill(first.begin(), first.end() - 1);
  for (uint32_t k = 0; k < segments.size(); ++k) span(segments[k], [&](std::size_t b) { items[fill[b]++] = k; });
  for (std::size_t b = 0; b + 1 < first.size(); ++b)
    for (uint32_t p = first[b]; p < first[b + 1]; ++p)
      for (uint32_t q = p + 1; q < first[b + 1]; ++q) {
        const Segment& s = segments[items[p]];
        const Segment& t = segments[items[q]];
        const auto [a, bb] = ends(s);
        const auto [c, d] = ends(t);
        if (s.ring == t.ring) {
          const uint32_t n = static_cast<uint32_t>(rings[s.ring].size());
          if ((s.index + 1) % n == t.index) {  // s = a-bb, t = bb-d: no fold at bb
            if (point_segment_distance(d, a, bb) < clearance || point_segment_distance(a, bb, d) < clearance) bad.push_back(s.ring);
            continue;
          }
          if ((t.index + 1) % n == s.index) {  // t = c-a, s = a-bb
            if (point_segment_distance(c, a, bb) < clearance || point_segment_distance(bb, c, a) < clearance) bad.push_back(s.ring);
            continue;
          }
        }
        if (segment_distance(a, bb, c, d) < clearance) bad.push_back(s.ring), bad.push_back(t.ring);
      }
  std::sort(bad.begin(), bad.end());
  bad.erase(std::unique(bad.begin(), bad.end()), bad.end());
  return bad;
}

std::vector<ContourBand> trace_contours(const TimeRaster& raster, const std::vector<double>& minutes,
                                        double simplify_m) {
  std::vector<ContourBand> bands;
  for (double m : minutes) bands.push_back(ContourBand{m, {}, 0.0, false, true, 0});
  if (raster.grid.width < 1 || raster.grid.height < 1) return bands;
  if (simplify_m < 0) simplify_m = raster.grid.cell_m / 2.0;
  const double clearance = contour_clearance_m(raster.grid.cell_m);
  SquareTracer tracer(raster);
  for (ContourBand& band : bands) {
    std::vector<Ring> rings = tracer.rings(band.minutes * 60.0);
    if (rings.empty()) continue;
    std::vector<double> area = areas_of(rings);
    const std::vector<int> parent = tracer.containers(area);
    if (simplify_m > 0) {
      // Each ring simplified on its own; a ring that then comes near another (or itself) or
      // would change what holds what is put back as traced, with the rings it met, until none
      // does. The rings as traced keep their clearance, so this ends.
      std::vector<std::vector<uint32_t>> kept(rings.size());
      std::vector<Ring> simple(rings.size());
      std::vector<double> simple_area(rings.size());
      std::vector<uint8_t> put_back(rings.size(), 0);
      auto as_traced = [&](std::size_t i) {
        put_back[i] = 1;
        kept[i].resize(rings[i].size());
        std::iota(kept[i].begin(), kept[i].end(), 0u);
        simple[i] = rings[i];
        simple_area[i] = area[i];
      };
      for (std::size_t i = 0; i < rings.size(); ++i) {
        kept[i] = simplify_ring(rings[i], simplify_m);
        simple[i] = pick(rings[i], kept[i]);
        simple_area[i] = signed_area(simple[i]);
        if ((simple_area[i] > 0) != (area[i] > 0) || simple_area[i] == 0) as_traced(i);
      }
      for (int round = 0;; ++round) {
        std::vector<uint32_t> bad = rings_too_close(simple, clearance);
        if (bad.empty()) bad = rings_jumped(rings, kept);
        std::size_t reverted = 0;
        for (uint32_t i : bad)
          if (kept[i].size() != rings[i].size()) as_traced(i), ++reverted;
        if (bad.empty()) {
          band.simplified = true;
          break;
        }
        if (reverted == 0 || round == 16) {  // not expected: every ring as traced
          for (std::size_t i = 0; i < rings.size(); ++i) as_traced(i);
          break;
        }
      }
      for (uint8_t b : put_back) band.rings_as_traced += b;
      if (band.simplified) {
        rings = std::move(simple);
        area = std::move(simple_area);
      }
    }
    band.keeps_clearance = band.simplified || rings_keep_clearance(rings, clearance);
    std::vector<int> polygon_of(rings.size(), -1);
    for (std::size_t i = 0; i < rings.size(); ++i)
      if (area[i] > 0) {
        polygon_of[i] = static_cast<int>(band.polygons.size());
        band.polygons.push_back(ContourPolygon{rings[i], {}});
      }
    for (std::size_t i = 0; i < rings.size(); ++i) {
      band.area_m2 += area[i];
      if (area[i] < 0) {
        // A hole's smallest container is the outer ring of its polygon (the region just
        // outside a hole is inside the band).
        if (parent[i] < 0 || polygon_of[parent[i]] < 0) throw std::logic_error("contour hole outside every polygon");
        band.polygons[polygon_of[parent[i]]].holes.push_back(std::move(rings[i]));
      }
    }
  }
  return bands;
}

}  // namespace legalcircle
