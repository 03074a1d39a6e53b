#include "legalcircle/serve/workspace.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/io/text_encoding.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/layers.hpp"
#include "legalcircle/output/report.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/render/svg_map.hpp"

namespace legalcircle {
namespace {

using json = nlohmann::ordered_json;

// Coordinates are kept as an exported scenario writes them (7 decimals, about 1 cm), so the
// run of that scenario sees exactly the points evaluated here.
double round7(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.7f", v);
  return std::strtod(text, nullptr);
}

json rate_json(const RollupRow& r) {
  json j;
  j["units"] = r.units;
  j["covered_units"] = r.covered_units;
  j["population"] = r.population;
  j["covered_population"] = r.covered_population;
  j["rate_units"] = r.coverage_rate_units;
  j["rate_population"] = r.coverage_rate_population ? json(*r.coverage_rate_population) : json(nullptr);
  return j;
}

std::string measure_label(const Scenario& sc, const std::string& measure) {
  const bool zh = sc.outputs.lang == "zh";
  if (measure == "overall") return zh ? "总体（全部规则与标准）" : "Overall (every rule and the standard)";
  if (measure == "standard") return zh ? "省级标准" : "Provincial standard";
  for (const CoverageRule& r : sc.rules)
    if ("rule:" + r.name == measure) return r.shown();
  return measure.substr(5);  // rule:<name>
}


const Workspace::json* member(const Workspace::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

double number_field(const Workspace::json& j, const char* key, const std::string& what) {
  const Workspace::json* v = member(j, key);
  if (!v) throw RequestError(what + ": missing '" + key + "'");
  if (!v->is_number()) throw RequestError(what + ": '" + key + "' must be a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) throw RequestError(what + ": '" + key + "' must be finite");
  return d;
}

}  // namespace

Workspace::Workspace(World world, Scenario scenario, WorkspaceOptions options)
    : world_(std::move(world)),
      scenario_(std::move(scenario)),
      options_(std::move(options)),
      // Checked here, after the World was moved in: its indexes refer to its own graph.
      unit_class_((world_.check_usable(scenario_modes(scenario_)), unit_area_classes(scenario_, world_))),
      modes_(scenario_modes(scenario_)),
      what_if_(world_, scenario_, world_.service_xy(), service_tiers(scenario_, world_), unit_class_),
      base_layer_(world_.service_layer()) {
  if (options_.services_as_read.points.empty()) options_.services_as_read = base_layer_;
  const std::vector<std::string> tiers = service_tiers(scenario_, world_);
  std::set<std::string> scenario_added;
  for (const ProposedService& p : scenario_.proposals.add) scenario_added.insert(p.id);
  for (std::size_t i = 0; i < world_.services().size(); ++i) {
    const PointRecord& p = world_.services()[i];
    slots_.push_back({p.id, p.name, tiers[i], false, scenario_added.count(p.id) > 0});
  }
  const Verdicts v = what_if_.verdicts();
  baseline_ = measure_rollups(world_, scenario_, v);
  baseline_units_ = figures(v)["units"];

  // Road cells: a grid of about 64 x 64 over the network, segments listed by rank.
  const RoadGraph& g = world_.graph();
  double west = 180, east = -180, south = 90, north = -90;
  for (const LonLat& c : g.coord)
    west = std::min(west, c.lon), east = std::max(east, c.lon), south = std::min(south, c.lat),
    north = std::max(north, c.lat);
  if (g.coord.empty()) west = east = south = north = 0;
  roads_.west = west, roads_.south = south;
  roads_.nx = roads_.ny = 64;
  roads_.cell_deg_lon = std::max(1e-6, (east - west) / roads_.nx);
  roads_.cell_deg_lat = std::max(1e-6, (north - south) / roads_.ny);
  roads_.cells.assign(std::size_t(roads_.nx) * roads_.ny, {});
  std::vector<uint8_t> way_rank(g.way_class.size());
  for (std::size_t w = 0; w < g.way_class.size(); ++w) way_rank[w] = uint8_t(road_rank(g.way_class[w]));
  roads_.rank.resize(g.segment_count());
  for (uint32_t s = 0; s < g.segment_count(); ++s) {
    roads_.rank[s] = way_rank[g.seg_way[s]];
    const LonLat& a = g.coord[g.seg_a[s]];
    const int cx = std::clamp(int((a.lon - west) / roads_.cell_deg_lon), 0, roads_.nx - 1);
    const int cy = std::clamp(int((a.lat - south) / roads_.cell_deg_lat), 0, roads_.ny - 1);
    roads_.cells[std::size_t(cy) * roads_.nx + cx].push_back(s);
  }
  for (auto& cell : roads_.cells)
    std::stable_sort(cell.begin(), cell.end(), [&](uint32_t a, uint32_t b) { return roads_.rank[a] < roads_.rank[b]; });
}

std::uint64_t Workspace::version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

// ---------------------------------------------------------------------------------------------
// what never changes

json Workspace::scenario_info() const {
  std::lock_guard lock(mutex_);  // slots_ grows with edits
  const Scenario& sc = scenario_;
  json j;
  j["title"] = sc.title;
  j["name"] = sc.name;
  j["lang"] = sc.outputs.lang;
  j["attribution"] = options_.record.attribution;
  json tiers = json::array();
  for (const Tier& t : sc.tiers) tiers.push_back({{"name", t.name}, {"label", t.label.empty() ? t.name : t.label}, {"level", t.level}});
  j["tiers"] = tiers;
  std::string default_tier;
  if (sc.planning && !sc.planning->tier.empty()) default_tier = sc.planning->tier;
  else if (!sc.tiers.empty())
    default_tier = std::min_element(sc.tiers.begin(), sc.tiers.end(), [](const Tier& a, const Tier& b) {
                     return a.level < b.level;
                   })->name;
  j["default_tier"] = default_tier;
  json measures = json::array();
  for (const MeasureRollup& m : baseline_) measures.push_back({{"key", m.measure}, {"label", measure_label(sc, m.measure)}});
  j["measures"] = measures;
  json rules = json::array();
  for (const CoverageRule& r : sc.rules) {
    json modes = json::array();
    for (Mode m : r.modes) modes.push_back(std::string(mode_name(m)));
    rules.push_back({{"name", r.name},
                     {"label", r.shown()},
                     {"tier", r.tier},
                     {"minutes", r.threshold_minutes ? json(*r.threshold_minutes) : json(nullptr)},
                     {"km", r.threshold_km ? json(*r.threshold_km) : json(nullptr)},
                     {"modes", modes}});
  }
  j["rules"] = rules;
  std::vector<double> bands = sc.isochrones.bands_minutes;
  j["bands"] = bands;
  const RoadGraph& g = world_.graph();
  double west = 180, east = -180, south = 90, north = -90;
  auto grow = [&](LonLat p) {
    west = std::min(west, p.lon), east = std::max(east, p.lon), south = std::min(south, p.lat), north = std::max(north, p.lat);
  };
  for (const PointRecord& p : world_.units()) grow(p.where);
  for (const PointRecord& p : base_layer_.points) grow(p.where);
  if (west > east && !g.coord.empty()) grow(g.coord.front());
  j["bounds"] = {west, south, east, north};
  json services = json::array();
  for (std::size_t i = 0; i < base_layer_.points.size(); ++i) {
    const PointRecord& p = base_layer_.points[i];
    services.push_back({{"id", p.id}, {"name", p.name}, {"tier", slots_[i].tier}, {"lon", p.where.lon}, {"lat", p.where.lat}});
  }
  j["services"] = services;
  // Towns: where their units are (a label at the mean position).
  std::map<std::string, std::tuple<double, double, int>> towns;
  const AdminFields& admin = sc.inputs.demand.admin;
  for (const PointRecord& p : world_.units()) {
    const std::string t = field_value(p, admin.town, sc.inputs.demand.read);
    if (t.empty()) continue;
    auto& [x, y, n] = towns[t];
    x += p.where.lon, y += p.where.lat, ++n;
  }
  json town_list = json::array();
  for (const auto& [name, c] : towns)
    town_list.push_back({{"name", name}, {"lon", std::get<0>(c) / std::get<2>(c)}, {"lat", std::get<1>(c) / std::get<2>(c)}});
  j["towns"] = town_list;
  j["max_proposals"] = options_.max_proposals;
  j["max_snap_m"] = world_.profiles().max_snap_m;
  j["planning"] = {{"configured", sc.planning.has_value()},
                   {"k", sc.planning && sc.planning->add ? *sc.planning->add : 5}};
  j["warnings"] = options_.record.warnings;
  return j;
}

json Workspace::villages() const {
  const Scenario& sc = scenario_;
  json out = json::array();
  for (const PointRecord& p : world_.units())
    out.push_back({{"id", p.id},
                   {"name", p.name},
                   {"town", field_value(p, sc.inputs.demand.admin.town, sc.inputs.demand.read)},
                   {"population", p.population},
                   {"lon", p.where.lon},
                   {"lat", p.where.lat}});
  return out;
}

// ---------------------------------------------------------------------------------------------
// figures

json Workspace::figures(const Verdicts& v) const {
  const Scenario& sc = scenario_;
  const std::size_t n = world_.units().size();
  json j;
  json units;
  {
    json a = json::array();
    for (std::size_t k = 0; k < n; ++k) a.push_back(v.overall[k].covered ? json(int(*v.overall[k].covered)) : json(nullptr));
    units["overall"] = a;
  }
  for (std::size_t r = 0; r < sc.rules.size(); ++r) {
    json a = json::array();
    for (std::size_t k = 0; k < n; ++k)
      a.push_back(v.rules[r][k].applies ? json(int(v.rules[r][k].covered)) : json(nullptr));
    units["rule:" + sc.rules[r].name] = a;
  }
  if (sc.standard) {
    json a = json::array();
    for (std::size_t k = 0; k < n; ++k) a.push_back(v.standard[k].met ? json(int(*v.standard[k].met)) : json(nullptr));
    units["standard"] = a;
  }
  j["units"] = units;
  json minutes = json::array(), nearest = json::array();
  for (std::size_t k = 0; k < n; ++k) {
    const UnitResult& p = v.overall[k].primary;
    minutes.push_back(p.seconds < kInf ? json(std::round(p.seconds / 6.0) / 10.0) : json(nullptr));
    nearest.push_back(p.nearest_service != kInvalidId ? json(slots_[p.nearest_service].id) : json(nullptr));
  }
  j["minutes"] = minutes;
  j["nearest"] = nearest;
  json measures = json::array();
  for (const MeasureRollup& m : measure_rollups(world_, sc, v)) {
    const auto base = std::find_if(baseline_.begin(), baseline_.end(), [&](const MeasureRollup& b) { return b.measure == m.measure; });
    json mj;
    mj["key"] = m.measure;
    mj["total"] = rate_json(m.rollup.total);
    if (base != baseline_.end()) mj["baseline"] = rate_json(base->rollup.total);
    json towns = json::array();
    for (const RollupRow& t : m.rollup.towns) {
      json tj = rate_json(t);
      tj["county"] = t.county;
      tj["town"] = t.town;
      if (base != baseline_.end())
        for (const RollupRow& b : base->rollup.towns)
          if (b.county == t.county && b.town == t.town) tj["baseline"] = rate_json(b);
      towns.push_back(tj);
    }
    mj["towns"] = towns;
    measures.push_back(mj);
  }
  j["measures"] = measures;
  return j;
}

json Workspace::state_locked() const {
  json j = figures(what_if_.verdicts());
  j["version"] = version_;
  j["can_undo"] = !done_.empty();
  j["can_redo"] = !undone_.empty();
  json proposals = json::array(), removed = json::array();
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    const LonLat w = what_if_.where()[s];
    if (slots_[s].proposed && what_if_.active(s))
      proposals.push_back({{"id", slots_[s].id}, {"name", slots_[s].name}, {"tier", slots_[s].tier}, {"lon", w.lon}, {"lat", w.lat}});
    if (!slots_[s].proposed && !what_if_.active(s)) removed.push_back(slots_[s].id);
  }
  j["proposals"] = proposals;
  j["removed"] = removed;
  return j;
}

json Workspace::state() const {
  std::lock_guard lock(mutex_);
  return state_locked();
}

// ---------------------------------------------------------------------------------------------
// edits

LonLat Workspace::parse_point(const json& j, const std::string& what) const {
  LonLat p{number_field(j, "lon", what), number_field(j, "lat", what)};
  if (p.lon < -180 || p.lon > 180 || p.lat < -85 || p.lat > 85)
    throw RequestError(what + ": lon must be -180..180 and lat -85..85 (WGS 84 degrees)");
  p = {round7(p.lon), round7(p.lat)};
  const double limit = world_.profiles().max_snap_m;
  double nearest = kInf;
  for (Mode m : modes_) {
    const SnappedPoint s = world_.index(m).snap(p, kInf);
    if (s.ok()) nearest = std::min(nearest, s.offset_m);
  }
  if (!(nearest <= limit)) {
    char text[160];
    std::snprintf(text, sizeof text, ": the nearest road is %.0f m away, farther than max_snap_m %.0f m", nearest, limit);
    throw RequestError(what + (nearest < kInf ? std::string(text) : ": no road of the scenario's modes"));
  }
  return p;
}

std::string Workspace::parse_tier(const json& j, const std::string& what) const {
  const json* t = member(j, "tier");
  std::string tier;
  if (t && !t->is_null()) {
    if (!t->is_string()) throw RequestError(what + ": 'tier' must be a string");
    tier = t->get<std::string>();
  }
  if (scenario_.tiers.empty()) {
    if (!tier.empty()) throw RequestError(what + ": the scenario defines no tiers, got tier '" + tier + "'");
    return tier;
  }
  if (!scenario_.find_tier(tier)) {
    std::string names;
    for (const Tier& x : scenario_.tiers) names += (names.empty() ? "" : ", ") + x.name;
    throw RequestError(what + ": unknown tier '" + tier + "' (the scenario's tiers: " + names + ")");
  }
  return tier;
}

uint32_t Workspace::slot_of(const json& id, const std::string& what) const {
  if (!id.is_string()) throw RequestError(what + ": 'id' must be a string");
  const std::string s = id.get<std::string>();
  for (uint32_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].id == s && what_if_.active(i)) return i;
  throw RequestError(what + ": no service or proposal '" + s + "' stands now");
}

std::size_t Workspace::standing_proposals() const {
  std::size_t n = 0;
  for (uint32_t s = 0; s < slots_.size(); ++s) n += slots_[s].proposed && what_if_.active(s);
  return n;
}

uint32_t Workspace::new_slot(LonLat where, const std::string& tier, const std::string& name) {
  std::string id;
  do {
    id = "P";
    id.append(std::to_string(next_proposal_++));
  } while (std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.id == id; }));
  const uint32_t slot = what_if_.add(where, tier);  // stands at once: its step's activate is done
  const bool zh = scenario_.outputs.lang == "zh";
  std::string shown = name;
  if (shown.empty()) shown.append(zh ? "新增点 " : "Proposed ").append(id, 1);
  slots_.push_back({id, shown, tier, true, false});
  return slot;
}

