// The DESIGN.md mode profile rules, one by one, and loading them from YAML.
#include <filesystem>
#include <fstream>
#include <initializer_list>

#include <unistd.h>

#include <gtest/gtest.h>

#include "legalcircle/core/error.hpp"
#include "legalcircle/config/load_profiles.hpp"

namespace legalcircle {
namespace {

Tags tags(std::initializer_list<std::pair<const char*, const char*>> kv) {
  Tags t;
  for (const auto& [k, v] : kv) t.set(k, v);
  return t;
}

WayRule eval(Mode m, std::initializer_list<std::pair<const char*, const char*>> kv) {
  static const Profiles p = default_profiles();
  return evaluate_way(p[m], tags(kv));
}

bool allowed(Mode m, std::initializer_list<std::pair<const char*, const char*>> kv) {
  return eval(m, kv).allowed;
}

TEST(ProfileBasics, ModeNamesRoundTrip) {
  for (Mode m : kAllModes) EXPECT_EQ(parse_mode(mode_name(m)), m);
  EXPECT_THROW(parse_mode("bike"), ConfigError);
}

TEST(ProfileBasics, TagsSetReplacesAndStaysSorted) {
  Tags t;
  t.set("oneway", "yes");
  t.set("highway", "primary");
  t.set("oneway", "no");
  ASSERT_EQ(t.kv.size(), 2u);
  EXPECT_EQ(t.kv[0].first, "highway");
  ASSERT_NE(t.get("oneway"), nullptr);
  EXPECT_EQ(*t.get("oneway"), "no");
  EXPECT_EQ(t.get("access"), nullptr);
}

TEST(ProfileRules, NoHighwayTagIsNeverAllowed) {
  for (Mode m : kAllModes) EXPECT_FALSE(allowed(m, {{"name", "x"}}));
}

TEST(ProfileRules, WalkClasses) {
  for (const char* cls : {"motorway", "motorway_link", "trunk", "trunk_link", "construction",
                          "proposed", "raceway", "bus_guideway", "abandoned", "platform"})
    EXPECT_FALSE(allowed(Mode::walk, {{"highway", cls}})) << cls;
  for (const char* cls : {"footway", "pedestrian", "steps", "primary", "residential", "path",
                          "track", "corridor", "some_new_class"})
    EXPECT_TRUE(allowed(Mode::walk, {{"highway", cls}})) << cls;
  EXPECT_DOUBLE_EQ(eval(Mode::walk, {{"highway", "primary"}}).speed_kmh, 4.5);
}

TEST(ProfileRules, EbikeClasses) {
  for (const char* cls : {"motorway", "motorway_link", "trunk", "trunk_link", "footway",
                          "pedestrian", "steps", "bridleway", "corridor", "construction",
                          "proposed", "raceway", "bus_guideway", "abandoned", "platform"})
    EXPECT_FALSE(allowed(Mode::ebike, {{"highway", cls}})) << cls;
  for (const char* cls : {"primary", "residential", "cycleway", "path", "track", "service"})
    EXPECT_TRUE(allowed(Mode::ebike, {{"highway", cls}})) << cls;
  EXPECT_DOUBLE_EQ(eval(Mode::ebike, {{"highway", "residential"}}).speed_kmh, 15.0);
}

TEST(ProfileRules, EbikeOnFootwayWithBicycleTag) {
  for (const char* cls : {"footway", "pedestrian"}) {
    for (const char* v : {"yes", "designated", "permissive"})
      EXPECT_TRUE(allowed(Mode::ebike, {{"highway", cls}, {"bicycle", v}})) << cls << " " << v;
    for (const char* v : {"no", "dismount", "destination"})
      EXPECT_FALSE(allowed(Mode::ebike, {{"highway", cls}, {"bicycle", v}})) << cls << " " << v;
  }
  // Only footway and pedestrian have the exception.
  EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "steps"}, {"bicycle", "yes"}}));
  EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "trunk"}, {"bicycle", "yes"}}));
}

