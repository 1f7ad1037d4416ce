// DMS ApplyErrorUpdatePolicy / ApplyErrorDeletePolicy on real servers: a row deleted on the
// target behind the task's back, then updated or deleted on the source, takes the task's policy
// (engine/pipeline/apply_errors.h): recorded in the exceptions control table (LOG_ERROR,
// IGNORE_RECORD), inserted from the update's new image (UPDATE_RECORD, only when that image is
// the whole row), its table suspended (SUSPEND_TABLE), or the task stopped naming the row
// (STOP_TASK). Every other change is applied exactly once: the target is compared with the
// source by SQL on both sides, also after kill -9 and a restart.
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
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmsmiss-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// PostgreSQL -> MariaDB, net-effect apply (the default): UPDATE_RECORD and LOG_ERROR, then
// SUSPEND_TABLE, then STOP_TASK, each a task of its own on the same servers.
TEST(DmsMissingRows, PgToMariaDbEachPolicy) {
  auto source = StartPostgres("dmsmr_src");
  auto target = StartMariaDb("dmsmr_tgt");
  ASSERT_TRUE(source && target);
  // doc: large incompressible text, stored out of line (TOAST): an update that does not change
  // it sends it as unchanged, so its new image is not the whole row.
  Sql(*source,
      "CREATE TABLE r (id int PRIMARY KEY, v text, doc text);"
      "INSERT INTO r SELECT g, 'v' || g, CASE WHEN g = 7 THEN (SELECT string_agg(md5(random()::"
      "text || i), '') FROM generate_series(1, 400) i) ELSE 'd' END FROM generate_series(1, 20) g;"
      "CREATE TABLE s (id int PRIMARY KEY, v text);"
      "CREATE TABLE f (id int PRIMARY KEY, v text);"
      "CREATE TABLE p (id int PRIMARY KEY, v text);"
      "INSERT INTO s SELECT g, 'v' || g FROM generate_series(1, 10) g;"
      "INSERT INTO f SELECT g, 'v' || g FROM generate_series(1, 10) g;"
      "INSERT INTO p SELECT g, 'v' || g FROM generate_series(1, 10) g;");
  auto conn = MariaConnect(*target);
  MariaExec(*conn, "SET SESSION group_concat_max_len = 10000000");
  auto src_rows = [&](const std::string& table) {
    return Sql(*source, "SELECT coalesce(string_agg(concat_ws(':', id, v, md5(" +
                            std::string(table == "r" ? "doc" : "''") +
                            ")), ',' ORDER BY id), '') FROM " + table);
  };
  auto tgt_rows = [&](const std::string& table) {
    return MariaValue(*conn, "SELECT coalesce(group_concat(concat_ws(':', id, v, md5(" +
                                 std::string(table == "r" ? "doc" : "''") +
                                 ")) ORDER BY id SEPARATOR ','), '') FROM " + table);
  };
  auto exceptions = [&](const std::string& task) {
    return MariaValue(*conn,
                      "SELECT coalesce(group_concat(concat_ws('|', table_name, row_key, policy, "
                      "operation) ORDER BY id SEPARATOR ','), '') FROM _cutover_apply_exceptions "
                      "WHERE task = '" +
                          task + "'");
  };
  auto loaded = [&](const std::string& table, const std::string& rows) {
    return MariaValue(*conn, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = '" +
                                 table + "'") == "1" &&
           MariaValue(*conn, "SELECT count(*) FROM " + table) == rows;
  };
  auto args = [&](const std::string& task, const std::string& settings,
                  std::vector<std::string> tables) {
    std::vector<std::string> a = {"replicate", "--source",        source->uri(),
                                  "--target",  target->uri(),     "--task",
                                  task,        "--task-settings", settings};
    for (const std::string& t : tables) a.insert(a.end(), {"--tables", "public." + t});
    return a;
  };

  // 1. UPDATE_RECORD for updates, LOG_ERROR for deletes.
  {
    std::string settings = WriteTemp("rec.json", R"({"ErrorBehavior": {
        "ApplyErrorUpdatePolicy": "UPDATE_RECORD", "ApplyErrorDeletePolicy": "LOG_ERROR"}})");
    auto engine = std::make_unique<EngineProcess>(args("dmsrec", settings, {"r"}));
    ASSERT_TRUE(Eventually([&] { return loaded("r", "20"); }, 120s)) << engine->Log();
    MariaExec(*conn, "DELETE FROM r WHERE id IN (3, 4, 5, 7)");  // behind the task's back
    // One source transaction (one net-effect batch, replayed deletes first): a bulk update
    // (an upsert on MariaDB) that misses three rows, one of them with a new image lacking
    // the unchanged TOASTed doc, a delete that finds nothing, and rows found.
    Sql(*source,
        "BEGIN; UPDATE r SET v = 'x' || id WHERE id IN (3, 4, 6, 7);"
        "DELETE FROM r WHERE id = 5; INSERT INTO r VALUES (21, 'v21', 'd'); COMMIT;");
    // Rows 3 and 4 are back with the source's values; 5 stays deleted; 7 (partial image) stays
    // missing and is recorded.
    auto same = [&] {
      return tgt_rows("r") == Sql(*source,
                                  "SELECT string_agg(concat_ws(':', id, v, md5(doc)), ',' ORDER "
                                  "BY id) FROM r WHERE id <> 7");
    };
    EXPECT_TRUE(Eventually(same, 60s)) << tgt_rows("r") << "\n" << engine->Log();
    EXPECT_TRUE(Eventually(
        [&] { return exceptions("dmsrec") == "r|id=5|LOG_ERROR|delete,r|id=7|LOG_ERROR|update"; },
        30s))
        << exceptions("dmsrec") << "\n"
        << engine->Log();
    EXPECT_EQ(
        MariaValue(*conn,
                   "SELECT count(*) FROM _cutover_apply_exceptions WHERE task = 'dmsrec' "
                   "AND row_key = 'id=7' AND error LIKE '%not inserted (UPDATE_RECORD)%doc%'"),
        "1")
        << MariaValue(*conn, "SELECT group_concat(error) FROM _cutover_apply_exceptions");
    // kill -9 and a restart: nothing is applied or recorded twice; later changes flow.
    engine->Signal(SIGKILL);
    engine->Wait(10s);
    std::string first_log = engine->Log();
    engine = std::make_unique<EngineProcess>(args("dmsrec", settings, {"r"}));
    Sql(*source, "UPDATE r SET v = 'y' WHERE id = 3; INSERT INTO r VALUES (22, 'v22', 'd')");
    EXPECT_TRUE(Eventually(same, 60s)) << first_log << engine->Log();
    EXPECT_EQ(exceptions("dmsrec"), "r|id=5|LOG_ERROR|delete,r|id=7|LOG_ERROR|update");
    engine->Signal(SIGTERM);
    EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  }

  // 2. SUSPEND_TABLE for deletes: s stops at the delete that found nothing, f flows on.
  {
    std::string settings = WriteTemp("susp.json", R"({"ErrorBehavior": {
        "ApplyErrorDeletePolicy": "SUSPEND_TABLE"}})");
    auto engine = std::make_unique<EngineProcess>(args("dmssusp", settings, {"s", "f"}));
    ASSERT_TRUE(Eventually([&] { return loaded("s", "10") && loaded("f", "10"); }, 120s))
        << engine->Log();
    MariaExec(*conn, "DELETE FROM s WHERE id = 2");
    Sql(*source,
        "BEGIN; DELETE FROM s WHERE id = 2; INSERT INTO f VALUES (11, 'v11'); COMMIT;"
        "INSERT INTO s VALUES (11, 'v11'); UPDATE f SET v = 'z' WHERE id = 1;");
    EXPECT_TRUE(Eventually([&] { return tgt_rows("f") == src_rows("f"); }, 60s)) << engine->Log();
    EXPECT_TRUE(
        Eventually([&] { return exceptions("dmssusp") == "s|id=2|SUSPEND_TABLE|delete"; }, 30s))
        << exceptions("dmssusp") << engine->Log();
    EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM s WHERE id = 11"), "0");
    RunResult stats = RunCutover(
        {"task", "stats", "--target", target->uri(), "--task", "dmssusp", "--json"}, 30s);
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    EXPECT_NE(stats.out.find("\"TableState\": \"suspended\""), std::string::npos) << stats.out;
    engine->Signal(SIGTERM);
    EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
  }

  // 3. STOP_TASK for updates: the task stops naming the row; nothing of its group is applied.
  {
    std::string settings = WriteTemp("stop.json", R"({"ErrorBehavior": {
        "ApplyErrorUpdatePolicy": "STOP_TASK"}})");
    EngineProcess engine(args("dmsstop", settings, {"p"}));
    ASSERT_TRUE(Eventually([&] { return loaded("p", "10"); }, 120s)) << engine.Log();
    MariaExec(*conn, "DELETE FROM p WHERE id = 4");
    Sql(*source, "BEGIN; UPDATE p SET v = 'w' WHERE id IN (3, 4); COMMIT;");
    EXPECT_EQ(engine.Wait(90s), 2) << engine.Log();
    std::string log = engine.Log();
    size_t at = log.find("cutover: error: ");
    ASSERT_NE(at, std::string::npos) << log;
    std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find("table public.p, key (id=4), update of source transaction"),
              std::string::npos)
        << line;
    EXPECT_NE(line.find("target row not found"), std::string::npos) << line;
    EXPECT_NE(line.find("(ApplyErrorUpdatePolicy is STOP_TASK)"), std::string::npos) << line;
    EXPECT_EQ(MariaValue(*conn, "SELECT v FROM p WHERE id = 3"), "v3");  // not half-applied
    EXPECT_EQ(exceptions("dmsstop"), "");
  }
}

