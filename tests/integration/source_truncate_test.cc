// A source TRUNCATE during CDC, on real servers: MariaDB logs TRUNCATE as a statement even with
// binlog_format=ROW (no row events), so the stream must turn the statement into a truncate of
// the target table, in order with the rows around it; DMS's ChangeProcessingDdlHandlingPolicy
// keys HandleSourceTableTruncated: false (the target keeps its rows) and
// HandleSourceTableAltered: false (a schema change stops the task naming it); partition
// operations that remove rows without row events are named in a warning, not silently kept.
// Targets are SQLite files, read with SQL independently of the engine.
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteSettings(const std::string& name, const std::string& json) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "trunc-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << json;
  return path;
}

TEST(SourceTruncate, MariaDbTruncateStatementsEmptyTheTargetTableInOrder) {
  auto maria = StartMariaDb("trsrc");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, v varchar(20));"
            "CREATE TABLE u (id int PRIMARY KEY, v varchar(20));"
            "CREATE TABLE done (id int PRIMARY KEY);"
            "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c');"
            "INSERT INTO u VALUES (1,'a'),(2,'b');");
  SqliteDir dir;
  const std::string db = dir.path("t.db");
  EngineProcess engine(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("t.db"), "--task", "trm"});
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM u") == "2"; }, 120s))
      << engine.Log();
  // Rows before and after each TRUNCATE: only those after survive. The statement forms users
  // write: with and without TABLE, backquoted and qualified, a leading comment.
  MariaExec(*conn,
            "INSERT INTO t VALUES (4,'d');"
            "TRUNCATE TABLE t;"
            "INSERT INTO t VALUES (10,'after');"
            "UPDATE u SET v = 'changed' WHERE id = 1;"
            "/* cleanup */ truncate `cutover`.`u` NOWAIT -- trailing comment\n;"
            "INSERT INTO u VALUES (20,'after');"
            "INSERT INTO done VALUES (1);");
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM done") == "1"; }, 60s))
      << engine.Log();
  EXPECT_EQ(SqliteValue(db, "SELECT group_concat(id || ':' || v) FROM t"), "10:after");
  EXPECT_EQ(SqliteValue(db, "SELECT group_concat(id || ':' || v) FROM u"), "20:after");
  EXPECT_NE(engine.Log().find("TRUNCATE of cutover.t"), std::string::npos) << engine.Log();
  // After a restart the truncates are behind the checkpoint: nothing is emptied again.
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EngineProcess again(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("t.db"), "--task", "trm"});
  MariaExec(*conn, "INSERT INTO t VALUES (11,'later'); INSERT INTO done VALUES (2);");
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM done") == "2"; }, 60s))
      << again.Log();
  EXPECT_EQ(SqliteValue(db, "SELECT group_concat(id, ',') FROM (SELECT id FROM t ORDER BY id)"),
            "10,11");
  EXPECT_EQ(SqliteValue(db, "SELECT count(*) FROM u"), "1");
}

