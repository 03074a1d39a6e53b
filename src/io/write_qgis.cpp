#include "legalcircle/io/write_qgis.hpp"

#include <cpl_conv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <sstream>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/write_outputs.hpp"

namespace legalcircle {

namespace {

constexpr const char* kQgisVersion = "3.22.0-Białowieża";  // Debian 12's QGIS; later 3.x read it silently
constexpr const char* kDoctype = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";

// The minute classes shared by graduated_minutes and circle_fill: green → red.
struct MinuteClass {
  double lower, upper;
  const char* label;
  const char* rgb;
};
constexpr MinuteClass kMinuteClasses[] = {
    {0, 5, "0–5 min", "26,150,65"},      {5, 10, "5–10 min", "166,217,106"},
    {10, 15, "10–15 min", "255,255,191"}, {15, 30, "15–30 min", "253,174,97"},
    {30, 1e9, "> 30 min", "215,25,28"},
};

std::string attr(std::string_view name, std::string_view value) {
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string at -O3.
  std::string out(" ");
  out.append(name);
  out.append("=\"");
  out.append(xml_escape(value));
  out.push_back('"');
  return out;
}

std::string option(std::string_view name, std::string_view value) {
  return "<Option" + attr("name", name) + attr("type", "QString") + attr("value", value) + "/>";
}

// One symbol: marker for points, line for lines, fill for polygons. `rgba` is "r,g,b,a".
std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

// How a symbol differs from the default look; `rgba` is "r,g,b,a".
struct Look {
  std::string rgba = "120,120,120,255";
  std::string marker = "circle";  // point shape
  double size_mm = 2.4;           // marker size, or line width
  std::string outline = "35,35,35,255";
  double outline_mm = 0.2;
  std::string pattern = "solid";  // fill style (solid, b_diagonal ...) or line style (solid, dash ...)
};

std::string symbol_xml(QgisGeometry geometry, const std::string& name, const Look& look) {
  std::ostringstream o;
  const char* type = geometry == QgisGeometry::point  ? "marker"
                     : geometry == QgisGeometry::line ? "line"
                                                      : "fill";
  o << "<symbol" << attr("type", type) << attr("name", name)
    << attr("alpha", "1") << attr("clip_to_extent", "1") << attr("force_rhr", "0") << ">";
  switch (geometry) {
    case QgisGeometry::point:
      o << "<layer" << attr("class", "SimpleMarker") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("name", look.marker)
        << option("color", look.rgba) << option("outline_color", look.outline)
        << option("outline_style", "solid") << option("outline_width", number(look.outline_mm))
        << option("outline_width_unit", "MM") << option("size", number(look.size_mm))
        << option("size_unit", "MM") << "</Option></layer>";
      break;
    case QgisGeometry::line:
      o << "<layer" << attr("class", "SimpleLine") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("line_color", look.rgba)
        << option("line_style", look.pattern) << option("line_width", number(look.size_mm))
        << option("line_width_unit", "MM") << option("capstyle", "round")
        << option("joinstyle", "round") << "</Option></layer>";
      break;
    case QgisGeometry::polygon:
      o << "<layer" << attr("class", "SimpleFill") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("color", look.rgba)
        << option("style", look.pattern) << option("outline_color", look.outline)
        << option("outline_style", "solid") << option("outline_width", number(look.outline_mm))
        << option("outline_width_unit", "MM") << option("joinstyle", "bevel")
        << "</Option></layer>";
      break;
  }
  o << "</symbol>";
  return o.str();
}

std::string symbol_xml(QgisGeometry geometry, const std::string& name, const std::string& rgba,
                       const std::string& marker = "circle", double size_mm = 2.4) {
  Look look;
  look.rgba = rgba;
  look.marker = marker;
  look.size_mm = size_mm;
  if (geometry == QgisGeometry::line) look.size_mm = 0.6;
  if (geometry == QgisGeometry::polygon) look.outline = "80,80,80,200", look.outline_mm = 0.26;
  return symbol_xml(geometry, name, look);
}

std::string graduated(const QgisLayer& layer, const char* alpha) {
  std::ostringstream ranges, symbols;
  int i = 0;
  for (const MinuteClass& c : kMinuteClasses) {
    const std::string name = std::to_string(i++);
    ranges << "<range" << attr("lower", number(c.lower)) << attr("upper", number(c.upper))
           << attr("label", c.label) << attr("symbol", name) << attr("render", "true") << "/>";
    symbols << symbol_xml(layer.geometry, name, std::string(c.rgb) + "," + alpha);
  }
  return "<renderer-v2" + attr("type", "graduatedSymbol") + attr("attr", "minutes") +
         attr("graduatedMethod", "GraduatedColor") + attr("symbollevels", "0") +
         attr("enableorderby", "0") + attr("forceraster", "0") + "><ranges>" + ranges.str() +
         "</ranges><symbols>" + symbols.str() + "</symbols></renderer-v2>";
}

std::string categorized(const QgisLayer& layer, const std::string& field_or_expression,
                        const std::vector<QgisCategory>& categories, const std::vector<Look>& looks) {
  std::ostringstream cats, symbols;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const std::string name = std::to_string(i);
    const QgisCategory& c = categories[i];
    cats << "<category" << attr("value", c.value) << attr("symbol", name)
         << attr("label", c.label.empty() ? c.value : c.label) << attr("render", "true") << "/>";
    symbols << symbol_xml(layer.geometry, name, looks[i % looks.size()]);
  }
  return "<renderer-v2" + attr("type", "categorizedSymbol") + attr("attr", field_or_expression) +
         attr("symbollevels", "0") + attr("enableorderby", "0") + attr("forceraster", "0") +
         "><categories>" + cats.str() + "</categories><symbols>" + symbols.str() +
         "</symbols></renderer-v2>";
}

std::string categorized(const QgisLayer& layer, const std::string& field_or_expression,
                        const std::vector<QgisCategory>& categories,
                        const std::vector<std::string>& rgba,
                        const std::vector<std::string>& markers,
                        const std::vector<double>& sizes) {
  std::vector<Look> looks;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    Look look;
    look.rgba = rgba[i % rgba.size()];
    look.marker = markers[i % markers.size()];
    look.size_mm = sizes[i % sizes.size()];
    looks.push_back(look);
  }
  return categorized(layer, field_or_expression, categories, looks);
}

