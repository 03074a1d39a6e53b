#pragma once
// The cover matrix of planning (DESIGN.md "Planning"): which demand units each candidate site
// would cover within the threshold, from one bounded search per candidate, under exactly the
// semantics of an existing service (snapping, access legs, direction).
#include <cstdint>
#include <vector>

#include "legalcircle/analysis/coverage.hpp"

namespace legalcircle {

struct CoverMatrix {
  std::vector<std::vector<uint32_t>> covers;  // per candidate: sorted unit indices within threshold
  std::vector<uint8_t> usable;                // per candidate: 0 when it cannot snap
  uint64_t settled_nodes = 0;
};

// `unit_snaps`: every demand unit snapped once with request.max_snap_m (SegmentIndex::snap).
// Candidates run in parallel on `threads` threads, each with its own search.
CoverMatrix cover_matrix(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request,
                         double threshold_s, const std::vector<LonLat>& candidates,
                         const std::vector<SnappedPoint>& unit_snaps, unsigned threads = 1);

// The same in any metric: `costs` of request.metric (distance_costs for km), threshold in its
// unit (metres for distance).
CoverMatrix cover_matrix(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request,
                         const CostView& costs, double threshold, const std::vector<LonLat>& candidates,
                         const std::vector<SnappedPoint>& unit_snaps, unsigned threads = 1);

// Candidate sites on a square grid of `spacing_m` over the network: each grid point's snapped
// road position, for grid points within max_snap_m of a road the mode uses; duplicates dropped.
std::vector<LonLat> grid_candidates(const RoadGraph& g, const SegmentIndex& index, double spacing_m,
                                    double max_snap_m);

}  // namespace legalcircle
