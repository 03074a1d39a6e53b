#include "legalcircle/pipeline/world.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "legalcircle/core/error.hpp"

namespace legalcircle {

World::World(RoadGraph graph, const Profiles& profiles, Direction direction, PointLayer services, PointLayer demand)
    : graph_(std::move(graph)),
      profiles_(profiles),
      direction_(direction),
      services_(std::move(services)),
      demand_(std::move(demand)) {}

std::vector<LonLat> World::service_xy() const {
  std::vector<LonLat> v;
  for (const PointRecord& p : services_.points) v.push_back(p.where);
  return v;
}

std::vector<LonLat> World::unit_xy() const {
  std::vector<LonLat> v;
  for (const PointRecord& p : demand_.points) v.push_back(p.where);
  return v;
}

// The caches below are looked up with find() first: once built, threads may read them together
// (WhatIf builds its fields side by side after building these).
const SegmentIndex& World::index(Mode mode) const {
  if (auto it = index_.find(mode); it != index_.end() && it->second) return *it->second;
  auto& slot = index_[mode];
  if (!slot) slot = std::make_unique<SegmentIndex>(graph_, mode);
  return *slot;
}

const std::vector<SnappedPoint>& World::unit_snaps(Mode mode) const {
  if (auto it = unit_snaps_.find(mode); it != unit_snaps_.end() && it->second) return *it->second;
  auto& slot = unit_snaps_[mode];
  if (!slot) {
    slot = std::make_unique<std::vector<SnappedPoint>>();
    const SegmentIndex& idx = index(mode);
    slot->reserve(demand_.points.size());
    for (const PointRecord& p : demand_.points) slot->push_back(idx.snap(p.where, profiles_.max_snap_m));
  }
  return *slot;
}

CostView World::costs(Mode mode, Metric metric) const {
  if (metric == Metric::time) return time_costs(graph_, mode);
  if (auto it = distance_.find(mode); it != distance_.end() && it->second) return it->second->view();
  auto& slot = distance_[mode];
  if (!slot) slot = std::make_unique<CostArrays>(distance_costs(graph_, mode));
  return slot->view();
}

void World::check_usable(const std::vector<Mode>& modes) const {
  if (graph_.node_count() == 0) return;
  // The network's extent, widened by the snapping limit.
  double west = 1e9, east = -1e9, south = 1e9, north = -1e9;
  for (const LonLat& c : graph_.coord) {
    west = std::min(west, c.lon), east = std::max(east, c.lon);
    south = std::min(south, c.lat), north = std::max(north, c.lat);
  }
  const double pad_lat = profiles_.max_snap_m / 111320.0;
  const double pad_lon = pad_lat / std::max(0.01, std::cos((south + north) / 2 * kPi / 180));
  auto inside = [&](double lon, double lat) {
    return lon >= west - pad_lon && lon <= east + pad_lon && lat >= south - pad_lat && lat <= north + pad_lat;
  };
  char extent[160];
  std::snprintf(extent, sizeof extent, "lon %.4f to %.4f, lat %.4f to %.4f", west, east, south, north);
  for (const PointLayer* layer : {&services_, &demand_}) {
    if (layer->points.empty()) continue;
    std::size_t in = 0, swapped = 0;
    for (const PointRecord& p : layer->points) {
      in += inside(p.where.lon, p.where.lat);
      swapped += inside(p.where.lat, p.where.lon);
    }
    if (2 * in >= layer->points.size()) continue;
    const PointRecord& first = layer->points.front();
    char sample[96];
    std::snprintf(sample, sizeof sample, "%.5f, %.5f", first.where.lon, first.where.lat);
    std::string cause = 2 * swapped > layer->points.size()
                            ? "longitude and latitude look swapped (give lon_field / lat_field)"
                            : "check the CRS of its coordinates (crs: EPSG:4490, EPSG:4549 x/y ...) and that both "
                              "files cover the same place";
    throw InputError(layer->source + ": " + std::to_string(layer->points.size() - in) + " of " +
                     std::to_string(layer->points.size()) + " points lie outside the road network (" + extent +
                     "; the first point, " + first.id + ", is at " + sample + "): " + cause);
  }
  if (services_.points.empty()) return;
  for (Mode m : modes) {
    const SegmentIndex& idx = index(m);
    for (const PointRecord& p : services_.points)
      if (idx.snap(p.where, profiles_.max_snap_m).ok()) return;
  }
  char limit[32];
  std::snprintf(limit, sizeof limit, "%.0f", profiles_.max_snap_m);
  throw InputError(services_.source + ": none of the " + std::to_string(services_.points.size()) +
                   " services is within " + limit + " m of a road the modes use (" + extent +
                   "): check the CRS, a web-map offset (offset: gcj02) and that the roads cover them");
}

CoverageRequest World::request(Mode mode, Metric metric) const {
  CoverageRequest r;
  r.mode = mode;
  r.metric = metric;
  r.direction = direction_;
  r.max_snap_m = profiles_.max_snap_m;
  r.access_leg_kmh = profiles_.access_leg_kmh;
  return r;
}

TravelTimeField World::field(Mode mode, Metric metric, const std::vector<LonLat>& services) const {
  TravelTimeField f(graph_, index(mode), request(mode, metric), costs(mode, metric));
  f.set_services(services);
  return f;
}

std::vector<UnitResult> World::evaluate_units(const TravelTimeField& field) const {
  std::vector<UnitResult> out;
  const auto& snaps = unit_snaps(field.request().mode);
  out.reserve(snaps.size());
  for (const SnappedPoint& s : snaps) out.push_back(field.evaluate_snapped(s));
  return out;
}

}  // namespace legalcircle
