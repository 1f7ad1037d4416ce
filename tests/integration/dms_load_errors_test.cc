// DMS error policies during the FULL LOAD on real servers: target tables the user created
// beforehand (TargetTablePrepMode TRUNCATE_BEFORE_LOAD / DO_NOTHING) with a CHECK, a NOT NULL
// and a shorter VARCHAR than the source, so the target refuses some rows of the load. Under
// LOG_ERROR / IGNORE_RECORD each refused row is in the exceptions control table once (error,
// table, key) and every other row is loaded once, also across a kill -9 in the middle of the
// load; `cutover validate` names exactly the refused rows as missing; SUSPEND_TABLE leaves that
// table suspended while the other tables load and CDC goes on; without policies the load stops
// naming table, key and error.
#include <signal.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmsload-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// 120000 rows; refused by the target: qty < 0 (CHECK qty_ok, ids multiple of 9973), note NULL
// (NOT NULL, multiples of 7919), note of 40 characters (varchar(20), multiples of 12007).
constexpr const char* kPgAcct = R"sql(
CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL, note text);
INSERT INTO acct SELECT g, CASE WHEN g % 9973 = 0 THEN -g ELSE g END,
  CASE WHEN g % 7919 = 0 THEN NULL WHEN g % 12007 = 0 THEN repeat('x', 40) ELSE 'n' || g END
FROM generate_series(1, 120000) g;
CREATE TABLE other (id int PRIMARY KEY, v text);
INSERT INTO other SELECT g, 'v' || g FROM generate_series(1, 2000) g;
)sql";

constexpr const char* kRefusedWhere = "(qty < 0 OR note IS NULL OR length(note) > 20)";

