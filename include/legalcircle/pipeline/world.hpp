#pragma once
// The loaded world, held once for every question asked of it: the road graph, the services and
// demand units as read, and per mode the segment index, the units' snaps and (for km rules and
// the standard) the distance costs, each built on first use. `legalcircle run`, `plan`, and a
// server answering what-ifs all query the same World; nothing in it reads or writes files.
#include <map>
#include <memory>
#include <vector>

#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/graph/costs.hpp"
#include "legalcircle/graph/profiles.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/snap/snap.hpp"

namespace legalcircle {

class World {
 public:
  World(RoadGraph graph, const Profiles& profiles, Direction direction, PointLayer services, PointLayer demand);
  // Move only before the first index(), unit_snaps() or costs(): the caches refer to graph_.
  World(World&&) = default;

  const RoadGraph& graph() const { return graph_; }
  const Profiles& profiles() const { return profiles_; }
  Direction direction() const { return direction_; }
  const std::vector<PointRecord>& services() const { return services_.points; }
  const std::vector<PointRecord>& units() const { return demand_.points; }
  const PointLayer& service_layer() const { return services_; }
  const PointLayer& demand_layer() const { return demand_; }
  std::vector<LonLat> service_xy() const;
  std::vector<LonLat> unit_xy() const;

  // The services as they now stand (a planner's what-if): nothing cached depends on them. Not
  // while another thread queries this World.
  void replace_services(PointLayer services) { services_ = std::move(services); }

  // Built on first use (by one thread; once built, any number may read them); references stay
  // valid for the World's life.
  const SegmentIndex& index(Mode mode) const;
  const std::vector<SnappedPoint>& unit_snaps(Mode mode) const;
  CostView costs(Mode mode, Metric metric) const;

  // Stops a run early when its answer would be meaningless, with the likely cause: most points
  // of a layer outside the road network's extent (a wrong CRS, lon/lat swapped), or no service
  // within max_snap_m of a road any of `modes` uses. InputError naming the file.
  void check_usable(const std::vector<Mode>& modes) const;

  // The request every search of this world uses for a mode and metric (profiles' snap limit and
  // access-leg speed, the world's direction), unbounded.
  CoverageRequest request(Mode mode, Metric metric = Metric::time) const;
  // A field over the given services (points, any set), ready to evaluate.
  TravelTimeField field(Mode mode, Metric metric, const std::vector<LonLat>& services) const;
  // The field evaluated at every demand unit (cached snaps). nearest_service indexes `services`.
  std::vector<UnitResult> evaluate_units(const TravelTimeField& field) const;

 private:
  RoadGraph graph_;
  Profiles profiles_;
  Direction direction_;
  PointLayer services_, demand_;
  mutable std::map<Mode, std::unique_ptr<SegmentIndex>> index_;
  mutable std::map<Mode, std::unique_ptr<std::vector<SnappedPoint>>> unit_snaps_;
  mutable std::map<Mode, std::unique_ptr<CostArrays>> distance_;
};

}  // namespace legalcircle