std::string single(const QgisLayer& layer, const Look& look) {
  return "<renderer-v2" + attr("type", "singleSymbol") + attr("symbollevels", "0") +
         attr("enableorderby", "0") + attr("forceraster", "0") + "><symbols>" +
         symbol_xml(layer.geometry, "0", look) + "</symbols></renderer-v2>";
}

// Rule-based: one rule per (filter, label, look). Features no rule matches are not drawn.
std::string rule_based(const QgisLayer& layer, const std::vector<std::array<std::string, 2>>& rules,
                       const std::vector<Look>& looks) {
  std::string xml = "<renderer-v2" + attr("type", "RuleRenderer") + attr("symbollevels", "0") +
                    attr("enableorderby", "0") + attr("forceraster", "0") + "><rules" +
                    attr("key", "{6c656761-0000-4000-9000-000000000000}") + ">";
  std::string symbols;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string key = "{6c656761-0000-4000-9000-00000000000" + std::to_string(i + 1) + "}";
    xml += "<rule" + attr("key", key) + attr("filter", rules[i][0]) + attr("label", rules[i][1]) +
           attr("symbol", std::to_string(i)) + "/>";
    symbols += symbol_xml(layer.geometry, std::to_string(i), looks[i % looks.size()]);
  }
  return xml + "</rules><symbols>" + symbols + "</symbols></renderer-v2>";
}

// The minute classes of graduated() as rules limited to the features matching `filter`: a style
// that shows one rule's mode (or one station's bands) without a layer subset.
std::string minute_rules(const QgisLayer& layer, const std::string& filter, const Look& base, bool outline_in_class_colour) {
  std::vector<std::array<std::string, 2>> rules;
  std::vector<Look> looks;
  for (const MinuteClass& c : kMinuteClasses) {
    rules.push_back({"(" + filter + ") AND \"minutes\" > " + number(c.lower) + " AND \"minutes\" <= " + number(c.upper),
                     c.label});
    Look look = base;
    look.rgba = std::string(c.rgb) + "," + base.rgba;  // base.rgba carries the alpha
    if (outline_in_class_colour) look.outline = std::string(c.rgb) + ",255";
    looks.push_back(look);
  }
  return rule_based(layer, rules, looks);
}

