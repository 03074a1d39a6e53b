// The GIS point reader through GDAL (GeoJSON: points, polygons, properties, CRS) on arbitrary bytes.
#include "fuzz_support.hpp"
#include "legalcircle/io/read_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace legalcircle;
  const std::string path = fuzz::input_file(data, size, ".geojson");
  fuzz::expect_clean([&] {
    PointReadOptions options;
    options.keep_fields = {"*"};
    read_points(path, options);
  });
  return 0;
}
