#include "legalcircle/io/crs.hpp"

#include <ogr_spatialref.h>

#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle {

std::optional<std::string> crs_problem(const std::string& crs) {
  gdal::ensure_registered();
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE) {
    const std::string why = gdal::last_error();
    return "unknown CRS '" + crs + "'" + (why.empty() ? "" : " (" + why + ")");
  }
  gdal::last_error();
  return std::nullopt;
}

std::optional<AreaOfUse> crs_area_of_use(const std::string& crs) {
  gdal::ensure_registered();
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE) {
    gdal::last_error();
    return std::nullopt;
  }
  AreaOfUse a;
  const char* name = nullptr;
  if (!srs.GetAreaOfUse(&a.west, &a.south, &a.east, &a.north, &name) || a.west == -1000) return std::nullopt;
  if (name) a.name = name;
  return a;
}

}  // namespace legalcircle
