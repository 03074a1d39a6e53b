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

// One set of band polygons per service (empty for a service that cannot snap), on `threads`
// threads, each reusing its own search; cells read their snaps from `snaps` (see SnapGrid).
// request.limit_s must be isochrone_search_limit_s(minutes.back() * 60, cell_m, ...).
std::vector<std::vector<BandPolygon>> trace_each_service(const RoadGraph& g, const SegmentIndex& index,
                                                         const CoverageRequest& request,
                                                         const std::vector<LonLat>& services,
                                                         const std::vector<double>& minutes, double cell_m,
                                                         double simplify_m, const SnapGrid& snaps,
                                                         unsigned threads);

// The raster's CRS as WKT (equirectangular on the sphere of DESIGN.md, centred like the graph).
std::string raster_crs_wkt(const RasterGrid& grid);

// GeoTIFF of minutes (Float32, nodata -1 for unreachable), in the raster's own CRS.
void write_minutes_geotiff(const std::string& path, const TimeRaster& raster);

}  // namespace legalcircle
