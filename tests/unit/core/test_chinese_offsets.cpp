// GCJ-02 / BD-09 conversions: published vectors, round trips over Zhejiang, sanity of the offset.
#include "legalcircle/core/chinese_offsets.hpp"

#include <algorithm>
#include <iostream>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

// Zhejiang's bounding box, with margin (DESIGN.md: the project's region).
constexpr double kLonMin = 118.0, kLonMax = 123.0, kLatMin = 27.0, kLatMax = 31.5;
constexpr double kStep = 0.05;  // 101 x 91 points

template <class F>
void for_each_zhejiang_point(F f) {
  for (int i = 0; kLonMin + i * kStep <= kLonMax + 1e-9; ++i)
    for (int j = 0; kLatMin + j * kStep <= kLatMax + 1e-9; ++j)
      f(LonLat{kLonMin + i * kStep, kLatMin + j * kStep});
}

TEST(ChineseOffsets, GcjRoundTripOverZhejiangIsExact) {
  double worst_m = 0;
  int points = 0;
  for_each_zhejiang_point([&](LonLat wgs) {
    const LonLat back = gcj02_to_wgs84(wgs84_to_gcj02(wgs));
    worst_m = std::max(worst_m, haversine_m(wgs, back));
    ++points;
  });
  std::cout << "GCJ-02 inverse: max round-trip error over " << points << " Zhejiang points "
            << worst_m * 1000.0 << " mm\n";
  EXPECT_LT(worst_m, 0.5);
  EXPECT_LT(worst_m, 0.001);  // the iteration stops at 1e-9 degrees, ~0.1 mm
}

TEST(ChineseOffsets, Bd09RoundTripOverZhejiangIsExact) {
  double worst_wgs_m = 0, worst_gcj_m = 0;
  for_each_zhejiang_point([&](LonLat wgs) {
    worst_wgs_m = std::max(worst_wgs_m, haversine_m(wgs, bd09_to_wgs84(wgs84_to_bd09(wgs))));
    worst_gcj_m = std::max(worst_gcj_m, haversine_m(wgs, bd09_to_gcj02(gcj02_to_bd09(wgs))));
  });
  std::cout << "BD-09 inverse: max round-trip error over Zhejiang, gcj->bd->gcj "
            << worst_gcj_m * 1000.0 << " mm, wgs->bd->wgs " << worst_wgs_m * 1000.0 << " mm\n";
  EXPECT_LT(worst_wgs_m, 0.5);
  EXPECT_LT(worst_wgs_m, 0.001);
  EXPECT_LT(worst_gcj_m, 0.001);
}

TEST(ChineseOffsets, InverseIsAlsoExactStartingFromTheOffsetSide) {
  // gcj -> wgs -> gcj: the inverse's residual itself.
  double worst_m = 0;
  for_each_zhejiang_point([&](LonLat gcj) {
    worst_m = std::max(worst_m, haversine_m(gcj, wgs84_to_gcj02(gcj02_to_wgs84(gcj))));
    worst_m = std::max(worst_m, haversine_m(gcj, gcj02_to_bd09(bd09_to_gcj02(gcj))));
  });
  EXPECT_LT(worst_m, 0.001);
}

TEST(ChineseOffsets, OffsetInJiaxingIsAFewHundredMetres) {
  const LonLat jiaxing{120.7555, 30.7461};  // city centre, WGS-84
  const double gcj_m = haversine_m(jiaxing, wgs84_to_gcj02(jiaxing));
  EXPECT_GT(gcj_m, 200.0);
  EXPECT_LT(gcj_m, 800.0);
  const LonLat gcj = wgs84_to_gcj02(jiaxing);
  EXPECT_GT(gcj.lon, jiaxing.lon);  // GCJ-02 is shifted east in eastern China
  // BD-09 adds roughly another 0.0065° lon / 0.006° lat, i.e. several hundred metres more.
  const double bd_m = haversine_m(jiaxing, wgs84_to_bd09(jiaxing));
  EXPECT_GT(bd_m, 800.0);
  EXPECT_LT(bd_m, 2000.0);
}

// Published test vectors of googollee/eviltransform (Shanghai, Shenzhen, Beijing; wgs -> gcj),
// reproduced to the last printed digit.
TEST(ChineseOffsets, MatchesPublishedVectors) {
  struct Pair {
    LonLat wgs, gcj;
  };
  const Pair pairs[] = {
      {{121.5272106, 31.1774276}, {121.531541859215, 31.17530398364597}},
      {{113.912316, 22.543847}, {113.9171764808363, 22.540796131694766}},
      {{116.377817, 39.911954}, {116.38404722455657, 39.91334545536069}},
  };
  for (const auto& p : pairs) {
    const LonLat gcj = wgs84_to_gcj02(p.wgs);
    EXPECT_NEAR(gcj.lon, p.gcj.lon, 1e-9) << p.wgs.lon << "," << p.wgs.lat;
    EXPECT_NEAR(gcj.lat, p.gcj.lat, 1e-9) << p.wgs.lon << "," << p.wgs.lat;
    EXPECT_LT(haversine_m(gcj02_to_wgs84(p.gcj), p.wgs), 0.001);
  }
}

TEST(ChineseOffsets, OutsideChinaNoGcjOffset) {
  const LonLat paris{2.35, 48.85};
  EXPECT_TRUE(outside_china(paris));
  EXPECT_EQ(wgs84_to_gcj02(paris).lon, paris.lon);
  EXPECT_EQ(wgs84_to_gcj02(paris).lat, paris.lat);
  EXPECT_EQ(gcj02_to_wgs84(paris).lon, paris.lon);
  EXPECT_FALSE(outside_china({120.7555, 30.7461}));
}

TEST(ChineseOffsets, ParsesNamesAndRejectsUnknown) {
  EXPECT_EQ(parse_offset_system("GCJ02"), OffsetSystem::gcj02);
  EXPECT_EQ(parse_offset_system("gcj-02"), OffsetSystem::gcj02);
  EXPECT_EQ(parse_offset_system("bd09"), OffsetSystem::bd09);
  EXPECT_EQ(parse_offset_system("wgs84"), OffsetSystem::wgs84);
  EXPECT_EQ(offset_system_name(OffsetSystem::bd09), "bd09");
  EXPECT_THROW(parse_offset_system("baidu-mercator"), ConfigError);
  const LonLat p{120.7555, 30.7461};
  EXPECT_EQ(to_wgs84(p, OffsetSystem::wgs84).lon, p.lon);
  EXPECT_LT(haversine_m(to_wgs84(wgs84_to_gcj02(p), OffsetSystem::gcj02), p), 0.001);
  EXPECT_LT(haversine_m(to_wgs84(wgs84_to_bd09(p), OffsetSystem::bd09), p), 0.001);
}

}  // namespace
}  // namespace legalcircle
