// `cutover task stats` / `task status` on real servers: per-table counts of the changes a test
// made, full-load rows and table state, read from the target's control tables; the counts are
// committed with the data, so a kill -9 in the middle of the stream and a restart neither lose
// nor double-count one (skipped resent transactions are not counted again). `cutover validate
// --task` records each table's ValidationState there (Not enabled -> Validated -> Mismatched
// records after the test changes a target row), on all three target engines.
#include <signal.h>

#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The table statistics row of `table` in `cutover task stats --json` output.
json StatsOf(const json& stats, const std::string& schema, const std::string& table) {
  for (const json& t : stats["TableStatistics"])
    if (t["SchemaName"] == schema && t["TableName"] == table) return t;
  return json();
}

void ExpectCounts(const json& t, int64_t full_load, int64_t inserts, int64_t updates,
                  int64_t deletes, int64_t ddls) {
  ASSERT_FALSE(t.is_null());
  EXPECT_EQ(t["FullLoadRows"], full_load) << t.dump();
  EXPECT_EQ(t["Inserts"], inserts) << t.dump();
  EXPECT_EQ(t["Updates"], updates) << t.dump();
  EXPECT_EQ(t["Deletes"], deletes) << t.dump();
  EXPECT_EQ(t["Ddls"], ddls) << t.dump();
}

