// Guide maps (legalcircle guide, run --guide-maps): one A4 page per service point whose text holds
// its name and its villages, pages that are not blank, a combined PDF poppler reads without
// errors, villages assigned exactly as the run's own nearest-by-walk answer, and the same files
// whichever command wrote them.
#include <gtest/gtest.h>

#include <cairo.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "support/run_command.hpp"

namespace legalcircle {
namespace {

namespace fs = std::filesystem;
using testing::fresh_temp_dir;
using testing::read_file;
using testing::run_command;
using testing::write_file;

const std::string kBin = LEGALCIRCLE_BINARY;

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::string text = read_file(p);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Share of pixels that are not (nearly) white within the map's box (36..559 x 112..542 pt on the
// A4 page), and how many distinct colours the page has.
std::pair<double, std::size_t> ink(const fs::path& png) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
  EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << png;
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  std::size_t inked = 0, box = 0;
  std::set<uint32_t> colours;
  const double px_per_pt = w / 595.28;
  for (int y = 0; data && y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint32_t px = *reinterpret_cast<const uint32_t*>(data + y * stride + x * 4) & 0xFFFFFF;
      const int r = px >> 16 & 255, g = px >> 8 & 255, b = px & 255;
      if (colours.size() < 1000) colours.insert(px);
      if (x < 40 * px_per_pt || x > 555 * px_per_pt || y < 116 * px_per_pt || y > 538 * px_per_pt) continue;
      ++box;
      if (r < 240 || g < 240 || b < 240) ++inked;
    }
  cairo_surface_destroy(s);
  return {box ? double(inked) / double(box) : 0.0, colours.size()};
}

TEST(GuideMaps, OnePagePerStationWithItsNameAndVillagesTheRunAgreesWith) {
  const fs::path dir = fresh_temp_dir("guide");
  const std::string source = LEGALCIRCLE_SOURCE_DIR;
  // The services with an address column, so the page's address line is checked too.
  auto services = read_csv(fs::path(source) / "geodata/synthetic-county/services.csv");
  std::string csv = "id,name,tier,lon,lat,town,address\n";
  std::map<std::string, std::string> name_of, address_of;
  for (std::size_t i = 1; i < services.size(); ++i) {
    const std::string address = services[i][5] + "人民路" + std::to_string(i) + "号";
    csv += services[i][0] + "," + services[i][1] + "," + services[i][2] + "," + services[i][3] + "," +
           services[i][4] + "," + services[i][5] + "," + address + "\n";
    name_of[services[i][0]] = services[i][1];
    address_of[services[i][0]] = address;
  }
  write_file(dir / "services.csv", csv);
  std::string yaml = testing::shipped_scenario_text("synthetic-county");
  yaml = testing::replace_all(yaml, source + "/geodata/synthetic-county/services.csv", (dir / "services.csv").string());
  yaml += "\nguide_maps:\n  address_field: address\n  modes: [walk, ebike]\n";
  write_file(dir / "s.yaml", yaml);

  auto r = run_command(kBin + " guide " + (dir / "s.yaml").string() + " -o " + (dir / "G").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::size_t station_pdfs = 0;
  for (const auto& e : fs::directory_iterator(dir / "G" / "stations")) station_pdfs += e.path().extension() == ".pdf";
  EXPECT_EQ(station_pdfs, name_of.size());

  // The run's own answer: circle_15min counts every tier, so its walk service is the nearest point.
  r = run_command(kBin + " run " + (dir / "s.yaml").string() + " --guide-maps -o " + (dir / "R").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto demand = read_csv(dir / "R" / "demand.csv");
  const std::size_t d_id = column(demand[0], "id"), d_service = column(demand[0], "circle_15min_walk_service"),
                    d_minutes = column(demand[0], "circle_15min_walk_minutes");
  std::map<std::string, std::set<std::string>> expected;  // service -> village ids
  std::map<std::string, double> walk_minutes;
  for (std::size_t i = 1; i < demand.size(); ++i) {
    expected[demand[i][d_service]].insert(demand[i][d_id]);
    walk_minutes[demand[i][d_id]] = std::stod(demand[i][d_minutes]);
  }
  const auto villages = read_csv(dir / "G" / "guide_villages.csv");
  const std::size_t v_service = column(villages[0], "service_id"), v_id = column(villages[0], "village_id"),
                    v_name = column(villages[0], "village_name"), v_walk = column(villages[0], "walk_minutes"),
                    v_by = column(villages[0], "nearest_by");
  std::map<std::string, std::set<std::string>> listed;
  std::map<std::string, std::vector<std::string>> names;
  for (std::size_t i = 1; i < villages.size(); ++i) {
    listed[villages[i][v_service]].insert(villages[i][v_id]);
    names[villages[i][v_service]].push_back(villages[i][v_name]);
    EXPECT_EQ(villages[i][v_by], "walk");
    EXPECT_NEAR(std::stod(villages[i][v_walk]), walk_minutes[villages[i][v_id]], 0.006) << villages[i][v_id];
  }
  EXPECT_EQ(villages.size() - 1, demand.size() - 1) << "every village on exactly one page";
  for (const auto& [id, name] : name_of) {
    EXPECT_EQ(listed[id], expected[id]) << id;
    const fs::path pdf = dir / "G" / "stations" / (id + ".pdf");
    r = run_command("pdftotext -layout " + pdf.string() + " -");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << id << ": the page lacks its name\n" << r.output;
    EXPECT_NE(r.output.find(address_of[id]), std::string::npos) << id << ": no address";
    EXPECT_NE(r.output.find("步行"), std::string::npos);
    EXPECT_NE(r.output.find("电动车"), std::string::npos);
    EXPECT_NE(r.output.find("SYNTHETIC"), std::string::npos) << "the data's credit";
    for (const std::string& v : names[id]) EXPECT_NE(r.output.find(v), std::string::npos) << id << " lacks " << v;
    const auto [share, colours] = ink(dir / "G" / "stations" / (id + ".png"));
    EXPECT_GT(share, 0.08) << id << ": the map is nearly blank";
    EXPECT_GT(colours, 50u) << id;
    // The run's guide/ is the same file: its per-service isochrones are the guide's areas.
    EXPECT_EQ(read_file(pdf), read_file(dir / "R" / "guide" / "stations" / (id + ".pdf"))) << id;
  }
  // The combined PDF: every page (towns and stations), read by poppler without a complaint.
  const auto index = read_csv(dir / "G" / "guide_index.csv");
  std::size_t towns = 0;
  for (std::size_t i = 1; i < index.size(); ++i) towns += index[i][column(index[0], "kind")] == "town";
  EXPECT_EQ(towns, 6u) << "the synthetic county's six towns";
  r = run_command("pdfinfo " + (dir / "G" / "guide_maps.pdf").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Pages:           " + std::to_string(name_of.size() + towns)), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Error"), std::string::npos) << r.output;
  r = run_command("pdftotext " + (dir / "G" / "guide_maps.pdf").string() + " -");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.find("Syntax Error"), std::string::npos);
  for (const auto& [id, name] : name_of) EXPECT_NE(r.output.find(name), std::string::npos) << name;
  // A later run without guide maps into the same folder leaves no stale guide/ behind (the folder
  // is the run's own), while a file the user put there stays.
  write_file(dir / "R" / "mine.txt", "kept");
  r = run_command(kBin + " run " + (dir / "s.yaml").string() + " -o " + (dir / "R").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir / "R" / "guide")) << "stale guide maps of the earlier run";
  EXPECT_EQ(read_file(dir / "R" / "mine.txt"), "kept");
  // A town page lists its stations (the services' town column).
  r = run_command("pdftotext " + (dir / "G" / "towns" / "梅汇街道.pdf").string() + " -");
  for (std::size_t i = 1; i < services.size(); ++i) {
    if (services[i][5] == "梅汇街道") {
      EXPECT_NE(r.output.find(services[i][1]), std::string::npos) << services[i][1];
    }
  }
}

