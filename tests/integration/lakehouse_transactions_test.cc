// PreserveTransactions + CdcPath on the lakehouse target, from real PostgreSQL and MariaDB
// servers: the CDC rows of every table land in CDC_TXN-*.csv files under <CdcPath>/ in commit
// order (a transaction across two tables stays whole and in statement order between the
// others), the table folders hold only the full load, and DuckDB (an independent reader) reads
// the transaction files in name order and folds each table from its LOAD files and its
// transaction rows to exactly the source, as `cutover validate` does. With Parquet LOAD files,
// kill -9 under a multi-table load and a restart neither lose nor duplicate a change; a source
// schema change completes the open transaction file and validates; and the same layout on
// s3:// (an S3-compatible server on loopback), validated through S3.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/s3_server.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Table a (id, v) and b (id, a_id, n): a transaction row is Op, table, schema, columns,
// cutover_position, so 6 and 7 fields.
constexpr int kWidth = 7;
int Columns(const std::string& table) {
  return table == "a" ? 2 : 3;
}

std::string Node(const std::string& args) {
  int rc = 0;
  std::string out =
      Shell("cd " + std::string(CUTOVER_SOURCE_DIR) +
                "/tests/lakehouse_readers && node duckdb_transactions.mjs " + args + " 2>&1",
            &rc);
  if (rc != 0) return "error: duckdb: " + out.substr(0, 2000);
  return out;
}

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> rows;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

std::string Text(const nlohmann::json& j) {
  return j.is_null() ? "NULL" : j.get<std::string>();
}

// Every transaction-file row as DuckDB reads them, in file-name and row order.
Result<std::vector<nlohmann::json>> TxnRows(const std::string& cdc_folder, bool gzip = false) {
  if (!fs::exists(cdc_folder)) return std::vector<nlohmann::json>();
  std::string out =
      Node("rows '" + cdc_folder + "' " + std::to_string(kWidth) + (gzip ? " gzip" : ""));
  if (out.rfind("error:", 0) == 0) return FailedPrecondition(out);
  return JsonLines(out);
}

// A transaction row's cutover_position (after its table's columns).
std::string PositionOf(const nlohmann::json& r) {
  return Text(r[3 + Columns(r[1].get<std::string>())]);
}

// "" when the positions only grow in file order (commit order across tables) and no change is
// there twice.
std::string InCommitOrderOnce(const std::vector<nlohmann::json>& rows) {
  std::string last;
  std::set<std::string> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string p = PositionOf(rows[i]);
    if (!seen.insert(p).second) return "row " + std::to_string(i) + ": position " + p + " twice";
    if (p <= last)
      return "row " + std::to_string(i) + ": position " + p + " after " + last + " (" +
             rows[i].dump() + ")";
    last = p;
  }
  return "";
}

