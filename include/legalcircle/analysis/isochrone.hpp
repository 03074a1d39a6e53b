#pragma once
// The time raster behind isochrones (DESIGN.md "Isochrones"): a grid in a local metric
// projection whose every cell centre is snapped and timed exactly like a demand point, so a
// village inside the T-minute polygon is covered and one outside is not, up to one cell.
#include <vector>

#include "legalcircle/analysis/coverage.hpp"

namespace legalcircle {

struct RasterGrid {
  LocalProjection projection;  // metric frame: x east, y north, metres
  double cell_m = 50.0;
  double min_x = 0.0;  // west edge of the raster
  double max_y = 0.0;  // north edge of the raster
  int width = 0;
  int height = 0;
  XY cell_center(int col, int row) const {
    return {min_x + (col + 0.5) * cell_m, max_y - (row + 0.5) * cell_m};
  }
};

struct TimeRaster {
  RasterGrid grid;
  std::vector<float> seconds;  // row-major from the north-west cell; +inf: not reachable
};

// Most cells one raster may hold (4 bytes each): beyond it a run would end in bad_alloc after
// the searches. 250 million cells is 1 GB.
inline constexpr double kMaxRasterCells = 2.5e8;
// Throws ConfigError when a raster over the network's extent at cell_m could exceed
// kMaxRasterCells, naming `what` (the option or key) and the smallest cell that fits. Cheap: one
// pass over the nodes, done before any search.
void check_raster_size(const RoadGraph& g, double cell_m, const std::string& what);

// Default cell size per mode: 50 m walk, 100 m ebike, 100 m car (see docs/semantics.md for
// why car is finer than DESIGN.md's 200 m).
double default_cell_m(Mode mode);

// The search bound for isochrones up to max_s: a little past the last band (two cells' walk), so
// cells just outside it carry real times and contours fall between cells.
inline double isochrone_search_limit_s(double max_s, double cell_m, double access_leg_kmh) {
  return max_s + 2.0 * cell_m / (access_leg_kmh / 3.6);
}

// The snaps of the cells a field (the union of all services) may reach within max_s. Snapping
// does not depend on the services, and a single service never reaches a cell the union does not,
// so every per-service raster of a mode can read its snaps from the union's grid: each cell then
// costs a few label lookups instead of an R-tree query. Cells out of reach hold no snap.
struct SnapGrid {
  // What evaluating a cell reads of its snap (the snapped position is not kept: 24 bytes a
  // cell instead of 40, for grids of tens of millions of cells).
  struct Cell {
    uint32_t segment = kInvalidId;
    double fraction = 0.0;
    double offset_m = kInf;
  };
  static Cell cell_of(const SnappedPoint& s) { return {s.segment, s.fraction, s.offset_m}; }
  SnappedPoint snap(std::size_t i) const {
    SnappedPoint s;
    s.segment = snaps[i].segment;
    s.fraction = snaps[i].fraction;
    s.offset_m = snaps[i].offset_m;
    return s;
  }
  RasterGrid grid;
  std::vector<Cell> snaps;  // row-major like TimeRaster
  int blocks_wide = 0;              // blocks of 8 x 8 cells whose snaps were computed
  std::vector<uint8_t> live;
  // Whether the grid holds the snap of this cell (else: out of the reach it was built for).
  bool has(int col, int row) const {
    return col > 0 && row > 0 && col < grid.width - 1 && row < grid.height - 1 &&
           live[static_cast<std::size_t>(row / 8) * blocks_wide + col / 8] != 0;
  }
};
SnapGrid snap_grid(const RoadGraph& g, const SegmentIndex& index, const TravelTimeField& field,
                   const CoverageRequest& request, double max_s, double cell_m, unsigned threads = 1);

// Times of every cell over the extent reachable within max_s (nodes the field's search settled
// within max_s and the services themselves, widened by the longest access leg that still fits),
// with a border of unreachable cells so traced polygons close inside the raster.
// `field` must have been seeded with request.limit_s >= max_s. Rows run on `threads` threads.
// With `snaps` (built for the same cell size) cells read their snap from it, and cells it does
// not hold are snapped here: the same raster either way, faster the more of it the grid holds.
TimeRaster time_raster(const RoadGraph& g, const TravelTimeField& field, const CoverageRequest& request,
                       double max_s, double cell_m, unsigned threads = 1,
                       const SnapGrid* snaps = nullptr);
// The same raster for the field `snaps` was built from (same field, request, max_s and cell
// size): the grid's window is the raster's, so the reach is not walked a second time.
TimeRaster time_raster_of_snap_grid(const RoadGraph& g, const TravelTimeField& field, const SnapGrid& snaps,
                                    unsigned threads = 1);

}  // namespace legalcircle