void Workspace::apply(const Op& op) {
  if (op.kind == Op::activate) what_if_.restore(op.slot);
  else if (op.kind == Op::deactivate) what_if_.remove(op.slot);
  else what_if_.move(op.slot, op.to);
}

void Workspace::undo_op(const Op& op) {
  if (op.kind == Op::activate) what_if_.remove(op.slot);
  else if (op.kind == Op::deactivate) what_if_.restore(op.slot);
  else what_if_.move(op.slot, op.from);
}

void Workspace::commit(Step step) {
  if (step.empty()) return;
  done_.push_back(std::move(step));
  undone_.clear();
  ++version_;
}

json Workspace::edit(const json& request) {
  std::lock_guard lock(mutex_);
  const json* op = member(request, "op");
  if (!op || !op->is_string()) throw RequestError("edit: expected {\"op\": \"add\" | \"move\" | \"remove\" | \"add_many\", ...}");
  const std::string kind = op->get<std::string>();
  auto name_of = [](const json& j, const std::string& what) {
    const json* n = member(j, "name");
    if (!n || n->is_null()) return std::string();
    if (!n->is_string()) throw RequestError(what + ": 'name' must be a string");
    std::string s = n->get<std::string>();
    if (s.size() > 200 || !is_valid_utf8(s)) throw RequestError(what + ": 'name' must be UTF-8 text of at most 200 bytes");
    return s;
  };
  Step step;
  if (kind == "add" || kind == "add_many") {
    std::vector<json> sites;
    if (kind == "add") sites.push_back(request);
    else {
      const json* list = member(request, "sites");
      if (!list || !list->is_array() || list->empty()) throw RequestError("add_many: 'sites' must be a non-empty list");
      sites.assign(list->begin(), list->end());
    }
    if (standing_proposals() + sites.size() > options_.max_proposals)
      throw RequestError(kind + ": at most " + std::to_string(options_.max_proposals) + " proposed points may stand at once");
    struct Parsed {
      LonLat where;
      std::string tier, name;
    };
    std::vector<Parsed> parsed;  // every site checked before any is added
    for (std::size_t i = 0; i < sites.size(); ++i) {
      const std::string what = kind == "add" ? "add" : "add_many: sites[" + std::to_string(i) + "]";
      parsed.push_back({parse_point(sites[i], what), parse_tier(sites[i], what), name_of(sites[i], what)});
    }
    for (const Parsed& p : parsed) {
      const uint32_t slot = new_slot(p.where, p.tier, p.name);
      step.push_back({Op::activate, slot, p.where, p.where});
    }
  } else if (kind == "move") {
    const json* id = member(request, "id");
    if (!id) throw RequestError("move: missing 'id'");
    const uint32_t slot = slot_of(*id, "move");
    if (!slots_[slot].proposed)
      throw RequestError("move: '" + slots_[slot].id + "' is an existing service; remove it and add a proposal instead");
    step.push_back({Op::move, slot, what_if_.where()[slot], parse_point(request, "move")});
  } else if (kind == "remove") {
    const json* id = member(request, "id");
    if (!id) throw RequestError("remove: missing 'id'");
    const uint32_t slot = slot_of(*id, "remove");
    step.push_back({Op::deactivate, slot, what_if_.where()[slot], what_if_.where()[slot]});
  } else {
    throw RequestError("edit: unknown op '" + kind + "' (expected add, move, remove or add_many)");
  }
  for (const Op& o : step)
    if (kind != "add" && kind != "add_many") apply(o);  // new slots stand already
  commit(std::move(step));
  return state_locked();
}

