#include "legalcircle/analysis/rules.hpp"

#include <algorithm>

#include "legalcircle/core/error.hpp"

namespace legalcircle {

std::string_view to_string(AreaClass v) {
  switch (v) {
    case AreaClass::urban: return "urban";
    case AreaClass::rural: return "rural";
    case AreaClass::remote: return "remote";
  }
  return "?";
}

std::string_view to_string(StandardBasis v) { return v == StandardBasis::distance ? "distance" : "time"; }

AreaClass parse_area_class(std::string_view name) {
  for (AreaClass c : {AreaClass::urban, AreaClass::rural, AreaClass::remote})
    if (to_string(c) == name) return c;
  throw ConfigError("unknown area class '" + std::string(name) + "' (expected urban, rural or remote)");
}

const Tier* find_tier(std::span<const Tier> tiers, std::string_view name) {
  for (const Tier& t : tiers)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<uint32_t> eligible_services(std::span<const std::string> service_tier, std::span<const Tier> tiers,
                                        std::string_view rule_tier, bool higher_tiers_serve) {
  auto level_of = [&](std::string_view tier) {
    const Tier* t = find_tier(tiers, tier);
    return t ? t->level : 0;
  };
  const int rule_level = level_of(rule_tier);
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < service_tier.size(); ++i)
    if (rule_tier.empty() || service_tier[i] == rule_tier ||
        (higher_tiers_serve && level_of(service_tier[i]) > rule_level))
      idx.push_back(i);
  return idx;
}

std::vector<uint32_t> standard_services(std::span<const std::string> service_tier,
                                        const ProvincialStandard& standard) {
  std::vector<uint32_t> idx;
  for (uint32_t i = 0; i < service_tier.size(); ++i)
    if (standard.tiers.empty() ||
        std::find(standard.tiers.begin(), standard.tiers.end(), service_tier[i]) != standard.tiers.end())
      idx.push_back(i);
  return idx;
}

std::optional<AreaClass> area_class_of(std::string_view class_value, std::string_view type_value,
                                       const ProvincialStandard* standard) {
  if (!class_value.empty()) return parse_area_class(class_value);
  if (standard)
    if (auto it = standard->type_classes.find(std::string(type_value)); it != standard->type_classes.end())
      return it->second;
  return std::nullopt;
}

bool meets_thresholds(const CoverageRule& rule, const UnitResult& time, const UnitResult& distance) {
  return (!rule.threshold_minutes || time.seconds <= *rule.threshold_minutes * 60.0) &&
         (!rule.threshold_km || distance.seconds <= *rule.threshold_km * 1000.0);
}

RuleOutcome rule_outcome(const CoverageRule& rule, std::optional<AreaClass> unit_class,
                         std::span<const UnitResult> times, std::span<const UnitResult> distances) {
  RuleOutcome o;
  o.applies = !rule.applies_to || unit_class == rule.applies_to;
  o.modes.resize(rule.modes.size());
  for (std::size_t m = 0; m < rule.modes.size(); ++m) {
    ModeOutcome& mo = o.modes[m];
    mo.time = times[m];
    if (rule.threshold_km) mo.distance = distances[m];
    mo.covered = meets_thresholds(rule, mo.time, mo.distance);
    o.covered = o.covered || mo.covered;
  }
  return o;
}

StandardOutcome standard_outcome(const ProvincialStandard& standard, std::optional<AreaClass> unit_class,
                                 const UnitResult& time, const UnitResult& basis_value) {
  StandardOutcome o;
  if (!unit_class) return o;
  const StandardClass& c = standard[*unit_class];
  const bool by_distance = standard.basis == StandardBasis::distance;
  const double s = basis_value.seconds;
  o.value = by_distance ? s / 1000.0 : s / 60.0;
  o.met = by_distance ? s <= c.km * 1000.0 : s <= c.minutes * 60.0;
  o.time = time;
  o.minutes = c.minutes;
  return o;
}

OverallOutcome overall_outcome(std::span<const CoverageRule> rules, std::span<const RuleOutcome> outcomes,
                               const StandardOutcome& standard) {
  OverallOutcome o;
  if (standard.met) {
    o.covered = *standard.met;
    o.primary = standard.time;
    o.primary_threshold_minutes = standard.minutes;
  }
  bool rule_primary = false;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const RuleOutcome& ro = outcomes[r];
    if (!ro.applies) continue;
    o.covered = o.covered.value_or(true) && ro.covered;
    if (!rule_primary) {
      rule_primary = true;
      o.primary = UnitResult{};
      for (const ModeOutcome& m : ro.modes)
        if (m.time.seconds < o.primary.seconds || o.primary.nearest_service == kInvalidId) o.primary = m.time;
      o.primary_threshold_minutes = rules[r].threshold_minutes;
    }
  }
  return o;
}

}  // namespace legalcircle
