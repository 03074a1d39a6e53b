#include "legalcircle/io/gdal_handle.hpp"

#include <filesystem>
#include <mutex>

#include <cpl_error.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle::gdal {

void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // Keep GDAL quiet on stderr; our messages quote CPLGetLastErrorMsg() where it helps.
    CPLSetErrorHandler(CPLQuietErrorHandler);
  });
}

std::string last_error() {
  std::string msg = CPLGetLastErrorMsg();
  CPLErrorReset();
  return msg;
}

DatasetPtr open_vector(const std::string& path, const char* const* open_options) {
  ensure_registered();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a folder, expected a file");
  CPLErrorReset();
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, open_options, nullptr)));
  if (!ds) {
    std::string why = last_error();
    throw InputError(path + ": not a vector file GDAL can read" +
                     (why.empty() ? std::string() : " (" + why + ")"));
  }
  return ds;
}

OGRLayer* get_layer(GDALDataset& ds, const std::string& path, const std::string& name) {
  if (ds.GetLayerCount() == 0) throw InputError(path + ": holds no layer");
  if (name.empty()) return ds.GetLayer(0);
  if (OGRLayer* layer = ds.GetLayerByName(name.c_str())) return layer;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += std::string(i ? ", " : "") + ds.GetLayer(i)->GetName();
  throw InputError(path + ": no layer '" + name + "' (layers: " + names + ")");
}

TransformPtr to_wgs84(const OGRSpatialReference& from, const std::string& what) {
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference src(from);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (src.IsSame(&wgs84)) return nullptr;
  TransformPtr t(OGRCreateCoordinateTransformation(&src, &wgs84));
  if (!t) throw InputError(what + ": cannot transform its CRS to EPSG:4326 (" + last_error() + ")");
  return t;
}

}  // namespace legalcircle::gdal
