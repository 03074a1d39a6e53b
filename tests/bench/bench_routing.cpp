// legalcircle_bench: graph build time, bytes per node, settled nodes per second of the
// multi-source search, coverage end to end. A benchmark, not a test: it prints figures.
//
//   legalcircle_bench                    # every shared extract + the embedded synthetic county
//   legalcircle_bench roads.osm.pbf ...  # given files
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <atomic>
#include <vector>

#include "legalcircle/analysis/coverage.hpp"
#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/pipeline/isochrones.hpp"
#include "legalcircle/planning/cover_matrix.hpp"
#include "legalcircle/planning/max_covering.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_roads.hpp"

using namespace legalcircle;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
std::size_t bytes(const std::vector<T>& v) { return v.capacity() * sizeof(T); }

std::size_t graph_bytes(const RoadGraph& g) {
  std::size_t b = bytes(g.coord) + bytes(g.source_node_id) + bytes(g.first_out) + bytes(g.arc_head) +
                  bytes(g.arc_segment) + bytes(g.seg_a) + bytes(g.seg_b) + bytes(g.seg_length_m) +
                  bytes(g.seg_way) + bytes(g.way_id) + bytes(g.way_name) + bytes(g.way_class);
  for (const std::string& s : g.way_name) b += s.capacity();
  for (const ModeWeights& w : g.modes)
    b += bytes(w.arc_time_out) + bytes(w.arc_time_in) + bytes(w.seg_time_ab) + bytes(w.seg_time_ba) +
         bytes(w.node_kept);
  return b;
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Isochrones: the snap grid, the union circle of `services` services, and per-service polygons
// (5/10/15 minute bands) on both cores.
void bench_isochrones(const RoadGraph& g) {
  const std::vector<double> bands = {5, 10, 15};
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (Mode mode : {Mode::walk, Mode::car}) {
    const SegmentIndex index(g, mode);
    std::vector<LonLat> services;
    for (uint32_t k = 0; k < 100; ++k) {
      const uint32_t node = static_cast<uint32_t>((uint64_t(k) * 2654435761u) % g.node_count());
      if (g.weights(mode).node_kept[node]) services.push_back(g.coord[node]);
    }
    const double cell_m = default_cell_m(mode);
    CoverageRequest req;
    req.mode = mode;
    req.limit_s = isochrone_search_limit_s(900.0, cell_m, req.access_leg_kmh);
    auto t0 = std::chrono::steady_clock::now();
    TravelTimeField field(g, index, req);
    field.set_services(services);
    const SnapGrid snaps = snap_grid(g, index, field, req, 900.0, cell_m, threads);
    const double t_snaps = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    const TimeRaster raster = time_raster(g, field, req, 900.0, cell_m, threads, &snaps);
    const auto circle = trace_bands(raster, bands);
    const double t_union = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    CircleSpec spec;
    spec.mode = mode;
    spec.bands_minutes = bands;
    spec.cell_m = cell_m;
    spec.threads = threads;
    per_service_isochrones(g, index, req, spec, services, snaps);
    const double t_per = seconds_since(t0);
    std::printf("  %-5s isochrones (%.0f m cells): search + snap grid %dx%d %.3f s; union circle of %zu services "
                "%.3f s (%.1f km2 at 15 min); per-service %.1f services/s (%zu services x 3 bands, %u threads)\n",
                std::string(mode_name(mode)).c_str(), cell_m, snaps.grid.width, snaps.grid.height, t_snaps,
                services.size(), t_union, circle.back().area_km2, services.size() / t_per, services.size(), threads);
  }
}

// Planning: MCLP with k = 10 over at least 1,000 grid candidates; demand = 2,000 nodes spread
// over the graph with stand-in populations; 15 minutes walk and car; matrix and solve apart.
void bench_planning(const RoadGraph& g) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (Mode mode : {Mode::walk, Mode::car}) {
    const SegmentIndex index(g, mode);
    CoverageRequest req;
    req.mode = mode;
    std::vector<SnappedPoint> units;
    std::vector<double> weight;
    for (uint32_t k = 0; k < 2000; ++k) {
      const uint32_t node = static_cast<uint32_t>((uint64_t(k) * 2654435761u) % g.node_count());
      units.push_back(index.snap(g.coord[node], req.max_snap_m));
      weight.push_back(1000.0 + (k * 7919) % 4001);
    }
    // The grid spacing that gives at least 1,000 candidates.
    std::vector<LonLat> candidates;
    for (double spacing = 2000; spacing >= 25 && candidates.size() < 1000; spacing /= 1.5)
      candidates = grid_candidates(g, index, spacing, req.max_snap_m);
    auto t0 = std::chrono::steady_clock::now();
    const CoverMatrix m = cover_matrix(g, index, req, 900.0, candidates, units, threads);
    const double t_matrix = seconds_since(t0);
    CoverProblem p;
    p.weight = weight;
    p.covers = m.covers;
    std::size_t entries = 0;
    for (const auto& c : m.covers) entries += c.size();
    const MclpResult r = solve_mclp(p, 10);
    std::printf("  %-5s planning: %zu candidates x %zu units (%zu cover entries): matrix %.3f s (%u threads), "
                "MCLP k=10 %.3f s, gap %.3f%%\n",
                std::string(mode_name(mode)).c_str(), candidates.size(), units.size(), entries, t_matrix, threads,
                r.seconds, 100 * r.gap);
  }
}

