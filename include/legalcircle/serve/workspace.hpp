#pragma once
// The planner's workspace behind `legalcircle serve`: a scenario's World, the services as the
// planner has edited them (a WhatIf), the edit history, and every answer the page asks for, as
// JSON. No HTTP here (serve/http_server.hpp binds it); every public method may be called from
// many threads at once (one lock: answers are milliseconds, and edits must not interleave).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "legalcircle/config/scenario.hpp"
#include "legalcircle/output/summary.hpp"
#include "legalcircle/pipeline/plan.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "legalcircle/pipeline/what_if.hpp"
#include "legalcircle/pipeline/world.hpp"

namespace legalcircle {

// A request the workspace refuses, with the reason shown to the planner (HTTP 400).
class RequestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WorkspaceOptions {
  unsigned threads = 1;
  std::size_t max_proposals = 500;     // proposed points standing at once
  std::vector<SitePoint> candidate_layer;  // planning.candidates when it is a layer (read by the caller)
  RunRecord record;                    // inputs, attribution, reading warnings (for the report)
  // The services layer before the scenario's own proposals: where a removed service stood
  // (empty: the World's services).
  PointLayer services_as_read;
};

class Workspace {
 public:
  using json = nlohmann::ordered_json;
  Workspace(World world, Scenario scenario, WorkspaceOptions options);

  // What never changes: title, language, tiers, measures, rules with circles, bounds, services
  // as loaded, towns, attribution, limits.
  json scenario_info() const;
  // The demand units: id, name, town, population, lon, lat (the order of every state array).
  json villages() const;

  // The figures now: headline and per-town table of every measure (with the baseline beside),
  // each unit's verdict per measure, minutes and nearest service; the proposals and removals.
  json state() const;
  // {op: "add", lon, lat, tier, name?} | {op: "move", id, lon, lat} | {op: "remove", id} |
  // {op: "add_many", sites: [{lon, lat, tier, name?}]}: one undoable step; returns state().
  json edit(const json& request);
  json undo();
  json redo();
  json reset();  // back to the scenario's own services (undoable)
  // The figures of a proposal set {add: [{lon, lat, tier}], remove: [ids]} applied to the
  // current services, without changing them (scripts, the load test).
  json evaluate(const json& request);
  // The planning step on the services as they stand: {k}; sites, objective, bound and gap.
  json suggest(const json& request);

  // The union circle of a rule (its bands up to its threshold) in one of its modes, GeoJSON.
  std::string circle_geojson(const std::string& rule, const std::string& mode);
  // Roads within a lon/lat box at a zoom level: the classes that zoom shows, at most max_segments
  // segments (truncated: true when more exist). GeoJSON, one MultiLineString per class.
  std::string roads_geojson(double west, double south, double east, double north, int zoom) const;

  // Downloads.
  std::string proposals_csv() const;
  std::string proposals_geojson() const;
  std::string scenario_yaml() const;  // `legalcircle run` on it reproduces state()
  std::string report_html();          // the full run on the services as they stand
  ServiceEdits edits() const;         // what scenario_yaml() writes under proposals:

  std::uint64_t version() const;

 private:
  struct Slot {
    std::string id, name, tier;
    bool proposed = false;        // added in this workspace
    bool scenario_added = false;  // added by the scenario's own proposals:
  };
  struct Op {
    enum Kind { activate, deactivate, move } kind;
    uint32_t slot;
    LonLat from, to;
  };
  using Step = std::vector<Op>;

  LonLat parse_point(const json& j, const std::string& what) const;
  std::string parse_tier(const json& j, const std::string& what) const;
  uint32_t slot_of(const json& id, const std::string& what) const;
  uint32_t new_slot(LonLat where, const std::string& tier, const std::string& name);
  void apply(const Op& op);
  void undo_op(const Op& op);
  void commit(Step step);
  std::size_t standing_proposals() const;
  json figures(const Verdicts& v) const;
  json state_locked() const;
  // The services as they stand (active slots in order) and the map slot -> standing index.
  PointLayer standing_layer(std::vector<uint32_t>* standing_of_slot = nullptr) const;
  ServiceEdits edits_locked() const;
  ScenarioResult current_result(const Verdicts& v, const std::vector<uint32_t>& standing_of_slot) const;

  World world_;
  Scenario scenario_;
  WorkspaceOptions options_;
  std::vector<std::optional<AreaClass>> unit_class_;
  std::vector<Mode> modes_;
  WhatIf what_if_;
  PointLayer base_layer_;  // the World's services as loaded (slot order); the World's own change
  std::vector<Slot> slots_;
  std::vector<Step> done_, undone_;
  std::uint64_t version_ = 0;
  int next_proposal_ = 1;
  std::vector<MeasureRollup> baseline_;
  json baseline_units_;
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<std::uint64_t, std::string>> circle_cache_;
  // Roads by grid cell and class rank, for roads_geojson.
  struct RoadCells {
    double west = 0, south = 0, cell_deg_lon = 1, cell_deg_lat = 1;
    int nx = 1, ny = 1;
    std::vector<std::vector<uint32_t>> cells;  // [cell] segment ids, by rank then id
    std::vector<uint8_t> rank;                 // per segment
  } roads_;
};

}  // namespace legalcircle