TEST(ProfileRules, CarClassesAndSpeeds) {
  const std::pair<const char*, double> speeds[] = {
      {"motorway", 100},     {"motorway_link", 60}, {"trunk", 80},           {"trunk_link", 50},
      {"primary", 60},       {"primary_link", 40},  {"secondary", 50},       {"secondary_link", 40},
      {"tertiary", 40},      {"tertiary_link", 30}, {"unclassified", 30},    {"residential", 25},
      {"living_street", 10}, {"service", 15},       {"road", 20},            {"track", 15}};
  for (const auto& [cls, kmh] : speeds) {
    WayRule r = eval(Mode::car, {{"highway", cls}});
    EXPECT_TRUE(r.allowed) << cls;
    EXPECT_DOUBLE_EQ(r.speed_kmh, kmh) << cls;
  }
  for (const char* cls : {"footway", "pedestrian", "path", "cycleway", "steps", "construction"})
    EXPECT_FALSE(allowed(Mode::car, {{"highway", cls}})) << cls;
}

TEST(ProfileRules, AccessMostSpecificTagDecides) {
  // motor_vehicle=no but motorcar=yes: open to cars.
  EXPECT_TRUE(allowed(Mode::car, {{"highway", "residential"}, {"motor_vehicle", "no"},
                                  {"motorcar", "yes"}}));
  EXPECT_FALSE(allowed(Mode::car, {{"highway", "residential"}, {"motor_vehicle", "no"}}));
  EXPECT_TRUE(allowed(Mode::car, {{"highway", "residential"}, {"access", "no"},
                                  {"motor_vehicle", "destination"}}));
  EXPECT_FALSE(allowed(Mode::car, {{"highway", "residential"}, {"access", "yes"},
                                   {"vehicle", "private"}}));
  // access=private + foot=yes: walkable, not for ebike or car.
  EXPECT_TRUE(allowed(Mode::walk, {{"highway", "service"}, {"access", "private"}, {"foot", "yes"}}));
  EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "service"}, {"access", "private"}, {"foot", "yes"}}));
  EXPECT_FALSE(allowed(Mode::car, {{"highway", "service"}, {"access", "private"}, {"foot", "yes"}}));
  // foot=no closes walking even with access=yes; vehicle tags do not affect walking.
  EXPECT_FALSE(allowed(Mode::walk, {{"highway", "residential"}, {"access", "yes"}, {"foot", "no"}}));
  EXPECT_TRUE(allowed(Mode::walk, {{"highway", "residential"}, {"vehicle", "no"}}));
  // ebike: bicycle > vehicle > access.
  EXPECT_TRUE(allowed(Mode::ebike, {{"highway", "residential"}, {"vehicle", "no"}, {"bicycle", "yes"}}));
  EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "residential"}, {"vehicle", "no"}}));
  EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "primary"}, {"bicycle", "use_sidepath"}}));
  EXPECT_TRUE(allowed(Mode::walk, {{"highway", "primary"}, {"bicycle", "use_sidepath"}}));
}

TEST(ProfileRules, DeniedAccessValuesPerMode) {
  for (const char* v : {"no", "private", "agricultural", "forestry", "delivery"}) {
    EXPECT_FALSE(allowed(Mode::walk, {{"highway", "track"}, {"access", v}})) << v;
    EXPECT_FALSE(allowed(Mode::ebike, {{"highway", "track"}, {"access", v}})) << v;
    EXPECT_FALSE(allowed(Mode::car, {{"highway", "track"}, {"access", v}})) << v;
  }
  for (const char* v : {"emergency", "psv", "customers"}) {
    EXPECT_FALSE(allowed(Mode::car, {{"highway", "service"}, {"access", v}})) << v;
    EXPECT_TRUE(allowed(Mode::walk, {{"highway", "service"}, {"access", v}})) << v;
  }
  for (const char* v : {"yes", "destination", "permissive", "designated", "unknown"})
    EXPECT_TRUE(allowed(Mode::car, {{"highway", "service"}, {"access", v}})) << v;
}

TEST(ProfileRules, OnewayValues) {
  for (const char* v : {"yes", "1", "true"}) {
    WayRule r = eval(Mode::car, {{"highway", "primary"}, {"oneway", v}});
    EXPECT_TRUE(r.forward && !r.backward) << v;
  }
  WayRule rev = eval(Mode::car, {{"highway", "primary"}, {"oneway", "-1"}});
  EXPECT_TRUE(!rev.forward && rev.backward);
  for (const char* v : {"no", "reversible", "alternating", "false", "0"}) {
    WayRule r = eval(Mode::car, {{"highway", "primary"}, {"oneway", v}});
    EXPECT_TRUE(r.forward && r.backward) << v;
  }
}

