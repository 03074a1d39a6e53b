#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/postgis.hpp"

#include <filesystem>
#include <fstream>

#include "legalcircle/io/text_encoding.hpp"

#include <filesystem>
#include <mutex>

#include <cpl_error.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle::gdal {

void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // Keep GDAL quiet on stderr; our messages quote CPLGetLastErrorMsg() where it helps.
    CPLSetErrorHandler(CPLQuietErrorHandler);
  });
}

std::string last_error() {
  std::string msg = CPLGetLastErrorMsg();
  CPLErrorReset();
  return msg;
}

bool PlausibleArea::contains(double lon, double lat) const {
  const double l = lon < west - 1e-9 ? lon + 360 : lon;  // areas across 180 degrees
  return l >= west && l <= (east < west ? east + 360 : east) && lat >= south && lat <= north;
}

PlausibleArea plausible_area(const OGRSpatialReference& srs) {
  PlausibleArea a;
  double w = 0, s = 0, e = 0, n = 0;
  const char* name = nullptr;
  if (srs.IsProjected() && srs.GetAreaOfUse(&w, &s, &e, &n, &name) && w > -1000)
    a = {w - 5, std::max(-90.0, s - 5), e + 5, std::min(90.0, n + 5)};
  return a;
}

DatasetPtr open_vector(const std::string& path, const char* const* open_options) {
  ensure_registered();
  std::error_code ec;
  const bool database = is_postgis_source(path);  // PG:... is a connection, not a file
  if (!database && !std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (!database && std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a folder, expected a file");
  CPLErrorReset();
  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, open_options, nullptr)));
  if (!ds) {
    std::string why = last_error();
    throw InputError(path + ": not a vector file GDAL can read" +
                     (why.empty() ? std::string() : " (" + why + ")"));
  }
  return ds;
}

OGRLayer* get_layer(GDALDataset& ds, const std::string& path, const std::string& name) {
  if (ds.GetLayerCount() == 0) throw InputError(path + ": holds no layer");
  if (name.empty()) return ds.GetLayer(0);
  if (OGRLayer* layer = ds.GetLayerByName(name.c_str())) return layer;
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += std::string(i ? ", " : "") + ds.GetLayer(i)->GetName();
  throw InputError(path + ": no layer '" + name + "' (layers: " + names + ")");
}

TransformPtr to_wgs84(const OGRSpatialReference& from, const std::string& what) {
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference src(from);
  src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (src.IsSame(&wgs84)) return nullptr;
  TransformPtr t(OGRCreateCoordinateTransformation(&src, &wgs84));
  if (!t) throw InputError(what + ": cannot transform its CRS to EPSG:4326 (" + last_error() + ")");
  return t;
}

// A Shapefile whose attribute encoding GDAL cannot know (no .cpg, no code page in the DBF):
// GDAL would read its bytes as ISO-8859-1, which turns GBK names into valid-looking mojibake.
namespace {
bool shapefile_encoding_unknown(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path base(path);
  if (base.extension() != ".shp" && base.extension() != ".SHP") return false;
  for (const char* ext : {".cpg", ".CPG"})
    if (fs::exists(fs::path(base).replace_extension(ext))) return false;
  for (const char* ext : {".dbf", ".DBF"}) {
    std::ifstream dbf(fs::path(base).replace_extension(ext), std::ios::binary);
    if (!dbf) continue;
    char header[32] = {};
    dbf.read(header, sizeof header);
    return dbf.gcount() == sizeof header && header[29] == 0;  // language driver id 0: unknown
  }
  return false;
}

}  // namespace

// Opens the layer; for a Shapefile of unknown encoding, decides it from the bytes: UTF-8 when
// they are valid UTF-8, else GB18030 when that decodes every value (a warning says so), else an
// error naming the first bad feature and field.
DatasetPtr open_vector_encoded(const std::string& path, const std::string& layer_name,
                                     const std::string& encoding, const std::string& option,
                                     std::vector<std::string>& warnings) {
  auto open = [&](const std::string* use) {
    std::vector<std::string> open_options;
    if (use) open_options.push_back("ENCODING=" + *use);
    std::vector<const char*> oo;
    for (const auto& o : open_options) oo.push_back(o.c_str());
    oo.push_back(nullptr);
    DatasetPtr ds = open_vector(path, oo.data());
    last_error();  // drop the warning of drivers that have no ENCODING option
    return ds;
  };
  if (!encoding.empty() || !shapefile_encoding_unknown(path)) return open(encoding.empty() ? nullptr : &encoding);
  const std::string raw_encoding;  // "": no recoding, the bytes as they are
  DatasetPtr ds = open(&raw_encoding);
  OGRLayer* l = get_layer(*ds, path, layer_name);
  std::string first_bad;
  bool gb18030_ok = true;
  l->ResetReading();
  for (FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
    for (int i = 0; i < f->GetFieldCount(); ++i) {
      if (!f->IsFieldSetAndNotNull(i) || f->GetFieldDefnRef(i)->GetType() != OFTString) continue;
      const std::string v = f->GetFieldAsString(i);
      if (is_valid_utf8(v)) continue;
      if (first_bad.empty())
        first_bad = "feature " + std::to_string(f->GetFID()) + " field '" + f->GetFieldDefnRef(i)->GetNameRef() + "'";
      gb18030_ok = gb18030_ok && decode_to_utf8(v, "GB18030").has_value();
    }
  if (first_bad.empty()) return open(&raw_encoding);
  if (!gb18030_ok)
    throw InputError(path + ": " + first_bad + " is neither UTF-8 nor GB18030 text and the Shapefile has no .cpg; "
                     "give its encoding (scenario: encoding: GBK / BIG5 ..., command line: " + option + " GBK)");
  warnings.push_back(path + ": no .cpg and not UTF-8; attributes read as GB18030 (GBK). Add a .cpg file or set "
                     "encoding: GB18030 to say so");
  const std::string gb = "GB18030";
  return open(&gb);
}


}  // namespace legalcircle::gdal