// Roads by class, wider and brighter for the bigger roads.
std::string roads_by_class(const QgisLayer& layer) {
  const bool en = layer.lang == "en";
  const std::string klass =
      "CASE WHEN \"highway\" IN ('motorway','motorway_link','trunk','trunk_link') THEN 'major' "
      "WHEN \"highway\" IN ('primary','primary_link','secondary','secondary_link') THEN 'main' "
      "WHEN \"highway\" IN ('track','path','footway','cycleway','bridleway','steps','pedestrian') THEN 'path' "
      "ELSE 'street' END";
  const std::vector<QgisCategory> cats = {{"major", en ? "Motorway, trunk road" : "高速公路、国道干线"},
                                          {"main", en ? "Primary, secondary road" : "省道、县道（主干、次干路）"},
                                          {"street", en ? "Local road, street" : "乡道、村道、街巷"},
                                          {"path", en ? "Track, path" : "机耕路、小路"}};
  std::vector<Look> looks(4);
  looks[0].rgba = "232,146,48,255", looks[0].size_mm = 1.1;
  looks[1].rgba = "246,210,90,255", looks[1].size_mm = 0.8;
  looks[2].rgba = "150,150,150,255", looks[2].size_mm = 0.4;
  looks[3].rgba = "170,150,120,255", looks[3].size_mm = 0.3, looks[3].pattern = "dash";
  return categorized(layer, klass, cats, looks);
}


// QGIS wants WKB-style geometry names in the project.
const char* geometry_name(QgisGeometry g) {
  switch (g) {
    case QgisGeometry::point: return "Point";
    case QgisGeometry::line: return "Line";
    case QgisGeometry::polygon: return "Polygon";
  }
  return "Unknown";
}

const char* wkb_type(QgisGeometry g) {
  switch (g) {
    case QgisGeometry::point: return "Point";
    case QgisGeometry::line: return "MultiLineString";
    case QgisGeometry::polygon: return "MultiPolygon";
  }
  return "Unknown";
}

// The project's spatial reference. EPSG:4326 in full; other codes by authid, which QGIS
// resolves from its own database on reading.
std::string spatialrefsys(const std::string& authid) {
  std::ostringstream o;
  o << "<spatialrefsys nativeFormat=\"Wkt\">";
  if (authid == "EPSG:4326") {
    o << "<proj4>+proj=longlat +datum=WGS84 +no_defs</proj4><srsid>3452</srsid>"
         "<srid>4326</srid><authid>EPSG:4326</authid><description>WGS 84</description>"
         "<projectionacronym>longlat</projectionacronym>"
         "<ellipsoidacronym>EPSG:7030</ellipsoidacronym><geographicflag>true</geographicflag>";
  } else {
    // QGIS resolves a layer's authid itself, but reads a project CRS only from its WKT.
    OGRSpatialReference srs;
    std::string wkt;
    if (srs.SetFromUserInput(authid.c_str()) == OGRERR_NONE) {
      char* text = nullptr;
      const char* options[] = {"FORMAT=WKT2_2018", nullptr};
      if (srs.exportToWkt(&text, options) == OGRERR_NONE && text) wkt = text;
      CPLFree(text);
    }
    const std::string code = authid.rfind("EPSG:", 0) == 0 ? authid.substr(5) : "";
    o << "<wkt>" << xml_escape(wkt) << "</wkt><srid>" << xml_escape(code) << "</srid><authid>"
      << xml_escape(authid) << "</authid>";
  }
  o << "</spatialrefsys>";
  return o.str();
}

// Layer ids must be unique and stable (deterministic output): the GeoPackage layer name,
// reduced to ASCII letters, digits and '_', plus its position. QGIS 3.22 drops an id of 10
// characters or fewer when it reads a project (and gives the layer a new random one, detaching
// it from the layer tree), so every id carries a prefix that makes it longer.
std::string layer_id(const QgisLayer& layer, std::size_t i) {
  std::string id = "legalcircle_";
  for (char c : layer.name) {
    const unsigned char u = static_cast<unsigned char>(c);
    id += (u < 0x80 && (std::isalnum(u) || c == '_')) ? c : '_';
  }
  return id + "_" + std::to_string(i);
}

