#include "legalcircle/io/geometry_ops.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/io/text_encoding.hpp"
#include "legalcircle/io/write_outputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <cpl_error.h>
#include <cpl_vsi.h>
#include <ogr_p.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/core/parallel.hpp"
#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

// Every output is UTF-8 (RFC 7946, GeoPackage, Excel with BOM): a cell that is not is refused
// here, whichever writer it reaches, naming the row and column.
void check_utf8(const std::string& what, const Table& t) {
  for (const Column& c : t.columns)
    if (!is_valid_utf8(c.name)) throw OutputError(what + ": a column name is not valid UTF-8");
  for (std::size_t r = 0; r < t.rows.size(); ++r)
    for (std::size_t k = 0; k < t.rows[r].size(); ++k)
      if (!is_valid_utf8(t.rows[r][k]))
        throw OutputError(what + ": row " + std::to_string(r) + ": column '" +
                          (k < t.columns.size() ? t.columns[k].name : std::to_string(k)) + "' is not valid UTF-8");
}

void check_shape(const std::string& path, const Table& t) {
  for (size_t r = 0; r < t.rows.size(); ++r)
    if (t.rows[r].size() != t.columns.size())
      throw OutputError(path + ": row " + std::to_string(r) + " has " +
                        std::to_string(t.rows[r].size()) + " cells for " +
                        std::to_string(t.columns.size()) + " columns");
  if (!t.geometry.empty() && t.geometry.size() != t.rows.size())
    throw OutputError(path + ": " + std::to_string(t.geometry.size()) + " points for " +
                      std::to_string(t.rows.size()) + " rows");
  if (!t.wkb.empty() && (t.wkb.size() != t.rows.size() || !t.geometry.empty()))
    throw OutputError(path + ": " + std::to_string(t.wkb.size()) + " polygons for " +
                      std::to_string(t.rows.size()) + " rows");
}

OGRFieldType ogr_type(Column::Type type) {
  switch (type) {
    case Column::Type::integer: return OFTInteger64;
    case Column::Type::real: return OFTReal;
    case Column::Type::boolean: return OFTInteger;  // with the OFSTBoolean subtype
    case Column::Type::text: break;
  }
  return OFTString;
}

// Sets one typed cell; the text must parse as the column's type (the caller made it).
template <class Where>  // where(): the row, named only on failure
void set_cell(OGRFeature& f, int i, const Column& col, const std::string& cell, const Where& where) {
  if (cell.empty()) {
    f.SetFieldNull(i);
    return;
  }
  auto bad = [&] {
    return OutputError(where() + ": column '" + col.name + "' cannot hold '" + cell + "'");
  };
  const char* end = cell.data() + cell.size();
  switch (col.type) {
    case Column::Type::integer: {
      long long v = 0;
      auto [p, ec] = std::from_chars(cell.data(), end, v);
      if (ec != std::errc() || p != end) throw bad();
      f.SetField(i, static_cast<GIntBig>(v));
      return;
    }
    case Column::Type::real: {
      double v = 0;
      auto [p, ec] = std::from_chars(cell.data(), end, v);
      if (ec != std::errc() || p != end) throw bad();
      f.SetField(i, v);
      return;
    }
    case Column::Type::boolean:
      if (cell == "true" || cell == "1") f.SetField(i, 1);
      else if (cell == "false" || cell == "0") f.SetField(i, 0);
      else throw bad();
      return;
    case Column::Type::text:
      f.SetField(i, cell.c_str());
      return;
  }
}

