#pragma once
// Geographic basics: WGS-84 lon/lat, haversine distance, a local metric projection.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace legalcircle {

inline constexpr double kEarthRadiusM = 6371008.8;  // mean radius, as DESIGN.md fixes it
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr uint32_t kInvalidId = std::numeric_limits<uint32_t>::max();

struct LonLat {
  double lon = 0.0;  // degrees, EPSG:4326 axis order lon, lat
  double lat = 0.0;
};

// Great-circle distance in metres on the sphere of radius kEarthRadiusM.
inline double haversine_m(LonLat a, LonLat b) {
  const double to_rad = kPi / 180.0;
  const double dlat = (b.lat - a.lat) * to_rad;
  const double dlon = (b.lon - a.lon) * to_rad;
  const double s = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * to_rad) * std::cos(b.lat * to_rad) * std::sin(dlon / 2) *
                       std::sin(dlon / 2);
  return 2.0 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(s)));
}

struct XY {
  double x = 0.0;  // metres east of the projection origin
  double y = 0.0;  // metres north of the projection origin
};

// Equirectangular projection around an origin: metric and conformal enough within a few tens of
// kilometres (scale error < 0.5% for a 30 km extract at 50° N), which is what snapping needs.
class LocalProjection {
 public:
  LocalProjection() = default;
  explicit LocalProjection(LonLat origin)
      : origin_(origin), kx_(kEarthRadiusM * kPi / 180.0 * std::cos(origin.lat * kPi / 180.0)),
        ky_(kEarthRadiusM * kPi / 180.0) {}
  XY forward(LonLat p) const { return {(p.lon - origin_.lon) * kx_, (p.lat - origin_.lat) * ky_}; }
  LonLat inverse(XY p) const { return {origin_.lon + p.x / kx_, origin_.lat + p.y / ky_}; }
  LonLat origin() const { return origin_; }

 private:
  LonLat origin_{};
  double kx_ = 0.0;
  double ky_ = 0.0;
};

// Douglas-Peucker over the chain first..last: marks in `keep` the points it keeps (the ends are
// the caller's), distance(m, a, b) being point m's distance from the chord a-b. Callers choose
// the distance (to the chord's line, or to the segment) and the chains (a line; a ring's halves).
template <class Distance>
void douglas_peucker(std::size_t first, std::size_t last, double tolerance, Distance distance,
                     std::vector<uint8_t>& keep) {
  std::vector<std::pair<std::size_t, std::size_t>> todo = {{first, last}};
  while (!todo.empty()) {
    const auto [a, b] = todo.back();
    todo.pop_back();
    double worst = -1.0;
    std::size_t at = a;
    for (std::size_t m = a + 1; m < b; ++m) {
      const double d = distance(m, a, b);
      if (d > worst) worst = d, at = m;
    }
    if (worst > tolerance) {
      keep[at] = 1;
      todo.push_back({a, at});
      todo.push_back({at, b});
    }
  }
}

// Area of an open ring (first point not repeated), positive when counter-clockwise (y up).
inline double signed_area(const std::vector<XY>& r) {
  double twice = 0.0;
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) twice += (r[j].x - r[i].x) * (r[j].y + r[i].y);
  return 0.5 * twice;
}

// Distance from p to the segment a-b.
inline double point_segment_distance(XY p, XY a, XY b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return std::sqrt(ex * ex + ey * ey);
}

// The vertices of an open ring (its first point not repeated at its end) that keep it within
// `tolerance` of itself: Douglas–Peucker on its two halves, split at the first point and the
// vertex farthest from it. Indices ascending; all of them when fewer than three would remain.
inline std::vector<uint32_t> simplify_ring(const std::vector<XY>& r, double tolerance) {
  const std::size_t n = r.size();
  std::vector<uint32_t> kept;
  if (n < 5) {
    for (uint32_t i = 0; i < n; ++i) kept.push_back(i);
    return kept;
  }
  std::size_t far = 0;
  double far_d = -1.0;
  for (std::size_t i = 1; i < n; ++i) {
    const double d = std::hypot(r[i].x - r[0].x, r[i].y - r[0].y);
    if (d > far_d) far_d = d, far = i;
  }
  std::vector<uint8_t> keep(n + 1, 0);
  keep[0] = keep[far] = keep[n] = 1;
  auto at = [&](std::size_t i) { return r[i % n]; };
  auto distance = [&](std::size_t m, std::size_t i, std::size_t j) { return point_segment_distance(at(m), at(i), at(j)); };
  douglas_peucker(0, far, tolerance, distance, keep);
  douglas_peucker(far, n, tolerance, distance, keep);
  for (uint32_t i = 0; i < n; ++i)
    if (keep[i]) kept.push_back(i);
  if (kept.size() < 3) {
    kept.clear();
    for (uint32_t i = 0; i < n; ++i) kept.push_back(i);
  }
  return kept;
}

}  // namespace legalcircle
