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
//
// The same again with DataFormat parquet (DMS's Parquet type mapping, docs/types.md "→ files"):
// DuckDB folds the Parquet files with read_parquet, hyparquet (a second reader sharing no code
// with DuckDB or cutover) must read every file and agree with DuckDB value by value, and
// `cutover validate` must notice a corrupted and a removed file.
//
// The same against s3:// (an S3-compatible server on loopback, tests/integration/support/
// s3_server.h): every source to Parquet and PostgreSQL to CSV, the objects mirrored into a
// folder for DuckDB and hyparquet after each step, `cutover validate --target s3://...` reading
// them through S3, and no multipart upload left incomplete after the kills.
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
#include "tests/integration/support/s3_server.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The zoo as DuckDB folds it, compared with the source (CompareZooWithTexts); "" when equal.
std::string CompareZooFold(const ZooEndpoint& source, const std::string& folder, LakeFiles files) {
  std::vector<nlohmann::json> rows;
  std::string error;
  if (!DuckDbFold(folder, "id", "commit_ts", rows, error, files)) return error;
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
std::string CompareLoadFold(const ZooEndpoint& source, const std::string& folder, LakeFiles files) {
  std::vector<nlohmann::json> rows;
  std::string error;
  if (!DuckDbFold(folder, "id", "commit_ts", rows, error, files)) return error;
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

// Where the files go: a local folder (file://) or an S3-compatible server (s3://).
enum class LakeTarget { kFile, kS3 };

struct ZooCase {
  ZooEngine engine;
  LakeFiles files;
  LakeTarget target = LakeTarget::kFile;
};

class LakehouseZoo : public ::testing::TestWithParam<ZooCase> {};

// DataFormat parquet with settings that differ per source, so each writer path is exercised:
// v2 pages + SNAPPY (PostgreSQL), v1 + GZIP without statistics (MariaDB), v1 + ZSTD (SQLite);
// small row groups and pages so files have several of each.
std::string ParquetSettings(ZooEngine engine) {
  switch (engine) {
    case ZooEngine::kPostgres:
      return R"("DataFormat": "parquet", "ParquetVersion": "parquet-2-0", "CompressionType": "SNAPPY",
                "RowGroupLength": 300, "DataPageSize": 4096,)";
    case ZooEngine::kMariaDb:
      return R"("DataFormat": "parquet", "CompressionType": "GZIP", "EnableStatistics": false,
                "RowGroupLength": 250,)";
    default:
      return R"("DataFormat": "parquet", "CompressionType": "ZSTD", "RowGroupLength": 400,)";
  }
}