std::string datasource(const QgisProject& project, const QgisLayer& layer) {
  return "./" + project.gpkg + "|layername=" + layer.name + (layer.subset.empty() ? "" : "|subset=" + layer.subset);
}

// Common attributes of a layout item: QGIS 3.22 reads the rest with its defaults.
std::string layout_item(const char* type, const std::string& uuid, const std::string& id, double x, double y, double w,
                        double h, int z, const std::string& extra_attributes, const std::string& children) {
  const std::string pos = number(x) + "," + number(y) + ",mm";
  return "<LayoutItem" + attr("type", type) + attr("uuid", uuid) + attr("templateUuid", uuid) + attr("id", id) +
         attr("position", pos) + attr("positionOnPage", pos) + attr("size", number(w) + "," + number(h) + ",mm") +
         attr("zValue", std::to_string(z)) + attr("visibility", "1") + attr("frame", "false") +
         attr("background", "false") + attr("referencePoint", "0") + attr("opacity", "1") + extra_attributes + ">" +
         children + "</LayoutItem>\n";
}

std::string font(const char* family, int points, bool bold) {
  return std::string(family) + "," + std::to_string(points) + ",-1,5," + (bold ? "75" : "50") + ",0,0,0,0,0";
}

std::string layout_label(const std::string& uuid, const std::string& id, const std::string& text, double x, double y,
                         double w, double h, int points, bool bold) {
  return layout_item("65641", uuid, id, x, y, w, h, 2,
                     attr("labelText", text) + attr("htmlState", "0") + attr("halign", "1") + attr("valign", "32") +
                         attr("marginX", "0") + attr("marginY", "0"),
                     "<LabelFont" + attr("description", font("Noto Sans CJK SC", points, bold)) + attr("style", "") +
                         "/><FontColor red=\"30\" green=\"30\" blue=\"30\" alpha=\"255\"/>");
}

