#pragma once
// Travel time of every demand unit to its nearest service, under DESIGN.md's semantics:
//   time = unit access leg + network time + service access leg, minimised over services,
//   ties to the service listed first; covered = time <= threshold.
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/graph/costs.hpp"
#include "legalcircle/graph/road_graph.hpp"
#include "legalcircle/routing/dijkstra.hpp"
#include "legalcircle/snap/snap.hpp"

namespace legalcircle {

// Where a snapped point meets the network: a node and the time between point and node.
struct Attachment {
  uint32_t node;
  double seconds;
};

// At most two (the ends of the point's segment), kept inline: a raster evaluates millions.
struct Attachments {
  Attachment item[2];
  unsigned count = 0;
  void push_back(Attachment a) { item[count++] = a; }
  const Attachment* begin() const { return item; }
  const Attachment* end() const { return item + count; }
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
};

// Ways to leave the snapped point onto the network (a oneway segment leaves only one way), in the
// costs' unit ("seconds" below are metres for distance costs).
Attachments exits(const RoadGraph& g, const CostView& costs, const SnappedPoint& p);
// Ways to arrive at the snapped point from the network.
Attachments entries(const RoadGraph& g, const CostView& costs, const SnappedPoint& p);
// Direct cost along a shared segment from `from` to `to`; kInf when they are on different
// segments or the segment forbids that direction.
double along_segment_s(const CostView& costs, const SnappedPoint& from, const SnappedPoint& to);
// The same with the mode's travel times.
Attachments exits(const RoadGraph& g, Mode mode, const SnappedPoint& p);
Attachments entries(const RoadGraph& g, Mode mode, const SnappedPoint& p);
double along_segment_s(const RoadGraph& g, Mode mode, const SnappedPoint& from, const SnappedPoint& to);

// A point snapped for one mode, with its walked access leg.
struct AttachedPoint {
  SnappedPoint snap;
  double access_s = kInf;  // offset_m at the access-leg speed
};

enum class Unreachable : uint8_t {
  none,
  snap_too_far,       // nearest usable road strictly farther than max_snap_m
  no_service_reached, // snapped, but no service can be reached (or none within the limit)
};
std::string_view unreachable_reason(Unreachable u);

struct UnitResult {
  uint32_t nearest_service = kInvalidId;  // index into the services list
  double seconds = kInf;                  // full travel time, not capped (metres: distance metric)
  double snap_m = kInf;                   // distance to the snapped road position
  Unreachable reason = Unreachable::none;
};

struct CoverageRequest {
  Mode mode = Mode::walk;
  // time: seconds; distance: network metres, the access legs counted in metres too.
  Metric metric = Metric::time;
  Direction direction = Direction::to_service;
  double access_leg_kmh = 4.5;
  double max_snap_m = 1000.0;
  double limit_s = kInf;  // optional search bound; units beyond it are no_service_reached
};

struct CoverageResult {
  std::vector<UnitResult> units;
  std::vector<AttachedPoint> services;    // snap of every service (ok() false: not used)
  std::vector<uint32_t> unsnapped_services;  // indices of services that could not snap
  uint64_t settled_nodes = 0;
};

// One multi-source search seeded at every snapped service, then the travel time of any
// location: its exits (or entries) plus the node labels, and the direct same-segment path.
// Coverage of demand units and the isochrone raster cells both go through evaluate(), so a
// cell and a village at the same place always get the same time.
class TravelTimeField {
 public:
  // Holds the search's node arrays; reuse one field for many service sets. `costs` must be of
  // request.metric (time_costs / distance_costs of request.mode) and outlive the field.
  TravelTimeField(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request,
                  const CostView& costs);
  // With the mode's travel times (request.metric must be time).
  TravelTimeField(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request);
  // Snaps the services and runs the search (bounded by request.limit_s).
  void set_services(const std::vector<LonLat>& services);
  // One more service after set_services(), index services().size(): only the nodes it brings
  // closer are relabelled (MultiSourceSearch::extend). Equal to set_services() with it appended.
  uint32_t add_service(LonLat service);
  // Service i no longer serves (its index stays, unused): equal to set_services() without it,
  // the others keeping their indices (so ties still go to the service listed first).
  // MultiSourceSearch::remove_source: O(nodes) for one pass plus the region it served.
  void remove_service(uint32_t i);
  // Service i now stands at `where` (same index, so the same rank in ties).
  void move_service(uint32_t i, LonLat where);
  // Thread-safe (const) once set_services() returned.
  UnitResult evaluate(LonLat p) const;
  // The same time and service for a raster cell (snap_within: reason and snap_m not kept).
  UnitResult evaluate_cell(LonLat p) const;
  // The same for a point already snapped with this request's max_snap_m (cached snaps).
  UnitResult evaluate_snapped(const SnappedPoint& snap) const;
  const CoverageRequest& request() const { return request_; }
  const std::vector<AttachedPoint>& services() const { return services_; }
  const std::vector<uint32_t>& unsnapped_services() const { return unsnapped_; }
  const MultiSourceSearch& search() const { return search_; }

 private:
  double access_cost(double offset_m) const;
  void seed(uint32_t i, const AttachedPoint& sp, std::vector<Seed>& out) const;
  AttachedPoint attach_after_run(uint32_t i, LonLat where);

  const RoadGraph& graph_;
  const SegmentIndex& index_;
  CoverageRequest request_;
  CostView costs_;
  MultiSourceSearch search_;
  std::vector<AttachedPoint> services_;
  std::vector<uint32_t> unsnapped_;
  std::vector<std::pair<uint32_t, uint32_t>> service_on_segment_;  // (segment, service), sorted
};

// TravelTimeField over the services, evaluated at every demand unit.
CoverageResult compute_coverage(const RoadGraph& g, const SegmentIndex& index,
                                const std::vector<LonLat>& services,
                                const std::vector<LonLat>& demand, const CoverageRequest& request);

// Attaches a point for the request's mode (snap + access leg in the request's metric).
AttachedPoint attach(const SegmentIndex& index, LonLat p, const CoverageRequest& request);

}  // namespace legalcircle
