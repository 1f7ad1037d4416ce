// The lakehouse target (file:///...) end to end, checked by an independent reader.
//
// For each source engine (PostgreSQL, MariaDB, SQLite): the type zoo plus a table a writer
// changes all the time are replicated to CSV files in DMS's layout; the writer keeps going while
// `cutover replicate` is killed with SIGKILL three times and restarted, and both CDC workloads of
// the zoo run in between. Then DuckDB (npm @duckdb/node-api, installed by
// scripts/install-lakehouse-readers.sh; not cutover's code) reads the files and runs the fold a
// lakehouse job runs (ROW_NUMBER() OVER (PARTITION BY key ORDER BY cutover_position DESC) = 1,
// deletes dropped: tests/lakehouse_readers/duckdb_fold.mjs); its result must be exactly the
// source tables read by SQL: nothing lost, nothing duplicated, every edge value intact. Finally
// `cutover validate` folds the same files itself and agrees.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The zoo as DuckDB folds it, compared with the source (CompareZooWithTexts); "" when equal.
std::string CompareZooFold(const ZooEndpoint& source, const std::string& folder) {
  std::vector<nlohmann::json> rows;
  std::string error;
  if (!DuckDbFold(folder, "id", "commit_ts", rows, error)) return error;
  std::vector<std::string> names = ZooColumnNames(source.engine);
  std::map<long long, std::vector<std::optional<std::string>>> by_id;
  for (const auto& r : rows) {
    long long id = std::stoll(r.at("id").get<std::string>());
    if (by_id.count(id)) return "id " + std::to_string(id) + " twice in DuckDB's fold";
    auto& fields = by_id[id];
    for (const auto& n : names) {
      if (!r.contains(n)) return "column " + n + " missing from the files";
      const auto& v = r.at(n);
      fields.push_back(v.is_null() ? std::nullopt
                                   : std::optional<std::string>(v.get<std::string>()));
    }
  }
  return CompareZooWithTexts(source, by_id);
}

// lh_load as DuckDB folds it vs the source read by SQL: "id|v|note" lines, sorted.
std::string CompareLoadFold(const ZooEndpoint& source, const std::string& folder) {
  std::vector<nlohmann::json> rows;
  std::string error;
  if (!DuckDbFold(folder, "id", "commit_ts", rows, error)) return error;
  std::vector<std::string> got;
  for (const auto& r : rows)
    got.push_back(r.at("id").get<std::string>() + "|" + r.at("v").get<std::string>() + "|" +
                  (r.at("note").is_null() ? "NULL" : r.at("note").get<std::string>()));
  std::string table = source.engine == ZooEngine::kPostgres ? "public.lh_load" : "lh_load";
  auto sql = source.Sql("SELECT id, v, COALESCE(note, 'NULL') FROM " + table + " ORDER BY id");
  if (!sql.ok()) return "source: " + sql.status().message();
  std::vector<std::string> want;
  std::istringstream lines(*sql);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    for (char& c : line)
      if (c == '\t') c = '|';
    want.push_back(line);
  }
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  if (got == want) return "";
  std::ostringstream d;
  d << "lh_load: source " << want.size() << " rows, DuckDB's fold " << got.size() << " rows";
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  for (size_t i = 0; i < missing.size() && i < 5; ++i) d << "\n  only in source: " << missing[i];
  for (size_t i = 0; i < extra.size() && i < 5; ++i) d << "\n  only in files:  " << extra[i];
  return d.str();
}

// Small transactions on lh_load until `stop`: an insert, an update and a delete each.
void RunWriter(const ZooEndpoint& source, const std::atomic<bool>& stop, std::atomic<long>& done) {
  std::string table = source.engine == ZooEngine::kPostgres ? "public.lh_load" : "lh_load";
  std::mt19937 rng(17);
  int next = 1001;
  while (!stop.load()) {
    int a = 1 + static_cast<int>(rng() % (next - 1)), b = 1 + static_cast<int>(rng() % (next - 1));
    std::string sql = "BEGIN; INSERT INTO " + table + " (id, v, note) VALUES (" +
                      std::to_string(next) + ", 0, 'new " + std::to_string(next) + "'); UPDATE " +
                      table + " SET v = v + 1, note = " + (a % 3 ? "'u'" : "NULL") +
                      " WHERE id = " + std::to_string(a) + "; DELETE FROM " + table +
                      " WHERE id = " + std::to_string(b) + "; COMMIT;";
    if (source.Sql(sql).ok()) {
      ++next;
      ++done;
    }
    std::this_thread::sleep_for(20ms);
  }
}

std::string LoadTableSql(ZooEngine e) {
  std::string table = e == ZooEngine::kPostgres ? "public.lh_load" : "lh_load";
  std::string sql = "CREATE TABLE " + table +
                    " (id integer PRIMARY KEY, v integer NOT NULL, note " +
                    std::string(e == ZooEngine::kMariaDb ? "varchar(40)" : "text") + ");";
  sql += "INSERT INTO " + table + " (id, v, note) VALUES ";
  for (int i = 1; i <= 1000; ++i)
    sql += (i > 1 ? ", (" : "(") + std::to_string(i) + ", " + std::to_string(i * 7) + ", 'row " +
           std::to_string(i) + "')";
  return sql + ";";
}

class LakehouseZoo : public ::testing::TestWithParam<ZooEngine> {};

