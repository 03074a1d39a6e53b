#include "legalcircle/snap/snap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "legalcircle/core/release.hpp"


namespace legalcircle {

namespace {
// Closest point of segment ab to p, all in projected metres; returns fraction along ab.
double closest_fraction(XY a, XY b, XY p) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  if (len2 <= 0.0) return 0.0;
  return std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
}
}  // namespace

// A uniform grid over the projected segments (CSR: the segments whose bounding box touches each
// cell). A query scans rings of cells around the point until no unscanned cell can hold a nearer
// segment: exact, like the R-tree it replaced, at a fraction of its cost for the millions of
// raster cells a province's circles snap.
struct SegmentIndex::Impl {
  const RoadGraph* graph = nullptr;
  std::vector<uint32_t> segments;     // the indexed segments (the mode's), ascending
  double x0 = 0, y0 = 0, cell = 100;  // grid origin and cell size, metres
  int nx = 0, ny = 0;
  std::vector<uint32_t> first;        // per cell: offset into members (size nx * ny + 1)
  std::vector<uint32_t> members;      // segment ids, ascending within a cell

  XY a(uint32_t s) const { return graph->projection.forward(graph->coord[graph->seg_a[s]]); }
  XY b(uint32_t s) const { return graph->projection.forward(graph->coord[graph->seg_b[s]]); }
  int cx(double x) const { return std::clamp(int(std::floor((x - x0) / cell)), 0, nx - 1); }
  int cy(double y) const { return std::clamp(int(std::floor((y - y0) / cell)), 0, ny - 1); }
};

SegmentIndex::SegmentIndex(const RoadGraph& graph, Mode mode) : impl_(std::make_unique<Impl>()) {
  Impl& g = *impl_;
  g.graph = &graph;
  const ModeWeights& w = graph.weights(mode);
  if (!w.present) return;
  const float inf = std::numeric_limits<float>::infinity();
  for (uint32_t s = 0; s < graph.segment_count(); ++s)
    if (w.seg_time_ab[s] < inf || w.seg_time_ba[s] < inf) g.segments.push_back(s);
  if (g.segments.empty()) return;
  // Every node projected once (a segment's ends would be projected three times each).
  std::vector<XY> xy(graph.node_count());
  for (uint32_t v = 0; v < graph.node_count(); ++v) xy[v] = graph.projection.forward(graph.coord[v]);
  double x1 = -kInf, y1 = -kInf;
  g.x0 = g.y0 = kInf;
  for (uint32_t s : g.segments)
    for (const uint32_t v : {graph.seg_a[s], graph.seg_b[s]}) {
      g.x0 = std::min(g.x0, xy[v].x), g.y0 = std::min(g.y0, xy[v].y);
      x1 = std::max(x1, xy[v].x), y1 = std::max(y1, xy[v].y);
    }
  // About two segments per cell on average; never more cells than four per segment.
  const double area = std::max(1.0, (x1 - g.x0) * (y1 - g.y0));
  g.cell = std::clamp(std::sqrt(area / double(g.segments.size())) * 1.5, 10.0, 5000.0);
  for (;;) {
    g.nx = int((x1 - g.x0) / g.cell) + 1;
    g.ny = int((y1 - g.y0) / g.cell) + 1;
    if (double(g.nx) * g.ny <= 4.0 * double(g.segments.size()) + 1024) break;
    g.cell *= 1.5;
  }
  // Each segment's box of cells, found once for the count and the fill.
  struct CellBox {
    int ix0, ix1, iy0, iy1;
  };
  std::vector<CellBox> boxes(g.segments.size());
  for (std::size_t i = 0; i < g.segments.size(); ++i) {
    const XY p = xy[graph.seg_a[g.segments[i]]], q = xy[graph.seg_b[g.segments[i]]];
    boxes[i] = {g.cx(std::min(p.x, q.x)), g.cx(std::max(p.x, q.x)), g.cy(std::min(p.y, q.y)), g.cy(std::max(p.y, q.y))};
  }
  release(xy);
  auto cells_of = [&](const CellBox& b, auto&& visit) {
    for (int iy = b.iy0; iy <= b.iy1; ++iy)
      for (int ix = b.ix0; ix <= b.ix1; ++ix) visit(std::size_t(iy) * std::size_t(g.nx) + std::size_t(ix));
  };
  g.first.assign(std::size_t(g.nx) * std::size_t(g.ny) + 1, 0);
  for (const CellBox& b : boxes) cells_of(b, [&](std::size_t c) { ++g.first[c + 1]; });
  for (std::size_t c = 1; c < g.first.size(); ++c) g.first[c] += g.first[c - 1];
  g.members.resize(g.first.back());
  std::vector<uint32_t> fill(g.first.begin(), g.first.end() - 1);
  for (std::size_t i = 0; i < boxes.size(); ++i)
    cells_of(boxes[i], [&](std::size_t c) { g.members[fill[c]++] = g.segments[i]; });
}