// Excel and LibreOffice run a cell that starts with = + - @ (or a tab or CR before one) as a
// formula: =HYPERLINK(...) in a village name would become a live link. Text cells that start so
// get a leading apostrophe, which spreadsheets show as text (OWASP's CSV-injection advice).
std::string neutralise_formula(const std::string& s) {
  if (s.empty()) return s;
  const char c = s.front();
  return (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') ? "'" + s : s;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

namespace {

OGRwkbGeometryType layer_type(const Table& t) {
  switch (t.shape) {
    case Table::Shape::none: return wkbNone;
    case Table::Shape::point: return wkbPoint;
    case Table::Shape::polygon: return wkbMultiPolygon;
    case Table::Shape::line: return wkbMultiLineString;
    case Table::Shape::derived: break;
  }
  if (!t.wkb.empty()) return wkbMultiPolygon;
  return t.geometry.empty() ? wkbNone : wkbPoint;
}

// Row r's geometry as written: transformed, rounded to `decimals`, polygons valid in those
// coordinates (nullptr: none).
std::unique_ptr<OGRGeometry> row_geometry(const Table& t, std::size_t r, OGRwkbGeometryType type,
                                          OGRCoordinateTransformation* transform, int decimals,
                                          const std::string& path, const std::string& layer_name) {
  // Named only on failure: a million road segments need no million messages.
  auto where = [&] { return path + ": layer " + layer_name + ": row " + std::to_string(r); };
  OGRGeometry* g = nullptr;
  if (!t.geometry.empty()) {
    g = new OGRPoint(t.geometry[r].lon, t.geometry[r].lat);
  } else if (!t.wkb.empty() && !t.wkb[r].empty()) {
    if (OGRGeometryFactory::createFromWkb(t.wkb[r].data(), nullptr, &g, t.wkb[r].size()) != OGRERR_NONE)
      throw OutputError(where() + ": broken geometry");
    if (type == wkbMultiPolygon) g = OGRGeometryFactory::forceToMultiPolygon(g);
    if (type == wkbMultiLineString) g = OGRGeometryFactory::forceToMultiLineString(g);
  }
  if (!g) return nullptr;
  if (transform && g->transform(transform) != OGRERR_NONE) {
    delete g;
    throw OutputError(where() + ": cannot transform geometry");
  }
  // Valid as written: reprojection and rounding can make a valid ring touch itself. Polygons
  // traced with clearance (isochrones) stay valid through rounding and are not checked again.
  if (t.polygons_valid_as_written && !transform) {
    if (decimals >= 0) round_geometry(g, decimals);
  } else {
    make_valid_as_written(g, decimals);
  }
  if (type == wkbMultiPolygon && wkbFlatten(g->getGeometryType()) != wkbMultiPolygon)
    g = OGRGeometryFactory::forceToMultiPolygon(g);
  return std::unique_ptr<OGRGeometry>(g);
}

// GeoJSON of a geometry exactly as GDAL's RFC 7946 writer prints it (json-c's spacing, GDAL's
// coordinate formatting at `decimals`, exterior rings counter-clockwise and holes clockwise),
// without building json-c's tree of one object per number.
class GeoJsonGeometry {
 public:
  explicit GeoJsonGeometry(int decimals) {
    options_.precision = decimals;
    options_.round = true;
    options_.format = OGRWktFormat::F;
  }
  std::string text(const OGRGeometry& g) const {
    std::string out;
    switch (wkbFlatten(g.getGeometryType())) {
      case wkbPoint: {
        const OGRPoint& p = *g.toPoint();
        out = "{ \"type\": \"Point\", \"coordinates\": ";
        position(out, p.getX(), p.getY());
        break;
      }
      case wkbMultiPolygon: {
        // As GDAL: a multipolygon of one part is written as that polygon.
        const OGRMultiPolygon& m = *g.toMultiPolygon();
        auto rings = [&](const OGRPolygon* poly) {
          array(out, *poly, [&](const OGRLinearRing* ring) {
            // RFC 7946: exterior counter-clockwise, holes clockwise.
            line(out, *ring, ring->isClockwise() == (ring == poly->getExteriorRing()));
          });
        };
        if (m.getNumGeometries() == 1) {
          out = "{ \"type\": \"Polygon\", \"coordinates\": ";
          rings(m.getGeometryRef(0));
        } else {
          out = "{ \"type\": \"MultiPolygon\", \"coordinates\": ";
          array(out, m, rings);
        }
        break;
      }
      case wkbMultiLineString: {
        const OGRMultiLineString& m = *g.toMultiLineString();
        if (m.getNumGeometries() == 1) {
          out = "{ \"type\": \"LineString\", \"coordinates\": ";
          line(out, *m.getGeometryRef(0), false);
        } else {
          out = "{ \"type\": \"MultiLineString\", \"coordinates\": ";
          array(out, m, [&](const OGRLineString* l) { line(out, *l, false); });
        }
        break;
      }
      default:
        throw OutputError("GeoJSON: no writer for geometry type " + std::string(OGRGeometryTypeToName(g.getGeometryType())));
    }
    out += " }";
    return out;
  }

 private:
  // GDAL's OGRFormatDouble at `decimals` places: printf's 'f', trailing zeros dropped (one
  // kept), and GDAL's own rounding of runs of 0s and 9s. std::to_chars prints as printf does, a
  // few times faster; a number whose digits hold such a run goes to GDAL's formatter. Tested
  // against GDAL's on random and edge values.
  void number(std::string& out, double v) const {
    char buf[64];
    const auto [end, ec] = std::abs(v) < 1e15 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, options_.precision)
                                               : std::to_chars_result{buf, std::errc::value_too_large};
    const std::string_view text(buf, static_cast<std::size_t>(end - buf));
    if (ec != std::errc() || text.find("0000") != std::string_view::npos || text.find("9999") != std::string_view::npos) {
      out += OGRFormatDouble(v, options_);
      return;
    }
    std::size_t last = text.size() - 1;
    const std::size_t dot = text.find('.');
    if (dot != std::string_view::npos)
      while (last > dot + 1 && text[last] == '0') --last;
    out.append(text.substr(0, last + 1));
  }
  void position(std::string& out, double x, double y) const {
    out += "[ ";
    number(out, x);
    out += ", ";
    number(out, y);
    out += " ]";
  }
  // json-c's spaced arrays: "[ a, b ]", empty "[ ]".
  template <class Items, class Each>
  static void array(std::string& out, const Items& items, Each each) {
    out += "[";
    bool first = true;
    for (const auto* item : items) {
      out += first ? " " : ", ";
      first = false;
      each(item);
    }
    out += " ]";
  }
  void line(std::string& out, const OGRSimpleCurve& l, bool reversed) const {
    const int n = l.getNumPoints();
    out += "[";
    for (int i = 0; i < n; ++i) {
      const int k = reversed ? n - 1 - i : i;
      out += i ? ", " : " ";
      position(out, l.getX(k), l.getY(k));
    }
    out += " ]";
  }
  OGRWktOptions options_;
};

// Writes table t as a new layer of ds; geometries (EPSG:4326) are transformed to `srs`.
// decimals: the coordinate precision the driver writes (GeoJSON RFC 7946: 7); polygons are made
// valid in those coordinates, after reprojection (< 0: full precision). With geometry_json
// (GeoJSON in EPSG:4326 only) the features are written without geometry and each row's
// geometry text is left there (empty: none), made on every core.
void write_layer(GDALDataset& ds, const std::string& path, const std::string& layer_name, const Table& t,
                 const OGRSpatialReference& srs, const char* const* layer_options, int decimals,
                 bool layer_transaction = true, std::vector<std::string>* geometry_json = nullptr) {
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gdal::TransformPtr transform;
  if (!srs.IsSame(&wgs84)) {
    transform.reset(OGRCreateCoordinateTransformation(&wgs84, &srs));
    if (!transform) throw OutputError(path + ": cannot transform to the output CRS (" + gdal::last_error() + ")");
  }
  const OGRwkbGeometryType type = layer_type(t);
  OGRLayer* layer = ds.CreateLayer(layer_name.c_str(), type == wkbNone ? nullptr : const_cast<OGRSpatialReference*>(&srs),
                                   type, const_cast<char**>(layer_options));
  if (!layer) throw OutputError(path + ": cannot create layer '" + layer_name + "' (" + gdal::last_error() + ")");
  for (const auto& col : t.columns) {
    OGRFieldDefn field(col.name.c_str(), ogr_type(col.type));
    if (col.type == Column::Type::boolean) field.SetSubType(OFSTBoolean);
    if (layer->CreateField(&field) != OGRERR_NONE)
      throw OutputError(path + ": cannot create field '" + col.name + "' (" + gdal::last_error() + ")");
  }
  auto where = [&](std::size_t r) { return path + ": layer " + layer_name + ": row " + std::to_string(r); };
  const bool has_geometry = !t.geometry.empty() || !t.wkb.empty();
  if (geometry_json) {
    if (transform) throw std::logic_error("GeoJSON geometry text in another CRS");
    geometry_json->clear();  // a layer without geometry keeps GDAL's text as it is
    if (has_geometry) {
      geometry_json->assign(t.rows.size(), std::string());
      const GeoJsonGeometry json(decimals);
      parallel_for(t.rows.size(), std::max(1u, std::thread::hardware_concurrency()), [] { return 0; },
                   [&](int, std::size_t r) {
                     if (auto g = row_geometry(t, r, type, nullptr, decimals, path, layer_name)) (*geometry_json)[r] = json.text(*g);
                   });
    }
  }
  // GeoPackage: one commit per layer; inside a dataset transaction (PostGIS) the dataset's.
  const bool transaction = layer_transaction && layer->StartTransaction() == OGRERR_NONE;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    gdal::FeaturePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    for (size_t c = 0; c < t.columns.size(); ++c)
      set_cell(*f, static_cast<int>(c), t.columns[c], t.rows[r][c], [&] { return where(r); });
    if (has_geometry && !geometry_json)
      if (auto g = row_geometry(t, r, type, transform.get(), decimals, path, layer_name)) f->SetGeometryDirectly(g.release());
    if (layer->CreateFeature(f.get()) != OGRERR_NONE)
      throw OutputError(where(r) + ": cannot write feature (" + gdal::last_error() + ")");
  }
  if (transaction && layer->CommitTransaction() != OGRERR_NONE)
    throw OutputError(path + ": layer " + layer_name + ": commit failed (" + gdal::last_error() + ")");
}

// GDAL's text of features written without geometry, each row's geometry put in its place:
// every feature ends in `"geometry": null }`, which no property can contain (a quote inside a
// string is escaped).
std::string splice_geometries(const std::string& path, std::string_view text, const std::vector<std::string>& geometry) {
  static constexpr std::string_view kNull = "\"geometry\": null }";
  std::string out;
  std::size_t total = text.size();
  for (const std::string& g : geometry) total += g.size();
  out.reserve(total);
  std::size_t at = 0;
  for (const std::string& g : geometry) {
    const std::size_t hit = text.find(kNull, at);
    if (hit == std::string_view::npos) throw OutputError(path + ": GeoJSON features not as expected");
    const std::size_t value = hit + kNull.size() - 6;  // the "null }"
    out.append(text.substr(at, value - at));
    if (g.empty()) {
      out.append("null");
    } else {
      out.append(g);
    }
    at = value + 4;
  }
  out.append(text.substr(at));
  return out;
}

GDALDriver* driver_or_throw(const char* name, const std::string& path) {
  gdal::ensure_registered();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(name);
  if (!driver) throw OutputError(path + ": GDAL has no " + std::string(name) + " driver");
  return driver;
}

}  // namespace

