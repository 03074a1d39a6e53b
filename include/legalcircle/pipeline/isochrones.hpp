#pragma once
// Circles and per-service isochrones of a World (DESIGN.md "Isochrones"): the time raster of a
// set of services, traced into one polygon per band.
#include <vector>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/core/observer.hpp"
#include "legalcircle/io/trace_polygons.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

struct CircleSpec {
  Mode mode = Mode::walk;
  std::vector<double> bands_minutes = {5, 10, 15};  // ascending
  double cell_m = 50;
  double simplify_m = -1;  // < 0: half a cell
  unsigned threads = 1;
};

struct Circle {
  TimeRaster raster;
  std::vector<BandPolygon> bands;
  std::vector<uint32_t> unsnapped_services;  // indices into the services given
};

// The union circle of `services`. With `snaps`, the raster's cells read their snaps from it.
Circle union_circle(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services,
                    const SnapGrid* snaps = nullptr);

// The snaps of the cells the union of `services` may reach (shared by per-service isochrones).
SnapGrid circle_snap_grid(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services);

// Both of the above for the same services and spec from one search: the grid's window is the
// circle's raster window, so the reach is searched and walked once. Equal to circle_snap_grid
// and union_circle(..., &snaps).
struct SnappedCircle {
  SnapGrid snaps;
  Circle circle;
};
SnappedCircle circle_and_snap_grid(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services);

// One set of band polygons per service (empty for a service that cannot snap), in parallel,
// each cell reading its snap from `snaps` (circle_snap_grid of the same services and spec).
std::vector<std::vector<BandPolygon>> per_service_isochrones(const World& world, const CircleSpec& spec,
                                                             const std::vector<LonLat>& services,
                                                             const SnapGrid& snaps);

// `legalcircle isochrones`: per mode the union circle of every service and, optionally, each
// service's own bands (sharing the union's snap grid).
struct ModeIsochrones {
  CircleSpec spec;
  Circle circle;
  std::vector<std::vector<BandPolygon>> per_service;  // empty without per_service
  double circle_s = 0, per_service_s = 0;
};
// cell_m <= 0: default_cell_m(mode). A service that cannot snap is a warning (no isochrone).
std::vector<ModeIsochrones> isochrones_by_mode(const World& world, const std::vector<Mode>& modes,
                                               const std::vector<double>& bands_minutes, double cell_m,
                                               double simplify_m, bool per_service, unsigned threads,
                                               Observer& observer);

// The same on a bare graph: `request` bounded by isochrone_search_limit_s of the last band.
std::vector<std::vector<BandPolygon>> per_service_isochrones(const RoadGraph& g, const SegmentIndex& index,
                                                             const CoverageRequest& request, const CircleSpec& spec,
                                                             const std::vector<LonLat>& services,
                                                             const SnapGrid& snaps);

}  // namespace legalcircle
