// GIS road reader (GDAL): line layers in any CRS. Every vertex is a node; vertices closer than
// vertex_snap_m (on a grid in a local metric projection) are one node, so lines that share a
// vertex are joined there.
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/gdal_handle.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace legalcircle {

namespace {

struct CellHash {
  std::size_t operator()(const std::pair<int64_t, int64_t>& c) const {
    return std::hash<int64_t>()(c.first * 73856093 ^ c.second * 19349663);
  }
};

struct Line {
  int64_t fid = 0;
  std::vector<LonLat> points;
  Tags tags;
};

int field_index(OGRFeatureDefn& defn, const std::string& name) {
  return name.empty() ? -1 : defn.GetFieldIndex(name.c_str());
}

std::string field_list(OGRFeatureDefn& defn) {
  std::string names;
  for (int i = 0; i < defn.GetFieldCount(); ++i)
    names += std::string(i ? ", " : "") + defn.GetFieldDefn(i)->GetNameRef();
  return names.empty() ? "none" : names;
}

std::string trim_text(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

bool is_known_highway_class(const std::string& v) {
  static const std::set<std::string> known = {
      "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
      "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
      "service", "road", "track", "pedestrian", "footway", "cycleway", "path", "steps", "bridleway",
      "corridor", "construction", "proposed", "raceway", "bus_guideway", "abandoned", "platform",
      "busway", "escape", "rest_area", "services"};
  return known.count(v) > 0;
}

RawRoads read_gis_roads(const std::string& path, const RoadFieldMapping& mapping) {
  std::vector<std::string> encoding_warnings;
  gdal::DatasetPtr ds = gdal::open_vector_encoded(path, mapping.layer, mapping.encoding, "--road-encoding", encoding_warnings);
  OGRLayer* layer = gdal::get_layer(*ds, path, mapping.layer);
  const std::string where = path + ", layer '" + layer->GetName() + "'";
  OGRFeatureDefn& defn = *layer->GetLayerDefn();

  const int class_i = field_index(defn, mapping.class_field);
  if (class_i < 0)
    throw InputError(where + ": no class field '" + mapping.class_field +
                     "' (fields: " + field_list(defn) + ")");
  RawRoads roads;
  roads.source = path;
  roads.warnings = std::move(encoding_warnings);
  auto optional_field = [&](const std::string& name, const char* what) {
    const int i = field_index(defn, name);
    if (i < 0 && !name.empty())
      roads.warnings.push_back(where + ": no " + what + " field '" + name + "'; not used");
    return i;
  };
  const int oneway_i = optional_field(mapping.oneway_field, "oneway");
  const int speed_i = optional_field(mapping.speed_field, "speed");
  const int name_i = optional_field(mapping.name_field, "name");

  gdal::TransformPtr transform;
  const OGRSpatialReference* srs = layer->GetSpatialRef();
  if (srs) transform = gdal::to_wgs84(*srs, where);
  const gdal::PlausibleArea plausible = srs ? gdal::plausible_area(*srs) : gdal::PlausibleArea{};
  const std::string no_crs_hint = srs ? "" : " (the layer has no CRS, so lon/lat is assumed)";

  // Pass 1: lines in lon/lat.
  std::vector<Line> lines;
  std::size_t no_class = 0;
  // Class values no mode knows: count and km, reported (they carry no traffic in any mode).
  std::map<std::string, std::pair<std::size_t, double>> unknown;
  std::map<std::string, std::pair<std::size_t, std::string>> mapped;  // value -> features, class
  layer->ResetReading();
  for (gdal::FeaturePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
    const std::string feature = where + ", feature " + std::to_string(f->GetFID());
    if (!f->IsFieldSetAndNotNull(class_i) || !*f->GetFieldAsString(class_i)) {
      ++no_class;
      continue;
    }
    const OGRGeometry* geom = f->GetGeometryRef();
    if (!geom || geom->IsEmpty()) throw InputError(feature + ": empty geometry");
    std::vector<const OGRLineString*> parts;
    const auto type = wkbFlatten(geom->getGeometryType());
    if (type == wkbLineString) {
      parts.push_back(geom->toLineString());
    } else if (type == wkbMultiLineString) {
      for (const OGRLineString* part : *geom->toMultiLineString()) parts.push_back(part);
    } else {
      throw InputError(feature + ": geometry is " + OGRGeometryTypeToName(geom->getGeometryType()) +
                       ", expected LineString or MultiLineString");
    }
    Tags tags;
    const std::string value = trim_text(f->GetFieldAsString(class_i));
    std::string highway = value;
    if (auto it = mapping.class_map.find(value); it != mapping.class_map.end()) highway = it->second;
    else if (auto cn = kChineseRoadClasses.find(value); cn != kChineseRoadClasses.end()) highway = cn->second;
    if (highway != value) {
      auto& m = mapped[value];
      ++m.first;
      m.second = highway;
    }
    tags.set("highway", highway);
    auto copy = [&](int i, const char* key) {
      if (i >= 0 && f->IsFieldSetAndNotNull(i) && *f->GetFieldAsString(i))
        tags.set(key, f->GetFieldAsString(i));
    };
    copy(oneway_i, "oneway");
    copy(speed_i, "maxspeed");
    copy(name_i, "name");
    for (const OGRLineString* part : parts) {
      const int n = part->getNumPoints();
      if (n < 2) throw InputError(feature + ": line with fewer than 2 vertices");
      std::vector<double> x(n), y(n);
      for (int i = 0; i < n; ++i) {
        x[i] = part->getX(i);
        y[i] = part->getY(i);
      }
      for (int i = 0; i < n; ++i)  // PROJ is not given what no CRS can mean
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || std::abs(x[i]) > 1e9 || std::abs(y[i]) > 1e9)
          throw InputError(feature + ": vertex " + std::to_string(i) + " is not a coordinate (" + std::to_string(x[i]) +
                           ", " + std::to_string(y[i]) + ")");
      if (transform && !transform->Transform(n, x.data(), y.data()))
        throw InputError(feature + ": coordinates cannot be transformed to EPSG:4326");
      Line line{f->GetFID(), {}, tags};
      for (int i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i]) || std::abs(y[i]) > 90 ||
            std::abs(x[i]) > 180 || !plausible.contains(x[i], y[i]))
          throw InputError(feature + ": vertex " + std::to_string(i) +
                           " is not a valid lon/lat coordinate" + no_crs_hint);
        line.points.push_back({x[i], y[i]});
      }
      if (!is_known_highway_class(highway)) {
        auto& u = unknown[value];
        ++u.first;
        for (std::size_t i = 1; i < line.points.size(); ++i) u.second += haversine_m(line.points[i - 1], line.points[i]) / 1000;
      }
      lines.push_back(std::move(line));
    }
  }
  for (const auto& [value, m] : mapped)
    roads.notes.push_back(where + ": class '" + value + "' read as highway=" + m.second + " (" +
                          std::to_string(m.first) + " features)");
  for (const auto& [value, u] : unknown) {
    char km[32];
    std::snprintf(km, sizeof km, "%.1f", u.second);
    roads.warnings.push_back(where + ": class '" + value + "' (" + std::to_string(u.first) + " features, " + km +
                             " km) is no road class legalcircle knows (cars do not use it; walking and e-bikes do, by the default "
                             "profiles). Map it with class_map "
                             "(scenario inputs.roads.class_map, or --road-class-map '" + value + "=residential')");
  }
  if (no_class > 0)
    roads.warnings.push_back(where + ": " + std::to_string(no_class) + " features without a '" +
                             mapping.class_field + "' value skipped");
  if (lines.empty()) throw InputError(where + ": no line with a '" + mapping.class_field + "' value");

  // Pass 2: vertices -> nodes, merged on a grid of vertex_snap_m in a local projection. Shared
  // vertices transform to identical coordinates, so they always land in the same cell.
  double min_lon = kInf, max_lon = -kInf, min_lat = kInf, max_lat = -kInf;
  for (const Line& line : lines) {
    for (const LonLat& p : line.points) {
      min_lon = std::min(min_lon, p.lon);
      max_lon = std::max(max_lon, p.lon);
      min_lat = std::min(min_lat, p.lat);
      max_lat = std::max(max_lat, p.lat);
    }
  }
  const LocalProjection proj({(min_lon + max_lon) / 2, (min_lat + max_lat) / 2});
  const double cell = mapping.vertex_snap_m > 0 ? mapping.vertex_snap_m : 1e-6;
  std::unordered_map<std::pair<int64_t, int64_t>, uint32_t, CellHash> node_at;
  for (Line& line : lines) {
    RawWay way;
    way.id = line.fid;
    way.tags = std::move(line.tags);
    for (const LonLat& p : line.points) {
      const XY xy = proj.forward(p);
      const std::pair<int64_t, int64_t> key{std::llround(xy.x / cell), std::llround(xy.y / cell)};
      auto [it, inserted] = node_at.try_emplace(key, static_cast<uint32_t>(roads.coord.size()));
      if (inserted) {
        roads.coord.push_back(p);
        roads.node_id.push_back(-1);
      }
      way.nodes.push_back(it->second);
    }
    roads.ways.push_back(std::move(way));
  }
  return roads;
}

}  // namespace legalcircle