std::string layout_xml(const QgisProject& project, const QgisAtlas& a) {
  const QgisLayer& coverage = project.layers.at(a.coverage_layer);
  const std::string map_uuid = "{6c656761-0000-4000-8000-000000000001}";
  std::ostringstream o;
  o << "<Layout" << attr("name", a.name) << attr("units", "mm") << attr("printResolution", "300")
    << attr("worldFileMap", "") << ">\n";
  o << "<PageCollection>" << layout_item("65638", "{6c656761-0000-4000-8000-000000000000}", "", 0, 0, 210, 297, 0,
                                         attr("background", "true"), "")
    << "<GuideCollection visible=\"1\"/></PageCollection>\n";
  // The title is the atlas feature's own (an expression), so every page names its station.
  o << layout_label("{6c656761-0000-4000-8000-000000000002}", "title", "[% " + a.title_expression + " %]", 12, 10, 186,
                    12, 18, true);
  o << layout_label("{6c656761-0000-4000-8000-000000000003}", "subtitle", a.subtitle, 12, 22, 186, 8, 10, false);
  o << layout_item("65639", map_uuid, "map", 12, 32, 186, 190, 1,
                   attr("keepLayerSet", "false") + attr("drawCanvasItems", "true") + attr("mapRotation", "0") +
                       attr("frame", "true") + attr("background", "true"),
                   "<FrameColor red=\"80\" green=\"80\" blue=\"80\" alpha=\"255\"/><Extent" + attr("xmin", number(a.extent[0])) +
                       attr("ymin", number(a.extent[1])) + attr("xmax", number(a.extent[2])) +
                       attr("ymax", number(a.extent[3])) + "/><LayerSet/>" +
                       // Fixed scale (0): a station is a point; every page keeps the map's scale, centred on it.
                       "<AtlasMap atlasDriven=\"1\" scalingMode=\"0\" margin=\"0.1\"/>");
  o << layout_item("65642", "{6c656761-0000-4000-8000-000000000004}", "legend", 12, 225, 130, 60, 3,
                   attr("map_uuid", map_uuid) + attr("resizeToContents", "1") + attr("columnCount", "3") +
                       attr("splitLayer", "1") + attr("equalColumnWidth", "0") +
                       attr("symbolWidth", "5") + attr("symbolHeight", "3") + attr("title", "") + attr("legendFilterByMap", "1") +
                       attr("background", "true"),
                   "<styles><style name=\"symbolLabel\" marginLeft=\"1.5\" marginTop=\"1\"><styleFont" +
                       attr("description", font("Noto Sans CJK SC", 6, false)) + attr("style", "") +
                       "/></style><style name=\"group\" marginTop=\"2\"><styleFont" +
                       attr("description", font("Noto Sans CJK SC", 7, true)) + attr("style", "") +
                       "/></style><style name=\"subgroup\" marginTop=\"1.5\"><styleFont" +
                       attr("description", font("Noto Sans CJK SC", 7, true)) + attr("style", "") +
                       "/></style><style name=\"title\"><styleFont" + attr("description", font("Noto Sans CJK SC", 9, true)) +
                       attr("style", "") + "/></style></styles>");
  o << layout_item("65646", "{6c656761-0000-4000-8000-000000000005}", "scalebar", 148, 228, 50, 12, 4,
                   attr("mapUuid", map_uuid) + attr("style", "Single Box") + attr("unitType", "km") +
                       attr("unitLabel", "km") + attr("numSegments", "2") + attr("numSegmentsLeft", "0") +
                       // QGIS measures the map on the project's ellipsoid in metres and divides by
                       // the unit: one "map unit" per km then, whatever the project CRS.
                       attr("numMapUnitsPerScaleBarUnit", "1") + attr("numUnitsPerSegment", "1") +
                       attr("segmentSizeMode", "0") +
                       attr("minBarWidth", "20") + attr("maxBarWidth", "50") + attr("height", "2"),
                   "");
  o << layout_item("65640", "{6c656761-0000-4000-8000-000000000006}", "north_arrow", 186, 34, 10, 14, 5,
                   attr("file", ":/images/north_arrows/layout_default_north_arrow.svg") + attr("mapUuid", map_uuid) +
                       attr("northMode", "0") + attr("northOffset", "0") + attr("mode", "2") + attr("resizeMode", "0") +
                       attr("pictureWidth", "10") + attr("pictureHeight", "14"),
                   "");
  o << layout_label("{6c656761-0000-4000-8000-000000000007}", "footer", a.footer, 12, 288, 186, 6, 7, false);
  o << "<Atlas" << attr("enabled", "1") << attr("coverageLayer", layer_id(coverage, a.coverage_layer))
    << attr("coverageLayerName", coverage.title.empty() ? coverage.name : coverage.title)
    << attr("coverageLayerSource", datasource(project, coverage)) << attr("coverageLayerProvider", "ogr")
    << attr("pageNameExpression", a.page_name_expression) << attr("hideCoverage", "0") << attr("filterFeatures", "0")
    << attr("sortFeatures", "1") << attr("sortKey", "id") << attr("sortAscending", "1")
    << attr("filenamePattern", "'guide_' || \"id\"") << "/>\n";
  o << "</Layout>\n";
  return o.str();
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;   // kept in attributes, not normalised to spaces
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        // Other C0 controls are not allowed in XML 1.0; UTF-8 bytes (>= 0x80) pass through.
        if (static_cast<unsigned char>(c) >= 0x20) out += c;
    }
  }
  return out;
}

