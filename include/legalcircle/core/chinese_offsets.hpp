#pragma once
// Chinese web-map coordinate offsets. Points geocoded from AMap/Tencent are in GCJ-02 and from
// Baidu in BD-09, both hundreds of metres away from WGS-84 (DESIGN.md "Coordinates"). These are
// obfuscations, not datums, so PROJ does not know them; the forward formulas below are the
// widely published ones, and the inverses are solved numerically against them.
//
// Outside China (the usual rough box: lon 72.004–137.8347, lat 0.8293–55.8271) the GCJ-02
// offset is zero, as the published formula does it; the box is crude (it includes e.g. parts of
// Korea and Japan), which does not matter for Zhejiang. BD-09's own shift applies everywhere.
//
// Accuracy of the inverses (docs/coordinates.md): exact to the forward transform within 1e-9
// degrees (about 0.1 mm); the measured round-trip error over Zhejiang is far below that.
#include <string_view>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

enum class OffsetSystem : uint8_t {
  wgs84,  // no offset
  gcj02,  // 国测局 GCJ-02: AMap (高德), Tencent (腾讯), Google Maps in China
  bd09,   // Baidu (百度) BD-09 lon/lat (not Baidu's Mercator metres)
};

// "wgs84" | "gcj02" | "bd09" (case-insensitive; also "wgs-84", "gcj-02", "bd-09", "none").
// Throws ConfigError listing the accepted names.
OffsetSystem parse_offset_system(std::string_view name);
std::string_view offset_system_name(OffsetSystem s);

// True where the GCJ-02 offset is defined as zero (see above).
bool outside_china(LonLat p);

LonLat wgs84_to_gcj02(LonLat wgs);
// Fixed-point iteration on the forward transform until it reproduces `gcj` within 1e-9°.
LonLat gcj02_to_wgs84(LonLat gcj);

LonLat gcj02_to_bd09(LonLat gcj);
// The published analytic inverse, refined by iteration until gcj02_to_bd09 reproduces `bd`
// within 1e-9° (the analytic formula alone is off by up to 0.13 m over Zhejiang).
LonLat bd09_to_gcj02(LonLat bd);

inline LonLat wgs84_to_bd09(LonLat wgs) { return gcj02_to_bd09(wgs84_to_gcj02(wgs)); }
inline LonLat bd09_to_wgs84(LonLat bd) { return gcj02_to_wgs84(bd09_to_gcj02(bd)); }

// A point given in `from` as WGS-84 (the identity for OffsetSystem::wgs84).
LonLat to_wgs84(LonLat p, OffsetSystem from);

}  // namespace legalcircle
