// `cutover test-connection` on real servers: a ready endpoint passes every check (exit 0); each
// setting CDC needs, when wrong, fails its named check with the remedy (exit 2); a wrong password
// or an unreachable port fails the connect check without printing the password.
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "Xy7secretPw";

// The line of `out` that shows check `id` ("" when none).
std::string CheckLine(const std::string& out, const std::string& id) {
  size_t p = out.find(" " + id + " ");
  if (p == std::string::npos) return "";
  size_t b = out.rfind('\n', p);
  size_t e = out.find('\n', p);
  return out.substr(b == std::string::npos ? 0 : b + 1,
                    e == std::string::npos ? std::string::npos : e - b - 1);
}

void ExpectNoSecret(const RunResult& r) {
  EXPECT_EQ(r.out.find(kSecret), std::string::npos) << "password leaked: " << r.out;
  EXPECT_EQ(r.err.find(kSecret), std::string::npos) << "password leaked: " << r.err;
}

TEST(OpsTestConnection, PostgresChecksPassThenWalLevelRoleAndPasswordFail) {
  auto pg = StartPostgres("tcpg");
  ASSERT_TRUE(pg);
  Sql(*pg, "CREATE ROLE alice LOGIN REPLICATION PASSWORD '" + std::string(kSecret) +
               "'; CREATE ROLE bob LOGIN PASSWORD '" + kSecret + "'");
  auto uri = [&](const std::string& user, const std::string& pw) {
    return "postgresql://" + user + ":" + pw + "@127.0.0.1:" + std::to_string(pg->port()) +
           "/cutover";
  };

  RunResult r = RunCutover(
      {"test-connection", "--source", uri("alice", kSecret), "--target", pg->uri()}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* id :
       {"postgresql.connect", "postgresql.version", "pg.wal_level", "pg.replication_role",
        "pg.replication_slots", "pg.wal_senders", "pg.replication_connection",
        "pg.create_privilege", "pg.session_replication_role"}) {
    EXPECT_EQ(CheckLine(r.out, id).find("passed"), 2u) << id << "\n" << r.out;
  }
  EXPECT_NE(CheckLine(r.out, "postgresql.version").find("PostgreSQL 15"), std::string::npos);
  ExpectNoSecret(r);

  // A role without REPLICATION: the role check fails and names the remedy. As a target, a role
  // that may not create schemas fails, and one that may not set session_replication_role is
  // warned about.
  r = RunCutover(
      {"test-connection", "--source", uri("bob", kSecret), "--target", uri("bob", kSecret)}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "pg.create_privilege").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("remedy: GRANT CREATE ON DATABASE cutover TO bob"), std::string::npos)
      << r.out;
  EXPECT_NE(CheckLine(r.out, "pg.session_replication_role").find("WARNING"), std::string::npos)
      << r.out;
  EXPECT_NE(CheckLine(r.out, "pg.replication_role").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("remedy: ALTER ROLE bob REPLICATION"), std::string::npos) << r.out;
  ExpectNoSecret(r);

  // A wrong password: the connect check fails, neither password is printed.
  r = RunCutover({"test-connection", "--source", uri("alice", "wrongpw9")}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "postgresql.connect").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("password"), std::string::npos) << r.out;  // says what to check
  EXPECT_EQ(r.out.find("wrongpw9"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("wrongpw9"), std::string::npos) << r.err;
  ExpectNoSecret(r);

  // wal_level=replica: named with its remedy; replicate refuses the same way.
  Sql(*pg, "ALTER SYSTEM SET wal_level = 'replica'");
  std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D " + pg->dir() + "/data -w -t 60 -l " +
                       pg->dir() + "/postgres.log restart";
  std::string cmd = (geteuid() == 0 ? "runuser -u postgres -- " : "") + pg_ctl + " >/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  r = RunCutover({"test-connection", "--source", uri("alice", kSecret), "--json"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("\"id\": \"pg.wal_level\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wal_level=replica"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ALTER SYSTEM SET wal_level = logical"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"failed\": 1"), std::string::npos) << r.out;
  ExpectNoSecret(r);
}

TEST(OpsTestConnection, MariaDbStatementFormatAndUnreachablePortFail) {
  auto maria = StartMariaDb("tcmaria");
  ASSERT_TRUE(maria);
  RunResult r =
      RunCutover({"test-connection", "--source", maria->uri(), "--target", maria->uri()}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* id : {"mariadb.connect", "maria.log_bin", "maria.binlog_format",
                         "maria.binlog_row_image", "maria.binlog_row_metadata",
                         "maria.replication_privileges", "maria.server_id", "maria.local_infile"}) {
    EXPECT_EQ(CheckLine(r.out, id).find("passed"), 2u) << id << "\n" << r.out;
  }

  auto conn = MariaConnect(*maria);
  ASSERT_TRUE(conn);
  MariaExec(*conn, "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
  MariaExec(*conn,
            "SET GLOBAL binlog_format = 'STATEMENT'; SET GLOBAL binlog_row_image = 'MINIMAL'");
  r = RunCutover({"test-connection", "--source", maria->uri()}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "maria.binlog_format").find("binlog_format is STATEMENT"),
            std::string::npos)
      << r.out;
  EXPECT_NE(CheckLine(r.out, "maria.binlog_row_image").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("remedy: SET GLOBAL binlog_format=ROW"), std::string::npos) << r.out;
  // replicate refuses for the same reason, in its start report.
  SqliteDir dir;
  r = RunCutover(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("t.db"), "--task", "tc"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("binlog_format is STATEMENT"), std::string::npos) << r.err;
  MariaExec(*conn, "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'FULL'");

  // A target without local_infile fails; binlogs that expire within the hour are warned about.
  MariaExec(*conn, "SET GLOBAL local_infile = 0; SET GLOBAL binlog_expire_logs_seconds = 3600");
  r = RunCutover({"test-connection", "--source", maria->uri(), "--target", maria->uri()}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "maria.local_infile").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(CheckLine(r.out, "maria.binlog_retention").find("WARNING"), std::string::npos) << r.out;
  EXPECT_NE(CheckLine(r.out, "maria.binlog_retention").find("3600 s"), std::string::npos) << r.out;
  MariaExec(*conn, "SET GLOBAL local_infile = 1; SET GLOBAL binlog_expire_logs_seconds = 0");

  // Nothing listens on the port: one failed connect check, exit 2.
  std::string dead = "mariadb://root:" + std::string(kSecret) + "@127.0.0.1:1/cutover";
  r = RunCutover({"test-connection", "--target", dead}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "mariadb.connect").find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host and port"), std::string::npos) << r.out;
  ExpectNoSecret(r);
}

TEST(OpsTestConnection, SqliteMissingSourceFileAndBadInput) {
  SqliteDir dir;
  RunResult r = RunCutover({"test-connection", "--source", dir.uri("missing.db")}, 30s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(CheckLine(r.out, "sqlite.file").find("does not exist"), std::string::npos) << r.out;
  // A target file that does not exist yet is fine: the task creates it.
  r = RunCutover({"test-connection", "--target", dir.uri("new.db")}, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // Bad input: one line, exit 2.
  r = RunCutover({"test-connection"}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cutover: error: give --source"), std::string::npos) << r.err;
  r = RunCutover({"test-connection", "--source", "oracle://u:pw@h/x"}, 30s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("pw@"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cutover::testing
