#pragma once
// RawRoads (what the readers produce) -> RoadGraph (CSR, per-mode times, largest SCC per mode).
#include <cstdint>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"
#include "legalcircle/graph/profiles.hpp"
#include "legalcircle/graph/road_graph.hpp"

namespace legalcircle {

struct RawWay {
  int64_t id = 0;               // OSM way id, or feature id for GIS layers
  std::vector<uint32_t> nodes;  // indices into RawRoads::coord, in the way's order
  Tags tags;                    // highway, oneway, access tags, maxspeed, name, ...
};

struct RawRoads {
  std::vector<LonLat> coord;
  std::vector<int64_t> node_id;  // OSM node id or -1
  std::vector<RawWay> ways;
  std::string source;            // file name, for messages
  std::string generator;         // OSM files: the header's generator (legalcircle_generate: synthetic)
  std::vector<std::string> warnings;  // what the reader skipped (missing node locations, ...)
  std::vector<std::string> notes;     // what the reader decided (class values mapped, ...)
};

struct BuildOptions {
  std::vector<Mode> modes = {Mode::walk, Mode::ebike, Mode::car};
  bool spatial_order = true;  // renumber nodes along a Hilbert curve for cache locality
};

// Builds the graph. Nodes used by no allowed way of any requested mode are left out.
// Throws InputError naming the source when no way is usable by any requested mode.
RoadGraph build_graph(const RawRoads& roads, const Profiles& profiles, const BuildOptions& options);
// The same, releasing the raw roads' memory as it goes (`roads` is left empty).
RoadGraph build_graph(RawRoads&& roads, const Profiles& profiles, const BuildOptions& options);

}  // namespace legalcircle
