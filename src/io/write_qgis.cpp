#include "legalcircle/io/write_qgis.hpp"

#include <cpl_conv.h>
#include <ogr_spatialref.h>

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
std::string symbol_xml(QgisGeometry geometry, const std::string& name, const std::string& rgba,
                       const std::string& marker = "circle", double size_mm = 2.4) {
  std::ostringstream o;
  const char* type = geometry == QgisGeometry::point  ? "marker"
                     : geometry == QgisGeometry::line ? "line"
                                                      : "fill";
  o << "<symbol" << attr("type", type) << attr("name", name)
    << attr("alpha", "1") << attr("clip_to_extent", "1") << attr("force_rhr", "0") << ">";
  switch (geometry) {
    case QgisGeometry::point:
      o << "<layer" << attr("class", "SimpleMarker") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("name", marker)
        << option("color", rgba) << option("outline_color", "35,35,35,255")
        << option("outline_style", "solid") << option("outline_width", "0.2")
        << option("outline_width_unit", "MM") << option("size", std::to_string(size_mm))
        << option("size_unit", "MM") << "</Option></layer>";
      break;
    case QgisGeometry::line:
      o << "<layer" << attr("class", "SimpleLine") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("line_color", rgba)
        << option("line_style", "solid") << option("line_width", "0.6")
        << option("line_width_unit", "MM") << option("capstyle", "round")
        << option("joinstyle", "round") << "</Option></layer>";
      break;
    case QgisGeometry::polygon:
      o << "<layer" << attr("class", "SimpleFill") << attr("enabled", "1") << attr("pass", "0")
        << attr("locked", "0") << "><Option type=\"Map\">" << option("color", rgba)
        << option("style", "solid") << option("outline_color", "80,80,80,200")
        << option("outline_style", "solid") << option("outline_width", "0.26")
        << option("outline_width_unit", "MM") << option("joinstyle", "bevel")
        << "</Option></layer>";
      break;
  }
  o << "</symbol>";
  return o.str();
}

std::string number(double v) {
  std::ostringstream o;
  o << v;
  return o.str();
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
                        const std::vector<QgisCategory>& categories,
                        const std::vector<std::string>& rgba,
                        const std::vector<std::string>& markers,
                        const std::vector<double>& sizes) {
  std::ostringstream cats, symbols;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const std::string name = std::to_string(i);
    const QgisCategory& c = categories[i];
    cats << "<category" << attr("value", c.value) << attr("symbol", name)
         << attr("label", c.label.empty() ? c.value : c.label) << attr("render", "true") << "/>";
    symbols << symbol_xml(layer.geometry, name, rgba[i % rgba.size()],
                          markers[i % markers.size()], sizes[i % sizes.size()]);
  }
  return "<renderer-v2" + attr("type", "categorizedSymbol") + attr("attr", field_or_expression) +
         attr("symbollevels", "0") + attr("enableorderby", "0") + attr("forceraster", "0") +
         "><categories>" + cats.str() + "</categories><symbols>" + symbols.str() +
         "</symbols></renderer-v2>";
}

std::string single(const QgisLayer& layer) {
  return "<renderer-v2" + attr("type", "singleSymbol") + attr("symbollevels", "0") +
         attr("enableorderby", "0") + attr("forceraster", "0") + "><symbols>" +
         symbol_xml(layer.geometry, "0", "120,120,120,255") + "</symbols></renderer-v2>";
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
  switch (layer.style) {
    case QgisStyle::graduated_minutes:
      return graduated(layer, "255");
    case QgisStyle::circle_fill:
      return graduated(layer, layer.geometry == QgisGeometry::polygon ? "110" : "255");
    case QgisStyle::uncovered_red:
      // An expression, so boolean, 0/1 and "true"/"false" fields all work.
      return categorized(layer, "if(\"covered\" IN (1, 'true', 'TRUE', 't'), 'covered', 'uncovered')",
                         {{"uncovered", "未覆盖 uncovered"}, {"covered", "已覆盖 covered"}},
                         {"215,25,28,255", "26,150,65,255"}, {"circle"}, {3.0, 2.0});
    case QgisStyle::services_by_tier: {
      std::vector<QgisCategory> cats = layer.categories;
      if (cats.empty())
        cats = {{"center", "中心 center"},
                {"town_station", "镇街站 town station"},
                {"village_point", "村社点 village point"}};
      cats.push_back({"", "其他 other"});  // QGIS: the empty value matches every other value
      return categorized(layer, "tier", cats,
                         {"202,0,32,255", "244,165,130,255", "5,113,176,255", "146,197,222,255"},
                         {"star", "square", "circle", "triangle"}, {5.0, 3.6, 2.6, 2.6});
    }
    case QgisStyle::plain:
      return single(layer);
  }
  return single(layer);
}

std::string qgis_style_qml(const QgisLayer& layer) {
  return std::string(kDoctype) + "<qgis" + attr("version", kQgisVersion) +
         attr("styleCategories", "Symbology") + ">\n" + qgis_renderer_xml(layer) +
         "\n<layerGeometryType>" +
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
      << attr("hasScaleBasedVisibilityFlag", "0") << ">\n";
    o << "<id>" << xml_escape(layer_id(l, i)) << "</id>\n";
    o << "<datasource>" << xml_escape(datasource(project, l)) << "</datasource>\n";
    o << "<layername>" << xml_escape(l.title.empty() ? l.name : l.title) << "</layername>\n";
    o << "<srs>" << spatialrefsys(l.crs) << "</srs>\n";
    o << "<provider encoding=\"UTF-8\">ogr</provider>\n";
    o << qgis_renderer_xml(l) << "\n";
    o << "</maplayer>\n";
  }
  o << "</projectlayers>\n";

  o << "<layerorder>";
  for (std::size_t i = 0; i < project.layers.size(); ++i)
    o << "<layer" << attr("id", layer_id(project.layers[i], i)) << "/>";
  o << "</layerorder>\n";
  // Relative paths: the project moves with its GeoPackage.
  // QGIS reads <projectCrs> only when ProjectionsEnabled is set.
  o << "<properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
       "<SpatialRefSys><ProjectionsEnabled type=\"int\">1</ProjectionsEnabled></SpatialRefSys></properties>\n";
  o << "</qgis>\n";
  return o.str();
}

void write_qgis_project(const std::string& qgs_path, const QgisProject& project) {
  const std::filesystem::path dir = std::filesystem::path(qgs_path).parent_path();
  for (const QgisLayer& l : project.layers) {
    if (l.name.empty()) throw OutputError(qgs_path + ": a QGIS layer has no name");
    if (l.name.find_first_of("/\\") != std::string::npos)
      throw OutputError(qgs_path + ": layer name '" + l.name + "' cannot be a file name");
  }
  for (const QgisLayer& l : project.layers)
    write_text_file((dir / (l.name + ".qml")).string(), qgis_style_qml(l));
  write_text_file(qgs_path, qgis_project_xml(project));
}

}  // namespace legalcircle
