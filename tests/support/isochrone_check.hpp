#pragma once
// Helpers for isochrone tests: trace polygons for services on a graph and ask GEOS (through
// OGR) where points fall.
#include <memory>
#include <string>
#include <vector>

#include <ogr_api.h>
#include <ogr_geometry.h>

#include "legalcircle/analysis/isochrone.hpp"
#include "legalcircle/io/trace_polygons.hpp"

namespace legalcircle::testing {

inline std::unique_ptr<OGRGeometry> from_wkb(const std::string& wkb) {
  OGRGeometry* g = nullptr;
  if (wkb.empty() ||
      OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) != OGRERR_NONE)
    return nullptr;
  return std::unique_ptr<OGRGeometry>(g);
}

// Area of any geometry (polygon, multipolygon, collection) in its own units; 0 for null.
inline double area_of(const OGRGeometry* g) {
  return g && !g->IsEmpty() ? OGR_G_Area(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(g))) : 0.0;
}

inline bool inside(const OGRGeometry* polygon, LonLat p) {
  if (!polygon) return false;
  OGRPoint pt(p.lon, p.lat);
  return polygon->Contains(&pt);
}

struct TracedIsochrones {
  TimeRaster raster;
  std::vector<BandPolygon> bands;
  std::vector<std::unique_ptr<OGRGeometry>> polygons;  // one per band, nullptr when empty
};

inline TracedIsochrones trace(const RoadGraph& g, const SegmentIndex& index, CoverageRequest request,
                              const std::vector<LonLat>& services, const std::vector<double>& minutes,
                              double cell_m) {
  const double max_s = minutes.back() * 60.0;
  request.limit_s = isochrone_search_limit_s(max_s, cell_m, request.access_leg_kmh);
  TravelTimeField field(g, index, request);
  field.set_services(services);
  TracedIsochrones out;
  out.raster = time_raster(g, field, request, max_s, cell_m, 2);
  out.bands = trace_bands(out.raster, minutes);
  for (const BandPolygon& b : out.bands) out.polygons.push_back(from_wkb(b.wkb));
  return out;
}

}  // namespace legalcircle::testing
