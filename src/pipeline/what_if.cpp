#include "legalcircle/pipeline/what_if.hpp"

#include <algorithm>
#include <stdexcept>

#include "legalcircle/core/parallel.hpp"
#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle {

// One search over the services one measure counts (a rule's tier set, or the standard's).
struct WhatIf::Field {
  std::string counted;  // which services count (see the constructor)
  const CoverageRule* rule = nullptr;  // the first rule of that set (none: the standard)
  Mode mode = Mode::walk;
  Metric metric = Metric::time;
  std::optional<TravelTimeField> field;
  std::vector<uint32_t> slot_of;         // field index -> slot
  std::vector<uint32_t> local_of;        // slot -> field index (kInvalidId: not counted)
  std::vector<UnitResult> units;         // nearest_service as slots
};

bool WhatIf::counts(const Field& f, const std::string& tier) const {
  const std::vector<std::string> one{tier};
  return f.rule ? !eligible_services(one, scenario_.tiers, f.rule->tier, f.rule->higher_tiers_serve).empty()
                : !standard_services(one, *scenario_.standard).empty();
}

void WhatIf::evaluate(Field& f) const {
  f.units = world_.evaluate_units(*f.field);
  for (UnitResult& u : f.units)
    if (u.nearest_service != kInvalidId) u.nearest_service = f.slot_of[u.nearest_service];
}

WhatIf::WhatIf(const World& world, const Scenario& sc, std::vector<LonLat> services, std::vector<std::string> tiers,
               std::vector<std::optional<AreaClass>> unit_class, bool keep_fields, unsigned threads)
    : world_(world),
      scenario_(sc),
      where_(std::move(services)),
      tier_(std::move(tiers)),
      active_(where_.size(), true),
      unit_class_(std::move(unit_class)),
      keep_fields_(keep_fields) {
  if (tier_.size() != where_.size()) throw std::invalid_argument("one tier per service expected");
  // Which tiers a measure counts, over every tier a service has or may be given (add() takes
  // only the scenario's tiers when it has some): measures that count the same tiers share their
  // fields (the 15-minute circle of every service and a rule of the lowest tier that higher
  // tiers serve too search the same services). Without a tier table, by the rule's own words.
  std::vector<std::string> tier_names;
  for (const Tier& t : sc.tiers) tier_names.push_back(t.name);
  tier_names.insert(tier_names.end(), tier_.begin(), tier_.end());
  std::sort(tier_names.begin(), tier_names.end());
  tier_names.erase(std::unique(tier_names.begin(), tier_names.end()), tier_names.end());
  auto counted_tiers = [&](const CoverageRule* rule) {
    if (sc.tiers.empty()) return rule ? "rule:" + rule->tier + (rule->higher_tiers_serve ? ":up" : ":only") : std::string("standard");
    std::string counted = "tiers:";
    for (const std::string& t : tier_names) {
      const std::vector<std::string> one{t};
      const bool yes = rule ? !eligible_services(one, sc.tiers, rule->tier, rule->higher_tiers_serve).empty()
                            : !standard_services(one, *sc.standard).empty();
      counted += yes ? '1' : '0';
    }
    return counted;
  };
  // The distinct fields first, in the order the measures name them; then built side by side.
  auto field_for = [&](const CoverageRule* rule, Mode mode, Metric metric) {
    const std::string counted = counted_tiers(rule);
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i]->counted == counted && fields_[i]->mode == mode && fields_[i]->metric == metric) return int(i);
    auto f = std::make_unique<Field>();
    f->counted = counted;
    f->rule = rule;
    f->mode = mode;
    f->metric = metric;
    fields_.push_back(std::move(f));
    return int(fields_.size() - 1);
  };
  for (const CoverageRule& rule : sc.rules) {
    rule_time_.emplace_back();
    rule_distance_.emplace_back();
    for (Mode m : rule.modes) {
      rule_time_.back().push_back(field_for(&rule, m, Metric::time));
      rule_distance_.back().push_back(rule.threshold_km ? field_for(&rule, m, Metric::distance) : -1);
    }
  }
  standard_time_.assign(kModeCount, -1);
  standard_basis_.assign(kModeCount, -1);
  if (sc.standard)
    for (const StandardClass& c : sc.standard->classes) {
      const auto m = static_cast<std::size_t>(c.mode);
      if (standard_time_[m] >= 0) continue;
      standard_time_[m] = field_for(nullptr, c.mode, Metric::time);
      standard_basis_[m] = sc.standard->basis == StandardBasis::distance ? field_for(nullptr, c.mode, Metric::distance)
                                                                         : standard_time_[m];
    }
  // The World builds its per-mode caches on first use, one thread at a time: before the threads.
  for (const auto& f : fields_) {
    world.unit_snaps(f->mode);
    world.costs(f->mode, f->metric);
  }
  // Without kept fields, each thread holds one field at a time.
  parallel_for(fields_.size(), threads, [] { return 0; }, [&](int, std::size_t i) {
    Field& f = *fields_[i];
    f.slot_of = f.rule ? eligible_services(tier_, sc.tiers, f.rule->tier, f.rule->higher_tiers_serve)
                       : standard_services(tier_, *sc.standard);
    f.local_of.assign(where_.size(), kInvalidId);
    std::vector<LonLat> xy;
    for (uint32_t k = 0; k < f.slot_of.size(); ++k) {
      f.local_of[f.slot_of[k]] = k;
      xy.push_back(where_[f.slot_of[k]]);
    }
    f.field.emplace(world.field(f.mode, f.metric, xy));
    evaluate(f);
    if (!keep_fields_) f.field.reset();
  });
}