json Workspace::undo() {
  std::lock_guard lock(mutex_);
  if (done_.empty()) throw RequestError("undo: nothing to undo");
  Step step = std::move(done_.back());
  done_.pop_back();
  for (auto it = step.rbegin(); it != step.rend(); ++it) undo_op(*it);
  undone_.push_back(std::move(step));
  ++version_;
  return state_locked();
}

json Workspace::redo() {
  std::lock_guard lock(mutex_);
  if (undone_.empty()) throw RequestError("redo: nothing to redo");
  Step step = std::move(undone_.back());
  undone_.pop_back();
  for (const Op& o : step) apply(o);
  done_.push_back(std::move(step));
  ++version_;
  return state_locked();
}

json Workspace::reset() {
  std::lock_guard lock(mutex_);
  Step step;
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    const LonLat w = what_if_.where()[s];
    if (slots_[s].proposed && what_if_.active(s)) step.push_back({Op::deactivate, s, w, w});
    if (!slots_[s].proposed && !what_if_.active(s)) step.push_back({Op::activate, s, w, w});
  }
  // A base service that a proposal moved cannot exist (only proposals move).
  for (const Op& o : step) apply(o);
  commit(std::move(step));
  return state_locked();
}

json Workspace::evaluate(const json& request) {
  std::lock_guard lock(mutex_);
  if (!request.is_object()) throw RequestError("evaluate: expected {\"add\": [...], \"remove\": [ids]}");
  for (const auto& [key, value] : request.items())
    if (key != "add" && key != "remove") throw RequestError("evaluate: unknown key '" + key + "' (expected add, remove)");
  std::vector<uint32_t> removed;
  if (const json* r = member(request, "remove")) {
    if (!r->is_array()) throw RequestError("evaluate: 'remove' must be a list of ids");
    for (const json& id : *r) {
      const uint32_t s = slot_of(id, "evaluate: remove");
      if (std::find(removed.begin(), removed.end(), s) != removed.end()) throw RequestError("evaluate: an id is removed twice");
      removed.push_back(s);
    }
  }
  std::vector<std::pair<LonLat, std::string>> added;
  if (const json* a = member(request, "add")) {
    if (!a->is_array()) throw RequestError("evaluate: 'add' must be a list of points");
    if (standing_proposals() + a->size() > options_.max_proposals)
      throw RequestError("evaluate: at most " + std::to_string(options_.max_proposals) + " proposed points may stand at once");
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string what = "evaluate: add[" + std::to_string(i) + "]";
      added.emplace_back(parse_point((*a)[i], what), parse_tier((*a)[i], what));
    }
  }
  // Applied, measured and taken back: the workspace's services are as before.
  std::vector<uint32_t> temporary;
  for (uint32_t s : removed) what_if_.remove(s);
  for (const auto& [where, tier] : added) temporary.push_back(what_if_.add(where, tier));
  const Verdicts v = what_if_.verdicts();
  for (auto it = temporary.rbegin(); it != temporary.rend(); ++it) what_if_.remove(*it);
  for (uint32_t s : removed) what_if_.restore(s);
  // The temporary slots stay unused; slots_ names them so indices still match.
  for (const auto& [where, tier] : added) slots_.push_back({"(evaluated)", "", tier, true, false});
  json j = figures(v);
  j.erase("nearest");
  j["version"] = version_;
  return j;
}

