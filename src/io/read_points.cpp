#include "legalcircle/io/read_points.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <unordered_map>

#include <ogr_api.h>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "legalcircle/core/error.hpp"
#include "descriptor_guard.hpp"
#include "legalcircle/io/text_encoding.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/geometry_ops.hpp"

namespace legalcircle {
namespace {

std::string lower(std::string s);

// keep_fields as given, with "*" standing for every field not in `skip` (id, name, ...).
// id, name and population have their own members: keeping them again would only duplicate (a
// caller that needs the name field under another role reads PointRecord::name).
std::vector<std::string> expand_keep(const std::vector<std::string>& keep,
                                     const std::vector<std::string>& fields,
                                     const std::vector<std::string>& skip) {
  std::vector<std::string> out;
  auto add = [&](const std::string& f) {
    if (std::find(skip.begin(), skip.end(), f) == skip.end() &&
        std::find(out.begin(), out.end(), f) == out.end())
      out.push_back(f);
  };
  for (const std::string& k : keep) {
    if (k != "*") add(k);
    else
      for (const std::string& f : fields) add(f);
  }
  return out;
}

// The keep list plus the optional fields the layer has.
std::vector<std::string> keep_list(const PointReadOptions& opt, const std::vector<std::string>& fields) {
  std::vector<std::string> keep = opt.keep_fields;
  const bool all = keep.size() == 1 && keep[0] == "*";
  for (const std::string& f : opt.keep_if_present)
    if (!all && std::find(fields.begin(), fields.end(), f) != fields.end() &&
        std::find(keep.begin(), keep.end(), f) == keep.end())
      keep.push_back(f);
  return keep;
}

// Which option names a field, for messages.
struct FieldRole {
  const char* what;         // "id", "name", "population"
  const char* scenario_key; // id_field ...
  const char* consequence;  // what happens without it
};
constexpr FieldRole kIdRole{"id", "id_field", "ids are row numbers (CSV) or feature ids"};
constexpr FieldRole kNameRole{"name", "name_field", "the points have no names"};
constexpr FieldRole kPopulationRole{"population", "population_field",
                                    "population unknown: population shares count these units as 0"};

// A field the user named must exist; a default one may be absent (a warning says what follows).
// Returns false when the field is absent.
bool check_field(bool present, const std::string& field, bool given, const FieldRole& role, const std::string& source,
                 const std::vector<std::string>& fields, std::vector<std::string>& warnings) {
  if (present || field.empty()) return present;
  std::string list;
  for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
  if (given)
    throw InputError(source + ": no " + role.what + " field '" + field + "' (" + role.scenario_key +
                     "); the fields are: " + list);
  warnings.push_back(source + ": no " + role.what + " field '" + field + "': " + role.consequence +
                     " (name it with " + role.scenario_key + "; fields: " + list + ")");
  return false;
}

// Text that is not valid UTF-8: decoded from the encoding given, else as GB18030 when that decodes
// it cleanly (said in a warning), else an InputError naming the first bad line.
std::string utf8_text(const std::string& path, std::string text, const std::string& encoding,
                      std::vector<std::string>& warnings) {
  auto line_of = [&](std::size_t at) { return std::to_string(1 + std::count(text.begin(), text.begin() + long(at), '\n')); };
  const std::string enc = lower(encoding);
  if (!enc.empty() && enc != "utf-8" && enc != "utf8") {
    if (auto d = decode_to_utf8(text, encoding)) return *d;
    throw InputError(path + ": not valid " + encoding + " text (encoding: " + encoding + ")");
  }
  const std::size_t bad = first_invalid_utf8(text);
  if (bad == std::string::npos) return text;
  if (!enc.empty())
    throw InputError(path + ": line " + line_of(bad) + " is not valid UTF-8 although encoding " + encoding +
                     " was given (saved by Excel as GBK? set encoding: GBK)");
  if (auto d = decode_to_utf8(text, "GB18030")) {
    warnings.push_back(path + ": not UTF-8; read as GB18030 (GBK), as saved by Excel on Chinese Windows. Set "
                       "encoding: GB18030 (or --<layer>-encoding) to say so, or save the file as UTF-8");
    return *d;
  }
  throw InputError(path + ": line " + line_of(bad) + " is neither UTF-8 nor GB18030 text; give the file's "
                   "encoding (scenario: encoding: GBK / BIG5 ..., command line: --services-encoding ...) or save it as UTF-8");
}


std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Whole-string number parse (surrounding blanks allowed); nullopt for anything else.
std::optional<double> parse_number(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  const char* first = t.data();
  if (*first == '+') ++first;  // from_chars rejects a leading '+'
  double v = 0;
  auto [end, ec] = std::from_chars(first, t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A population is a count: finite and not negative (a NaN or -5 in a GIS layer would make every
// share wrong without a word). Throws naming the row or feature.
void check_population(double v, const std::string& where, const std::string& field) {
  if (!std::isfinite(v) || v < 0)
    throw InputError(where + ": field '" + field + "' is " + (std::isnan(v) ? std::string("NaN") : std::to_string(v)) +
                     "; a population is a count of 0 or more (leave it empty when unknown)");
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

// A CRS given by the user (EPSG code, WKT, PROJ string...), lon/lat or x/y axis order.
OGRSpatialReference user_crs(const std::string& crs, const std::string& what) {
  gdal::ensure_registered();
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(crs.c_str()) != OGRERR_NONE)
    throw InputError(what + ": unknown CRS '" + crs + "' (" + gdal::last_error() + ")");
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

bool in_lonlat_range(double x, double y) { return std::abs(x) <= 180.0 && std::abs(y) <= 90.0; }

// A lon/lat (multi)polygon's area in square metres on the sphere (local equirectangular scale:
// enough to tell a real area from none).
double polygon_area_m2(const OGRGeometry& g) {
  OGREnvelope box;
  g.getEnvelope(&box);
  const double lat = (box.MinY + box.MaxY) / 2 * 3.14159265358979323846 / 180;
  const double m_per_deg = 6371008.8 * 3.14159265358979323846 / 180;
  const OGRwkbGeometryType t = wkbFlatten(g.getGeometryType());
  double deg2 = 0;
  if (t == wkbPolygon) deg2 = g.toPolygon()->get_Area();
  else if (t == wkbMultiPolygon) deg2 = g.toMultiPolygon()->get_Area();
  else if (t == wkbGeometryCollection) deg2 = g.toGeometryCollection()->get_Area();
  return deg2 * m_per_deg * m_per_deg * std::cos(lat);
}

// "EPSG:4547" (or the CRS's name when it has no code), for messages.
std::string crs_name(const OGRSpatialReference& srs) {
  const char* auth = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (auth && code) return std::string(auth) + ":" + code;
  return srs.GetName() ? srs.GetName() : "(unnamed CRS)";
}

// Transforms one x/y (lon/lat order) to EPSG:4326; `t` null means already there. Non-finite
// input is refused before PROJ sees it; the result must lie in the CRS's plausible area.
std::optional<LonLat> to_lonlat(OGRCoordinateTransformation* t, double x, double y, const gdal::PlausibleArea& area = {}) {
  if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > 1e9 || std::abs(y) > 1e9) return std::nullopt;
  if (t && !t->Transform(1, &x, &y)) return std::nullopt;
  if (!std::isfinite(x) || !std::isfinite(y) || !in_lonlat_range(x, y)) return std::nullopt;
  if (!area.contains(x, y)) return std::nullopt;
  return LonLat{x, y};
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // line where the record starts (1-based)
};

std::vector<CsvRecord> parse_csv(const std::string& path, std::string text) {
  std::vector<CsvRecord> records;
  CsvRecord rec;
  std::string field;
  int line = 1;
  rec.line = 1;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // current field had quotes (so "" is not a blank line)
  auto end_record = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    // Blank lines are skipped, not read as a row with one empty field.
    if (!(rec.fields.size() == 1 && rec.fields[0].empty() && !was_quoted))
      records.push_back(std::move(rec));
    rec = CsvRecord{};
    was_quoted = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {  // a quote mid-field is text
      quoted = true;
      was_quoted = true;
    } else if (c == ',') {
      rec.fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;  // the next field may be quoted too
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;  // CRLF
      end_record();
      rec.line = ++line;
    } else {
      field += c;
    }
  }
  if (quoted) throw InputError(path + ": line " + std::to_string(rec.line) +
                               ": quoted field is not closed");
  if (!field.empty() || !rec.fields.empty() || was_quoted) end_record();
  return records;
}

std::string read_whole_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a folder, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  return ss.str();
}

PointLayer read_csv(const std::string& path, const PointReadOptions& opt) {
  std::vector<std::string> warnings;
  std::string text = read_whole_file(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // Excel's UTF-8 BOM
  const auto records = parse_csv(path, utf8_text(path, std::move(text), opt.encoding, warnings));
  if (records.size() <= 1) throw InputError(path + ": no points");
  std::vector<std::string> header;
  for (const auto& h : records[0].fields) header.push_back(trim(h));

  auto column = [&](const std::string& name) -> int {
    const std::string want = lower(name);
    for (size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == want) return static_cast<int>(i);
    return -1;
  };
  auto coordinate_column = [&](const std::string& given, std::span<const char* const> defaults, const char* what) {
    if (!given.empty()) {
      if (int c = column(given); c >= 0) return c;
      throw InputError(path + ": no " + what + " column '" + given + "' (columns: " +
                       join(header) + ")");
    }
    for (const char* d : defaults)
      if (int c = column(d); c >= 0) return c;
    std::string names;
    for (const char* d : defaults) names += std::string(names.empty() ? "" : ", ") + d;
    throw InputError(path + ": no " + what + " column (looked for " + names +
                     "; columns: " + join(header) + ")");
  };
  const int lon_col = coordinate_column(opt.lon_field, kLonFieldNames, "longitude/x");
  const int lat_col = coordinate_column(opt.lat_field, kLatFieldNames, "latitude/y");
  const int id_col = column(opt.id_field);
  const int name_col = column(opt.name_field);
  const int pop_col = opt.population_field.empty() ? -1 : column(opt.population_field);
  check_field(id_col >= 0, opt.id_field, opt.id_field_given, kIdRole, path, header, warnings);
  check_field(name_col >= 0, opt.name_field, opt.name_field_given, kNameRole, path, header, warnings);
  check_field(pop_col >= 0, opt.population_field, opt.population_field_given, kPopulationRole, path, header, warnings);
  std::vector<int> keep_cols;
  for (const auto& k : expand_keep(keep_list(opt, header), header,
                                   {opt.id_field, opt.name_field, opt.population_field,
                                    header[static_cast<size_t>(lon_col)],
                                    header[static_cast<size_t>(lat_col)]})) {
    const int c = column(k);
    if (c < 0)
      throw InputError(path + ": no column '" + k + "' to keep (columns: " + join(header) + ")");
    keep_cols.push_back(c);
  }

  const OGRSpatialReference srs = user_crs(opt.crs, path);
  const bool geographic = srs.IsGeographic();
  const gdal::TransformPtr transform = gdal::to_wgs84(srs, path);
  const gdal::PlausibleArea plausible = gdal::plausible_area(srs);

  PointLayer layer;
  layer.source = path;
  layer.source_fields = header;
  layer.warnings = std::move(warnings);
  for (int c : keep_cols) layer.extra_fields.push_back(header[static_cast<size_t>(c)]);
  std::unordered_map<std::string, int> id_lines;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::string where = path + ": line " + std::to_string(rec.line);
    if (rec.fields.size() > header.size()) {
      // Trailing empty cells (a spreadsheet's extra commas) are harmless; anything else is not.
      for (size_t i = header.size(); i < rec.fields.size(); ++i)
        if (!trim(rec.fields[i]).empty())
          throw InputError(where + ": " + std::to_string(rec.fields.size()) +
                           " fields, but the header has " + std::to_string(header.size()));
    }
    auto cell = [&](int c) -> std::string {
      const auto i = static_cast<size_t>(c);
      return i < rec.fields.size() ? rec.fields[i] : std::string();
    };
    auto coordinate = [&](int c) {
      const std::string v = cell(c);
      if (auto d = parse_number(v)) return *d;
      throw InputError(where + ": field '" + header[static_cast<size_t>(c)] +
                       "' is not a number: '" + v + "'");
    };
    const double x = coordinate(lon_col);
    const double y = coordinate(lat_col);
    if (geographic && !in_lonlat_range(x, y))
      throw InputError(where + ": coordinates (" + num(x) + ", " + num(y) +
                       ") are outside the lon/lat range of " + opt.crs +
                       " (projected coordinates? give their CRS, e.g. --crs EPSG:4549)");
    const auto ll = to_lonlat(transform.get(), x, y, plausible);
    if (!ll)
      throw InputError(where + ": coordinates (" + num(x) + ", " + num(y) +
                       ") cannot be transformed from " + opt.crs + " to lon/lat: not a place " + opt.crs +
                       " covers (a wrong CRS? give the right one with --crs)");

    PointRecord p;
    p.id = id_col >= 0 ? trim(cell(id_col)) : std::to_string(r);
    if (p.id.empty()) throw InputError(where + ": empty id in field '" + opt.id_field + "'");
    if (auto [it, fresh] = id_lines.emplace(p.id, rec.line); !fresh)
      throw InputError(path + ": duplicate id '" + p.id + "' on lines " +
                       std::to_string(it->second) + " and " + std::to_string(rec.line));
    if (name_col >= 0) p.name = trim(cell(name_col));
    if (pop_col >= 0 && !trim(cell(pop_col)).empty()) {
      const auto pop = parse_number(cell(pop_col));
      if (!pop)
        throw InputError(where + ": field '" + opt.population_field + "' is not a number: '" +
                         cell(pop_col) + "'");
      check_population(*pop, where, opt.population_field);
      p.population = *pop;
      p.has_population = true;
    }
    p.where = to_wgs84(*ll, opt.offset);
    for (size_t k = 0; k < keep_cols.size(); ++k)
      p.extra.emplace_back(layer.extra_fields[k], trim(cell(keep_cols[k])));
    layer.points.push_back(std::move(p));
  }
  return layer;
}

// ---------------------------------------------------------------------------------------------
// GIS files through GDAL

// A representative x/y of a geometry in its own CRS: points as they are, areas a point on their
// surface, lines their middle vertex.
std::optional<std::pair<double, double>> representative_xy(const OGRGeometry& g) {
  if (g.IsEmpty()) return std::nullopt;
  switch (wkbFlatten(g.getGeometryType())) {
    case wkbPoint: {
      const auto& p = *g.toPoint();
      return std::pair{p.getX(), p.getY()};
    }
    case wkbMultiPoint:
      return representative_xy(*g.toMultiPoint()->getGeometryRef(0));
    case wkbLineString: {
      const auto& l = *g.toLineString();
      const int mid = l.getNumPoints() / 2;
      return std::pair{l.getX(mid), l.getY(mid)};
    }
    case wkbMultiLineString:
      for (const auto* part : *g.toMultiLineString())
        if (!part->IsEmpty()) return representative_xy(*part);
      return std::nullopt;
    default:
      break;
  }
  if (OGR_GT_IsCurve(g.getGeometryType()) || OGR_GT_IsSurface(g.getGeometryType()) ||
      wkbFlatten(g.getGeometryType()) == wkbMultiSurface ||
      wkbFlatten(g.getGeometryType()) == wkbMultiCurve) {
    if (g.hasCurveGeometry()) {
      std::unique_ptr<OGRGeometry> linear(g.getLinearGeometry());
      if (linear) return representative_xy(*linear);
    }
  }
  // Polygons, multipolygons, collections: GEOS point on surface (inside the area).
  OGRGeometryH pos = OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)));
  if (pos) {
    std::unique_ptr<OGRGeometry> owned(OGRGeometry::FromHandle(pos));
    if (!owned->IsEmpty() && wkbFlatten(owned->getGeometryType()) == wkbPoint)
      return std::pair{owned->toPoint()->getX(), owned->toPoint()->getY()};
  }
  OGRPoint c;
  if (g.Centroid(&c) == OGRERR_NONE && !c.IsEmpty()) return std::pair{c.getX(), c.getY()};
  return std::nullopt;
}

