// The same value gets the same treatment on every path (issue 12, items 3 and 9): the full load,
// CDC in net mode and CDC in row mode either store it exactly, or store it by a documented lossy
// rule (docs/types.md L1-L10), or stop with one error naming table, key, column and value; never a
// silent change. And a lossy rule that depends on values is announced only when a value hits it.
//
// Fixtures are shaped like chinook (SQLite, CamelCase, `UnitPrice NUMERIC(10,2)`, which SQLite
// lets hold 1.089) and sakila (MariaDB DATETIME/TIMESTAMP columns, zero dates only when a
// session's sql_mode allows them). Every target is read back with its own client.
#include <signal.h>

#include <functional>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "engine/mariadb/maria_conn.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> Replicate(const std::string& source, const std::string& target,
                                   const std::string& task, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"replicate", "--source", source, "--target",
                                target,      "--task",   task};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// The last "cutover: error: ..." line of a log ("" when none).
std::string ErrorLine(const std::string& log) {
  size_t at = log.rfind("cutover: error: ");
  if (at == std::string::npos) return "";
  size_t end = log.find('\n', at);
  return log.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// Lines of `log` that are warnings and contain every one of `parts`.
std::vector<std::string> WarnLines(const std::string& log, const std::vector<std::string>& parts) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" warn ") == std::string::npos) continue;
    bool all = true;
    for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
    if (all) out.push_back(line);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// chinook Track (SQLite) -> MariaDB: UnitPrice NUMERIC(10,2) holding 1.089

constexpr const char* kTrackDdl =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE \"Track\" (\"TrackId\" INTEGER NOT NULL PRIMARY KEY, \"Name\" NVARCHAR(200) "
    "NOT NULL, \"AlbumId\" INTEGER, \"Milliseconds\" INTEGER NOT NULL, \"UnitPrice\" "
    "NUMERIC(10,2) NOT NULL);"
    "INSERT INTO \"Track\" VALUES (1, 'For Those About To Rock', 1, 343719, 0.99),"
    " (2, 'Balls to the Wall', 2, 342562, 1.99), (3, 'Fast As a Shark', 3, 230619, 0.99);";

void ExpectNamesTrackKeyColumnValue(const std::string& error, const std::string& key) {
  EXPECT_NE(error.find("main.Track"), std::string::npos) << error;
  EXPECT_NE(error.find("key (TrackId=" + key + ")"), std::string::npos) << error;
  EXPECT_NE(error.find("column UnitPrice"), std::string::npos) << error;
  EXPECT_NE(error.find("1.089"), std::string::npos) << error;
}

TEST(LossyPaths, ChinookTrackFullLoadToMariaDbStopsNamingTableKeyColumnValue) {
  SqliteDir dir;
  SqliteExec(dir.path("chinook.db"), kTrackDdl);
  SqliteExec(dir.path("chinook.db"),
             "UPDATE \"Track\" SET \"UnitPrice\" = 1.089 WHERE \"TrackId\" = 2");
  auto maria = StartMariaDb("chinookfl");
  ASSERT_TRUE(maria);
  RunResult r = RunCutover(
      Replicate(dir.uri("chinook.db"), maria->uri(), "chinook", {"--type", "full-load"}), 120s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  ExpectNamesTrackKeyColumnValue(ErrorLine(r.err), "2");
  auto conn = MariaConnect(*maria);
  // Nothing of the table was committed (the load is one transaction).
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = "
                       "'_cutover_table_state'") == "0" ||
                MariaValue(*conn, "SELECT count(*) FROM _cutover_table_state") == "0",
            true);
}

class ChinookCdc : public ::testing::TestWithParam<const char*> {};

