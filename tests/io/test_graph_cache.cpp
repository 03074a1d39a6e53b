// The binary graph cache: a graph read back equals the graph written, array by array; a cache
// made from another file, a changed file, other profiles or modes, or a damaged file is never used
// and says why.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/io/graph_cache.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

class GraphCache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lc_cache_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    roads_ = (dir_ / "roads.osm.pbf").string();
    fs::copy_file(fs::path(LEGALCIRCLE_SOURCE_DIR) / "geodata/synthetic-county/roads.osm.pbf", roads_);
    cache_ = (dir_ / "roads.lcgraph").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  RoadGraph build(const Profiles& p, const std::vector<Mode>& modes, RoadsReadInfo& info) const {
    const RawRoads raw = read_roads(roads_);
    info = {raw.source, raw.generator, raw.warnings, raw.notes};
    return build_graph(raw, p, BuildOptions{modes, true});
  }
  fs::path dir_;
  std::string roads_, cache_;
  const std::vector<Mode> modes_ = {Mode::walk, Mode::ebike, Mode::car};
};

TEST_F(GraphCache, ReadsBackEveryArray) {
  const Profiles p = default_profiles();
  RoadsReadInfo info;
  const RoadGraph g = build(p, modes_, info);
  const GraphCacheKey key = graph_cache_key(roads_, {}, p, modes_);
  write_graph_cache(cache_, key, g, info);
  std::string why;
  auto c = read_graph_cache(cache_, key, why);
  ASSERT_TRUE(c) << why;
  const RoadGraph& r = c->graph;
  EXPECT_EQ(c->info.generator, "legalcircle_generate");
  EXPECT_EQ(c->info.source, info.source);
  EXPECT_EQ(r.node_count(), g.node_count());
  EXPECT_TRUE(r.source_node_id == g.source_node_id && r.first_out == g.first_out && r.arc_head == g.arc_head &&
              r.arc_segment == g.arc_segment && r.seg_a == g.seg_a && r.seg_b == g.seg_b &&
              r.seg_length_m == g.seg_length_m && r.seg_way == g.seg_way && r.way_id == g.way_id &&
              r.way_name == g.way_name && r.way_class == g.way_class);
  for (std::size_t i = 0; i < g.coord.size(); ++i)
    ASSERT_TRUE(r.coord[i].lon == g.coord[i].lon && r.coord[i].lat == g.coord[i].lat) << i;
  for (std::size_t m = 0; m < kModeCount; ++m) {
    const ModeWeights &a = r.modes[m], &b = g.modes[m];
    EXPECT_EQ(a.present, b.present);
    EXPECT_TRUE(a.arc_time_out == b.arc_time_out && a.arc_time_in == b.arc_time_in && a.seg_time_ab == b.seg_time_ab &&
                a.seg_time_ba == b.seg_time_ba && a.node_kept == b.node_kept);
    EXPECT_EQ(a.stats.nodes_kept, b.stats.nodes_kept);
    EXPECT_EQ(a.stats.km_dropped, b.stats.km_dropped);
  }
  EXPECT_EQ(r.projection.origin().lon, g.projection.origin().lon);
  EXPECT_EQ(r.projection.forward(g.coord[7]).x, g.projection.forward(g.coord[7]).x);
}

TEST_F(GraphCache, NeverUsesAStaleOrDamagedCache) {
  const Profiles p = default_profiles();
  RoadsReadInfo info;
  const RoadGraph g = build(p, modes_, info);
  const GraphCacheKey key = graph_cache_key(roads_, {}, p, modes_);
  std::string why;
  EXPECT_FALSE(read_graph_cache(cache_, key, why));
  EXPECT_EQ(why, "no cache file yet");
  write_graph_cache(cache_, key, g, info);
  ASSERT_TRUE(read_graph_cache(cache_, key, why)) << why;

  // Other profiles (a walk speed), other modes, another file, the file touched.
  Profiles slower = p;
  slower[Mode::walk].default_speed_kmh = 4.0;
  EXPECT_FALSE(read_graph_cache(cache_, graph_cache_key(roads_, {}, slower, modes_), why));
  EXPECT_NE(why.find("other profiles"), std::string::npos) << why;
  EXPECT_FALSE(read_graph_cache(cache_, graph_cache_key(roads_, {}, p, {Mode::walk}), why));
  EXPECT_NE(why.find("it has walk,ebike,car, this run needs walk"), std::string::npos) << why;
  RoadFieldMapping mapped;
  mapped.class_map["机耕路"] = "path";
  EXPECT_FALSE(read_graph_cache(cache_, graph_cache_key(roads_, mapped, p, modes_), why));
  const std::string other = (dir_ / "other.osm.pbf").string();
  fs::copy_file(roads_, other);
  EXPECT_FALSE(read_graph_cache(cache_, graph_cache_key(other, {}, p, modes_), why));
  EXPECT_NE(why.find("another roads file"), std::string::npos) << why;
  fs::last_write_time(roads_, fs::last_write_time(roads_) + std::chrono::seconds(5));
  EXPECT_FALSE(read_graph_cache(cache_, graph_cache_key(roads_, {}, p, modes_), why));
  EXPECT_NE(why.find("changed since"), std::string::npos) << why;

  // Damage: one byte flipped in the middle, the end cut off, another file's bytes.
  const GraphCacheKey now = graph_cache_key(roads_, {}, p, modes_);
  write_graph_cache(cache_, now, g, info);
  ASSERT_TRUE(read_graph_cache(cache_, now, why)) << why;
  const auto size = fs::file_size(cache_);
  {
    std::fstream f(cache_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(std::streamoff(size / 2));
    char c = 0;
    f.read(&c, 1);
    c = char(c ^ 0x10);
    f.seekp(std::streamoff(size / 2));
    f.write(&c, 1);
  }
  EXPECT_FALSE(read_graph_cache(cache_, now, why));
  EXPECT_NE(why.find("checksum mismatch"), std::string::npos) << why;
  write_graph_cache(cache_, now, g, info);
  fs::resize_file(cache_, size - 100);
  EXPECT_FALSE(read_graph_cache(cache_, now, why));
  EXPECT_NE(why.find("truncated"), std::string::npos) << why;
  fs::resize_file(cache_, 40);
  EXPECT_FALSE(read_graph_cache(cache_, now, why));
  std::ofstream(cache_, std::ios::binary) << "not a cache at all";
  EXPECT_FALSE(read_graph_cache(cache_, now, why));
  EXPECT_EQ(why, "not a legalcircle graph cache");
}

}  // namespace
}  // namespace legalcircle
