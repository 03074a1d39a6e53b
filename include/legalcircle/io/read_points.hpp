#pragma once
// Point layers (services, demand units, candidates): CSV, GeoJSON, GeoPackage, Shapefile, and
// OSM files filtered by tags. Every point comes out in EPSG:4326 with its own id, name and
// population; polygons and lines become a point on their surface.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

struct PointRecord {
  std::string id;         // the input's own id (field value, or FID / OSM "node/123")
  std::string name;       // UTF-8
  double population = 0;  // 0 where not given
  bool has_population = false;
  LonLat where;
  std::string area_wkb;  // polygon inputs: the area itself (WKB, EPSG:4326); "" for points
  // Further attributes kept for output (e.g. admin names/codes), in input order.
  std::vector<std::pair<std::string, std::string>> extra;
};

struct PointLayer {
  std::string source;  // file (and layer) for messages
  std::vector<PointRecord> points;
  std::vector<std::string> extra_fields;  // names of PointRecord::extra, same for every point
  // Things the reader skipped or could not use, for the run report (e.g. OSM relations that
  // match the filter but are not assembled into areas).
  std::vector<std::string> warnings;
};

struct PointReadOptions {
  std::string layer;                   // empty: the first layer
  std::string id_field = "id";         // missing field: FID (GIS) or row number (CSV) is the id
  std::string name_field = "name";
  std::string population_field = "population";
  // CSV only
  std::string lon_field;               // empty: first of lon, lng, longitude, x
  std::string lat_field;               // empty: first of lat, latitude, y
  std::string crs = "EPSG:4326";       // CSV coordinates' CRS; for GIS files, used only when
                                       // the file has none (GeoJSON without crs is EPSG:4326)
  bool crs_given = false;              // user set --crs explicitly
  std::string encoding;                // Shapefile attribute encoding override (e.g. GBK)
  // OSM only: "key=v1,v2 key2=v3" — a feature matches when any key has one of its values
  // ("key=*" any value).
  std::string osm_filter;
  // Extra attributes to keep (empty: none; "*": every field but id, name, population and
  // coordinates; OSM keeps only named keys).
  std::vector<std::string> keep_fields;
};

// Throws InputError naming file, layer, feature (row) and field on any problem: missing or
// unreadable file, empty layer, missing coordinate columns, non-numeric or out-of-range
// coordinates, projected coordinates in a file that claims EPSG:4326, duplicate ids.
PointLayer read_points(const std::string& path, const PointReadOptions& options);

// Default OSM filters for the two roles.
inline constexpr const char* kDefaultServiceOsmFilter = "amenity=townhall,courthouse office=lawyer";
inline constexpr const char* kDefaultDemandOsmFilter =
    "place=village,hamlet,town,suburb,neighbourhood,quarter,isolated_dwelling";

}  // namespace legalcircle
