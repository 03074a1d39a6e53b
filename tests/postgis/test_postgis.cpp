// PostgreSQL/PostGIS against a real server: the throwaway cluster ctest starts
// (tests/support/pg_cluster.sh, fixture "postgis"; a password-protected role over a Unix socket).
// Write a run into a schema and read it back (same features and CRS as the GeoPackage), a failure
// in the middle leaves the schema as it was, a rerun replaces, and roads and villages read from
// the database give the answers of the same data read from files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "legalcircle/io/gdal_handle.hpp"
#include "support/run_command.hpp"

namespace legalcircle {
namespace {
namespace fs = std::filesystem;
using testing::replace_all;

std::string connection() {
  const char* file = std::getenv("LEGALCIRCLE_TEST_PG_FILE");
  if (!file || !fs::exists(file)) return "";
  std::string c = testing::read_file(file);
  while (!c.empty() && (c.back() == '\n' || c.back() == ' ')) c.pop_back();
  return c;
}

std::string shipped(const std::string& name) { return std::string(LEGALCIRCLE_SOURCE_DIR) + "/configs/" + name; }

testing::CommandResult run(const std::string& args) {
  return testing::run_command(std::string(LEGALCIRCLE_BINARY) + " run -q " + args);
}

// One value of a query.
std::string query(GDALDataset& ds, const std::string& sql) {
  OGRLayer* r = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
  if (!r) return "<error>";
  std::string v;
  if (gdal::FeaturePtr f{r->GetNextFeature()}; f) v = f->GetFieldAsString(0);
  ds.ReleaseResultSet(r);
  return v;
}

class Postgis : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = connection();
    ASSERT_FALSE(conn_.empty()) << "no test database: ctest starts it (fixture postgis, tests/support/pg_cluster.sh); "
                                   "to run this binary alone: bash tests/support/pg_cluster.sh start DIR and set "
                                   "LEGALCIRCLE_TEST_PG_FILE=DIR/connection";
    gdal::ensure_registered();
    const char* drivers[] = {"PostgreSQL", nullptr};
    db_.reset(GDALDataset::Open(conn_.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
    ASSERT_TRUE(db_) << "cannot connect to " << conn_;
    dir_ = testing::fresh_temp_dir("postgis");
  }
  // Tables of a schema and their row counts, as the server has them.
  std::map<std::string, std::string> tables(const std::string& schema) {
    std::map<std::string, std::string> t;
    OGRLayer* r = db_->ExecuteSQL(("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '" +
                                   schema + "' ORDER BY 1").c_str(),
                                  nullptr, nullptr);
    if (!r) return t;
    for (gdal::FeaturePtr f{r->GetNextFeature()}; f; f.reset(r->GetNextFeature()))
      t[f->GetFieldAsString(0)] = f->GetFieldAsString(1);
    db_->ReleaseResultSet(r);
    for (auto& [name, type] : t)
      type += " rows=" + query(*db_, "SELECT count(*) FROM \"" + schema + "\".\"" + name + "\"");
    return t;
  }
  std::string columns(const std::string& schema, const std::string& table) {
    return query(*db_, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                       "WHERE table_schema = '" + schema + "' AND table_name = '" + table + "'");
  }
  std::string conn_;
  gdal::DatasetPtr db_;
  fs::path dir_;
};

TEST_F(Postgis, RunWritesEveryLayerAndReadsBackLikeTheGeoPackage) {
  // office-county writes in EPSG:4549 (project_crs): the tables must carry it too.
  const std::string scenario = shipped("office-county.yaml");
  auto folder = run(scenario + " -o " + (dir_ / "out").string());
  ASSERT_EQ(folder.exit_code, 0) << folder.output;
  auto pg = run(scenario + " -o '" + conn_ + "' --schema round_trip");
  ASSERT_EQ(pg.exit_code, 0) << pg.output;
  EXPECT_EQ(pg.output.find("lc-test-secret"), std::string::npos) << "the password is never printed";
  gdal::DatasetPtr gpkg = gdal::open_vector((dir_ / "out/legalcircle.gpkg").string());
  const char* drivers[] = {"PostgreSQL", nullptr};
  const char* options[] = {"ACTIVE_SCHEMA=round_trip", nullptr};
  gdal::DatasetPtr back(GDALDataset::Open(conn_.c_str(), GDAL_OF_VECTOR, drivers, options, nullptr));
  ASSERT_TRUE(back);
  int compared = 0;
  for (int i = 0; i < gpkg->GetLayerCount(); ++i) {
    OGRLayer* g = gpkg->GetLayer(i);
    const std::string name = g->GetName();
    if (name == "layer_styles") continue;  // QGIS styles live in the GeoPackage only
    SCOPED_TRACE(name);
    OGRLayer* p = back->GetLayerByName(name.c_str());
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->GetFeatureCount(), g->GetFeatureCount());
    if (g->GetSpatialRef()) {
      ASSERT_NE(p->GetSpatialRef(), nullptr);
      EXPECT_STREQ(p->GetSpatialRef()->GetAuthorityCode(nullptr), "4549");
    }
    ++compared;
  }
  EXPECT_GE(compared, 12);
  // Same verdicts per village.
  const auto verdicts = [](OGRLayer* l) {
    std::map<std::string, std::string> v;
    l->ResetReading();
    for (gdal::FeaturePtr f{l->GetNextFeature()}; f; f.reset(l->GetNextFeature())) {
      // One string at a time: GetFieldAsString reuses its buffer.
      const std::string id = f->GetFieldAsString("id"), covered = f->GetFieldAsString("covered");
      const std::string minutes = f->GetFieldAsString("minutes");
      v[id] = covered + "/" + minutes;
    }
    return v;
  };
  EXPECT_EQ(verdicts(back->GetLayerByName("demand")), verdicts(gpkg->GetLayerByName("demand")));
  // Every polygon valid as the server stores it, every band and mode.
  for (const char* t : {"circle", "isochrones", "plan_circle"}) {
    EXPECT_EQ(query(*db_, std::string("SELECT count(*) FROM round_trip.") + t + " WHERE NOT ST_IsValid(geom)"), "0") << t;
    EXPECT_NE(query(*db_, std::string("SELECT count(*) FROM round_trip.") + t), "0") << t;
  }
  // A rerun replaces the tables instead of appending.
  const auto before = tables("round_trip");
  ASSERT_EQ(run(scenario + " -o '" + conn_ + "' --schema round_trip").exit_code, 0);
  EXPECT_EQ(tables("round_trip"), before);
}

TEST_F(Postgis, FailureInTheMiddleLeavesTheSchemaAsItWas) {
  ASSERT_EQ(run(shipped("zhejiang-standard.yaml") + " -o '" + conn_ + "' --schema atomic").exit_code, 0);
  // Sabotage the last table to be written: roads becomes a view, which the writer cannot replace,
  // after demand, services, circle ... of the new run have been written.
  ASSERT_NE(query(*db_, "SELECT 1"), "<error>");
  db_->ExecuteSQL("DROP TABLE atomic.roads", nullptr, nullptr);
  db_->ExecuteSQL("CREATE VIEW atomic.roads AS SELECT 1 AS x", nullptr, nullptr);
  const auto before = tables("atomic");
  const std::string demand_columns = columns("atomic", "demand");
  ASSERT_EQ(before.at("roads").rfind("VIEW", 0), 0u);
  ASSERT_EQ(demand_columns.find("circle_15min_covered"), std::string::npos);

  // The synthetic county's run has other rules: its demand table has other columns.
  auto r = run(shipped("synthetic-county.yaml") + " -o '" + conn_ + "' --schema atomic");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("schema atomic: layer roads"), std::string::npos) << "the error names the table: " << r.output;
  EXPECT_EQ(tables("atomic"), before) << "no table replaced, added or removed";
  EXPECT_EQ(columns("atomic", "demand"), demand_columns) << "demand is still the first run's";
}

