#include "legalcircle/io/trace_polygons.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <gdal_alg.h>
#include <gdal_utils.h>
#include <ogr_geometry.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle {
namespace {

// Unreachable cells get a time far beyond any band, so contours close before them.
constexpr float kUnreachableMinutes = 1.0e6f;

OGRSpatialReference raster_srs(const RasterGrid& grid) {
  const LonLat o = grid.projection.origin();
  OGRSpatialReference srs;
  // x = R cos(lat0) (lon - lon0), y = R (lat - lat0): LocalProjection exactly.
  const std::string proj = "+proj=eqc +lat_ts=" + std::to_string(o.lat) + " +lat_0=" + std::to_string(o.lat) +
                           " +lon_0=" + std::to_string(o.lon) + " +x_0=0 +y_0=0 +R=6371008.8 +units=m +no_defs";
  srs.importFromProj4(proj.c_str());
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

gdal::DatasetPtr minutes_dataset(GDALDriver* driver, const std::string& path, const TimeRaster& r,
                                 float unreachable) {
  gdal::DatasetPtr ds(driver->Create(path.c_str(), r.grid.width, r.grid.height, 1, GDT_Float32, nullptr));
  if (!ds) throw OutputError(path + ": cannot create raster (" + gdal::last_error() + ")");
  double transform[6] = {r.grid.min_x, r.grid.cell_m, 0.0, r.grid.max_y, 0.0, -r.grid.cell_m};
  ds->SetGeoTransform(transform);
  const OGRSpatialReference srs = raster_srs(r.grid);
  ds->SetSpatialRef(&srs);
  std::vector<float> minutes(r.seconds.size());
  for (std::size_t i = 0; i < minutes.size(); ++i)
    minutes[i] = std::isfinite(r.seconds[i]) ? r.seconds[i] / 60.0f : unreachable;
  if (ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, r.grid.width, r.grid.height, minutes.data(),
                                     r.grid.width, r.grid.height, GDT_Float32, 0, 0) != CE_None)
    throw OutputError(path + ": cannot write raster (" + gdal::last_error() + ")");
  return ds;
}

// Keeps the polygons of a geometry (MakeValid may return a collection with lines or points).
void collect_polygons(const OGRGeometry* g, OGRMultiPolygon& out) {
  if (!g) return;
  const OGRwkbGeometryType t = wkbFlatten(g->getGeometryType());
  if (t == wkbPolygon) {
    if (!g->IsEmpty()) out.addGeometry(g);
  } else if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
    for (const OGRGeometry* part : *g->toGeometryCollection()) collect_polygons(part, out);
  }
}

// Valid multipolygon from any geometry (dissolving overlaps with a zero buffer if needed).
std::unique_ptr<OGRGeometry> make_valid(std::unique_ptr<OGRGeometry> g) {
  if (!g || g->IsValid()) return g;
  std::unique_ptr<OGRGeometry> fixed(g->MakeValid());
  if (!fixed || !fixed->IsValid()) fixed.reset(g->Buffer(0.0));
  return fixed;
}

}  // namespace

std::string raster_crs_wkt(const RasterGrid& grid) {
  const OGRSpatialReference srs = raster_srs(grid);
  char* wkt = nullptr;
  srs.exportToWkt(&wkt);
  std::string out = wkt ? wkt : "";
  CPLFree(wkt);
  return out;
}