// ---------------------------------------------------------------------------------------------
// the services as they stand

PointLayer Workspace::standing_layer(std::vector<uint32_t>* standing_of_slot) const {
  PointLayer layer = base_layer_;
  const std::vector<PointRecord> base = layer.points;
  layer.points.clear();
  if (standing_of_slot) standing_of_slot->assign(slots_.size(), kInvalidId);
  const std::string& tier_field = scenario_.inputs.services.tier_field;
  const bool tiers = !scenario_.tiers.empty() && !tier_field.empty();
  if (tiers && std::find(layer.extra_fields.begin(), layer.extra_fields.end(), tier_field) == layer.extra_fields.end()) {
    layer.extra_fields.push_back(tier_field);
  }
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (!what_if_.active(s)) continue;
    PointRecord p;
    if (s < base.size()) p = base[s];
    else {
      p.id = slots_[s].id;
      p.name = slots_[s].name;
      p.where = what_if_.where()[s];
    }
    std::vector<std::pair<std::string, std::string>> extra;
    for (const std::string& f : layer.extra_fields) {
      std::string v;
      for (const auto& [k, x] : p.extra)
        if (k == f) v = x;
      if (tiers && f == tier_field && s >= base.size()) v = slots_[s].tier;
      extra.emplace_back(f, v);
    }
    p.extra = std::move(extra);
    if (standing_of_slot) (*standing_of_slot)[s] = uint32_t(layer.points.size());
    layer.points.push_back(std::move(p));
  }
  return layer;
}

