// The lakehouse target's own behaviour, on a SQLite source (no server to start): `cutover
// validate` against the files finds what differs, a restart removes files the manifest does not
// list, GZIP and date partitions as DMS names them (read by DuckDB), and settings that would
// change how a task's files are spelled are refused on restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class LakehouseFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(DuckDbReady(), "");
    std::string sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER);";
    for (int i = 1; i <= 200; ++i)
      sql += "INSERT INTO t VALUES (" + std::to_string(i) + ", 'row " + std::to_string(i) + "', " +
             std::to_string(i * 3) + ");";
    SqliteExec(db(), sql);
    RunResult prep = RunCutover({"task", "prepare", "--source", dir_.uri("src.db"), "--task", "f"});
    ASSERT_EQ(prep.exit_code, 0) << prep.err;
  }

  std::string db() { return dir_.path("src.db"); }
  std::string lake() { return dir_.path("lake"); }
  std::string Settings(const std::string& json) {
    std::string path = dir_.path("s3-" + std::to_string(++n_) + ".json");
    std::ofstream(path) << json;
    return path;
  }
  std::vector<std::string> Args(const std::string& settings) {
    return {"replicate", "--source", dir_.uri("src.db"),  "--target", "file://" + lake(),
            "--task",    "f",        "--target-settings", settings};
  }

  // DuckDB's fold of main.t vs the source: "" when equal.
  std::string Compare(const std::string& folder, bool gzip = false) {
    std::vector<nlohmann::json> rows;
    std::string error;
    if (!DuckDbFold(folder, "id", "", rows, error, gzip ? LakeFiles::kCsvGzip : LakeFiles::kCsv))
      return error;
    std::vector<std::string> got, want;
    for (const auto& r : rows)
      got.push_back(r.at("id").get<std::string>() + "|" +
                    (r.at("v").is_null() ? "NULL" : r.at("v").get<std::string>()) + "|" +
                    (r.at("n").is_null() ? "NULL" : r.at("n").get<std::string>()));
    std::sort(got.begin(), got.end());
    std::istringstream lines(
        SqliteValueRows("SELECT id || '|' || coalesce(v, 'NULL') || '|' || "
                        "coalesce(n, 'NULL') FROM t"));
    for (std::string l; std::getline(lines, l);)
      if (!l.empty()) want.push_back(l);
    std::sort(want.begin(), want.end());
    if (got == want) return "";
    return "source " + std::to_string(want.size()) + " rows, fold " + std::to_string(got.size());
  }
  std::string SqliteValueRows(const std::string& sql) {
    std::string out;
    for (const auto& v : SqliteColumn(db(), sql)) out += v + "\n";
    return out;
  }
  // The changes below then travel by CDC, not in the full load.
  static bool CdcStarted(EngineProcess& run) {
    return Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 30s);
  }
  static constexpr const char* kChanges =
      "UPDATE t SET v = 'changed, \"quoted\"' WHERE id = 7; DELETE FROM t WHERE id = 8;"
      "INSERT INTO t VALUES (1000, '', NULL); UPDATE t SET n = n + 1 WHERE id > 190;";

  SqliteDir dir_;
  int n_ = 0;
};

TEST_F(LakehouseFiles, ValidateFoldsTheFilesAndFindsWhatDiffers) {
  std::string s = Settings(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1})");
  EngineProcess run(Args(s));
  ASSERT_TRUE(CdcStarted(run)) << run.Log();
  SqliteExec(db(), kChanges);
  ASSERT_EQ(WaitEqual([&] { return Compare(lake() + "/main/t"); }, 60s), "") << run.Log();
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(60s), 0) << run.Log();

  RunResult v =
      RunCutover({"validate", "--source", dir_.uri("src.db"), "--target", "file://" + lake()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.err.find("main.t -> main.t: equal (200 source rows, 200 target rows"),
            std::string::npos)
      << v.err;

  // Behind the task's back: one row changed, one deleted, one added on the source.
  SqliteExec(db(),
             "UPDATE t SET v = 'other' WHERE id = 3;"
             "DELETE FROM t WHERE id = 4; INSERT INTO t VALUES (2000, 'new', 1);");
  v = RunCutover({"validate", "--source", dir_.uri("src.db"), "--target", "file://" + lake()});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.err.find("DIFFERS (200 source rows, 200 target rows, 3 differing"), std::string::npos)
      << v.err;
}

TEST_F(LakehouseFiles, RestartRemovesFilesTheManifestDoesNotList) {
  std::string s = Settings(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1})");
  {
    EngineProcess run(Args(s));
    ASSERT_TRUE(CdcStarted(run)) << run.Log();
    SqliteExec(db(), kChanges);
    ASSERT_EQ(WaitEqual([&] { return Compare(lake() + "/main/t"); }, 60s), "") << run.Log();
    run.Signal(SIGTERM);
    ASSERT_EQ(run.Wait(60s), 0) << run.Log();
  }
  // What a crash leaves: a complete file renamed into place before its manifest was written
  // (it repeats a committed change and adds one the source never made), and a temporary file.
  std::string stray = lake() + "/main/t/20991231-235959999.csv";
  std::ofstream(stray) << "Op,id,v,n,cutover_position\nI,5000,ghost,1,ffffffffffffffff.0.1\n";
  std::string temp = lake() + "/main/t/.20991231-235959998.csv.tmp-1-1";
  std::ofstream(temp) << "Op,id,v";
  ASSERT_NE(Compare(lake() + "/main/t"), "");  // a globbing reader sees the stray file
  EngineProcess again(Args(s));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(stray) && !fs::exists(temp); }, 30s))
      << again.Log();
  SqliteExec(db(), "UPDATE t SET v = 'after restart' WHERE id = 9;");
  EXPECT_EQ(WaitEqual([&] { return Compare(lake() + "/main/t"); }, 60s), "") << again.Log();
  EXPECT_NE(again.Log().find("removed 1 file(s) written after the task's last manifest"),
            std::string::npos)
      << again.Log();
  EXPECT_EQ(Duplicates(lake() + "/main/t"), "");
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(60s), 0) << again.Log();
}

