// Field words for QGIS aliases and Chinese CSV headers: fixed columns, per rule and mode columns,
// plan before/after columns, input attributes; unique headers.
#include "legalcircle/output/field_labels.hpp"

#include <gtest/gtest.h>

namespace legalcircle {
namespace {

std::vector<CoverageRule> rules() {
  CoverageRule a;
  a.name = "circle";
  a.modes = {Mode::walk};
  CoverageRule b;
  b.name = "circle_walk";  // a rule whose name extends another's, and contains a mode
  b.modes = {Mode::walk, Mode::car};
  return {a, b};
}

TEST(FieldLabels, FixedRuleAndPlanColumns) {
  const auto r = rules();
  EXPECT_EQ(field_label("population", r, "zh"), "人口");
  EXPECT_EQ(field_label("population", r, "en"), "Population");
  EXPECT_EQ(field_label("circle_covered", r, "zh"), "circle·达标");
  EXPECT_EQ(field_label("circle_walk_minutes", r, "zh"), "circle·步行·用时（分钟）");
  // The longest rule name claims its columns: circle_walk's car km, not circle's.
  EXPECT_EQ(field_label("circle_walk_car_km", r, "zh"), "circle_walk·小汽车·路网距离（千米）");
  EXPECT_EQ(field_label("circle_walk_covered", r, "en"), "circle_walk · covered");
  EXPECT_EQ(field_label("covered_population_after", r, "zh"), "已覆盖人口（规划后）");
  EXPECT_EQ(field_label("coverage_rate_units_before", r, "en"), "Coverage rate (units) (before)");
  EXPECT_EQ(field_label("input_minutes", r, "zh"), "输入：minutes");
  // A column nobody described keeps its name rather than a guess.
  EXPECT_EQ(field_label("mystery", r, "zh"), "mystery");
  EXPECT_EQ(field_label("circle_bike_minutes", r, "zh"), "circle_bike_minutes");
}

TEST(FieldLabels, HeadersStayUnique) {
  const std::vector<std::string> columns = {"id", "name", "mystery", "mystery_2", "nearest_service_id"};
  const auto labels = column_labels(columns, rules(), "zh");
  ASSERT_EQ(labels.size(), columns.size());
  EXPECT_EQ(labels[0], "编号");
  for (std::size_t i = 0; i < labels.size(); ++i)
    for (std::size_t k = i + 1; k < labels.size(); ++k) EXPECT_NE(labels[i], labels[k]);
  const auto same = column_labels(std::vector<std::string>{"name", "name"}, rules(), "en");
  EXPECT_EQ(same[0], "Name (name)");
  EXPECT_EQ(same[1], "Name (name)") << "identical columns cannot be told apart; both say so";
}

}  // namespace
}  // namespace legalcircle
