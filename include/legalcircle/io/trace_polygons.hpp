#pragma once
// Isochrone polygons from a time raster: GDAL's contour generator in polygon mode, simplified
// within half a cell, made OGC-valid, transformed to EPSG:4326.
#include <string>
#include <vector>

#include "legalcircle/analysis/isochrone.hpp"

namespace legalcircle {

struct BandPolygon {
  double minutes = 0.0;
  std::string wkb;        // MultiPolygon in EPSG:4326 lon/lat (ISO WKB); empty when nothing
  double area_km2 = 0.0;  // in the raster's metric projection
};

// One (multi)polygon per band: the locations whose time is <= minutes. simplify_m < 0: half a cell.
std::vector<BandPolygon> trace_bands(const TimeRaster& raster, const std::vector<double>& minutes,
                                     double simplify_m = -1.0);

// The raster's CRS as WKT (equirectangular on the sphere of DESIGN.md, centred like the graph).
std::string raster_crs_wkt(const RasterGrid& grid);

// GeoTIFF of minutes (Float32, nodata -1 for unreachable), in the raster's own CRS.
void write_minutes_geotiff(const std::string& path, const TimeRaster& raster);

}  // namespace legalcircle
