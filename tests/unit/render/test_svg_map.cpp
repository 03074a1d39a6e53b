// The shared map's labels: placed in priority order, never overlapping one another, the service
// symbols or the page's edge; what does not fit is counted, not drawn on top.
#include <gtest/gtest.h>

#include <random>
#include <regex>

#include "legalcircle/render/svg_map.hpp"

namespace legalcircle {
namespace {

struct Box {
  double x0, y0, x1, y1;
};

// Every label the SVG holds, as the box its text covers (the placement's own estimate).
std::vector<Box> label_boxes(const std::string& svg) {
  std::vector<Box> out;
  static const std::regex text(R"re(<text x="([-0-9.]+)" y="([-0-9.]+)" font-size="([0-9.]+)"( text-anchor="(\w+)")?>([^<]*)</text>)re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text); it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]), size = std::stod((*it)[3]);
    const std::string anchor = (*it)[5].matched ? (*it)[5].str() : "start";
    const double w = label_width((*it)[6], size), h = size * 1.15;
    const double x0 = anchor == "start" ? x : anchor == "end" ? x - w : x - w / 2;
    const double top = y - h * 0.8;  // the baseline sits 0.8 h below the box's top
    out.push_back({x0, top, x0 + w, top + h});
  }
  return out;
}

TEST(SvgMapLabels, NeverOverlapAndTheRestAreCounted) {
  MapProjection pj;
  ASSERT_TRUE(fit_projection({{120.0, 30.0}, {120.1, 30.06}}, 400, 300, pj));
  MapLayers layers;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lon(120.0, 120.1), lat(30.0, 30.06);
  const char* names[] = {"梅汇街道公共法律服务工作站", "新浦村", "A", "Bayreuth", "兴坊社区"};
  for (int i = 0; i < 80; ++i) {
    MapLabel l;
    l.where = {lon(rng), lat(rng)};
    l.text = names[i % 5];
    l.kind = MapLabel::Kind::point;
    l.font_size = 9 + i % 3;
    l.priority = i % 3;
    layers.labels.push_back(l);
  }
  std::size_t left_out = 0;
  const std::string svg = svg_map(layers, pj, MapText{"map", "N", " km", " m", "", "map"}, &left_out);
  const std::vector<Box> boxes = label_boxes(svg);
  EXPECT_EQ(boxes.size() + left_out, 80u);
  EXPECT_GT(boxes.size(), 15u);
  EXPECT_GT(left_out, 0u) << "80 labels cannot all fit on 400 x 300 px";
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    EXPECT_GE(boxes[i].x0, 0.9);
    EXPECT_LE(boxes[i].x1, pj.width - 0.9);
    for (std::size_t j = i + 1; j < boxes.size(); ++j) {
      const bool apart = boxes[i].x1 <= boxes[j].x0 + 0.11 || boxes[j].x1 <= boxes[i].x0 + 0.11 ||
                         boxes[i].y1 <= boxes[j].y0 + 0.11 || boxes[j].y1 <= boxes[i].y0 + 0.11;
      EXPECT_TRUE(apart) << "labels " << i << " and " << j << " overlap";
    }
  }
}

TEST(SvgMapLabels, HigherPriorityWinsTheSameSpot) {
  MapProjection pj;
  ASSERT_TRUE(fit_projection({{120.0, 30.0}, {120.1, 30.06}}, 400, 300, pj));
  MapLayers layers;
  for (int i = 0; i < 6; ++i) {
    MapLabel l;
    l.where = {120.05, 30.03};
    l.text = i == 5 ? "首要" : "其他";
    l.kind = MapLabel::Kind::point;
    l.priority = i == 5 ? 0 : 1;
    layers.labels.push_back(l);
  }
  std::size_t left_out = 0;
  const std::string svg = svg_map(layers, pj, MapText{"map", "N", " km", " m", "", "map"}, &left_out);
  // Right and left of the point; above and below would touch those two (a box is taller than the gap).
  EXPECT_EQ(left_out, 4u);
  // The first spot (right of the point) goes to the label that comes first by priority.
  const std::size_t first = svg.find("<g class=\"lbl\"><text");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(svg.find(">首要</text>"), std::string::npos);
  EXPECT_LT(svg.find(">首要</text>"), svg.find(">其他</text>"));
}

TEST(SvgMapLabels, LabelsKeepOffServiceSymbolsAndTheScaleBar) {
  MapProjection pj;
  ASSERT_TRUE(fit_projection({{120.0, 30.0}, {120.1, 30.06}}, 400, 300, pj));
  MapLayers layers;
  // A service exactly where a centred town label would go, and a label in the scale bar's corner.
  const LonLat town = {120.05, 30.03};
  layers.services.push_back({{town, ""}, 0});
  layers.labels.push_back({town, "镇名", 0, MapLabel::Kind::place, 13, 0, 7});
  double x = 0, y = 0;
  const LonLat corner = {pj.lon0 + 20 / pj.scale / pj.kx, pj.lat1 - (pj.height - 15) / pj.scale};
  pj.apply(corner, x, y);
  layers.labels.push_back({corner, "角落", 0, MapLabel::Kind::place, 13, 0, 7});
  std::size_t left_out = 0;
  const std::string svg = svg_map(layers, pj, MapText{"map", "N", " km", " m", "", "map"}, &left_out);
  EXPECT_EQ(left_out, 1u) << "the corner label";
  EXPECT_NE(svg.find(">镇名</text>"), std::string::npos) << "moved above or below the symbol";
  EXPECT_EQ(svg.find(">角落</text>"), std::string::npos);
}

}  // namespace
}  // namespace legalcircle
