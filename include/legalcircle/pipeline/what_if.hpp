#pragma once
// A scenario's verdicts kept current while its service set changes. One TravelTimeField per
// distinct (services a measure counts, mode, metric); a point added, moved or removed updates only
// the fields whose measures count its tier, and each field relabels only the nodes the change
// touches (MultiSourceSearch::extend / remove_source). The units are then re-evaluated from the
// fields. evaluate_verdicts() is this class built once, so a what-if answer and `legalcircle run`
// over the same services are the same computation.
//
// Services are slots: the scenario's services first, then every point added, in order. A removed
// slot stays unused, so the others keep their rank in ties ("the service listed first") and a
// run over the services as they stand (removed ones left out, added ones appended) gives the
// same answer.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/config/scenario.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

struct Verdicts;

class WhatIf {
 public:
  // The fields are built `threads` at a time. `keep_fields` false: each field is evaluated and
  // dropped at once (a one-shot answer in the memory of one field per thread); edits then throw
  // std::logic_error.
  WhatIf(const World& world, const Scenario& scenario, std::vector<LonLat> services, std::vector<std::string> tiers,
         std::vector<std::optional<AreaClass>> unit_class, bool keep_fields = true, unsigned threads = 1);
  ~WhatIf();
  WhatIf(WhatIf&&) noexcept;

  // A new service of `tier` (a scenario tier, or "" when the scenario has none); its slot.
  uint32_t add(LonLat where, const std::string& tier);
  void move(uint32_t slot, LonLat where);
  void remove(uint32_t slot);
  // A removed slot serves again, where it stood (undo of a removal, redo of an addition).
  void restore(uint32_t slot);

  std::size_t slot_count() const { return where_.size(); }
  bool active(uint32_t slot) const { return active_.at(slot); }
  const std::vector<LonLat>& where() const { return where_; }
  const std::vector<std::string>& tiers() const { return tier_; }
  const std::vector<std::optional<AreaClass>>& unit_class() const { return unit_class_; }

  // How many searches the measures need: one per (counted services, mode, metric), measures
  // counting the same tiers sharing theirs.
  std::size_t field_count() const { return fields_.size(); }

  // Every unit's verdicts over the active slots; nearest_service indexes slots.
  Verdicts verdicts() const;

 private:
  struct Field;
  bool counts(const Field& f, const std::string& tier) const;
  void evaluate(Field& f) const;

  const World& world_;
  const Scenario& scenario_;
  std::vector<LonLat> where_;
  std::vector<std::string> tier_;
  std::vector<bool> active_;
  std::vector<std::optional<AreaClass>> unit_class_;
  bool keep_fields_;
  std::vector<std::unique_ptr<Field>> fields_;
  // Per rule and its mode (as rule.modes): the time and distance field (-1: none); per standard
  // class mode: time and basis field.
  std::vector<std::vector<int>> rule_time_, rule_distance_;
  std::vector<int> standard_time_, standard_basis_;  // indexed by Mode
};

}  // namespace legalcircle
