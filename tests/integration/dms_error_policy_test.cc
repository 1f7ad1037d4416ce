// DMS error policies (ErrorBehavior) on real servers: a change the target refuses is diverted
// into the exceptions control table (LOG_ERROR), suspends its table only (SUSPEND_TABLE), or
// stops the task naming table, key and source position (the default). Every other change is
// applied exactly once, also across kill -9: the target is compared with the source by SQL on
// both sides, and the exceptions table holds each refused change once.
#include <signal.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmserr-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// Source rows 101..700 arrive one small transaction at a time; every 37th row has a negative
// qty, which the target's CHECK (added after the full load) refuses. Updates touch only rows
// the target has, and `other` changes in the same transactions.
constexpr const char* kPgStream = R"sql(
DO $$ BEGIN
  FOR i IN 101..700 LOOP
    INSERT INTO acct VALUES (i, CASE WHEN i % 37 = 0 THEN -i ELSE i END, 'n' || i);
    UPDATE other SET v = 'v' || i WHERE id = i % 50 + 1;
    IF i > 150 AND (i - 50) % 37 <> 0 THEN
      UPDATE acct SET note = 'u' || i WHERE id = i - 50;
    END IF;
    COMMIT;
  END LOOP;
END $$;
)sql";

TEST(DmsErrorPolicy, PgToMariaDbLogErrorDivertsRefusedRowsExactlyOnceAcrossKill9) {
  auto source = StartPostgres("dmse_src");
  auto target = StartMariaDb("dmse_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL, note text);"
      "CREATE TABLE other (id int PRIMARY KEY, v text);"
      "INSERT INTO acct SELECT g, g, 'n' || g FROM generate_series(1, 100) g;"
      "INSERT INTO other SELECT g, 'v' FROM generate_series(1, 50) g;");
  std::string settings =
      WriteTemp("log.json", R"({"ErrorBehavior": {"DataErrorPolicy": "LOG_ERROR"}})");
  std::vector<std::string> args = {
      "replicate", "--source", source->uri(),     "--target", target->uri(),
      "--task",    "dmse",     "--task-settings", settings,   "--group-max-changes",
      "40"};
  auto conn = MariaConnect(*target);
  MariaExec(*conn, "SET SESSION group_concat_max_len = 10000000");
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn,
                          "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME IN "
                          "('acct', 'other')") == "2" &&
               MariaValue(*conn, "SELECT count(*) FROM acct") == "100" &&
               MariaValue(*conn, "SELECT count(*) FROM other") == "50";
      },
      120s))
      << engine->Log();
  MariaExec(*conn, "ALTER TABLE acct ADD CONSTRAINT qty_ok CHECK (qty >= 0)");

  Sql(*source, kPgStream);
  // kill -9 while the stream is being applied, then resume.
  ASSERT_TRUE(Eventually(
      [&] { return std::stoi(MariaValue(*conn, "SELECT count(*) FROM acct")) > 150; }, 60s))
      << engine->Log();
  engine->Signal(SIGKILL);
  engine->Wait(10s);
  std::string first_log = engine->Log();
  engine = std::make_unique<EngineProcess>(args);

  auto source_rows = [&](const std::string& table, const std::string& where) {
    return Sql(*source, "SELECT coalesce(string_agg(concat_ws(':', " +
                            std::string(table == "acct" ? "id, qty, note" : "id, v") +
                            "), ',' ORDER BY id), '') FROM " + table + " WHERE " + where);
  };
  auto target_rows = [&](const std::string& table) {
    return MariaValue(*conn, "SELECT coalesce(group_concat(concat_ws(':', " +
                                 std::string(table == "acct" ? "id, qty, note" : "id, v") +
                                 ") ORDER BY id SEPARATOR ','), '') FROM " + table);
  };
  auto same = [&] {
    return target_rows("acct") == source_rows("acct", "qty >= 0") &&
           target_rows("other") == source_rows("other", "true");
  };
  EXPECT_TRUE(Eventually(same, 90s)) << first_log << engine->Log();
  // Each refused row is in the exceptions table once, with its error, key and position.
  std::string refused = Sql(*source,
                            "SELECT string_agg('id=' || id, ',' ORDER BY id) FROM acct "
                            "WHERE qty < 0");
  EXPECT_EQ(refused.substr(0, 14), "id=111,id=148,");  // the test exercises what it claims
  EXPECT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn,
                          "SELECT group_concat(row_key ORDER BY id) FROM "
                          "_cutover_apply_exceptions WHERE task = 'dmse'") == refused;
      },
      30s))
      << MariaValue(*conn,
                    "SELECT group_concat(row_key ORDER BY id) FROM _cutover_apply_exceptions")
      << "\n"
      << engine->Log();
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT count(*) FROM _cutover_apply_exceptions WHERE task = 'dmse' AND "
                       "(error NOT LIKE '%qty_ok%' OR source_position = '' OR policy <> "
                       "'LOG_ERROR' OR operation <> 'insert' OR table_name <> 'acct' OR "
                       "row_values NOT LIKE '%qty=-%')"),
            "0")
      << MariaValue(*conn,
                    "SELECT concat_ws(' | ', error, source_position, row_values) FROM "
                    "_cutover_apply_exceptions LIMIT 1");
  EXPECT_NE(first_log.find("recorded in the exceptions table (DataErrorPolicy LOG_ERROR)"),
            std::string::npos)
      << first_log;
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