std::vector<BandPolygon> trace_bands(const TimeRaster& raster, const std::vector<double>& minutes,
                                     double simplify_m) {
  gdal::ensure_registered();
  std::vector<BandPolygon> bands;
  for (double m : minutes) bands.push_back(BandPolygon{m, "", 0.0});
  if (raster.grid.width < 2 || raster.grid.height < 2) return bands;
  if (simplify_m < 0) simplify_m = raster.grid.cell_m / 2.0;

  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  const gdal::DatasetPtr grid = minutes_dataset(mem, "", raster, kUnreachableMinutes);
  OGRSpatialReference srs = raster_srs(raster.grid);  // CreateLayer takes it non-const
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  gdal::TransformPtr to_wgs84(OGRCreateCoordinateTransformation(&srs, &wgs84));
  if (!to_wgs84) throw OutputError("isochrones: no transformation to EPSG:4326 (" + gdal::last_error() + ")");

  for (BandPolygon& band : bands) {
    // GDAL's contour lines at the single level T: closed rings (the raster's border is
    // unreachable) that never cross. GDAL's own polygon mode assembles rings in quadratic time
    // (6 s for a 1.7 M cell county); organizePolygons nests them by containment instead:
    // outermost rings enclose time <= T, their holes time > T, islands in holes <= T again.
    gdal::DatasetPtr vec(GetGDALDriverManager()->GetDriverByName("Memory")->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = vec->CreateLayer("contour", &srs, wkbLineString, nullptr);
    OGRFieldDefn id("id", OFTInteger), elev("elev", OFTReal);
    layer->CreateField(&id);
    layer->CreateField(&elev);
    const std::string level = "FIXED_LEVELS=" + std::to_string(band.minutes);
    const char* options[] = {level.c_str(), "ID_FIELD=0", "ELEV_FIELD=1", nullptr};
    if (GDALContourGenerateEx(grid->GetRasterBand(1), layer, options, nullptr, nullptr) != CE_None)
      throw OutputError("isochrones: contour generation failed (" + gdal::last_error() + ")");

    std::vector<OGRGeometry*> rings;  // organizePolygons takes ownership
    layer->ResetReading();
    for (gdal::FeaturePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
      const OGRGeometry* g = f->GetGeometryRef();
      if (!g || wkbFlatten(g->getGeometryType()) != wkbLineString) continue;
      const OGRLineString* line = g->toLineString();
      if (line->getNumPoints() < 4) continue;
      auto* ring = new OGRLinearRing();
      ring->addSubLineString(line);
      ring->closeRings();
      auto* poly = new OGRPolygon();
      poly->addRingDirectly(ring);
      rings.push_back(poly);
    }
    if (rings.empty()) continue;
    int valid = FALSE;
    std::unique_ptr<OGRGeometry> organized(
        OGRGeometryFactory::organizePolygons(rings.data(), static_cast<int>(rings.size()), &valid, nullptr));
    OGRMultiPolygon inside;
    collect_polygons(organized.get(), inside);
    if (inside.IsEmpty()) continue;

    std::unique_ptr<OGRGeometry> shape(inside.SimplifyPreserveTopology(simplify_m));
    shape = make_valid(std::move(shape));
    OGRMultiPolygon projected;
    collect_polygons(shape.get(), projected);
    if (projected.IsEmpty()) continue;
    band.area_km2 = projected.get_Area() / 1e6;

    std::unique_ptr<OGRGeometry> geo(projected.clone());
    if (geo->transform(to_wgs84.get()) != OGRERR_NONE)
      throw OutputError("isochrones: cannot transform polygons to EPSG:4326");
    geo = make_valid(std::move(geo));
    OGRMultiPolygon out;
    collect_polygons(geo.get(), out);
    band.wkb.resize(out.WkbSize());
    out.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(band.wkb.data()), wkbVariantIso);
  }
  return bands;
}

std::string geotiff_crs(const RasterGrid& grid, const std::string& project_crs) {
  if (!project_crs.empty()) {
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(project_crs.c_str()) != OGRERR_NONE)
      throw OutputError("project_crs '" + project_crs + "' is not a CRS GDAL knows");
    if (srs.IsProjected()) return project_crs;
  }
  // The WGS 84 / UTM zone of the raster's centre (the graph's origin): cells stay square metres.
  const LonLat o = grid.projection.origin();
  const int zone = std::clamp(static_cast<int>(std::floor((o.lon + 180.0) / 6.0)) + 1, 1, 60);
  return "EPSG:" + std::to_string((o.lat >= 0 ? 32600 : 32700) + zone);
}

void write_minutes_geotiff(const std::string& path, const TimeRaster& raster, const std::string& project_crs) {
  gdal::ensure_registered();
  const std::string target = geotiff_crs(raster.grid, project_crs);
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  if (!mem) throw OutputError(path + ": GDAL has no MEM driver");
  gdal::DatasetPtr source = minutes_dataset(mem, "", raster, -1.0f);
  source->GetRasterBand(1)->SetNoDataValue(-1.0);
  // Nearest neighbour at the same cell size: every written value is a computed time, none blended.
  const std::string cell = std::to_string(raster.grid.cell_m);
  std::vector<std::string> args = {"-of", "GTiff", "-t_srs", target, "-r", "near", "-tr", cell, cell, "-tap",
                                   "-srcnodata", "-1", "-dstnodata", "-1", "-co", "COMPRESS=DEFLATE",
                                   "-co", "TILED=YES"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(argv.data(), nullptr);
  if (!options) throw OutputError(path + ": bad warp options (" + gdal::last_error() + ")");
  GDALDatasetH sources[] = {GDALDataset::ToHandle(source.get())};
  int usage_error = 0;
  GDALDatasetH out = GDALWarp(path.c_str(), nullptr, 1, sources, options, &usage_error);
  GDALWarpAppOptionsFree(options);
  if (!out) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    throw OutputError(path + ": cannot write GeoTIFF in " + target + " (" + gdal::last_error() + ")");
  }
  GDALDataset* written = GDALDataset::FromHandle(out);
  written->GetRasterBand(1)->SetDescription("travel time, minutes");
  CPLErrorReset();
  GDALClose(out);  // GDAL 3.6 reports a failed flush only through the error state
  const bool ok = CPLGetLastErrorType() != CE_Failure;
  if (!ok || !std::filesystem::exists(path)) throw OutputError(path + ": GeoTIFF not written");
}

}  // namespace legalcircle
