#pragma once
// summary.json of `legalcircle run`: the scenario's settings and the result's totals, for
// machines and for `legalcircle report` re-rendering a folder later.
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle {

struct RunRecord {
  std::string roads, services, demand;  // input paths as used
  std::string attribution;              // data credit ("" = the user's own data)
  std::string run_date;                 // "2026-12-01 18:52 +08:00": local time and its offset
  std::vector<std::pair<std::string, double>> timings;
  std::vector<std::string> warnings;  // reading the inputs; the result's own follow
};

// The time as RunRecord::run_date wants it: the machine's local time with its UTC offset.
std::string local_run_date(std::time_t when);
std::string local_run_date();

nlohmann::ordered_json scenario_summary(const World& world, const Scenario& scenario, const ScenarioResult& result,
                                        const RunRecord& record);

}  // namespace legalcircle
