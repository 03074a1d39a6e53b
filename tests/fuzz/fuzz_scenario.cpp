// The scenario loader (YAML: every section, key and value checked) on arbitrary bytes; input files
// are not required to exist.
#include "fuzz_support.hpp"
#include "legalcircle/config/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace legalcircle;
  const std::string path = fuzz::input_file(data, size, ".yaml");
  fuzz::expect_clean([&] {
    ScenarioLoadOptions options;
    options.check_files = false;
    load_scenario(path, options);
  });
  return 0;
}
