// QGIS project and styles: files written, well-formed XML (GDAL's minixml parser), every layer
// with its datasource and renderer, Chinese titles intact.
#include "legalcircle/io/write_qgis.hpp"

#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_minixml.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;

struct XmlDeleter {
  void operator()(CPLXMLNode* n) const { CPLDestroyXMLNode(n); }
};
using Xml = std::unique_ptr<CPLXMLNode, XmlDeleter>;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Parses and fails the test on malformed XML. The DOCTYPE is a sibling before the root.
Xml parse(const std::string& text) {
  CPLErrorReset();
  Xml doc(CPLParseXMLString(text.c_str()));
  EXPECT_TRUE(doc) << "not well-formed: " << CPLGetLastErrorMsg();
  return doc;
}

const CPLXMLNode* root_named(const CPLXMLNode* doc, const char* name) {
  for (const CPLXMLNode* n = doc; n; n = n->psNext)
    if (n->eType == CXT_Element && std::string(n->pszValue) == name) return n;
  return nullptr;
}

std::vector<const CPLXMLNode*> children(const CPLXMLNode* parent, const char* name) {
  std::vector<const CPLXMLNode*> out;
  if (!parent) return out;
  for (const CPLXMLNode* n = parent->psChild; n; n = n->psNext)
    if (n->eType == CXT_Element && std::string(n->pszValue) == name) out.push_back(n);
  return out;
}

class WriteQgis : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("lc_write_qgis_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static QgisProject project() {
    QgisProject p;
    p.title = "示例县15分钟公共法律服务圈 & <test>";
    p.gpkg = "out.gpkg";
    p.layers = {
        {"services", "公共法律服务点", QgisGeometry::point, QgisStyle::services_by_tier, {},
         "EPSG:4326", true, "", "", {}, "", "zh"},
        {"coverage_walk", "村社步行时间（分钟）", QgisGeometry::point,
         QgisStyle::graduated_minutes, {}, "EPSG:4326", true, "", "", {}, "", "zh"},
        {"uncovered", "未覆盖村社", QgisGeometry::point, QgisStyle::uncovered_red, {},
         "EPSG:4326", true, "", "", {}, "", "zh"},
        {"circle_walk", "15分钟步行圈", QgisGeometry::polygon, QgisStyle::circle_fill, {},
         "EPSG:4326", true, "\"mode\" = 'walk'", "服务圈", {}, "", "zh"},
        {"roads", "", QgisGeometry::line, QgisStyle::plain, {}, "EPSG:4326", false, "", "", {}, "", "zh"},
    };
    return p;
  }

  fs::path dir_;
};

TEST_F(WriteQgis, WritesProjectAndOneStylePerLayer) {
  const QgisProject p = project();
  write_qgis_project((dir_ / "out.qgs").string(), p);
  EXPECT_TRUE(fs::exists(dir_ / "out.qgs"));
  for (const QgisLayer& l : p.layers) EXPECT_TRUE(fs::exists(dir_ / (l.name + ".qml"))) << l.name;
  // Nothing else (no temporary files left behind).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()),
            static_cast<long>(p.layers.size() + 1));
}

