#pragma once
// Frees a container's memory now. `v = {}` does not: for a vector it picks the initializer-list
// assignment, which clears the elements and keeps the capacity (a province's temporaries stayed
// allocated until the end of the graph build that way).
#include <utility>

namespace legalcircle {

template <class Container>
void release(Container& c) {
  Container().swap(c);
}

}  // namespace legalcircle