PointLayer read_gis(const std::string& path, const PointReadOptions& opt) {
  std::vector<std::string> warnings;
  gdal::DatasetPtr ds = gdal::open_vector_encoded(path, opt.layer, opt.encoding, "--<layer>-encoding", warnings);
  OGRLayer* ogr_layer = gdal::get_layer(*ds, path, opt.layer);
  const std::string source = path + " layer " + ogr_layer->GetName();

  OGRFeatureDefn* defn = ogr_layer->GetLayerDefn();
  std::vector<std::string> fields;
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    fields.push_back(defn->GetFieldDefn(i)->GetNameRef());
  const int id_idx = opt.id_field.empty() ? -1 : defn->GetFieldIndex(opt.id_field.c_str());
  const int name_idx = opt.name_field.empty() ? -1 : defn->GetFieldIndex(opt.name_field.c_str());
  const int pop_idx =
      opt.population_field.empty() ? -1 : defn->GetFieldIndex(opt.population_field.c_str());
  check_field(id_idx >= 0, opt.id_field, opt.id_field_given, kIdRole, source, fields, warnings);
  check_field(name_idx >= 0, opt.name_field, opt.name_field_given, kNameRole, source, fields, warnings);
  check_field(pop_idx >= 0, opt.population_field, opt.population_field_given, kPopulationRole, source, fields,
              warnings);
  // A table without geometry (XLSX, ODS, a CSV or DBF read through GDAL): coordinates from columns.
  int lon_idx = -1, lat_idx = -1;
  if (wkbFlatten(ogr_layer->GetGeomType()) == wkbNone) {
    auto find = [&](const std::string& given, std::span<const char* const> defaults, const char* what) {
      auto index_of = [&](const std::string& name) {
        for (std::size_t i = 0; i < fields.size(); ++i)
          if (lower(trim(fields[i])) == lower(name)) return int(i);
        return -1;
      };
      if (!given.empty()) {
        if (int i = index_of(given); i >= 0) return i;
        throw InputError(source + ": no " + what + " column '" + given + "' (columns: " + join(fields) + ")");
      }
      for (const char* d : defaults)
        if (int i = index_of(d); i >= 0) return i;
      std::string names;
      for (const char* d : defaults) names += std::string(names.empty() ? "" : ", ") + d;
      throw InputError(source + ": no geometry and no " + what + " column (looked for " + names +
                       "; columns: " + join(fields) + "); name them with lon_field / lat_field");
    };
    lon_idx = find(opt.lon_field, kLonFieldNames, "longitude/x");
    lat_idx = find(opt.lat_field, kLatFieldNames, "latitude/y");
  }
  std::vector<int> keep_idx;
  std::vector<std::string> skip = {opt.id_field, opt.name_field, opt.population_field};
  if (lon_idx >= 0) skip.push_back(fields[std::size_t(lon_idx)]), skip.push_back(fields[std::size_t(lat_idx)]);
  for (const auto& k : expand_keep(keep_list(opt, fields), fields, skip)) {
    const int i = defn->GetFieldIndex(k.c_str());
    if (i < 0)
      throw InputError(source + ": no field '" + k + "' to keep (fields: " + join(fields) + ")");
    keep_idx.push_back(i);
  }

  // Source CRS: the file's own. A file without one takes the user's --crs when given. GDAL
  // reads a GeoJSON without crs member as EPSG:4326, indistinguishable from an explicit
  // EPSG:4326, so for GeoJSON EPSG:4326 counts as undeclared.
  const OGRSpatialReference* file_srs = ogr_layer->GetSpatialRef();
  const bool geojson = EQUAL(ds->GetDriver()->GetDescription(), "GeoJSON");
  const auto is_epsg_4326 = [](const OGRSpatialReference& s) {
    const char* code = s.GetAuthorityCode(nullptr);
    return s.IsGeographic() && code && std::string(code) == "4326";
  };
  bool declared = file_srs != nullptr && !(geojson && is_epsg_4326(*file_srs));
  OGRSpatialReference srs;
  if (lon_idx >= 0) {  // table coordinates: the user's CRS (default EPSG:4326)
    srs = user_crs(opt.crs, source);
    declared = true;
  } else if (file_srs && (declared || !opt.crs_given)) {
    srs = *file_srs;
  } else if (opt.crs_given) {
    srs = user_crs(opt.crs, source);
    declared = true;
  } else {
    srs = user_crs("EPSG:4326", source);
  }
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const bool geographic = srs.IsGeographic();
  const gdal::TransformPtr transform = gdal::to_wgs84(srs, source);
  const gdal::PlausibleArea plausible = gdal::plausible_area(srs);

  PointLayer layer;
  layer.source = source;
  layer.source_fields = fields;
  layer.warnings = std::move(warnings);
  for (int i : keep_idx) layer.extra_fields.push_back(fields[static_cast<size_t>(i)]);
  std::unordered_map<std::string, GIntBig> id_fids;
  std::vector<std::string> zero_area;  // polygon ids without area
  // Every string kept must be UTF-8 (GeoJSON, GeoPackage and our outputs require it).
  auto text_of = [&](OGRFeature& f, int i, const std::string& where) {
    std::string v = trim(f.GetFieldAsString(i));
    if (!is_valid_utf8(v))
      throw InputError(where + ": field '" + fields[std::size_t(i)] +
                       "' is not valid UTF-8; give the file's encoding (encoding: GBK, --<layer>-encoding GBK)");
    return v;
  };
  ogr_layer->ResetReading();
  for (gdal::FeaturePtr f(ogr_layer->GetNextFeature()); f; f.reset(ogr_layer->GetNextFeature())) {
    const GIntBig fid = f->GetFID();
    PointRecord p;
    p.id = id_idx >= 0 && f->IsFieldSetAndNotNull(id_idx) ? text_of(*f, id_idx, source + " feature " + std::to_string(fid))
                                                          : std::to_string(fid);
    const std::string where = source + " feature " + p.id;

    const OGRGeometry* g = f->GetGeometryRef();
    std::optional<std::pair<double, double>> xy;
    if (lon_idx >= 0) {
      auto coordinate = [&](int i) {
        const std::string v = f->IsFieldSetAndNotNull(i) ? std::string(f->GetFieldAsString(i)) : "";
        if (auto d = parse_number(v)) return *d;
        throw InputError(where + ": field '" + fields[std::size_t(i)] + "' is not a number: '" + v + "'");
      };
      xy = std::pair{coordinate(lon_idx), coordinate(lat_idx)};
    } else {
      xy = g ? representative_xy(*g) : std::nullopt;
    }
    if (!xy) throw InputError(where + ": " + (g ? "empty geometry" : "no geometry"));
    const auto [x, y] = *xy;
    if (geographic && !in_lonlat_range(x, y)) {
      if (!declared)
        throw InputError(source + ": the file has no CRS (read as EPSG:4326 lon/lat) but holds "
                         "projected coordinates (feature " + p.id + ": " + num(x) + ", " +
                         num(y) + "); pass its CRS with --crs, e.g. --crs EPSG:4549");
      throw InputError(where + ": coordinates (" + num(x) + ", " + num(y) +
                       ") are outside the lon/lat range of the file's geographic CRS");
    }
    const auto ll = to_lonlat(transform.get(), x, y, plausible);
    if (!ll)
      throw InputError(where + ": coordinates (" + num(x) + ", " + num(y) +
                       ") cannot be transformed to EPSG:4326: not a place its CRS " + crs_name(srs) +
                       " covers (a wrong CRS? give the right one with --crs)");
    p.where = to_wgs84(*ll, opt.offset);
    if (g && lon_idx < 0 && (OGR_GT_IsSurface(wkbFlatten(g->getGeometryType())) ||
        wkbFlatten(g->getGeometryType()) == wkbMultiPolygon ||
        wkbFlatten(g->getGeometryType()) == wkbMultiSurface)) {
      // Keep the area itself (EPSG:4326) for gap areas: the part outside the circle.
      std::unique_ptr<OGRGeometry> area(g->hasCurveGeometry() ? g->getLinearGeometry() : g->clone());
      if (transform && area->transform(transform.get()) != OGRERR_NONE)
        throw InputError(where + ": polygon cannot be transformed to EPSG:4326");
      OGREnvelope box;
      area->getEnvelope(&box);
      if (!std::isfinite(box.MinX + box.MaxX + box.MinY + box.MaxY) || !plausible.contains(box.MinX, box.MinY) ||
          !plausible.contains(box.MaxX, box.MaxY))
        throw InputError(where + ": polygon has vertices the file's CRS does not cover (after transforming: lon " +
                         num(box.MinX) + " to " + num(box.MaxX) + ", lat " + num(box.MinY) + " to " + num(box.MaxY) + ")");
      if (opt.offset != OffsetSystem::wgs84)  // the whole area, not only its point
        map_coordinates(area.get(), [&](double& lon, double& lat) {
          const LonLat w = to_wgs84(LonLat{lon, lat}, opt.offset);
          lon = w.lon, lat = w.lat;
        });
      if (!area->IsValid()) area.reset(area->MakeValid());
      // A polygon of no area (all vertices on a line, or a point repeated) has no part outside
      // the circle to estimate: it counts as a point, and the reader says so.
      const double area_m2 = area ? polygon_area_m2(*area) : 0.0;
      if (!(area_m2 > 0)) {
        zero_area.push_back(p.id);
        area.reset();
      }
      if (area) {
        p.area_wkb.resize(area->WkbSize());
        area->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(p.area_wkb.data()), wkbVariantIso);
      }
    }

    if (auto [it, fresh] = id_fids.emplace(p.id, fid); !fresh)
      throw InputError(source + ": duplicate id '" + p.id + "' (features with FID " +
                       std::to_string(it->second) + " and " + std::to_string(fid) + ")");
    if (name_idx >= 0 && f->IsFieldSetAndNotNull(name_idx)) p.name = text_of(*f, name_idx, where);
    if (pop_idx >= 0 && f->IsFieldSetAndNotNull(pop_idx)) {
      const OGRFieldType type = defn->GetFieldDefn(pop_idx)->GetType();
      if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
        p.population = f->GetFieldAsDouble(pop_idx);
        check_population(p.population, where, opt.population_field);
        p.has_population = true;
      } else if (const std::string text = f->GetFieldAsString(pop_idx); !trim(text).empty()) {
        const auto pop = parse_number(text);
        if (!pop)
          throw InputError(where + ": field '" + opt.population_field + "' is not a number: '" +
                           text + "'");
        check_population(*pop, where, opt.population_field);
        p.population = *pop;
        p.has_population = true;
      }
    }
    for (size_t k = 0; k < keep_idx.size(); ++k)
      p.extra.emplace_back(layer.extra_fields[k], f->IsFieldSetAndNotNull(keep_idx[k])
                                                      ? text_of(*f, keep_idx[k], where)
                                                      : "");
    layer.points.push_back(std::move(p));
  }
  if (!zero_area.empty())
    layer.warnings.push_back(source + ": " + std::to_string(zero_area.size()) + " polygon(s) of zero area (first: " +
                             zero_area.front() + ") read as points: no gap area is estimated for them");
  if (const std::string err = gdal::last_error(); !err.empty() && layer.points.empty())
    throw InputError(source + ": cannot read features (" + err + ")");
  if (layer.points.empty()) throw InputError(source + ": empty layer");
  return layer;
}