// MariaDB -> PostgreSQL: values too long for a narrower target column are recorded
// (DataTruncationErrorPolicy LOG_ERROR) while the rest of that table flows; a CHECK refusal
// suspends its table only (DataErrorPolicy SUSPEND_TABLE), which stays suspended after a
// restart, and a third table keeps flowing throughout.
TEST(DmsErrorPolicy, MariaDbToPgTruncationLoggedAndSuspendTableStopsOnlyItsTable) {
  auto source = StartMariaDb("dmse_msrc");
  auto target = StartPostgres("dmse_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t_trunc (id int PRIMARY KEY, name varchar(40)) ENGINE=InnoDB;"
            "CREATE TABLE t_susp (id int PRIMARY KEY, qty int) ENGINE=InnoDB;"
            "CREATE TABLE t_flow (id int PRIMARY KEY, v int) ENGINE=InnoDB;"
            "INSERT INTO t_trunc SELECT seq, CONCAT('n', seq) FROM seq_1_to_20;"
            "INSERT INTO t_susp SELECT seq, seq FROM seq_1_to_20;"
            "INSERT INTO t_flow SELECT seq, seq FROM seq_1_to_20;");
  MariaExec(*conn, "SET SESSION group_concat_max_len = 10000000");
  std::string settings = WriteTemp("susp.json", R"({"ErrorBehavior": {
      "DataTruncationErrorPolicy": "LOG_ERROR", "DataErrorPolicy": "SUSPEND_TABLE"}})");
  std::vector<std::string> args = {"replicate", "--source",        source->uri(),
                                   "--target",  target->uri(),     "--task",
                                   "dmsm",      "--task-settings", settings};
  auto engine = std::make_unique<EngineProcess>(args);
  std::string schema;
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT coalesce(max(table_schema), '') FROM information_schema.tables "
                     "WHERE table_name = 't_flow'");
        return !schema.empty() &&
               Sql(*target, "SELECT count(*) FROM \"" + schema + "\".t_flow") == "20" &&
               Sql(*target, "SELECT count(*) FROM \"" + schema + "\".t_susp") == "20" &&
               Sql(*target, "SELECT count(*) FROM \"" + schema + "\".t_trunc") == "20";
      },
      120s))
      << engine->Log();
  std::string q = "\"" + schema + "\".";
  Sql(*target, "ALTER TABLE " + q + "t_trunc ALTER COLUMN name TYPE varchar(5);" + "ALTER TABLE " +
                   q + "t_susp ADD CONSTRAINT qty_ok CHECK (qty >= 0)");

  MariaExec(*conn,
            "INSERT INTO t_trunc VALUES (21, 'short'), (22, 'much too long'), (23, 'ok');"
            "UPDATE t_trunc SET name = 'also far too long' WHERE id = 5;"
            "INSERT INTO t_susp VALUES (21, 21);"
            "INSERT INTO t_flow VALUES (21, 21);"
            "INSERT INTO t_susp VALUES (22, -1), (23, 23);"  // refused: t_susp suspended
            "UPDATE t_susp SET qty = 100 WHERE id = 1;"
            "INSERT INTO t_flow VALUES (22, 22);"
            "UPDATE t_flow SET v = 0 WHERE id = 1;");
  auto maria_rows = [&](const std::string& table, const std::string& where) {
    return MariaValue(*conn, "SELECT coalesce(group_concat(concat_ws(':', id, " +
                                 std::string(table == "t_trunc"  ? "name"
                                             : table == "t_susp" ? "qty"
                                                                 : "v") +
                                 ") ORDER BY id SEPARATOR ','), '') FROM " + table + " WHERE " +
                                 where);
  };
  auto pg_rows = [&](const std::string& table, const std::string& where = "true") {
    return Sql(*target, "SELECT coalesce(string_agg(concat_ws(':', id, " +
                            std::string(table == "t_trunc"  ? "name"
                                        : table == "t_susp" ? "qty"
                                                            : "v") +
                            "), ',' ORDER BY id), '') FROM " + q + table + " WHERE " + where);
  };
  auto flowed = [&] {
    // t_trunc: everything but the refused insert (22) and update (5, which keeps its name).
    return pg_rows("t_flow") == maria_rows("t_flow", "true") &&
           pg_rows("t_trunc", "id <> 5") == maria_rows("t_trunc", "id NOT IN (5, 22)") &&
           pg_rows("t_trunc", "id = 5") == "5:n5";
  };
  EXPECT_TRUE(Eventually(flowed, 60s)) << engine->Log() << "\n"
                                       << pg_rows("t_trunc") << "\n"
                                       << pg_rows("t_flow");
  // t_susp: the changes before the refused one are applied, nothing from it on.
  EXPECT_EQ(pg_rows("t_susp", "id <> 1"), maria_rows("t_susp", "id <> 1 AND id <= 21"))
      << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT qty FROM " + q + "t_susp WHERE id = 1"), "1");
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(concat_ws('|', table_name, row_key, policy, operation), ',' "
                "ORDER BY id) FROM cutover.apply_exceptions WHERE task = 'dmsm'"),
            "t_trunc|id=22|LOG_ERROR|insert,t_trunc|id=5|LOG_ERROR|update,"
            "t_susp|id=22|SUSPEND_TABLE|insert");
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmsm' AND "
                "table_name = 't_trunc' AND error LIKE '%22001%'"),
            "2");
  RunResult stats =
      RunCutover({"task", "stats", "--target", target->uri(), "--task", "dmsm", "--json"}, 30s);
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.out.find("\"TableState\": \"suspended\""), std::string::npos) << stats.out;

  // The suspension survives a restart: t_susp stays as it was, t_flow keeps flowing.
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  engine = std::make_unique<EngineProcess>(args);
  MariaExec(*conn, "INSERT INTO t_susp VALUES (30, 30); INSERT INTO t_flow VALUES (30, 30);");
  EXPECT_TRUE(Eventually([&] { return pg_rows("t_flow") == maria_rows("t_flow", "true"); }, 60s))
      << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM " + q + "t_susp WHERE id = 30"), "0");
  EXPECT_NE(engine->Log().find("is suspended (SUSPEND_TABLE in an earlier run)"), std::string::npos)
      << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

