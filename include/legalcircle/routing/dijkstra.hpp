#pragma once
// Multi-source Dijkstra over one mode of a RoadGraph (RoutingKit-style reusable query object).
//
//   MultiSourceSearch search(graph, Mode::walk, Direction::to_service);
//   search.reset();
//   search.add_source(node, start_seconds, source_index);   // any number of sources
//   search.run(limit_seconds);                                // kInf: unbounded
//   search.time(node), search.source(node)
//
// Every node is labelled with its time and its nearest source. Ties in time go to the lower
// source index (the service listed first): the labels are the lexicographic minimum of
// (time, source index) over all paths, so the result is independent of heap order.
#include <cstdint>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/graph/road_graph.hpp"

namespace legalcircle {

enum class Direction : uint8_t {
  to_service,    // residents travel to the service: the search runs on the reversed graph
  from_service,  // the service travels to the residents: forward search
};

class MultiSourceSearch {
 public:
  MultiSourceSearch(const RoadGraph& graph, Mode mode, Direction direction);

  // Forgets every label in O(1) (epoch stamps), so one object serves many queries.
  MultiSourceSearch& reset();
  // A source reaching `node` after start_s seconds. Several sources may share a node.
  MultiSourceSearch& add_source(uint32_t node, double start_s, uint32_t source_index);
  // Settles every node with time <= limit_s. Nodes beyond stay at kInf.
  MultiSourceSearch& run(double limit_s = kInf);

  double time(uint32_t node) const { return label_[node].epoch == epoch_ ? label_[node].time : kInf; }
  uint32_t source(uint32_t node) const {
    return label_[node].epoch == epoch_ ? label_[node].source : kInvalidId;
  }
  uint64_t settled_count() const { return settled_; }
  // Nodes settled by the last run, in settling order (non-decreasing time).
  const std::vector<uint32_t>& settled_nodes() const { return settled_order_; }

 private:
  struct Label {
    double time;
    uint32_t source;
    uint32_t epoch;  // label is valid when == epoch_
  };
  struct HeapItem {
    double time;
    uint32_t source;
    uint32_t node;
  };
  bool improves(uint32_t node, double time, uint32_t source) const;

  const RoadGraph& graph_;
  const float* arc_time_;  // out or in times, by direction
  std::vector<Label> label_;
  std::vector<uint32_t> settled_epoch_;
  std::vector<uint32_t> settled_order_;
  std::vector<HeapItem> heap_;
  uint32_t epoch_ = 0;
  uint64_t settled_ = 0;
};

}  // namespace legalcircle
