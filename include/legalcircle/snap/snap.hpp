#pragma once
// Snapping points onto one mode's road graph.
//
//        P (the input point)
//        |  offset_m: walked at the access-leg speed, at both ends of every trip
//   a ---S------------ b      S splits segment a->b at `fraction` (0 at a, 1 at b), measured
//                             along the segment in the local projection; each side of S gets
//                             that share of the segment's time.
#include <memory>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/graph/road_graph.hpp"

namespace legalcircle {

struct SnappedPoint {
  uint32_t segment = kInvalidId;  // kInvalidId: not snapped
  double fraction = 0.0;          // position along seg_a -> seg_b, in [0, 1]
  double offset_m = kInf;         // distance from the input point to S, metres
  LonLat snapped;                 // S
  bool ok() const { return segment != kInvalidId; }
};

// A grid index over the segments one mode may use (in either direction) in its kept component.
class SegmentIndex {
 public:
  SegmentIndex(const RoadGraph& graph, Mode mode);
  ~SegmentIndex();
  SegmentIndex(SegmentIndex&&) noexcept;
  SegmentIndex& operator=(SegmentIndex&&) noexcept;

  // Exact nearest segment point; ties in distance go to the lower segment id. Returns a point
  // with ok() false when the nearest is strictly farther than max_snap_m (offset_m still says
  // how far it is) or the mode has no segment.
  SnappedPoint snap(LonLat p, double max_snap_m) const;
  // The same point when the nearest is within max_snap_m; else ok() false, without searching
  // further (offset_m then only says "farther"): raster cells, whose distance nobody reads.
  SnappedPoint snap_within(LonLat p, double max_snap_m) const;
  std::size_t size() const;

 private:
  SnappedPoint nearest(LonLat p, double max_snap_m, bool bounded) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace legalcircle