std::string qgis_renderer_xml(const QgisLayer& layer) {
  const bool en = layer.lang == "en";
  switch (layer.style) {
    case QgisStyle::graduated_minutes:
      return graduated(layer, "255");
    case QgisStyle::circle_fill:
      return graduated(layer, layer.geometry == QgisGeometry::polygon ? "110" : "255");
    case QgisStyle::uncovered_red:
      // An expression, so boolean, 0/1 and "true"/"false" fields all work.
      return categorized(layer, "if(\"covered\" IN (1, 'true', 'TRUE', 't'), 'covered', 'uncovered')",
                         {{"uncovered", en ? "uncovered" : "未覆盖"}, {"covered", en ? "covered" : "已覆盖"}},
                         {"215,25,28,255", "26,150,65,255"}, {"circle"}, {3.0, 2.0});
    case QgisStyle::areas_by_verdict:
      return categorized(layer, "if(\"covered\" IN (1, 'true', 'TRUE', 't'), 'covered', 'uncovered')",
                         {{"uncovered", en ? "uncovered" : "未覆盖"}, {"covered", en ? "covered" : "已覆盖"}},
                         {"215,25,28,70", "26,150,65,60"}, {"circle"}, {2.0});
    case QgisStyle::services_by_tier: {
      std::vector<QgisCategory> cats = layer.categories;
      if (cats.empty())
        cats = {{"center", en ? "center" : "中心"},
                {"town_station", en ? "town station" : "镇街站"},
                {"village_point", en ? "village point" : "村社点"}};
      // QGIS: the empty value matches every other value (a caller may name that category itself).
      if (cats.back().value != "") cats.push_back({"", en ? "other" : "其他"});
      return categorized(layer, "tier", cats,
                         {"202,0,32,255", "244,165,130,255", "5,113,176,255", "146,197,222,255"},
                         {"star", "square", "circle", "triangle"}, {5.0, 3.6, 2.6, 2.6});
    }
    case QgisStyle::roads_by_class:
      return roads_by_class(layer);
    case QgisStyle::gap_marker: {
      Look ring;
      ring.rgba = "255,255,255,0", ring.size_mm = 4.2, ring.outline = "215,25,28,255", ring.outline_mm = 0.6;
      return single(layer, ring);
    }
    case QgisStyle::new_site: {
      Look star;
      // A diamond in violet: the county centre is already a red star.
      star.rgba = "136,65,157,255", star.marker = "diamond", star.size_mm = 5.0, star.outline = "255,255,255,255";
      star.outline_mm = 0.4;
      return single(layer, star);
    }
    case QgisStyle::hatched_red: {
      Look hatch;
      hatch.rgba = "215,25,28,255", hatch.pattern = "b_diagonal", hatch.outline = "215,25,28,255";
      hatch.outline_mm = 0.4;
      return single(layer, hatch);
    }
    case QgisStyle::atlas_bands: {
      Look look;
      look.rgba = "120", look.outline_mm = 0.4;
      return minute_rules(layer, "\"service_id\" = attribute(@atlas_feature, 'id')", look, true);
    }
    case QgisStyle::atlas_served: {
      Look ring;
      ring.rgba = "255,255,255,0", ring.size_mm = 4.6, ring.outline = "5,113,176,255", ring.outline_mm = 0.7;
      return rule_based(layer, {{"\"nearest_service_id\" = attribute(@atlas_feature, 'id')",
                                 en ? "nearest to this station" : "就近到本站的村社"}},
                        {ring});
    }
    case QgisStyle::plain:
      break;
  }
  Look plain;
  if (layer.geometry == QgisGeometry::line) plain.size_mm = 0.6;
  if (layer.geometry == QgisGeometry::polygon) plain.outline = "80,80,80,200", plain.outline_mm = 0.26;
  return single(layer, plain);
}

// Labels from one field, haloed so they read over fills and roads. Placement "around point" for
// points, "parallel" for lines, "horizontal" inside polygons.
std::string labeling_xml(const QgisLayer& layer) {
  if (layer.label_field.empty()) return "";
  const char* placement = layer.geometry == QgisGeometry::point ? "0" : layer.geometry == QgisGeometry::line ? "2" : "1";
  return "<labeling type=\"simple\"><settings calloutType=\"simple\"><text-style" + attr("fieldName", layer.label_field) +
         attr("isExpression", "0") + attr("fontFamily", "Noto Sans CJK SC") + attr("fontSize", "8") +
         attr("fontSizeUnit", "Point") + attr("textColor", "30,30,30,255") + attr("textOpacity", "1") +
         attr("fontWeight", "50") + "><families/><text-buffer" + attr("bufferDraw", "1") + attr("bufferSize", "0.8") +
         attr("bufferSizeUnits", "MM") + attr("bufferColor", "255,255,255,255") + attr("bufferOpacity", "0.9") +
         attr("bufferJoinStyle", "128") + "/></text-style><text-format" + attr("wrapChar", "") +
         attr("multilineAlign", "3") + "/><placement" + attr("placement", placement) + attr("dist", "1.2") +
         attr("distUnits", "MM") + attr("quadOffset", "4") + attr("placementFlags", "10") +
         attr("priority", layer.style == QgisStyle::new_site ? "9" : "5") + "/><rendering" + attr("obstacle", "1") +
         attr("drawLabels", "1") + attr("displayAll", "0") + attr("upsidedownLabels", "0") +
         attr("fontMinPixelSize", "3") + attr("fontMaxPixelSize", "10000") + attr("fontLimitPixelSize", "0") +
         attr("maxNumLabels", "2000") + attr("limitNumLabels", "0") + attr("scaleVisibility", "0") + attr("zIndex", "0") +
         "/></settings></labeling>";
}

