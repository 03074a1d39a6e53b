#pragma once
// Coordinate reference systems named by the user (PROJ through GDAL): checked when the scenario
// is loaded, before any computing, and their area of use for a warning when the data lie outside.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

// What is wrong with a CRS text ("EPSG:45490": unknown), or nullopt when PROJ knows it.
std::optional<std::string> crs_problem(const std::string& crs);

// The CRS's area of use in lon/lat degrees (EPSG's), when PROJ knows one.
struct AreaOfUse {
  double west = -180, south = -90, east = 180, north = 90;
  std::string name;
};
std::optional<AreaOfUse> crs_area_of_use(const std::string& crs);

// Lon/lat points in `crs` (x/y in its own units, easting then northing). OutputError when the
// CRS is unknown or a point cannot be transformed.
std::vector<XY> project_points(const std::vector<LonLat>& points, const std::string& crs);

}  // namespace legalcircle
