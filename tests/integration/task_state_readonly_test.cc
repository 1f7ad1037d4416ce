// Reading a task's state never creates anything on the target (issue 13, "read-only task
// state"): on each engine, a target cutover never wrote to is read through the engine's
// task-state reader and through its Sink::ReadTaskState, and its catalog (schemas and tables,
// listed by the server's own SQL) is the same before and after. Then the explicit step,
// Sink::CreateControlTables, creates the control tables, and the reader reads a state written
// by hand, so the "no state" answer above is not a reader that never finds anything.
#include <gtest/gtest.h>

#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_task_state.h"
#include "engine/pg/pg_sink.h"
#include "engine/pg/pg_task_state.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_task_state.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

#include <sys/stat.h>

namespace cutover::testing {
namespace {

constexpr const char* kPgCatalog =
    "SELECT string_agg(n.nspname || '.' || coalesce(c.relname, '-'), ',' ORDER BY 1) FROM "
    "pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname NOT IN "
    "('pg_catalog', 'information_schema', 'pg_toast')";

TEST(TaskStateReadOnly, PostgresReaderCreatesNothing) {
  auto pg = StartPostgres("tsro_pg");
  ASSERT_TRUE(pg);
  Sql(*pg, "CREATE TABLE app (id int PRIMARY KEY, v text)");
  const std::string before = Sql(*pg, kPgCatalog);

  auto state = pg::ReadPgTaskState(pg->uri(), "t1");
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_FALSE(state->has_value()) << "no control tables: no state";
  pg::PgSink sink(pg->uri());
  auto via_sink = sink.ReadTaskState("t1");
  ASSERT_TRUE(via_sink.ok()) << via_sink.status().message();
  EXPECT_FALSE(via_sink->applied);
  EXPECT_TRUE(via_sink->loaded.empty());
  EXPECT_EQ(Sql(*pg, kPgCatalog), before);
  EXPECT_EQ(Sql(*pg, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cutover'"), "0");

  ASSERT_TRUE(sink.CreateControlTables().ok());
  // checkpoint, table_state, table_stats, apply_exceptions, load_range
  EXPECT_EQ(Sql(*pg, "SELECT count(*) FROM pg_tables WHERE schemaname = 'cutover'"), "5");
  Sql(*pg,
      "INSERT INTO cutover.checkpoint VALUES ('t1', '0/16B3748', now());"
      "INSERT INTO cutover.table_state VALUES ('t1', 'public', 'app', '0/16B3700', 7, now())");
  state = pg::ReadPgTaskState(pg->uri(), "t1");
  ASSERT_TRUE(state.ok() && state->has_value());
  ASSERT_TRUE((*state)->applied);
  EXPECT_EQ((*state)->applied->text, "0/16B3748");
  ASSERT_EQ((*state)->loaded.size(), 1u);
  EXPECT_EQ((*state)->loaded.begin()->second.rows, 7);
  state = pg::ReadPgTaskState(pg->uri(), "other");
  ASSERT_TRUE(state.ok() && state->has_value()) << "control tables exist: an empty state";
  EXPECT_FALSE((*state)->applied);
}

TEST(TaskStateReadOnly, MariaDbReaderCreatesNothing) {
  auto maria = StartMariaDb("tsro_maria");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  MariaExec(*conn, "CREATE TABLE app (id INT PRIMARY KEY, v TEXT)");
  const std::string catalog =
      "SELECT GROUP_CONCAT(CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) ORDER BY 1) FROM "
      "information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ('mysql', 'information_schema', "
      "'performance_schema', 'sys')";
  const std::string schemas =
      "SELECT GROUP_CONCAT(SCHEMA_NAME ORDER BY 1) FROM information_schema.SCHEMATA";
  const std::string before = MariaValue(*conn, catalog),
                    schemas_before = MariaValue(*conn, schemas);

  auto state = mariadb::ReadMariaTaskState(maria->uri(), "t1");
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_FALSE(state->has_value()) << "no control tables: no state";
  mariadb::MariaSink sink(maria->uri());
  auto via_sink = sink.ReadTaskState("t1");
  ASSERT_TRUE(via_sink.ok()) << via_sink.status().message();
  EXPECT_FALSE(via_sink->applied);
  EXPECT_TRUE(via_sink->loaded.empty());
  EXPECT_EQ(MariaValue(*conn, catalog), before);
  EXPECT_EQ(MariaValue(*conn, schemas), schemas_before);

  ASSERT_TRUE(sink.CreateControlTables().ok());
  // checkpoint, table_state, table_stats, apply_exceptions, load_range
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME LIKE '\\_cutover\\_%'"),
            "5");
  MariaExec(*conn,
            "INSERT INTO _cutover_checkpoint VALUES ('t1', '3:1234', UTC_TIMESTAMP(6));"
            "INSERT INTO _cutover_table_state VALUES ('t1', 'src', 'app', '3:1000', 7, "
            "UTC_TIMESTAMP(6))");
  state = mariadb::ReadMariaTaskState(maria->uri(), "t1");
  ASSERT_TRUE(state.ok() && state->has_value());
  ASSERT_TRUE((*state)->applied);
  EXPECT_EQ((*state)->applied->text, "3:1234");
  ASSERT_EQ((*state)->loaded.size(), 1u);
  EXPECT_EQ((*state)->loaded.begin()->first.name, "app");
}

TEST(TaskStateReadOnly, SqliteReaderCreatesNothing) {
  SqliteDir dir;
  // No file at all: nothing is created, not even the file.
  auto state = sqlite::ReadSqliteTaskState(dir.uri("absent.db"), "t1");
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_FALSE(state->has_value());
  sqlite::SqliteSink absent(dir.uri("absent.db"));
  ASSERT_TRUE(absent.ReadTaskState("t1").ok());
  struct stat st;
  EXPECT_NE(stat(dir.path("absent.db").c_str(), &st), 0) << "reading created the file";

  // A file with the application's tables only (rollback journal, as an application may use).
  SqliteExec(dir.path("t.db"), "CREATE TABLE app (id INTEGER PRIMARY KEY, v TEXT)");
  const std::string catalog =
      "SELECT group_concat(type || ':' || name, ',') FROM (SELECT type, name FROM sqlite_schema "
      "ORDER BY 1, 2)";
  const std::string before = SqliteValue(dir.path("t.db"), catalog);
  const std::string journal = SqliteValue(dir.path("t.db"), "PRAGMA journal_mode");
  state = sqlite::ReadSqliteTaskState(dir.uri("t.db"), "t1");
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_FALSE(state->has_value()) << "no control tables: no state";
  sqlite::SqliteSink sink(dir.uri("t.db"));
  auto via_sink = sink.ReadTaskState("t1");
  ASSERT_TRUE(via_sink.ok()) << via_sink.status().message();
  EXPECT_FALSE(via_sink->applied);
  EXPECT_TRUE(via_sink->loaded.empty());
  EXPECT_EQ(SqliteValue(dir.path("t.db"), catalog), before);
  EXPECT_EQ(SqliteValue(dir.path("t.db"), "PRAGMA journal_mode"), journal);

  ASSERT_TRUE(sink.CreateControlTables().ok());
  // checkpoint, table_state, table_stats, load_range
  EXPECT_EQ(SqliteValue(dir.path("t.db"),
                        "SELECT count(*) FROM sqlite_schema WHERE name LIKE '\\_cutover\\_%' "
                        "ESCAPE '\\'"),
            "4");
  SqliteExec(dir.path("t.db"),
             "INSERT INTO _cutover_checkpoint VALUES ('t1', '42', 'now');"
             "INSERT INTO _cutover_table_state VALUES ('t1', 'main', 'app', '40', 7, 'now')");
  state = sqlite::ReadSqliteTaskState(dir.uri("t.db"), "t1");
  ASSERT_TRUE(state.ok() && state->has_value());
  ASSERT_TRUE((*state)->applied);
  EXPECT_EQ((*state)->applied->text, "42");
  ASSERT_EQ((*state)->loaded.size(), 1u);
  EXPECT_EQ((*state)->loaded.begin()->second.rows, 7);
}

}  // namespace
}  // namespace cutover::testing