ServiceEdits Workspace::edits_locked() const {
  ServiceEdits e;
  std::set<std::string> removed(scenario_.proposals.remove.begin(), scenario_.proposals.remove.end());
  e.remove = scenario_.proposals.remove;
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    const Slot& slot = slots_[s];
    const bool active = what_if_.active(s);
    if (!slot.proposed && !slot.scenario_added && !active && removed.insert(slot.id).second) e.remove.push_back(slot.id);
    if ((slot.proposed || slot.scenario_added) && active)
      e.add.push_back({slot.id, slot.name, slot.tier, what_if_.where()[s]});
  }
  return e;
}

ServiceEdits Workspace::edits() const {
  std::lock_guard lock(mutex_);
  return edits_locked();
}

ScenarioResult Workspace::current_result(const Verdicts& v, const std::vector<uint32_t>& standing_of_slot) const {
  ScenarioResult r;
  r.modes = modes_;
  r.unit_class = unit_class_;
  for (const auto& c : unit_class_) r.unclassified_units += !c;
  for (uint32_t s = 0; s < slots_.size(); ++s)
    if (what_if_.active(s)) r.service_tier.push_back(slots_[s].tier);
  auto map_nearest = [&](UnitResult& u) {
    if (u.nearest_service != kInvalidId) u.nearest_service = standing_of_slot[u.nearest_service];
  };
  r.rules = v.rules;
  for (auto& rule : r.rules)
    for (RuleOutcome& o : rule)
      for (ModeOutcome& m : o.modes) map_nearest(m.time), map_nearest(m.distance);
  r.standard = v.standard;
  for (StandardOutcome& s : r.standard) map_nearest(s.time);
  r.overall = v.overall;
  for (OverallOutcome& o : r.overall) map_nearest(o.primary);
  r.rollups = measure_rollups(world_, scenario_, v);
  return r;
}