// MariaDB -> PostgreSQL, row apply straight from the stream (the test above goes through the
// change spool, the default): LOG_ERROR for updates, IGNORE_RECORD for deletes; the changes
// found around them in the same source transaction are applied once, across kill -9.
TEST(DmsMissingRows, MariaDbToPgRowApplyLogAndIgnore) {
  auto source = StartMariaDb("dmsmr_msrc");
  auto target = StartPostgres("dmsmr_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, v varchar(40)) ENGINE=InnoDB;"
            "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_20;");
  MariaExec(*conn, "SET SESSION group_concat_max_len = 10000000");
  std::string settings = WriteTemp("logign.json", R"({"ErrorBehavior": {
      "ApplyErrorUpdatePolicy": "LOG_ERROR", "ApplyErrorDeletePolicy": "IGNORE_RECORD"}})");
  std::vector<std::string> args = {"replicate",   "--source",     source->uri(), "--target",
                                   target->uri(), "--task",       "dmsli",       "--task-settings",
                                   settings,      "--apply-mode", "row",         "--change-spool",
                                   "off"};
  auto engine = std::make_unique<EngineProcess>(args);
  std::string schema;
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT coalesce(max(table_schema), '') FROM information_schema.tables "
                     "WHERE table_name = 't'");
        return !schema.empty() && Sql(*target, "SELECT count(*) FROM \"" + schema + "\".t") == "20";
      },
      120s))
      << engine->Log();
  const std::string q = "\"" + schema + "\".t";
  Sql(*target, "DELETE FROM " + q + " WHERE id IN (3, 5)");
  MariaExec(*conn,
            "BEGIN; UPDATE t SET v = 'x3' WHERE id = 3; DELETE FROM t WHERE id = 5;"
            "UPDATE t SET v = 'x7' WHERE id = 7; INSERT INTO t VALUES (21, 'v21'); COMMIT;");
  auto maria_rows = [&](const std::string& where) {
    return MariaValue(*conn,
                      "SELECT coalesce(group_concat(concat_ws(':', id, v) ORDER BY id SEPARATOR "
                      "','), '') FROM t WHERE " +
                          where);
  };
  auto pg_rows = [&] {
    return Sql(*target,
               "SELECT coalesce(string_agg(concat_ws(':', id, v), ',' ORDER BY id), '') FROM " + q);
  };
  auto exceptions = [&] {
    return Sql(*target,
               "SELECT coalesce(string_agg(concat_ws('|', table_name, row_key, policy, operation), "
               "',' ORDER BY id), '') FROM cutover.apply_exceptions WHERE task = 'dmsli'");
  };
  EXPECT_TRUE(Eventually([&] { return pg_rows() == maria_rows("id <> 3"); }, 60s))
      << pg_rows() << "\n"
      << engine->Log();
  EXPECT_TRUE(Eventually(
      [&] { return exceptions() == "t|id=3|LOG_ERROR|update,t|id=5|IGNORE_RECORD|delete"; }, 30s))
      << exceptions() << "\n"
      << engine->Log();
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM cutover.apply_exceptions WHERE task = 'dmsli' AND error "
                "LIKE 'target row not found%' AND source_position <> '' AND row_values LIKE "
                "'%id=%'"),
            "2");
  EXPECT_NE(
      engine->Log().find("recorded in the exceptions table (ApplyErrorUpdatePolicy LOG_ERROR)"),
      std::string::npos)
      << engine->Log();
  // kill -9 during a stream of changes, one more missing row among them; then resume.
  Sql(*target, "DELETE FROM " + q + " WHERE id = 9");
  MariaExec(*conn,
            "INSERT INTO t SELECT seq, CONCAT('n', seq) FROM seq_100_to_400;"
            "UPDATE t SET v = 'x9' WHERE id = 9;"
            "UPDATE t SET v = CONCAT('u', id) WHERE id BETWEEN 100 AND 400 AND id % 3 = 0;");
  engine->Signal(SIGKILL);
  engine->Wait(10s);
  std::string first_log = engine->Log();
  engine = std::make_unique<EngineProcess>(args);
  EXPECT_TRUE(Eventually([&] { return pg_rows() == maria_rows("id NOT IN (3, 9)"); }, 90s))
      << first_log << engine->Log();
  EXPECT_TRUE(Eventually(
      [&] {
        return exceptions() ==
               "t|id=3|LOG_ERROR|update,t|id=5|IGNORE_RECORD|delete,t|id=9|LOG_ERROR|update";
      },
      30s))
      << exceptions() << "\n"
      << first_log << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

}  // namespace
}  // namespace cutover::testing
