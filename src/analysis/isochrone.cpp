#include "legalcircle/analysis/isochrone.hpp"

#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

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

constexpr int kBlock = 8;  // cells per side of a block of the live mask

// Runs body(row) for every row on `threads` threads.
template <class Body>
void parallel_rows(int rows, unsigned threads, Body body) {
  parallel_for(static_cast<std::size_t>(rows), threads, [] { return 0; },
               [&](int, std::size_t row) { body(static_cast<int>(row)); });
}

// The raster window a field can reach within max_s, and which blocks of it may hold a cell
// within the search limit.
struct ReachWindow {
  RasterGrid grid;
  int blocks_wide = 0, blocks_high = 0;
  std::vector<uint8_t> live;  // per block
  bool live_cell(int col, int row) const {
    return live[static_cast<std::size_t>(row / kBlock) * blocks_wide + col / kBlock] != 0;
  }
};

ReachWindow reach_window(const RoadGraph& g, const TravelTimeField& field, const CoverageRequest& request,
                         double max_s, double cell_m) {
  ReachWindow w;
  RasterGrid& grid = w.grid;
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
  // Each segment at a reached node v, as (v's end, the other end, the arc, v's time):
  // v projected once, the other end read through the arc's head (fewer scattered reads than
  // through the segment's ends).
  auto for_each_reached_segment = [&](auto&& visit) {
    for (uint32_t v : search.settled_nodes()) {
      const XY pv = g.projection.forward(g.coord[v]);
      const double t = search.time(v);
      for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a)
        visit(pv, g.projection.forward(g.coord[g.arc_head[a]]), a, t);
    }
  };
  for_each_reached_segment([&](XY pv, XY pu, uint32_t, double t) {
    if (t > max_s) return;
    include(pv);
    include(pu);
  });
  for (const AttachedPoint& s : field.services())
    if (s.snap.ok()) include(g.projection.forward(s.snap.snapped));
  if (!(min_x <= max_x)) return w;  // nothing reachable: empty window
  const double margin = std::min(request.max_snap_m, max_s * access_mps) + 2.0 * cell_m;
  // Anchor the window on the cell grid of the projection origin, so windows of different
  // fields (union circle, each service) line up cell for cell.
  grid.min_x = std::floor((min_x - margin) / cell_m) * cell_m;
  grid.max_y = std::ceil((max_y + margin) / cell_m) * cell_m;
  grid.width = static_cast<int>(std::ceil((max_x + margin - grid.min_x) / cell_m));
  grid.height = static_cast<int>(std::ceil((grid.max_y - (min_y - margin)) / cell_m));

  // A cell at time <= limit snaps onto a reached segment (or a service's) within the access leg
  // the remaining time allows: only blocks near those can hold one. Each segment asks for that
  // reach plus its own length around the block of one of its ends (a superset of its own box
  // widened by the reach); the blocks are then widened once each, not once per segment.
  w.blocks_wide = (grid.width + kBlock - 1) / kBlock;
  w.blocks_high = (grid.height + kBlock - 1) / kBlock;
  w.live.assign(static_cast<std::size_t>(w.blocks_wide) * w.blocks_high, 0);
  std::vector<float> need(w.live.size(), -1.0f);  // metres around the block that may be live
  const double block_m = kBlock * cell_m;
  auto block_of = [&](XY p) {
    const int bc = std::clamp(static_cast<int>((p.x - grid.min_x) / block_m), 0, w.blocks_wide - 1);
    const int br = std::clamp(static_cast<int>((grid.max_y - p.y) / block_m), 0, w.blocks_high - 1);
    return static_cast<std::size_t>(br) * w.blocks_wide + bc;
  };
  auto ask = [&](XY p, double radius_m) {
    float& n = need[block_of(p)];
    n = std::max(n, static_cast<float>(radius_m) + 1.0f);  // + 1 m: float rounding stays outside
  };
  const double limit_s = std::isfinite(request.limit_s) ? request.limit_s : max_s;
  auto reach_m = [&](double slack_s) { return std::min(request.max_snap_m, std::max(0.0, slack_s) * access_mps) + cell_m; };
  for_each_reached_segment([&](XY pv, XY pu, uint32_t arc, double t) {
    const XY a = g.arc_head[arc] == g.seg_b[g.arc_segment[arc]] ? pv : pu;  // the seg_a end asks, as ever
    ask(a, reach_m(limit_s - t) + std::max(std::abs(pv.x - pu.x), std::abs(pv.y - pu.y)));
  });
  for (const AttachedPoint& s : field.services())
    if (s.snap.ok()) ask(g.projection.forward(s.snap.snapped), reach_m(limit_s - s.access_s));
  for (int br = 0; br < w.blocks_high; ++br)
    for (int bc = 0; bc < w.blocks_wide; ++bc) {
      const float n = need[static_cast<std::size_t>(br) * w.blocks_wide + bc];
      if (n < 0) continue;
      const int reach = static_cast<int>(std::ceil(n / block_m));
      for (int r = std::max(0, br - reach); r <= std::min(w.blocks_high - 1, br + reach); ++r)
        std::fill_n(w.live.begin() + static_cast<std::ptrdiff_t>(r) * w.blocks_wide + std::max(0, bc - reach),
                    std::min(w.blocks_wide - 1, bc + reach) - std::max(0, bc - reach) + 1, uint8_t{1});
    }
  return w;
}