class LakehouseTransactions : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(DuckDbReady(), ""); }

  std::string Settings(const std::string& json) {
    std::string path = dir_.path("settings-" + std::to_string(++n_) + ".json");
    std::ofstream(path) << json;
    return path;
  }

  static void CreateTables(const harness::ThrowawayServer& db) {
    Sql(db,
        "CREATE TABLE a (id int PRIMARY KEY, v varchar(100));"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int, n int);");
    std::string rows_a, rows_b;
    for (int i = 1; i <= 50; ++i) {
      rows_a += std::string(i > 1 ? "," : "") + "(" + std::to_string(i) + ", 'a" +
                std::to_string(i) + "')";
      rows_b += std::string(i > 1 ? "," : "") + "(" + std::to_string(i) + ", " + std::to_string(i) +
                ", " + std::to_string(i * 10) + ")";
    }
    Sql(db, "INSERT INTO a VALUES " + rows_a + "; INSERT INTO b VALUES " + rows_b + ";");
  }

  // DuckDB's fold of `table` (LOAD files of <root>/<schema>/<table>, rows of <root>/changes)
  // against the source table: "" when equal.
  static std::string Compare(const harness::ThrowawayServer& db, const std::string& root,
                             const std::string& schema, const std::string& table,
                             const std::string& files = "plain") {
    std::string cols = table == "a" ? "id,v" : "id,a_id,n";
    std::string out =
        Node("fold '" + root + "/changes' '" + root + "/" + schema + "/" + table + "' " + schema +
             " " + table + " " + cols + " id " + files + " " + std::to_string(kWidth));
    if (out.rfind("error:", 0) == 0) return out;
    std::vector<std::string> got, want;
    for (const auto& r : JsonLines(out)) {
      std::string line =
          Text(r.at("id")) + "|" +
          (table == "a" ? Text(r.at("v")) : Text(r.at("a_id")) + "|" + Text(r.at("n")));
      got.push_back(line);
    }
    // The same text on PostgreSQL and MariaDB (NULL as 'NULL').
    auto text_of = [](const std::string& c) {
      return "CASE WHEN " + c + " IS NULL THEN 'NULL' ELSE concat(" + c + ", '') END";
    };
    std::string sql = table == "a"
                          ? "SELECT id, " + text_of("v") + " FROM a"
                          : "SELECT id, " + text_of("a_id") + ", " + text_of("n") + " FROM b";
    std::string text = Sql(db, sql);
    std::istringstream lines(text);
    for (std::string l; std::getline(lines, l);) {
      if (l.empty()) continue;
      std::replace(l.begin(), l.end(), '\t', '|');
      want.push_back(l);
    }
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got == want) return "";
    std::string diff;
    for (size_t i = 0; i < std::max(got.size(), want.size()) && diff.size() < 300; ++i) {
      std::string g = i < got.size() ? got[i] : "-", w = i < want.size() ? want[i] : "-";
      if (g != w) diff += " [source " + w + " / fold " + g + "]";
    }
    return table + ": source " + std::to_string(want.size()) + " rows, DuckDB's fold " +
           std::to_string(got.size()) + diff;
  }

  // Full load, then CDC with a transaction over both tables between single-table ones: the
  // transaction files hold exactly these changes, in this order; both folds equal the source;
  // `cutover validate` agrees.
  void CommitOrderAcrossTables(const harness::ThrowawayServer& db, const std::string& schema) {
    CreateTables(db);
    std::string lake = dir_.path("lake-" + schema);
    std::string settings = Settings(
        R"({"PreserveTransactions": true, "CdcPath": "changes", "CdcMaxBatchInterval": 1})");
    EngineProcess run({"replicate", "--source", db.uri(), "--target", "file://" + lake, "--task",
                       "pt", "--target-settings", settings});
    ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
        << run.Log();
    Sql(db,
        "BEGIN; INSERT INTO a VALUES (100, 'multi'); INSERT INTO b VALUES (100, 100, 1);"
        "UPDATE a SET v = 'multi-2' WHERE id = 100; DELETE FROM b WHERE id = 1;"
        "UPDATE b SET n = -1 WHERE id = 2; COMMIT;");
    Sql(db, "UPDATE b SET n = 7 WHERE id = 3;");
    Sql(db,
        "BEGIN; UPDATE a SET v = 'after, \"q\"' WHERE id = 5; DELETE FROM a WHERE id = 6;"
        "COMMIT;");
    Sql(db, "INSERT INTO b VALUES (200, 5, NULL);");
    Sql(db, "UPDATE a SET id = 300 WHERE id = 7;");  // a key change: D of 7, then 300
    // The transaction files, in name order, hold exactly the changes, in commit order.
    const std::string cdc = lake + "/changes";
    const std::vector<std::string> want = {
        "I a 100", "I b 100", "U a 100", "D b 1",   "U b 2",  // one transaction, two tables
        "U b 3",   "U a 5",   "D a 6",   "I b 200", "D a 7", "U a 300"};
    std::vector<std::string> got;
    ASSERT_TRUE(Eventually(
        [&] {
          auto rows = TxnRows(cdc);
          if (!rows.ok()) return false;
          got.clear();
          for (const auto& r : *rows) {
            EXPECT_EQ(Text(r[2]), schema) << r.dump();
            got.push_back(Text(r[0]) + " " + Text(r[1]) + " " + Text(r[3]));
          }
          return got.size() >= want.size();
        },
        60s))
        << run.Log();
    EXPECT_EQ(got, want) << run.Log();
    auto rows = TxnRows(cdc);
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    EXPECT_EQ(InCommitOrderOnce(*rows), "");
    // The five changes of the first transaction share its commit position.
    std::set<std::string> commits;
    for (size_t i = 0; i < 5 && i < rows->size(); ++i)
      commits.insert(PositionOf((*rows)[i]).substr(0, 33));
    EXPECT_EQ(commits.size(), 1u);
    EXPECT_EQ(Text((*rows)[6][4]), "after, \"q\"");

    // Files: DMS's names under <CdcPath>/; the table folders hold the full load only.
    for (const auto& e : fs::directory_iterator(cdc)) {
      std::string name = e.path().filename().string();  // CDC_TXN-20261205013015123.csv
      EXPECT_EQ(name.rfind("CDC_TXN-", 0), 0u) << name;
      EXPECT_EQ(name.size(), 8u + 17 + 4) << name;
    }
    for (const char* t : {"a", "b"})
      for (const auto& e : fs::directory_iterator(lake + "/" + schema + "/" + t))
        EXPECT_EQ(e.path().filename().string().rfind("LOAD", 0), 0u) << e.path();

    EXPECT_EQ(WaitEqual([&] { return Compare(db, lake, schema, "a"); }, 30s), "");
    EXPECT_EQ(WaitEqual([&] { return Compare(db, lake, schema, "b"); }, 30s), "");
    run.Signal(SIGTERM);
    ASSERT_EQ(run.Wait(60s), 0) << run.Log();
    RunResult v = RunCutover({"validate", "--source", db.uri(), "--target", "file://" + lake});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    EXPECT_NE(v.err.find(schema + ".a -> " + schema + ".a: equal (50 source rows, 50 target rows"),
              std::string::npos)
        << v.err;
    EXPECT_NE(v.err.find(schema + ".b -> " + schema + ".b: equal (51 source rows, 51 target rows"),
              std::string::npos)
        << v.err;
  }

  SqliteDir dir_;
  int n_ = 0;
};