std::string aliases_xml(const QgisLayer& layer) {
  if (layer.fields.empty()) return "";
  std::string xml = "<aliases>";
  for (std::size_t i = 0; i < layer.fields.size(); ++i)
    xml += "<alias" + attr("field", layer.fields[i].name) + attr("index", std::to_string(i)) +
           attr("name", layer.fields[i].alias) + "/>";
  return xml + "</aliases>";
}

// What a layer's style holds beyond its renderer: labels and field aliases.
std::string style_body(const QgisLayer& layer) {
  return qgis_renderer_xml(layer) + "\n" + labeling_xml(layer) + aliases_xml(layer);
}

std::string qgis_style_qml(const QgisLayer& layer) {
  // A style stands without the project's layer subset (a .qml, the GeoPackage's layer_styles):
  // minute fills of a subset layer become rules over that subset, so the circle opened alone
  // shows the primary rule's band, not every rule, mode and band stacked.
  std::string body = style_body(layer);
  const bool minutes = layer.style == QgisStyle::circle_fill || layer.style == QgisStyle::graduated_minutes;
  if (minutes && !layer.subset.empty()) {
    Look look;
    look.rgba = layer.geometry == QgisGeometry::polygon && layer.style == QgisStyle::circle_fill ? "110" : "255";
    if (layer.geometry == QgisGeometry::polygon) look.outline = "80,80,80,200", look.outline_mm = 0.26;
    body = minute_rules(layer, layer.subset, look, false) + "\n" + labeling_xml(layer) + aliases_xml(layer);
  }
  return std::string(kDoctype) + "<qgis" + attr("version", kQgisVersion) +
         attr("styleCategories", "AllStyleCategories") + attr("labelsEnabled", layer.label_field.empty() ? "0" : "1") +
         ">\n" + body + "\n<layerGeometryType>" +
         (layer.geometry == QgisGeometry::point  ? "0"
          : layer.geometry == QgisGeometry::line ? "1"
                                                 : "2") +
         "</layerGeometryType>\n</qgis>\n";
}

