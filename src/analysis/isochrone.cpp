#include "legalcircle/analysis/isochrone.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

namespace legalcircle {

double default_cell_m(Mode mode) {
  switch (mode) {
    case Mode::walk: return 50.0;
    case Mode::ebike: return 100.0;
    case Mode::car: return 100.0;
  }
  return 100.0;
}

namespace {

// Runs body(row) for every row on `threads` threads.
template <class Body>
void parallel_rows(int rows, unsigned threads, Body body) {
  std::atomic<int> next{0};
  auto work = [&] {
    for (int row = next++; row < rows; row = next++) body(row);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace

SnapGrid snap_grid(const RoadGraph& g, const SegmentIndex& index, double max_snap_m, double cell_m,
                   unsigned threads) {
  SnapGrid out;
  RasterGrid& grid = out.grid;
  grid.projection = g.projection;
  grid.cell_m = cell_m;
  if (g.node_count() == 0) return out;
  double min_x = kInf, min_y = kInf, max_x = -kInf, max_y = -kInf;
  for (const LonLat& c : g.coord) {
    const XY p = g.projection.forward(c);
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  const double margin = max_snap_m + 2.0 * cell_m;
  grid.min_x = std::floor((min_x - margin) / cell_m) * cell_m;
  grid.max_y = std::ceil((max_y + margin) / cell_m) * cell_m;
  grid.width = static_cast<int>(std::ceil((max_x + margin - grid.min_x) / cell_m));
  grid.height = static_cast<int>(std::ceil((grid.max_y - (min_y - margin)) / cell_m));
  out.snaps.resize(static_cast<std::size_t>(grid.width) * grid.height);
  parallel_rows(grid.height, threads, [&](int row) {
    for (int col = 0; col < grid.width; ++col)
      out.snaps[static_cast<std::size_t>(row) * grid.width + col] =
          index.snap(g.projection.inverse(grid.cell_center(col, row)), max_snap_m);
  });
  return out;
}

TimeRaster time_raster(const RoadGraph& g, const TravelTimeField& field, const CoverageRequest& request,
                       double max_s, double cell_m, unsigned threads, const SnapGrid* snaps) {
  TimeRaster raster;
  RasterGrid& grid = raster.grid;
  grid.projection = g.projection;
  grid.cell_m = cell_m;

  // Extent: every segment touching a node reached within max_s (a cell may snap anywhere along
  // it), and the services, widened by the longest access leg that still fits.
  const double access_mps = request.access_leg_kmh / 3.6;
  double min_x = kInf, min_y = kInf, max_x = -kInf, max_y = -kInf;
  auto include = [&](XY p) {
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  };
  const MultiSourceSearch& search = field.search();
  auto for_each_reached_segment = [&](auto&& visit) {  // (segment, earliest end time)
    for (uint32_t v : search.settled_nodes())
      for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) visit(g.arc_segment[a], search.time(v));
  };
  for_each_reached_segment([&](uint32_t s, double t) {
    if (t > max_s) return;
    include(g.projection.forward(g.coord[g.seg_a[s]]));
    include(g.projection.forward(g.coord[g.seg_b[s]]));
  });
  for (const AttachedPoint& s : field.services())
    if (s.snap.ok()) include(g.projection.forward(s.snap.snapped));
  if (!(min_x <= max_x)) return raster;  // nothing reachable: empty raster
  const double margin = std::min(request.max_snap_m, max_s * access_mps) + 2.0 * cell_m;
  // Snap the extent to the cell grid anchored at the projection origin, so rasters of
  // different services line up.
  grid.min_x = std::floor((min_x - margin) / cell_m) * cell_m;
  grid.max_y = std::ceil((max_y + margin) / cell_m) * cell_m;
  grid.width = static_cast<int>(std::ceil((max_x + margin - grid.min_x) / cell_m));
  grid.height = static_cast<int>(std::ceil((grid.max_y - (min_y - margin)) / cell_m));
  raster.seconds.assign(static_cast<std::size_t>(grid.width) * grid.height,
                        std::numeric_limits<float>::infinity());

  // Blocks of kBlock x kBlock cells that may hold a cell within the search limit: a cell at
  // time <= limit snaps onto a reached segment (or a service's) within the access leg that the
  // remaining time allows. Only those blocks are evaluated; the rest stay unreachable.
  constexpr int kBlock = 8;
  const int bw = (grid.width + kBlock - 1) / kBlock, bh = (grid.height + kBlock - 1) / kBlock;
  std::vector<uint8_t> live(static_cast<std::size_t>(bw) * bh, 0);
  auto mark = [&](XY a, XY b, double slack_s) {
    const double r = std::min(request.max_snap_m, std::max(0.0, slack_s) * access_mps) + cell_m;
    const int c0 = std::max(0, static_cast<int>((std::min(a.x, b.x) - r - grid.min_x) / cell_m) / kBlock);
    const int c1 = std::min(bw - 1, static_cast<int>((std::max(a.x, b.x) + r - grid.min_x) / cell_m) / kBlock);
    const int r0 = std::max(0, static_cast<int>((grid.max_y - std::max(a.y, b.y) - r) / cell_m) / kBlock);
    const int r1 = std::min(bh - 1, static_cast<int>((grid.max_y - std::min(a.y, b.y) + r) / cell_m) / kBlock);
    for (int br = r0; br <= r1; ++br)
      for (int bc = c0; bc <= c1; ++bc) live[static_cast<std::size_t>(br) * bw + bc] = 1;
  };
  const double limit_s = std::isfinite(request.limit_s) ? request.limit_s : max_s;
  for_each_reached_segment([&](uint32_t s, double t) {
    mark(g.projection.forward(g.coord[g.seg_a[s]]), g.projection.forward(g.coord[g.seg_b[s]]), limit_s - t);
  });
  for (const AttachedPoint& s : field.services())
    if (s.snap.ok()) {
      const XY p = g.projection.forward(s.snap.snapped);
      mark(p, p, limit_s - s.access_s);
    }

  // Offset of this raster inside the snap grid (both are anchored at the projection origin).
  int dc = 0, dr = 0;
  if (snaps) {
    if (snaps->grid.cell_m != cell_m) throw std::invalid_argument("snap grid of another cell size");
    dc = static_cast<int>(std::lround((grid.min_x - snaps->grid.min_x) / cell_m));
    dr = static_cast<int>(std::lround((snaps->grid.max_y - grid.max_y) / cell_m));
  }
  parallel_rows(grid.height, threads, [&](int row) {
    if (row == 0 || row == grid.height - 1) return;  // border stays unreachable
    for (int col = 1; col + 1 < grid.width; ++col) {
      if (!live[static_cast<std::size_t>(row / kBlock) * bw + col / kBlock]) continue;
      UnitResult u;
      if (snaps) {
        const int sc = col + dc, sr = row + dr;
        if (sc < 0 || sr < 0 || sc >= snaps->grid.width || sr >= snaps->grid.height) continue;
        u = field.evaluate_snapped(snaps->snaps[static_cast<std::size_t>(sr) * snaps->grid.width + sc]);
      } else {
        u = field.evaluate(g.projection.inverse(grid.cell_center(col, row)));
      }
      if (u.seconds < kInf)  // times past max_s too: they place the boundary between cells
        raster.seconds[static_cast<std::size_t>(row) * grid.width + col] = static_cast<float>(u.seconds);
    }
  });
  return raster;
}

}  // namespace legalcircle
