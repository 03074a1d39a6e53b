#pragma once
// What a scenario's verdicts mean (DESIGN.md "Tiers", "The provincial standard"): which services
// count for a rule, when a unit meets a rule in a mode, a unit's area class, the standard, and
// "overall". Plain values in, plain verdicts out; the pipeline feeds them the travel times.
//
//   rule      a tier (or every service), thresholds in minutes and/or network km, the modes
//             that count (any one suffices), optionally only units of one area class
//   standard  per area class one mode and one threshold (km or minutes, by its basis)
//   overall   every applicable rule met and, where the unit has an area class, the standard
#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "legalcircle/analysis/coverage.hpp"

namespace legalcircle {

// The provincial standard's classes of demand units.
enum class AreaClass { urban, rural, remote };
inline constexpr std::size_t kAreaClassCount = 3;
// What the provincial standard compares: network kilometres or minutes.
enum class StandardBasis { distance, time };

std::string_view to_string(AreaClass v);
std::string_view to_string(StandardBasis v);
// Throws ConfigError naming the value and the accepted ones.
AreaClass parse_area_class(std::string_view name);

// A level of the service network. A higher level serves lower-tier rules when a rule allows it.
struct Tier {
  std::string name;   // e.g. center, town_station, village_point (the services' tier values)
  std::string label;  // for reports, e.g. 县级公共法律服务中心; default: name
  int level = 0;
};

struct CoverageRule {
  std::string name;
  std::string label;  // words for reports, maps and tables (e.g. 15分钟公共法律服务圈); "" = name
  const std::string& shown() const { return label.empty() ? name : label; }
  std::string tier;  // services of this tier count; empty = every service
  std::optional<double> threshold_minutes;  // at least one of the two thresholds is set;
  std::optional<double> threshold_km;       // with both, a unit must meet both
  std::vector<Mode> modes;                  // non-empty
  bool higher_tiers_serve = false;  // services of a higher-level tier count too
  std::optional<AreaClass> applies_to;  // only demand units of this class
};

struct StandardClass {
  Mode mode = Mode::walk;
  double km = 0;
  double minutes = 15;
};

// Zhejiang's 15-minute public legal service circle standard (浙司〔2024〕63号): urban walk
// 15 min (1.2 km), rural ride 15 min (2.0 km), remote drive 15 min (3.0 km).
struct ProvincialStandard {
  std::string name = "zhejiang";
  StandardBasis basis = StandardBasis::distance;
  // Indexed by AreaClass.
  std::array<StandardClass, kAreaClassCount> classes = {{{Mode::walk, 1.2, 15.0},
                                                         {Mode::ebike, 2.0, 15.0},
                                                         {Mode::car, 3.0, 15.0}}};
  // Admin type value -> class, used where the unit has no area_class value.
  std::map<std::string, AreaClass> type_classes = {{"社区", AreaClass::urban},
                                                   {"村", AreaClass::rural}};
  std::vector<std::string> tiers;  // tiers whose points count; empty = every service
  const StandardClass& operator[](AreaClass c) const {
    return classes[static_cast<std::size_t>(c)];
  }
};

const Tier* find_tier(std::span<const Tier> tiers, std::string_view name);

// Indices of the services that count for a rule of `rule_tier` ("" = every service): that tier,
// and with higher_tiers_serve every tier of a higher level. A tier the table lacks has level 0.
std::vector<uint32_t> eligible_services(std::span<const std::string> service_tier, std::span<const Tier> tiers,
                                        std::string_view rule_tier, bool higher_tiers_serve);
// Indices of the services whose tier the standard counts (every service when it names none).
std::vector<uint32_t> standard_services(std::span<const std::string> service_tier,
                                        const ProvincialStandard& standard);

// A unit's class: its area-class value when given (ConfigError when not urban/rural/remote),
// else its admin type through the standard's table, else none.
std::optional<AreaClass> area_class_of(std::string_view class_value, std::string_view type_value,
                                       const ProvincialStandard* standard);

// What one rule found for one unit in one mode. distance.seconds are metres.
struct ModeOutcome {
  UnitResult time;
  UnitResult distance;  // only with a km threshold
  bool covered = false;
};

struct RuleOutcome {
  bool applies = true;   // false: the rule is for another area class
  bool covered = false;  // by any of its modes
  std::vector<ModeOutcome> modes;  // as rule.modes
};

// Within every threshold the rule sets (inclusive): minutes on time, km on network metres.
bool meets_thresholds(const CoverageRule& rule, const UnitResult& time, const UnitResult& distance);
// times[i] / distances[i]: the unit's results by rule.modes[i] (distances empty without km).
RuleOutcome rule_outcome(const CoverageRule& rule, std::optional<AreaClass> unit_class,
                         std::span<const UnitResult> times, std::span<const UnitResult> distances);

struct StandardOutcome {
  std::optional<bool> met;  // none: the unit has no area class
  double value = kInf;      // km (distance basis) or minutes, by the class's mode
  UnitResult time;          // travel time by the class's mode
  double minutes = kInf;    // the class's minutes (the gap list's threshold)
};
// `time` and `basis_value` are the unit's results by its class's mode (basis_value in metres
// for the distance basis, equal to `time` for the time basis).
StandardOutcome standard_outcome(const ProvincialStandard& standard, std::optional<AreaClass> unit_class,
                                 const UnitResult& time, const UnitResult& basis_value);

// A unit's verdict over the whole scenario, and what maps and the gap list show of it.
struct OverallOutcome {
  std::optional<bool> covered;  // none: no applicable rule and no standard verdict
  // The first applicable rule's best mode by time, else the standard's mode.
  UnitResult primary;
  std::optional<double> primary_threshold_minutes;  // none: a km-only rule
};
OverallOutcome overall_outcome(std::span<const CoverageRule> rules, std::span<const RuleOutcome> outcomes,
                               const StandardOutcome& standard);

}  // namespace legalcircle