// `split`: acct loads as three key ranges (a DMS parallel-load rule), each its own transaction.
void LogErrorAcrossKill9(bool split) {
  auto source = StartPostgres(split ? "dmsl_ssrc" : "dmsl_src");
  auto target = StartMariaDb(split ? "dmsl_stgt" : "dmsl_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgAcct);
  auto conn = MariaConnect(*target);
  MariaExec(*conn,
            "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL, note varchar(20) NOT NULL, "
            "CONSTRAINT qty_ok CHECK (qty >= 0)) ENGINE=InnoDB;"
            "CREATE TABLE other (id int PRIMARY KEY, v text) ENGINE=InnoDB;"
            "INSERT INTO acct VALUES (-1, 1, 'stale')");  // emptied by TRUNCATE_BEFORE_LOAD
  MariaExec(*conn, "SET SESSION group_concat_max_len = 100000000");
  std::string settings = WriteTemp("log.json", R"({
      "FullLoadSettings": {"TargetTablePrepMode": "TRUNCATE_BEFORE_LOAD"},
      "ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR",
                        "DataTruncationErrorPolicy": "IGNORE_RECORD"}})");
  std::vector<std::string> args = {"replicate", "--source",        source->uri(),
                                   "--target",  target->uri(),     "--task",
                                   "dmsl",      "--task-settings", settings};
  if (split) {
    args.push_back("--table-mappings");
    args.push_back(WriteTemp("split.json", R"({"rules": [
      {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
       "object-locator": {"schema-name": "public", "table-name": "%"}},
      {"rule-type": "table-settings", "rule-id": "2", "rule-name": "split-acct",
       "object-locator": {"schema-name": "public", "table-name": "acct"},
       "parallel-load": {"type": "ranges", "columns": ["id"],
                         "boundaries": [["40000"], ["80000"]]}}]})"));
  }
  auto engine = std::make_unique<EngineProcess>(args);
  // kill -9 while a load transaction of acct holds rows, before it commits.
  ASSERT_TRUE(Eventually(
      [&] {
        return std::stoll(MariaValue(*conn,
                                     "SELECT coalesce(max(trx_rows_modified), 0) FROM "
                                     "information_schema.INNODB_TRX")) > 5000;
      },
      120s))
      << engine->Log();
  engine->Signal(SIGKILL);
  engine->Wait(10s);
  std::string first_log = engine->Log();
  // The kill came mid-load: acct is not loaded (whole: nothing of its load, rows or exception
  // records, committed; split: a range at least is not done).
  ASSERT_EQ(MariaValue(*conn,
                       "SELECT count(*) FROM _cutover_table_state WHERE table_name = "
                       "'acct'"),
            "0")
      << first_log;
  if (split) {
    EXPECT_EQ(MariaValue(*conn,
                         "SELECT count(*) FROM _cutover_load_range WHERE table_name = "
                         "'acct'"),
              "3")
        << first_log;
    EXPECT_NE(MariaValue(*conn,
                         "SELECT count(*) FROM _cutover_load_range WHERE table_name = "
                         "'acct' AND loaded_at IS NOT NULL"),
              "3");
  } else {
    EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM _cutover_apply_exceptions"), "0");
  }
  engine = std::make_unique<EngineProcess>(args);

  auto source_rows = [&](const std::string& where) {
    return Sql(*source,
               "SELECT count(*) || '/' || md5(coalesce(string_agg(concat_ws(':', id, qty, note), "
               "',' ORDER BY id), '')) FROM acct WHERE " +
                   where);
  };
  auto target_rows = [&] {
    return MariaValue(*conn,
                      "SELECT concat(count(*), '/', md5(coalesce(group_concat(concat_ws(':', id, "
                      "qty, note) ORDER BY id SEPARATOR ','), ''))) FROM acct");
  };
  std::string expected = source_rows(std::string("NOT ") + kRefusedWhere);
  EXPECT_TRUE(Eventually([&] { return target_rows() == expected; }, 180s))
      << target_rows() << " vs " << expected << "\n"
      << first_log << engine->Log();
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM other"), "2000");

  // Each refused row once, with its error and key; its policy by the kind of refusal.
  std::string refused = Sql(*source, std::string("SELECT string_agg('id=' || id, ',' ORDER BY id) "
                                                 "FROM acct WHERE ") +
                                         kRefusedWhere);
  ASSERT_EQ(refused.substr(0, 25), "id=7919,id=9973,id=12007,");  // the rows the test claims
  auto exceptions = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(row_key ORDER BY CAST(SUBSTRING(row_key, 4) AS "
                      "UNSIGNED) SEPARATOR ',') FROM _cutover_apply_exceptions WHERE task = "
                      "'dmsl' AND table_name = 'acct' AND operation = 'read'");
  };
  EXPECT_EQ(exceptions(), refused) << engine->Log();
  auto count_where = [&](const std::string& where) {
    return MariaValue(*conn,
                      "SELECT count(*) FROM _cutover_apply_exceptions WHERE task = 'dmsl' "
                      "AND " +
                          where);
  };
  EXPECT_EQ(count_where("row_values LIKE '%qty=-%' AND error LIKE '%qty_ok%' AND "
                        "policy = 'LOG_ERROR'"),
            "12");
  EXPECT_EQ(count_where("error LIKE '%cannot be null%' AND policy = 'LOG_ERROR'"), "15");
  EXPECT_EQ(count_where("error LIKE '%too long%' AND policy = 'IGNORE_RECORD'"), "9");
  EXPECT_EQ(count_where("source_position = '' OR target_table <> 'acct'"), "0");
  EXPECT_NE(engine->Log().find("full load from the snapshot at"), std::string::npos)
      << engine->Log();

  // `cutover validate` names exactly the refused rows as missing.
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--tables", "public.acct", "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  size_t missing = 0;
  for (size_t at = v.out.find("missing-in-target"); at != std::string::npos;
       at = v.out.find("missing-in-target", at + 1))
    ++missing;
  EXPECT_EQ(missing, 36u) << v.out;
  EXPECT_EQ(v.out.find("extra-in-target"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("\"different\""), std::string::npos) << v.out;

  // CDC goes on after the load, under the same policies.
  Sql(*source, "INSERT INTO acct VALUES (200001, -5, 'cdc'), (200002, 5, 'cdc')");
  EXPECT_TRUE(Eventually(
      [&] { return MariaValue(*conn, "SELECT count(*) FROM acct WHERE id = 200002") == "1"; }, 60s))
      << engine->Log();
  EXPECT_TRUE(Eventually([&] { return count_where("row_key = 'id=200001'") == "1"; }, 30s));
  EXPECT_EQ(count_where("operation = 'read'"), "36");  // the load's records stay once
  if (split) {
    EXPECT_NE(first_log.find("in 3 key ranges of id"), std::string::npos) << first_log;
  }
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

TEST(DmsLoadErrors, PgToMariaDbLogErrorRecordsRefusedRowsOnceAcrossKill9AndCdcGoesOn) {
  LogErrorAcrossKill9(/*split=*/false);
}

TEST(DmsLoadErrors, PgToMariaDbSplitLoadLogErrorRecordsRefusedRowsOnceAcrossKill9) {
  LogErrorAcrossKill9(/*split=*/true);
}

// MariaDB -> PostgreSQL into tables the user created (DO_NOTHING): values too long for the
// target's varchar(5) are recorded (DataTruncationErrorPolicy LOG_ERROR) while the table loads;
// a CHECK refusal suspends its table only (DataErrorPolicy SUSPEND_TABLE): it keeps the rows
// loaded before the refused one, its state says suspended, CDC leaves it alone, and the third
// table loads and flows throughout.
TEST(DmsLoadErrors, MariaDbToPgTruncationLoggedAndSuspendTableInTheLoad) {
  auto source = StartMariaDb("dmsl_msrc");
  auto target = StartPostgres("dmsl_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t_trunc (id int PRIMARY KEY, name varchar(40)) ENGINE=InnoDB;"
            "CREATE TABLE t_susp (id int PRIMARY KEY, qty int) ENGINE=InnoDB;"
            "CREATE TABLE t_flow (id int PRIMARY KEY, v int) ENGINE=InnoDB;"
            "INSERT INTO t_trunc SELECT seq, IF(seq % 400 = 0, CONCAT('much too long ', seq), "
            "CONCAT('n', seq)) FROM seq_1_to_2000;"
            "INSERT INTO t_susp SELECT seq, IF(seq = 1234, -1, seq) FROM seq_1_to_2000;"
            "INSERT INTO t_flow SELECT seq, seq FROM seq_1_to_2000;");
  std::string q = "public.";  // where a MariaDB source's tables land
  Sql(*target, "CREATE TABLE " + q + "t_trunc (id int PRIMARY KEY, name varchar(5));" +
                   "CREATE TABLE " + q +
                   "t_susp (id int PRIMARY KEY, qty int CONSTRAINT qty_ok CHECK (qty >= 0));" +
                   "CREATE TABLE " + q + "t_flow (id int PRIMARY KEY, v int)");
  std::string settings = WriteTemp("susp.json", R"({
      "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"},
      "ErrorBehavior": {"DataTruncationErrorPolicy": "LOG_ERROR",
                        "DataErrorPolicy": "SUSPEND_TABLE"}})");
  std::vector<std::string> args = {"replicate", "--source",        source->uri(),
                                   "--target",  target->uri(),     "--task",
                                   "dmsm",      "--task-settings", settings};
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(
      Eventually([&] { return engine->Log().find("cdc started") != std::string::npos; }, 120s))
      << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM " + q + "t_flow"), "2000");
  EXPECT_EQ(Sql(*target, "SELECT count(*) || '/' || min(id) || '/' || max(id) FROM " + q +
                             "t_trunc WHERE length(name) <= 5"),
            "1995/1/1999");
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM " + q + "t_trunc WHERE id % 400 = 0"), "0");
  // t_susp: the rows before the refused one (the source is read in key order), none after.
  EXPECT_EQ(Sql(*target, "SELECT count(*) || '/' || max(id) FROM " + q + "t_susp"), "1233/1233");
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(concat_ws('|', table_name, row_key, policy, operation), ',' "
                "ORDER BY table_name, (substr(row_key, 4))::int) FROM cutover.apply_exceptions "
                "WHERE task = 'dmsm'"),
            "t_susp|id=1234|SUSPEND_TABLE|read,t_trunc|id=400|LOG_ERROR|read,"
            "t_trunc|id=800|LOG_ERROR|read,t_trunc|id=1200|LOG_ERROR|read,"
            "t_trunc|id=1600|LOG_ERROR|read,t_trunc|id=2000|LOG_ERROR|read");
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmsm' AND "
                "((table_name = 't_trunc' AND error NOT LIKE '%22001%') OR "
                "(table_name = 't_susp' AND error NOT LIKE '%qty_ok%'))"),
            "0");
  RunResult stats =
      RunCutover({"task", "stats", "--target", target->uri(), "--task", "dmsm", "--json"}, 30s);
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("\"TableState\": \"suspended\""), std::string::npos) << stats.out;

  // CDC: t_flow and t_trunc flow, t_susp is left alone, in this run and after a restart.
  MariaExec(*conn,
            "INSERT INTO t_susp VALUES (3000, 3000); INSERT INTO t_flow VALUES (3000, 3000);"
            "INSERT INTO t_trunc VALUES (3000, 'ok')");
  EXPECT_TRUE(Eventually(
      [&] {
        return Sql(*target, "SELECT count(*) FROM " + q + "t_flow WHERE id = 3000") == "1" &&
               Sql(*target, "SELECT count(*) FROM " + q + "t_trunc WHERE id = 3000") == "1";
      },
      60s))
      << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM " + q + "t_susp WHERE id = 3000"), "0")
      << Sql(*target,
             "SELECT string_agg(concat_ws('|', table_schema, table_name, state), ',') "
             "FROM cutover.table_stats")
      << engine->Log();
  EXPECT_NE(engine->Log().find("is suspended (SUSPEND_TABLE in its full load)"), std::string::npos)
      << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  engine = std::make_unique<EngineProcess>(args);
  MariaExec(*conn, "INSERT INTO t_susp VALUES (3001, 3001); INSERT INTO t_flow VALUES (3001, 1)");
  EXPECT_TRUE(Eventually(
      [&] { return Sql(*target, "SELECT count(*) FROM " + q + "t_flow WHERE id = 3001") == "1"; },
      60s))
      << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM " + q + "t_susp WHERE id > 1233"), "0");
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmsm'"),
            "6");  // the load's records, once
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

