#pragma once
// What `-o` names, decided and checked before any heavy step (GDAL tools' habit: the target's
// form says its kind):
//   a folder (default)       every output file in it (created if missing)
//   NAME.gpkg                `run` only: that one GeoPackage, every layer and its styles, nothing else
//   PG:<connection string>   `run` only: every layer into PostgreSQL/PostGIS, schema --schema,
//                            in one transaction; nothing on disk
// Anything else that looks like a file (an existing file, .geojson, .shp, .csv ...) is an error.
#include <string>
#include <vector>

namespace legalcircle::cli {

struct OutputTarget {
  enum class Kind { folder, geopackage, postgis };
  Kind kind = Kind::folder;
  std::string where;   // folder, .gpkg path, or the PG: connection string
  std::string schema;  // postgis only
};

// Throws ConfigError naming the -o value and what it could be instead; for PG: connects and
// checks PostGIS and the right to create the schema (OutputError when the server says no).
// `inputs`: the files the command reads (scenario, roads, layers, profiles): an output folder that
// holds one of them, or lies inside one, or a .gpkg target that is one, is refused.
OutputTarget output_target(const std::string& out, const std::string& schema, const std::string& command,
                           bool single_file_targets, const std::vector<std::string>& inputs = {});

}  // namespace legalcircle::cli
