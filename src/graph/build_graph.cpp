#include "legalcircle/graph/build_graph.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include "legalcircle/core/error.hpp"
#include "legalcircle/core/release.hpp"

namespace legalcircle {

namespace {

constexpr float kInfF = std::numeric_limits<float>::infinity();

// Position of (x, y) on a Hilbert curve filling a 2^16 x 2^16 grid.
uint64_t hilbert_index(uint32_t x, uint32_t y) {
  constexpr uint32_t n = 1u << 16;
  uint64_t d = 0;
  for (uint32_t s = n / 2; s > 0; s /= 2) {
    uint32_t rx = (x & s) ? 1 : 0;
    uint32_t ry = (y & s) ? 1 : 0;
    d += uint64_t(s) * s * ((3 * rx) ^ ry);
    if (ry == 0) {  // rotate the quadrant
      if (rx == 1) {
        x = n - 1 - x;
        y = n - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

struct BBox {
  double min_lon = kInf, min_lat = kInf, max_lon = -kInf, max_lat = -kInf;
  void add(LonLat p) {
    min_lon = std::min(min_lon, p.lon);
    max_lon = std::max(max_lon, p.lon);
    min_lat = std::min(min_lat, p.lat);
    max_lat = std::max(max_lat, p.lat);
  }
};

// Raw node ids (indices into RawRoads::coord) in graph order, and the inverse map.
std::vector<uint32_t> order_nodes(const RawRoads& roads, const std::vector<uint8_t>& used,
                                  bool spatial) {
  std::vector<uint32_t> order;
  for (uint32_t v = 0; v < used.size(); ++v)
    if (used[v]) order.push_back(v);
  if (!spatial || order.empty()) return order;
  BBox box;
  for (uint32_t v : order) box.add(roads.coord[v]);
  const double w = std::max(box.max_lon - box.min_lon, 1e-12);
  const double h = std::max(box.max_lat - box.min_lat, 1e-12);
  auto cell = [](double t) {  // t in [0, 1] -> 0..65535
    return static_cast<uint32_t>(std::clamp(t, 0.0, 1.0) * 65535.0);
  };
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  keyed.reserve(order.size());
  for (uint32_t v : order) {
    const LonLat p = roads.coord[v];
    keyed.emplace_back(hilbert_index(cell((p.lon - box.min_lon) / w),
                                     cell((p.lat - box.min_lat) / h)),
                       v);
  }
  std::sort(keyed.begin(), keyed.end());  // ties by raw index: deterministic
  for (std::size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

float travel_seconds(double length_m, double speed_kmh) {
  return static_cast<float>(length_m / (speed_kmh / 3.6));
}

// Keeps the mode's largest strongly connected component: times of segments touching any other
// node become +inf. Fills node_kept and the stats.
void keep_largest_scc(const RoadGraph& g, ModeWeights& w) {
  const uint32_t n = g.node_count();
  // Usable arcs, tail -> head. Tails ascend with the arc index, so the list is sorted.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  std::vector<uint8_t> touched(n, 0);
  auto usable_out = [&](uint32_t v, uint32_t a) {
    const uint32_t s = g.arc_segment[a];
    return (g.seg_a[s] == v ? w.seg_time_ab[s] : w.seg_time_ba[s]) != kInfF;
  };
  std::size_t usable = 0;  // counted first: the list is a province's largest temporary
  for (uint32_t v = 0; v < n; ++v)
    for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) usable += usable_out(v, a);
  edges.reserve(usable);
  for (uint32_t v = 0; v < n; ++v) {
    for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
      const uint32_t s = g.arc_segment[a];
      if (w.seg_time_ab[s] == kInfF && w.seg_time_ba[s] == kInfF) continue;
      touched[v] = 1;
      if (usable_out(v, a)) edges.emplace_back(v, g.arc_head[a]);
    }
  }
  using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                 boost::no_property, boost::no_property,
                                                 uint32_t, uint32_t>;
  Csr csr(boost::edges_are_sorted, edges.begin(), edges.end(), n);
  release(edges);
  std::vector<uint32_t> comp(n);
  boost::strong_components(csr,
                           boost::make_iterator_property_map(comp.begin(),
                                                             boost::get(boost::vertex_index, csr)));

  std::vector<uint32_t> size(n, 0);
  for (uint32_t v = 0; v < n; ++v)
    if (touched[v]) ++size[comp[v]];
  // Largest; ties go to the component holding the lowest node index (first met ascending).
  uint32_t best = kInvalidId, best_size = 0;
  for (uint32_t v = 0; v < n; ++v) {
    if (touched[v] && size[comp[v]] > best_size) {
      best = comp[v];
      best_size = size[comp[v]];
    }
  }
  ComponentStats& st = w.stats;
  st = ComponentStats{};
  for (uint32_t c : size)
    if (c > 0) ++st.components_total;
  st.components_dropped = st.components_total > 0 ? st.components_total - 1 : 0;

  w.node_kept.assign(n, 0);
  for (uint32_t v = 0; v < n; ++v) {
    if (!touched[v]) continue;
    if (comp[v] == best) {
      w.node_kept[v] = 1;
      ++st.nodes_kept;
    } else {
      ++st.nodes_dropped;
    }
  }
  for (uint32_t s = 0; s < g.segment_count(); ++s) {
    if (w.seg_time_ab[s] == kInfF && w.seg_time_ba[s] == kInfF) continue;
    const double km = g.seg_length_m[s] / 1000.0;
    if (w.node_kept[g.seg_a[s]] && w.node_kept[g.seg_b[s]]) {
      ++st.segments_kept;
      st.km_kept += km;
    } else {
      ++st.segments_dropped;
      st.km_dropped += km;
      w.seg_time_ab[s] = w.seg_time_ba[s] = kInfF;
    }
  }
}

}  // namespace

RoadGraph build_graph(const RawRoads& roads, const Profiles& profiles, const BuildOptions& options) {
  return build_graph(RawRoads(roads), profiles, options);
}

// The raw roads are released as soon as the graph holds what it needs of them (the ways after
// the segments, the coordinates after the nodes): a province's raw roads and its graph are not
// in memory together while the components are found.
RoadGraph build_graph(RawRoads&& roads, const Profiles& profiles, const BuildOptions& options) {
  std::array<bool, kModeCount> requested{};
  for (Mode m : options.modes) requested[static_cast<std::size_t>(m)] = true;

  RoadGraph g;
  // Ways allowed for some requested mode, with their rules; segments in raw node ids.
  std::vector<std::array<WayRule, kModeCount>> way_rules;
  std::vector<uint32_t> raw_a, raw_b;
  const uint32_t raw_nodes = static_cast<uint32_t>(roads.coord.size());
  for (const RawWay& way : roads.ways) {
    std::array<WayRule, kModeCount> rules{};
    bool any = false;
    for (Mode m : kAllModes) {
      const std::size_t i = static_cast<std::size_t>(m);
      if (!requested[i]) continue;
      rules[i] = evaluate_way(profiles[m], way.tags);
      any = any || rules[i].allowed;
    }
    if (!any || way.nodes.size() < 2) continue;
    const uint32_t way_index = static_cast<uint32_t>(g.way_id.size());
    for (std::size_t i = 0; i + 1 < way.nodes.size(); ++i) {
      const uint32_t a = way.nodes[i], b = way.nodes[i + 1];
      if (a >= raw_nodes || b >= raw_nodes)
        throw InputError(roads.source + ": way " + std::to_string(way.id) +
                         " refers to a node index out of range");
      if (a == b) continue;  // the same node twice in a row: no segment
      raw_a.push_back(a);
      raw_b.push_back(b);
      g.seg_way.push_back(way_index);
    }
    const std::string* name = way.tags.get("name");
    const std::string* cls = way.tags.get("highway");
    g.way_id.push_back(way.id);
    g.way_name.push_back(name ? *name : std::string());
    g.way_class.push_back(cls ? *cls : std::string());
    way_rules.push_back(rules);
  }
  if (raw_a.empty()) {
    std::string modes;
    for (Mode m : options.modes) modes += std::string(modes.empty() ? "" : ", ") + std::string(mode_name(m));
    throw InputError(roads.source + ": no road usable by " + (modes.empty() ? "any mode" : modes) +
                     " (" + std::to_string(roads.ways.size()) + " ways read)");
  }

  release(roads.ways);

  // Nodes: only those on a kept segment, renumbered in spatial order.
  std::vector<uint8_t> used(raw_nodes, 0);
  for (std::size_t s = 0; s < raw_a.size(); ++s) used[raw_a[s]] = used[raw_b[s]] = 1;
  std::vector<uint32_t> order = order_nodes(roads, used, options.spatial_order);
  release(used);
  std::vector<uint32_t> new_id(raw_nodes, kInvalidId);
  for (uint32_t i = 0; i < order.size(); ++i) new_id[order[i]] = i;
  const uint32_t n = static_cast<uint32_t>(order.size());
  g.coord.resize(n);
  g.source_node_id.resize(n);
  BBox box;
  for (uint32_t i = 0; i < n; ++i) {
    g.coord[i] = roads.coord[order[i]];
    g.source_node_id[i] = order[i] < roads.node_id.size() ? roads.node_id[order[i]] : -1;
    box.add(g.coord[i]);
  }
  release(roads.coord);
  release(roads.node_id);
  g.projection = LocalProjection({(box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2});

  const uint32_t segs = static_cast<uint32_t>(raw_a.size());
  g.seg_a.resize(segs);
  g.seg_b.resize(segs);
  g.seg_length_m.resize(segs);
  for (uint32_t s = 0; s < segs; ++s) {
    g.seg_a[s] = new_id[raw_a[s]];
    g.seg_b[s] = new_id[raw_b[s]];
    g.seg_length_m[s] = static_cast<float>(haversine_m(g.coord[g.seg_a[s]], g.coord[g.seg_b[s]]));
  }
  release(raw_a);
  release(raw_b);
  release(order);
  release(new_id);

  // CSR: each segment is an arc at seg_a (-> seg_b) and one at seg_b (-> seg_a).
  g.first_out.assign(n + 1, 0);
  for (uint32_t s = 0; s < segs; ++s) {
    ++g.first_out[g.seg_a[s] + 1];
    ++g.first_out[g.seg_b[s] + 1];
  }
  std::partial_sum(g.first_out.begin(), g.first_out.end(), g.first_out.begin());
  std::vector<uint64_t> packed(2 * std::size_t(segs));  // head << 32 | segment, sorts by both
  {
    std::vector<uint32_t> fill(g.first_out.begin(), g.first_out.end() - 1);
    for (uint32_t s = 0; s < segs; ++s) {
      packed[fill[g.seg_a[s]]++] = uint64_t(g.seg_b[s]) << 32 | s;
      packed[fill[g.seg_b[s]]++] = uint64_t(g.seg_a[s]) << 32 | s;
    }
  }
  g.arc_head.resize(packed.size());
  g.arc_segment.resize(packed.size());
  for (uint32_t v = 0; v < n; ++v) {
    std::sort(packed.begin() + g.first_out[v], packed.begin() + g.first_out[v + 1]);
    for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
      g.arc_head[a] = static_cast<uint32_t>(packed[a] >> 32);
      g.arc_segment[a] = static_cast<uint32_t>(packed[a]);
    }
  }
  release(packed);

  for (Mode m : kAllModes) {
    const std::size_t i = static_cast<std::size_t>(m);
    ModeWeights& w = g.modes[i];
    w = ModeWeights{};
    if (!requested[i]) continue;
    w.present = true;
    w.seg_time_ab.assign(segs, kInfF);
    w.seg_time_ba.assign(segs, kInfF);
    for (uint32_t s = 0; s < segs; ++s) {
      const WayRule& r = way_rules[g.seg_way[s]][i];
      if (!r.allowed) continue;
      const float t = travel_seconds(g.seg_length_m[s], r.speed_kmh);
      if (r.forward) w.seg_time_ab[s] = t;
      if (r.backward) w.seg_time_ba[s] = t;
    }
    keep_largest_scc(g, w);
    w.arc_time_out.resize(g.arc_count());
    w.arc_time_in.resize(g.arc_count());
    for (uint32_t v = 0; v < n; ++v) {
      for (uint32_t a = g.first_out[v]; a < g.first_out[v + 1]; ++a) {
        const uint32_t s = g.arc_segment[a];
        const bool forward = g.seg_a[s] == v;
        w.arc_time_out[a] = forward ? w.seg_time_ab[s] : w.seg_time_ba[s];
        w.arc_time_in[a] = forward ? w.seg_time_ba[s] : w.seg_time_ab[s];
      }
    }
  }
  return g;
}

}  // namespace legalcircle