// Without error policies (STOP_TASK): a row the target refuses in the load stops the task naming
// table, key and the target's error (the table is loaded again row by row to find the row: a
// refused LOAD DATA names no row), and the table's load commits nothing.
TEST(DmsLoadErrors, DefaultStopsTheLoadNamingTableAndError) {
  auto source = StartPostgres("dmsl_dsrc");
  auto target = StartMariaDb("dmsl_dtgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL);"
      "INSERT INTO acct SELECT g, CASE WHEN g = 77 THEN -1 ELSE g END "
      "FROM generate_series(1, 100) g;");
  auto conn = MariaConnect(*target);
  MariaExec(*conn,
            "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL, "
            "CONSTRAINT qty_ok CHECK (qty >= 0)) ENGINE=InnoDB");
  std::string settings =
      WriteTemp("stop.json", R"({"FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"}})");
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(),
                            "--task", "dmsd", "--task-settings", settings, "--type", "full-load"},
                           120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  size_t at = r.err.find("cutover: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string line = r.err.substr(at, r.err.find('\n', at) - at);
  EXPECT_NE(line.find("table public.acct, key (id=77), full load from the snapshot at"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("qty_ok"), std::string::npos) << line;
  EXPECT_NE(line.find("(DataErrorPolicy is STOP_TASK)"), std::string::npos) << line;
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM acct"), "0");
}

// TableErrorPolicy in the full load, PostgreSQL -> MariaDB with TRUNCATE_BEFORE_LOAD: the target
// "table" vw is a VIEW, so its TRUNCATE is refused. SUSPEND_TABLE: vw is suspended (one warning
// naming table, error and policy; `cutover task stats` says suspended), the other tables load
// exactly, CDC goes on for them and skips vw, also after a restart (vw is not loaded again).
// STOP_TASK: the task stops with one line naming the table.
void PrepareViewTarget(harness::ThrowawayServer& source, harness::ThrowawayServer& target) {
  Sql(source,
      "CREATE TABLE good (id int PRIMARY KEY, v text);"
      "INSERT INTO good SELECT g, 'g' || g FROM generate_series(1, 3000) g;"
      "CREATE TABLE vw (id int PRIMARY KEY, v text);"
      "INSERT INTO vw SELECT g, 'w' || g FROM generate_series(1, 50) g;"
      "CREATE TABLE third (id int PRIMARY KEY, n int);"
      "INSERT INTO third SELECT g, g * 2 FROM generate_series(1, 500) g;");
  auto conn = MariaConnect(target);
  MariaExec(*conn,
            "CREATE TABLE good (id int PRIMARY KEY, v text) ENGINE=InnoDB;"
            "CREATE TABLE third (id int PRIMARY KEY, n int) ENGINE=InnoDB;"
            "INSERT INTO good VALUES (-1, 'stale');"  // emptied by TRUNCATE_BEFORE_LOAD
            "CREATE TABLE base (id int PRIMARY KEY, v text) ENGINE=InnoDB;"
            "INSERT INTO base VALUES (7, 'user data');"
            "CREATE VIEW vw AS SELECT id, v FROM base");
}

TEST(DmsLoadErrors, PgToMariaDbTableErrorPolicySuspendsAViewTarget) {
  auto source = StartPostgres("dmsl_vsrc");
  auto target = StartMariaDb("dmsl_vtgt");
  ASSERT_TRUE(source && target);
  PrepareViewTarget(*source, *target);
  auto conn = MariaConnect(*target);
  std::string settings = WriteTemp("tsusp.json", R"({
      "FullLoadSettings": {"TargetTablePrepMode": "TRUNCATE_BEFORE_LOAD"},
      "ErrorBehavior": {"TableErrorPolicy": "SUSPEND_TABLE"}})");
  std::vector<std::string> args = {"replicate", "--source",        source->uri(),
                                   "--target",  target->uri(),     "--task",
                                   "dmsv",      "--task-settings", settings};
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(
      Eventually([&] { return engine->Log().find("cdc started") != std::string::npos; }, 120s))
      << engine->Log();
  auto digest_pg = [&](const std::string& table, const std::string& cols) {
    return Sql(*source, "SELECT count(*) || '/' || md5(string_agg(concat_ws(':', " + cols +
                            "), ',' ORDER BY id)) FROM " + table);
  };
  auto digest_maria = [&](const std::string& table, const std::string& cols) {
    return MariaValue(*conn, "SELECT concat(count(*), '/', md5(group_concat(concat_ws(':', " +
                                 cols + ") ORDER BY id SEPARATOR ','))) FROM " + table);
  };
  MariaExec(*conn, "SET SESSION group_concat_max_len = 100000000");
  EXPECT_EQ(digest_maria("good", "id, v"), digest_pg("good", "id, v"));
  EXPECT_EQ(digest_maria("third", "id, n"), digest_pg("third", "id, n"));
  EXPECT_EQ(MariaValue(*conn, "SELECT group_concat(id) FROM base"), "7");  // untouched
  // One warning naming table, error and policy.
  std::string log = engine->Log();
  size_t at = log.find("table public.vw: ");
  ASSERT_NE(at, std::string::npos) << log;
  std::string line = log.substr(at, log.find('\n', at) - at);
  EXPECT_NE(line.find("TRUNCATE"), std::string::npos) << line;
  EXPECT_NE(line.find("(TableErrorPolicy SUSPEND_TABLE)"), std::string::npos) << line;

  // CDC: good and third flow, vw is skipped; the first commit records vw's state.
  Sql(*source,
      "INSERT INTO good VALUES (5000, 'new'); UPDATE third SET n = -1 WHERE id = 3;"
      "INSERT INTO vw VALUES (5000, 'skipped'); DELETE FROM good WHERE id = 10;");
  EXPECT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn, "SELECT count(*) FROM good WHERE id IN (5000, 10)") == "1" &&
               MariaValue(*conn, "SELECT n FROM third WHERE id = 3") == "-1";
      },
      60s))
      << engine->Log();
  EXPECT_EQ(digest_maria("good", "id, v"), digest_pg("good", "id, v"));
  EXPECT_EQ(MariaValue(*conn, "SELECT group_concat(id) FROM base"), "7");
  RunResult stats =
      RunCutover({"task", "stats", "--target", target->uri(), "--task", "dmsv", "--json"}, 30s);
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(std::regex_search(
      stats.out, std::regex(R"re("TableName": "vw",\s*"TableState": "suspended")re")))
      << stats.out;
  EXPECT_TRUE(
      std::regex_search(stats.out, std::regex(R"re("TableName": "good",\s*"TableState": "CDC")re")))
      << stats.out;

  // A restart keeps vw suspended (not loaded again) while the others flow.
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  engine = std::make_unique<EngineProcess>(args);
  Sql(*source, "INSERT INTO good VALUES (5001, 'after'); INSERT INTO vw VALUES (5001, 'x');");
  EXPECT_TRUE(Eventually(
      [&] { return MariaValue(*conn, "SELECT count(*) FROM good WHERE id = 5001") == "1"; }, 90s))
      << engine->Log();
  EXPECT_NE(engine->Log().find("table public.vw is suspended (SUSPEND_TABLE in an earlier run)"),
            std::string::npos)
      << engine->Log();
  EXPECT_EQ(MariaValue(*conn, "SELECT group_concat(id) FROM base"), "7");
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

TEST(DmsLoadErrors, PgToMariaDbTableErrorPolicyStopTaskStopsNamingTheTable) {
  auto source = StartPostgres("dmsl_wsrc");
  auto target = StartMariaDb("dmsl_wtgt");
  ASSERT_TRUE(source && target);
  PrepareViewTarget(*source, *target);
  std::string settings = WriteTemp("tstop.json", R"({
      "FullLoadSettings": {"TargetTablePrepMode": "TRUNCATE_BEFORE_LOAD"},
      "ErrorBehavior": {"TableErrorPolicy": "STOP_TASK"}})");
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(),
                            "--task", "dmsw", "--task-settings", settings, "--type", "full-load"},
                           120s);
  EXPECT_NE(r.exit_code, 0) << r.err;
  size_t at = r.err.find("cutover: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string line = r.err.substr(at, r.err.find('\n', at) - at);
  EXPECT_NE(line.find(".vw"), std::string::npos) << line;
  EXPECT_NE(line.find("TRUNCATE"), std::string::npos) << line;
  EXPECT_EQ(r.err.find("is suspended"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cutover::testing