TEST_F(Postgis, RoadsAndVillagesReadFromTheDatabaseGiveTheFileAnswers) {
  const std::string geodata = std::string(LEGALCIRCLE_SOURCE_DIR) + "/geodata/office-county";
  db_->ExecuteSQL("CREATE SCHEMA IF NOT EXISTS office", nullptr, nullptr);
  for (const auto& [file, table] : {std::pair{"roads.gpkg", "office.roads"}, std::pair{"villages.shp", "office.villages"}}) {
    auto load = testing::run_command("ogr2ogr -f PostgreSQL '" + conn_ + "' --config SHAPE_ENCODING GB18030 " + geodata +
                                     "/" + file + " -nln " + table + " -lco LAUNDER=NO -overwrite");
    ASSERT_EQ(load.exit_code, 0) << load.output;
  }
  std::string yaml = testing::shipped_scenario_text("office-county");
  yaml = replace_all(yaml, "path: " + geodata + "/roads.gpkg", "path: \"" + conn_ + "\"\n    layer: office.roads");
  yaml = replace_all(yaml, "path: " + geodata + "/villages.shp", "path: \"" + conn_ + "\"\n    layer: office.villages");
  ASSERT_NE(yaml.find("layer: office.roads"), std::string::npos);
  ASSERT_NE(yaml.find("layer: office.villages"), std::string::npos);
  testing::write_file(dir_ / "from-db.yaml", yaml);
  auto db_run = run((dir_ / "from-db.yaml").string() + " -o " + (dir_ / "db").string());
  ASSERT_EQ(db_run.exit_code, 0) << db_run.output;
  auto file_run = run(shipped("office-county.yaml") + " -o " + (dir_ / "files").string());
  ASSERT_EQ(file_run.exit_code, 0) << file_run.output;
  for (const char* table : {"demand.csv", "gaps.csv", "rollup_town.csv", "plan.csv"})
    EXPECT_EQ(testing::read_file(dir_ / "db" / table), testing::read_file(dir_ / "files" / table)) << table;
  EXPECT_EQ(testing::read_file(dir_ / "db/summary.json").find("lc-test-secret"), std::string::npos);
  // A table the database does not have is an error naming it and listing what exists.
  yaml = replace_all(yaml, "layer: office.roads", "layer: office.rodas");
  testing::write_file(dir_ / "typo.yaml", yaml);
  auto typo = run((dir_ / "typo.yaml").string() + " -o " + (dir_ / "typo").string());
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("office.rodas"), std::string::npos) << typo.output;
  EXPECT_NE(typo.output.find("office.roads"), std::string::npos) << "lists the tables there: " << typo.output;
}

TEST_F(Postgis, WrongPasswordOrMissingServerFailsBeforeTheWork) {
  const std::string bad = replace_all(conn_, "password=lc-test-secret", "password=wrong");
  auto r = run(shipped("synthetic-county.yaml") + " -o '" + bad + "'");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("password authentication failed"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("reading roads"), std::string::npos) << "checked before reading anything: " << r.output;
  EXPECT_EQ(r.output.find("=wrong"), std::string::npos) << "no password in messages: " << r.output;
}

}  // namespace
}  // namespace legalcircle