SegmentIndex::~SegmentIndex() = default;
SegmentIndex::SegmentIndex(SegmentIndex&&) noexcept = default;
SegmentIndex& SegmentIndex::operator=(SegmentIndex&&) noexcept = default;
std::size_t SegmentIndex::size() const { return impl_->segments.size(); }

SnappedPoint SegmentIndex::snap(LonLat p, double max_snap_m) const { return nearest(p, max_snap_m, false); }
SnappedPoint SegmentIndex::snap_within(LonLat p, double max_snap_m) const { return nearest(p, max_snap_m, true); }

SnappedPoint SegmentIndex::nearest(LonLat p, double max_snap_m, bool bounded) const {
  SnappedPoint best;
  const Impl& g = *impl_;
  if (g.segments.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) return best;
  const XY q = g.graph->projection.forward(p);
  double best_d = kInf;
  XY best_c{};
  auto consider = [&](uint32_t s) {
    const XY a = g.a(s), b = g.b(s);
    const double f = closest_fraction(a, b, q);
    const XY c{a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)};
    const double ex = q.x - c.x, ey = q.y - c.y;
    const double d = std::sqrt(ex * ex + ey * ey);  // not std::hypot: 12 % of a province run
    if (d < best_d || (d == best_d && s < best.segment)) {
      best_d = d;
      best.segment = s;
      best.fraction = f;
      best_c = c;
    }
  };
  // Rings of cells around q's cell (q clamped into the grid: that only brings cells nearer). A
  // cell k rings out is at least (k - 1) cells away; stop once that exceeds the best distance
  // (equal distances are still scanned, so ties go to the lower segment id), or, bounded, the
  // snap limit: a point within it is found all the same.
  const double stop_m = bounded ? max_snap_m : kInf;
  const int cx = g.cx(q.x), cy = g.cy(q.y);
  constexpr int kMaxRings = 48;
  const int rings = std::max(g.nx, g.ny);
  int k = 0;
  for (; k <= rings && k <= kMaxRings; ++k) {
    if ((k - 1) * g.cell > std::min(best_d, stop_m)) break;
    for (int iy = cy - k; iy <= cy + k; ++iy) {
      if (iy < 0 || iy >= g.ny) continue;
      const bool edge_row = iy == cy - k || iy == cy + k;
      const double cell_y0 = g.y0 + iy * g.cell;
      const double dy = std::max({0.0, cell_y0 - q.y, q.y - (cell_y0 + g.cell)});
      for (int ix = cx - k; ix <= cx + k; ix += (edge_row || k == 0) ? 1 : 2 * k) {
        if (ix < 0 || ix >= g.nx) continue;
        // A segment's nearest point to q lies in a cell it is listed in, no farther than the
        // segment: a cell whose box is farther than the best so far holds nothing better (1 µm
        // of slack for the cell arithmetic; equal distances are still scanned).
        const double cell_x0 = g.x0 + ix * g.cell;
        const double dx = std::max({0.0, cell_x0 - q.x, q.x - (cell_x0 + g.cell)});
        if (k > 0 && std::sqrt(dx * dx + dy * dy) > std::min(best_d, stop_m) + 1e-6) continue;
        const std::size_t c = std::size_t(iy) * std::size_t(g.nx) + std::size_t(ix);
        for (uint32_t m = g.first[c]; m < g.first[c + 1]; ++m) consider(g.members[m]);
      }
    }
  }
  // Far from every road (a lake, a point in the wrong CRS): the rings would grow without end;
  // every segment once instead.
  if (k > kMaxRings && k <= rings && (k - 1) * g.cell <= std::min(best_d, stop_m))
    for (uint32_t s : g.segments) consider(s);
  best.snapped = g.graph->projection.inverse(best_c);
  best.offset_m = best_d;
  if (best_d > max_snap_m) best.segment = kInvalidId;  // strictly farther: unreachable
  return best;
}

}  // namespace legalcircle
