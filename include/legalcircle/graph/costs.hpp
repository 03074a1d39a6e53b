#pragma once
// What a search minimises, per mode: seconds (the mode's travel times) or network metres (the
// segment lengths where the mode may go). A cost view is four spans over plain arrays, so a
// distance search needs only its own cost arrays, never a copy of the graph.
#include <span>
#include <vector>

#include "legalcircle/graph/road_graph.hpp"

namespace legalcircle {

enum class Metric : uint8_t { time, distance };

// Per arc (CSR order) and per segment, in the metric's unit; +inf where the mode may not go.
struct CostView {
  std::span<const float> arc_out;  // tail -> head
  std::span<const float> arc_in;   // head -> tail (the reversed graph)
  std::span<const float> seg_ab;   // seg_a -> seg_b
  std::span<const float> seg_ba;   // seg_b -> seg_a
};

// Owned cost arrays (distance); view() is valid while this object lives.
struct CostArrays {
  std::vector<float> arc_out, arc_in, seg_ab, seg_ba;
  CostView view() const { return {arc_out, arc_in, seg_ab, seg_ba}; }
};

// The mode's travel times (views into the graph's own arrays).
CostView time_costs(const RoadGraph& g, Mode mode);
// Metres along the network, on exactly the arcs and segments the mode may use.
CostArrays distance_costs(const RoadGraph& g, Mode mode);

}  // namespace legalcircle