// A row inserted with 1.089 during CDC stops the task the same way as the full load, in net and
// row mode, and the target keeps the last checkpointed state: a good change committed before is
// there, the good row of the refused transaction is not.
TEST_P(ChinookCdc, StopsNamingTableKeyColumnValueAndKeepsTheCheckpointedState) {
  const std::string mode = GetParam();
  SqliteDir dir;
  std::string src = dir.path("chinook.db");
  SqliteExec(src, kTrackDdl);
  auto maria = StartMariaDb("chinook" + mode);
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  EngineProcess engine(
      Replicate(dir.uri("chinook.db"), maria->uri(), "chinook", {"--apply-mode", mode}));
  auto target_rows = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(concat(TrackId, ':', Name, ':', UnitPrice) ORDER BY "
                      "TrackId SEPARATOR ',') FROM Track");
  };
  ASSERT_TRUE(Eventually(
      [&] {
        return MariaValue(*conn,
                          "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_NAME = "
                          "'Track' AND TABLE_SCHEMA = DATABASE()") == "1" &&
               target_rows().find("3:") != std::string::npos;
      },
      60s))
      << engine.Log();
  // A good change, applied and checkpointed.
  SqliteExec(src, "UPDATE \"Track\" SET \"Name\" = 'Restless and Wild' WHERE \"TrackId\" = 3");
  ASSERT_TRUE(
      Eventually([&] { return target_rows().find("Restless and Wild") != std::string::npos; }, 30s))
      << engine.Log();
  std::string checkpointed = target_rows();
  // One source transaction: a good row, then the row MariaDB DECIMAL(10,2) would round.
  SqliteExec(src,
             "BEGIN; INSERT INTO \"Track\" VALUES (10, 'Princess of the Dawn', 3, 375418, 2.49);"
             "INSERT INTO \"Track\" VALUES (11, 'Put The Finger On You', 1, 205662, 1.089);"
             "COMMIT;");
  EXPECT_EQ(engine.Wait(60s), 2) << engine.Log();
  ExpectNamesTrackKeyColumnValue(ErrorLine(engine.Log()), "11");
  EXPECT_EQ(target_rows(), checkpointed);
  EXPECT_EQ(MariaValue(*conn, "SELECT count(*) FROM Track WHERE UnitPrice = 1.09"), "0");
}

INSTANTIATE_TEST_SUITE_P(LossyPaths, ChinookCdc, ::testing::Values("net", "row"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           return std::string(i.param);
                         });

// ---------------------------------------------------------------------------------------------
// sakila (MariaDB) -> PostgreSQL: zero dates announced only when one is written

