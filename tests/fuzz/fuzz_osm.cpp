// The OSM readers (libosmium): service points and roads from OSM XML, or PBF when the input does
// not start with '<'.
#include "fuzz_support.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace legalcircle;
  const bool xml = size > 0 && data[0] == '<';
  const std::string path = fuzz::input_file(data, size, xml ? ".osm" : ".osm.pbf");
  fuzz::expect_clean([&] {
    PointReadOptions options;
    options.osm_filter = kDefaultServiceOsmFilter;
    read_points(path, options);
  });
  fuzz::expect_clean([&] { read_roads(path, RoadFieldMapping{}); });
  return 0;
}