// ALTER TABLE ... TRUNCATE/DROP PARTITION removes rows without row events: not followed (the
// target keeps them, docs/ddl.md), but never silently: a warning names the table and the
// operation, and `cutover validate` names the rows.
TEST(SourceTruncate, MariaDbPartitionRowsRemovedAreNamedNotSilentlyKept) {
  auto maria = StartMariaDb("trpart");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE TABLE events (id int PRIMARY KEY, v varchar(20)) PARTITION BY RANGE (id) ("
            " PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200),"
            " PARTITION pmax VALUES LESS THAN MAXVALUE);"
            "CREATE TABLE done (id int PRIMARY KEY);"
            "INSERT INTO events VALUES (1,'a'),(2,'b'),(150,'c'),(250,'d');"
            // A partitioned table outside the task, and an empty table of the task with
            // which it swaps a partition's rows.
            "CREATE DATABASE archive;"
            "CREATE TABLE archive.old (id int PRIMARY KEY, v varchar(20)) PARTITION BY RANGE (id)"
            " (PARTITION p0 VALUES LESS THAN (1000), PARTITION pmax VALUES LESS THAN MAXVALUE);"
            "INSERT INTO archive.old VALUES (500, 'archived');"
            "CREATE TABLE Swap (id int PRIMARY KEY, v varchar(20));");
  SqliteDir dir;
  const std::string db = dir.path("t.db");
  EngineProcess engine(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("t.db"), "--task", "trp"});
  ASSERT_TRUE(
      Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM events") == "4"; }, 120s))
      << engine.Log();
  MariaExec(*conn,
            "ALTER TABLE events TRUNCATE PARTITION p0;"
            "/* monthly */ alter table `cutover`.`events` drop partition p1;"
            "ALTER TABLE done ADD COLUMN note int;"  // a schema statement, no rows removed
            "ALTER TABLE archive.old EXCHANGE PARTITION p0 WITH TABLE cutover.Swap;"
            "INSERT INTO events VALUES (3,'after');"
            "INSERT INTO done (id) VALUES (1);");
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM done") == "1"; }, 60s))
      << engine.Log();
  const std::string log = engine.Log();
  EXPECT_NE(log.find("TRUNCATE PARTITION of cutover.events removes rows without row events"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("DROP PARTITION of cutover.events removes rows without row events"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("EXCHANGE PARTITION of cutover.Swap removes rows without row events"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("of cutover.done removes rows"), std::string::npos) << log;
  EXPECT_EQ(log.find("of archive.old"), std::string::npos) << log;  // not a task table
  // Not followed: the target keeps the removed rows, and has the change after them.
  EXPECT_EQ(
      SqliteValue(db, "SELECT group_concat(id, ',') FROM (SELECT id FROM events ORDER BY id)"),
      "1,2,3,150,250");
  EXPECT_EQ(SqliteValue(db, "SELECT count(*) FROM Swap"), "0");  // the swapped-in row unseen
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << log;
  RunResult v = RunCutover({"validate", "--source", maria->uri(), "--target", dir.uri("t.db"),
                            "--tables", "cutover.events"},
                           120s);
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE((v.out + v.err).find("DIFFERS"), std::string::npos) << v.out << v.err;
}

TEST(SourceTruncate, HandleSourceTableTruncatedFalseKeepsTheTargetRows) {
  auto pg = StartPostgres("trpg");
  ASSERT_TRUE(pg);
  Sql(*pg,
      "CREATE TABLE t (id int PRIMARY KEY, v text);"
      "CREATE TABLE done (id int PRIMARY KEY);"
      "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 20) g;");
  SqliteDir dir;
  const std::string db = dir.path("t.db");
  const std::string settings = WriteSettings(
      "keep.json",
      R"({"ChangeProcessingDdlHandlingPolicy": {"HandleSourceTableTruncated": false}})");
  EngineProcess engine({"replicate", "--source", pg->uri(), "--target", dir.uri("t.db"), "--task",
                        "trk", "--task-settings", settings});
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM t") == "20"; }, 120s))
      << engine.Log();
  Sql(*pg, "TRUNCATE t; INSERT INTO t VALUES (100, 'after'); INSERT INTO done VALUES (1);");
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM done") == "1"; }, 60s))
      << engine.Log();
  EXPECT_EQ(SqliteValue(db, "SELECT count(*) FROM t"), "21");  // 20 kept + the new row
  EXPECT_EQ(SqliteValue(db, "SELECT v FROM t WHERE id = 100"), "after");
  EXPECT_NE(engine.Log().find("not applied on the target (HandleSourceTableTruncated is false)"),
            std::string::npos)
      << engine.Log();
}

TEST(SourceTruncate, HandleSourceTableAlteredFalseStopsNamingTheChange) {
  auto pg = StartPostgres("tralt");
  ASSERT_TRUE(pg);
  Sql(*pg,
      "CREATE TABLE t (id int PRIMARY KEY, v text);"
      "INSERT INTO t VALUES (1, 'a');");
  SqliteDir dir;
  const std::string db = dir.path("t.db");
  const std::string settings = WriteSettings(
      "stop.json", R"({"ChangeProcessingDdlHandlingPolicy": {"HandleSourceTableAltered": false}})");
  EngineProcess engine({"replicate", "--source", pg->uri(), "--target", dir.uri("t.db"), "--task",
                        "tra", "--task-settings", settings});
  ASSERT_TRUE(Eventually([&] { return SqliteValue(db, "SELECT count(*) FROM t") == "1"; }, 120s))
      << engine.Log();
  Sql(*pg,
      "INSERT INTO t VALUES (2, 'b'); ALTER TABLE t ADD COLUMN w int; "
      "INSERT INTO t VALUES (3, 'c', 3);");
  EXPECT_EQ(engine.Wait(60s), 2) << engine.Log();
  const std::string log = engine.Log();
  size_t at = log.find("cutover: error: ");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string line = log.substr(at, log.find('\n', at) - at);
  EXPECT_NE(line.find("table public.t: the source schema changed (add column w"), std::string::npos)
      << line;
  EXPECT_NE(line.find("HandleSourceTableAltered is false"), std::string::npos) << line;
  // Nothing after the change is applied. Row 2 came before it: it is on the target when its
  // group committed before the stop, else it was rolled back with the open group and comes with
  // the restart (the checkpoint is before it); either way row 3 is not there.
  EXPECT_EQ(SqliteValue(db, "SELECT count(*) FROM t WHERE id = 3"), "0");
  EXPECT_EQ(SqliteValue(db, "SELECT count(*) FROM t WHERE id = 1"), "1");
}

}  // namespace
}  // namespace cutover::testing
