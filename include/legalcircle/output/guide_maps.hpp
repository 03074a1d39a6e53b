#pragma once
// The service guide maps (服务指引地图) as pages: for every town a page listing its service points,
// then one A4 page per point — its name, tier and address, its own areas by each guide mode,
// the roads with their names, the villages it is the nearest point for with their minutes, a
// north arrow, scale bar, date and the data's credit. SVG pages, printed by io/svg_pages.
#include <string>
#include <vector>

#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/pipeline/guide.hpp"

namespace legalcircle {

inline constexpr double kA4WidthPt = 595.28, kA4HeightPt = 841.89;

struct GuidePage {
  enum class Kind { town, station };
  Kind kind = Kind::station;
  std::string key;        // service id or town name
  std::string title;      // the page's heading (station or town name)
  std::string file_stem;  // stations/<id> or towns/<town>, safe as a file name, unique
  std::string svg;        // the whole page, A4 portrait in points
  std::vector<std::string> listed;  // the village names printed on the page (tests read them back)
  std::size_t not_listed = 0;       // villages of the station left off the page for want of room
};

struct GuideBook {
  std::vector<GuidePage> pages;  // print order: each town's page, then its stations'; then the rest
  Table villages;                // every station's villages with minutes (guide_villages.csv)
  Table index;                   // page number, kind, id, name, town, file (guide_index.csv)
};

struct GuideText {
  std::string title;        // the scenario's title (the county's circle)
  std::string date;         // YYYY-MM-DD printed on every page
  std::string attribution;  // the data's credit
  bool zh = true;
  std::string font_family = "Noto Sans CJK SC";
};

GuideBook guide_book(const World& world, const Scenario& scenario, const GuideData& data,
                     const std::vector<std::string>& service_tier, const GuideText& text);

}  // namespace legalcircle
