#pragma once
// A parallel loop for independent items (rows of a raster, candidates, services).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "legalcircle/core/error.hpp"

namespace legalcircle {

// Runs body(state, i) for every i in [0, n) on `threads` threads, the caller's among them.
// Each thread makes its own state once (make_state()), e.g. a search whose node arrays are then
// reused for every item it takes. Items are handed out one at a time, so uneven items balance.
// The first exception thrown is rethrown once every thread has stopped.
template <class MakeState, class Body>
void parallel_for(std::size_t n, unsigned threads, MakeState make_state, Body body) {
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto work = [&] {
    try {
      auto state = make_state();
      for (std::size_t i = next++; i < n; i = next++) body(state, i);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = n;  // the others stop after their current item
    }
  };
  std::vector<std::thread> pool;
  const unsigned wanted = std::max(1u, threads);
  try {
    for (unsigned t = 1; t < wanted; ++t) pool.emplace_back(work);
  } catch (const std::system_error& e) {
    // The system refused a thread: stop the started ones and say so (a silent smaller pool would
    // hide it; an unjoined thread would abort the process).
    next = n;
    for (std::thread& t : pool) t.join();
    throw OutputError("cannot start worker thread " + std::to_string(pool.size() + 1) + " of " +
                      std::to_string(wanted) + " (" + e.what() + "); use fewer --threads");
  }
  work();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace legalcircle
