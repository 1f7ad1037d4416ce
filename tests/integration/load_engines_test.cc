// `cutover load` against real engines: every workload initialises and runs on PostgreSQL,
// MariaDB and SQLite with the summary's counts matching the rows in the database; open-loop
// pacing holds its rate and reports latency from the schedule; a server restart during a run
// is survived. The database side is always checked with SQL through the servers' own clients
// (psql / mariadb) or the sqlite3 C API, sharing no code with the load generator.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The JSON lines `cutover load --json` printed: samples, then the summary (last).
struct LoadRun {
  int exit_code = -1;
  std::vector<json> samples;
  json summary;
  std::string err;
};

LoadRun ParseRun(const RunResult& r) {
  LoadRun run;
  run.exit_code = r.exit_code;
  run.err = r.err;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    if (j["type"] == "sample") run.samples.push_back(j);
    if (j["type"] == "summary") run.summary = j;
  }
  return run;
}

LoadRun Load(const std::vector<std::string>& args, std::chrono::seconds timeout = 300s) {
  std::vector<std::string> full = {"load"};
  full.insert(full.end(), args.begin(), args.end());
  return ParseRun(RunCutover(full, timeout));
}

int64_t Ops(const json& summary, const std::string& op, const std::string& field) {
  if (!summary.contains("ops") || !summary["ops"].contains(op)) return -1;
  return summary["ops"][op][field].get<int64_t>();
}

// One database under test, whatever its engine, queried with its own client.
class Database {
 public:
  virtual ~Database() = default;
  virtual std::string uri() const = 0;
  // First column of the first row, as text.
  virtual std::string Scalar(const std::string& sql) = 0;
  int64_t Int(const std::string& sql) { return std::atoll(Scalar(sql).c_str()); }
};

class ServerDatabase : public Database {
 public:
  explicit ServerDatabase(harness::ServerKind kind) {
    auto s = harness::ThrowawayServer::Start(kind, "load");
    if (!s.ok()) {
      ADD_FAILURE() << s.status().message();
      return;
    }
    server_ = std::move(s).value();
  }
  bool ok() const { return server_ != nullptr; }
  std::string uri() const override { return server_->uri(); }
  std::string Scalar(const std::string& sql) override {
    std::string out = Sql(*server_, sql);
    return out.substr(0, out.find_first_of("\n\t|"));
  }
  harness::ThrowawayServer& server() { return *server_; }

 private:
  std::unique_ptr<harness::ThrowawayServer> server_;
};

class SqliteDatabase : public Database {
 public:
  SqliteDatabase() {
    char dir[] = "/tmp/cutover-load-XXXXXX";
    dir_ = mkdtemp(dir) ? dir : "/tmp";
    path_ = dir_ + "/load.db";
  }
  ~SqliteDatabase() override {
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path_ + suffix).c_str());
    rmdir(dir_.c_str());
  }
  std::string uri() const override { return "sqlite://" + path_; }
  std::string Scalar(const std::string& sql) override {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
          out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      } else {
        ADD_FAILURE() << sqlite3_errmsg(db) << "\nSQL: " << sql;
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
  }

 private:
  std::string dir_, path_;
};

// ------------------------------------------------------------------------------------------
// Every workload on every engine: init, a short paced run, counts checked against the rows.