TEST(GuideMaps, WrongSettingsAreNamed) {
  const fs::path dir = fresh_temp_dir("guide-errors");
  std::string yaml = testing::shipped_scenario_text("synthetic-county") + "\nguide_maps:\n  address_field: 地址\n";
  write_file(dir / "s.yaml", yaml);
  auto r = run_command(kBin + " guide " + (dir / "s.yaml").string() + " -o " + (dir / "G").string() + " -q");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no field '地址' (guide_maps.address_field); the fields are: id, name, tier, lon, lat, town"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "G")) << "no partial output";
  write_file(dir / "t.yaml", testing::shipped_scenario_text("synthetic-county"));
  r = run_command(kBin + " guide " + (dir / "t.yaml").string() + " --station NOPE -o " + (dir / "G").string() + " -q");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("--station NOPE: no service point has this id"), std::string::npos) << r.output;
  r = run_command(kBin + " run " + (dir / "t.yaml").string() + " --guide-maps -o " + (dir / "x.gpkg").string() + " -q");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("--guide-maps: guide maps are files"), std::string::npos) << r.output;
  write_file(dir / "u.yaml", testing::shipped_scenario_text("synthetic-county") + "\nguide_maps:\n  bands: [10, 5]\n");
  r = run_command(kBin + " guide " + (dir / "u.yaml").string() + " -o " + (dir / "G").string() + " -q");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("guide_maps.bands[1]"), std::string::npos) << r.output;
}

TEST(GuideMaps, OneStationOnly) {
  const fs::path dir = fresh_temp_dir("guide-one");
  write_file(dir / "s.yaml", testing::shipped_scenario_text("synthetic-county"));
  auto r = run_command(kBin + " guide " + (dir / "s.yaml").string() + " --station C330499 --lang en -o " +
                       (dir / "G").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command("pdfinfo " + (dir / "G" / "guide_maps.pdf").string());
  EXPECT_NE(r.output.find("Pages:           1\n"), std::string::npos) << r.output;
  r = run_command("pdftotext " + (dir / "G" / "stations" / "C330499.pdf").string() + " -");
  EXPECT_NE(r.output.find("Public legal service guide map"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Villages for which this is the nearest point"), std::string::npos) << r.output;
}

// A county's own roads (a GeoPackage, no OSM header) are credited as local data, never to
// OpenStreetMap; Chinese GBK attributes print as they are.
TEST(GuideMaps, OwnDataIsCreditedAsLocalData) {
  const fs::path dir = fresh_temp_dir("guide-office");
  auto r = run_command(kBin + " guide " + std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/office-county.yaml --station C330499 -o " +
                       (dir / "G").string() + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command("pdftotext " + (dir / "G" / "guide_maps.pdf").string() + " -");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("数据：本地数据"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("OpenStreetMap"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("示例县公共法律服务中心"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace legalcircle
