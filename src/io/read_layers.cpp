#include "legalcircle/io/read_layers.hpp"

#include <filesystem>

#include <ogrsf_frmts.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;

void read_features(OGRLayer& layer, const std::string& what, LayerRows& out) {
  gdal::TransformPtr ct;
  if (const OGRSpatialReference* srs = layer.GetSpatialRef()) ct = gdal::to_wgs84(*srs, what);
  OGRFeatureDefn* defn = layer.GetLayerDefn();
  for (int i = 0; i < defn->GetFieldCount(); ++i) out.columns.push_back(defn->GetFieldDefn(i)->GetNameRef());
  layer.ResetReading();
  while (gdal::FeaturePtr f{layer.GetNextFeature()}) {
    std::vector<std::string> row;
    for (int i = 0; i < defn->GetFieldCount(); ++i)
      row.push_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    out.rows.push_back(std::move(row));
    std::unique_ptr<OGRGeometry> g(f->StealGeometry());
    if (g && ct && g->transform(ct.get()) != OGRERR_NONE)
      throw InputError(what + ": cannot transform a geometry to EPSG:4326 (" + gdal::last_error() + ")");
    std::optional<LonLat> point;
    std::string wkb;
    if (g && !g->IsEmpty()) {
      if (wkbFlatten(g->getGeometryType()) == wkbPoint) {
        point = LonLat{g->toPoint()->getX(), g->toPoint()->getY()};
      } else {
        wkb.resize(g->WkbSize());
        g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
      }
    }
    out.points.push_back(point);
    out.wkb.push_back(std::move(wkb));
  }
}

}  // namespace

LayerRows read_output_layer(const std::string& out_dir, const std::string& name) {
  gdal::ensure_registered();
  LayerRows out;
  for (const char* ext : {".geojson", ".csv"}) {
    const std::string path = (fs::path(out_dir) / (name + ext)).string();
    if (!fs::exists(path)) continue;
    gdal::DatasetPtr ds = gdal::open_vector(path);
    read_features(*gdal::get_layer(*ds, path, ""), path, out);
    out.found = true;
    out.source = path;
    return out;
  }
  const std::string gpkg = (fs::path(out_dir) / "legalcircle.gpkg").string();
  if (fs::exists(gpkg)) {
    gdal::DatasetPtr ds = gdal::open_vector(gpkg);
    if (OGRLayer* l = ds->GetLayerByName(name.c_str())) {
      read_features(*l, gpkg + " layer " + name, out);
      out.found = true;
      out.source = gpkg;
    }
  }
  return out;
}

}  // namespace legalcircle
