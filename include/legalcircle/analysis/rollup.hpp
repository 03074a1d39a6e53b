#pragma once
// Admin roll-ups and the gap list (DESIGN.md "Gaps"): coverage rate by population and by count
// per county and town, and the uncovered units ranked for the report. Plain records in, plain
// rows out; the caller decides what "covered" means (a tier rule, the provincial standard...).
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

struct RollupUnit {
  std::string id;      // the demand unit's id (ties in the gap list)
  std::string county;  // 区县 name (or code); "" = unknown, rolled up as its own county
  std::string town;    // 镇街 name; names repeat across counties, so towns key on (county, town)
  double population = 0;
  bool covered = false;
  bool reachable = true;           // false: unsnappable or no service reached
  double minutes = kInf;           // full travel time; kInf when unreachable
  double threshold_minutes = 15.0; // the unit's own rule (area classes differ)
};

struct RollupRow {
  std::string county;
  std::string town;  // "" on county rows and the total
  size_t units = 0;
  size_t covered_units = 0;
  size_t uncovered_units = 0;    // size of this row's gap list
  size_t unreachable_units = 0;  // among the uncovered
  double population = 0;
  double covered_population = 0;
  double coverage_rate_units = 0;  // covered_units / units (every row has a unit)
  // covered_population / population; empty when the row has no population (not 0 %: nobody is
  // uncovered either).
  std::optional<double> coverage_rate_population;
};

struct Rollup {
  RollupRow total;
  std::vector<RollupRow> counties;  // sorted by county (UTF-8 byte order)
  std::vector<RollupRow> towns;     // sorted by county, then town (UTF-8 byte order)
};

// The roll-up of one measure of a scenario.
struct MeasureRollup {
  std::string measure;  // overall, rule:<name>, standard
  Rollup rollup;
};

// Throws InputError naming the unit when a population is negative or not finite, minutes is
// NaN, or a unit is covered but not reachable.
Rollup roll_up(std::span<const RollupUnit> units);

struct Gap {
  size_t unit = 0;  // index into the input
  std::string id;
  std::string county;
  std::string town;
  double population = 0;
  double minutes = kInf;       // kInf: unreachable
  double minutes_over = kInf;  // minutes - threshold; kInf when unreachable
  bool reachable = true;
};

// Uncovered units, most population first; ties: more minutes over the threshold first
// (unreachable first of all), then id (byte order), then input order.
std::vector<Gap> rank_gaps(std::span<const RollupUnit> units);

}  // namespace legalcircle
