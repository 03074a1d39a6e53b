#pragma once
// The words for an output column in the report language: QGIS field aliases, and CSV headers with
// `outputs.csv_headers: labels`. Fixed columns come from one table; per rule columns
// (<rule>_covered, <rule>_<mode>_minutes|service|km|covered) are composed from the rule's name and
// the mode; an input attribute kept as input_<name> reads "输入：<name>" / "input: <name>".
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "legalcircle/analysis/rules.hpp"

namespace legalcircle {

// lang: "zh" or "en". A column no rule explains keeps its name (no invented words).
std::string field_label(std::string_view column, std::span<const CoverageRule> rules, std::string_view lang);

// One label per column; where two columns would share one, each of them gets its column name
// appended, so CSV headers stay unique.
std::vector<std::string> column_labels(std::span<const std::string> columns, std::span<const CoverageRule> rules,
                                       std::string_view lang);

}  // namespace legalcircle
