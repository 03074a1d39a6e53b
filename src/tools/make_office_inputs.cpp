// legalcircle_office_inputs: the SYNTHETIC county (geodata/synthetic-county) re-written the way
// a county office keeps its data, for the office-county scenario, its example and its tests:
//   stations.xlsx  the service points as an Excel sheet with Chinese headers (编号, 名称, 层级,
//                  乡镇, 经度, 纬度) and AMap (GCJ-02) coordinates, Chinese tier names
//   villages.shp   the villages and communities as a Shapefile in CGCS2000 / 3-degree
//                  Gauss-Kruger CM 120E (EPSG:4549), attributes in GBK and no .cpg (as ArcGIS on
//                  Chinese Windows leaves them), Chinese field names
//   roads.gpkg     the roads as a GeoPackage line layer (EPSG:4549) with China's road grades
//                  (国道, 省道, 县道, 乡道, 村道, 内部道路, 人行道, 机耕路, ...) in 道路等级
// Same places, same network: a run of configs/office-county.yaml must give the answers of
// configs/synthetic-county.yaml (tested).
//
//   legalcircle_office_inputs --from geodata/synthetic-county --out geodata/office-county
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iconv.h>
#include <iostream>
#include <map>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "legalcircle/core/chinese_offsets.hpp"
#include "legalcircle/io/read_points.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace fs = std::filesystem;
using namespace legalcircle;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "legalcircle_office_inputs: " << what << " (" << CPLGetLastErrorMsg() << ")\n";
  std::exit(1);
}

std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2 + 4, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* dst = out.data();
  if (iconv(cd, &in, &in_left, &dst, &out_left) == static_cast<std::size_t>(-1)) fail("cannot write GBK: " + utf8);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// OSM classes as the grades an office's road layer uses (each maps back to the same class through
// legalcircle's default kChineseRoadClasses); classes with no Chinese grade keep their OSM name.
const std::map<std::string, std::string> kGrade = {
    {"motorway", "高速公路"}, {"trunk", "快速路"},     {"primary", "国道"},     {"secondary", "省道"},
    {"tertiary", "县道"},     {"unclassified", "乡道"}, {"residential", "村道"}, {"service", "内部道路"},
    {"footway", "人行道"},    {"pedestrian", "步行街"}, {"cycleway", "自行车道"}, {"track", "机耕路"}};

const std::map<std::string, std::string> kTier = {
    {"center", "县级中心"}, {"town_station", "镇街站"}, {"village_point", "村社点"}};

std::string extra(const PointRecord& p, const std::string& key) {
  for (const auto& [k, v] : p.extra)
    if (k == key) return v;
  return "";
}

OGRSpatialReference srs_of(int epsg) {
  OGRSpatialReference s;
  s.importFromEPSG(epsg);
  s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return s;
}

