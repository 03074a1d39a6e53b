#include "legalcircle/graph/costs.hpp"

#include <limits>
#include <stdexcept>

namespace legalcircle {

CostView time_costs(const RoadGraph& g, Mode mode) {
  const ModeWeights& w = g.weights(mode);
  if (!w.present) throw std::invalid_argument("graph was built without this mode");
  return {w.arc_time_out, w.arc_time_in, w.seg_time_ab, w.seg_time_ba};
}

CostArrays distance_costs(const RoadGraph& g, Mode mode) {
  const ModeWeights& w = g.weights(mode);
  if (!w.present) throw std::invalid_argument("graph was built without this mode");
  const float inf = std::numeric_limits<float>::infinity();
  CostArrays c;
  c.arc_out.resize(g.arc_count());
  c.arc_in.resize(g.arc_count());
  for (uint32_t a = 0; a < g.arc_count(); ++a) {
    const float len = g.seg_length_m[g.arc_segment[a]];
    c.arc_out[a] = w.arc_time_out[a] < inf ? len : inf;
    c.arc_in[a] = w.arc_time_in[a] < inf ? len : inf;
  }
  c.seg_ab.resize(g.segment_count());
  c.seg_ba.resize(g.segment_count());
  for (uint32_t s = 0; s < g.segment_count(); ++s) {
    c.seg_ab[s] = w.seg_time_ab[s] < inf ? g.seg_length_m[s] : inf;
    c.seg_ba[s] = w.seg_time_ba[s] < inf ? g.seg_length_m[s] : inf;
  }
  return c;
}

}  // namespace legalcircle