namespace {
void write_file_atomically(const std::string& path, std::string_view text);  // below
}  // namespace

void write_geojson(const std::string& path, const std::string& layer_name, const Table& t) {
  write_file_atomically(path, geojson_text(path, layer_name, t));
}

std::string geojson_text(const std::string& path, const std::string& layer_name, const Table& t) {
  check_shape(path, t);
  check_utf8(path, t);
  GDALDriver* driver = driver_or_throw("GeoJSON", path);
  // GDAL's GeoJSON writer does not check its writes (a full disk gave a truncated file and exit
  // 0): it writes into memory, and the bytes go to disk through a checked writer.
  static std::atomic<unsigned> serial{0};
  const std::string memory = "/vsimem/legalcircle-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".geojson";
  CPLErrorReset();
  try {
    gdal::DatasetPtr ds(driver->Create(memory.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw OutputError(path + ": cannot create (" + gdal::last_error() + ")");
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const char* layer_options[] = {"RFC7946=YES", nullptr};
    std::vector<std::string> geometry;
    write_layer(*ds, path, layer_name, t, wgs84, layer_options, 7, true, &geometry);
    ds.reset();  // closing writes the file
    if (CPLGetLastErrorType() >= CE_Failure)
      throw OutputError(path + ": write failed (" + gdal::last_error() + ")");
    vsi_l_offset size = 0;
    GByte* bytes = VSIGetMemFileBuffer(memory.c_str(), &size, FALSE);
    if (!bytes) throw OutputError(path + ": GeoJSON not produced");
    std::string text = splice_geometries(
        path, std::string_view(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size)), geometry);
    VSIUnlink(memory.c_str());
    return text;
  } catch (...) {
    VSIUnlink(memory.c_str());
    throw;
  }
}

namespace {

// The table QGIS's OGR provider creates on "save style to the data source" (QGIS 3.22), same
// columns and types, so QGIS reads our styles and can add its own beside them.
void write_layer_styles(GDALDataset& ds, const std::string& path, const std::vector<LayerStyle>& styles) {
  const char* options[] = {"FID=id", nullptr};
  OGRLayer* layer = ds.CreateLayer("layer_styles", nullptr, wkbNone, const_cast<char**>(options));
  if (!layer) throw OutputError(path + ": cannot create layer_styles (" + gdal::last_error() + ")");
  const auto field = [&](const char* name, OGRFieldType type, int width, OGRFieldSubType sub = OFSTNone) {
    OGRFieldDefn f(name, type);
    f.SetWidth(width);
    f.SetSubType(sub);
    if (layer->CreateField(&f) != OGRERR_NONE)
      throw OutputError(path + ": cannot create layer_styles." + name + " (" + gdal::last_error() + ")");
  };
  for (const char* name : {"f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column"})
    field(name, OFTString, 256);
  field("styleName", OFTString, 30);
  field("styleQML", OFTString, 0);
  field("styleSLD", OFTString, 0);
  field("useAsDefault", OFTInteger, 0, OFSTBoolean);
  field("description", OFTString, 0);
  field("owner", OFTString, 30);
  field("ui", OFTString, 30);
  field("update_time", OFTDateTime, 0);
  for (const LayerStyle& st : styles) {
    if (!ds.GetLayerByName(st.layer.c_str()))
      throw OutputError(path + ": a style for layer '" + st.layer + "', which the GeoPackage does not hold");
    gdal::FeaturePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    f->SetField("f_table_catalog", "");
    f->SetField("f_table_schema", "");
    f->SetField("f_table_name", st.layer.c_str());
    f->SetField("f_geometry_column", "geom");  // GDAL's geometry column in a GeoPackage
    f->SetField("styleName", st.name.c_str());
    f->SetField("styleQML", st.qml.c_str());
    f->SetField("styleSLD", "");
    f->SetField("useAsDefault", 1);
    f->SetField("description", st.description.c_str());
    f->SetField("owner", "");
    f->SetField("ui", "");
    f->SetField("update_time", 2000, 1, 1, 0, 0, 0.0f, 100);  // fixed: the same inputs give the same file
    if (layer->CreateFeature(f.get()) != OGRERR_NONE)
      throw OutputError(path + ": cannot write the style of " + st.layer + " (" + gdal::last_error() + ")");
  }
}

}  // namespace

void write_gpkg_layers(const std::string& path, const std::vector<NamedTable>& layers, const std::string& crs,
                       const std::vector<LayerStyle>& styles) {
  for (const NamedTable& l : layers) check_shape(path + " layer " + l.name, *l.table), check_utf8(path + " layer " + l.name, *l.table);
  GDALDriver* driver = driver_or_throw("GPKG", path);
  std::error_code ec;
  fs::remove(path, ec);
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(crs.empty() ? "EPSG:4326" : crs.c_str()) != OGRERR_NONE)
    throw OutputError(path + ": unknown CRS '" + crs + "'");
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  CPLErrorReset();
  try {
    gdal::DatasetPtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw OutputError(path + ": cannot create (" + gdal::last_error() + ")");
    for (const NamedTable& l : layers) write_layer(*ds, path, l.name, *l.table, srs, nullptr, -1);
    if (!styles.empty()) write_layer_styles(*ds, path, styles);
    ds.reset();
    if (CPLGetLastErrorType() >= CE_Failure)
      throw OutputError(path + ": write failed (" + gdal::last_error() + ")");
  } catch (...) {
    fs::remove(path, ec);
    throw;
  }
}

