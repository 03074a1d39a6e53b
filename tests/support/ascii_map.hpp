#pragma once
// Tiny road networks drawn as ASCII maps, for tests with hand-computed times.
//
//   AsciiMap map(R"(
//       S
//       a---------b
//          D
//   )", 10.0);                      // one character = 10 m, rows run south
//   RawRoads roads = map.roads({{"ab", {{"highway", "residential"}}}});
//   map.at('S')                     // lon/lat of any character on the drawing
//
// Lower-case letters named in a way become road nodes; any character can be looked up as a
// point. Coordinates are laid out around lon 120.75, lat 30.75 (Jiaxing) in an equirectangular
// projection, so distances on the drawing equal haversine distances to well under a millimetre
// per 100 m.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "legalcircle/graph/build_graph.hpp"

namespace legalcircle::testing {

struct WaySpec {
  std::string nodes;  // e.g. "abc": a way through a, b, c in that order
  std::vector<std::pair<std::string, std::string>> tags;
};

class AsciiMap {
 public:
  AsciiMap(std::string_view drawing, double cell_m);
  LonLat at(char c) const;
  // The point dx_m east and dy_m north of character c.
  LonLat offset(char c, double dx_m, double dy_m) const;
  RawRoads roads(const std::vector<WaySpec>& ways) const;

 private:
  std::map<char, XY> where_;
  LocalProjection projection_;
};

}  // namespace legalcircle::testing
