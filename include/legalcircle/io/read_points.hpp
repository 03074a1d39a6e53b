#pragma once
// Point layers (services, demand units, candidates): CSV, GeoJSON, GeoPackage, Shapefile, and
// OSM files filtered by tags. Every point comes out in EPSG:4326 with its own id, name and
// population; polygons and lines become a point on their surface.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/core/chinese_offsets.hpp"
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
  std::vector<std::string> source_fields;  // every field (column) the input has
  // Things the reader skipped or could not use, for the run report (e.g. OSM relations that
  // match the filter but are not assembled into areas).
  std::vector<std::string> warnings;
};

struct PointReadOptions {
  std::string layer;                   // empty: the first layer (XLSX/ODS: the first sheet)
  std::string id_field = "id";         // missing field: FID (GIS) or row number (CSV) is the id
  std::string name_field = "name";
  std::string population_field = "population";  // "": the layer has none (services)
  // Which of the three the user named. A named field the layer lacks is an InputError listing
  // the fields it has; a default one that is absent is a warning in PointLayer::warnings.
  bool id_field_given = false, name_field_given = false, population_field_given = false;
  // Tables (CSV, XLSX, ODS, a GIS layer without geometry): the coordinate columns.
  std::string lon_field;               // empty: first of kLonFieldNames
  std::string lat_field;               // empty: first of kLatFieldNames
  std::string crs = "EPSG:4326";       // table coordinates' CRS; for GIS files, used only when
                                       // the file has none (GeoJSON without crs is EPSG:4326)
  bool crs_given = false;              // user set --crs explicitly
  // CSV text and Shapefile attributes: GBK, GB18030, ... Empty: UTF-8 (a Shapefile's .cpg);
  // text that is not valid UTF-8 is read as GB18030 when it decodes cleanly (with a warning),
  // else refused with the first bad line or feature.
  std::string encoding;
  // Points geocoded from Chinese web maps: every coordinate (polygons too) is converted to WGS-84.
  OffsetSystem offset = OffsetSystem::wgs84;
  // OSM only: "key=v1,v2 key2=v3" — a feature matches when any key has one of its values
  // ("key=*" any value).
  std::string osm_filter;
  // Extra attributes to keep (empty: none; "*": every field but id, name, population and
  // coordinates; OSM keeps only named keys).
  std::vector<std::string> keep_fields;
  // Kept when the layer has them, silently absent otherwise (the caller decides what that means,
  // e.g. a tier field with a default tier).
  std::vector<std::string> keep_if_present;
};

// Column names recognised for coordinates, in order of preference (case-insensitive).
inline constexpr const char* kLonFieldNames[] = {"lon", "lng", "longitude", "x", "经度", "东经", "经度坐标"};
inline constexpr const char* kLatFieldNames[] = {"lat", "latitude", "y", "纬度", "北纬", "纬度坐标"};

// Throws InputError naming file, layer, feature (row) and field on any problem: missing or
// unreadable file, empty layer, missing coordinate columns, non-numeric or out-of-range
// coordinates, projected coordinates in a file that claims EPSG:4326, duplicate ids.
PointLayer read_points(const std::string& path, const PointReadOptions& options);

// Default OSM filters for the two roles.
inline constexpr const char* kDefaultServiceOsmFilter = "amenity=townhall,courthouse office=lawyer";
inline constexpr const char* kDefaultDemandOsmFilter =
    "place=village,hamlet,town,suburb,neighbourhood,quarter,isolated_dwelling";

}  // namespace legalcircle