TEST_F(WriteQgis, ProjectIsWellFormedWithEveryLayerAndDatasource) {
  const QgisProject p = project();
  write_qgis_project((dir_ / "out.qgs").string(), p);
  const std::string text = slurp(dir_ / "out.qgs");
  Xml doc = parse(text);
  ASSERT_TRUE(doc);
  const CPLXMLNode* qgis = root_named(doc.get(), "qgis");
  ASSERT_TRUE(qgis);
  EXPECT_STREQ(CPLGetXMLValue(qgis, "projectname", ""), p.title.c_str());  // escaped, intact
  EXPECT_STREQ(CPLGetXMLValue(qgis, "title", ""), p.title.c_str());
  EXPECT_STREQ(CPLGetXMLValue(qgis, "projectCrs.spatialrefsys.authid", ""), "EPSG:4326");

  // The tree in order, layers inside groups included (circle_walk sits in the group 服务圈).
  std::vector<const CPLXMLNode*> tree;
  const CPLXMLNode* group = nullptr;
  for (const CPLXMLNode* n = CPLGetXMLNode(qgis, "layer-tree-group")->psChild; n; n = n->psNext) {
    if (n->eType != CXT_Element) continue;
    if (std::string(n->pszValue) == "layer-tree-layer") tree.push_back(n);
    if (std::string(n->pszValue) == "layer-tree-group") {
      group = n;
      for (const CPLXMLNode* k : children(n, "layer-tree-layer")) tree.push_back(k);
    }
  }
  ASSERT_TRUE(group);
  EXPECT_STREQ(CPLGetXMLValue(group, "name", ""), "服务圈");
  const auto layers = children(CPLGetXMLNode(qgis, "projectlayers"), "maplayer");
  ASSERT_EQ(tree.size(), p.layers.size());
  ASSERT_EQ(layers.size(), p.layers.size());
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    const QgisLayer& l = p.layers[i];
    SCOPED_TRACE(l.name);
    const std::string source = "./out.gpkg|layername=" + l.name + (l.subset.empty() ? "" : "|subset=" + l.subset);
    const std::string title = l.title.empty() ? l.name : l.title;
    EXPECT_EQ(CPLGetXMLValue(layers[i], "datasource", ""), source);
    EXPECT_EQ(CPLGetXMLValue(layers[i], "layername", ""), title);  // Chinese intact
    EXPECT_STREQ(CPLGetXMLValue(layers[i], "provider", ""), "ogr");
    EXPECT_STREQ(CPLGetXMLValue(layers[i], "type", ""), "vector");
    EXPECT_EQ(CPLGetXMLValue(tree[i], "source", ""), source);
    EXPECT_EQ(CPLGetXMLValue(tree[i], "name", ""), title);
    EXPECT_EQ(CPLGetXMLValue(tree[i], "providerKey", ""), std::string("ogr"));
    // Layer ids match between the tree and the layer list.
    EXPECT_STREQ(CPLGetXMLValue(tree[i], "id", "a"), CPLGetXMLValue(layers[i], "id", "b"));
    EXPECT_TRUE(CPLGetXMLNode(layers[i], "renderer-v2"));
  }
  EXPECT_STREQ(CPLGetXMLValue(tree[4], "checked", ""), "Qt::Unchecked");
  EXPECT_STREQ(CPLGetXMLValue(layers[0], "renderer-v2.type", ""), "categorizedSymbol");
  EXPECT_STREQ(CPLGetXMLValue(layers[0], "renderer-v2.attr", ""), "tier");
  EXPECT_STREQ(CPLGetXMLValue(layers[1], "renderer-v2.type", ""), "graduatedSymbol");
  EXPECT_STREQ(CPLGetXMLValue(layers[4], "renderer-v2.type", ""), "singleSymbol");
  // UTF-8 as is, not as character references.
  EXPECT_NE(text.find("未覆盖村社"), std::string::npos);
}

TEST_F(WriteQgis, StylesAreWellFormedWithTheirRenderer) {
  const QgisProject p = project();
  write_qgis_project((dir_ / "out.qgs").string(), p);
  // circle_walk has a subset: its standalone style is rules over that subset.
  const char* expected[] = {"categorizedSymbol", "graduatedSymbol", "categorizedSymbol",
                            "RuleRenderer", "singleSymbol"};
  const char* symbol_type[] = {"marker", "marker", "marker", "fill", "line"};
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    SCOPED_TRACE(p.layers[i].name);
    Xml doc = parse(slurp(dir_ / (p.layers[i].name + ".qml")));
    ASSERT_TRUE(doc);
    const CPLXMLNode* qgis = root_named(doc.get(), "qgis");
    ASSERT_TRUE(qgis);
    const CPLXMLNode* renderer = CPLGetXMLNode(qgis, "renderer-v2");
    ASSERT_TRUE(renderer);
    EXPECT_STREQ(CPLGetXMLValue(renderer, "type", ""), expected[i]);
    const auto symbols = children(CPLGetXMLNode(renderer, "symbols"), "symbol");
    ASSERT_FALSE(symbols.empty());
    for (const CPLXMLNode* s : symbols) EXPECT_STREQ(CPLGetXMLValue(s, "type", ""), symbol_type[i]);
  }
}

TEST_F(WriteQgis, MinuteClassesGoFromGreenToRed) {
  QgisLayer l{"coverage", "", QgisGeometry::point, QgisStyle::graduated_minutes, {}, "EPSG:4326",
              true, "", "", {}, "", "zh"};
  Xml doc = parse(qgis_style_qml(l));
  ASSERT_TRUE(doc);
  const CPLXMLNode* renderer = CPLGetXMLNode(root_named(doc.get(), "qgis"), "renderer-v2");
  EXPECT_STREQ(CPLGetXMLValue(renderer, "attr", ""), "minutes");
  const auto ranges = children(CPLGetXMLNode(renderer, "ranges"), "range");
  ASSERT_EQ(ranges.size(), 5u);
  const double bounds[] = {0, 5, 10, 15, 30};
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_DOUBLE_EQ(CPLAtof(CPLGetXMLValue(ranges[i], "lower", "")), bounds[i]);
  EXPECT_DOUBLE_EQ(CPLAtof(CPLGetXMLValue(ranges[2], "upper", "")), 15.0);
  const std::string text = qgis_style_qml(l);
  EXPECT_LT(text.find("26,150,65,255"), text.find("215,25,28,255"));  // green first, red last
}

