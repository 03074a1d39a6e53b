#pragma once
// Road readers: OSM files through libosmium, GIS line layers through GDAL.
#include <map>
#include <string>

#include "legalcircle/graph/build_graph.hpp"

namespace legalcircle {

// Field mapping for GIS line layers. Empty names mean "not mapped".
struct RoadFieldMapping {
  std::string layer;              // empty: the first layer
  std::string class_field = "highway";  // values are OSM highway classes (residential, ...)
  std::string oneway_field = "oneway";  // OSM oneway values (yes, -1, no, ...)
  std::string speed_field = "maxspeed"; // km/h
  std::string name_field = "name";
  double vertex_snap_m = 0.01;   // vertices of different lines closer than this are one node
  std::string encoding;           // Shapefile attribute encoding override (e.g. GBK); empty = .cpg
  // Class values -> OSM highway classes, on top of (and overriding) kChineseRoadClasses, e.g.
  // {"机耕路", "track"}. Values are trimmed first.
  std::map<std::string, std::string> class_map;
};

// China's road grades as OSM highway classes, applied to GIS road layers by default. Highway
// administrative grades (公路, JTG B01 / GB/T 917) and urban road grades (城市道路, CJJ 37), each to
// the OSM class whose car speed (configs/profiles.yaml) is nearest its design speed and whose
// access matches: 快速路 bans pedestrians and e-bikes like a trunk road; 国道 and 省道 outside
// expressways carry mixed traffic, so they are primary/secondary (walk and e-bike allowed).
inline const std::map<std::string, std::string> kChineseRoadClasses = {
    {"高速公路", "motorway"}, {"高速", "motorway"},       {"国道", "primary"},
    {"省道", "secondary"},    {"县道", "tertiary"},      {"乡道", "unclassified"},
    {"村道", "residential"},  {"专用公路", "service"},    {"快速路", "trunk"},
    {"主干路", "secondary"},  {"主干道", "secondary"},    {"次干路", "tertiary"},
    {"次干道", "tertiary"},   {"支路", "unclassified"},  {"街坊路", "residential"},
    {"小区路", "residential"}, {"内部道路", "service"},   {"步行街", "pedestrian"},
    {"人行道", "footway"},    {"步行道", "footway"},     {"自行车道", "cycleway"},
    {"机耕路", "track"},      {"匝道", "motorway_link"}, {"一级公路", "primary"},
    {"二级公路", "secondary"}, {"三级公路", "tertiary"},  {"四级公路", "unclassified"},
    {"等外公路", "track"}};

// The OSM highway values legalcircle knows (any mode's class, or one every mode excludes).
bool is_known_highway_class(const std::string& value);

// True for .osm, .osm.pbf, .pbf, .osm.gz, .osm.bz2 (what libosmium reads).
bool is_osm_file(const std::string& path);

// Reads every way with a highway tag, keeping the tags the profiles need.
// Throws InputError naming the file when it is missing, unreadable or holds no highway.
RawRoads read_osm_roads(const std::string& path);

// Reads a line layer (GeoJSON, GeoPackage, Shapefile, any CRS GDAL reads), transformed to
// EPSG:4326; lines are split where they share a vertex.
RawRoads read_gis_roads(const std::string& path, const RoadFieldMapping& mapping);

// Dispatches on the file type.
RawRoads read_roads(const std::string& path, const RoadFieldMapping& mapping = {});

}  // namespace legalcircle