class LoadWorkloads : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      db_ = std::make_unique<SqliteDatabase>();
    } else {
      auto s = std::make_unique<ServerDatabase>(GetParam() == "postgres"
                                                    ? harness::ServerKind::kPostgres
                                                    : harness::ServerKind::kMariaDb);
      ASSERT_TRUE(s->ok());
      db_ = std::move(s);
    }
  }

  void Init(const std::string& workload) {
    auto r = RunCutover({"load", "--target", db_->uri(), "--workload", workload, "--init"}, 300s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  LoadRun Run(const std::string& workload, std::vector<std::string> extra,
              const std::string& duration = "3") {
    std::vector<std::string> args = {"--target",   db_->uri(), "--workload", workload,
                                     "--duration", duration,   "--clients",  "3",
                                     "--seed",     "5",        "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    LoadRun run = Load(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_FALSE(run.summary.is_null()) << run.err;
    return run;
  }

  std::unique_ptr<Database> db_;
};

TEST_P(LoadWorkloads, OltpHistoryRowsAreCommittedTransfersAndBalancesAgree) {
  Init("oltp");
  EXPECT_EQ(db_->Int("SELECT count(*) FROM accounts"), 100000);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM tellers"), 10);
  LoadRun run = Run("oltp", {"--rate", "150", "--txn-size", "2"});
  ASSERT_FALSE(run.summary.is_null());
  int64_t committed = run.summary["committed"].get<int64_t>();
  EXPECT_GT(committed, 200);
  EXPECT_EQ(run.summary["errors"], 0) << run.err;
  EXPECT_EQ(Ops(run.summary, "transfer", "count"), 2 * committed);
  EXPECT_EQ(Ops(run.summary, "transfer", "rows"), 2 * committed);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM history"), 2 * committed);
  int64_t delta = db_->Int("SELECT sum(delta) FROM history");
  EXPECT_EQ(db_->Int("SELECT sum(abalance) FROM accounts"), delta);
  EXPECT_EQ(db_->Int("SELECT sum(tbalance) FROM tellers"), delta);
  EXPECT_EQ(db_->Int("SELECT sum(bbalance) FROM branches"), delta);
  // A second run continues the history keys instead of colliding with them.
  LoadRun again = Run("oltp", {"--max"}, "1");
  EXPECT_EQ(again.summary["errors"], 0) << again.err;
  EXPECT_EQ(db_->Int("SELECT count(*) FROM history"),
            2 * committed + again.summary["committed"].get<int64_t>());
}

TEST_P(LoadWorkloads, EcommerceOrderAndItemCountsMatchTheSummary) {
  Init("ecommerce");
  int64_t orders = db_->Int("SELECT count(*) FROM orders");
  int64_t items = db_->Int("SELECT count(*) FROM order_items");
  EXPECT_EQ(orders, 2000);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM customers"), 1000);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM products"), 200);
  // The rich columns are really there: long text, binary, JSON, NULLs.
  EXPECT_GT(db_->Int("SELECT max(length(description)) FROM products"), 8000);
  EXPECT_GT(db_->Int("SELECT count(*) FROM customers WHERE bio IS NULL"), 0);
  EXPECT_GT(db_->Int("SELECT count(*) FROM products WHERE thumbnail IS NOT NULL"), 0);
  LoadRun run = Run("ecommerce", {"--rate", "150", "--mix", "40:40:20", "--txn-size", "2"});
  ASSERT_FALSE(run.summary.is_null());
  EXPECT_EQ(run.summary["errors"], 0) << run.err;
  int64_t inserted = Ops(run.summary, "insert", "rows");
  int64_t deleted = Ops(run.summary, "delete", "rows");
  EXPECT_GT(inserted, 50);
  EXPECT_GT(Ops(run.summary, "update", "count"), 50);
  EXPECT_GT(Ops(run.summary, "delete", "count"), 20);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM orders"), orders + inserted - deleted);
  EXPECT_EQ(
      db_->Int("SELECT count(*) FROM order_items"),
      items + Ops(run.summary, "insert_items", "rows") - Ops(run.summary, "delete_items", "rows"));
}

TEST_P(LoadWorkloads, BulkUpdatesTheRequestedRowsPerTransaction) {
  Init("bulk");
  EXPECT_EQ(db_->Int("SELECT count(*) FROM bulk_rows"), 10000);
  LoadRun run = Run("bulk", {"--rate", "20", "--rows", "500"});
  ASSERT_FALSE(run.summary.is_null());
  EXPECT_EQ(run.summary["errors"], 0) << run.err;
  int64_t committed = run.summary["committed"].get<int64_t>();
  EXPECT_GT(committed, 20);
  EXPECT_EQ(Ops(run.summary, "update", "rows"), 500 * committed);
  EXPECT_EQ(db_->Int("SELECT sum(val) FROM bulk_rows"), 500 * committed);
}