TEST_F(WriteQgis, CircleFillIsSemiTransparentAndUncoveredIsRed) {
  QgisLayer circle{"circle", "", QgisGeometry::polygon, QgisStyle::circle_fill, {}, "EPSG:4326",
                   true, "", "", {}, "", "zh"};
  EXPECT_NE(qgis_renderer_xml(circle).find("26,150,65,110"), std::string::npos);
  QgisLayer unc{"uncovered", "", QgisGeometry::point, QgisStyle::uncovered_red, {}, "EPSG:4326",
                true, "", "", {}, "", "zh"};
  Xml doc = parse(qgis_style_qml(unc));
  ASSERT_TRUE(doc);
  const CPLXMLNode* renderer = CPLGetXMLNode(root_named(doc.get(), "qgis"), "renderer-v2");
  EXPECT_NE(std::string(CPLGetXMLValue(renderer, "attr", "")).find("\"covered\""),
            std::string::npos);
  const auto cats = children(CPLGetXMLNode(renderer, "categories"), "category");
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_STREQ(CPLGetXMLValue(cats[0], "value", ""), "uncovered");
  EXPECT_NE(qgis_renderer_xml(unc).find("215,25,28,255"), std::string::npos);
}

TEST_F(WriteQgis, CustomTierCategories) {
  QgisLayer l{"services", "", QgisGeometry::point, QgisStyle::services_by_tier,
              {{"center", "中心"}, {"mediation", "调解室 \"A\" & B"}}, "EPSG:4326", true, "", "", {}, "", "zh"};
  Xml doc = parse(qgis_style_qml(l));
  ASSERT_TRUE(doc);
  const CPLXMLNode* renderer = CPLGetXMLNode(root_named(doc.get(), "qgis"), "renderer-v2");
  const auto cats = children(CPLGetXMLNode(renderer, "categories"), "category");
  ASSERT_EQ(cats.size(), 3u);  // plus the catch-all
  EXPECT_STREQ(CPLGetXMLValue(cats[1], "label", ""), "调解室 \"A\" & B");
  EXPECT_STREQ(CPLGetXMLValue(cats[2], "value", "x"), "");
}

TEST_F(WriteQgis, LabelsAliasesAndRoadClassesInTheStyle) {
  QgisLayer l;
  l.name = "services";
  l.style = QgisStyle::services_by_tier;
  l.label_field = "name";
  l.fields = {{"name", "名称"}, {"tier", "服务点层级"}};
  Xml doc = parse(qgis_style_qml(l));
  ASSERT_TRUE(doc);
  const CPLXMLNode* qgis = root_named(doc.get(), "qgis");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "labelsEnabled", ""), "1");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "labeling.type", ""), "simple");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "labeling.settings.text-style.fieldName", ""), "name");
  const auto aliases = children(CPLGetXMLNode(qgis, "aliases"), "alias");
  ASSERT_EQ(aliases.size(), 2u);
  EXPECT_STREQ(CPLGetXMLValue(aliases[1], "field", ""), "tier");
  EXPECT_STREQ(CPLGetXMLValue(aliases[1], "name", ""), "服务点层级");
  // Legends in one language: no English words in a Chinese legend, and none the other way round.
  EXPECT_EQ(qgis_style_qml(l).find("village point"), std::string::npos);
  l.lang = "en";
  EXPECT_EQ(qgis_style_qml(l).find("村社点"), std::string::npos);
  EXPECT_NE(qgis_style_qml(l).find("village point"), std::string::npos);

  QgisLayer roads;
  roads.name = "roads";
  roads.geometry = QgisGeometry::line;
  roads.style = QgisStyle::roads_by_class;
  Xml rdoc = parse(qgis_style_qml(roads));
  ASSERT_TRUE(rdoc);
  const CPLXMLNode* renderer = CPLGetXMLNode(root_named(rdoc.get(), "qgis"), "renderer-v2");
  EXPECT_STREQ(CPLGetXMLValue(renderer, "type", ""), "categorizedSymbol");
  EXPECT_NE(std::string(CPLGetXMLValue(renderer, "attr", "")).find("\"highway\" IN ('motorway'"), std::string::npos);
  EXPECT_EQ(children(CPLGetXMLNode(renderer, "categories"), "category").size(), 4u);
  EXPECT_STREQ(CPLGetXMLValue(root_named(rdoc.get(), "qgis"), "labelsEnabled", ""), "0");
}

TEST(WriteQgisEscape, EscapesMarkupAndDropsControlCharacters) {
  EXPECT_EQ(xml_escape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&apos;");
  EXPECT_EQ(xml_escape(std::string("x\x01y", 3)), "xy");
  EXPECT_EQ(xml_escape("村社"), "村社");
}

TEST_F(WriteQgis, BadLayerNameIsAnOutputError) {
  QgisProject p;
  p.layers = {{"a/b", "", QgisGeometry::point, QgisStyle::plain, {}, "EPSG:4326", true, "", "", {}, "", "zh"}};
  EXPECT_THROW(write_qgis_project((dir_ / "out.qgs").string(), p), OutputError);
  EXPECT_FALSE(fs::exists(dir_ / "out.qgs"));
}

}  // namespace
}  // namespace legalcircle
