// Each readiness check of `cutover assess` made to fail (or warn, for the warning-only ones) on
// real servers, several checks per fixture: a PostgreSQL source without free slots or WAL
// senders, with an unbounded slot WAL, a transaction held open, generated columns SQLite cannot
// compute, a table with three problems and a partition without a replica identity; a MariaDB
// source without binlog, with minimal row metadata, a SELECT-only user, a keyless MyISAM table
// and tables with a GEOMETRY column and foreign-key actions on a table outside the task; a
// SQLite source in rollback-journal mode that the running user cannot write, and one whose key
// does not compare bytewise. A table with several problems is named by every check it fails.
// The other checks fail in ops_assess_test.cc, ops_assess_fixtures_test.cc and
// ops_test_connection_test.cc (docs/operations.md lists which test fails which check;
// scripts/check-assess-coverage.sh checks that every check id is in a test).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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
      // SQLite computes in binary floating point: an exact decimal generated column wider than
      // 15 digits is refused (numeric(p,s) with p <= 15 is computed and rounded).
      "CREATE TABLE orders (id int PRIMARY KEY, price numeric(20,2), qty int,"
      "  total numeric(20,2) GENERATED ALWAYS AS (price * qty) STORED, note text);"
      // Three problems in one table: a generated key column (refused whole), no way for the
      // target to compute its other generated column, and REPLICA IDENTITY NOTHING (no key).
      "CREATE TABLE ledger (a int, b int GENERATED ALWAYS AS (a * 2) STORED PRIMARY KEY,"
      "  share numeric(20,4) GENERATED ALWAYS AS (a / 3.0) STORED);"
      "ALTER TABLE ledger REPLICA IDENTITY NOTHING;"
      // A partition that cannot identify its rows, published through its root.
      "CREATE TABLE rental (id int, day date, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);"
      "CREATE TABLE rental_2005 PARTITION OF rental FOR VALUES FROM ('2005-01-01') TO "
      "  ('2006-01-01');"
      "ALTER TABLE rental_2005 REPLICA IDENTITY NOTHING");
  // A transaction open for a while: named once it is older than --long-transaction-seconds.
  std::thread holder([&] { Sql(*pg, "BEGIN; SELECT txid_current(); SELECT pg_sleep(8); COMMIT"); });
  std::this_thread::sleep_for(3s);
  SqliteDir dir;
  json report =
      ExpectAssessment({"--source", pg->uri(), "--target", dir.uri("t.db"), "--tables",
                        "public.orders", "--tables", "public.ledger", "--tables", "public.rental",
                        "--tables", "public.no_such_table", "--long-transaction-seconds", "1"},
                       {"pg.replication_slots", "pg.wal_senders", "pg.replication_connection",
                        "tables.supported", "columns.generated", "tables.primary_key"},
                       {"pg.max_slot_wal_keep_size", "columns.lob", "pg.long_transactions"});
  holder.join();
  const std::string supported = FindCheck(report, "tables.supported").dump();
  EXPECT_NE(supported.find("no_such_table"), std::string::npos) << supported;
  EXPECT_NE(supported.find("column public.ledger.b"), std::string::npos) << supported;
  const std::string generated = FindCheck(report, "columns.generated").dump();
  EXPECT_NE(generated.find("column public.orders.total"), std::string::npos) << generated;
  EXPECT_NE(generated.find("column public.ledger.share"), std::string::npos) << generated;
  const std::string keys = FindCheck(report, "tables.primary_key").dump();
  EXPECT_NE(keys.find("table public.ledger"), std::string::npos) << keys;
  EXPECT_NE(keys.find("table public.rental_2005 (partition of public.rental)"), std::string::npos)
      << keys;
  EXPECT_EQ(keys.find("table public.orders"), std::string::npos) << keys;
  EXPECT_NE(FindCheck(report, "columns.lob").dump().find("note"), std::string::npos);
  EXPECT_NE(FindCheck(report, "pg.long_transactions").dump().find("backend pid"),
            std::string::npos);
  // Facts, always passed (docs/operations.md says why no test can fail them).
  EXPECT_EQ(FindCheck(report, "pg.version_supported")["status"], "passed");
  EXPECT_EQ(FindCheck(report, "postgresql.version")["status"], "passed");
  // The default threshold (300 s) does not name a transaction of seconds.
  RunResult r = RunCutover({"test-connection", "--source", pg->uri(), "--json"}, 60s);
  json tc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(tc.is_discarded()) << r.out << r.err;
  EXPECT_EQ(FindCheck(tc, "pg.long_transactions")["status"], "passed") << r.out;
}

