#pragma once
// GDAL's own contour generator in polygon mode, the reference for analysis/contours: the region
// of a raster's cells whose time is <= level, in the raster's metric frame.
#include <cmath>
#include <memory>

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle::testing {

inline std::unique_ptr<OGRMultiPolygon> gdal_contour_region(const TimeRaster& r, double level_minutes) {
  gdal::ensure_registered();
  gdal::DatasetPtr ds(GetGDALDriverManager()->GetDriverByName("MEM")->Create("", r.grid.width, r.grid.height, 1,
                                                                             GDT_Float32, nullptr));
  double gt[6] = {r.grid.min_x, r.grid.cell_m, 0, r.grid.max_y, 0, -r.grid.cell_m};
  ds->SetGeoTransform(gt);
  std::vector<float> minutes(r.seconds.size());
  for (std::size_t i = 0; i < minutes.size(); ++i) minutes[i] = std::isfinite(r.seconds[i]) ? r.seconds[i] / 60.0f : 1e6f;
  if (ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, r.grid.width, r.grid.height, minutes.data(), r.grid.width,
                                     r.grid.height, GDT_Float32, 0, 0) != CE_None)
    return nullptr;
  gdal::DatasetPtr vec(GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  OGRLayer* layer = vec->CreateLayer("c", nullptr, wkbMultiPolygon, nullptr);
  OGRFieldDefn id("id", OFTInteger), lo("lo", OFTReal), hi("hi", OFTReal);
  layer->CreateField(&id);
  layer->CreateField(&lo);
  layer->CreateField(&hi);
  const std::string levels = "FIXED_LEVELS=" + std::to_string(level_minutes);
  const char* options[] = {levels.c_str(), "POLYGONIZE=YES", "ID_FIELD=0", "ELEV_FIELD_MIN=1", "ELEV_FIELD_MAX=2", nullptr};
  if (GDALContourGenerateEx(ds->GetRasterBand(1), layer, options, nullptr, nullptr) != CE_None) return nullptr;
  auto region = std::make_unique<OGRMultiPolygon>();
  for (gdal::FeaturePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature()))
    if (f->GetFieldAsDouble(2) <= level_minutes + 1e-9)
      for (const OGRPolygon* p : *f->GetGeometryRef()->toMultiPolygon()) region->addGeometry(p);
  return region;
}

// Total length of a polygonal geometry's rings.
inline double boundary_length(const OGRMultiPolygon& m) {
  double length = 0.0;
  for (const OGRPolygon* p : m)
    for (const OGRLinearRing* ring : *p) length += ring->get_Length();
  return length;
}

}  // namespace legalcircle::testing
