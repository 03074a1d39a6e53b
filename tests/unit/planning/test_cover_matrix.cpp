// The cover matrix agrees with coverage: candidate j covers unit i exactly when, with j as the
// only service, unit i's travel time is within the threshold.
#include <gtest/gtest.h>

#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/planning/candidates.hpp"
#include "legalcircle/planning/cover_matrix.hpp"
#include "support/ascii_map.hpp"

namespace legalcircle {
namespace {

using testing::AsciiMap;

TEST(CoverMatrix, EqualsOneCoverageRunPerCandidate) {
  AsciiMap map(R"(
a-----b-----c-----d
|     |     |     |
e-----f-----g-----h
|           |
i-----j-----k-----l
)", 80.0);
  const std::vector<std::pair<std::string, std::string>> res = {{"highway", "residential"}};
  RoadGraph g = build_graph(map.roads({{"abcd", res}, {"efgh", res}, {"ijkl", res}, {"aei", res},
                                       {"bf", {{"highway", "residential"}, {"oneway", "yes"}}},
                                       {"cgk", res}, {"dh", res}}),
                            default_profiles(), BuildOptions{{Mode::walk, Mode::car}, true});
  std::vector<LonLat> units, candidates;
  for (char c : std::string("abcdefghijkl")) units.push_back(map.offset(c, 13, -9));
  for (char c : std::string("adfkl")) candidates.push_back(map.offset(c, -20, 6));
  for (Mode mode : {Mode::walk, Mode::car}) {
    SegmentIndex index(g, mode);
    CoverageRequest req;
    req.mode = mode;
    std::vector<SnappedPoint> snaps;
    for (const LonLat& u : units) snaps.push_back(index.snap(u, req.max_snap_m));
    const double threshold_s = mode == Mode::walk ? 300.0 : 60.0;
    const CoverMatrix m = cover_matrix(g, index, req, threshold_s, candidates, snaps, 2);
    std::size_t covered_pairs = 0;
    for (std::size_t j = 0; j < candidates.size(); ++j) {
      const CoverageResult r = compute_coverage(g, index, {candidates[j]}, units, req);
      std::vector<uint32_t> expected;
      for (uint32_t i = 0; i < units.size(); ++i)
        if (r.units[i].seconds <= threshold_s) expected.push_back(i);
      EXPECT_EQ(m.covers[j], expected) << mode_name(mode) << " candidate " << j;
      covered_pairs += expected.size();
    }
    EXPECT_GT(covered_pairs, 5u);
    EXPECT_LT(covered_pairs, units.size() * candidates.size()) << "the threshold must bind";
  }
}

TEST(CoverMatrix, GridCandidatesLieOnTheNetworkWithoutDuplicates) {
  AsciiMap map(R"(
a--------------b
|              |
c--------------d
)", 100.0);
  const std::vector<std::pair<std::string, std::string>> res = {{"highway", "residential"}};
  RoadGraph g = build_graph(map.roads({{"abdca", res}}), default_profiles(), BuildOptions{{Mode::walk}, true});
  SegmentIndex index(g, Mode::walk);
  const auto grid = grid_candidates(g, index, 250.0, 1000.0);
  ASSERT_GT(grid.size(), 4u);
  for (const LonLat& p : grid) EXPECT_LT(index.snap(p, 1000.0).offset_m, 0.01);  // on a road
  for (std::size_t a = 0; a < grid.size(); ++a)
    for (std::size_t b = a + 1; b < grid.size(); ++b) EXPECT_GT(haversine_m(grid[a], grid[b]), 1.0);
}

}  // namespace
}  // namespace legalcircle

namespace legalcircle {
namespace {

TEST(CandidateSource, OneParserForScenarioAndCommandLine) {
  EXPECT_EQ(parse_candidate_source("demand", "--candidates", true).kind, CandidateSource::Kind::demand);
  const CandidateSource g = parse_candidate_source("grid:250", "--candidates", true);
  EXPECT_EQ(g.kind, CandidateSource::Kind::grid);
  EXPECT_EQ(g.grid_m, 250);
  EXPECT_EQ(g.text(), "grid:250");
  EXPECT_EQ(parse_candidate_source("grid", "x", true).grid_m, 500);  // the default spacing
  const CandidateSource l = parse_candidate_source("sites.csv", "--candidates", true);
  EXPECT_EQ(l.kind, CandidateSource::Kind::layer);
  EXPECT_EQ(l.path, "sites.csv");
  EXPECT_THROW(parse_candidate_source("grid:5", "x", true), ConfigError);
  EXPECT_THROW(parse_candidate_source("grid:inf", "x", true), ConfigError);
  EXPECT_THROW(parse_candidate_source("grid:", "x", true), ConfigError);
  EXPECT_THROW(parse_candidate_source("sites.csv", "x", false, "layer"), ConfigError);  // scenario: no paths
  EXPECT_EQ(parse_candidate_source("layer", "x", false, "layer").kind, CandidateSource::Kind::layer);
}

}  // namespace
}  // namespace legalcircle