TEST(ProfileRules, WalkIgnoresOneway) {
  for (auto r : {eval(Mode::walk, {{"highway", "primary"}, {"oneway", "yes"}}),
                 eval(Mode::walk, {{"highway", "primary"}, {"oneway", "-1"}}),
                 eval(Mode::walk, {{"highway", "primary"}, {"junction", "roundabout"}})})
    EXPECT_TRUE(r.forward && r.backward);
}

TEST(ProfileRules, EbikeOnewayUnlessOnewayBicycleNo) {
  WayRule r = eval(Mode::ebike, {{"highway", "residential"}, {"oneway", "yes"}});
  EXPECT_TRUE(r.forward && !r.backward);
  r = eval(Mode::ebike, {{"highway", "residential"}, {"oneway", "yes"}, {"oneway:bicycle", "no"}});
  EXPECT_TRUE(r.forward && r.backward);
  r = eval(Mode::ebike, {{"highway", "residential"}, {"oneway", "-1"}, {"oneway:bicycle", "no"}});
  EXPECT_TRUE(r.forward && r.backward);
  // oneway:bicycle=no does not open a oneway to cars.
  r = eval(Mode::car, {{"highway", "residential"}, {"oneway", "yes"}, {"oneway:bicycle", "no"}});
  EXPECT_TRUE(r.forward && !r.backward);
}

TEST(ProfileRules, RoundaboutImpliesOnewayOnlyWithoutOnewayTag) {
  for (Mode m : {Mode::ebike, Mode::car}) {
    WayRule r = eval(m, {{"highway", "tertiary"}, {"junction", "roundabout"}});
    EXPECT_TRUE(r.forward && !r.backward);
    r = eval(m, {{"highway", "tertiary"}, {"junction", "roundabout"}, {"oneway", "no"}});
    EXPECT_TRUE(r.forward && r.backward);
  }
}

TEST(ProfileRules, MotorwayImpliesOnewayForCarNotMotorwayLink) {
  WayRule r = eval(Mode::car, {{"highway", "motorway"}});
  EXPECT_TRUE(r.forward && !r.backward);
  r = eval(Mode::car, {{"highway", "motorway"}, {"oneway", "no"}});
  EXPECT_TRUE(r.forward && r.backward);
  r = eval(Mode::car, {{"highway", "motorway_link"}});
  EXPECT_TRUE(r.forward && r.backward);
}

TEST(ProfileRules, MaxspeedOnlyWhenEnabled) {
  EXPECT_DOUBLE_EQ(eval(Mode::car, {{"highway", "primary"}, {"maxspeed", "80"}}).speed_kmh, 60);
  ModeProfile car = default_profiles()[Mode::car];
  car.use_maxspeed = true;
  EXPECT_DOUBLE_EQ(evaluate_way(car, tags({{"highway", "primary"}, {"maxspeed", "80"}})).speed_kmh, 80);
  EXPECT_DOUBLE_EQ(
      evaluate_way(car, tags({{"highway", "primary"}, {"maxspeed", "30 mph"}})).speed_kmh,
      30 * 1.609344);
  EXPECT_DOUBLE_EQ(
      evaluate_way(car, tags({{"highway", "primary"}, {"maxspeed", "50 km/h"}})).speed_kmh, 50);
  // Not numeric: the class speed stays.
  for (const char* v : {"none", "signals", "DE:urban", "", "-5"})
    EXPECT_DOUBLE_EQ(evaluate_way(car, tags({{"highway", "primary"}, {"maxspeed", v}})).speed_kmh,
                     60)
        << v;
}

TEST(ProfileRules, AreaYesIsKept) {
  EXPECT_TRUE(allowed(Mode::walk, {{"highway", "pedestrian"}, {"area", "yes"}}));
}

// ---------------------------------------------------------------------------------------------

