#pragma once
// `legalcircle compare RUN_A RUN_B`: two runs' output folders side by side (last year and now, or
// before and after a plan): every measure's coverage per county and town in both runs and the
// change, and the villages whose overall verdict changed (newly covered, lost). Read from what the
// runs wrote (summary.json, demand, gaps, rollup_county, rollup_town), nothing recomputed.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/report.hpp"

namespace legalcircle {

struct AreaChange {
  std::string measure, county, town;  // county and town "" on the total row; town "" on county rows
  std::optional<double> units_a, covered_a, rate_a;  // none: the area is not in that run
  std::optional<double> units_b, covered_b, rate_b;  // rate: covered population share
};

struct VillageChange {
  std::string id, name, county, town;
  double population = 0;
  std::optional<bool> covered_a, covered_b;  // overall verdicts (none: not judged)
  std::optional<double> minutes_a, minutes_b;
  std::optional<LonLat> where;
};

struct RunComparison {
  std::string dir_a, dir_b, title_a, title_b, date_a, date_b, lang;
  std::vector<AreaChange> areas;       // every measure: total, counties, towns
  std::vector<VillageChange> changed;  // overall verdict differs (same id in both runs)
  std::vector<std::string> only_a, only_b;  // unit ids in one run only
  std::size_t units_compared = 0;
  std::vector<LonLat> extent;  // every unit of run B: the map's frame, so changes are seen in the county
  LayerRows roads;             // run B's map roads, drawn under the changes
  std::map<std::string, std::string> rule_labels;  // rule name -> its label (summary.json rules)
};

// InputError naming the folder and file when a run's summary.json or demand layer is missing.
RunComparison compare_runs(const std::string& dir_a, const std::string& dir_b);
// The same from two runs' report inputs (run B may be in memory: a run with a baseline).
RunComparison compare_inputs(const ReportInput& a, const std::string& dir_a, const ReportInput& b,
                             const std::string& dir_b);

// A scenario's `baseline:` (summary.json "baseline": {"dir": ...}): the comparison of that earlier
// run with this one, rendered as the report's section (ReportInput::comparison_section). Nothing
// when the summary names no baseline; InputError naming the folder when it cannot be read.
void attach_baseline(ReportInput& input, const std::string& this_dir, const std::string& lang);

// Tables for the CSV / GeoJSON writers.
Table comparison_table(const RunComparison& c);
Table changed_villages_table(const RunComparison& c);
// comparison.html: headline per measure, county and town tables, the changed villages and a map
// of them (newly covered green, lost red). lang: zh | en.
std::string render_comparison(const RunComparison& c, const std::string& lang);
// The comparison's body (headline, map of the changes, tables per measure, changed villages),
// headings at <h3>, for the report's own section.
std::string comparison_section(const RunComparison& c, const std::string& lang);

}  // namespace legalcircle