void write_roads(const std::string& from, const std::string& path) {
  const RawRoads raw = read_roads(from);
  GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
  std::unique_ptr<GDALDataset> ds(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail("cannot create " + path);
  OGRSpatialReference wgs = srs_of(4326), gk = srs_of(4549);
  std::unique_ptr<OGRCoordinateTransformation> to_gk(OGRCreateCoordinateTransformation(&wgs, &gk));
  OGRLayer* layer = ds->CreateLayer("道路", &gk, wkbLineString, nullptr);
  for (const char* f : {"路名", "道路等级", "单行"}) {
    OGRFieldDefn d(f, OFTString);
    layer->CreateField(&d);
  }
  if (layer->StartTransaction() != OGRERR_NONE) fail("transaction");
  for (const RawWay& w : raw.ways) {
    const std::string* highway = w.tags.get("highway");
    if (!highway || w.nodes.size() < 2) continue;
    std::unique_ptr<OGRFeature> f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    auto grade = kGrade.find(*highway);
    f->SetField("道路等级", grade != kGrade.end() ? grade->second.c_str() : highway->c_str());
    if (const std::string* name = w.tags.get("name")) f->SetField("路名", name->c_str());
    // The layer has no junction field: a roundabout's implied direction is written out.
    const std::string* oneway = w.tags.get("oneway");
    const std::string* junction = w.tags.get("junction");
    if (oneway) f->SetField("单行", oneway->c_str());
    else if (junction && *junction == "roundabout") f->SetField("单行", "yes");
    OGRLineString line;
    for (uint32_t n : w.nodes) line.addPoint(raw.coord[n].lon, raw.coord[n].lat);
    if (line.transform(to_gk.get()) != OGRERR_NONE) fail("transform");
    f->SetGeometry(&line);
    if (layer->CreateFeature(f.get()) != OGRERR_NONE) fail("cannot write a road");
  }
  if (layer->CommitTransaction() != OGRERR_NONE) fail("commit");
}

void write_stations(const std::string& from, const std::string& path) {
  PointReadOptions opt;
  opt.population_field.clear();
  opt.keep_fields = {"tier", "town"};
  const PointLayer services = read_points(from, opt);
  GDALDriver* xlsx = GetGDALDriverManager()->GetDriverByName("XLSX");
  std::unique_ptr<GDALDataset> ds(xlsx->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail("cannot create " + path);
  OGRLayer* layer = ds->CreateLayer("服务点", nullptr, wkbNone, nullptr);
  for (const char* f : {"编号", "名称", "层级", "乡镇"}) {
    OGRFieldDefn d(f, OFTString);
    layer->CreateField(&d);
  }
  for (const char* f : {"经度", "纬度"}) {
    OGRFieldDefn d(f, OFTReal);
    layer->CreateField(&d);
  }
  for (const PointRecord& p : services.points) {
    std::unique_ptr<OGRFeature> f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    f->SetField("编号", p.id.c_str());
    f->SetField("名称", p.name.c_str());
    f->SetField("层级", kTier.at(extra(p, "tier")).c_str());
    f->SetField("乡镇", extra(p, "town").c_str());
    const LonLat gcj = wgs84_to_gcj02(p.where);  // as AMap's geocoder gives them
    f->SetField("经度", gcj.lon);
    f->SetField("纬度", gcj.lat);
    if (layer->CreateFeature(f.get()) != OGRERR_NONE) fail("cannot write a station");
  }
}

void write_villages(const std::string& from, const std::string& path) {
  PointReadOptions opt;
  opt.keep_fields = {"*"};
  const PointLayer villages = read_points(from, opt);
  GDALDriver* shp = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
  std::unique_ptr<GDALDataset> ds(shp->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) fail("cannot create " + path);
  OGRSpatialReference wgs = srs_of(4326), gk = srs_of(4549);
  std::unique_ptr<OGRCoordinateTransformation> to_gk(OGRCreateCoordinateTransformation(&wgs, &gk));
  // ENCODING="": no recoding and no .cpg; the GBK bytes go in as they are.
  const char* options[] = {"ENCODING=", nullptr};
  OGRLayer* layer = ds->CreateLayer("villages", &gk, wkbPoint, const_cast<char**>(options));
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"代码", "id"},       {"名称", "name"},      {"人口", "population"}, {"区县", "county"},
      {"区县代码", "county_code"}, {"乡镇", "town"}, {"乡镇代码", "town_code"}, {"类型", "type"},
      {"城乡", "area_class"}};
  for (const auto& [cn, en] : fields) {
    OGRFieldDefn d(to_gbk(cn).c_str(), en == "population" ? OFTInteger : OFTString);
    if (en != "population") d.SetWidth(40);
    if (layer->CreateField(&d) != OGRERR_NONE) fail("cannot create field " + cn);
  }
  for (const PointRecord& p : villages.points) {
    std::unique_ptr<OGRFeature> f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& en = fields[i].second;
      if (en == "population") f->SetField(int(i), static_cast<int>(p.population));
      else f->SetField(int(i), to_gbk(en == "id" ? p.id : en == "name" ? p.name : extra(p, en)).c_str());
    }
    OGRPoint pt(p.where.lon, p.where.lat);
    if (pt.transform(to_gk.get()) != OGRERR_NONE) fail("transform");
    f->SetGeometry(&pt);
    if (layer->CreateFeature(f.get()) != OGRERR_NONE) fail("cannot write a village");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Re-writes the synthetic county as office data: XLSX (GCJ-02, Chinese headers), GBK Shapefile, "
               "GeoPackage roads with Chinese grades"};
  std::string from = "geodata/synthetic-county", out = "geodata/office-county";
  app.add_option("--from", from, "Folder of the synthetic county")->capture_default_str();
  app.add_option("--out", out, "Output folder (replaced)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  GDALAllRegister();
  fs::remove_all(out);
  fs::create_directories(out);
  write_roads((fs::path(from) / "roads.osm.pbf").string(), (fs::path(out) / "roads.gpkg").string());
  write_stations((fs::path(from) / "services.csv").string(), (fs::path(out) / "stations.xlsx").string());
  write_villages((fs::path(from) / "villages.geojson").string(), (fs::path(out) / "villages.shp").string());
  if (fs::exists(fs::path(out) / "villages.cpg")) fs::remove(fs::path(out) / "villages.cpg");
  std::cout << "wrote roads.gpkg, stations.xlsx, villages.shp (GBK, no .cpg) to " << out << "\n";
  return 0;
}
