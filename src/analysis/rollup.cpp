#include "legalcircle/analysis/rollup.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

void check(const RollupUnit& u, size_t i) {
  const std::string who = "demand unit '" + u.id + "' (#" + std::to_string(i) + ")";
  if (!std::isfinite(u.population) || u.population < 0)
    throw InputError(who + ": population must be a finite number >= 0, got " +
                     std::to_string(u.population));
  if (std::isnan(u.minutes)) throw InputError(who + ": minutes is NaN");
  if (u.covered && !u.reachable) throw InputError(who + ": covered but not reachable");
}

void add(RollupRow& row, const RollupUnit& u) {
  ++row.units;
  row.population += u.population;
  if (u.covered) {
    ++row.covered_units;
    row.covered_population += u.population;
  } else {
    ++row.uncovered_units;
    if (!u.reachable) ++row.unreachable_units;
  }
}

void finish(RollupRow& row) {
  row.coverage_rate_units =
      row.units ? static_cast<double>(row.covered_units) / static_cast<double>(row.units) : 0.0;
  if (row.population > 0) row.coverage_rate_population = row.covered_population / row.population;
}

}  // namespace

Rollup roll_up(std::span<const RollupUnit> units) {
  // std::string's ordering compares bytes as unsigned char, i.e. UTF-8 byte order.
  std::map<std::string, RollupRow> counties;
  std::map<std::pair<std::string, std::string>, RollupRow> towns;
  Rollup out;
  for (size_t i = 0; i < units.size(); ++i) {
    const RollupUnit& u = units[i];
    check(u, i);
    add(out.total, u);
    RollupRow& c = counties[u.county];
    c.county = u.county;
    add(c, u);
    RollupRow& t = towns[{u.county, u.town}];
    t.county = u.county;
    t.town = u.town;
    add(t, u);
  }
  finish(out.total);
  out.counties.reserve(counties.size());
  for (auto& [key, row] : counties) {
    finish(row);
    out.counties.push_back(std::move(row));
  }
  out.towns.reserve(towns.size());
  for (auto& [key, row] : towns) {
    finish(row);
    out.towns.push_back(std::move(row));
  }
  return out;
}

std::vector<Gap> rank_gaps(std::span<const RollupUnit> units) {
  std::vector<Gap> gaps;
  for (size_t i = 0; i < units.size(); ++i) {
    const RollupUnit& u = units[i];
    check(u, i);
    if (u.covered) continue;
    Gap g;
    g.unit = i;
    g.id = u.id;
    g.county = u.county;
    g.town = u.town;
    g.population = u.population;
    g.reachable = u.reachable && std::isfinite(u.minutes);
    g.minutes = g.reachable ? u.minutes : kInf;
    g.minutes_over = g.reachable ? u.minutes - u.threshold_minutes : kInf;
    gaps.push_back(std::move(g));
  }
  std::sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) {
    if (a.population != b.population) return a.population > b.population;
    if (a.minutes_over != b.minutes_over) return a.minutes_over > b.minutes_over;
    if (a.id != b.id) return a.id < b.id;
    return a.unit < b.unit;
  });
  return gaps;
}

}  // namespace legalcircle
