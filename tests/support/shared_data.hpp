#pragma once
// Where the shared real extracts are: $LEGALCIRCLE_SHARED_DATA, else the CMake default
// (../shared/data beside the source tree). Tests that need them GTEST_SKIP with the reason.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace legalcircle::testing {

inline std::string shared_data_dir() {
  if (const char* env = std::getenv("LEGALCIRCLE_SHARED_DATA"); env && *env) return env;
  return LEGALCIRCLE_SHARED_DATA_DEFAULT;
}

inline std::string shared_file(const std::string& relative) {
  return (std::filesystem::path(shared_data_dir()) / relative).string();
}

}  // namespace legalcircle::testing

// Skips the test, visibly, when the shared file is absent (a user's fresh clone).
#define LEGALCIRCLE_REQUIRE_SHARED(path)                                                    \
  do {                                                                                      \
    if (!std::filesystem::exists(path))                                                     \
      GTEST_SKIP() << "shared data not found: " << (path)                                   \
                   << " (set LEGALCIRCLE_SHARED_DATA to the shared/data folder)";           \
  } while (0)