TEST(LossyPaths, SakilaZeroDateWarningOnlyWhenAZeroDateIsWritten) {
  auto maria = StartMariaDb("sakilasrc");
  auto pg = StartPostgres("sakilatgt");
  ASSERT_TRUE(maria && pg);
  auto conn = MariaConnect(*maria);
  MariaExec(*conn,
            "CREATE TABLE rental (rental_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, rental_date "
            "DATETIME NOT NULL, inventory_id MEDIUMINT UNSIGNED NOT NULL, return_date DATETIME "
            "DEFAULT NULL, last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE "
            "CURRENT_TIMESTAMP) ENGINE=InnoDB;"
            "CREATE TABLE payment (payment_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY "
            "KEY, rental_id INT DEFAULT NULL, amount DECIMAL(5,2) NOT NULL, payment_date DATETIME "
            "NOT NULL, last_update TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;"
            "INSERT INTO rental (rental_date, inventory_id, return_date) VALUES "
            "('2005-05-24 22:53:30', 367, '2005-05-26 22:04:30'), "
            "('2005-05-24 22:54:33', 1525, NULL);"
            "INSERT INTO payment (rental_id, amount, payment_date) VALUES "
            "(1, 2.99, '2005-05-25 11:30:37'), (2, 0.99, '2005-05-28 10:35:23');");
  const std::string db = MariaValue(*conn, "SELECT DATABASE()");
  EngineProcess engine(Replicate(maria->uri(), pg->uri(), "sakila"));
  ASSERT_TRUE(
      Eventually([&] { return engine.Log().find("cdc started") != std::string::npos; }, 60s))
      << engine.Log();
  // A change with ordinary dates: still nothing to announce.
  MariaExec(*conn, "UPDATE rental SET return_date = '2005-05-27 10:00:00' WHERE rental_id = 2");
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*pg, "SELECT return_date FROM public.rental WHERE rental_id = 2") ==
               "2005-05-27 10:00:00";
      },
      30s))
      << engine.Log();
  EXPECT_EQ(WarnLines(engine.Log(), {"zero date"}).size(), 0u) << engine.Log();
  EXPECT_EQ(WarnLines(engine.Log(), {"L7"}).size(), 0u) << engine.Log();
  // Two zero dates in a session that allows them: one warning, naming table, column and key.
  MariaExec(*conn,
            "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';"
            "UPDATE rental SET return_date = '0000-00-00 00:00:00' WHERE rental_id = 2;"
            "INSERT INTO rental (rental_date, inventory_id, return_date) VALUES "
            "('2005-05-24 23:03:39', 1711, '0000-00-00 00:00:00');");
  ASSERT_TRUE(
      Eventually([&] { return Sql(*pg, "SELECT count(*) FROM public.rental") == "3"; }, 30s))
      << engine.Log();
  EXPECT_EQ(Sql(*pg, "SELECT count(*) FROM public.rental WHERE return_date IS NULL"), "2");
  std::vector<std::string> warned = WarnLines(engine.Log(), {"zero date"});
  ASSERT_EQ(warned.size(), 1u) << engine.Log();
  EXPECT_NE(warned[0].find("table " + db + ".rental: column return_date: L7"), std::string::npos)
      << warned[0];
  EXPECT_NE(warned[0].find("key (rental_id=2)"), std::string::npos) << warned[0];
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  // The count of values the rule changed is reported when CDC stops.
  EXPECT_NE(
      engine.Log().find("table " + db + ".rental: column return_date: L7 applied to 2 value(s)"),
      std::string::npos)
      << engine.Log();
  // A zero date in a NOT NULL column cannot become NULL: the task stops naming table, key,
  // column and value instead of failing on the target's constraint.
  MariaExec(*conn,
            "SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';"
            "UPDATE rental SET rental_date = '0000-00-00 00:00:00' WHERE rental_id = 1;");
  EngineProcess again(Replicate(maria->uri(), pg->uri(), "sakila"));
  EXPECT_EQ(again.Wait(60s), 2) << again.Log();
  std::string error = ErrorLine(again.Log());
  EXPECT_NE(error.find("table " + db +
                       ".rental, key (rental_id=1): column rental_date: value "
                       "'0000-00-00 00:00:00' (a MariaDB zero date) would be written as NULL "
                       "(L7), but the column is NOT NULL"),
            std::string::npos)
      << again.Log();
  EXPECT_EQ(Sql(*pg, "SELECT rental_date FROM public.rental WHERE rental_id = 1"),
            "2005-05-24 22:53:30");
}

// ---------------------------------------------------------------------------------------------
// Every rule a SQLite source can reach, on every target: the three paths agree.

enum class Target { kMariaDb, kPostgres, kSqlite };

struct RuleCase {
  const char* name;
  Target target;
  const char* declared;  // SQLite declared type of column v
  const char* literal;   // the stored value (SQL literal)
  // What every path must give: the target's text of v (read with the target's client), or, when
  // it starts with "refused:", an error naming table, key and column and containing the rest.
  const char* expected;
};

void PrintTo(const RuleCase& c, std::ostream* os) {
  *os << c.name;
}

class RuleCases : public ::testing::TestWithParam<RuleCase> {
 protected:
  void SetUp() override {
    const RuleCase& c = GetParam();
    if (c.target == Target::kMariaDb) server_ = StartMariaDb("rules");
    if (c.target == Target::kPostgres) server_ = StartPostgres("rules");
  }

  std::string TargetUri(const std::string& path_name) {
    return server_ ? server_->uri() : dir_.uri(path_name + "-target.db");
  }

