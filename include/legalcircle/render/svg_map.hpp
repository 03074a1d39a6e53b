#pragma once
// The map drawing shared by the report, guide maps and the planner's page: typed layers + a
// projection + a page box in, SVG out. Equirectangular at the mean latitude (fine for a county);
// polygons are clipped to the page and simplified to about a pixel, coordinates rounded to 0.1 px.
#include <string>
#include <string_view>
#include <vector>

#include "legalcircle/core/geometry.hpp"

namespace legalcircle {

struct MapPoint {
  LonLat where;
  std::string title;  // tooltip, already escaped for XML ("" = none)
};

struct MapService {
  MapPoint point;
  std::size_t tier_rank = 0;  // 0 = highest tier: square, diamond, triangle, then circles
};

// One group of nested bands (a rule and mode); only one group is shown at a time.
struct MapBandGroup {
  std::string id;  // SVG id of the group
  std::vector<std::pair<double, const std::string*>> bands;  // minutes, lon/lat (multi)polygon WKB; ascending
  int palette = 0;  // 0 blue (the report), 1 green (walk on guide maps), 2 orange (e-bike), 3 grey
};

// A road (lon/lat (multi)line WKB) and its class rank: 0 motorway/trunk, 1 primary/secondary,
// 2 tertiary, 3 streets, 4 tracks and paths.
struct MapRoad {
  int rank = 3;
  const std::string* wkb = nullptr;
};

// Class rank of an OSM highway value for maps (MapRoad::rank); unknown classes are streets (3).
int road_rank(const std::string& highway_class);

// A name drawn on the map with a white halo. Labels are placed in priority order; one that would
// overlap a label already placed (or run off the page) is left out, so none collide.
struct MapLabel {
  LonLat where;
  std::string text;  // already escaped for XML
  int priority = 0;  // lower first
  enum class Kind { place, point, road };
  // place: centred on `where` (towns); point: beside a symbol (right, left, above or below, the
  // first that is free); road: centred, turned along the road by angle_deg.
  Kind kind = Kind::place;
  double font_size = 13;
  double angle_deg = 0;
  double gap = 7;  // point labels: distance from the point to the text

  // A name beside a point symbol (services, villages).
  static MapLabel beside(LonLat where, std::string text, double font_size, int priority) {
    MapLabel l;
    l.where = where;
    l.text = std::move(text);
    l.kind = Kind::point;
    l.font_size = font_size;
    l.priority = priority;
    return l;
  }
};

// A polygon drawn filled (demand areas) or as an outline (town and county boundaries), styled by
// its CSS class.
struct MapArea {
  const std::string* wkb = nullptr;  // lon/lat (multi)polygon WKB
  std::string css_class;
};

struct MapLayers {
  std::vector<MapRoad> roads;    // drawn over the bands, under everything else
  std::vector<MapArea> areas;     // over the bands, half transparent
  std::vector<MapArea> outlines;  // over the areas, under the dots
  std::vector<MapLabel> labels;  // drawn last, over everything
  std::vector<MapBandGroup> band_groups;
  std::vector<MapPoint> covered, uncovered;  // demand units
  std::vector<MapService> services;
  std::vector<MapPoint> new_sites;  // stars
  std::size_t unit_count = 0;       // all demand units (dot size shrinks for many)
  std::vector<std::pair<LonLat, double>> keep_clear;  // no label within this many px of these points
};

// Equirectangular projection onto a page: x = (lon - lon0) * kx * scale, y = (lat1 - lat) * scale.
struct MapProjection {
  double lon0 = 0, lat1 = 0, kx = 1, scale = 1;  // scale: page units (px) per degree of latitude
  double width = 960, height = 640;
  void apply(LonLat p, double& x, double& y) const {
    x = (p.lon - lon0) * kx * scale;
    y = (lat1 - p.lat) * scale;
  }
};

// The page box around `points` with a 5 % margin: max_width wide, at most max_height tall
// (tall regions get a narrower map), rounded to whole pixels. False when there is no point.
bool fit_projection(const std::vector<LonLat>& points, double max_width, double max_height, MapProjection& out);

struct MapText {
  std::string aria_label;  // the map's accessible name
  std::string north;       // label under the north arrow
  std::string km, m;       // scale bar units, e.g. " 公里", " m"
  std::string placement;   // extra attributes of the <svg> element, e.g. x="36" y="100" inside a page
  std::string id = "map";  // the <svg> element's id (unique in its page)
};

// Colour of a band by its rank among every band minute on the map (darker for fewer minutes).
const char* band_colour(const std::vector<double>& all_minutes, double minutes, int palette = 0);
// The map's CSS (symbols, dots, roads, labels): in the report's <style> and standalone pages'.
const std::string& map_css();
// Width of a label in page units at `font_size` (CJK characters a full em, others about half).
double label_width(const std::string& text, double font_size);
// Every distinct band minute of the layers, ascending.
std::vector<double> band_minutes(const MapLayers& layers);
// A service symbol and a new-site star (also for legends); title already escaped.
std::string tier_shape(std::size_t rank, double x, double y, const std::string& title = "");
std::string star(double x, double y, double r, const std::string& title = "");

// <svg id="map" ...>...</svg>: band groups (class "bands", ids as given), villages, services, new
// sites, a scale bar and a north arrow.
// Labels that do not fit are counted in `labels_left_out` when given.
std::string svg_map(const MapLayers& layers, const MapProjection& projection, const MapText& text,
                    std::size_t* labels_left_out = nullptr);

}  // namespace legalcircle
