#include "legalcircle/core/chinese_offsets.hpp"

#include <cctype>
#include <cmath>
#include <string>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

// GCJ-02 works on the Krasovsky 1940 ellipsoid.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;
constexpr double kXPi = kPi * 3000.0 / 180.0;  // BD-09's constant
// Inverses stop when the forward transform reproduces the input this closely (~0.1 mm).
constexpr double kToleranceDeg = 1e-9;
// The offsets' derivatives are ~1e-3, so each step gains about three digits; 3–4 steps are
// usual. The cap only guards against a non-finite input.
constexpr int kMaxIterations = 30;

double offset_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double offset_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

// Solves forward(x) == target by x <- x - (forward(x) - target), starting from `start`.
// Converges because forward is the identity plus a slowly varying offset.
template <class Forward>
LonLat invert(LonLat target, LonLat start, Forward forward) {
  LonLat x = start;
  for (int i = 0; i < kMaxIterations; ++i) {
    const LonLat f = forward(x);
    const double dlon = f.lon - target.lon;
    const double dlat = f.lat - target.lat;
    x.lon -= dlon;
    x.lat -= dlat;
    if (std::abs(dlon) < kToleranceDeg && std::abs(dlat) < kToleranceDeg) break;
  }
  return x;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

OffsetSystem parse_offset_system(std::string_view name) {
  const std::string n = lower(name);
  if (n == "wgs84" || n == "wgs-84" || n == "none") return OffsetSystem::wgs84;
  if (n == "gcj02" || n == "gcj-02") return OffsetSystem::gcj02;
  if (n == "bd09" || n == "bd-09") return OffsetSystem::bd09;
  throw ConfigError("unknown coordinate offset system '" + std::string(name) +
                    "' (expected wgs84, gcj02 or bd09)");
}

std::string_view offset_system_name(OffsetSystem s) {
  switch (s) {
    case OffsetSystem::wgs84: return "wgs84";
    case OffsetSystem::gcj02: return "gcj02";
    case OffsetSystem::bd09: return "bd09";
  }
  return "wgs84";
}

bool outside_china(LonLat p) {
  return p.lon < 72.004 || p.lon > 137.8347 || p.lat < 0.8293 || p.lat > 55.8271;
}

LonLat wgs84_to_gcj02(LonLat wgs) {
  if (outside_china(wgs)) return wgs;
  double dlat = offset_lat(wgs.lon - 105.0, wgs.lat - 35.0);
  double dlon = offset_lon(wgs.lon - 105.0, wgs.lat - 35.0);
  const double rad_lat = wgs.lat / 180.0 * kPi;
  const double s = std::sin(rad_lat);
  const double magic = 1.0 - kKrasovskyEe * s * s;
  const double sqrt_magic = std::sqrt(magic);
  // Metres -> degrees on the Krasovsky ellipsoid (meridional and prime-vertical radii).
  dlat = (dlat * 180.0) / ((kKrasovskyA * (1.0 - kKrasovskyEe)) / (magic * sqrt_magic) * kPi);
  dlon = (dlon * 180.0) / (kKrasovskyA / sqrt_magic * std::cos(rad_lat) * kPi);
  return {wgs.lon + dlon, wgs.lat + dlat};
}

LonLat gcj02_to_wgs84(LonLat gcj) {
  // Decided on the GCJ point; within metres of the box edge this may disagree with the forward
  // transform's decision on the WGS point, far from Zhejiang.
  if (outside_china(gcj)) return gcj;
  return invert(gcj, gcj, wgs84_to_gcj02);
}

LonLat gcj02_to_bd09(LonLat gcj) {
  const double x = gcj.lon;
  const double y = gcj.lat;
  const double z = std::sqrt(x * x + y * y) + 0.00002 * std::sin(y * kXPi);
  const double theta = std::atan2(y, x) + 0.000003 * std::cos(x * kXPi);
  return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

LonLat bd09_to_gcj02(LonLat bd) {
  const double x = bd.lon - 0.0065;
  const double y = bd.lat - 0.006;
  const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kXPi);
  const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kXPi);
  const LonLat analytic{z * std::cos(theta), z * std::sin(theta)};
  return invert(bd, analytic, gcj02_to_bd09);
}

LonLat to_wgs84(LonLat p, OffsetSystem from) {
  switch (from) {
    case OffsetSystem::wgs84: return p;
    case OffsetSystem::gcj02: return gcj02_to_wgs84(p);
    case OffsetSystem::bd09: return bd09_to_wgs84(p);
  }
  return p;
}

}  // namespace legalcircle