TEST_F(LakehouseFiles, GzipAndDatePartitionsAsDmsNamesThem) {
  std::string s = Settings(R"({"S3Settings": {"AddColumnName": true, "CompressionType": "GZIP",
      "BucketFolder": "raw/cdc", "DatePartitionEnabled": true, "DatePartitionSequence": "YYYYMMDDHH",
      "DatePartitionDelimiter": "DASH", "CdcMaxBatchInterval": 1}})");
  EngineProcess run(Args(s));
  ASSERT_TRUE(CdcStarted(run)) << run.Log();
  SqliteExec(db(), kChanges);
  std::string folder = lake() + "/raw/cdc/main/t";
  ASSERT_EQ(WaitEqual([&] { return Compare(folder, true); }, 60s), "") << run.Log();
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(60s), 0) << run.Log();
  EXPECT_TRUE(fs::exists(folder + "/LOAD00000001.csv.gz"));
  int cdc = 0;
  for (const auto& e : fs::recursive_directory_iterator(folder)) {
    if (!e.is_regular_file() || e.path().filename() == "LOAD00000001.csv.gz") continue;
    std::string part = e.path().parent_path().filename().string();  // 2026-12-05-01
    std::string name = e.path().filename().string();                // 20261205-013015123.csv.gz
    EXPECT_EQ(part.size(), 13u) << e.path();
    EXPECT_EQ(name.size(), 25u) << e.path();
    EXPECT_EQ(name.substr(0, 8), part.substr(0, 4) + part.substr(5, 2) + part.substr(8, 2));
    EXPECT_EQ(name.substr(name.size() - 7), ".csv.gz");
    ++cdc;
  }
  EXPECT_GT(cdc, 0);
}

// DMS's CdcInsertsOnly (no Op column, only inserts) and CdcInsertsAndUpdates (no deletes).
TEST_F(LakehouseFiles, CdcInsertsOnlyAndInsertsAndUpdates) {
  for (const char* mode : {"CdcInsertsOnly", "CdcInsertsAndUpdates"}) {
    SCOPED_TRACE(mode);
    fs::remove_all(lake());
    std::string s = Settings(std::string(R"({"AddColumnName": true, "CdcMaxBatchInterval": 1, ")") +
                             mode + "\": true}");
    EngineProcess run(Args(s));
    ASSERT_TRUE(CdcStarted(run)) << run.Log();
    SqliteExec(db(), std::string("BEGIN; UPDATE t SET v = 'u-") + mode + "' WHERE id = 20;" +
                         "DELETE FROM t WHERE id = 21; INSERT INTO t VALUES (" +
                         (std::string(mode) == "CdcInsertsOnly" ? "3000" : "3001") +
                         ", 'i', 1); COMMIT;");
    std::string cdc;
    ASSERT_TRUE(Eventually(
        [&] {
          for (const auto& e : fs::directory_iterator(lake() + "/main/t")) {
            std::string name = e.path().filename().string();
            if (name.rfind("LOAD", 0) == 0 || name[0] == '.') continue;
            std::ifstream in(e.path());
            std::stringstream text;
            text << in.rdbuf();
            cdc = text.str();
            return true;
          }
          return false;
        },
        30s))
        << run.Log();
    run.Signal(SIGTERM);
    ASSERT_EQ(run.Wait(60s), 0) << run.Log();
    if (std::string(mode) == "CdcInsertsOnly") {
      EXPECT_EQ(cdc.rfind("id,v,n,cutover_position\n", 0), 0u) << cdc;  // no Op column
      EXPECT_NE(cdc.find("\n3000,i,1,"), std::string::npos) << cdc;
      EXPECT_EQ(cdc.find("u-"), std::string::npos) << cdc;
    } else {
      EXPECT_EQ(cdc.rfind("Op,id,v,n,cutover_position\n", 0), 0u) << cdc;
      EXPECT_NE(cdc.find("\nU,20,u-CdcInsertsAndUpdates,60,"), std::string::npos) << cdc;
      EXPECT_NE(cdc.find("\nI,3001,i,1,"), std::string::npos) << cdc;
      EXPECT_EQ(cdc.find("\nD,"), std::string::npos) << cdc;
    }
  }
}

TEST_F(LakehouseFiles, SettingsThatChangeTheFilesAreRefusedOnRestart) {
  RunResult first = RunCutover({"replicate", "--source", dir_.uri("src.db"), "--target",
                                "file://" + lake(), "--task", "f", "--type", "full-load",
                                "--target-settings", Settings(R"({"CsvDelimiter": ","})")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  RunResult second = RunCutover({"replicate", "--source", dir_.uri("src.db"), "--target",
                                 "file://" + lake(), "--task", "f", "--type", "full-load",
                                 "--target-settings", Settings(R"({"CsvDelimiter": ";"})")});
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_NE(second.err.find("CsvDelimiter is \";\" but the task's files were written with \",\""),
            std::string::npos)
      << second.err;
}

}  // namespace
}  // namespace cutover::testing