// The validation state `task stats --json` shows for st.a, st.b, st.c after `validate --task`:
// first all "Validated"; then, with one target row of st.a changed by `tamper`, st.a
// "Mismatched records" with 1 failed record and the others still "Validated".
void ExpectValidationStates(const std::string& source, const std::string& target,
                            const std::string& task, const std::function<void()>& tamper) {
  auto stats = [&] {
    RunResult r = RunCutover({"task", "stats", "--target", target, "--task", task, "--json"}, 30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  };
  EXPECT_EQ(StatsOf(stats(), "st", "a")["ValidationState"], "Not enabled");
  const std::vector<std::string> validate = {"validate", "--source", source, "--target",
                                             target,     "--task",   task};
  RunResult r = RunCutover(validate, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json after = stats();
  for (const char* t : {"a", "b", "c"}) {
    EXPECT_EQ(StatsOf(after, "st", t)["ValidationState"], "Validated") << after.dump();
    EXPECT_EQ(StatsOf(after, "st", t)["LastValidationTime"].get<std::string>().size(), 19u);
  }
  tamper();
  r = RunCutover(validate, 60s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  after = stats();
  json a = StatsOf(after, "st", "a");
  EXPECT_EQ(a["ValidationState"], "Mismatched records") << a.dump();
  EXPECT_EQ(a["ValidationFailedRecords"], 1) << a.dump();
  EXPECT_NE(a["ValidationStateDetails"].get<std::string>().find("1 differing"), std::string::npos);
  EXPECT_EQ(StatsOf(after, "st", "b")["ValidationState"], "Validated") << after.dump();
  r = RunCutover({"task", "stats", "--target", target, "--task", task}, 30s);
  EXPECT_NE(r.out.find("Mismatched records"), std::string::npos) << r.out;
}

constexpr const char* kSchema =
    "CREATE SCHEMA st;"
    "CREATE TABLE st.a (id int PRIMARY KEY, v int);"
    "CREATE TABLE st.b (id int PRIMARY KEY, v int);"
    "CREATE TABLE st.c (id int PRIMARY KEY, v int);"
    "INSERT INTO st.a SELECT g, g FROM generate_series(1, 100) g;"
    "INSERT INTO st.b SELECT g, g FROM generate_series(1, 50) g;"
    "INSERT INTO st.c SELECT g, g FROM generate_series(1, 10) g;";

// 40 inserts and 20 updates of st.a, 10 deletes of st.b, a TRUNCATE of st.c: 71 transactions.
void FirstBatch(const harness::ThrowawayServer& pg) {
  std::string sql;
  for (int i = 1; i <= 40; ++i)
    sql += "INSERT INTO st.a VALUES (" + std::to_string(1000 + i) + ", 0);";
  for (int i = 1; i <= 20; ++i)
    sql += "UPDATE st.a SET v = v + 1 WHERE id = " + std::to_string(i) + ";";
  for (int i = 1; i <= 10; ++i) sql += "DELETE FROM st.b WHERE id = " + std::to_string(i) + ";";
  sql += "TRUNCATE st.c;";
  Sql(pg, sql);
}

// 15 inserts and 5 updates of st.b.
void SecondBatch(const harness::ThrowawayServer& pg) {
  std::string sql;
  for (int i = 1; i <= 15; ++i)
    sql += "INSERT INTO st.b VALUES (" + std::to_string(2000 + i) + ", 0);";
  for (int i = 41; i <= 45; ++i)
    sql += "UPDATE st.b SET v = -v WHERE id = " + std::to_string(i) + ";";
  Sql(pg, sql);
}

TEST(OpsTaskStats, PgToPgCountsMatchTheOperationsAfterKillNineAndRestart) {
  auto source = StartPostgres("stsrc");
  auto target = StartPostgres("sttgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kSchema);
  const std::vector<std::string> args = {"replicate", "--source",    source->uri(),
                                         "--target",  target->uri(), "--task",
                                         "st",        "--tables",    "st.%"};
  const std::vector<TableSpec> tables = {{"st.a", "id"}, {"st.b", "id"}, {"st.c", "id"}};

  // Before any run: no state, one line, exit 2.
  RunResult r = RunCutover({"task", "stats", "--target", target->uri(), "--task", "st"}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds no state of task st"), std::string::npos) << r.err;

  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually(
      [&] {
        auto n = target->Sql("SELECT count(*) FROM cutover.table_state WHERE task = 'st'");
        return (n.ok() && *n == "3") || !engine->Running();
      },
      120s));
  FirstBatch(*source);
  engine->Signal(SIGKILL);  // some of the batch applied, some not: the counts must follow
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  SecondBatch(*source);
  std::vector<std::string> with_metrics = args;
  with_metrics.insert(with_metrics.end(), {"--metrics-listen", "127.0.0.1:0"});
  engine = std::make_unique<EngineProcess>(with_metrics);
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine->Log();
  // The running task's own view, through its metrics endpoint.
  const std::string log = engine->Log();
  const std::string serving = "metrics: serving http://";
  ASSERT_NE(log.find(serving), std::string::npos) << log;
  const size_t from = log.find(serving) + serving.size();
  const std::string endpoint = log.substr(from, log.find("/metrics", from) - from);
  // The retained source log is probed every 5 s: wait for the first probe.
  json live;
  Eventually(
      [&] {
        r = RunCutover({"task", "status", "--target", target->uri(), "--task", "st", "--metrics",
                        endpoint, "--json"},
                       30s);
        if (r.exit_code != 0) return false;
        live = json::parse(r.out, nullptr, false)["live"];
        return live.contains("source_log_retained_bytes");
      },
      20s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(live["running"], true) << r.out;
  EXPECT_EQ(live["health"].get<std::string>().rfind("ok: cdc", 0), 0u) << r.out;
  EXPECT_TRUE(live.contains("cdc_latency_source_seconds")) << r.out;
  EXPECT_TRUE(live.contains("source_log_retained_bytes")) << r.out;
  // The last change's commit is also the last counted: equal data means final counts.
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();

  // Stopped: the endpoint is gone, which status says (exit 0: the state is still read).
  r = RunCutover(
      {"task", "status", "--target", target->uri(), "--task", "st", "--metrics", endpoint}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the task is not running there"), std::string::npos) << r.out;

  r = RunCutover({"task", "stats", "--target", target->uri(), "--task", "st", "--json"}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json stats = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(stats.is_discarded()) << r.out;
  ExpectCounts(StatsOf(stats, "st", "a"), 100, 40, 20, 0, 0);
  ExpectCounts(StatsOf(stats, "st", "b"), 50, 15, 5, 10, 0);
  ExpectCounts(StatsOf(stats, "st", "c"), 10, 0, 0, 0, 1);
  EXPECT_EQ(StatsOf(stats, "st", "a")["TableState"], "CDC");
  EXPECT_FALSE(StatsOf(stats, "st", "a")["LastUpdateTime"].get<std::string>().empty());

  r = RunCutover({"task", "stats", "--target", target->uri(), "--task", "st"}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("st.b"), std::string::npos) << r.out;

  r = RunCutover({"task", "status", "--target", target->uri(), "--task", "st", "--json"}, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json status = json::parse(r.out, nullptr, false);
  EXPECT_EQ(status["phase"], "cdc") << r.out;
  EXPECT_EQ(status["tables_loaded"], 3) << r.out;
  EXPECT_EQ(status["full_load_rows"], 160) << r.out;
  EXPECT_EQ(status["inserts"], 55) << r.out;
  EXPECT_FALSE(status["position"].get<std::string>().empty()) << r.out;
  EXPECT_GE(status["checkpoint_age_seconds"].get<int64_t>(), 0) << r.out;

  ExpectValidationStates(source->uri(), target->uri(), "st",
                         [&] { Sql(*target, "UPDATE st.a SET v = -1 WHERE id = 7"); });
}

// The other two targets keep the same counts (each sink writes them in its own dialect).
TEST(OpsTaskStats, PgToMariaDbAndSqliteCountTheSameOperations) {
  auto source = StartPostgres("st2src");
  auto maria = StartMariaDb("st2tgt");
  ASSERT_TRUE(source && maria);
  Sql(*source, kSchema);
  SqliteDir dir;
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  for (const std::string& target : {maria->uri(), dir.uri("t.db")}) {
    const std::string task = target == maria->uri() ? "stm" : "sts";
    const std::vector<std::string> args = {"replicate", "--source", source->uri(),
                                           "--target",  target,     "--task",
                                           task,        "--tables", "st.%"};
    Sql(*source, "DROP SCHEMA st CASCADE;" + std::string(kSchema));
    EngineProcess engine(args);
    auto count = [&](const std::string& sql) {
      return target == maria->uri() ? MariaValue(*conn, sql) : SqliteValue(dir.path("t.db"), sql);
    };
    // Loaded: the task's state says so (task status reads it the same way on every target).
    ASSERT_TRUE(Eventually(
        [&] {
          RunResult st =
              RunCutover({"task", "status", "--target", target, "--task", task, "--json"}, 30s);
          return !engine.Running() ||
                 (st.exit_code == 0 && st.out.find("\"tables_loaded\": 3") != std::string::npos);
        },
        120s))
        << engine.Log();
    FirstBatch(*source);
    SecondBatch(*source);
    // Wait for the last change: the update of st.b's row 45 (each statement of a batch commits
    // on its own, so row 2015, the last insert, can land before the five updates after it).
    ASSERT_TRUE(Eventually([&] { return count("SELECT v FROM b WHERE id = 45") == "-45"; }, 60s))
        << engine.Log();
    engine.Signal(SIGTERM);
    EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
    RunResult r = RunCutover({"task", "stats", "--target", target, "--task", task, "--json"}, 30s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json stats = json::parse(r.out, nullptr, false);
    ExpectCounts(StatsOf(stats, "st", "a"), 100, 40, 20, 0, 0);
    ExpectCounts(StatsOf(stats, "st", "b"), 50, 15, 5, 10, 0);
    ExpectCounts(StatsOf(stats, "st", "c"), 10, 0, 0, 0, 1);
    ExpectValidationStates(source->uri(), target, task, [&] {
      if (target == maria->uri())
        MariaExec(*conn, "UPDATE a SET v = -1 WHERE id = 7");
      else
        SqliteExec(dir.path("t.db"), "UPDATE a SET v = -1 WHERE id = 7");
    });
    if (target == maria->uri()) MariaExec(*conn, "DROP TABLE a, b, c");
  }
}

}  // namespace
}  // namespace cutover::testing
