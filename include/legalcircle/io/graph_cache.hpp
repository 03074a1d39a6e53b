#pragma once
// The binary graph cache (DESIGN.md: `legalcircle graph --roads R --cache FILE`): a built RoadGraph
// written as its arrays, loaded instead of reading and building the roads when it was made from
// the same file (path, size and modification time) with the same profiles, field mapping and
// modes. Every array is checksummed; a cache that is absent, stale, truncated or corrupt is
// never used — read_graph_cache says why, the caller rebuilds (and rewrites it).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace legalcircle {

// What a cached graph must have been built from.
struct GraphCacheKey {
  std::string roads;          // the roads file, absolute
  uint64_t roads_size = 0;
  int64_t roads_mtime_ns = 0;
  uint64_t build_hash = 0;    // profiles, field mapping and modes (graph_build_hash)
  std::string modes;          // e.g. "walk,ebike,car", for messages
};

// The key of `roads` as it is now on disk; InputError naming it when it cannot be read.
GraphCacheKey graph_cache_key(const std::string& roads, const RoadFieldMapping& mapping, const Profiles& profiles,
                              const std::vector<Mode>& modes);

// What the roads reader said besides the graph: kept so a cached run reports the same.
struct RoadsReadInfo {
  std::string source, generator;
  std::vector<std::string> warnings, notes;
};

// Written atomically (temporary file + rename); OutputError naming the file.
void write_graph_cache(const std::string& path, const GraphCacheKey& key, const RoadGraph& graph,
                       const RoadsReadInfo& info);

struct CachedGraph {
  RoadGraph graph;
  RoadsReadInfo info;
};
// The cached graph, or none with `why` set ("no cache file", "made from another roads file",
// "the roads file changed since", "made with other profiles or modes", "truncated", "checksum
// mismatch: the file is corrupt", ...).
std::optional<CachedGraph> read_graph_cache(const std::string& path, const GraphCacheKey& key, std::string& why);

}  // namespace legalcircle