void bench_file(const std::string& path) {
  auto t0 = std::chrono::steady_clock::now();
  RawRoads raw = read_roads(path);
  const double t_read = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  RoadGraph g = build_graph(raw, default_profiles(), BuildOptions{});
  const double t_build = seconds_since(t0);
  raw = RawRoads{};
  std::printf("%s\n  read %.3f s, build %.3f s (3 modes): %u nodes, %u segments, %.0f bytes/node\n",
              fs::path(path).filename().c_str(), t_read, t_build, g.node_count(), g.segment_count(),
              double(graph_bytes(g)) / g.node_count());

  for (Mode mode : kAllModes) {
    MultiSourceSearch search(g, mode, Direction::to_service);
    // 16 sources spread over the node range (spatially ordered, so spread over the map).
    const int kRepeats = 20;
    uint64_t settled = 0;
    t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < kRepeats; ++r) {
      search.reset();
      for (uint32_t s = 0; s < 16; ++s) {
        const uint32_t node = static_cast<uint32_t>((uint64_t(s) * 2654435761u + r) % g.node_count());
        if (g.weights(mode).node_kept[node]) search.add_source(node, 0.0, s);
      }
      search.run();
      settled += search.settled_count();
    }
    const double t = seconds_since(t0);
    std::printf("  %-5s multi-source search: %.2f M settled nodes/s (%llu settled in %.3f s, 1 core)\n",
                std::string(mode_name(mode)).c_str(), settled / t / 1e6,
                static_cast<unsigned long long>(settled), t);
  }
  bench_isochrones(g);
  bench_planning(g);
  std::printf("  peak RSS so far %ld MB\n", peak_rss_mb());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    const fs::path shared = LEGALCIRCLE_SHARED_DATA_DEFAULT;
    for (const char* f : {"osm/porto.osm.pbf", "osm/monaco.osm.pbf", "osm/shanghai-center.osm.pbf",
                          "osm/north-bayreuth.osm.gz"})
      if (fs::exists(shared / f)) files.push_back((shared / f).string());
    if (files.empty()) std::printf("shared data not found at %s\n", shared.c_str());
  }
  for (const std::string& f : files) {
    try {
      bench_file(f);
    } catch (const std::exception& e) {
      std::printf("%s: %s\n", f.c_str(), e.what());
      return 1;
    }
  }
  return 0;
}
