#include "legalcircle/routing/dijkstra.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace legalcircle {

std::span<const float> search_costs(const CostView& costs, Direction direction) {
  // On the reversed graph an arc tail -> head is used as head -> tail: arc_in.
  return direction == Direction::to_service ? costs.arc_in : costs.arc_out;
}

MultiSourceSearch::MultiSourceSearch(const RoadGraph& graph, std::span<const float> arc_cost)
    : graph_(graph),
      arc_cost_(arc_cost.data()),
      label_(graph.node_count(), Label{kInf, kInvalidId, 0}) {
  if (arc_cost.size() != graph.arc_count()) throw std::invalid_argument("one cost per arc expected");
  reset();  // epoch 2: the constructor's zero stamps read as "no label"
}

MultiSourceSearch::MultiSourceSearch(const RoadGraph& graph, Mode mode, Direction direction)
    : MultiSourceSearch(graph, search_costs(time_costs(graph, mode), direction)) {}

MultiSourceSearch& MultiSourceSearch::reset() {
  epoch_ += 2;
  if (epoch_ == 0) {  // wrapped after 2 billion queries: clear the stamps for real
    for (Label& l : label_) l.stamp = 0;
    epoch_ = 2;
  }
  heap_.clear();
  settled_order_.clear();
  settled_ = 0;
  limit_s_ = kInf;
  return *this;
}

bool MultiSourceSearch::improves(uint32_t node, double time, uint32_t source) const {
  const Label& l = label_[node];
  if (!labelled(l)) return true;
  return time < l.time || (time == l.time && source < l.source);
}

MultiSourceSearch& MultiSourceSearch::add_source(uint32_t node, double start_s, uint32_t source_index) {
  if (node >= label_.size()) throw std::out_of_range("source node out of range");
  if (!(start_s < kInf) || settled(label_[node])) return *this;
  if (improves(node, start_s, source_index)) {
    label_[node] = Label{start_s, source_index, epoch_};
    heap_.push({start_s, source_index, node});
  }
  return *this;
}

MultiSourceSearch& MultiSourceSearch::run(double limit_s) {
  limit_s_ = limit_s;
  const uint32_t* first_out = graph_.first_out.data();
  const uint32_t* head = graph_.arc_head.data();
  while (!heap_.empty()) {
    const QueueItem item = heap_.pop();
    const uint32_t u = item.node;
    Label& lu = label_[u];
    if (settled(lu)) continue;  // stale entry (lazy deletion)
    if (item.time != lu.time || item.source != lu.source) continue;  // superseded
    if (item.time > limit_s) {
      // Everything left is beyond the limit: forget the labels we will not settle.
      heap_.for_each([&](const QueueItem& rest) {
        if (!settled(label_[rest.node])) label_[rest.node].stamp = 0;
      });
      lu.stamp = 0;
      heap_.clear();
      break;
    }
    lu.stamp = epoch_ | 1;
    settled_order_.push_back(u);
    ++settled_;
    for (uint32_t a = first_out[u]; a < first_out[u + 1]; ++a) {
      const float w = arc_cost_[a];
      if (!(w < std::numeric_limits<float>::infinity())) continue;
      const uint32_t v = head[a];
      Label& lv = label_[v];
      if (settled(lv)) continue;
      const double t = item.time + static_cast<double>(w);
      if (!labelled(lv) || t < lv.time || (t == lv.time && item.source < lv.source)) {
        lv = Label{t, item.source, epoch_};
        heap_.push({t, item.source, v});
      }
    }
  }
  return *this;
}

void MultiSourceSearch::offer(uint32_t v, double t, uint32_t source) {
  if (!(t <= limit_s_) || !improves(v, t, source)) return;
  label_[v] = Label{t, source, epoch_};
  heap_.push({t, source, v});
}

void MultiSourceSearch::propagate_improvements() {
  const uint32_t* first_out = graph_.first_out.data();
  const uint32_t* head = graph_.arc_head.data();
  while (!heap_.empty()) {
    const QueueItem item = heap_.pop();
    const uint32_t u = item.node;
    Label& lu = label_[u];
    if (!labelled(lu) || item.time != lu.time || item.source != lu.source) continue;  // superseded
    lu.stamp = epoch_ | 1;
    // Not appended to settled_order_: a workspace edits for hours, and that list would grow
    // with every edit. settled_nodes() stays the last run()'s.
    ++settled_;
    for (uint32_t a = first_out[u]; a < first_out[u + 1]; ++a) {
      const float w = arc_cost_[a];
      if (w < std::numeric_limits<float>::infinity()) offer(head[a], item.time + static_cast<double>(w), item.source);
    }
  }
}

// Labels only ever decrease, so a Dijkstra that follows improvements alone (settled or not)
// reaches every node the new sources improve and no other. Labels beyond the limit are never
// set: they could not change a node within it.
MultiSourceSearch& MultiSourceSearch::extend(std::span<const Seed> seeds) {
  heap_.clear();
  for (const Seed& s : seeds) {
    if (s.node >= label_.size()) throw std::out_of_range("source node out of range");
    offer(s.node, s.start_s, s.source_index);
  }
  propagate_improvements();
  return *this;
}

// Every node whose label came from the removed source is forgotten; the others keep theirs (the
// removed source was not their minimum, so the minimum over the rest is unchanged). A forgotten
// node's new label is the best of its unaffected neighbours' labels plus the arc into it, and
// of the remaining sources' seeds there; improvements then spread over the forgotten region.
MultiSourceSearch& MultiSourceSearch::remove_source(uint32_t source_index, std::span<const Seed> own_seeds,
                                                    std::span<const Seed> reseed) {
  const uint32_t* first_out = graph_.first_out.data();
  const uint32_t* head = graph_.arc_head.data();
  const uint32_t* segment = graph_.arc_segment.data();
  // The source's region: every node it labelled has a predecessor it labelled too (or is one of
  // its seeds), so a walk from its seeds over nodes it labelled finds them all, in O(region).
  // A node is forgotten when first reached, which also marks it as visited.
  std::vector<uint32_t> forgotten, stack;
  auto take = [&](uint32_t v) {
    if (!labelled(label_[v]) || label_[v].source != source_index) return;
    label_[v].stamp = 0;
    forgotten.push_back(v);
    stack.push_back(v);
  };
  for (const Seed& s : own_seeds) {
    if (s.node >= label_.size()) throw std::out_of_range("source node out of range");
    take(s.node);
  }
  while (!stack.empty()) {
    const uint32_t u = stack.back();
    stack.pop_back();
    for (uint32_t a = first_out[u]; a < first_out[u + 1]; ++a) take(head[a]);
  }
  heap_.clear();
  for (uint32_t v : forgotten)
    for (uint32_t a = first_out[v]; a < first_out[v + 1]; ++a) {
      const uint32_t u = head[a];
      if (!labelled(label_[u])) continue;
      // The arc u -> v: u's entry of the same segment pointing back at v.
      for (uint32_t b = first_out[u]; b < first_out[u + 1]; ++b)
        if (head[b] == v && segment[b] == segment[a]) {
          const float w = arc_cost_[b];
          if (w < std::numeric_limits<float>::infinity())
            offer(v, label_[u].time + static_cast<double>(w), label_[u].source);
        }
    }
  for (const Seed& s : reseed) {
    if (s.node >= label_.size()) throw std::out_of_range("source node out of range");
    if (s.source_index != source_index) offer(s.node, s.start_s, s.source_index);
  }
  propagate_improvements();
  return *this;
}

}  // namespace legalcircle