WhatIf::~WhatIf() = default;
WhatIf::WhatIf(WhatIf&&) noexcept = default;

uint32_t WhatIf::add(LonLat where, const std::string& tier) {
  if (!keep_fields_) throw std::logic_error("WhatIf built without its fields cannot be edited");
  if (!scenario_.tiers.empty() && !scenario_.find_tier(tier))
    throw std::invalid_argument("tier '" + tier + "' is not one of the scenario's tiers");
  const auto slot = static_cast<uint32_t>(where_.size());
  where_.push_back(where);
  tier_.push_back(tier);
  active_.push_back(true);
  for (auto& f : fields_) {
    f->local_of.push_back(kInvalidId);
    if (!counts(*f, tier)) continue;
    f->local_of[slot] = f->field->add_service(where);
    f->slot_of.push_back(slot);
    evaluate(*f);
  }
  return slot;
}

void WhatIf::move(uint32_t slot, LonLat where) {
  if (!keep_fields_) throw std::logic_error("WhatIf built without its fields cannot be edited");
  if (slot >= where_.size() || !active_[slot]) throw std::out_of_range("no active service slot " + std::to_string(slot));
  where_[slot] = where;
  for (auto& f : fields_)
    if (f->local_of[slot] != kInvalidId) {
      f->field->move_service(f->local_of[slot], where);
      evaluate(*f);
    }
}

void WhatIf::remove(uint32_t slot) {
  if (!keep_fields_) throw std::logic_error("WhatIf built without its fields cannot be edited");
  if (slot >= where_.size() || !active_[slot]) throw std::out_of_range("no active service slot " + std::to_string(slot));
  active_[slot] = false;
  for (auto& f : fields_)
    if (f->local_of[slot] != kInvalidId) {
      f->field->remove_service(f->local_of[slot]);
      evaluate(*f);
    }
}

void WhatIf::restore(uint32_t slot) {
  if (!keep_fields_) throw std::logic_error("WhatIf built without its fields cannot be edited");
  if (slot >= where_.size() || active_[slot]) throw std::out_of_range("no removed service slot " + std::to_string(slot));
  active_[slot] = true;
  for (auto& f : fields_)
    if (f->local_of[slot] != kInvalidId) {
      f->field->move_service(f->local_of[slot], where_[slot]);  // re-attaches it at its own index
      evaluate(*f);
    }
}

Verdicts WhatIf::verdicts() const {
  const Scenario& sc = scenario_;
  const std::size_t n = world_.units().size();
  Verdicts v;
  v.rules.assign(sc.rules.size(), std::vector<RuleOutcome>(n));
  for (std::size_t r = 0; r < sc.rules.size(); ++r) {
    const CoverageRule& rule = sc.rules[r];
    std::vector<UnitResult> t(rule.modes.size()), d(rule.modes.size());
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t m = 0; m < rule.modes.size(); ++m) {
        t[m] = fields_[rule_time_[r][m]]->units[k];
        d[m] = rule_distance_[r][m] >= 0 ? fields_[rule_distance_[r][m]]->units[k] : UnitResult{};
      }
      v.rules[r][k] = rule_outcome(rule, unit_class_[k], t, d);
    }
  }
  // The provincial standard: per unit its class's mode and threshold, by distance or time.
  if (sc.standard) {
    v.standard.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      if (!unit_class_[k]) continue;
      const auto m = static_cast<std::size_t>((*sc.standard)[*unit_class_[k]].mode);
      v.standard[k] = standard_outcome(*sc.standard, unit_class_[k], fields_[standard_time_[m]]->units[k],
                                       fields_[standard_basis_[m]]->units[k]);
    }
  }
  v.overall.resize(n);
  std::vector<RuleOutcome> per_rule(sc.rules.size());
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t r = 0; r < sc.rules.size(); ++r) per_rule[r] = v.rules[r][k];
    v.overall[k] = overall_outcome(sc.rules, per_rule, sc.standard ? v.standard[k] : StandardOutcome{});
  }
  return v;
}

}  // namespace legalcircle