void add_column(Table& t, std::string name, Column::Type type) {
  auto taken = [&t](const std::string& n) {
    return std::any_of(t.columns.begin(), t.columns.end(), [&n](const Column& c) { return c.name == n; });
  };
  if (taken(name)) {
    const std::string base = "input_" + name;
    name = base;
    for (int k = 2; taken(name); ++k) name = base + "_" + std::to_string(k);
  }
  t.columns.push_back({std::move(name), type});
}

void write_csv(const std::string& path, const Table& t, bool excel_bom, const std::vector<std::string>& headers) {
  write_text_file(path, csv_text(path, t, excel_bom, headers));
}

std::string csv_text(const std::string& path, const Table& t, bool excel_bom, const std::vector<std::string>& headers) {
  check_shape(path, t);
  check_utf8(path, t);
  if (!headers.empty() && headers.size() != t.columns.size())
    throw OutputError(path + ": " + std::to_string(headers.size()) + " headers for " + std::to_string(t.columns.size()) +
                      " columns");
  std::string text = excel_bom ? "\xEF\xBB\xBF" : "";
  auto line = [&text](const auto& cells, auto get) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) text += ',';
      text += csv_cell(get(cells[i]));
    }
    text += '\n';
  };
  if (headers.empty())
    line(t.columns, [](const Column& c) { return neutralise_formula(c.name); });
  else
    line(headers, [](const std::string& h) { return neutralise_formula(h); });
  for (const auto& row : t.rows) {
    // Numbers stay numbers (-3.5 is a value, not a formula); only text cells are neutralised.
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) text += ',';
      const bool is_text = i < t.columns.size() && t.columns[i].type == Column::Type::text;
      text += csv_cell(is_text ? neutralise_formula(row[i]) : row[i]);
    }
    text += '\n';
  }
  return text;
}

