#pragma once
// QGIS project (.qgs) and layer styles (.qml) for a run's GeoPackage, so GIS staff open one file
// and see styled layers: travel minutes green→red, the circles as semi-transparent fills,
// uncovered villages in red, services by tier. Written as plain XML text (no QGIS needed);
// the renderers are QGIS 3's renderer-v2 (graduatedSymbol, categorizedSymbol, singleSymbol).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "legalcircle/io/write_outputs.hpp"

namespace legalcircle {

enum class QgisGeometry { point, line, polygon };

enum class QgisStyle {
  graduated_minutes,  // field "minutes": 0–5, 5–10, 10–15, 15–30, >30, green→red
  circle_fill,        // field "minutes" by the same classes, semi-transparent fills
  uncovered_red,      // field "covered": false red, true green
  areas_by_verdict,   // polygons by field "covered": translucent red / green fills
  services_by_tier,   // field "tier", categorized (categories below)
  roads_by_class,     // field "highway": motorways and trunks wide orange, primary/secondary
                      // yellow, tertiary and streets white on grey, tracks and paths thin dashes
  gap_marker,         // uncovered villages: a red ring around the village dot
  new_site,           // recommended or proposed sites: a large violet diamond
  hatched_red,        // areas outside the circle: red diagonal hatching, no fill
  atlas_bands,        // per-service isochrones of the atlas page's station only, by minute class
                      // (rule-based on @atlas_feature: nothing drawn outside an atlas)
  atlas_served,       // villages whose nearest service is the atlas page's station: blue rings
  plain,              // one symbol
};

struct QgisField {
  std::string name;   // the GeoPackage field
  std::string alias;  // shown in QGIS's attribute table and forms (report language)
};

struct QgisCategory {
  std::string value;  // the field value ("" = every other value)
  std::string label;  // legend text (UTF-8); empty = value
};

struct QgisLayer {
  std::string name;   // layer name inside the GeoPackage
  std::string title;  // name in the layer tree and legend (UTF-8, e.g. 未覆盖村社); empty = name
  QgisGeometry geometry = QgisGeometry::point;
  QgisStyle style = QgisStyle::plain;
  // services_by_tier: the tiers, highest first; empty = center, town_station, village_point.
  std::vector<QgisCategory> categories;
  std::string crs = "EPSG:4326";  // the layer's CRS in the GeoPackage
  bool visible = true;
  // Only the features matching this OGR SQL filter (e.g. "rule" = 'x' AND "mode" = 'walk'), so
  // one GeoPackage layer can appear as several project layers; "" = all.
  std::string subset;
  // Layer-tree group (title); consecutive layers of one group share it; "" = top level.
  std::string group;
  std::vector<QgisField> fields;  // aliases; fields not listed keep their names
  std::string label_field;        // labels from this field ("" = no labels)
  std::string lang = "zh";        // legend words: zh or en
};

// A print layout (A4 portrait) with an atlas: one page per feature of a coverage layer, the map
// centred on it at a fixed scale, a title from the feature, legend, scale bar, north arrow and
// attribution. GIS staff export every page (PDF or images) from QGIS's atlas toolbar.
struct QgisAtlas {
  std::string name;                 // layout name in QGIS's layout manager
  std::size_t coverage_layer = 0;   // index into QgisProject::layers
  std::string title_expression;     // QGIS expression for the page title, e.g. "name"
  std::string subtitle;             // fixed text under the title
  std::string footer;               // attribution and date
  std::string page_name_expression; // e.g. "name": names the exported files
  double extent[4] = {0, 0, 0, 0};  // xmin, ymin, xmax, ymax in the project CRS: the page's map size
};

struct QgisProject {
  std::string title;               // project title (UTF-8)
  std::string gpkg = "out.gpkg";   // GeoPackage file name, in the project's folder
  std::vector<QgisLayer> layers;   // drawn in list order, the first on top
  std::vector<QgisAtlas> atlases;  // print layouts
};

// The renderer-v2 element of a layer's style (also embedded in the project).
std::string qgis_renderer_xml(const QgisLayer& layer);
// A complete .qml style document for the layer: renderer, labels, field aliases (what QGIS also
// stores in a GeoPackage's layer_styles table). It stands without the layer's subset: a subset
// layer's minute fills become rules over that subset.
std::string qgis_style_qml(const QgisLayer& layer);
// A complete .qgs project document (QGIS 3, project CRS EPSG:4326, relative paths).
std::string qgis_project_xml(const QgisProject& project);

// Writes the project to qgs_path and one <layer name>.qml per layer beside it (each through a
// temporary file and rename). Throws OutputError naming the path.
void write_qgis_project(const std::string& qgs_path, const QgisProject& project);

// The project's styles as GeoPackage layer_styles rows: one per GeoPackage layer, the style of the
// first project layer showing it.
std::vector<LayerStyle> qgis_gpkg_styles(const QgisProject& project);

// XML text/attribute escaping (& < > " '); drops characters XML 1.0 does not allow.
std::string xml_escape(std::string_view text);

}  // namespace legalcircle
