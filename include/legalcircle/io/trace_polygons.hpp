#pragma once
// Isochrone polygons from a time raster (analysis/contours: traced, simplified within half a
// cell, valid as traced) as WKB in EPSG:4326.
#include <string>
#include <vector>

#include "legalcircle/analysis/isochrone.hpp"

namespace legalcircle {

struct BandPolygon {
  double minutes = 0.0;
  std::string wkb;        // MultiPolygon in EPSG:4326 lon/lat (ISO WKB); empty when nothing
  double area_km2 = 0.0;  // in the raster's metric projection
  // The rings keep contour_clearance_m apart: valid as written at 7 decimals, so writers need
  // not check them again.
  bool valid_as_written = false;
};

// One (multi)polygon per band: the locations whose time is <= minutes. simplify_m < 0: half a cell.
std::vector<BandPolygon> trace_bands(const TimeRaster& raster, const std::vector<double>& minutes,
                                     double simplify_m = -1.0);

// The raster's CRS as WKT (equirectangular on the sphere of DESIGN.md, centred like the graph).
std::string raster_crs_wkt(const RasterGrid& grid);

// The GeoTIFF's CRS: project_crs when it is projected, else the WGS 84 / UTM zone of the raster's
// centre (a standard CRS QGIS names, unlike the raster's own equidistant frame).
std::string geotiff_crs(const RasterGrid& grid, const std::string& project_crs);
// GeoTIFF of minutes (Float32, nodata -1 for unreachable, DEFLATE, tiled), warped by nearest
// neighbour at the same cell size into geotiff_crs(raster.grid, project_crs).
void write_minutes_geotiff(const std::string& path, const TimeRaster& raster, const std::string& project_crs = "");

}  // namespace legalcircle