// ---------------------------------------------------------------------------------------------
// OSM files through libosmium

// "amenity=townhall,courthouse office=lawyer": key → accepted values ("*" any).
using OsmFilter = std::vector<std::pair<std::string, std::vector<std::string>>>;

OsmFilter parse_osm_filter(const std::string& path, const std::string& text) {
  OsmFilter filter;
  std::istringstream in(text);
  for (std::string clause; in >> clause;) {
    const auto eq = clause.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == clause.size())
      throw InputError(path + ": OSM filter clause '" + clause +
                       "' is not key=value[,value...] (e.g. amenity=townhall,courthouse)");
    std::vector<std::string> values;
    std::istringstream vs(clause.substr(eq + 1));
    for (std::string v; std::getline(vs, v, ',');)
      if (!v.empty()) values.push_back(v);
    filter.emplace_back(clause.substr(0, eq), std::move(values));
  }
  if (filter.empty())
    throw InputError(path + ": an OSM file needs a tag filter to pick points, e.g. "
                     "\"amenity=townhall,courthouse office=lawyer\"");
  return filter;
}

bool matches(const OsmFilter& filter, const osmium::TagList& tags) {
  for (const auto& [key, values] : filter) {
    const char* v = tags.get_value_by_key(key.c_str());
    if (!v) continue;
    for (const auto& want : values)
      if (want == "*" || want == v) return true;
  }
  return false;
}

