#include "legalcircle/planning/cover_matrix.hpp"

#include "legalcircle/core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <set>
#include <vector>

namespace legalcircle {

CoverMatrix cover_matrix(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request,
                         double threshold_s, const std::vector<LonLat>& candidates,
                         const std::vector<SnappedPoint>& unit_snaps, unsigned threads) {
  return cover_matrix(g, index, request, time_costs(g, request.mode), threshold_s, candidates, unit_snaps, threads);
}

CoverMatrix cover_matrix(const RoadGraph& g, const SegmentIndex& index, const CoverageRequest& request,
                         const CostView& costs, double threshold_s, const std::vector<LonLat>& candidates,
                         const std::vector<SnappedPoint>& unit_snaps, unsigned threads) {
  CoverMatrix m;
  m.covers.resize(candidates.size());
  m.usable.assign(candidates.size(), 0);
  // Units by snapped segment (CSR over segments): a candidate can only cover units on segments
  // its search reached (or on its own segment), so each candidate looks at those alone.
  std::vector<uint32_t> first_unit(g.segment_count() + 1, 0), units_by_segment;
  for (const SnappedPoint& s : unit_snaps)
    if (s.ok()) ++first_unit[s.segment + 1];
  for (std::size_t k = 1; k < first_unit.size(); ++k) first_unit[k] += first_unit[k - 1];
  units_by_segment.resize(first_unit.back());
  {
    std::vector<uint32_t> fill(first_unit.begin(), first_unit.end() - 1);
    for (uint32_t i = 0; i < unit_snaps.size(); ++i)
      if (unit_snaps[i].ok()) units_by_segment[fill[unit_snaps[i].segment]++] = i;
  }

  CoverageRequest bounded = request;
  bounded.limit_s = threshold_s;
  std::atomic<uint64_t> settled{0};
  struct Worker {
    TravelTimeField field;
    std::vector<uint32_t> seen;  // per unit: the candidate (+1) that last looked at it
  };
  parallel_for(
      candidates.size(), threads,
      [&] { return Worker{TravelTimeField(g, index, bounded, costs), std::vector<uint32_t>(unit_snaps.size(), 0)}; },
      [&](Worker& w, std::size_t j) {
        w.field.set_services({candidates[j]});
        if (!w.field.services()[0].snap.ok()) return;
        m.usable[j] = 1;
        settled += w.field.search().settled_count();
        std::vector<uint32_t>& covers = m.covers[j];
        const uint32_t stamp = static_cast<uint32_t>(j) + 1;
        auto look_at = [&](uint32_t segment) {
          for (uint32_t k = first_unit[segment]; k < first_unit[segment + 1]; ++k) {
            const uint32_t u = units_by_segment[k];
            if (w.seen[u] == stamp) continue;
            w.seen[u] = stamp;
            if (w.field.evaluate_snapped(unit_snaps[u]).seconds <= threshold_s) covers.push_back(u);
          }
        };
        look_at(w.field.services()[0].snap.segment);
        for (uint32_t v : w.field.search().settled_nodes())
          for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) look_at(g.arc_segment[a]);
        std::sort(covers.begin(), covers.end());
      });
  m.settled_nodes = settled;
  return m;
}

std::vector<LonLat> grid_candidates(const RoadGraph& g, const SegmentIndex& index, double spacing_m,
                                    double max_snap_m) {
  std::vector<LonLat> out;
  if (g.node_count() == 0 || !(spacing_m > 0)) return out;
  double min_x = kInf, min_y = kInf, max_x = -kInf, max_y = -kInf;
  for (const LonLat& c : g.coord) {
    const XY p = g.projection.forward(c);
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  std::set<std::pair<uint32_t, long>> seen;  // (segment, fraction in 1e-6): same road position
  for (double y = std::floor(min_y / spacing_m) * spacing_m; y <= max_y; y += spacing_m)
    for (double x = std::floor(min_x / spacing_m) * spacing_m; x <= max_x; x += spacing_m) {
      const SnappedPoint s = index.snap(g.projection.inverse(XY{x, y}), std::min(max_snap_m, spacing_m / 2));
      if (!s.ok()) continue;
      if (seen.emplace(s.segment, std::lround(s.fraction * 1e6)).second) out.push_back(s.snapped);
    }
  return out;
}

}  // namespace legalcircle