namespace {

// Every byte written or an OutputError: through a temporary beside `path`, renamed at the end.
void write_file_atomically(const std::string& path, std::string_view text) {
  // A temporary file of an unpredictable name, created exclusively (mkstemp: O_CREAT|O_EXCL), so
  // a symlink planted at a guessable FILE.tmp is never followed.
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw OutputError(path + ": cannot create a temporary file beside it (" + std::strerror(errno) + ")");
  const auto fail = [&](const std::string& why) {
    ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    throw OutputError(path + ": " + why);
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(std::string("write failed (") + std::strerror(errno) + ")");
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp makes the file 0600; outputs are as readable as any file the user writes.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail(std::string("cannot set permissions (") + std::strerror(errno) + ")");
  if (::close(fd) != 0) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw OutputError(path + ": write failed (" + std::strerror(errno) + ")");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw OutputError(path + ": cannot rename " + tmp + " into place (" + ec.message() + ")");
  }
}

}  // namespace

void write_text_file(const std::string& path, const std::string& text) {
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string::npos)
    throw OutputError(path + ": text is not valid UTF-8 at byte " + std::to_string(bad));
  write_file_atomically(path, text);
}

void write_binary_file(const std::string& path, const std::string& bytes) { write_file_atomically(path, bytes); }

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw OutputError(dir + ": cannot create folder" + (ec ? " (" + ec.message() + ")" : ""));
}