// The default (no task settings): a refused change stops the task with one line naming table,
// key and source position, and nothing of its transaction is applied.
TEST(DmsErrorPolicy, DefaultStopsNamingTableKeyAndPosition) {
  auto source = StartPostgres("dmse_dsrc");
  auto target = StartMariaDb("dmse_dtgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE acct (id int PRIMARY KEY, qty int NOT NULL);"
      "INSERT INTO acct SELECT g, g FROM generate_series(1, 10) g;");
  EngineProcess engine(
      {"replicate", "--source", source->uri(), "--target", target->uri(), "--task", "dmsd"});
  auto conn = MariaConnect(*target);
  ASSERT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn,
                          "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = "
                          "'acct'") == "1" &&
               MariaValue(*conn, "SELECT count(*) FROM acct") == "10";
      },
      120s))
      << engine.Log();
  MariaExec(*conn, "ALTER TABLE acct ADD CONSTRAINT qty_ok CHECK (qty >= 0)");
  // One transaction of several rows: the bulk statement that carries them is refused as a whole.
  Sql(*source, "INSERT INTO acct VALUES (11, 11), (12, -12), (13, 13)");
  EXPECT_EQ(engine.Wait(90s), 2) << engine.Log();
  std::string log = engine.Log();
  size_t at = log.find("cutover: error: ");
  ASSERT_NE(at, std::string::npos) << log;
  std::string line = log.substr(at, log.find('\n', at) - at);
  EXPECT_NE(line.find("table public.acct, key (id=12), insert of source transaction"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("qty_ok"), std::string::npos) << line;
  EXPECT_NE(line.find("(DataErrorPolicy is STOP_TASK)"), std::string::npos) << line;
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM acct"), "10");  // nothing skipped silently
}

}  // namespace
}  // namespace cutover::testing