TEST_P(LakehouseZoo, KilledThreeTimesUnderLoadFoldsToTheSourceInDuckDb) {
  ASSERT_EQ(DuckDbReady(), "");
  ZooEngine engine = GetParam();
  SqliteDir dir;
  std::unique_ptr<harness::ThrowawayServer> server;
  ZooEndpoint source;
  source.engine = engine;
  if (engine == ZooEngine::kPostgres) server = StartPostgres("lh_src");
  if (engine == ZooEngine::kMariaDb) server = StartMariaDb("lh_src");
  if (server)
    source.server = server.get();
  else
    source.sqlite_path = dir.path("src.db");
  auto created = source.Sql(ZooCreateSql(engine));
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(source.Sql(LoadTableSql(engine)).ok());
  // A file row needs every value: PostgreSQL must log the whole old row, so an update that
  // leaves the 1 MiB (TOASTed) value alone still delivers it (docs/lakehouse.md).
  if (engine == ZooEngine::kPostgres) {
    ASSERT_TRUE(source.Sql("ALTER TABLE public.zoo REPLICA IDENTITY FULL").ok());
  }
  if (engine == ZooEngine::kSqlite) {
    RunResult prep = RunCutover({"task", "prepare", "--source", source.uri(), "--task", "lh"});
    ASSERT_EQ(prep.exit_code, 0) << prep.err;
  }
  std::string root = dir.path("lake");
  std::string settings = dir.path("s3.json");
  std::ofstream(settings) << R"({"S3Settings": {
    "BucketFolder": "cdc", "AddColumnName": true, "IncludeOpForFullLoad": true,
    "TimestampColumnName": "commit_ts", "CdcMaxBatchInterval": 1, "CdcMinFileSize": 64,
    "DatePartitionEnabled": )"
                          << (engine == ZooEngine::kPostgres ? "true" : "false") << R"(,
    "ServiceAccessRoleArn": "arn:aws:iam::123456789012:role/dms"}})";
  std::vector<std::string> args = {"replicate", "--source",          source.uri(),
                                   "--target",  "file://" + root,    "--task",
                                   "lh",        "--target-settings", settings};
  std::string schema = source.logged_table().substr(0, source.logged_table().find('.'));
  std::string zoo_folder = root + "/cdc/" + schema + "/zoo";
  std::string load_folder = root + "/cdc/" + schema + "/lh_load";

  auto run = std::make_unique<EngineProcess>(args);
  ASSERT_EQ(WaitEqual([&] { return CompareZooFold(source, zoo_folder); }, 60s), "")
      << "after the full load\n"
      << run->Log();
  EXPECT_NE(run->Log().find("ServiceAccessRoleArn ignored"), std::string::npos) << run->Log();
  EXPECT_TRUE(std::filesystem::exists(zoo_folder + "/LOAD00000001.csv"));

  std::atomic<bool> stop{false};
  std::atomic<long> written{0};
  std::thread writer(RunWriter, std::cref(source), std::cref(stop), std::ref(written));
  std::mt19937 rng(7);
  std::string runs;
  for (int kill_no = 1; kill_no <= 3; ++kill_no) {
    if (kill_no == 1) {
      ASSERT_TRUE(source.Sql(ZooCdcSql(engine)).ok());
    }
    if (kill_no == 3) {
      ASSERT_TRUE(source.Sql(ZooSecondCdcSql(engine)).ok());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + rng() % 1500));
    ASSERT_TRUE(run->Running()) << runs << run->Log();
    run->Signal(SIGKILL);
    EXPECT_EQ(run->Wait(10s), 128 + SIGKILL);
    runs += "--- run " + std::to_string(kill_no) + " (killed) ---\n" + run->Log();
    run = std::make_unique<EngineProcess>(args);
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  writer.join();
  std::printf("[ measure ] %s: the writer committed %ld transactions across 3 kills\n",
              ZooEngineName(engine), written.load());
  EXPECT_GT(written.load(), 20);
  EXPECT_EQ(WaitEqual([&] { return CompareLoadFold(source, load_folder); }, 60s), "")
      << runs << "--- last run ---\n"
      << run->Log();
  EXPECT_EQ(CompareZooFold(source, zoo_folder), "") << runs << run->Log();
  EXPECT_EQ(Duplicates(load_folder), "") << runs << run->Log();
  EXPECT_EQ(Duplicates(zoo_folder), "") << runs << run->Log();
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(60s), 0) << run->Log();

  // No temporary file is left, and every data file is one the manifest lists.
  std::string manifest;
  {
    std::ifstream in(root + "/_cutover/lh/manifest.json");
    std::stringstream ss;
    ss << in.rdbuf();
    manifest = ss.str();
  }
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root + "/cdc")) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), root).generic_string();
    EXPECT_NE(e.path().filename().string()[0], '.') << "temporary file left: " << rel;
    EXPECT_NE(manifest.find("\"" + rel + "\""), std::string::npos)
        << "not in the manifest: " << rel;
    ++files;
  }
  std::printf("[ measure ] %s: %d committed files\n", ZooEngineName(engine), files);

  // cutover's own validator folds the same files and agrees.
  RunResult v = RunCutover({"validate", "--source", source.uri(), "--target", "file://" + root,
                            "--tables", schema + ".%"},
                           120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

INSTANTIATE_TEST_SUITE_P(Sources, LakehouseZoo,
                         ::testing::Values(ZooEngine::kPostgres, ZooEngine::kMariaDb,
                                           ZooEngine::kSqlite),
                         [](const ::testing::TestParamInfo<ZooEngine>& info) {
                           return std::string(ZooEngineName(info.param));
                         });

}  // namespace
}  // namespace cutover::testing
