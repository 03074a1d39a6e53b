#pragma once
// The road network as plain CSR arrays (RoutingKit style).
//
// vocabulary:
//   node     a road vertex (OSM node or GIS vertex), id 0..node_count()-1, spatially ordered
//   segment  the straight piece between two consecutive vertices of a way, id 0..segment_count()-1,
//            with ends seg_a -> seg_b in the way's node order
//   arc      one of the two CSR entries of a segment: at seg_a pointing to seg_b, and at seg_b
//            pointing to seg_a
//
// Per mode, arc_time_out[arc] is the time to travel tail -> head, arc_time_in[arc] the time to
// travel head -> tail (what a search on the reversed graph uses); +inf where the mode may not
// go, including everything outside the mode's largest strongly connected component.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/graph/profiles.hpp"

namespace legalcircle {

struct ComponentStats {
  uint32_t nodes_kept = 0;
  uint64_t segments_kept = 0;     // segments usable by the mode in at least one direction
  double km_kept = 0.0;
  uint32_t components_total = 0;  // strongly connected components among nodes the mode touches
  uint32_t components_dropped = 0;
  uint32_t nodes_dropped = 0;
  uint64_t segments_dropped = 0;
  double km_dropped = 0.0;
};

struct ModeWeights {
  bool present = false;            // false when the graph was built without this mode
  std::vector<float> arc_time_out; // seconds, tail -> head
  std::vector<float> arc_time_in;  // seconds, head -> tail
  std::vector<float> seg_time_ab;  // seconds, seg_a -> seg_b
  std::vector<float> seg_time_ba;  // seconds, seg_b -> seg_a
  std::vector<uint8_t> node_kept;  // 1 when the node is in the mode's largest SCC
  ComponentStats stats;
};

struct RoadGraph {
  // per node
  std::vector<LonLat> coord;
  std::vector<int64_t> source_node_id;  // OSM node id, or -1 for GIS vertices
  // CSR, size node_count()+1 / arc_count()
  std::vector<uint32_t> first_out;
  std::vector<uint32_t> arc_head;
  std::vector<uint32_t> arc_segment;
  // per segment
  std::vector<uint32_t> seg_a;
  std::vector<uint32_t> seg_b;
  std::vector<float> seg_length_m;   // haversine
  std::vector<uint32_t> seg_way;     // index into way_name / way_id
  // per way (for output and reports)
  std::vector<int64_t> way_id;
  std::vector<std::string> way_name;
  std::vector<std::string> way_class;

  std::array<ModeWeights, kModeCount> modes;
  LocalProjection projection;  // centred on the network's bounding box

  uint32_t node_count() const { return static_cast<uint32_t>(coord.size()); }
  uint32_t arc_count() const { return static_cast<uint32_t>(arc_head.size()); }
  uint32_t segment_count() const { return static_cast<uint32_t>(seg_a.size()); }
  const ModeWeights& weights(Mode m) const { return modes[static_cast<std::size_t>(m)]; }
  ModeWeights& weights(Mode m) { return modes[static_cast<std::size_t>(m)]; }
};

}  // namespace legalcircle