bool is_border(const RasterGrid& grid, int col, int row) {
  return row == 0 || col == 0 || row == grid.height - 1 || col == grid.width - 1;
}

}  // namespace

SnapGrid snap_grid(const RoadGraph& g, const SegmentIndex& index, const TravelTimeField& field,
                   const CoverageRequest& request, double max_s, double cell_m, unsigned threads) {
  const ReachWindow w = reach_window(g, field, request, max_s, cell_m);
  SnapGrid out;
  out.grid = w.grid;
  out.blocks_wide = w.blocks_wide;
  out.live = w.live;
  static_assert(kBlock == 8, "SnapGrid::has assumes blocks of 8 cells");
  out.snaps.resize(static_cast<std::size_t>(w.grid.width) * w.grid.height);
  parallel_rows(w.grid.height, threads, [&](int row) {
    for (int col = 0; col < w.grid.width; ++col)
      if (!is_border(w.grid, col, row) && w.live_cell(col, row))
        out.snaps[static_cast<std::size_t>(row) * w.grid.width + col] = SnapGrid::cell_of(
            index.snap_within(g.projection.inverse(w.grid.cell_center(col, row)), request.max_snap_m));
  });
  return out;
}

namespace {

// The raster over `grid`, timing the cells of live blocks (blocks of kBlock cells,
// `blocks_wide` to a row).
TimeRaster raster_of(const RoadGraph& g, const TravelTimeField& field, const RasterGrid& window,
                     const std::vector<uint8_t>& live, int blocks_wide, unsigned threads, const SnapGrid* snaps) {
  TimeRaster raster;
  raster.grid = window;
  const RasterGrid& grid = raster.grid;
  raster.seconds.assign(static_cast<std::size_t>(grid.width) * grid.height,
                        std::numeric_limits<float>::infinity());
  // Offset of this raster inside the snap grid (both anchored at the projection origin).
  int dc = 0, dr = 0;
  if (snaps) {
    if (snaps->grid.cell_m != grid.cell_m) throw std::invalid_argument("snap grid of another cell size");
    dc = static_cast<int>(std::lround((grid.min_x - snaps->grid.min_x) / grid.cell_m));
    dr = static_cast<int>(std::lround((snaps->grid.max_y - grid.max_y) / grid.cell_m));
  }
  parallel_rows(grid.height, threads, [&](int row) {
    for (int col = 0; col < grid.width; ++col) {
      // The border stays unreachable so traced polygons close inside the raster.
      if (is_border(grid, col, row) || !live[static_cast<std::size_t>(row / kBlock) * blocks_wide + col / kBlock]) continue;
      UnitResult u;
      const int sc = col + dc, sr = row + dr;
      if (snaps && snaps->has(sc, sr)) {
        u = field.evaluate_snapped(snaps->snap(static_cast<std::size_t>(sr) * snaps->grid.width + sc));
      } else {
        u = field.evaluate_cell(g.projection.inverse(grid.cell_center(col, row)));
      }
      if (u.seconds < kInf)  // times past max_s too: they place the boundary between cells
        raster.seconds[static_cast<std::size_t>(row) * grid.width + col] = static_cast<float>(u.seconds);
    }
  });
  return raster;
}

}  // namespace

TimeRaster time_raster(const RoadGraph& g, const TravelTimeField& field, const CoverageRequest& request,
                       double max_s, double cell_m, unsigned threads, const SnapGrid* snaps) {
  const ReachWindow w = reach_window(g, field, request, max_s, cell_m);
  return raster_of(g, field, w.grid, w.live, w.blocks_wide, threads, snaps);
}

TimeRaster time_raster_of_snap_grid(const RoadGraph& g, const TravelTimeField& field, const SnapGrid& snaps,
                                    unsigned threads) {
  return raster_of(g, field, snaps.grid, snaps.live, snaps.blocks_wide, threads, &snaps);
}

void check_raster_size(const RoadGraph& g, double cell_m, const std::string& what) {
  if (g.coord.empty()) return;
  double min_x = 1e300, min_y = 1e300, max_x = -1e300, max_y = -1e300;
  for (const LonLat& c : g.coord) {
    const XY p = g.projection.forward(c);
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  // The window adds a margin of at most the longest access leg (a few km) on each side.
  const double w = max_x - min_x + 10000.0, h = max_y - min_y + 10000.0;
  const double cells = (w / cell_m) * (h / cell_m);
  if (cells > kMaxRasterCells) {
    const double smallest = std::ceil(std::sqrt(w * h / kMaxRasterCells));
    throw ConfigError(what + " " + std::to_string(static_cast<long long>(cell_m)) + " m: a raster over this network (" +
                      std::to_string(static_cast<long long>(w / 1000)) + " x " + std::to_string(static_cast<long long>(h / 1000)) +
                      " km) could need " + std::to_string(static_cast<long long>(cells / 1e6)) +
                      " million cells, more than " + std::to_string(static_cast<long long>(kMaxRasterCells / 1e6)) +
                      " million; use cells of at least " + std::to_string(static_cast<long long>(smallest)) + " m");
  }
}

}  // namespace legalcircle
