#pragma once
// Output writers. They write to the path given: the caller stages a run's outputs in a temporary
// folder and moves it into place when the run is complete, so a failed run leaves no partial
// output. Text files (CSV, reports) are also written as path.tmp and renamed; on an error a
// writer removes what it wrote and throws OutputError naming the path.
#include <string>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

// A flat table with optional point or polygon geometry: what coverage.csv / coverage.geojson hold.
struct Column {
  enum class Type { text, integer, real, boolean };
  std::string name;
  Type type = Type::text;
};

struct Table {
  std::vector<Column> columns;
  // One row per feature; cells as text ("" = null). Booleans "true"/"false".
  std::vector<std::vector<std::string>> rows;
  std::vector<LonLat> geometry;  // one point per row, or empty
  std::vector<std::string> wkb;  // or one (multi)polygon per row as WKB in EPSG:4326 ("" = null)
  // The layer's geometry type; by default derived from geometry / wkb (polygons), which an
  // empty table cannot show.
  enum class Shape { derived, none, point, polygon, line };
  Shape shape = Shape::derived;
  // Every polygon is valid after rounding to the writers' decimals (traced with clearance,
  // BandPolygon::valid_as_written): writers round without checking validity again.
  bool polygons_valid_as_written = false;
};

// Adds a column, renaming it input_<name> (input_<name>_2, ...) if the table already has one
// of that name (an input attribute called "minutes" must not clash with ours).
void add_column(Table& t, std::string name, Column::Type type);

struct NamedTable {
  std::string name;
  const Table* table;
};

// RFC 7946 GeoJSON (EPSG:4326, right-hand ring order) through GDAL: typed properties, null for
// empty cells.
void write_geojson(const std::string& path, const std::string& layer_name, const Table& t);
// The same GeoJSON as text (a download); `what` names it in errors.
std::string geojson_text(const std::string& what, const std::string& layer_name, const Table& t);
// A layer's style as QGIS keeps it inside a GeoPackage (table layer_styles): opening the
// GeoPackage alone in QGIS applies the default style of each layer.
struct LayerStyle {
  std::string layer;        // f_table_name
  std::string name;         // styleName (QGIS shows it in the style manager)
  std::string qml;          // styleQML: a complete .qml document
  std::string description;
};

// One GeoPackage holding every layer (attribute-only tables too), in `crs` (any CRS GDAL reads,
// e.g. EPSG:4549; "" = EPSG:4326); geometries are transformed from EPSG:4326. With styles, a
// layer_styles table like the one QGIS creates, each style its layer's default.
void write_gpkg_layers(const std::string& path, const std::vector<NamedTable>& layers,
                       const std::string& crs = "", const std::vector<LayerStyle>& styles = {});
// UTF-8 CSV, RFC 4180 quoting, no geometry columns unless the table has them as cells. `headers`
// (one per column) replace the column names in the first row, e.g. Chinese words for Excel users.
void write_csv(const std::string& path, const Table& t, bool excel_bom = false,
               const std::vector<std::string>& headers = {});
// Writes text to path via a temporary file + rename.
// write_csv's text (a download); `what` names it in errors.
std::string csv_text(const std::string& what, const Table& t, bool excel_bom = false,
                     const std::vector<std::string>& headers = {});
void write_text_file(const std::string& path, const std::string& text);
// Bytes (PDF, PNG) to path the same way, short writes an OutputError.
void write_binary_file(const std::string& path, const std::string& bytes);

// Creates the folder (and parents) or throws OutputError.
void ensure_directory(const std::string& dir);

}  // namespace legalcircle
