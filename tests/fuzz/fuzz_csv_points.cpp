// The CSV point table reader (quoting, BOM, encodings, coordinates, ids) on arbitrary bytes.
#include "fuzz_support.hpp"
#include "legalcircle/io/read_points.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace legalcircle;
  const std::string path = fuzz::input_file(data, size, ".csv");
  fuzz::expect_clean([&] {
    PointReadOptions options;
    options.keep_fields = {"*"};
    read_points(path, options);
  });
  fuzz::expect_clean([&] {  // projected coordinates, GBK text
    PointReadOptions options;
    options.crs = "EPSG:4549";
    options.crs_given = true;
    options.encoding = "GBK";
    read_points(path, options);
  });
  return 0;
}