TEST_F(LakehouseTransactions, PostgresCommitOrderAcrossTablesFoldsToTheSource) {
  auto pg = StartPostgres("lh_pt");
  ASSERT_TRUE(pg);
  CommitOrderAcrossTables(*pg, "public");
}

TEST_F(LakehouseTransactions, MariaDbCommitOrderAcrossTablesFoldsToTheSource) {
  auto maria = StartMariaDb("lh_pt");
  ASSERT_TRUE(maria);
  CommitOrderAcrossTables(*maria, "cutover");
}

// Parquet LOAD files (the transaction files stay CSV, as DMS writes them), transactions over
// both tables under load, kill -9 and a restart: every change once, in commit order, and the
// folds equal the source.
TEST_F(LakehouseTransactions, ParquetKillDuringCdcEndsExactlyOnce) {
  auto pg = StartPostgres("lh_ptk");
  ASSERT_TRUE(pg);
  CreateTables(*pg);
  std::string lake = dir_.path("lake-k");
  std::string settings = Settings(R"({"DataFormat": "parquet", "PreserveTransactions": true,
      "CdcPath": "changes", "CdcMaxBatchInterval": 1, "CdcMinFileSize": 1})");
  std::vector<std::string> args = {"replicate", "--source",          pg->uri(),
                                   "--target",  "file://" + lake,    "--task",
                                   "k",         "--target-settings", settings};
  auto run = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return run->Log().find("cdc started") != std::string::npos; }, 60s))
      << run->Log();
  std::atomic<bool> stop{false};
  std::atomic<long> written{0};
  std::thread writer([&] {
    for (long i = 0; !stop; ++i) {
      std::string id = std::to_string(1000 + i), other = std::to_string(1 + i % 50);
      auto r = pg->Sql("BEGIN; INSERT INTO a VALUES (" + id + ", 'w" + id +
                       "'); INSERT INTO b VALUES (" + id + ", " + id +
                       ", 1); UPDATE b SET n = n + 1 WHERE id = " + other +
                       "; UPDATE a SET v = 'u' || v WHERE id = " + other +
                       "; DELETE FROM b WHERE id = " + std::to_string(1000 + i - 3) + "; COMMIT");
      if (r.ok()) ++written;
      std::this_thread::sleep_for(15ms);
    }
  });
  std::this_thread::sleep_for(3s);
  run->Signal(SIGKILL);
  EXPECT_EQ(run->Wait(10s), 128 + SIGKILL);
  std::string runs = "--- killed run ---\n" + run->Log();
  // What a crash between a transaction file's rename and its manifest leaves: a complete file
  // no manifest lists (here with a change the source never made); the restart deletes it.
  std::string stray = lake + "/changes/CDC_TXN-20991231235959999.csv";
  std::ofstream(stray) << "I,a,public,99999,ghost,ffffffffffffffff.0000000000000000.00000001\n";
  run = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return run->Log().find("cdc started") != std::string::npos; }, 60s))
      << runs << run->Log();
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_NE(run->Log().find("file(s) written after the task's last manifest"), std::string::npos)
      << run->Log();
  std::this_thread::sleep_for(3s);
  stop = true;
  writer.join();
  std::printf("[ measure ] the writer committed %ld two-table transactions (kill -9)\n",
              written.load());
  EXPECT_EQ(WaitEqual([&] { return Compare(*pg, lake, "public", "a", "parquet"); }, 90s), "")
      << runs << run->Log();
  EXPECT_EQ(WaitEqual([&] { return Compare(*pg, lake, "public", "b", "parquet"); }, 30s), "")
      << runs << run->Log();
  auto rows = TxnRows(lake + "/changes");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  std::printf("[ measure ] %zu rows in the transaction files\n", rows->size());
  EXPECT_EQ(InCommitOrderOnce(*rows), "") << runs << run->Log();
  for (const char* t : {"a", "b"})
    for (const auto& e : fs::directory_iterator(lake + "/public/" + t)) {
      std::string name = e.path().filename().string();
      EXPECT_TRUE(name.rfind("LOAD", 0) == 0 && name.size() > 8 &&
                  name.substr(name.size() - 8) == ".parquet")
          << name;
    }
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(60s), 0) << run->Log();
  RunResult v = RunCutover({"validate", "--source", pg->uri(), "--target", "file://" + lake});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// A source schema change during CDC: the open transaction file is completed at the change, the
