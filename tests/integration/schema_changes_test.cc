// Source schema changes during CDC (docs/ddl.md), against real servers: a PostgreSQL source
// adds a column with a default and fills it, renames a column, widens a type and drops a column
// while rows keep changing around each step; the PostgreSQL and MariaDB targets follow, in
// order with the data. Both sides are compared with SQL written here, column by column.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <thread>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The same rows, read the same way, from a MariaDB source table.
const char* kMariaSourceRows =
    "SELECT CONCAT(count(*), '|', md5(group_concat(CONCAT(id, ':', coalesce(a2, '~'), ':', "
    "coalesce(b, '~'), ':', note) ORDER BY id SEPARATOR ','))) FROM t";

// The source's table before the changes, its rows, and the steps: each a DDL then writes that
// need it (the new column, the new name, the wider type, the missing column).
const char* kSetup =
    "CREATE SCHEMA ddl;"
    "CREATE TABLE ddl.t (id int PRIMARY KEY, a text, b varchar(10), gone int);"
    "INSERT INTO ddl.t SELECT g, 'a' || g, 'b' || g, g FROM generate_series(1, 100) g;";

const std::vector<std::string> kSteps = {
    "INSERT INTO ddl.t VALUES (101, 'before', 'x', 1);",
    "ALTER TABLE ddl.t ADD COLUMN note text NOT NULL DEFAULT 'none';"
    "INSERT INTO ddl.t (id, a, b, gone, note) VALUES (102, 'with note', 'y', 2, 'given');"
    "UPDATE ddl.t SET note = 'n' || id WHERE id % 2 = 0;",
    "ALTER TABLE ddl.t RENAME COLUMN a TO a2;"
    "UPDATE ddl.t SET a2 = a2 || '!' WHERE id % 3 = 0;"
    "INSERT INTO ddl.t (id, a2, b, gone) VALUES (103, 'renamed', 'z', 3);",
    "ALTER TABLE ddl.t ALTER COLUMN b TYPE varchar(50);"
    "UPDATE ddl.t SET b = repeat('w', 45) WHERE id < 10;",
    "ALTER TABLE ddl.t DROP COLUMN gone;"
    "INSERT INTO ddl.t (id, a2, b) VALUES (104, 'after drop', 'q');"
    "DELETE FROM ddl.t WHERE id BETWEEN 50 AND 59;",
};

// The rows as one text, the same expression on both engines' SQL.
const char* kPgRows =
    "SELECT count(*) || '|' || md5(string_agg(id || ':' || coalesce(a2, '~') || ':' || "
    "coalesce(b, '~') || ':' || note, ',' ORDER BY id)) FROM ";
const char* kMariaRows =
    "SELECT CONCAT(count(*), '|', md5(group_concat(CONCAT(id, ':', coalesce(a2, '~'), ':', "
    "coalesce(b, '~'), ':', note) ORDER BY id SEPARATOR ','))) FROM ";

