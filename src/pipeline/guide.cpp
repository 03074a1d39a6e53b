#include "legalcircle/pipeline/guide.hpp"

#include <algorithm>
#include <map>

#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"
#include "legalcircle/pipeline/isochrones.hpp"

namespace legalcircle {
namespace {

// A services field the guide names must be in the layer: else an InputError naming the key and
// listing the layer's fields.
void check_service_field(const World& world, const std::string& field, const std::string& key) {
  if (field.empty() || world.services().empty()) return;
  const auto& kept = world.service_layer().extra_fields;
  if (std::find(kept.begin(), kept.end(), field) != kept.end()) return;
  std::string fields;
  for (const std::string& f : world.service_layer().source_fields) fields += (fields.empty() ? "" : ", ") + f;
  throw InputError(world.service_layer().source + ": no field '" + field + "' (" + key + "); the fields are: " + fields);
}

std::string extra_value(const PointRecord& p, const std::string& field) {
  for (const auto& [k, v] : p.extra)
    if (k == field) return v;
  return "";
}

}  // namespace

GuideData guide_data(const World& world, const Scenario& sc, unsigned threads, Observer& observer,
                     const ScenarioResult* base) {
  const GuideConfig& cfg = sc.guide_maps;
  check_service_field(world, cfg.address_field, "guide_maps.address_field");
  check_service_field(world, cfg.town_field, "guide_maps.town_field");
  GuideData out;
  out.modes = cfg.modes;
  out.bands_minutes = cfg.bands_minutes;
  out.limit_minutes = std::max(60.0, cfg.bands_minutes.back() * 2);
  const auto& services = world.services();
  const auto& units = world.units();
  const std::vector<LonLat> xy = world.service_xy();
  const std::size_t M = out.modes.size();

  // The nearest point of every unit per mode (every service counts: a guide names the nearest
  // door, whatever its tier).
  Stage assign(observer, "guide maps: nearest points");
  std::vector<std::vector<UnitResult>> nearest(M);
  for (std::size_t m = 0; m < M; ++m) nearest[m] = world.evaluate_units(world.field(out.modes[m], Metric::time, xy));
  out.stations.resize(services.size());
  for (std::size_t s = 0; s < services.size(); ++s) {
    out.stations[s].service = uint32_t(s);
    out.stations[s].address = extra_value(services[s], cfg.address_field);
  }
  for (std::size_t u = 0; u < units.size(); ++u) {
    std::size_t m = 0;
    while (m < M && nearest[m][u].nearest_service >= services.size()) ++m;
    if (m == M) {
      ++out.unassigned_units;
      continue;
    }
    GuideVillage v;
    v.unit = uint32_t(u);
    v.by_mode = m;
    v.minutes.resize(M);
    out.stations[nearest[m][u].nearest_service].villages.push_back(std::move(v));
  }
  // Times to this station by every mode: the nearest search's where the station is the nearest
  // by that mode too, else one bounded search from the station (ties: the same time).
  const double limit_s = out.limit_minutes * 60;
  for (std::size_t m = 0; m < M; ++m) {
    CoverageRequest req = world.request(out.modes[m]);
    req.limit_s = limit_s;
    const std::vector<SnappedPoint>& snaps = world.unit_snaps(out.modes[m]);  // built before the threads
    parallel_for(
        services.size(), threads, [&] { return TravelTimeField(world.graph(), world.index(out.modes[m]), req); },
        [&](TravelTimeField& own, std::size_t s) {
          GuideStation& st = out.stations[s];
          bool searched = false;
          for (GuideVillage& v : st.villages) {
            const UnitResult& r = nearest[m][v.unit];
            if (r.nearest_service == s) {  // the nearest search is unbounded: always the time
              v.minutes[m] = r.seconds / 60;
              continue;
            }
            if (!searched) own.set_services({xy[s]}), searched = true;
            const UnitResult mine = own.evaluate_snapped(snaps[v.unit]);
            if (mine.nearest_service == 0 && mine.seconds <= limit_s) v.minutes[m] = mine.seconds / 60;
          }
        });
  }
  for (GuideStation& st : out.stations)
    std::stable_sort(st.villages.begin(), st.villages.end(), [](const GuideVillage& a, const GuideVillage& b) {
      if (a.by_mode != b.by_mode) return a.by_mode < b.by_mode;
      return a.minutes[a.by_mode].value_or(kInf) < b.minutes[b.by_mode].value_or(kInf);
    });
  if (out.unassigned_units) {
    const std::string w = std::to_string(out.unassigned_units) +
                          " demand unit(s) are reached by no guide mode from any service point: on no guide map";
    observer.warning(w);
    out.warnings.push_back(w);
  }
  assign.end();

  // Towns: the town field's value, else the town holding most of the station's villages'
  // residents, else the town of the unit nearest to it as the crow flies.
  const std::string& town_field = sc.inputs.demand.admin.town;
  auto unit_town = [&](std::size_t u) { return field_value(units[u], town_field, sc.inputs.demand.read); };
  if (!town_field.empty())
    for (std::size_t u = 0; u < units.size(); ++u) {
      const std::string t = unit_town(u);
      if (!t.empty() && std::find(out.towns.begin(), out.towns.end(), t) == out.towns.end()) out.towns.push_back(t);
    }
  for (std::size_t s = 0; s < services.size(); ++s) {
    GuideStation& st = out.stations[s];
    if (!cfg.town_field.empty()) {
      st.town = extra_value(services[s], cfg.town_field);
    } else if (!town_field.empty()) {
      std::map<std::string, double> weight;
      for (const GuideVillage& v : st.villages) weight[unit_town(v.unit)] += std::max(units[v.unit].population, 1e-9);
      double best = -1;
      for (const std::string& t : out.towns)  // ties: the town listed first
        if (weight.count(t) && weight[t] > best) best = weight[t], st.town = t;
      if (st.town.empty()) {
        double best_m = kInf;
        for (std::size_t u = 0; u < units.size(); ++u) {
          const double d = haversine_m(services[s].where, units[u].where);
          if (d < best_m && !unit_town(u).empty()) best_m = d, st.town = unit_town(u);
        }
      }
    }
    if (!st.town.empty() && std::find(out.towns.begin(), out.towns.end(), st.town) == out.towns.end())
      out.towns.push_back(st.town);
  }
  if (out.towns.empty()) {
    const std::string w = "guide maps: no town pages (neither guide_maps.town_field nor inputs.demand.admin.town is given)";
    observer.warning(w);
    out.warnings.push_back(w);
  }

  // Each station's own areas: the run's per-service isochrones when they are the same bands.
  for (std::size_t m = 0; m < M; ++m) {
    const Mode mode = out.modes[m];
    Stage areas(observer, "guide maps: " + std::string(mode_name(mode)) + " areas");
    for (GuideStation& st : out.stations) st.areas.emplace_back();
    const bool reuse = base && sc.isochrones.enabled && sc.isochrones.per_service &&
                       sc.isochrones.bands_minutes == cfg.bands_minutes &&
                       std::count(base->modes.begin(), base->modes.end(), mode) &&
                       [&] {
                         const auto im = isochrone_modes(sc);
                         return std::find(im.begin(), im.end(), mode) != im.end();
                       }();
    if (reuse) {
      for (const ServiceBand& b : base->isochrones)
        if (b.mode == mode) out.stations[b.service].areas[m].push_back(b.band);
    } else {
      CircleSpec spec;
      spec.mode = mode;
      spec.bands_minutes = cfg.bands_minutes;
      spec.cell_m = sc.isochrones.cell_m[static_cast<std::size_t>(mode)];
      spec.simplify_m = sc.isochrones.simplify_m.value_or(-1.0);
      spec.threads = threads;
      check_raster_size(world.graph(), spec.cell_m, "isochrones.cell_m." + std::string(mode_name(mode)));
      const SnapGrid snaps = circle_snap_grid(world, spec, xy);
      auto results = per_service_isochrones(world, spec, xy, snaps);
      for (std::size_t s = 0; s < services.size(); ++s)
        for (BandPolygon& b : results[s])
          if (!b.wkb.empty()) out.stations[s].areas[m].push_back(std::move(b));
    }
    areas.end(reuse ? "the run's per-service isochrones" : "");
  }
  return out;
}

}  // namespace legalcircle