json Workspace::suggest(const json& request) {
  std::lock_guard lock(mutex_);
  const json* kj = member(request, "k");
  if (!kj || !kj->is_number_integer() || kj->get<long long>() < 1 || kj->get<long long>() > 100)
    throw RequestError("suggest: 'k' must be a whole number from 1 to 100");
  const int k = int(kj->get<long long>());
  if (standing_proposals() + std::size_t(k) > options_.max_proposals)
    throw RequestError("suggest: at most " + std::to_string(options_.max_proposals) + " proposed points may stand at once");
  Scenario sc = scenario_;
  if (!sc.planning) {
    // No planning section: the demand units as candidates, the headline as objective, the
    // lowest tier (the usual new point) and the first rule's first mode.
    PlanningConfig p;
    p.candidates.kind = CandidateSource::Kind::demand;
    if (!sc.tiers.empty())
      p.tier = std::min_element(sc.tiers.begin(), sc.tiers.end(), [](const Tier& a, const Tier& b) {
                 return a.level < b.level;
               })->name;
    if (!sc.rules.empty() && !sc.rules.front().modes.empty()) p.mode = sc.rules.front().modes.front();
    sc.planning = p;
  }
  sc.planning->add = k;
  sc.planning->target.reset();
  sc.planning->evaluate.reset();
  std::vector<uint32_t> standing_of_slot;
  world_.replace_services(standing_layer(&standing_of_slot));
  const ScenarioResult base = current_result(what_if_.verdicts(), standing_of_slot);
  Observer quiet;
  const PlanResult plan =
      plan_on_measure(world_, sc, base, options_.candidate_layer, {}, options_.threads, quiet, /*with_circle=*/false);
  json j;
  j["k"] = k;
  j["objective"] = plan.objective;
  j["population_before"] = plan.population_before;
  j["population_after"] = plan.population_after;
  j["population_total"] = plan.population_total;
  j["candidates"] = plan.candidate_count;
  j["tier"] = sc.planning->tier;
  if (plan.mclp) {
    j["upper_bound"] = plan.mclp->upper_bound;
    j["gap"] = plan.mclp->gap;
  }
  j["bound_valid"] = plan.bound_valid;
  j["bound_note"] = plan.bound_note;
  j["seconds"] = plan.cover_matrix_s + (plan.mclp ? plan.mclp->seconds : 0.0);
  json sites = json::array();
  for (const PlanResult::Site& s : plan.sites)
    sites.push_back({{"name", s.point.name.empty() ? s.point.id : s.point.name},
                     {"candidate", s.point.id},
                     {"lon", s.point.where.lon},
                     {"lat", s.point.where.lat},
                     {"tier", sc.planning->tier},
                     {"gain_population", s.gain_population},
                     {"newly_covered", s.newly_covered.size()},
                     {"road", s.road},
                     {"town", s.town}});
  j["sites"] = sites;
  return j;
}