TEST(OpsAssessChecks, MariaDbSourceWithoutBinlogPrivilegesOrInnoDb) {
  auto maria = StartMariaDb("acmaria", "--skip-log-bin --binlog-row-metadata=MINIMAL");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  // The user has SELECT only: information_schema.REFERENTIAL_CONSTRAINTS hides the foreign
  // keys from it, SHOW CREATE TABLE does not (their actions are still found).
  MariaExec(*conn,
            "CREATE USER weak@'%' IDENTIFIED BY 'weakpw';"
            "GRANT SELECT ON cutover.* TO weak@'%';"
            "CREATE TABLE legacy (id INT, doc LONGTEXT) ENGINE=MyISAM;"
            "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;"
            "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, CONSTRAINT fk_child_parent "
            "FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;"
            "CREATE TABLE place (id INT PRIMARY KEY, parent_id INT, location GEOMETRY,"
            " CONSTRAINT fk_place_parent FOREIGN KEY (parent_id) REFERENCES parent (id)"
            " ON DELETE SET NULL) ENGINE=InnoDB");
  const std::string weak =
      "mariadb://weak:weakpw@127.0.0.1:" + std::to_string(maria->port()) + "/cutover";
  SqliteDir dir;
  json report = ExpectAssessment(
      {"--source", weak, "--target", dir.uri("t.db"), "--tables", "cutover.child", "--tables",
       "cutover.legacy", "--tables", "cutover.place"},
      {"maria.log_bin", "maria.binlog_row_metadata", "maria.replication_privileges",
       "source.change_capture", "tables.supported", "tables.primary_key", "foreign_keys.in_task"},
      {});
  // A table with several problems is named by every check it fails.
  const std::string supported = FindCheck(report, "tables.supported").dump();
  EXPECT_NE(supported.find("table cutover.legacy"), std::string::npos) << supported;
  EXPECT_NE(supported.find("column cutover.place.location"), std::string::npos) << supported;
  const std::string keys = FindCheck(report, "tables.primary_key").dump();
  EXPECT_NE(keys.find("table cutover.legacy"), std::string::npos) << keys;
  const std::string fks = FindCheck(report, "foreign_keys.in_task").dump();
  EXPECT_NE(fks.find("table cutover.child"), std::string::npos) << fks;
  EXPECT_NE(fks.find("table cutover.place"), std::string::npos) << fks;
  EXPECT_NE(fks.find("fk_child_parent"), std::string::npos) << fks;
  for (const char* fact : {"maria.server_id", "maria.max_allowed_packet", "mariadb.version"})
    EXPECT_EQ(FindCheck(report, fact)["status"], "passed") << fact;
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

// A SQLite key column that does not compare bytewise: capture cannot find its rows again by key.
// assess fails tables.primary_key; replicate refuses the same before it creates anything.
TEST(OpsAssessChecks, SqliteSourceKeyThatDoesNotCompareBytewise) {
  SqliteDir dir;
  const std::string file = dir.path("app.db");
  SqliteExec(file,
             "CREATE TABLE genre (name TEXT PRIMARY KEY COLLATE NOCASE, note TEXT);"
             "INSERT INTO genre VALUES ('Rock', NULL);"
             "CREATE TABLE track (id INTEGER PRIMARY KEY, genre TEXT);");
  json report = ExpectAssessment({"--source", "sqlite://" + file, "--target", dir.uri("t.db")},
                                 {"tables.primary_key"}, {});
  const std::string keys = FindCheck(report, "tables.primary_key").dump();
  EXPECT_NE(keys.find("table main.genre"), std::string::npos) << keys;
  EXPECT_NE(keys.find("COLLATE NOCASE"), std::string::npos) << keys;
  EXPECT_EQ(keys.find("main.track"), std::string::npos) << keys;
  RunResult r = RunCutover({"replicate", "--source", "sqlite://" + file, "--target",
                            dir.uri("t.db"), "--task", "nocase"},
                           60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot start: table main.genre: key column name (COLLATE NOCASE)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(SqliteValue(file, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%cutover%'"),
            "0");
  // A full load does not capture changes: nothing to refuse.
  RunResult full = RunCutover({"assess", "--source", "sqlite://" + file, "--target",
                               dir.uri("t.db"), "--type", "full-load", "--json"},
                              60s);
  EXPECT_EQ(full.exit_code, 0) << full.out << full.err;
}

// The file endpoints' facts pass; a source that is not there cannot be assessed (exit 2, the
// failed task.assessed check says why).
TEST(OpsAssessChecks, FileEndpointFactsAndASourceThatIsNotThere) {
  SqliteDir dir;
  SqliteExec(dir.path("app.db"), "CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
  std::filesystem::create_directory(dir.path("lake"));
  RunResult r = RunCutover({"test-connection", "--source", dir.uri("app.db"), "--target",
                            "file://" + dir.path("lake"), "--json"},
                           60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  for (const char* fact : {"sqlite.version", "lakehouse.connect", "lakehouse.version"})
    EXPECT_EQ(FindCheck(report, fact)["status"], "passed") << fact << ": " << r.out;

  r = RunCutover(
      {"assess", "--source", dir.uri("missing.db"), "--target", dir.uri("t.db"), "--json"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  EXPECT_EQ(FindCheck(report, "sqlite.file")["status"], "failed") << r.out;
  EXPECT_EQ(FindCheck(report, "task.assessed")["status"], "failed") << r.out;
  EXPECT_NE(r.err.find("cannot assess"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cutover::testing
