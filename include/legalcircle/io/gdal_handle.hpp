#pragma once
// RAII around GDAL/OGR handles, and opening vector files with errors that name the file.
#include <memory>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogr_feature.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

namespace legalcircle::gdal {

struct DatasetCloser {
  void operator()(GDALDataset* d) const { if (d) GDALClose(d); }
};
struct FeatureDeleter {
  void operator()(OGRFeature* f) const { OGRFeature::DestroyFeature(f); }
};
struct TransformDeleter {
  void operator()(OGRCoordinateTransformation* t) const {
    OGRCoordinateTransformation::DestroyCT(t);
  }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;
using FeaturePtr = std::unique_ptr<OGRFeature, FeatureDeleter>;
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

// Registers drivers once; GDAL's own messages are kept for our errors instead of printed.
void ensure_registered();

// Opens a vector dataset read-only. Throws InputError: "<path>: file not found" /
// "<path>: not a vector file GDAL can read (<GDAL's message>)".
// Where a projected CRS's coordinates can mean a place: its area of use, widened by 5 degrees (a
// county just past a Gauss-Kruger zone's edge is fine); the whole globe for other CRSs. Outside
// it, PROJ returns numbers that look like places (x = 500000, y = 1e98 became 60 W, 80 S): the
// readers refuse those instead.
struct PlausibleArea {
  double west = -180, south = -90, east = 180, north = 90;
  bool contains(double lon, double lat) const;
};
PlausibleArea plausible_area(const OGRSpatialReference& srs);

DatasetPtr open_vector(const std::string& path, const char* const* open_options = nullptr);

// The layer by name, or the first when name is empty. Throws InputError naming file and layer,
// listing the layers the file has.
OGRLayer* get_layer(GDALDataset& ds, const std::string& path, const std::string& name);

// Transformation from `from` to EPSG:4326 in lon/lat order; nullptr when `from` already is
// geographic WGS-84 lon/lat. Throws InputError (naming `what`) when PROJ cannot build it.
TransformPtr to_wgs84(const OGRSpatialReference& from, const std::string& what);

// The last GDAL error message, or "" (and resets it).
std::string last_error();

// Opens a vector file with an attribute encoding: `encoding` when given (Shapefile ENCODING),
// else GDAL's own choice (.cpg, the DBF's code page) — except for a Shapefile with neither,
// which is read as UTF-8 when its bytes are, else as GB18030 when that decodes every value (a
// warning says so), else an InputError naming the first bad feature and `option`.
DatasetPtr open_vector_encoded(const std::string& path, const std::string& layer, const std::string& encoding,
                               const std::string& option, std::vector<std::string>& warnings);

}  // namespace legalcircle::gdal