// ---------------------------------------------------------------------------------------------
// maps

std::string Workspace::circle_geojson(const std::string& rule_name, const std::string& mode_text) {
  std::lock_guard lock(mutex_);
  const CoverageRule* rule = nullptr;
  for (const CoverageRule& r : scenario_.rules)
    if (r.name == rule_name) rule = &r;
  if (!rule) throw RequestError("circle: no rule '" + rule_name + "'");
  if (!rule->threshold_minutes) throw RequestError("circle: rule '" + rule_name + "' has no minute threshold (km only)");
  Mode mode;
  try {
    mode = parse_mode(mode_text);
  } catch (const ConfigError&) {
    throw RequestError("circle: unknown mode '" + mode_text + "' (walk, ebike, car)");
  }
  if (std::find(rule->modes.begin(), rule->modes.end(), mode) == rule->modes.end())
    throw RequestError("circle: rule '" + rule_name + "' does not use " + mode_text);
  const std::string key = rule_name + "|" + mode_text;
  if (auto it = circle_cache_.find(key); it != circle_cache_.end() && it->second.first == version_) return it->second.second;
  std::vector<std::string> tiers;
  std::vector<LonLat> all;
  for (uint32_t s = 0; s < slots_.size(); ++s)
    if (what_if_.active(s)) tiers.push_back(slots_[s].tier), all.push_back(what_if_.where()[s]);
  std::vector<LonLat> xy;
  for (uint32_t i : eligible_services(tiers, scenario_.tiers, rule->tier, rule->higher_tiers_serve)) xy.push_back(all[i]);
  CircleSpec spec;
  spec.mode = mode;
  for (double b : scenario_.isochrones.bands_minutes)
    if (b < *rule->threshold_minutes) spec.bands_minutes.push_back(b);
  spec.bands_minutes.push_back(*rule->threshold_minutes);
  spec.cell_m = scenario_.isochrones.cell_m[static_cast<std::size_t>(mode)];
  spec.simplify_m = scenario_.isochrones.simplify_m.value_or(-1.0);
  spec.threads = options_.threads;
  std::string out = "{\"type\":\"FeatureCollection\",\"features\":[";
  bool first = true;
  if (!xy.empty())
    for (const BandPolygon& b : union_circle(world_, spec, xy).bands) {
      if (b.wkb.empty()) continue;
      char props[96];
      std::snprintf(props, sizeof props, "{\"minutes\":%g}", b.minutes);
      out += std::string(first ? "" : ",") + "{\"type\":\"Feature\",\"properties\":" + props +
             ",\"geometry\":" + wkb_to_geojson(b.wkb, 6) + "}";
      first = false;
    }
  out += "]}";
  circle_cache_[key] = {version_, out};
  return out;
}