bool is_postgis_source(const std::string& path) {
  return path.size() >= 3 && (path[0] == 'P' || path[0] == 'p') && (path[1] == 'G' || path[1] == 'g') && path[2] == ':';
}

std::string redact_connection(const std::string& connection) {
  std::string out = connection;
  for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 12)) {
    const std::size_t end = out.find(' ', at);
    out.replace(at + 9, (end == std::string::npos ? out.size() : end) - at - 9, "***");
  }
  return out;
}

namespace {

std::string sql_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string sql_identifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

gdal::DatasetPtr open_postgis(const std::string& connection, const std::string& schema) {
  gdal::ensure_registered();
  const std::string active = "ACTIVE_SCHEMA=" + schema;
  const char* drivers[] = {"PostgreSQL", nullptr};
  const char* options[] = {active.c_str(), nullptr};
  CPLErrorReset();
  gdal::DatasetPtr ds(GDALDataset::Open(connection.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, options, nullptr));
  if (!ds) {
    std::string why = redact_connection(gdal::last_error());
    for (char& c : why) c = c == '\n' ? ' ' : c;
    while (!why.empty() && why.back() == ' ') why.pop_back();
    throw OutputError(redact_connection(connection) + ": cannot connect (" + why + ")");
  }
  return ds;
}

// The first column of the first row of a query ("" when there is none).
std::string query_value(GDALDataset& ds, const std::string& sql) {
  CPLErrorReset();
  OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
  if (!result) return "";
  std::string value;
  if (gdal::FeaturePtr f{result->GetNextFeature()}; f && f->GetFieldCount() > 0) value = f->GetFieldAsString(0);
  ds.ReleaseResultSet(result);
  return value;
}

}  // namespace

