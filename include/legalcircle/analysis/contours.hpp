#pragma once
// Isochrone polygons traced from a time raster (DESIGN.md "Isochrones"): marching squares over
// the cell centres, linear interpolation along the edges between them, saddles resolved by the
// mean of the four corners (as GDAL's contour generator does). Rings never cross or touch, so
// the polygons are OGC-valid as traced; simplification keeps them so or is not applied (see
// docs/semantics.md "Isochrone polygons").
#include <cstdint>
#include <vector>

#include "legalcircle/analysis/isochrone.hpp"

namespace legalcircle {

using Ring = std::vector<XY>;  // open: the last point is not repeated

struct ContourPolygon {
  Ring outer;               // counter-clockwise (x east, y north)
  std::vector<Ring> holes;  // clockwise
};

struct ContourBand {
  double minutes = 0.0;
  std::vector<ContourPolygon> polygons;  // the locations whose time is <= minutes
  double area_m2 = 0.0;
  // Whether the rings were simplified (false when it was not asked for). A ring whose
  // simplification would cross, touch or come near another ring (or itself), or change what
  // holds it, stays as traced: rings_as_traced counts them.
  bool simplified = false;
  // Whether the rings were checked to keep contour_clearance_m from each other (always
  // expected; false sends the band through a general repair before writing).
  bool keeps_clearance = false;
  std::size_t rings_as_traced = 0;
};

// Crossing points stay at least this share of a cell from a cell centre, so rings of cells
// whose time equals a band exactly do not touch.
inline constexpr double kContourEdgeMargin = 0.02;

// Distance every two rings (and the non-adjacent edges of one ring) keep as written: far above
// the 7-decimal rounding of the GeoJSON writers (about 1 cm), so rounding cannot make them touch.
double contour_clearance_m(double cell_m);

// One band per entry of `minutes` (increasing or not), in the raster's metric frame. Vertices
// move at most simplify_m in simplification (0: none; < 0: half a cell).
std::vector<ContourBand> trace_contours(const TimeRaster& raster, const std::vector<double>& minutes,
                                        double simplify_m = -1.0);

// Whether rings keep `clearance` from each other and between their non-adjacent edges, and each
// has at least 3 points. (The check simplification must pass; exposed for tests.)
bool rings_keep_clearance(const std::vector<Ring>& rings, double clearance);
// The rings (indices, increasing) that come nearer than `clearance` to another ring or to
// themselves, or have fewer than 3 points.
std::vector<uint32_t> rings_too_close(const std::vector<Ring>& rings, double clearance);

}  // namespace legalcircle
