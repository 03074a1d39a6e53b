#pragma once
// Road readers: OSM files through libosmium, GIS line layers through GDAL.
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
};

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
