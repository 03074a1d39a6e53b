#include "legalcircle/pipeline/isochrones.hpp"

#include <cstdio>

#include "legalcircle/core/parallel.hpp"

namespace legalcircle {
namespace {

CoverageRequest circle_request(const World& world, const CircleSpec& spec) {
  CoverageRequest req = world.request(spec.mode);
  // A little past the last band, so cells just outside it carry real times and contours fall
  // between cells.
  req.limit_s = isochrone_search_limit_s(spec.bands_minutes.back() * 60.0, spec.cell_m, req.access_leg_kmh);
  return req;
}

}  // namespace

Circle union_circle(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services,
                    const SnapGrid* snaps) {
  const CoverageRequest req = circle_request(world, spec);
  TravelTimeField field(world.graph(), world.index(spec.mode), req);
  field.set_services(services);
  Circle c;
  c.raster = time_raster(world.graph(), field, req, spec.bands_minutes.back() * 60.0, spec.cell_m, spec.threads, snaps);
  c.bands = trace_bands(c.raster, spec.bands_minutes, spec.simplify_m);
  c.unsnapped_services = field.unsnapped_services();
  return c;
}

SnapGrid circle_snap_grid(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services) {
  const CoverageRequest req = circle_request(world, spec);
  TravelTimeField field(world.graph(), world.index(spec.mode), req);
  field.set_services(services);
  return snap_grid(world.graph(), world.index(spec.mode), field, req, spec.bands_minutes.back() * 60.0, spec.cell_m,
                   spec.threads);
}

SnappedCircle circle_and_snap_grid(const World& world, const CircleSpec& spec, const std::vector<LonLat>& services) {
  const CoverageRequest req = circle_request(world, spec);
  TravelTimeField field(world.graph(), world.index(spec.mode), req);
  field.set_services(services);
  SnappedCircle out;
  out.snaps = snap_grid(world.graph(), world.index(spec.mode), field, req, spec.bands_minutes.back() * 60.0, spec.cell_m,
                        spec.threads);
  out.circle.raster = time_raster_of_snap_grid(world.graph(), field, out.snaps, spec.threads);
  out.circle.bands = trace_bands(out.circle.raster, spec.bands_minutes, spec.simplify_m);
  out.circle.unsnapped_services = field.unsnapped_services();
  return out;
}

std::vector<std::vector<BandPolygon>> per_service_isochrones(const World& world, const CircleSpec& spec,
                                                             const std::vector<LonLat>& services,
                                                             const SnapGrid& snaps) {
  return per_service_isochrones(world.graph(), world.index(spec.mode), circle_request(world, spec), spec, services,
                                snaps);
}

std::vector<std::vector<BandPolygon>> per_service_isochrones(const RoadGraph& g, const SegmentIndex& index,
                                                             const CoverageRequest& req, const CircleSpec& spec,
                                                             const std::vector<LonLat>& services,
                                                             const SnapGrid& snaps) {
  const double max_s = spec.bands_minutes.back() * 60.0;
  std::vector<std::vector<BandPolygon>> results(services.size());
  parallel_for(
      services.size(), spec.threads, [&] { return TravelTimeField(g, index, req); },
      [&](TravelTimeField& own, std::size_t i) {  // node arrays reused across services
        own.set_services({services[i]});
        if (own.services()[0].snap.ok())
          results[i] = trace_bands(time_raster(g, own, req, max_s, spec.cell_m, 1, &snaps), spec.bands_minutes,
                                   spec.simplify_m);
      });
  return results;
}

std::vector<ModeIsochrones> isochrones_by_mode(const World& world, const std::vector<Mode>& modes,
                                               const std::vector<double>& bands_minutes, double cell_m,
                                               double simplify_m, bool per_service, unsigned threads,
                                               Observer& observer) {
  std::vector<ModeIsochrones> out;
  for (Mode mode : modes) check_raster_size(world.graph(), cell_m > 0 ? cell_m : default_cell_m(mode), "--cell-m");
  const std::vector<LonLat> services = world.service_xy();
  for (Mode mode : modes) {
    const std::string name(mode_name(mode));
    ModeIsochrones m;
    m.spec.mode = mode;
    m.spec.bands_minutes = bands_minutes;
    m.spec.cell_m = cell_m > 0 ? cell_m : default_cell_m(mode);
    m.spec.simplify_m = simplify_m;
    m.spec.threads = threads;
    Stage circle(observer, name + ": union circle");
    SnappedCircle both = circle_and_snap_grid(world, m.spec, services);
    const SnapGrid snaps = std::move(both.snaps);
    m.circle = std::move(both.circle);
    m.circle_s = circle.end(std::to_string(m.circle.raster.grid.width) + "x" +
                            std::to_string(m.circle.raster.grid.height) + " cells");
    char limit[64];
    std::snprintf(limit, sizeof limit, "%.0f", world.profiles().max_snap_m);
    for (uint32_t i : m.circle.unsnapped_services)
      observer.warning(name + ": service " + world.services()[i].id + " is farther than " + limit +
                       " m from a usable road: no isochrone");
    if (per_service) {
      Stage each(observer, name + ": " + std::to_string(services.size()) + " per-service isochrones on " +
                               std::to_string(threads) + " threads");
      m.per_service = per_service_isochrones(world, m.spec, services, snaps);
      m.per_service_s = each.end();
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace legalcircle
