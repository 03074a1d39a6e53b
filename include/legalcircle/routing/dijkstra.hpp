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

  MultiSourceSearch& reset();
  MultiSourceSearch& add_source(uint32_t node, double start_s, uint32_t source_index);
  // Settles every node with time <= limit_s. Nodes beyond stay at kInf.
  MultiSourceSearch& run(double limit_s = kInf);

  double time(uint32_t node) const { return stamp_[node] == epoch_ ? time_[node] : kInf; }
  uint32_t source(uint32_t node) const { return stamp_[node] == epoch_ ? source_[node] : kInvalidId; }
  uint64_t settled_count() const { return settled_; }
  // Nodes reached by the last run (settled or labelled), for sparse post-processing.
  const std::vector<uint32_t>& touched() const { return touched_; }

 private:
  struct HeapItem {
    double time;
    uint32_t source;
    uint32_t node;
  };
  void push(HeapItem item);
  HeapItem pop();

  const RoadGraph& graph_;
  const float* arc_time_;  // out or in times, by direction
  std::vector<double> time_;
  std::vector<uint32_t> source_;
  std::vector<uint32_t> stamp_;  // label valid when == epoch_
  std::vector<uint8_t> settled_flag_;
  std::vector<uint32_t> touched_;
  std::vector<HeapItem> heap_;
  uint32_t epoch_ = 0;
  uint64_t settled_ = 0;
};

}  // namespace legalcircle