// Area-weighted centroid of a closed ring, in a local metric projection; the vertex average when
// the ring is degenerate or the centroid falls outside it (a C- or U-shaped building).
LonLat ring_centroid(const std::vector<LonLat>& ring) {
  const LocalProjection proj(ring.front());
  std::vector<XY> p;
  for (const auto& ll : ring) p.push_back(proj.forward(ll));
  LonLat average{};
  const size_t n = ring.size() - 1;  // last vertex repeats the first
  for (size_t i = 0; i < n; ++i) {
    average.lon += ring[i].lon / static_cast<double>(n);
    average.lat += ring[i].lat / static_cast<double>(n);
  }
  double a2 = 0, cx = 0, cy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double cross = p[i].x * p[i + 1].y - p[i + 1].x * p[i].y;
    a2 += cross;
    cx += (p[i].x + p[i + 1].x) * cross;
    cy += (p[i].y + p[i + 1].y) * cross;
  }
  if (std::abs(a2) < 1e-6) return average;  // below a square millimetre: a degenerate ring
  const XY c{cx / (3 * a2), cy / (3 * a2)};
  bool inside = false;  // even-odd ray casting
  for (size_t i = 0, j = n - 1; i < n; j = i++)
    if ((p[i].y > c.y) != (p[j].y > c.y) &&
        c.x < (p[j].x - p[i].x) * (c.y - p[i].y) / (p[j].y - p[i].y) + p[i].x)
      inside = !inside;
  return inside ? proj.inverse(c) : average;
}

