#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "legalcircle/core/release.hpp"

namespace legalcircle {
namespace {

// What the graph build relies on to drop its temporaries: the memory goes, not only the
// elements (`v = {}` keeps the capacity, which is how 48 MiB stayed allocated at 1 M nodes).
TEST(Release, FreesTheCapacityNotOnlyTheElements) {
  std::vector<uint64_t> v(1 << 16, 7);
  release(v);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.capacity(), 0u);
  std::vector<std::string> names(100, std::string(64, 'x'));
  release(names);
  EXPECT_EQ(names.capacity(), 0u);
}

}  // namespace
}  // namespace legalcircle
