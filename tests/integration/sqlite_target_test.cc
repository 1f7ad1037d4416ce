// SQLite as a target: PostgreSQL -> SQLite full load and CDC of every PostgreSQL type cutover
// maps (docs/types.md, "SQLite"), the lossy rules (NaN -> NULL, -0 -> 0) and the stored forms
// (dates before year 1, infinity), and `cutover validate` on the pair. (Kill -9 during CDC into
// SQLite is in the conformance suite: tests/conformance/contract_test.cc.)
// Compared independently: PostgreSQL through psql, SQLite through the sqlite3 C API
// (tests/integration/support/sqlite_support.h).
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<CanonCol> kPtCols = {
    {"id", Canon::kInt},     {"i", Canon::kInt},        {"n", Canon::kDecimal},
    {"nu", Canon::kDecimal}, {"r", Canon::kFloat},      {"f", Canon::kFloat},
    {"t", Canon::kText},     {"v", Canon::kText},       {"c", Canon::kText},
    {"b", Canon::kBytes},    {"ok", Canon::kBool},      {"d", Canon::kDate},
    {"tm", Canon::kText},    {"ts", Canon::kTimestamp}, {"tz", Canon::kTimestamp},
    {"j", Canon::kText},     {"jb", Canon::kText},      {"u", Canon::kText},
    {"iv", Canon::kText},
};

class SqliteTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = StartPostgres("pg_to_sqlite");
    ASSERT_TRUE(pg_);
    Sql(*pg_,
        "CREATE TABLE pt (id bigint PRIMARY KEY, i int, n numeric(38,10), nu numeric, r real, "
        "f float8, t text, v varchar(10), c char(5), b bytea, ok boolean, d date, tm time, "
        "ts timestamp, tz timestamptz, j json, jb jsonb, u uuid, iv interval);"
        "INSERT INTO pt VALUES "
        "(1, 2147483647, '1234567890123456789012345678.9012345678', "
        "'-12345678901234567890123456789012345678.123456789', 3.4028235e38, "
        "1.7976931348623157e308, 'héllo 🙂', 'ten chars!', 'ab', '\\x000102ff', true, "
        "'1969-07-20', '23:59:59.999999', '2024-02-29 23:59:59.123456', "
        "'2024-02-29 23:59:59.123456+05:30', '{\"a\": [1, 2.50]}', '{\"b\": 1}', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04'),"
        "(2, -2147483648, '-0.0000000001', '0', 1.4e-45, 5e-324, '', '', '', '\\x', false, "
        "'0001-01-01', '00:00:00', '1900-01-01 00:00:00', '1970-01-01 00:00:00+00', '1.50', "
        "'[]', '00000000-0000-0000-0000-000000000000', '-00:00:01'),"
        "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL);"
        "CREATE TABLE special (id int PRIMARY KEY, f float8, d date, ts timestamp);"
        "INSERT INTO special VALUES (1, 'NaN', 'infinity', '-infinity'), "
        "(2, '-0', '0044-03-15 BC', '0044-03-15 12:00:00 BC'), (3, 'Infinity', '10000-01-01', "
        "'infinity');");
  }

  std::vector<std::string> Source() { return PgCanonRows(*pg_, "pt", "id", kPtCols); }
  std::vector<std::string> Target() { return SqliteCanonRows(dst(), "pt", "id", kPtCols); }
  std::string dst() const { return dir_.path("dst.db"); }
  std::vector<std::string> Args(const std::string& task) const {
    return {"replicate", "--source", pg_->uri(), "--target", dir_.uri("dst.db"), "--task", task};
  }

  std::unique_ptr<harness::ThrowawayServer> pg_;
  SqliteDir dir_;
};

TEST_F(SqliteTarget, FromPostgresFullLoadAndCdcAreExact) {
  EngineProcess engine(Args("p2s"));
  EXPECT_EQ(WaitUntilSame([&] { return Source(); }, [&] { return Target(); }, 60s), "")
      << engine.Log();
  // Stored forms: exact decimals as TEXT, JSON as text, a timestamptz in UTC.
  EXPECT_EQ(SqliteValue(dst(),
                        "SELECT typeof(n) || typeof(nu) || typeof(j) || ' ' || tz "
                        "FROM pt WHERE id = 1"),
            "texttexttext 2024-02-29 18:29:59.123456+00:00");
  EXPECT_EQ(SqliteValue(dst(), "SELECT type FROM pragma_table_info('pt') WHERE name = 'n'"),
            "DECIMAL TEXT(38,10)");
  // Announced rules: NaN -> NULL, -0 -> 0; dates keep infinity and years outside 1..9999.
  EXPECT_EQ(SqliteValue(dst(),
                        "SELECT group_concat(quote(f) || ' ' || d || ' ' || ts, '; ') "
                        "FROM (SELECT * FROM special ORDER BY id)"),
            "NULL infinity -infinity; 0.0 -0043-03-15 -0043-03-15 12:00:00; Inf +10000-01-01 "
            "infinity");
  // Each announced when a value hits it, with the row's key (L3 NaN, L4 -0).
  EXPECT_NE(engine.Log().find("column f: L3 NaN written as NULL (SQLite has no NaN) (first at key "
                              "(id=1)"),
            std::string::npos)
      << engine.Log();
  EXPECT_NE(engine.Log().find("column f: L4 -0 stored as 0 by the target (first at key (id=2)"),
            std::string::npos)
      << engine.Log();

  Sql(*pg_,
      "UPDATE pt SET i = 0, n = 1, nu = '1e-30', r = -1.5, f = -2.5e-300, t = 'changed', "
      "v = NULL, c = 'x', b = '\\x00', ok = NULL, d = '2000-02-29', tm = '12:00:00.5', "
      "ts = '2000-01-01 00:00:00', tz = '1999-12-31 23:00:00-01', j = 'null', jb = '{}', "
      "u = 'ffffffff-ffff-ffff-ffff-ffffffffffff', iv = '1 mon' WHERE id = 1;"
      "UPDATE pt SET t = NULL WHERE id = 2; UPDATE pt SET t = '' WHERE id = 3;"
      "UPDATE pt SET id = 20 WHERE id = 2;"
      "INSERT INTO pt (id, t, b) VALUES (4, 'new', '\\x00000000');"
      "BEGIN; INSERT INTO pt (id) SELECT g FROM generate_series(100, 5099) g; "
      "DELETE FROM pt WHERE id BETWEEN 100 AND 199; COMMIT;"
      "DELETE FROM pt WHERE id = 3;");
  EXPECT_EQ(WaitUntilSame([&] { return Source(); }, [&] { return Target(); }, 60s), "")
      << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();

  RunResult v = RunCutover(
      {"validate", "--source", pg_->uri(), "--target", dir_.uri("dst.db"), "--tables", "pt"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  SqliteExec(dst(), "UPDATE pt SET c = 'y    ' WHERE id = 1");
  v = RunCutover({"validate", "--source", pg_->uri(), "--target", dir_.uri("dst.db"), "--task",
                  "p2s", "--tables", "pt"});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
}

}  // namespace
}  // namespace cutover::testing
