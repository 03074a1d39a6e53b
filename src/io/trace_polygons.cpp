#include "legalcircle/io/trace_polygons.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <cmath>
#include <filesystem>

#include <gdal_utils.h>
#include <ogr_geometry.h>

#include "legalcircle/analysis/contours.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle {
namespace {

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

namespace {

void put_u32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // little-endian machines only (checked below)
  out.append(b, 4);
}
void put_point(std::string& out, LonLat p) {
  char b[16];
  std::memcpy(b, &p.lon, 8);
  std::memcpy(b + 8, &p.lat, 8);
  out.append(b, 16);
}
void put_ring(std::string& out, const Ring& ring, const LocalProjection& projection) {
  put_u32(out, static_cast<uint32_t>(ring.size() + 1));
  for (XY p : ring) put_point(out, projection.inverse(p));
  put_point(out, projection.inverse(ring.front()));  // WKB rings repeat their first point
}

// ISO WKB MultiPolygon in lon/lat. LocalProjection is affine in lon/lat with positive scales,
// so rings keep their orientation (RFC 7946: outer counter-clockwise) and their clearance.
std::string multipolygon_wkb(const std::vector<ContourPolygon>& polygons, const LocalProjection& projection) {
  static_assert(std::endian::native == std::endian::little, "WKB written as NDR");
  std::string out;
  out.push_back(1);
  put_u32(out, 6);
  put_u32(out, static_cast<uint32_t>(polygons.size()));
  for (const ContourPolygon& p : polygons) {
    out.push_back(1);
    put_u32(out, 3);
    put_u32(out, static_cast<uint32_t>(1 + p.holes.size()));
    put_ring(out, p.outer, projection);
    for (const Ring& h : p.holes) put_ring(out, h, projection);
  }
  return out;
}

// A band whose rings failed the clearance check (never seen; the check is a guard): GEOS's
// repair, as the GDAL tracer had it.
std::string repaired_wkb(const std::string& wkb) {
  OGRGeometry* raw = nullptr;
  if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &raw, wkb.size()) != OGRERR_NONE)
    throw OutputError("isochrones: broken polygon");
  std::unique_ptr<OGRGeometry> g(raw);
  g = make_valid(std::move(g));
  OGRMultiPolygon out;
  collect_polygons(g.get(), out);
  std::string bytes(out.WkbSize(), '\0');
  out.exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(bytes.data()), wkbVariantIso);
  return bytes;
}

}  // namespace

std::vector<BandPolygon> trace_bands(const TimeRaster& raster, const std::vector<double>& minutes,
                                     double simplify_m) {
  std::vector<BandPolygon> bands;
  for (const ContourBand& band : trace_contours(raster, minutes, simplify_m)) {
    BandPolygon b{band.minutes, "", band.area_m2 / 1e6, band.keeps_clearance};
    if (!band.polygons.empty()) {
      b.wkb = multipolygon_wkb(band.polygons, raster.grid.projection);
      if (!band.keeps_clearance) {
        gdal::ensure_registered();
        b.wkb = repaired_wkb(b.wkb);
      }
    }
    bands.push_back(std::move(b));
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