TEST_P(LoadWorkloads, HeartbeatWritesTheSourceClockEvery100Ms) {
  Init("heartbeat");
  LoadRun run = Run("heartbeat", {});
  ASSERT_FALSE(run.summary.is_null());
  int64_t beats = Ops(run.summary, "beat", "count");
  EXPECT_GE(beats, 25);  // 3 s at 10 per second
  EXPECT_LE(beats, 31);
  EXPECT_EQ(db_->Int("SELECT seq FROM cutover_heartbeat WHERE id = 1"), beats);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM cutover_heartbeat"), 1);
  std::string time = db_->Scalar("SELECT source_time FROM cutover_heartbeat");
  EXPECT_EQ(time.substr(0, 2), "20") << time;
  // --heartbeat beside another workload creates the table itself if needed and continues seq.
  Init("bulk");
  LoadRun both = Run("bulk", {"--rate", "5", "--heartbeat"});
  EXPECT_GE(both.summary["heartbeats"].get<int64_t>(), 25);
  EXPECT_EQ(db_->Int("SELECT seq FROM cutover_heartbeat"),
            beats + both.summary["heartbeats"].get<int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Engines, LoadWorkloads, ::testing::Values("postgres", "mariadb", "sqlite"),
                         [](const auto& info) { return info.param; });

// ------------------------------------------------------------------------------------------
// Pacing and reconnects (PostgreSQL; the pacing code is engine-neutral).

class LoadPacing : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<ServerDatabase>(harness::ServerKind::kPostgres);
    ASSERT_TRUE(pg_->ok());
    auto r = RunCutover({"load", "--target", pg_->uri(), "--workload", "oltp", "--init"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // These tests check the pacer, not the disk: on a 2-core machine shared with other work,
    // commit fsyncs alone held PostgreSQL below 500 tps (seen), so commits do not wait for them.
    Sql(pg_->server(), "ALTER DATABASE cutover SET synchronous_commit = off");
  }
  std::unique_ptr<ServerDatabase> pg_;
};

TEST_F(LoadPacing, Rate500For10SecondsIsWithin5PercentWithLatencyFromSchedule) {
  LoadRun run = Load({"--target", pg_->uri(), "--workload", "oltp", "--rate", "500", "--duration",
                      "10", "--clients", "16", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_FALSE(run.summary.is_null());
  double tps = run.summary["tps"].get<double>();
  EXPECT_NEAR(tps, 500, 25) << run.summary.dump();
  EXPECT_EQ(run.summary["latency_from"], "schedule");
  EXPECT_EQ(run.summary["errors"], 0);
  EXPECT_EQ(run.summary["arrivals"].get<int64_t>(),
            run.summary["committed"].get<int64_t>() + run.summary["skipped"].get<int64_t>());
  EXPECT_GT(run.summary["latency_ms"]["p50"].get<double>(), 0);
  EXPECT_EQ(pg_->Int("SELECT count(*) FROM history"), run.summary["committed"].get<int64_t>());
  EXPECT_GE(run.samples.size(), 9u);
  for (const auto& s : run.samples) EXPECT_TRUE(s.contains("latency_ms"));
}

TEST_F(LoadPacing, AStalledServerShowsAsLatencyAndLateTransactionsNotALowerRate) {
  // A session holds every branch row locked for 2 s in the middle of a 6 s run at 100 tps:
  // transactions queue behind it, and once it lets go the backlog is served. Every scheduled
  // transaction still runs; the stall appears as latency measured from the schedule.
  std::thread blocker([&] {
    std::this_thread::sleep_for(2s);
    Sql(pg_->server(),
        "BEGIN; UPDATE branches SET bbalance = bbalance; SELECT pg_sleep(2); COMMIT;");
  });
  LoadRun run = Load({"--target", pg_->uri(), "--workload", "oltp", "--rate", "100", "--duration",
                      "6", "--clients", "2", "--json"});
  blocker.join();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_FALSE(run.summary.is_null());
  // Every arrival of the timeline (about 100 per second) was run, none dropped or thinned out.
  int64_t arrivals = run.summary["arrivals"].get<int64_t>();
  EXPECT_NEAR(static_cast<double>(arrivals) / 6, 100, 15) << run.summary.dump();
  EXPECT_EQ(run.summary["committed"].get<int64_t>(), arrivals) << run.summary.dump();
  EXPECT_GT(run.summary["late"].get<int64_t>(), 50);
  EXPECT_GT(run.summary["latency_ms"]["max"].get<double>(), 1500) << run.summary.dump();
  EXPECT_EQ(run.summary["skipped"], 0);
}

class LoadRestart : public ::testing::TestWithParam<harness::ServerKind> {};

TEST_P(LoadRestart, TheRunSurvivesAServerRestartAndReconnects) {
  ServerDatabase db(GetParam());
  ASSERT_TRUE(db.ok());
  auto init = RunCutover({"load", "--target", db.uri(), "--workload", "oltp", "--init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  LoadRun run;
  std::thread load([&] {
    run = Load({"--target", db.uri(), "--workload", "oltp", "--rate", "100", "--duration", "16",
                "--clients", "3", "--heartbeat", "--json"},
               120s);
  });
  std::this_thread::sleep_for(4s);
  Status st = db.server().Restart();
  load.join();
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_FALSE(run.summary.is_null()) << run.err;
  const json& s = run.summary;
  EXPECT_GT(s["connection_errors"].get<int64_t>() + s["connect_failures"].get<int64_t>(), 0)
      << s.dump();
  EXPECT_GE(s["reconnects"].get<int64_t>(), 1) << s.dump();
  EXPECT_NE(run.err.find("reconnected"), std::string::npos) << run.err;
  // It continued: the last seconds committed transactions again.
  ASSERT_GE(run.samples.size(), 14u);
  for (size_t i = run.samples.size() - 3; i < run.samples.size(); ++i)
    EXPECT_GT(run.samples[i]["committed"].get<int64_t>(), 50) << run.samples[i].dump();
  // Every committed transfer is in the database; a failed one may or may not have committed
  // (the connection dropped before the answer), but no more than those.
  int64_t history = db.Int("SELECT count(*) FROM history");
  int64_t committed = s["committed"].get<int64_t>();
  EXPECT_GE(history, committed);
  EXPECT_LE(history, committed + s["connection_errors"].get<int64_t>());
  EXPECT_GT(s["heartbeats"].get<int64_t>(), 100);
}

INSTANTIATE_TEST_SUITE_P(Servers, LoadRestart,
                         ::testing::Values(harness::ServerKind::kPostgres,
                                           harness::ServerKind::kMariaDb),
                         [](const auto& info) {
                           return std::string(harness::ServerKindName(info.param));
                         });

}  // namespace
}  // namespace cutover::testing