std::string qgis_project_xml(const QgisProject& project) {
  std::ostringstream o;
  o << kDoctype << "<qgis" << attr("projectname", project.title)
    << attr("version", kQgisVersion) << ">\n";
  o << "<homePath path=\"\"/>\n<title>" << xml_escape(project.title) << "</title>\n";
  // The project CRS is the layers' (the GeoPackage's): EPSG:4326 or the scenario's project_crs.
  const std::string crs = project.layers.empty() ? "EPSG:4326" : project.layers.front().crs;
  o << "<projectCrs>" << spatialrefsys(crs) << "</projectCrs>\n";

  o << "<layer-tree-group>\n<customproperties/>\n";
  for (std::size_t i = 0; i < project.layers.size(); ++i) {
    const QgisLayer& l = project.layers[i];
    const bool opens = !l.group.empty() && (i == 0 || project.layers[i - 1].group != l.group);
    const bool closes = !l.group.empty() && (i + 1 == project.layers.size() || project.layers[i + 1].group != l.group);
    if (opens) {
      bool any_visible = false;
      for (std::size_t k = i; k < project.layers.size() && project.layers[k].group == l.group; ++k)
        any_visible = any_visible || project.layers[k].visible;
      o << "<layer-tree-group" << attr("name", l.group) << attr("checked", any_visible ? "Qt::Checked" : "Qt::Unchecked")
        << attr("expanded", "1") << "><customproperties/>\n";
    }
    o << "<layer-tree-layer" << attr("id", layer_id(l, i))
      << attr("name", l.title.empty() ? l.name : l.title)
      << attr("source", datasource(project, l)) << attr("providerKey", "ogr")
      << attr("checked", l.visible ? "Qt::Checked" : "Qt::Unchecked")
      << attr("expanded", "1") << "><customproperties/></layer-tree-layer>\n";
    if (closes) o << "</layer-tree-group>\n";
  }
  o << "</layer-tree-group>\n";

  o << "<projectlayers>\n";
  for (std::size_t i = 0; i < project.layers.size(); ++i) {
    const QgisLayer& l = project.layers[i];
    o << "<maplayer" << attr("type", "vector") << attr("geometry", geometry_name(l.geometry))
      << attr("wkbType", wkb_type(l.geometry)) << attr("autoRefreshEnabled", "0")
      << attr("hasScaleBasedVisibilityFlag", "0") << attr("labelsEnabled", l.label_field.empty() ? "0" : "1") << ">\n";
    o << "<id>" << xml_escape(layer_id(l, i)) << "</id>\n";
    o << "<datasource>" << xml_escape(datasource(project, l)) << "</datasource>\n";
    o << "<layername>" << xml_escape(l.title.empty() ? l.name : l.title) << "</layername>\n";
    o << "<srs>" << spatialrefsys(l.crs) << "</srs>\n";
    o << "<provider encoding=\"UTF-8\">ogr</provider>\n";
    o << style_body(l) << "\n";
    o << "</maplayer>\n";
  }
  o << "</projectlayers>\n";

  o << "<layerorder>";
  for (std::size_t i = 0; i < project.layers.size(); ++i)
    o << "<layer" << attr("id", layer_id(project.layers[i], i)) << "/>";
  o << "</layerorder>\n";
  if (!project.atlases.empty()) {
    o << "<Layouts>\n";
    for (const QgisAtlas& a : project.atlases) o << layout_xml(project, a);
    o << "</Layouts>\n";
  }
  // Relative paths: the project moves with its GeoPackage.
  // QGIS reads <projectCrs> only when ProjectionsEnabled is set.
  o << "<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
       "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys>"
       // Distances on the WGS 84 ellipsoid in metres: scale bars and measurements in real units.
       "<Measure><Ellipsoid type=\"QString\">EPSG:7030</Ellipsoid></Measure>"
       "<Measurement><DistanceUnits type=\"QString\">meters</DistanceUnits><AreaUnits type=\"QString\">m2</AreaUnits></Measurement>"
       "</properties>\n";
  o << "</qgis>\n";
  return o.str();
}

namespace {

// Per GeoPackage layer, the project layer whose style is the layer's own (.qml, layer_styles):
// the first that draws outside an atlas page too.
std::vector<const QgisLayer*> default_style_layers(const QgisProject& project) {
  std::vector<const QgisLayer*> chosen;
  for (const QgisLayer& l : project.layers) {
    const bool atlas_only = l.style == QgisStyle::atlas_bands || l.style == QgisStyle::atlas_served;
    auto it = std::find_if(chosen.begin(), chosen.end(), [&](const QgisLayer* c) { return c->name == l.name; });
    if (it == chosen.end())
      chosen.push_back(&l);
    else if (!atlas_only && ((*it)->style == QgisStyle::atlas_bands || (*it)->style == QgisStyle::atlas_served))
      *it = &l;
  }
  return chosen;
}

}  // namespace

std::vector<LayerStyle> qgis_gpkg_styles(const QgisProject& project) {
  std::vector<LayerStyle> styles;
  for (const QgisLayer* l : default_style_layers(project))
    styles.push_back({l->name, "legalcircle", qgis_style_qml(*l), l->title.empty() ? l->name : l->title});
  return styles;
}

void write_qgis_project(const std::string& qgs_path, const QgisProject& project) {
  const std::filesystem::path dir = std::filesystem::path(qgs_path).parent_path();
  for (const QgisLayer& l : project.layers) {
    if (l.name.empty()) throw OutputError(qgs_path + ": a QGIS layer has no name");
    if (l.name.find_first_of("/\\") != std::string::npos)
      throw OutputError(qgs_path + ": layer name '" + l.name + "' cannot be a file name");
  }
  for (const QgisLayer* l : default_style_layers(project))
    write_text_file((dir / (l->name + ".qml")).string(), qgis_style_qml(*l));
  write_text_file(qgs_path, qgis_project_xml(project));
}

}  // namespace legalcircle
