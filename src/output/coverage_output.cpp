#include "legalcircle/output/coverage_output.hpp"

#include <cmath>

#include "legalcircle/output/layers.hpp"

namespace legalcircle {

Table coverage_table(const World& world, const std::vector<ModeCoverage>& runs, double threshold_minutes) {
  const auto& units = world.units();
  const auto& services = world.services();
  bool integral_population = true;
  for (const PointRecord& p : units) integral_population = integral_population && p.population == std::floor(p.population);
  Table table;
  table.columns = {{"id", Column::Type::text},
                   {"name", Column::Type::text},
                   {"population", integral_population ? Column::Type::integer : Column::Type::real},
                   {"mode", Column::Type::text},
                   {"nearest_service_id", Column::Type::text},
                   {"minutes", Column::Type::real},
                   {"covered", Column::Type::boolean},
                   {"snap_m", Column::Type::real},
                   {"reason", Column::Type::text}};
  for (const std::string& f : world.demand_layer().extra_fields) add_column(table, f, Column::Type::text);
  const double threshold_s = threshold_minutes * 60.0;
  for (const ModeCoverage& run : runs) {
    const std::string name(mode_name(run.mode));
    for (std::size_t k = 0; k < units.size(); ++k) {
      const PointRecord& p = units[k];
      const UnitResult& u = run.result.units[k];
      const bool reached = u.seconds < kInf;
      const bool covered = reached && u.seconds <= threshold_s;
      std::vector<std::string> row = {
          p.id,
          p.name,
          p.has_population ? (integral_population ? fixed(p.population, 0) : fixed(p.population, 3)) : "",
          name,
          reached ? services[u.nearest_service].id : "",
          reached ? fixed(u.seconds / 60.0, 2) : "",
          covered ? "true" : "false",
          std::isfinite(u.snap_m) ? fixed(u.snap_m, 1) : "",
          std::string(unreachable_reason(u.reason))};
      for (const auto& kv : p.extra) row.push_back(kv.second);
      table.rows.push_back(std::move(row));
      table.geometry.push_back(p.where);
    }
  }
  return table;
}

nlohmann::ordered_json coverage_modes_json(const World& world, const std::vector<ModeCoverage>& runs,
                                           double threshold_minutes) {
  const auto& units = world.units();
  const auto& services = world.services();
  double population = 0;
  for (const PointRecord& p : units) population += p.population;
  const double threshold_s = threshold_minutes * 60.0;
  nlohmann::ordered_json modes = nlohmann::ordered_json::object();
  for (const ModeCoverage& run : runs) {
    std::size_t covered_units = 0, unreachable = 0, too_far = 0;
    double covered_population = 0;
    for (std::size_t k = 0; k < units.size(); ++k) {
      const UnitResult& u = run.result.units[k];
      const bool reached = u.seconds < kInf;
      const bool covered = reached && u.seconds <= threshold_s;
      covered_units += covered;
      if (covered) covered_population += units[k].population;
      unreachable += !reached;
      too_far += u.reason == Unreachable::snap_too_far;
    }
    nlohmann::ordered_json unsnapped = nlohmann::json::array();
    for (uint32_t i : run.result.unsnapped_services) unsnapped.push_back(services[i].id);
    const ComponentStats& st = world.graph().weights(run.mode).stats;
    modes[std::string(mode_name(run.mode))] = {
        {"covered_units", covered_units},
        {"covered_population", covered_population},
        {"covered_share_population", population > 0 ? covered_population / population : 0.0},
        {"covered_share_units", units.empty() ? 0.0 : double(covered_units) / double(units.size())},
        {"unreachable_units", unreachable},
        {"unreachable_snap_too_far", too_far},
        {"unreachable_no_service_reached", unreachable - too_far},
        {"services_used", services.size() - run.result.unsnapped_services.size()},
        {"services_unsnapped", unsnapped},
        {"settled_nodes", run.result.settled_nodes},
        {"network",
         {{"nodes_kept", st.nodes_kept}, {"segments_kept", st.segments_kept}, {"km_kept", st.km_kept},
          {"components_dropped", st.components_dropped}, {"nodes_dropped", st.nodes_dropped},
          {"km_dropped", st.km_dropped}}}};
  }
  return modes;
}

}  // namespace legalcircle