void expect_same(const ModeProfile& a, const ModeProfile& b) {
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_DOUBLE_EQ(a.default_speed_kmh, b.default_speed_kmh);
  EXPECT_EQ(a.class_speed_kmh, b.class_speed_kmh);
  EXPECT_EQ(a.allowlist, b.allowlist);
  EXPECT_EQ(a.excluded_highways, b.excluded_highways);
  EXPECT_EQ(a.allowed_with_tag, b.allowed_with_tag);
  EXPECT_EQ(a.access_tags, b.access_tags);
  EXPECT_EQ(a.denied_access, b.denied_access);
  EXPECT_EQ(a.respect_oneway, b.respect_oneway);
  EXPECT_EQ(a.oneway_exception_tag, b.oneway_exception_tag);
  EXPECT_EQ(a.motorway_implies_oneway, b.motorway_implies_oneway);
  EXPECT_EQ(a.use_maxspeed, b.use_maxspeed);
}

class ProfileYaml : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lc_profiles_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ProfileYaml, ShippedConfigEqualsDefaults) {
  const Profiles loaded = load_profiles(std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/profiles.yaml");
  const Profiles defaults = default_profiles();
  EXPECT_DOUBLE_EQ(loaded.access_leg_kmh, defaults.access_leg_kmh);
  EXPECT_DOUBLE_EQ(loaded.max_snap_m, defaults.max_snap_m);
  for (Mode m : kAllModes) {
    SCOPED_TRACE(std::string(mode_name(m)));
    expect_same(loaded[m], defaults[m]);
  }
}

TEST_F(ProfileYaml, PartialFileOverridesOnlyItsKeys) {
  const Profiles p = load_profiles(write("p.yaml",
                                         "modes:\n"
                                         "  walk:\n"
                                         "    default_speed_kmh: 5\n"
                                         "  car:\n"
                                         "    use_maxspeed: true\n"));
  EXPECT_DOUBLE_EQ(p[Mode::walk].default_speed_kmh, 5.0);
  EXPECT_TRUE(p[Mode::car].use_maxspeed);
  expect_same(p[Mode::ebike], default_profiles()[Mode::ebike]);
}

TEST_F(ProfileYaml, UnknownKeyNamesFileKeyAndLine) {
  const std::string path = write("bad.yaml",
                                 "modes:\n"
                                 "  walk:\n"
                                 "    default_speed_kmh: 5\n"
                                 "    max_speed: 7\n");
  try {
    load_profiles(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("modes.walk.max_speed"), std::string::npos) << msg;
    EXPECT_NE(msg.find(":4:"), std::string::npos) << msg;
  }
}

TEST_F(ProfileYaml, WrongTypeNamesKeyAndLine) {
  const std::string path = write("bad.yaml",
                                 "access_leg_kmh: 4.5\n"
                                 "modes:\n"
                                 "  ebike:\n"
                                 "    respect_oneway: sometimes\n");
  try {
    load_profiles(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("modes.ebike.respect_oneway"), std::string::npos) << msg;
    EXPECT_NE(msg.find(":4:"), std::string::npos) << msg;
  }
  const std::string path2 = write("bad2.yaml", "max_snap_m: [1, 2]\n");
  try {
    load_profiles(path2);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("max_snap_m"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(":1:"), std::string::npos) << e.what();
  }
}

// Speeds and distances no road network has are refused naming the key (1e300 km/h made every
// access leg free).
TEST_F(ProfileYaml, AbsurdSpeedsAndDistancesAreRefused) {
  for (const char* text : {"access_leg_kmh: 1e300\n", "access_leg_kmh: 0.01\n", "max_snap_m: 1e9\n",
                           "modes:\n  car:\n    default_speed_kmh: 5000\n",
                           "modes:\n  car:\n    class_speed_kmh: {residential: 1e300}\n"}) {
    SCOPED_TRACE(text);
    try {
      load_profiles(write("absurd.yaml", text));
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("expected"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ProfileYaml, UnknownModeAndTopLevelKeyAndMissingFile) {
  EXPECT_THROW(load_profiles(write("a.yaml", "modes:\n  bike: {}\n")), ConfigError);
  EXPECT_THROW(load_profiles(write("b.yaml", "speed: 3\n")), ConfigError);
  EXPECT_THROW(load_profiles(write("c.yaml", "modes: [1\n")), ConfigError);
  EXPECT_THROW(load_profiles((dir_ / "missing.yaml").string()), ConfigError);
}

}  // namespace
}  // namespace legalcircle
