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

TravelTimeField::TravelTimeField(const RoadGraph& g, const SegmentIndex& index,
                                 const CoverageRequest& request)
    : graph_(g), index_(index), request_(request), search_(g, request.mode, request.direction) {}

void TravelTimeField::set_services(const std::vector<LonLat>& services) {
  const RoadGraph& g = graph_;
  const CoverageRequest& request = request_;
  const bool to_service = request.direction == Direction::to_service;
  services_.clear();
  unsnapped_.clear();
  service_on_segment_.clear();
  // Seed: to_service runs on the reversed graph, so a service is "reached" from a node by
  // the node's way into the service (its entries); from_service leaves by its exits.
  search_.reset();
  services_.reserve(services.size());
  for (uint32_t i = 0; i < services.size(); ++i) {
    AttachedPoint sp = attach(index_, services[i], request);
    if (!sp.snap.ok()) {
      unsnapped_.push_back(i);
    } else {
      const auto seeds = to_service ? entries(g, request.mode, sp.snap) : exits(g, request.mode, sp.snap);
      for (const Attachment& a : seeds) search_.add_source(a.node, sp.access_s + a.seconds, i);
      service_on_segment_.emplace_back(sp.snap.segment, i);
    }
    services_.push_back(sp);
  }
  search_.run(request.limit_s);
  std::sort(service_on_segment_.begin(), service_on_segment_.end());
}

UnitResult TravelTimeField::evaluate(LonLat p) const { return evaluate_snapped(index_.snap(p, request_.max_snap_m)); }

UnitResult TravelTimeField::evaluate_snapped(const SnappedPoint& snap) const {
  UnitResult u;
  const bool to_service = request_.direction == Direction::to_service;
  AttachedPoint dp;
  dp.snap = snap;
  if (snap.ok()) dp.access_s = snap.offset_m / (request_.access_leg_kmh / 3.6);
  u.snap_m = dp.snap.offset_m;
  if (!dp.snap.ok()) {
    u.reason = Unreachable::snap_too_far;
    return u;
  }
  // Lexicographic minimum of (time, service index), as the search labels nodes.
  auto consider = [&u](double t, uint32_t service) {
    if (t < u.seconds || (t == u.seconds && service < u.nearest_service)) {
      u.seconds = t;
      u.nearest_service = service;
    }
  };
  const Mode mode = request_.mode;
  const auto legs = to_service ? exits(graph_, mode, dp.snap) : entries(graph_, mode, dp.snap);
  for (const Attachment& a : legs) {
    const double t = search_.time(a.node);
    if (t < kInf) consider(dp.access_s + a.seconds + t, search_.source(a.node));
  }
  auto range = std::equal_range(service_on_segment_.begin(), service_on_segment_.end(),
                                std::make_pair(dp.snap.segment, 0u),
                                [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto it = range.first; it != range.second; ++it) {
    const AttachedPoint& sp = services_[it->second];
    const double along = to_service ? along_segment_s(graph_, mode, dp.snap, sp.snap)
                                    : along_segment_s(graph_, mode, sp.snap, dp.snap);
    if (along < kInf) consider(dp.access_s + along + sp.access_s, it->second);
  }
  if (u.seconds > request_.limit_s) {  // a direct path may exceed the bound too
    u.seconds = kInf;
    u.nearest_service = kInvalidId;
  }
  if (!(u.seconds < kInf)) u.reason = Unreachable::no_service_reached;
  return u;
}

CoverageResult compute_coverage(const RoadGraph& g, const SegmentIndex& index,
                                const std::vector<LonLat>& services,
                                const std::vector<LonLat>& demand, const CoverageRequest& request) {
  TravelTimeField field(g, index, request);
  field.set_services(services);
  CoverageResult result;
  result.services = field.services();
  result.unsnapped_services = field.unsnapped_services();
  result.settled_nodes = field.search().settled_count();
  result.units.reserve(demand.size());
  for (const LonLat& p : demand) result.units.push_back(field.evaluate(p));
  return result;
}

}  // namespace legalcircle
