#include "legalcircle/analysis/coverage.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <stdexcept>

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
Attachments exits(const RoadGraph& g, const CostView& c, const SnappedPoint& p) {
  Attachments out;
  if (!p.ok()) return out;
  const uint32_t s = p.segment;
  if (finite(c.seg_ab[s])) out.push_back({g.seg_b[s], (1.0 - p.fraction) * c.seg_ab[s]});
  if (finite(c.seg_ba[s])) out.push_back({g.seg_a[s], p.fraction * c.seg_ba[s]});
  return out;
}

//   a ---S----- b     arriving at S: from a costs f*T_ab, from b costs (1-f)*T_ba
Attachments entries(const RoadGraph& g, const CostView& c, const SnappedPoint& p) {
  Attachments out;
  if (!p.ok()) return out;
  const uint32_t s = p.segment;
  if (finite(c.seg_ab[s])) out.push_back({g.seg_a[s], p.fraction * c.seg_ab[s]});
  if (finite(c.seg_ba[s])) out.push_back({g.seg_b[s], (1.0 - p.fraction) * c.seg_ba[s]});
  return out;
}

double along_segment_s(const CostView& c, const SnappedPoint& from, const SnappedPoint& to) {
  if (!from.ok() || !to.ok() || from.segment != to.segment) return kInf;
  const uint32_t s = from.segment;
  if (to.fraction >= from.fraction && finite(c.seg_ab[s])) return (to.fraction - from.fraction) * c.seg_ab[s];
  if (to.fraction <= from.fraction && finite(c.seg_ba[s])) return (from.fraction - to.fraction) * c.seg_ba[s];
  return kInf;
}

Attachments exits(const RoadGraph& g, Mode mode, const SnappedPoint& p) {
  return exits(g, time_costs(g, mode), p);
}
Attachments entries(const RoadGraph& g, Mode mode, const SnappedPoint& p) {
  return entries(g, time_costs(g, mode), p);
}
double along_segment_s(const RoadGraph& g, Mode mode, const SnappedPoint& from, const SnappedPoint& to) {
  return along_segment_s(time_costs(g, mode), from, to);
}

namespace {
double access_cost_of(const CoverageRequest& r, double offset_m) {
  return r.metric == Metric::distance ? offset_m : offset_m / (r.access_leg_kmh / 3.6);
}
}  // namespace

AttachedPoint attach(const SegmentIndex& index, LonLat p, const CoverageRequest& request) {
  AttachedPoint a;
  a.snap = index.snap(p, request.max_snap_m);
  if (a.snap.ok()) a.access_s = access_cost_of(request, a.snap.offset_m);
  return a;
}

TravelTimeField::TravelTimeField(const RoadGraph& g, const SegmentIndex& index,
                                 const CoverageRequest& request, const CostView& costs)
    : graph_(g),
      index_(index),
      request_(request),
      costs_(costs),
      search_(g, search_costs(costs, request.direction)) {}

TravelTimeField::TravelTimeField(const RoadGraph& g, const SegmentIndex& index,
                                 const CoverageRequest& request)
    : TravelTimeField(g, index, request, time_costs(g, request.mode)) {
  if (request.metric != Metric::time)
    throw std::invalid_argument("TravelTimeField: a distance field needs distance_costs()");
}

double TravelTimeField::access_cost(double offset_m) const { return access_cost_of(request_, offset_m); }

// to_service runs on the reversed graph, so a service is "reached" from a node by the node's way
// into the service (its entries); from_service leaves by its exits.
void TravelTimeField::seed(uint32_t i, const AttachedPoint& sp, std::vector<Seed>& out) const {
  const bool to_service = request_.direction == Direction::to_service;
  for (const Attachment& a : to_service ? entries(graph_, costs_, sp.snap) : exits(graph_, costs_, sp.snap))
    out.push_back({a.node, sp.access_s + a.seconds, i});
}

