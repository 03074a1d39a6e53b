#pragma once
// A monotone priority queue for Dijkstra: a radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990)
// over the bits of non-negative doubles, which order as their IEEE-754 bit patterns do.
//
//   bucket 0: items whose time equals the last popped time exactly
//   bucket b: items whose time's bits first differ from the last popped in bit b-1
//
// A push is O(1); a pop moves the items of the lowest non-empty bucket into lower ones, each item
// at most 64 times in all. Items pop in (time, source) order, as the binary heap did: equal
// times go to the lower source first, so labels stay the lexicographic minimum even across the
// zero-length segments of duplicated nodes.
//
// Precondition (Dijkstra's): no item pushed has a time below the last popped one.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace legalcircle {

struct QueueItem {
  double time;
  uint32_t source;
  uint32_t node;
};

class RadixHeap {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  void clear() {
    for (std::vector<QueueItem>& b : buckets_) b.clear();
    last_ = 0;
    size_ = 0;
  }
  void push(const QueueItem& item) {
    const uint64_t key = bits(item.time);
    if (key < last_) throw std::logic_error("RadixHeap: a time below the last popped (negative cost?)");
    std::vector<QueueItem>& b = buckets_[bucket_of(key)];
    if (key == last_) {  // bucket 0 is kept by source, highest first (rare: zero-cost arcs)
      b.insert(std::upper_bound(b.begin(), b.end(), item, higher_source), item);
    } else {
      b.push_back(item);
    }
    ++size_;
  }
  // The item of least (time, source); the heap must not be empty.
  QueueItem pop() {
    std::vector<QueueItem>& zero = buckets_[0];
    if (zero.empty()) {
      std::size_t i = 1;
      while (buckets_[i].empty()) ++i;
      std::vector<QueueItem>& from = buckets_[i];
      last_ = bits(std::min_element(from.begin(), from.end(),
                                    [](const QueueItem& a, const QueueItem& b) { return a.time < b.time; })
                       ->time);
      for (const QueueItem& item : from) buckets_[bucket_of(bits(item.time))].push_back(item);
      from.clear();
      if (zero.size() > 1) std::sort(zero.begin(), zero.end(), higher_source);
    }
    const QueueItem top = zero.back();
    zero.pop_back();
    --size_;
    return top;
  }
  // Every item still queued, in no order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const std::vector<QueueItem>& b : buckets_)
      for (const QueueItem& item : b) visit(item);
  }

 private:
  static uint64_t bits(double t) {
    const double positive = t + 0.0;  // -0.0 becomes +0.0
    uint64_t u;
    std::memcpy(&u, &positive, sizeof u);
    return u;
  }
  std::size_t bucket_of(uint64_t key) const {
    return key == last_ ? 0 : 64 - static_cast<std::size_t>(std::countl_zero(key ^ last_));
  }
  static bool higher_source(const QueueItem& a, const QueueItem& b) { return a.source > b.source; }

  std::array<std::vector<QueueItem>, 65> buckets_;
  uint64_t last_ = 0;
  std::size_t size_ = 0;
};

}  // namespace legalcircle
