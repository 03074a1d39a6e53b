#include "legalcircle/snap/snap.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace legalcircle {
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {
using BgPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BgSegment = bg::model::segment<BgPoint>;
using Value = std::pair<BgSegment, uint32_t>;  // segment in projected metres, segment id
using Tree = bgi::rtree<Value, bgi::rstar<16>>;

// Closest point of segment ab to p, all in projected metres; returns fraction along ab.
double closest_fraction(XY a, XY b, XY p) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  if (len2 <= 0.0) return 0.0;
  return std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0);
}
}  // namespace

struct SegmentIndex::Impl {
  const RoadGraph* graph = nullptr;
  Tree tree;
};

SegmentIndex::SegmentIndex(const RoadGraph& graph, Mode mode) : impl_(std::make_unique<Impl>()) {
  impl_->graph = &graph;
  const ModeWeights& w = graph.weights(mode);
  if (!w.present) return;
  std::vector<Value> values;
  values.reserve(graph.segment_count());
  const float inf = std::numeric_limits<float>::infinity();
  for (uint32_t s = 0; s < graph.segment_count(); ++s) {
    if (!(w.seg_time_ab[s] < inf) && !(w.seg_time_ba[s] < inf)) continue;
    const XY a = graph.projection.forward(graph.coord[graph.seg_a[s]]);
    const XY b = graph.projection.forward(graph.coord[graph.seg_b[s]]);
    values.emplace_back(BgSegment(BgPoint(a.x, a.y), BgPoint(b.x, b.y)), s);
  }
  impl_->tree = Tree(values.begin(), values.end());  // packing (STR) bulk load
}

SegmentIndex::~SegmentIndex() = default;
SegmentIndex::SegmentIndex(SegmentIndex&&) noexcept = default;
SegmentIndex& SegmentIndex::operator=(SegmentIndex&&) noexcept = default;
std::size_t SegmentIndex::size() const { return impl_->tree.size(); }

SnappedPoint SegmentIndex::snap(LonLat p, double max_snap_m) const {
  SnappedPoint best;
  if (impl_->tree.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) return best;
  const RoadGraph& g = *impl_->graph;
  const XY q = g.projection.forward(p);
  // The rtree ranks by distance to each segment; we still recompute the exact distance
  // ourselves and take a few candidates so that equal distances go to the lower segment id.
  constexpr unsigned kCandidates = 8;
  double best_d = kInf;
  for (auto it = impl_->tree.qbegin(bgi::nearest(BgPoint(q.x, q.y), kCandidates));
       it != impl_->tree.qend(); ++it) {
    const uint32_t s = it->second;
    const XY a = g.projection.forward(g.coord[g.seg_a[s]]);
    const XY b = g.projection.forward(g.coord[g.seg_b[s]]);
    const double f = closest_fraction(a, b, q);
    const XY c{a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)};
    const double d = std::hypot(q.x - c.x, q.y - c.y);
    if (d < best_d || (d == best_d && s < best.segment)) {
      best_d = d;
      best.segment = s;
      best.fraction = f;
      best.snapped = g.projection.inverse(c);
    }
  }
  best.offset_m = best_d;
  if (best_d > max_snap_m) best.segment = kInvalidId;  // strictly farther: unreachable
  return best;
}

}  // namespace legalcircle