  // v of row 1 on the target, with the target's own client; "" when the row is absent.
  std::string TargetValue(const std::string& path_name) {
    const RuleCase& c = GetParam();
    switch (c.target) {
      case Target::kMariaDb: {
        auto conn = MariaConnect(*server_);
        return MariaValue(*conn,
                          "SELECT IF(count(*) = 0, '', coalesce(max(v), 'NULL')) FROM "
                          "(SELECT CAST(v AS CHAR) AS v FROM r WHERE id = 1) x");
      }
      case Target::kPostgres:
        return Sql(*server_,
                   "SELECT CASE WHEN count(*) = 0 THEN '' ELSE coalesce(max(v::text), 'NULL') "
                   "END FROM public.r WHERE id = 1");
      case Target::kSqlite: {
        std::string path = dir_.path(path_name + "-target.db");
        if (SqliteValue(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'r'") != "1")
          return "";
        if (SqliteValue(path, "SELECT count(*) FROM r WHERE id = 1") == "0") return "";
        return SqliteValue(path, "SELECT v FROM r WHERE id = 1");
      }
    }
    return "";
  }

  // The outcome of one path: "stored <v>" or "refused <error line>".
  std::string FullLoad() {
    const RuleCase& c = GetParam();
    std::string src = dir_.path("fl.db");
    SqliteExec(src, std::string("CREATE TABLE r (id INTEGER PRIMARY KEY, v ") + c.declared +
                        "); INSERT INTO r VALUES (1, " + c.literal + ");");
    RunResult r = RunCutover(
        Replicate("sqlite://" + src, TargetUri("fl"), "fl", {"--type", "full-load"}), 120s);
    if (r.exit_code != 0) return "refused " + ErrorLine(r.err);
    return "stored " + TargetValue("fl");
  }

  std::string Cdc(const std::string& mode) {
    const RuleCase& c = GetParam();
    std::string src = dir_.path(mode + ".db");
    SqliteExec(src, std::string("PRAGMA journal_mode=WAL; CREATE TABLE r (id INTEGER PRIMARY "
                                "KEY, v ") +
                        c.declared + "); INSERT INTO r VALUES (2, NULL);");
    EngineProcess engine(Replicate("sqlite://" + src, TargetUri(mode), mode,
                                   {"--apply-mode", mode, "--group-max-ms", "10"}));
    if (!Eventually([&] { return engine.Log().find("cdc started") != std::string::npos; }, 60s)) {
      return "engine did not start CDC: " + engine.Log();
    }
    SqliteExec(src, std::string("INSERT INTO r VALUES (1, ") + c.literal + ");");
    std::string value;
    bool done = Eventually(
        [&] {
          if (!engine.Running()) return true;
          value = TargetValue(mode);
          return !value.empty();
        },
        30s);
    if (!done) return "neither stored nor refused: " + engine.Log();
    if (!engine.Running()) {
      int code = engine.Wait(10s);
      if (code != 2) return "exit " + std::to_string(code) + ": " + engine.Log();
      return "refused " + ErrorLine(engine.Log());
    }
    engine.Signal(SIGTERM);
    engine.Wait(60s);
    return "stored " + value;
  }

  void ExpectOutcome(const std::string& path, const std::string& got) {
    const RuleCase& c = GetParam();
    std::string expected = c.expected;
    if (expected.rfind("refused:", 0) == 0) {
      ASSERT_EQ(got.rfind("refused ", 0), 0u) << path << ": " << got;
      EXPECT_NE(got.find("main.r"), std::string::npos) << path << ": " << got;
      EXPECT_NE(got.find("key (id=1)"), std::string::npos) << path << ": " << got;
      EXPECT_NE(got.find("column v"), std::string::npos) << path << ": " << got;
      EXPECT_NE(got.find(expected.substr(8)), std::string::npos) << path << ": " << got;
    } else {
      EXPECT_EQ(got, "stored " + expected) << path;
    }
  }

  std::unique_ptr<harness::ThrowawayServer> server_;
  SqliteDir dir_;
};

TEST_P(RuleCases, FullLoadNetAndRowModeGiveTheSameOutcome) {
  if (GetParam().target != Target::kSqlite) {
    ASSERT_TRUE(server_);
  }
  std::string full = FullLoad();
  std::string net = Cdc("net");
  std::string row = Cdc("row");
  ExpectOutcome("full load", full);
  ExpectOutcome("cdc net", net);
  ExpectOutcome("cdc row", row);
  // Refusals differ only in the context the pipeline adds (transaction, batch): compare what
  // the target said about the value.
  // The value's description, without the CDC error policy that applied to it (the full load
  // has none), e.g. " (DataErrorPolicy is STOP_TASK)".
  auto value_part = [](const std::string& s) {
    size_t at = s.find("column v");
    std::string v = at == std::string::npos ? s : s.substr(at);
    size_t policy = v.rfind(" (");
    if (policy != std::string::npos && v.find("Policy is ", policy) != std::string::npos)
      v.resize(policy);
    return v;
  };
  EXPECT_EQ(value_part(full), value_part(net));
  EXPECT_EQ(value_part(full), value_part(row));
}

INSTANTIATE_TEST_SUITE_P(
    LossyPaths, RuleCases,
    ::testing::Values(
        // MariaDB DECIMAL(p,s) from a SQLite NUMERIC(p,s) that holds more (R8).
        RuleCase{"mariadb_decimal_scale", Target::kMariaDb, "NUMERIC(10,2)", "1.089",
                 "refused:'1.089' cannot be stored in DECIMAL(10,2): more than 2 fraction digits"},
        RuleCase{"mariadb_decimal_int_digits", Target::kMariaDb, "NUMERIC(4,2)", "123.5",
                 "refused:more than 2 integer digits"},
        RuleCase{"mariadb_decimal_zeros_exact", Target::kMariaDb, "DECIMAL TEXT(10,2)", "'1.0900'",
                 "1.09"},
        // L5: DECIMAL(65,30), 31 fraction digits rounded by cutover.
        RuleCase{"mariadb_l5_rounding", Target::kMariaDb, "DECIMAL TEXT",
                 "'0.1234567890123456789012345678905'", "0.123456789012345678901234567891"},
        // L2: +Infinity -> NULL on MariaDB.
        RuleCase{"mariadb_l2_infinity", Target::kMariaDb, "REAL", "9e999", "NULL"},
        // L6: the instant as UTC wall time.
        RuleCase{"mariadb_l6_utc", Target::kMariaDb, "TIMESTAMPTZ", "'2024-01-01 10:00:00+05:30'",
                 "2024-01-01 04:30:00.000000"},
        // R1, R2, R3.
        RuleCase{"mariadb_r1_nan", Target::kMariaDb, "DECIMAL TEXT", "'NaN'",
                 "refused:MariaDB DECIMAL has no NaN"},
        RuleCase{"mariadb_r2_year_0", Target::kMariaDb, "DATE", "'0000-01-01'",
                 "refused:years 1-9999"},
        RuleCase{"mariadb_r3_time", Target::kMariaDb, "TIME", "'-900:00:00'",
                 "refused:MariaDB TIME holds"},
        // PostgreSQL: R6 and R9; decimals are exact (unconstrained numeric).
        RuleCase{"pg_r6_time", Target::kPostgres, "TIME", "'25:00:00'",
                 "refused:PostgreSQL time holds 00:00:00 to 24:00:00"},
        RuleCase{"pg_r9_nul", Target::kPostgres, "TEXT", "'a' || char(0) || 'b'",
                 "refused:NUL character"},
        RuleCase{"pg_decimal_exact", Target::kPostgres, "NUMERIC(10,2)", "1.089", "1.089"},
        // SQLite target: exact; R7 (a stored value not of its column's kind) on the source side.
        RuleCase{"sqlite_decimal_exact", Target::kSqlite, "NUMERIC(10,2)", "1.089", "1.089"},
        RuleCase{"sqlite_r7_source_value", Target::kSqlite, "INTEGER", "'abc'",
                 "refused:is not a 64-bit integer"}),
    [](const ::testing::TestParamInfo<RuleCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cutover::testing
