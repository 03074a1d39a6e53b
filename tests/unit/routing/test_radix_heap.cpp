// The search's queue pops in (time, source) order, the order the labels compare in, for any
// monotone sequence of pushes: ties in time (equal sums of float costs on a grid) and pushes
// equal to the last popped time (zero-length segments) included.
#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "legalcircle/routing/radix_heap.hpp"

namespace legalcircle {
namespace {

TEST(RadixHeap, PopsInTimeThenSourceOrderUnderDijkstraLikePushes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    RadixHeap heap;
    std::vector<QueueItem> reference;  // a plain sorted multiset
    auto less = [](const QueueItem& a, const QueueItem& b) {
      return std::tie(a.time, a.source, a.node) < std::tie(b.time, b.source, b.node);
    };
    uint32_t node = 0;
    auto push = [&](double t) {
      const QueueItem item{t, uint32_t(rng() % 5), node++};
      heap.push(item);
      reference.insert(std::upper_bound(reference.begin(), reference.end(), item, less), item);
    };
    for (int i = 0; i < 20; ++i) push(double(rng() % 8) * 0.5);  // seeds, with ties
    double last = 0;
    while (!heap.empty()) {
      const QueueItem got = heap.pop();
      ASSERT_FALSE(reference.empty());
      const QueueItem want = reference.front();
      // Items equal in (time, source) may come in either order: compare those two only.
      ASSERT_EQ(got.time, want.time);
      ASSERT_EQ(got.source, want.source);
      auto it = std::find_if(reference.begin(), reference.end(), [&](const QueueItem& r) {
        return r.time == got.time && r.source == got.source && r.node == got.node;
      });
      ASSERT_NE(it, reference.end());
      reference.erase(it);
      ASSERT_GE(got.time, last);
      last = got.time;
      if (node < 2000)  // relax: costs of 0 (a duplicated node), of float steps, of ties
        for (int k = rng() % 3; k > 0; --k) {
          const int kind = rng() % 4;
          const double w = kind == 0 ? 0.0 : kind == 1 ? 0.5 : double(float(rng() % 1000) / 7.0f);
          push(got.time + w);
        }
    }
    EXPECT_TRUE(reference.empty());
    EXPECT_EQ(heap.size(), 0u);
  }
}

// The bucket key drops the times' low bits: times that share a key (here all within a few
// microseconds of 300 s, pushed before and while popping) still pop in exact (time, source) order.
TEST(RadixHeap, OrdersExactlyAmongTimesSharingABucketKey) {
  std::mt19937 rng(11);
  RadixHeap heap;
  std::vector<QueueItem> reference;
  auto less = [](const QueueItem& a, const QueueItem& b) { return std::tie(a.time, a.source) < std::tie(b.time, b.source); };
  uint32_t node = 0;
  auto push = [&](double t) {
    const QueueItem item{t, uint32_t(rng() % 3), node++};
    heap.push(item);
    reference.insert(std::upper_bound(reference.begin(), reference.end(), item, less), item);
  };
  for (int i = 0; i < 200; ++i) push(300.0 + double(rng() % 1000) * 1e-9);  // one key, many ties
  for (int i = 0; i < 20; ++i) push(300.0 + double(rng() % 100));           // later keys
  double last = 0;
  while (!heap.empty()) {
    const QueueItem got = heap.pop();
    ASSERT_FALSE(reference.empty());
    EXPECT_EQ(got.time, reference.front().time);
    EXPECT_EQ(got.source, reference.front().source);
    auto it = std::find_if(reference.begin(), reference.end(),
                           [&](const QueueItem& r) { return r.time == got.time && r.source == got.source; });
    reference.erase(it);
    ASSERT_GE(got.time, last);
    last = got.time;
    if (node < 600 && rng() % 2) push(got.time + double(rng() % 5) * 1e-10);  // into the current key
  }
  EXPECT_TRUE(reference.empty());
}

TEST(RadixHeap, RefusesATimeBelowTheLastPopped) {
  RadixHeap heap;
  heap.push({10.0, 0, 0});
  heap.push({20.0, 0, 1});
  EXPECT_EQ(heap.pop().node, 0u);
  EXPECT_THROW(heap.push({5.0, 0, 2}), std::logic_error);
  heap.push({-0.0 + 10.0, 1, 3});  // equal to the last popped: allowed
  EXPECT_EQ(heap.pop().node, 3u);
  heap.clear();
  heap.push({-0.0, 0, 4});  // a negative zero is zero
  EXPECT_EQ(heap.pop().node, 4u);
}

}  // namespace
}  // namespace legalcircle
