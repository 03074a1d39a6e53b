// The synthetic-county generator (legalcircle_generate): deterministic output, the committed
// geodata/synthetic-county files up to date, and the content contract of each file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <osmium/handler.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/io/reader.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;

const std::string kGenerator = LEGALCIRCLE_GENERATE_BINARY;
const fs::path kCommitted = fs::path(LEGALCIRCLE_SOURCE_DIR) / "geodata" / "synthetic-county";
const std::vector<std::string> kFiles = {"roads.osm.pbf", "services.csv", "villages.geojson",
                                         "README.md"};

int run(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf{};
  std::string out;
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = ::pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("legalcircle-gen-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Runs the generator once per process into a temp folder (default seed and scale).
const fs::path& generated_default() {
  static const fs::path dir = [] {
    const fs::path d = temp_dir("default");
    std::string out;
    const int rc =
        run("\"" + kGenerator + "\" --quiet --out \"" + (d / "county").string() + "\"", &out);
    EXPECT_EQ(rc, 0) << out;
    return d / "county";
  }();
  return dir;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      f.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

bool all_digits(const std::string& s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789") == std::string::npos;
}

TEST(GeneratorDeterminism, DefaultRunMatchesCommittedGeodata) {
  const fs::path& gen = generated_default();
  for (const std::string& f : kFiles) {
    ASSERT_TRUE(fs::exists(kCommitted / f)) << "missing committed file " << (kCommitted / f);
    ASSERT_TRUE(fs::exists(gen / f)) << "generator did not write " << f;
    EXPECT_TRUE(slurp(gen / f) == slurp(kCommitted / f))
        << f << " differs from the committed geodata/synthetic-county/" << f
        << ": regenerate with `legalcircle_generate --out geodata/synthetic-county`";
  }
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(gen)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, std::set<std::string>(kFiles.begin(), kFiles.end()));
}

TEST(GeneratorDeterminism, SameSeedSameBytesOtherSeedDiffers) {
  const fs::path d = temp_dir("seeds");
  const std::string base = "\"" + kGenerator + "\" --quiet --scale 0.5 ";
  ASSERT_EQ(run(base + "--seed 7 --out \"" + (d / "a").string() + "\""), 0);
  ASSERT_EQ(run(base + "--seed 7 --out \"" + (d / "b").string() + "\""), 0);
  ASSERT_EQ(run(base + "--seed 8 --out \"" + (d / "c").string() + "\""), 0);
  for (const std::string& f : kFiles) EXPECT_TRUE(slurp(d / "a" / f) == slurp(d / "b" / f)) << f;
  EXPECT_FALSE(slurp(d / "a" / "roads.osm.pbf") == slurp(d / "c" / "roads.osm.pbf"));
  EXPECT_NE(slurp(d / "a" / "README.md").find("seed 7"), std::string::npos);
  fs::remove_all(d);
}

TEST(GeneratorDeterminism, RejectsBadScale) {
  std::string out;
  EXPECT_NE(run("\"" + kGenerator + "\" --scale 0 --out /nonexistent/never", &out), 0);
  EXPECT_FALSE(fs::exists("/nonexistent/never"));
}

TEST(GeneratorVillages, FeatureCollectionWithAdminCodes) {
  const auto fc = nlohmann::json::parse(slurp(generated_default() / "villages.geojson"));
  ASSERT_EQ(fc.at("type"), "FeatureCollection");
  const auto& feats = fc.at("features");
  EXPECT_GE(feats.size(), 80u);
  EXPECT_LE(feats.size(), 130u);
  std::set<std::string> ids;
  std::map<std::string, int> by_type;
  const std::vector<std::string> keys = {"id",           "name",        "type", "population",
                                         "county",       "county_code", "town", "town_code",
                                         "village_code", "area_class"};
  for (const auto& f : feats) {
    ASSERT_EQ(f.at("type"), "Feature");
    ASSERT_EQ(f.at("geometry").at("type"), "Point");
    const auto& c = f.at("geometry").at("coordinates");
    ASSERT_EQ(c.size(), 2u);
    EXPECT_GT(c[0].get<double>(), 120.55);
    EXPECT_LT(c[0].get<double>(), 121.0);
    EXPECT_GT(c[1].get<double>(), 30.55);
    EXPECT_LT(c[1].get<double>(), 30.9);
    const auto& p = f.at("properties");
    // Stable property order, exactly these keys.
    std::vector<std::string> got;
    for (auto it = p.begin(); it != p.end(); ++it) got.push_back(it.key());
    std::sort(got.begin(), got.end());
    std::vector<std::string> want = keys;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
    const std::string id = p.at("id");
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
    const std::string county_code = p.at("county_code"), town_code = p.at("town_code"),
                      village_code = p.at("village_code");
    EXPECT_TRUE(all_digits(county_code, 6)) << county_code;
    EXPECT_TRUE(all_digits(town_code, 9)) << town_code;
    EXPECT_TRUE(all_digits(village_code, 12)) << village_code;
    EXPECT_EQ(town_code.substr(0, 6), county_code);
    EXPECT_EQ(village_code.substr(0, 9), town_code);
    EXPECT_EQ(id, village_code);
    EXPECT_EQ(p.at("county"), "示例县");
    const std::string type = p.at("type");
    ASSERT_TRUE(type == "村" || type == "社区") << type;
    ++by_type[type];
    const int pop = p.at("population").get<int>();
    EXPECT_GT(pop, 0);
    if (type == "村") {
      EXPECT_EQ(p.at("area_class"), "rural");
      EXPECT_GE(pop, 1000);
      EXPECT_LE(pop, 4000);
    } else {
      EXPECT_EQ(p.at("area_class"), "urban");
      EXPECT_GE(pop, 3000);
      EXPECT_LE(pop, 12000);
    }
    const std::string name = p.at("name");
    EXPECT_TRUE(name.size() > type.size() &&
                name.compare(name.size() - type.size(), type.size(), type) == 0)
        << name;
  }
  EXPECT_GT(by_type["村"], 40);
  EXPECT_GT(by_type["社区"], 10);
}

TEST(GeneratorServices, CsvWithAllTiers) {
  std::istringstream in(slurp(generated_default() / "services.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "id,name,tier,lon,lat,town");
  std::map<std::string, int> tiers;
  std::set<std::string> ids, station_towns;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv_line(line);
    ASSERT_EQ(f.size(), 6u) << line;
    EXPECT_TRUE(ids.insert(f[0]).second) << "duplicate id " << f[0];
    ++tiers[f[2]];
    if (f[2] == "town_station") station_towns.insert(f[5]);
    const double lon = std::stod(f[3]), lat = std::stod(f[4]);
    EXPECT_GT(lon, 120.55);
    EXPECT_LT(lon, 121.0);
    EXPECT_GT(lat, 30.55);
    EXPECT_LT(lat, 30.9);
    EXPECT_NE(f[1].find("公共法律服务"), std::string::npos) << f[1];
  }
  EXPECT_EQ(tiers["center"], 1);
  EXPECT_GE(tiers["town_station"], 4);
  EXPECT_LE(tiers["town_station"], 6);
  EXPECT_EQ(static_cast<int>(station_towns.size()), tiers["town_station"])
      << "one station per town";
  EXPECT_GE(tiers["village_point"], 2);
  EXPECT_EQ(tiers.size(), 3u) << "only the tiers center, town_station, village_point";
}

struct RoadCounter : osmium::handler::Handler {
  std::size_t nodes = 0, with_metadata = 0, highways = 0, canals = 0, bridges = 0, oneway = 0,
              roundabouts = 0, named = 0, other = 0;
  std::set<std::string> classes;
  void node(const osmium::Node& n) {
    ++nodes;
    if (n.version() != 0 || n.timestamp().valid()) ++with_metadata;
  }
  void way(const osmium::Way& w) {
    if (const char* h = w.tags()["highway"]) {
      ++highways;
      classes.insert(h);
      if (w.tags().has_tag("bridge", "yes")) ++bridges;
      if (w.tags().has_key("oneway")) ++oneway;
      if (w.tags().has_tag("junction", "roundabout")) ++roundabouts;
      if (w.tags().has_key("name")) ++named;
    } else if (w.tags().has_tag("waterway", "canal")) {
      ++canals;
    } else {
      ++other;
    }
  }
};

TEST(GeneratorRoads, PbfHierarchyCanalsBridgesNoMetadata) {
  osmium::io::Reader reader{(generated_default() / "roads.osm.pbf").string()};
  RoadCounter c;
  osmium::apply(reader, c);
  reader.close();
  EXPECT_GE(c.nodes, 30000u);
  EXPECT_LE(c.nodes, 60000u);
  EXPECT_EQ(c.with_metadata, 0u);
  EXPECT_GT(c.highways, 1000u);
  EXPECT_GT(c.canals, 5u);
  EXPECT_GT(c.bridges, 20u);
  EXPECT_GT(c.oneway, 5u);
  EXPECT_GE(c.roundabouts, 1u);
  EXPECT_GT(c.named, 100u);
  EXPECT_EQ(c.other, 0u);
  for (const char* cls : {"primary", "secondary", "tertiary", "unclassified", "residential",
                          "track", "path", "footway"})
    EXPECT_TRUE(c.classes.count(cls)) << "no highway=" << cls;
}

TEST(GeneratorReadme, SaysSyntheticWithSeedAndCommand) {
  const std::string r = slurp(generated_default() / "README.md");
  EXPECT_NE(r.find("SYNTHETIC data generated by `src/tools/generate_county.cpp`, seed"),
            std::string::npos);
  EXPECT_NE(r.find("not a real place"), std::string::npos);
  EXPECT_NE(r.find("legalcircle_generate --out geodata/synthetic-county"), std::string::npos);
}

}  // namespace
