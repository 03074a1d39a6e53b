#pragma once
// Multi-source Dijkstra over one mode of a RoadGraph (RoutingKit-style reusable query object).
//
//   MultiSourceSearch search(graph, Mode::walk, Direction::to_service);
//   search.reset();
//   search.add_source(node, start_seconds, source_index);   // any number of sources
//   search.run(limit_seconds);                                // kInf: unbounded
//   search.time(node), search.source(node)
//   search.extend({{node, start_seconds, new_index}}); // one more source, labels updated
//
// Every node is labelled with its time and its nearest source. Ties in time go to the lower
// source index (the service listed first): the labels are the lexicographic minimum of
// (time, source index) over all paths, so the result is independent of heap order.
#include <cstdint>
#include <span>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/core/huge_pages.hpp"
#include "legalcircle/graph/costs.hpp"
#include "legalcircle/graph/road_graph.hpp"
#include "legalcircle/routing/radix_heap.hpp"

namespace legalcircle {

enum class Direction : uint8_t {
  to_service,    // residents travel to the service: the search runs on the reversed graph
  from_service,  // the service travels to the residents: forward search
};

// Where a source enters the network: a node reached start_s after the source.
struct Seed {
  uint32_t node;
  double start_s;
  uint32_t source_index;
};

// The arc costs a search in `direction` reads (arc_in on the reversed graph).
std::span<const float> search_costs(const CostView& costs, Direction direction);

class MultiSourceSearch {
 public:
  // Searches the graph's CSR with one cost per arc (seconds, metres...); the span must outlive
  // the search.
  MultiSourceSearch(const RoadGraph& graph, std::span<const float> arc_cost);
  // Travel times of `mode` in `direction`.
  MultiSourceSearch(const RoadGraph& graph, Mode mode, Direction direction);

  // Forgets every label in O(1) (epoch stamps), so one object serves many queries.
  MultiSourceSearch& reset();
  // A source reaching `node` after start_s seconds. Several sources may share a node.
  MultiSourceSearch& add_source(uint32_t node, double start_s, uint32_t source_index);
  // Settles every node with time <= limit_s. Nodes beyond stay at kInf.
  MultiSourceSearch& run(double limit_s = kInf);
  // After run(limit_s): adds more sources and relabels exactly the nodes they improve, within the
  // same limit, so the labels equal a fresh run over all sources (ties as ever to the lower
  // index). Costs O(nodes improved), not O(nodes reached): what a what-if point needs.
  // settled_nodes() stays the last run()'s (it is then stale: use the labels).
  MultiSourceSearch& extend(std::span<const Seed> seeds);
  // After run(limit_s): forgets a source, given the seeds it was added with. The nodes it
  // labelled are relabelled from their unaffected neighbours and from `reseed` (the seeds of
  // every remaining source; only those inside its region matter), so the labels equal a fresh run
  // without it. Costs O(nodes it labelled): what moving or removing a what-if point needs.
  // settled_nodes() is then stale (it may list nodes no longer labelled).
  MultiSourceSearch& remove_source(uint32_t source_index, std::span<const Seed> own_seeds,
                                   std::span<const Seed> reseed);

  double time(uint32_t node) const { return labelled(label_[node]) ? label_[node].time : kInf; }
  uint32_t source(uint32_t node) const { return labelled(label_[node]) ? label_[node].source : kInvalidId; }
  uint64_t settled_count() const { return settled_; }
  // Nodes settled by the last run(), in settling order (non-decreasing time); extend() and
  // remove_source() do not update it.
  const std::vector<uint32_t>& settled_nodes() const { return settled_order_; }

 private:
  // One stamp says both "labelled in this query" and "settled": epoch_ (even) when labelled,
  // epoch_ | 1 once settled; anything else is no label. One array read per arc, not two.
  struct Label {
    double time;
    uint32_t source;
    uint32_t stamp;
  };
  bool labelled(const Label& l) const { return (l.stamp & ~1u) == epoch_; }
  bool settled(const Label& l) const { return l.stamp == (epoch_ | 1u); }
  bool improves(uint32_t node, double time, uint32_t source) const;
  // extend() and remove_source(): label `node` when (time, source) improves it within the limit.
  void offer(uint32_t node, double time, uint32_t source);
  // Settles the offered labels and follows improvements only.
  void propagate_improvements();

  const RoadGraph& graph_;
  const float* arc_cost_;  // one cost per arc, in the direction searched
  double limit_s_ = kInf;  // of the last run(), which extend() keeps
  std::vector<Label, HugePageAllocator<Label>> label_;
  std::vector<uint32_t> settled_order_;
  RadixHeap heap_;  // (time, source) order, as labels compare
  uint32_t epoch_ = 0;  // even; advanced by 2 per query
  uint64_t settled_ = 0;
};

}  // namespace legalcircle