std::optional<std::string> postgis_target_problem(const std::string& connection, const std::string& schema) {
  if (schema.empty() || schema.find_first_of("\"\\") != std::string::npos)
    return "schema '" + schema + "': give a plain schema name";
  gdal::DatasetPtr ds;
  try {
    ds = open_postgis(connection, schema);
  } catch (const OutputError& e) {
    return std::string(e.what());
  }
  if (query_value(*ds, "SELECT postgis_lib_version()").empty())
    return "database has no PostGIS (run CREATE EXTENSION postgis; as its owner)";
  const std::string exists = query_value(*ds, "SELECT count(*) FROM pg_namespace WHERE nspname = " + sql_literal(schema));
  const std::string allowed =
      exists == "1" ? query_value(*ds, "SELECT has_schema_privilege(" + sql_literal(schema) + ", 'CREATE')")
                    : query_value(*ds, "SELECT has_database_privilege(current_database(), 'CREATE')");
  if (allowed != "1" && allowed != "t" && allowed != "true")
    return exists == "1" ? "the role may not create tables in schema " + schema
                         : "schema " + schema + " does not exist and the role may not create it";
  return std::nullopt;
}

void write_postgis_layers(const std::string& connection, const std::string& schema,
                          const std::vector<NamedTable>& layers, const std::string& crs) {
  const std::string where = redact_connection(connection) + " schema " + schema;
  for (const NamedTable& l : layers) check_shape(where + " layer " + l.name, *l.table), check_utf8(where + " layer " + l.name, *l.table);
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(crs.empty() ? "EPSG:4326" : crs.c_str()) != OGRERR_NONE)
    throw OutputError(where + ": unknown CRS '" + crs + "'");
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gdal::DatasetPtr ds = open_postgis(connection, schema);
  if (ds->StartTransaction(FALSE) != OGRERR_NONE)
    throw OutputError(where + ": cannot start a transaction (" + gdal::last_error() + ")");
  try {
    CPLErrorReset();
    if (OGRLayer* r = ds->ExecuteSQL(("CREATE SCHEMA IF NOT EXISTS " + sql_identifier(schema)).c_str(), nullptr, nullptr))
      ds->ReleaseResultSet(r);
    if (CPLGetLastErrorType() >= CE_Failure) throw OutputError(where + ": cannot create the schema (" + gdal::last_error() + ")");
    const std::string schema_option = "SCHEMA=" + schema;
    const char* options[] = {"OVERWRITE=YES", "GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=GIST",
                             "PRECISION=NO", schema_option.c_str(), nullptr};
    for (const NamedTable& l : layers) {
      CPLErrorReset();
      write_layer(*ds, where, l.name, *l.table, srs, options, -1, false);
      if (CPLGetLastErrorType() >= CE_Failure)
        throw OutputError(where + " table " + l.name + ": " + redact_connection(gdal::last_error()));
    }
    if (ds->CommitTransaction() != OGRERR_NONE)
      throw OutputError(where + ": commit failed (" + redact_connection(gdal::last_error()) + ")");
  } catch (...) {
    ds->RollbackTransaction();  // the schema as it was: no table replaced, none added
    throw;
  }
}

}  // namespace legalcircle