std::string Workspace::roads_geojson(double west, double south, double east, double north, int zoom) const {
  // The classes the zoom shows, and then every further class that still fits the budget: a
  // county's whole network when it is small, its main roads only when it is a province.
  constexpr std::size_t max_segments = 50000;
  const int zoom_rank = zoom <= 9 ? 0 : zoom <= 11 ? 1 : zoom == 12 ? 2 : zoom == 13 ? 3 : 4;
  const RoadGraph& g = world_.graph();
  const int x0 = std::clamp(int(std::floor((west - roads_.west) / roads_.cell_deg_lon)) - 1, 0, roads_.nx - 1);
  const int x1 = std::clamp(int(std::floor((east - roads_.west) / roads_.cell_deg_lon)) + 1, 0, roads_.nx - 1);
  const int y0 = std::clamp(int(std::floor((south - roads_.south) / roads_.cell_deg_lat)) - 1, 0, roads_.ny - 1);
  const int y1 = std::clamp(int(std::floor((north - roads_.south) / roads_.cell_deg_lat)) + 1, 0, roads_.ny - 1);
  std::vector<std::vector<uint32_t>> by_rank(5);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x)
      for (uint32_t s : roads_.cells[std::size_t(y) * roads_.nx + x]) by_rank[roads_.rank[s]].push_back(s);
  std::size_t total = 0;
  bool truncated = false, full = false;
  for (int rank = 0; rank <= 4; ++rank) {
    if (full) {
      by_rank[rank].clear();
    } else if (total + by_rank[rank].size() > max_segments) {
      // A class the zoom asks for is cut to the budget (and the answer says so); a finer one is
      // left out, with every class after it.
      if (rank <= zoom_rank) by_rank[rank].resize(max_segments - total), truncated = true;
      else by_rank[rank].clear();
      full = true;
    } else {
      total += by_rank[rank].size();
    }
  }
  std::string out = "{\"type\":\"FeatureCollection\",\"truncated\":";
  out += truncated ? "true" : "false";
  out += ",\"features\":[";
  bool first_feature = true;
  char xy[64];
  for (int rank = 0; rank <= 4; ++rank) {
    auto& segs = by_rank[rank];
    if (segs.empty()) continue;
    std::sort(segs.begin(), segs.end());
    out += std::string(first_feature ? "" : ",") + "{\"type\":\"Feature\",\"properties\":{\"rank\":" +
           std::to_string(rank) + "},\"geometry\":{\"type\":\"MultiLineString\",\"coordinates\":[";
    first_feature = false;
    // Consecutive segments of one way that meet end to start are one line.
    for (std::size_t i = 0; i < segs.size();) {
      out += i ? ",[" : "[";
      const LonLat a = g.coord[g.seg_a[segs[i]]];
      std::snprintf(xy, sizeof xy, "[%.5f,%.5f]", a.lon, a.lat);
      out += xy;
      std::size_t j = i;
      while (true) {
        const LonLat b = g.coord[g.seg_b[segs[j]]];
        std::snprintf(xy, sizeof xy, ",[%.5f,%.5f]", b.lon, b.lat);
        out += xy;
        if (j + 1 < segs.size() && segs[j + 1] == segs[j] + 1 && g.seg_a[segs[j + 1]] == g.seg_b[segs[j]] &&
            g.seg_way[segs[j + 1]] == g.seg_way[segs[j]])
          ++j;
        else
          break;
      }
      out += "]";
      i = j + 1;
    }
    out += "]}}";
  }
  out += "]}";
  return out;
}

// ---------------------------------------------------------------------------------------------
// downloads

namespace {

Table proposals_table(const ServiceEdits& e, const PointLayer& as_read) {
  Table t;
  add_column(t, "id", Column::Type::text);
  add_column(t, "name", Column::Type::text);
  add_column(t, "tier", Column::Type::text);
  add_column(t, "change", Column::Type::text);
  add_column(t, "lon", Column::Type::real);
  add_column(t, "lat", Column::Type::real);
  char lon[32], lat[32];
  for (const ProposedService& p : e.add) {
    std::snprintf(lon, sizeof lon, "%.7f", p.where.lon);
    std::snprintf(lat, sizeof lat, "%.7f", p.where.lat);
    t.rows.push_back({p.id, p.name, p.tier, "add", lon, lat});
    t.geometry.push_back(p.where);
  }
  for (const std::string& id : e.remove) {
    // The removed service's own place (it stood in the scenario's layer, not in the world now).
    const PointRecord* found = nullptr;
    for (const PointRecord& p : as_read.points)
      if (p.id == id) found = &p;
    LonLat w = found ? found->where : LonLat{0, 0};
    std::snprintf(lon, sizeof lon, "%.7f", w.lon);
    std::snprintf(lat, sizeof lat, "%.7f", w.lat);
    t.rows.push_back({id, found ? found->name : "", "", "remove", lon, lat});
    t.geometry.push_back(w);
  }
  t.shape = Table::Shape::point;
  return t;
}

}  // namespace

std::string Workspace::proposals_csv() const {
  std::lock_guard lock(mutex_);
  return csv_text("proposals.csv", proposals_table(edits_locked(), options_.services_as_read), scenario_.outputs.csv_bom);
}

std::string Workspace::proposals_geojson() const {
  std::lock_guard lock(mutex_);
  return geojson_text("proposals.geojson", "proposals", proposals_table(edits_locked(), options_.services_as_read));
}

std::string Workspace::scenario_yaml() const {
  std::lock_guard lock(mutex_);
  return scenario_yaml_with_proposals(scenario_, edits_locked());
}

std::string Workspace::report_html() {
  std::lock_guard lock(mutex_);
  Scenario sc = scenario_;
  sc.proposals = edits_locked();
  world_.replace_services(standing_layer());
  Observer quiet;
  RunSettings settings;
  settings.threads = options_.threads;
  settings.candidate_sites = options_.candidate_layer;
  const ScenarioResult result = run_scenario(world_, sc, settings, quiet);
  const ScenarioLayers layers = scenario_layers(world_, sc, result);
  RunRecord record = options_.record;
  record.run_date = local_run_date();
  return render_report(report_input(scenario_summary(world_, sc, result, record), layers), sc.outputs.lang);
}

}  // namespace legalcircle