void TravelTimeField::set_services(const std::vector<LonLat>& services) {
  services_.clear();
  unsnapped_.clear();
  service_on_segment_.clear();
  search_.reset();
  services_.reserve(services.size());
  std::vector<Seed> seeds;
  for (uint32_t i = 0; i < services.size(); ++i) {
    AttachedPoint sp = attach(index_, services[i], request_);
    if (!sp.snap.ok()) {
      unsnapped_.push_back(i);
    } else {
      seeds.clear();
      seed(i, sp, seeds);
      for (const Seed& s : seeds) search_.add_source(s.node, s.start_s, s.source_index);
      service_on_segment_.emplace_back(sp.snap.segment, i);
    }
    services_.push_back(sp);
  }
  search_.run(request_.limit_s);
  std::sort(service_on_segment_.begin(), service_on_segment_.end());
}

// Service i at `where` after the search ran: its nodes relabelled where it improves them (or it
// is listed as unsnapped), its segment indexed for same-segment trips.
AttachedPoint TravelTimeField::attach_after_run(uint32_t i, LonLat where) {
  AttachedPoint sp = attach(index_, where, request_);
  if (!sp.snap.ok()) {
    unsnapped_.insert(std::upper_bound(unsnapped_.begin(), unsnapped_.end(), i), i);
  } else {
    std::vector<Seed> seeds;
    seed(i, sp, seeds);
    search_.extend(seeds);
    const std::pair<uint32_t, uint32_t> key{sp.snap.segment, i};
    service_on_segment_.insert(std::upper_bound(service_on_segment_.begin(), service_on_segment_.end(), key), key);
  }
  return sp;
}

uint32_t TravelTimeField::add_service(LonLat service) {
  const auto i = static_cast<uint32_t>(services_.size());
  services_.push_back(attach_after_run(i, service));
  return i;
}

void TravelTimeField::remove_service(uint32_t i) {
  if (i >= services_.size()) throw std::out_of_range("no service " + std::to_string(i));
  if (auto u = std::find(unsnapped_.begin(), unsnapped_.end(), i); u != unsnapped_.end()) unsnapped_.erase(u);
  if (!services_[i].snap.ok()) return;  // it never served (cannot snap, or already removed)
  const std::pair<uint32_t, uint32_t> key{services_[i].snap.segment, i};
  service_on_segment_.erase(std::lower_bound(service_on_segment_.begin(), service_on_segment_.end(), key));
  std::vector<Seed> own, reseed;
  seed(i, services_[i], own);
  services_[i] = AttachedPoint{};
  for (uint32_t j = 0; j < services_.size(); ++j)
    if (services_[j].snap.ok()) seed(j, services_[j], reseed);
  search_.remove_source(i, own, reseed);
}

void TravelTimeField::move_service(uint32_t i, LonLat where) {
  remove_service(i);
  services_[i] = attach_after_run(i, where);
}

UnitResult TravelTimeField::evaluate(LonLat p) const { return evaluate_snapped(index_.snap(p, request_.max_snap_m)); }
UnitResult TravelTimeField::evaluate_cell(LonLat p) const {
  return evaluate_snapped(index_.snap_within(p, request_.max_snap_m));
}

UnitResult TravelTimeField::evaluate_snapped(const SnappedPoint& snap) const {
  UnitResult u;
  const bool to_service = request_.direction == Direction::to_service;
  AttachedPoint dp;
  dp.snap = snap;
  if (snap.ok()) dp.access_s = access_cost(snap.offset_m);
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
  const auto legs = to_service ? exits(graph_, costs_, dp.snap) : entries(graph_, costs_, dp.snap);
  for (const Attachment& a : legs) {
    const double t = search_.time(a.node);
    if (t < kInf) consider(dp.access_s + a.seconds + t, search_.source(a.node));
  }
  auto range = std::equal_range(service_on_segment_.begin(), service_on_segment_.end(),
                                std::make_pair(dp.snap.segment, 0u),
                                [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto it = range.first; it != range.second; ++it) {
    const AttachedPoint& sp = services_[it->second];
    const double along = to_service ? along_segment_s(costs_, dp.snap, sp.snap)
                                    : along_segment_s(costs_, sp.snap, dp.snap);
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