// manifest records the shape of table a's rows written before it, and `cutover validate` folds
// the files written before and after it to the source's new columns.
TEST_F(LakehouseTransactions, SchemaChangeCompletesTheFileAndValidates) {
  auto pg = StartPostgres("lh_ptddl");
  ASSERT_TRUE(pg);
  CreateTables(*pg);
  std::string lake = dir_.path("lake-ddl");
  std::string settings =
      Settings(R"({"PreserveTransactions": true, "CdcPath": "changes", "CdcMaxBatchInterval": 1})");
  EngineProcess run({"replicate", "--source", pg->uri(), "--target", "file://" + lake, "--task",
                     "ddl", "--target-settings", settings});
  ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
      << run.Log();
  Sql(*pg,
      "BEGIN; UPDATE a SET v = 'before' WHERE id = 1; UPDATE b SET n = 1 WHERE id = 1; COMMIT;"
      "ALTER TABLE a ADD COLUMN w int DEFAULT 5;"
      "BEGIN; UPDATE a SET w = 9 WHERE id = 2; INSERT INTO b VALUES (500, 1, 1); COMMIT;"
      "INSERT INTO a VALUES (501, 'new', 7);");
  ASSERT_TRUE(Eventually(
      [&] {
        RunResult v = RunCutover({"validate", "--source", pg->uri(), "--target", "file://" + lake});
        return v.exit_code == 0;
      },
      60s))
      << run.Log();
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(60s), 0) << run.Log();
  RunResult v = RunCutover({"validate", "--source", pg->uri(), "--target", "file://" + lake});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.err.find("public.a -> public.a: equal (51 source rows, 51 target rows"),
            std::string::npos)
      << v.err;
  // The change's rows are in at least two transaction files (one before, one after it).
  int files = 0;
  for (const auto& e : fs::directory_iterator(lake + "/changes"))
    files += e.path().filename().string().rfind("CDC_TXN-", 0) == 0;
  EXPECT_GE(files, 2);
  std::ifstream in(lake + "/_cutover/ddl/manifest.json");
  std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(manifest.find("\"shapes\""), std::string::npos) << manifest;
}

// The same layout on s3:// (GZIP: .csv.gz transaction files), validated through S3.
TEST_F(LakehouseTransactions, S3TransactionFilesValidate) {
  ASSERT_EQ(S3ServerReady(), "");
  S3Server server(dir_.path("s3"), "lake");
  ASSERT_EQ(server.Start(), "");
  server.ExportEnvironment();
  auto pg = StartPostgres("lh_pts3");
  ASSERT_TRUE(pg);
  CreateTables(*pg);
  const std::string prefix = server.UniquePrefix("pt");
  std::string settings = Settings(R"({"PreserveTransactions": true, "CdcPath": "changes",
      "CompressionType": "GZIP", "CdcMaxBatchInterval": 1})");
  EngineProcess run({"replicate", "--source", pg->uri(), "--target", "s3://lake/" + prefix,
                     "--task", "s3pt", "--target-settings", settings});
  ASSERT_TRUE(Eventually([&] { return run.Log().find("cdc started") != std::string::npos; }, 60s))
      << run.Log();
  Sql(*pg,
      "BEGIN; INSERT INTO a VALUES (100, 'multi'); INSERT INTO b VALUES (100, 100, 1);"
      "DELETE FROM a WHERE id = 1; COMMIT; UPDATE b SET n = 0 WHERE id = 2;");
  std::vector<std::string> got;
  ASSERT_TRUE(Eventually(
      [&] {
        std::string folder = server.Mirror(prefix + "/changes", dir_.path("mirror"));
        auto rows = TxnRows(folder, true);
        if (!rows.ok()) return false;
        got.clear();
        for (const auto& r : *rows) got.push_back(Text(r[0]) + " " + Text(r[1]) + " " + Text(r[3]));
        return got.size() >= 4;
      },
      60s))
      << run.Log();
  EXPECT_EQ(got, (std::vector<std::string>{"I a 100", "I b 100", "D a 1", "U b 2"}));
  run.Signal(SIGTERM);
  ASSERT_EQ(run.Wait(60s), 0) << run.Log();
  RunResult v =
      RunCutover({"validate", "--source", pg->uri(), "--target", "s3://lake/" + prefix}, 120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.err.find("public.b -> public.b: equal (51 source rows"), std::string::npos) << v.err;
}

}  // namespace
}  // namespace cutover::testing
