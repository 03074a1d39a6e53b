#pragma once
// Polygon operations on lon/lat WKB (GEOS through GDAL), for the stages that need them:
// gap areas (a unit's area outside the circle) and map drawing (clip and simplify in pixels).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "legalcircle/core/geometry.hpp"

class OGRGeometry;

namespace legalcircle {

// Two-point lines as one MultiLineString (WKB, lon/lat), a segment that starts where the previous
// one ended continuing its line: a way's segments in order are one LineString.
std::string multiline_wkb(const std::vector<std::pair<LonLat, LonLat>>& segments);

// The lower-left and upper-right corners of a geometry's envelope; empty when it does not parse.
std::vector<LonLat> wkb_corners(const std::string& wkb);

// Every coordinate rounded to `decimals` as text ("%.*f") and parsed back: the geometry exactly as
// a GeoJSON layer written with that precision reads back (RFC 7946 output: 7 decimals).
std::string round_wkb(const std::string& wkb, int decimals);
LonLat round_lonlat(LonLat p, int decimals);

// A (multi)polygon as a file with `decimals` digits holds it, and valid there: rounded, made
// valid (GEOS) where the rounding made rings touch or cross, and rounded again, until valid
// (polygonal parts only, as a MultiPolygon). Other geometries are only rounded.
std::string polygon_as_written(const std::string& wkb, int decimals);
// The same on a geometry in place (after reprojection, decimals < 0: no rounding).
void make_valid_as_written(OGRGeometry*& geometry, int decimals);
// Rounds every coordinate to `decimals` places (as the writers print them).
void round_geometry(OGRGeometry* geometry, int decimals);

// Applies fn(x, y) to every vertex of a geometry in place (rounding, web-map offsets).
void map_coordinates(OGRGeometry* geometry, const std::function<void(double&, double&)>& fn);

// A geometry as a GeoJSON geometry object (text), coordinates with `decimals` digits; "null"
// when the WKB does not parse.
std::string wkb_to_geojson(const std::string& wkb, int decimals);

// The union of (multi)polygons; "" when none is given or none parses.
std::string union_wkb(const std::vector<std::string>& polygons);

// The polygonal part of `area` outside `cut` ("" cut: the whole area) as a MultiPolygon WKB,
// with both areas in km² (equirectangular at the geometry's own latitude); empty wkb when
// nothing is outside or `area` does not parse.
struct AreaOutside {
  std::string wkb;
  double area_km2 = 0;
  double outside_km2 = 0;
};
AreaOutside area_outside(const std::string& area, const std::string& cut);

// A lon/lat (multi)polygon as rings in page coordinates: each vertex mapped by x = (lon - lon0) *
// kx * scale, y = (lat1 - lat) * scale, clipped to the box [-margin, width + margin] x [-margin, height +
// margin], each ring simplified on its own within `tolerance` (Douglas–Peucker: a drawing, where
// rings a pixel apart may touch). Rings: exterior first, then its
// holes, part after part; each ring closed (last point = first).
struct PageTransform {
  double lon0 = 0, lat1 = 0, kx = 1, scale = 1;  // kx: cos(latitude); scale: page units per degree
  double width = 0, height = 0, margin = 4;
};
struct PageRing {
  bool exterior = true;
  std::vector<XY> points;
  double area = 0;  // absolute, page units²
};
std::vector<PageRing> page_rings(const std::string& wkb, const PageTransform& t, double tolerance);
// A lon/lat (multi)line as polylines in page coordinates: parts that continue where the previous
// one ended are joined, then simplified within `tolerance` (vertices closer than it to the last
// kept one dropped, then Douglas–Peucker; a line's ends kept), parts wholly outside the box left out.
std::vector<std::vector<XY>> page_lines(const std::string& wkb, const PageTransform& t, double tolerance);

}  // namespace legalcircle
