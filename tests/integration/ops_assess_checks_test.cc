// Each readiness check of `cutover assess` made to fail (or warn, for the warning-only ones) on
// real servers, several checks per fixture: a PostgreSQL source without free slots or WAL senders
// and with an unbounded slot WAL; a MariaDB source without binlog, with minimal row metadata,
// a user without replication privileges and a MyISAM table; a SQLite source in rollback-journal
// mode that the running user cannot write. The other checks fail in ops_assess_test.cc and
// ops_test_connection_test.cc (docs/operations.md lists which test fails which check).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {

// The `cutover` binary under test (tests/integration/support/test_support.cc).
std::string CutoverBinary();

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

json FindCheck(const json& report, const std::string& id) {
  for (const json& section : report["sections"])
    for (const json& c : section["checks"])
      if (c["id"] == id) return c;
  return json();
}

// Runs `cutover assess ARGS --json`; expects exit 1 and every check of `failed` failed and of
// `warned` warning in the one report.
json ExpectAssessment(const std::vector<std::string>& args, const std::vector<std::string>& failed,
                      const std::vector<std::string>& warned) {
  std::vector<std::string> argv = {"assess"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--json");
  RunResult r = RunCutover(argv, 90s);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  json report = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << r.out << r.err;
  if (report.is_discarded()) return report;
  for (const std::string& id : failed)
    EXPECT_EQ(FindCheck(report, id)["status"], "failed") << id << ": " << FindCheck(report, id);
  for (const std::string& id : warned)
    EXPECT_EQ(FindCheck(report, id)["status"], "warning") << id << ": " << FindCheck(report, id);
  return report;
}

TEST(OpsAssessChecks, PostgresSourceWithoutSlotsOrSendersAndTablesTheTargetCannotTake) {
  auto pg = StartPostgres("acpg");
  ASSERT_TRUE(pg);
  // One slot, already taken; no WAL sender; slots may keep WAL without bound.
  Sql(*pg,
      "ALTER SYSTEM SET max_replication_slots = 1; ALTER SYSTEM SET max_wal_senders = 0;"
      "ALTER SYSTEM SET max_slot_wal_keep_size = -1");
  std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D " + pg->dir() + "/data -w -t 60 -l " +
                       pg->dir() + "/postgres.log restart";
  std::string cmd = (geteuid() == 0 ? "runuser -u postgres -- " : "") + pg_ctl + " >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Sql(*pg,
      "SELECT pg_create_logical_replication_slot('someone_elses', 'pgoutput');"
      // SQLite computes in binary floating point: an exact decimal generated column is refused.
      "CREATE TABLE orders (id int PRIMARY KEY, price numeric(10,2), qty int,"
      "  total numeric(10,2) GENERATED ALWAYS AS (price * qty) STORED, note text)");
  SqliteDir dir;
  json report = ExpectAssessment(
      {"--source", pg->uri(), "--target", dir.uri("t.db"), "--tables", "public.orders", "--tables",
       "public.no_such_table"},
      {"pg.replication_slots", "pg.wal_senders", "pg.replication_connection", "tables.supported"},
      {"pg.max_slot_wal_keep_size", "columns.lob"});
  EXPECT_NE(FindCheck(report, "tables.supported").dump().find("no_such_table"), std::string::npos);
  EXPECT_NE(FindCheck(report, "columns.lob").dump().find("note"), std::string::npos);
}

TEST(OpsAssessChecks, MariaDbSourceWithoutBinlogPrivilegesOrInnoDb) {
  auto maria = StartMariaDb("acmaria", "--skip-log-bin --binlog-row-metadata=MINIMAL");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE USER weak@'%' IDENTIFIED BY 'weakpw';"
            "GRANT SELECT ON cutover.* TO weak@'%';"
            "CREATE TABLE legacy (id INT PRIMARY KEY, doc LONGTEXT) ENGINE=MyISAM;"
            "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;"
            "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, CONSTRAINT fk_child_parent "
            "FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB");
  const std::string weak =
      "mariadb://weak:weakpw@127.0.0.1:" + std::to_string(maria->port()) + "/cutover";
  SqliteDir dir;
  json report = ExpectAssessment(
      {"--source", weak, "--target", dir.uri("t.db"), "--tables", "cutover.child", "--tables",
       "cutover.legacy"},
      {"maria.log_bin", "maria.binlog_row_metadata", "maria.replication_privileges",
       "source.change_capture", "tables.supported"},
      {});
  EXPECT_NE(FindCheck(report, "tables.supported").dump().find("legacy"), std::string::npos);
  EXPECT_EQ(report.dump().find("weakpw"), std::string::npos);
}

TEST(OpsAssessChecks, SqliteSourceInJournalModeThatTheUserCannotWrite) {
  SqliteDir dir;
  const std::string shared = dir.path("shared");
  std::filesystem::create_directory(shared);
  const std::string file = shared + "/app.db";
  SqliteExec(file,
             "PRAGMA journal_mode=DELETE; CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT);"
             "INSERT INTO items VALUES (1, 'a')");
  // Readable by everyone, writable by its owner (root) only; the check runs as another user.
  chmod(dir.path("").c_str(), 0755);
  chmod(shared.c_str(), 0755);
  chmod(file.c_str(), 0644);
  ASSERT_EQ(geteuid(), 0u) << "needs root to run the check as another user";
  const std::string out = dir.path("out.json");
  const std::string cmd = "runuser -u postgres -- " + CutoverBinary() +
                          " test-connection --source sqlite://" + file + " --json > " + out;
  EXPECT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 2) << cmd;
  json report = json::parse(ReadFile(out), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(FindCheck(report, "sqlite.writable")["status"], "failed") << report.dump();
  EXPECT_EQ(FindCheck(report, "sqlite.journal_mode")["status"], "warning") << report.dump();
  // As its owner: writable, and assess still warns of the journal mode (exit 0: warnings only).
  RunResult r = RunCutover(
      {"assess", "--source", "sqlite://" + file, "--target", dir.uri("t.db"), "--json"}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  report = json::parse(r.out, nullptr, false);
  EXPECT_EQ(FindCheck(report, "sqlite.journal_mode")["status"], "warning") << r.out;
  EXPECT_EQ(FindCheck(report, "sqlite.writable")["status"], "passed") << r.out;
}

}  // namespace
}  // namespace cutover::testing
