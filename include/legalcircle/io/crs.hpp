#pragma once
// Coordinate reference systems named by the user (PROJ through GDAL): checked when the scenario
// is loaded, before any computing, and their area of use for a warning when the data lie outside.
#include <optional>
#include <string>

namespace legalcircle {

// What is wrong with a CRS text ("EPSG:45490": unknown), or nullopt when PROJ knows it.
std::optional<std::string> crs_problem(const std::string& crs);

// The CRS's area of use in lon/lat degrees (EPSG's), when PROJ knows one.
struct AreaOfUse {
  double west = -180, south = -90, east = 180, north = 90;
  std::string name;
};
std::optional<AreaOfUse> crs_area_of_use(const std::string& crs);

}  // namespace legalcircle
