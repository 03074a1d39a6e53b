// County/town roll-ups and the ranked gap list: a hand-made case with exact numbers, and the
// shared real admin layer (Beijing townships) for Chinese names and totals.
#include "legalcircle/analysis/rollup.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/read_points.hpp"
#include "support/shared_data.hpp"

namespace legalcircle {
namespace {

RollupUnit unit(std::string id, std::string county, std::string town, double population,
                bool covered, double minutes, double threshold = 15.0) {
  RollupUnit u;
  u.id = std::move(id);
  u.county = std::move(county);
  u.town = std::move(town);
  u.population = population;
  u.covered = covered;
  u.reachable = minutes != kInf;
  u.minutes = minutes;
  u.threshold_minutes = threshold;
  return u;
}

// Two counties sharing a town name (魏塘街道), an unreachable unit, ties in the gap list.
std::vector<RollupUnit> small_case() {
  return {
      unit("u1", "嘉善县", "魏塘街道", 1000, true, 10),
      unit("u2", "嘉善县", "魏塘街道", 500, false, 20),
      unit("u3", "嘉善县", "西塘镇", 2000, false, kInf),
      unit("u4", "海盐县", "魏塘街道", 300, true, 5),
      unit("u5", "海盐县", "魏塘街道", 0, false, 16),
      unit("u6", "海盐县", "武原街道", 500, false, 30),       // 15 over
      unit("u0", "海盐县", "武原街道", 500, false, 35, 20.0),  // 15 over, smaller id
  };
}

TEST(Rollup, CountiesTownsAndTotalExact) {
  const auto units = small_case();
  const Rollup r = roll_up(units);

  EXPECT_EQ(r.total.units, 7u);
  EXPECT_EQ(r.total.covered_units, 2u);
  EXPECT_EQ(r.total.uncovered_units, 5u);
  EXPECT_EQ(r.total.unreachable_units, 1u);
  EXPECT_DOUBLE_EQ(r.total.population, 4800);
  EXPECT_DOUBLE_EQ(r.total.covered_population, 1300);
  EXPECT_DOUBLE_EQ(*r.total.coverage_rate_population, 1300.0 / 4800.0);
  EXPECT_DOUBLE_EQ(r.total.coverage_rate_units, 2.0 / 7.0);

  // UTF-8 byte order: 嘉 (E5 98 89) < 海 (E6 B5 B7).
  ASSERT_EQ(r.counties.size(), 2u);
  EXPECT_EQ(r.counties[0].county, "嘉善县");
  EXPECT_EQ(r.counties[0].town, "");
  EXPECT_EQ(r.counties[0].units, 3u);
  EXPECT_EQ(r.counties[0].covered_units, 1u);
  EXPECT_EQ(r.counties[0].uncovered_units, 2u);
  EXPECT_EQ(r.counties[0].unreachable_units, 1u);
  EXPECT_DOUBLE_EQ(r.counties[0].population, 3500);
  EXPECT_DOUBLE_EQ(r.counties[0].covered_population, 1000);
  EXPECT_DOUBLE_EQ(*r.counties[0].coverage_rate_population, 1000.0 / 3500.0);
  EXPECT_DOUBLE_EQ(r.counties[0].coverage_rate_units, 1.0 / 3.0);
  EXPECT_EQ(r.counties[1].county, "海盐县");
  EXPECT_EQ(r.counties[1].units, 4u);
  EXPECT_EQ(r.counties[1].covered_units, 1u);
  EXPECT_EQ(r.counties[1].uncovered_units, 3u);
  EXPECT_DOUBLE_EQ(r.counties[1].population, 1300);
  EXPECT_DOUBLE_EQ(r.counties[1].covered_population, 300);
  EXPECT_DOUBLE_EQ(r.counties[1].coverage_rate_units, 0.25);

  // Towns keyed by (county, town): 魏塘街道 appears twice.
  // Byte order: 西 (E8..) < 魏 (E9..), 武 (E6..) < 魏.
  ASSERT_EQ(r.towns.size(), 4u);
  const std::pair<std::string, std::string> keys[] = {{"嘉善县", "西塘镇"},
                                                       {"嘉善县", "魏塘街道"},
                                                       {"海盐县", "武原街道"},
                                                       {"海盐县", "魏塘街道"}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(r.towns[i].county, keys[i].first) << i;
    EXPECT_EQ(r.towns[i].town, keys[i].second) << i;
  }
  EXPECT_EQ(r.towns[0].units, 1u);
  EXPECT_DOUBLE_EQ(r.towns[0].population, 2000);
  EXPECT_DOUBLE_EQ(*r.towns[0].coverage_rate_population, 0.0);
  EXPECT_EQ(r.towns[1].units, 2u);
  EXPECT_DOUBLE_EQ(r.towns[1].covered_population, 1000);
  EXPECT_DOUBLE_EQ(*r.towns[1].coverage_rate_population, 1000.0 / 1500.0);
  EXPECT_EQ(r.towns[2].units, 2u);
  EXPECT_EQ(r.towns[2].covered_units, 0u);
  EXPECT_DOUBLE_EQ(r.towns[2].population, 1000);
  EXPECT_EQ(r.towns[3].units, 2u);
  EXPECT_DOUBLE_EQ(r.towns[3].population, 300);
  EXPECT_DOUBLE_EQ(*r.towns[3].coverage_rate_population, 1.0);
  EXPECT_DOUBLE_EQ(r.towns[3].coverage_rate_units, 0.5);
}

TEST(Rollup, GapsRankedByPopulationThenMinutesOverThenId) {
  const auto gaps = rank_gaps(small_case());
  ASSERT_EQ(gaps.size(), 5u);
  const char* order[] = {"u3", "u0", "u6", "u2", "u5"};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(gaps[i].id, order[i]) << i;
  EXPECT_FALSE(gaps[0].reachable);
  EXPECT_EQ(gaps[0].minutes_over, kInf);
  EXPECT_EQ(gaps[0].unit, 2u);
  EXPECT_DOUBLE_EQ(gaps[1].minutes_over, 15.0);
  EXPECT_DOUBLE_EQ(gaps[2].minutes_over, 15.0);
  EXPECT_DOUBLE_EQ(gaps[3].minutes_over, 5.0);
  EXPECT_DOUBLE_EQ(gaps[4].minutes_over, 1.0);
  EXPECT_EQ(gaps[3].county, "嘉善县");
  EXPECT_EQ(gaps[3].town, "魏塘街道");
}

TEST(Rollup, RowWithoutPopulationHasNoPopulationRate) {
  const std::vector<RollupUnit> units = {unit("a", "X", "T", 0, false, 20),
                                         unit("b", "X", "T", 0, true, 3)};
  const Rollup r = roll_up(units);
  EXPECT_FALSE(r.total.coverage_rate_population.has_value());
  EXPECT_DOUBLE_EQ(r.total.coverage_rate_units, 0.5);
  EXPECT_TRUE(roll_up({}).counties.empty());
  EXPECT_EQ(roll_up({}).total.units, 0u);
}

TEST(Rollup, RejectsInconsistentUnits) {
  auto bad = small_case();
  bad[1].population = -1;
  EXPECT_THROW(roll_up(bad), InputError);
  bad = small_case();
  bad[2].covered = true;  // covered but unreachable
  EXPECT_THROW(roll_up(bad), InputError);
  EXPECT_THROW(rank_gaps(bad), InputError);
}

// Population per feature index from beijing-townships-population.csv
// (feature_index,county,township,population; UTF-8, no quoted fields).
struct PopulationRow {
  std::string county, town;
  double population = 0;
};
std::map<size_t, PopulationRow> read_population(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::map<size_t, PopulationRow> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string index, county, town, population;
    std::getline(ss, index, ',');
    std::getline(ss, county, ',');
    std::getline(ss, town, ',');
    std::getline(ss, population, ',');
    rows[std::stoul(index)] = {county, town, std::stod(population)};
  }
  return rows;
}

TEST(RollupSharedData, BeijingTownshipsPerCounty) {
  const std::string shp = legalcircle::testing::shared_file("admin/beijing-townships.shp");
  const std::string csv =
      legalcircle::testing::shared_file("admin/beijing-townships-population.csv");
  LEGALCIRCLE_REQUIRE_SHARED(shp);
  LEGALCIRCLE_REQUIRE_SHARED(csv);

  PointReadOptions opt;
  opt.name_field = "乡";
  opt.keep_fields = {"县"};
  const PointLayer layer = read_points(shp, opt);
  ASSERT_EQ(layer.points.size(), 331u);
  ASSERT_EQ(layer.extra_fields, std::vector<std::string>{"县"});
  const auto population = read_population(csv);
  ASSERT_EQ(population.size(), 331u);

  std::vector<RollupUnit> units;
  double total = 0, covered_total = 0;
  size_t covered_count = 0;
  for (size_t i = 0; i < layer.points.size(); ++i) {
    const PointRecord& p = layer.points[i];
    const PopulationRow& pop = population.at(i);
    // The CSV repeats the names: both must have come through intact and in file order.
    EXPECT_EQ(p.extra[0].second, pop.county) << i;
    EXPECT_EQ(p.name, pop.town) << i;
    RollupUnit u;
    u.id = p.id;
    u.county = p.extra[0].second;
    u.town = p.name;
    u.population = pop.population;
    u.covered = i % 2 == 0;  // a deterministic rule: even feature index
    u.minutes = u.covered ? 10.0 : 20.0;
    total += u.population;
    if (u.covered) {
      covered_total += u.population;
      ++covered_count;
    }
    units.push_back(std::move(u));
  }

  const Rollup r = roll_up(units);
  EXPECT_EQ(r.total.units, 331u);
  EXPECT_DOUBLE_EQ(r.total.population, 20755648.0);
  EXPECT_DOUBLE_EQ(total, 20755648.0);
  EXPECT_EQ(r.total.covered_units, covered_count);
  EXPECT_EQ(covered_count, 166u);
  EXPECT_DOUBLE_EQ(r.total.covered_population, covered_total);

  double county_sum = 0, county_covered = 0;
  size_t county_units = 0;
  bool chaoyang = false;
  for (const auto& c : r.counties) {
    county_sum += c.population;
    county_covered += c.covered_population;
    county_units += c.units;
    chaoyang = chaoyang || c.county == "朝阳区";
  }
  EXPECT_TRUE(chaoyang);
  EXPECT_DOUBLE_EQ(county_sum, 20755648.0);
  EXPECT_DOUBLE_EQ(county_covered, covered_total);
  EXPECT_EQ(county_units, 331u);
  for (size_t i = 1; i < r.counties.size(); ++i)
    EXPECT_LT(r.counties[i - 1].county, r.counties[i].county);

  double town_sum = 0;
  for (const auto& t : r.towns) town_sum += t.population;
  EXPECT_DOUBLE_EQ(town_sum, 20755648.0);

  const auto gaps = rank_gaps(units);
  EXPECT_EQ(gaps.size(), 331u - 166u);
  for (size_t i = 1; i < gaps.size(); ++i)
    EXPECT_GE(gaps[i - 1].population, gaps[i].population);
}

}  // namespace
}  // namespace legalcircle