class OsmPointHandler : public osmium::handler::Handler {
 public:
  OsmPointHandler(const OsmFilter& filter, const PointReadOptions& opt)
      : filter_(filter), opt_(opt) {}

  void node(const osmium::Node& n) {
    if (!matches(filter_, n.tags())) return;
    // A matching node with coordinates out of range (lat 91, lon 200) is a broken file, said so
    // like a CSV row's; one without any location cannot be placed either.
    if (!n.location().valid())
      throw InputError("node/" + std::to_string(n.id()) + ": " +
                       (n.location().is_defined() ? "coordinates out of range (lon " + std::to_string(n.location().lon_without_check()) +
                                                        ", lat " + std::to_string(n.location().lat_without_check()) + ")"
                                                  : std::string("no coordinates")) +
                       " for a feature matching the OSM filter");
    nodes_.push_back(make_record("node/", n.id(), n.tags(),
                                 {n.location().lon(), n.location().lat()}));
    node_ids_.push_back(n.id());
  }

  void way(const osmium::Way& w) {
    if (!matches(filter_, w.tags())) return;
    std::vector<LonLat> pts;
    for (const auto& nr : w.nodes())
      if (nr.location().valid()) pts.push_back({nr.location().lon(), nr.location().lat()});
    if (pts.empty()) {
      ++ways_without_nodes_;
      return;
    }
    const bool closed = w.nodes().size() >= 4 && pts.size() == w.nodes().size() &&
                        w.nodes().front().ref() == w.nodes().back().ref();
    LonLat where{};
    if (closed) {
      where = ring_centroid(pts);
    } else {
      for (const auto& p : pts) {
        where.lon += p.lon / static_cast<double>(pts.size());
        where.lat += p.lat / static_cast<double>(pts.size());
      }
    }
    ways_.push_back(make_record("way/", w.id(), w.tags(), where));
    way_ids_.push_back(w.id());
  }

