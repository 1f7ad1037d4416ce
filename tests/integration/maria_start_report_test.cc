// A MariaDB source with sakila's shapes cutover cannot replicate (a `geometry` column, a MyISAM
// table) and a user without replication privileges: one run names every problem, each with its
// remedy, and creates nothing; leaving the tables out with --exclude-tables then works.
// Regression test of issue 12 item 8 (problems used to surface one per run).
#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

TEST(MariaStartReport, GeometryMyIsamAndPrivilegesNamedInOneRun) {
  auto source = StartMariaDb("mrep");
  ASSERT_TRUE(source);
  auto conn = MariaConnect(*source);
  ASSERT_TRUE(conn);
  MariaExec(*conn,
            "CREATE TABLE actor (actor_id SMALLINT UNSIGNED PRIMARY KEY, first_name VARCHAR(45) "
            "NOT NULL, last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB");
  MariaExec(*conn,
            "CREATE TABLE address (address_id SMALLINT UNSIGNED PRIMARY KEY, address VARCHAR(50) "
            "NOT NULL, location GEOMETRY NOT NULL, SPATIAL KEY idx_location (location)) "
            "ENGINE=InnoDB");
  MariaExec(*conn, "CREATE TABLE legacy_log (id INT PRIMARY KEY, msg TEXT) ENGINE=MyISAM");
  MariaExec(*conn,
            "INSERT INTO actor (actor_id, first_name) VALUES (1, 'PENELOPE'), (2, 'NICK');"
            "INSERT INTO address VALUES (1, '47 MySakila Drive', POINT(-112.8185, 49.6999));"
            "INSERT INTO legacy_log VALUES (1, 'x')");
  MariaExec(*conn,
            "CREATE USER 'app'@'%' IDENTIFIED BY 'apppw'; GRANT SELECT ON cutover.* TO 'app'@'%'");
  std::string app_uri = source->uri();
  app_uri.replace(app_uri.find("://") + 3, app_uri.find('@') - app_uri.find("://") - 3,
                  "app:apppw");
  SqliteDir dir;

  RunResult r = RunCutover(
      {"replicate", "--source", app_uri, "--target", dir.uri("t.db"), "--task", "sakila"}, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("3 problems"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column cutover.address.location: MariaDB type geometry is not supported"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("leave table address out with --exclude-tables 'address'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("table cutover.legacy_log: uses the MyISAM storage engine"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--exclude-tables 'legacy_log'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lacks REPLICATION SLAVE"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("apppw"), std::string::npos) << r.err;
  // Nothing was created on the target.
  EXPECT_EQ(SqliteValue(dir.path("t.db"),
                        "SELECT count(*) FROM sqlite_master WHERE name LIKE "
                        "'actor'"),
            "0");

  // A misspelt exclusion is named in the same report as the rest.
  r = RunCutover({"replicate", "--source", app_uri, "--target", dir.uri("t.db"), "--task", "sakila",
                  "--exclude-tables", "adress", "--exclude-tables", "legacy_log"},
                 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("3 problems"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--exclude-tables 'adress': matches no table"), std::string::npos) << r.err;

  // Left out, the rest replicates.
  r = RunCutover(
      {"replicate", "--source", source->uri(), "--target", dir.uri("t.db"), "--task", "sakila",
       "--type", "full-load", "--exclude-tables", "address", "--exclude-tables", "legacy%"},
      60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteValue(dir.path("t.db"),
                        "SELECT group_concat(first_name, ',') FROM "
                        "(SELECT first_name FROM actor ORDER BY actor_id)"),
            "PENELOPE,NICK");
  EXPECT_EQ(SqliteValue(dir.path("t.db"),
                        "SELECT count(*) FROM sqlite_master WHERE name IN "
                        "('address', 'legacy_log')"),
            "0");
}

}  // namespace
}  // namespace cutover::testing