TEST_P(LakehouseZoo, KilledThreeTimesUnderLoadFoldsToTheSourceInDuckDb) {
  ASSERT_EQ(DuckDbReady(), "");
  ZooEngine engine = GetParam().engine;
  LakeFiles files = GetParam().files;
  bool parquet = files == LakeFiles::kParquet;
  bool s3 = GetParam().target == LakeTarget::kS3;
  SqliteDir dir;
  // s3://: the server's objects under the prefix are mirrored into `root` before each look.
  std::unique_ptr<S3Server> store;
  if (s3) {
    ASSERT_EQ(S3ServerReady(), "");
    store = std::make_unique<S3Server>(dir.path("s3"), "lake");
    ASSERT_EQ(store->Start(), "");
    store->ExportEnvironment();
  }
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
  std::string prefix = s3 ? store->UniquePrefix("zoo") : "";
  std::string target = s3 ? "s3://lake/" + prefix : "file://" + root;
  auto sync = [&] {
    if (s3) store->Mirror(prefix, root);
  };
  std::string settings = dir.path("s3.json");
  std::ofstream(settings) << R"({"S3Settings": {)" << (parquet ? ParquetSettings(engine) : "")
                          << R"(
    "BucketFolder": "cdc", "AddColumnName": true, "IncludeOpForFullLoad": true,
    "TimestampColumnName": "commit_ts", "CdcMaxBatchInterval": 1, "CdcMinFileSize": 64,
    "DatePartitionEnabled": )"
                          << (engine == ZooEngine::kPostgres ? "true" : "false") << R"(,
    "ServiceAccessRoleArn": "arn:aws:iam::123456789012:role/dms"}})";
  std::vector<std::string> args = {"replicate", "--source", source.uri(),        "--target", target,
                                   "--task",    "lh",       "--target-settings", settings};
  std::string schema = source.logged_table().substr(0, source.logged_table().find('.'));
  std::string zoo_folder = root + "/cdc/" + schema + "/zoo";
  std::string load_folder = root + "/cdc/" + schema + "/lh_load";

  auto run = std::make_unique<EngineProcess>(args);
  ASSERT_EQ(WaitEqual(
                [&] {
                  sync();
                  return CompareZooFold(source, zoo_folder, files);
                },
                60s),
            "")
      << "after the full load\n"
      << run->Log();
  EXPECT_NE(run->Log().find("ServiceAccessRoleArn ignored"), std::string::npos) << run->Log();
  EXPECT_TRUE(std::filesystem::exists(zoo_folder +
                                      (parquet ? "/LOAD00000001.parquet" : "/LOAD00000001.csv")));

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
  // Changes kept coming through the kills (each is a psql run: on a loaded 2-core machine a
  // PostgreSQL writer manages 15-40 in the 5-9 s of kills).
  EXPECT_GT(written.load(), 10);
  EXPECT_EQ(WaitEqual(
                [&] {
                  sync();
                  return CompareLoadFold(source, load_folder, files);
                },
                60s),
            "")
      << runs << "--- last run ---\n"
      << run->Log();
  EXPECT_EQ(CompareZooFold(source, zoo_folder, files), "") << runs << run->Log();
  EXPECT_EQ(Duplicates(load_folder, files), "") << runs << run->Log();
  EXPECT_EQ(Duplicates(zoo_folder, files), "") << runs << run->Log();
  run->Signal(SIGTERM);
  EXPECT_EQ(run->Wait(60s), 0) << run->Log();
  sync();
  // s3://: the uploads a kill interrupted were aborted by the next start.
  if (s3) {
    EXPECT_EQ(store->IncompleteUploads(), 0);
  }

  // No temporary file is left, and every data file is one the manifest lists.
  std::string manifest;
  {
    std::ifstream in(root + "/_cutover/lh/manifest.json");
    std::stringstream ss;
    ss << in.rdbuf();
    manifest = ss.str();
  }
  int committed = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root + "/cdc")) {
    if (!e.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(e.path(), root).generic_string();
    EXPECT_NE(e.path().filename().string()[0], '.') << "temporary file left: " << rel;
    EXPECT_NE(manifest.find("\"" + rel + "\""), std::string::npos)
        << "not in the manifest: " << rel;
    ++committed;
  }
  std::printf("[ measure ] %s: %d committed files\n", ZooEngineName(engine), committed);

  if (parquet) {
    // A second reader agrees with DuckDB on every Parquet file.
    int read = 0;
    EXPECT_EQ(HyparquetAgreesWithDuckDb(zoo_folder, &read), "");
    std::printf("[ measure ] %s: hyparquet and DuckDB agree on %d zoo files\n",
                ZooEngineName(engine), read);
    EXPECT_EQ(HyparquetAgreesWithDuckDb(load_folder, &read), "");
    std::printf("[ measure ] %s: hyparquet and DuckDB agree on %d lh_load files\n",
                ZooEngineName(engine), read);
  }

  // cutover's own validator folds the same files and agrees.
  std::vector<std::string> validate = {"validate", "--source", source.uri(), "--target",
                                       target,     "--tables", schema + ".%"};
  RunResult v = RunCutover(validate, 120s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  if (!parquet) return;

  // A damaged file is found: its bytes changed (a Parquet file is checked down to its pages),
  // then the file removed.
  std::string victim = zoo_folder + "/LOAD00000001.parquet";
  // s3://: the object is replaced and deleted through the server's API (unsigned requests).
  std::string object =
      store ? store->endpoint() + "/lake/" + prefix + "/cdc/" + schema + "/zoo/LOAD00000001.parquet"
            : "";
  std::string original;
  {
    std::ifstream in(victim, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    original = ss.str();
  }
  ASSERT_GT(original.size(), 100u);
  std::string damaged = original;
  damaged.resize(original.size() / 2);
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << damaged;
  int rc = 0;
  if (s3) {
    std::string put = Shell("curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @" +
                                victim + " '" + object + "'",
                            &rc);
    ASSERT_EQ(put, "200") << object;
  }
  RunResult corrupt = RunCutover(validate, 120s);
  EXPECT_NE(corrupt.exit_code, 0) << corrupt.out << corrupt.err;
  EXPECT_NE((corrupt.out + corrupt.err).find("LOAD00000001.parquet"), std::string::npos)
      << corrupt.out << corrupt.err;
  std::filesystem::remove(victim);
  if (s3) {
    std::string del =
        Shell("curl -s -o /dev/null -w '%{http_code}' -X DELETE '" + object + "'", &rc);
    ASSERT_EQ(del, "204") << object;
  }
  RunResult removed = RunCutover(validate, 120s);
  EXPECT_NE(removed.exit_code, 0) << removed.out << removed.err;
  EXPECT_NE((removed.out + removed.err).find("LOAD00000001.parquet"), std::string::npos)
      << removed.out << removed.err;
}

INSTANTIATE_TEST_SUITE_P(
    Sources, LakehouseZoo,
    ::testing::Values(ZooCase{ZooEngine::kPostgres, LakeFiles::kCsv},
                      ZooCase{ZooEngine::kMariaDb, LakeFiles::kCsv},
                      ZooCase{ZooEngine::kSqlite, LakeFiles::kCsv},
                      ZooCase{ZooEngine::kPostgres, LakeFiles::kParquet},
                      ZooCase{ZooEngine::kMariaDb, LakeFiles::kParquet},
                      ZooCase{ZooEngine::kSqlite, LakeFiles::kParquet},
                      ZooCase{ZooEngine::kPostgres, LakeFiles::kParquet, LakeTarget::kS3},
                      ZooCase{ZooEngine::kMariaDb, LakeFiles::kParquet, LakeTarget::kS3},
                      ZooCase{ZooEngine::kSqlite, LakeFiles::kParquet, LakeTarget::kS3},
                      ZooCase{ZooEngine::kPostgres, LakeFiles::kCsv, LakeTarget::kS3}),
    [](const ::testing::TestParamInfo<ZooCase>& info) {
      // The file:// CSV cases keep their names (pg, mariadb, sqlite).
      return std::string(ZooEngineName(info.param.engine)) +
             (info.param.files == LakeFiles::kParquet ? "_parquet" : "") +
             (info.param.target == LakeTarget::kS3 ? "_s3" : "");
    });

}  // namespace
}  // namespace cutover::testing
