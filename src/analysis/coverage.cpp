#include "legalcircle/analysis/coverage.hpp"

#include <algorithm>
#include <limits>

namespace legalcircle {
namespace {

bool finite(float t) { return t < std::numeric_limits<float>::infinity(); }

}  // namespace

std::string_view unreachable_reason(Unreachable u) {
  switch (u) {
    case Unreachable::none: return "";
    case Unreachable::snap_too_far: return "no road within max_snap_m";
    case Unreachable::no_service_reached: return "no service reachable";
  }
  return "";
}

//   a ---S----- b     leaving S: towards b costs (1-f)*T_ab, towards a costs f*T_ba
std::vector<Attachment> exits(const RoadGraph& g, Mode mode, const SnappedPoint& p) {
  std::vector<Attachment> out;
  if (!p.ok()) return out;
  const ModeWeights& w = g.weights(mode);
  const uint32_t s = p.segment;
  if (finite(w.seg_time_ab[s])) out.push_back({g.seg_b[s], (1.0 - p.fraction) * w.seg_time_ab[s]});
  if (finite(w.seg_time_ba[s])) out.push_back({g.seg_a[s], p.fraction * w.seg_time_ba[s]});
  return out;
}

//   a ---S----- b     arriving at S: from a costs f*T_ab, from b costs (1-f)*T_ba
std::vector<Attachment> entries(const RoadGraph& g, Mode mode, const SnappedPoint& p) {
  std::vector<Attachment> out;
  if (!p.ok()) return out;
  const ModeWeights& w = g.weights(mode);
  const uint32_t s = p.segment;
  if (finite(w.seg_time_ab[s])) out.push_back({g.seg_a[s], p.fraction * w.seg_time_ab[s]});
  if (finite(w.seg_time_ba[s])) out.push_back({g.seg_b[s], (1.0 - p.fraction) * w.seg_time_ba[s]});
  return out;
}

double along_segment_s(const RoadGraph& g, Mode mode, const SnappedPoint& from, const SnappedPoint& to) {
  if (!from.ok() || !to.ok() || from.segment != to.segment) return kInf;
  const ModeWeights& w = g.weights(mode);
  const uint32_t s = from.segment;
  if (to.fraction >= from.fraction && finite(w.seg_time_ab[s]))
    return (to.fraction - from.fraction) * w.seg_time_ab[s];
  if (to.fraction <= from.fraction && finite(w.seg_time_ba[s]))
    return (from.fraction - to.fraction) * w.seg_time_ba[s];
  return kInf;
}

AttachedPoint attach(const SegmentIndex& index, LonLat p, const CoverageRequest& request) {
  AttachedPoint a;
  a.snap = index.snap(p, request.max_snap_m);
  if (a.snap.ok()) a.access_s = a.snap.offset_m / (request.access_leg_kmh / 3.6);
  return a;
}

CoverageResult compute_coverage(const RoadGraph& g, const SegmentIndex& index,
                                const std::vector<LonLat>& services,
                                const std::vector<LonLat>& demand, const CoverageRequest& request) {
  CoverageResult result;
  const bool to_service = request.direction == Direction::to_service;

  // Seed: to_service runs on the reversed graph, so a service is "reached" from a node by
  // the node's way into the service (its entries); from_service leaves by its exits.
  MultiSourceSearch search(g, request.mode, request.direction);
  search.reset();
  result.services.reserve(services.size());
  for (uint32_t i = 0; i < services.size(); ++i) {
    AttachedPoint sp = attach(index, services[i], request);
    if (!sp.snap.ok()) {
      result.unsnapped_services.push_back(i);
    } else {
      const auto seeds = to_service ? entries(g, request.mode, sp.snap) : exits(g, request.mode, sp.snap);
      for (const Attachment& a : seeds) search.add_source(a.node, sp.access_s + a.seconds, i);
    }
    result.services.push_back(sp);
  }
  search.run(request.limit_s);
  result.settled_nodes = search.settled_count();

  // Services per segment, for the direct along-segment path of units on the same segment.
  std::vector<std::pair<uint32_t, uint32_t>> service_on_segment;  // (segment, service)
  for (uint32_t i = 0; i < result.services.size(); ++i)
    if (result.services[i].snap.ok()) service_on_segment.emplace_back(result.services[i].snap.segment, i);
  std::sort(service_on_segment.begin(), service_on_segment.end());

  result.units.resize(demand.size());
  for (std::size_t k = 0; k < demand.size(); ++k) {
    UnitResult& u = result.units[k];
    const AttachedPoint dp = attach(index, demand[k], request);
    u.snap_m = dp.snap.offset_m;
    if (!dp.snap.ok()) {
      u.reason = Unreachable::snap_too_far;
      continue;
    }
    // Lexicographic minimum of (time, service index), as the search labels nodes.
    auto consider = [&u](double t, uint32_t service) {
      if (t < u.seconds || (t == u.seconds && service < u.nearest_service)) {
        u.seconds = t;
        u.nearest_service = service;
      }
    };
    const auto legs = to_service ? exits(g, request.mode, dp.snap) : entries(g, request.mode, dp.snap);
    for (const Attachment& a : legs) {
      const double t = search.time(a.node);
      if (t < kInf) consider(dp.access_s + a.seconds + t, search.source(a.node));
    }
    auto range = std::equal_range(service_on_segment.begin(), service_on_segment.end(),
                                  std::make_pair(dp.snap.segment, 0u),
                                  [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto it = range.first; it != range.second; ++it) {
      const AttachedPoint& sp = result.services[it->second];
      const double along = to_service ? along_segment_s(g, request.mode, dp.snap, sp.snap)
                                      : along_segment_s(g, request.mode, sp.snap, dp.snap);
      if (along < kInf) consider(dp.access_s + along + sp.access_s, it->second);
    }
    if (u.seconds > request.limit_s) {  // a direct path may exceed the bound too
      u.seconds = kInf;
      u.nearest_service = kInvalidId;
    }
    if (!(u.seconds < kInf)) u.reason = Unreachable::no_service_reached;
  }
  return result;
}

}  // namespace legalcircle