  void relation(const osmium::Relation& r) {
    if (matches(filter_, r.tags())) ++relations_;
  }

  // Nodes first then ways, each by id, whatever order the file had.
  PointLayer finish(const std::string& path) {
    PointLayer layer;
    layer.source = path;
    layer.extra_fields = osm_keep_fields();
    append_sorted(node_ids_, nodes_, layer.points);
    append_sorted(way_ids_, ways_, layer.points);
    if (relations_ > 0)
      layer.warnings.push_back(path + ": " + std::to_string(relations_) +
                               " relation(s) match the OSM filter but are not used "
                               "(multipolygon relations are not assembled)");
    if (ways_without_nodes_ > 0)
      layer.warnings.push_back(path + ": " + std::to_string(ways_without_nodes_) +
                               " way(s) match the OSM filter but have none of their nodes "
                               "in the file; skipped");
    return layer;
  }

 private:
  // "*" (keep every attribute) means nothing for OSM tags: keep only named keys.
  std::vector<std::string> osm_keep_fields() const {
    std::vector<std::string> keys;
    for (const auto& k : opt_.keep_fields)
      if (k != "*") keys.push_back(k);
    return keys;
  }

  PointRecord make_record(const char* type, osmium::object_id_type id,
                          const osmium::TagList& tags, LonLat where) const {
    PointRecord p;
    p.id = type + std::to_string(id);
    for (const char* key : {"name", "name:zh", "name:en"})
      if (const char* v = tags.get_value_by_key(key); v && *v) {
        p.name = v;
        break;
      }
    if (const char* pop = tags.get_value_by_key("population")) {
      if (auto v = parse_number(pop); v && *v >= 0) {
        p.population = *v;
        p.has_population = true;
      }
    }
    p.where = where;
    for (const auto& k : osm_keep_fields()) {
      const char* v = tags.get_value_by_key(k.c_str());
      p.extra.emplace_back(k, v ? v : "");
    }
    // OSM is UTF-8 by definition; a broken file must not reach the outputs.
    if (!is_valid_utf8(p.name))
      throw InputError(std::string(type) + std::to_string(id) + ": tag 'name' is not valid UTF-8");
    for (const auto& [k, v] : p.extra)
      if (!is_valid_utf8(v)) throw InputError(std::string(type) + std::to_string(id) + ": tag '" + k + "' is not valid UTF-8");
    return p;
  }

