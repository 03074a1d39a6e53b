#include "legalcircle/pipeline/world.hpp"

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

const SegmentIndex& World::index(Mode mode) const {
  auto& slot = index_[mode];
  if (!slot) slot = std::make_unique<SegmentIndex>(graph_, mode);
  return *slot;
}

const std::vector<SnappedPoint>& World::unit_snaps(Mode mode) const {
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
  auto& slot = distance_[mode];
  if (!slot) slot = std::make_unique<CostArrays>(distance_costs(graph_, mode));
  return slot->view();
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