class SchemaChanges : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    source_ = StartPostgres("src");
    ASSERT_TRUE(source_);
    if (GetParam() == "postgresql") {
      target_ = StartPostgres("tgt");
    } else {
      auto m = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, "tgt");
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      target_ = std::move(m).value();
    }
    ASSERT_TRUE(target_);
  }

  bool Pg() const { return GetParam() == "postgresql"; }

  std::string TargetRows() {
    auto r = target_->Sql(Pg() ? std::string(kPgRows) + "ddl.t"
                               : "SET SESSION group_concat_max_len = 1000000; " +
                                     std::string(kMariaRows) + "t");
    return r.ok() ? *r : "error: " + r.status().ToString();
  }

  std::string TargetColumns() {
    auto r = target_->Sql(
        Pg() ? "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || "
               "character_maximum_length || ')', ''), ', ' ORDER BY ordinal_position) FROM "
               "information_schema.columns WHERE table_schema = 'ddl' AND table_name = 't'"
             : "SELECT group_concat(CONCAT(column_name, ' ', data_type, coalesce(CONCAT('(', "
               "character_maximum_length, ')'), '')) ORDER BY ordinal_position SEPARATOR ', ') "
               "FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = "
               "'t'");
    return r.ok() ? *r : "error: " + r.status().ToString();
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

TEST_P(SchemaChanges, TargetFollowsAddRenameWidenAndDropInOrderWithTheData) {
  Sql(*source_, kSetup);
  EngineProcess engine({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                        "--task", "ddl", "--tables", "ddl.%"});
  ASSERT_TRUE(Eventually(
      [&] {
        auto n = target_->Sql(Pg() ? "SELECT count(*) FROM ddl.t" : "SELECT count(*) FROM t");
        return !engine.Running() || (n.ok() && *n == "100");
      },
      120s))
      << engine.Log();
  for (const std::string& step : kSteps) {
    Sql(*source_, step);
    std::this_thread::sleep_for(300ms);  // each step lands in its own apply group or not
  }
  const std::string want = Sql(*source_, std::string(kPgRows) + "ddl.t");
  bool equal = Eventually([&] { return !engine.Running() || TargetRows() == want; }, 90s);
  ASSERT_TRUE(engine.Running()) << engine.Log();
  EXPECT_TRUE(equal) << "source " << want << " target " << TargetRows() << "\n" << engine.Log();
  std::string columns = TargetColumns();
  EXPECT_EQ(columns.find("gone"), std::string::npos) << columns;
  EXPECT_EQ(columns.find("a "), std::string::npos) << columns;
  EXPECT_NE(columns.find("a2 "), std::string::npos) << columns;
  EXPECT_NE(columns.find("(50)"), std::string::npos) << columns;
  EXPECT_NE(engine.Log().find("source schema changed"), std::string::npos) << engine.Log();

  // A restart after the changes: nothing is applied twice, later rows still arrive.
  engine.Signal(SIGKILL);
  engine.Wait(30s);
  Sql(*source_, "INSERT INTO ddl.t (id, a2, b) VALUES (105, 'after restart', 'r');");
  EngineProcess again({"replicate", "--source", source_->uri(), "--target", target_->uri(),
                       "--task", "ddl", "--tables", "ddl.%"});
  const std::string want2 = Sql(*source_, std::string(kPgRows) + "ddl.t");
  EXPECT_TRUE(Eventually([&] { return !again.Running() || TargetRows() == want2; }, 90s))
      << "source " << want2 << " target " << TargetRows() << "\n"
      << again.Log();
  EXPECT_TRUE(again.Running()) << again.Log();
}

INSTANTIATE_TEST_SUITE_P(Targets, SchemaChanges, ::testing::Values("postgresql", "mariadb"),
                         [](const auto& info) { return info.param; });

// A MariaDB source: the binlog's schema statements mark the table, its next rows event reads
// the catalog again, and a PostgreSQL target follows.
TEST(SchemaChangesFromMariaDb, PostgresTargetFollowsAddRenameWidenAndDrop) {
  auto source = StartMariaDb("msrc");
  auto target = StartPostgres("ptgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, a text, b varchar(10), gone int);"
            "INSERT INTO t SELECT seq, CONCAT('a', seq), CONCAT('b', seq), seq FROM seq_1_to_100");
  EngineProcess engine(
      {"replicate", "--source", source->uri(), "--target", target->uri(), "--task", "mddl"});
  ASSERT_TRUE(Eventually(
      [&] {
        auto n = target->Sql("SELECT count(*) FROM public.t");
        return !engine.Running() || (n.ok() && *n == "100");
      },
      120s))
      << engine.Log();
  for (const std::string& step : std::vector<std::string>{
           "INSERT INTO t VALUES (101, 'before', 'x', 1)",
           "ALTER TABLE t ADD COLUMN note varchar(20) NOT NULL DEFAULT 'none'",
           "INSERT INTO t (id, a, b, gone, note) VALUES (102, 'with note', 'y', 2, 'given')",
           "UPDATE t SET note = CONCAT('n', id) WHERE id % 2 = 0",
           "ALTER TABLE t RENAME COLUMN a TO a2",
           "UPDATE t SET a2 = CONCAT(a2, '!') WHERE id % 3 = 0",
           "ALTER TABLE t MODIFY COLUMN b varchar(50)",
           "UPDATE t SET b = REPEAT('w', 45) WHERE id < 10", "ALTER TABLE t DROP COLUMN gone",
           "INSERT INTO t (id, a2, b) VALUES (104, 'after drop', 'q')",
           "DELETE FROM t WHERE id BETWEEN 50 AND 59"}) {
    MariaExec(*conn, step);
  }
  MariaExec(*conn, "SET SESSION group_concat_max_len = 1000000");
  const std::string want = MariaValue(*conn, kMariaSourceRows);
  auto rows = [&] {
    auto r = target->Sql(std::string(kPgRows) + "public.t");
    return r.ok() ? *r : "error: " + r.status().ToString();
  };
  EXPECT_TRUE(Eventually([&] { return !engine.Running() || rows() == want; }, 90s))
      << "source " << want << " target " << rows() << "\n"
      << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
}

}  // namespace
}  // namespace cutover::testing