  static void append_sorted(const std::vector<osmium::object_id_type>& ids,
                            std::vector<PointRecord>& records, std::vector<PointRecord>& out) {
    std::vector<size_t> order(ids.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ids[a] < ids[b]; });
    for (size_t i : order) out.push_back(std::move(records[i]));
  }

  const OsmFilter& filter_;
  const PointReadOptions& opt_;
  std::vector<PointRecord> nodes_, ways_;
  std::vector<osmium::object_id_type> node_ids_, way_ids_;
  size_t relations_ = 0;
  size_t ways_without_nodes_ = 0;
};

PointLayer read_osm(const std::string& path, const PointReadOptions& opt) {
  const OsmFilter filter = parse_osm_filter(path, opt.osm_filter);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a folder, expected a file");
  OsmPointHandler handler(filter, opt);
  const io_detail::DescriptorGuard descriptors(path);  // libosmium leaks one on a corrupt PBF
  try {
    // Way nodes carry only ids; the location index fills in their coordinates.
    using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    Index index;
    osmium::handler::NodeLocationsForWays<Index> locations(index);
    locations.ignore_errors();  // ways reaching outside the extract keep their known nodes
    osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way |
                                        osmium::osm_entity_bits::relation);
    osmium::apply(reader, locations, handler);
    reader.close();
  } catch (const InputError& e) {
    descriptors.close_leaked();
    const std::string m = e.what();
    throw InputError(m.rfind(path, 0) == 0 ? m : path + ": " + m);  // the handler's errors name the feature
  } catch (const std::exception& e) {
    descriptors.close_leaked();
    throw InputError(path + ": cannot read OSM data (" + e.what() + ")");
  }
  PointLayer layer = handler.finish(path);
  if (layer.points.empty())
    throw InputError(path + ": no points (no node or way matches the OSM filter '" +
                     opt.osm_filter + "')");
  return layer;
}

}  // namespace

PointLayer read_points(const std::string& path, const PointReadOptions& options) {
  const std::string p = lower(path);
  if (ends_with(p, ".csv")) return read_csv(path, options);
  if (ends_with(p, ".osm") || ends_with(p, ".pbf") || ends_with(p, ".osm.gz") ||
      ends_with(p, ".osm.bz2")) {
    if (options.offset != OffsetSystem::wgs84)
      throw InputError(path + ": OpenStreetMap data are WGS-84; the web-map offset " +
                       std::string(offset_system_name(options.offset)) + " does not apply to them");
    return read_osm(path, options);
  }
  return read_gis(path, options);
}

}  // namespace legalcircle
