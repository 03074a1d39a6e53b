#include "legalcircle/io/crs.hpp"

#include <memory>

#include <ogr_spatialref.h>

#include "legalcircle/core/error.hpp"

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

std::vector<XY> project_points(const std::vector<LonLat>& points, const std::string& crs) {
  gdal::ensure_registered();
  OGRSpatialReference wgs, target;
  wgs.importFromEPSG(4326);
  wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (target.SetFromUserInput(crs.c_str()) != OGRERR_NONE) throw OutputError("unknown CRS '" + crs + "'");
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&wgs, &target));
  if (!t) throw OutputError("cannot transform to " + crs);
  std::vector<XY> out;
  for (const LonLat& p : points) {
    double x = p.lon, y = p.lat;
    if (!t->Transform(1, &x, &y)) throw OutputError("cannot transform a point to " + crs);
    out.push_back({x, y});
  }
  return out;
}

}  // namespace legalcircle
