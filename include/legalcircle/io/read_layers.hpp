#pragma once
// Reading back the layers of an output folder (for `legalcircle report OUT_DIR`, which renders a
// run written earlier): every cell as text, one point or polygon per row, in EPSG:4326.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

struct LayerRows {
  bool found = false;
  std::string source;  // the file it came from, for messages
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // as columns; "" = null
  std::vector<std::optional<LonLat>> points;   // per row: a point geometry
  std::vector<std::string> wkb;                // per row: any other geometry (ISO WKB), "" = none
};

// The layer `name` from OUT_DIR/<name>.geojson or <name>.csv, else from OUT_DIR/legalcircle.gpkg;
// found == false when none has it. InputError naming the file when it cannot be read.
LayerRows read_output_layer(const std::string& out_dir, const std::string& name);

}  // namespace legalcircle
