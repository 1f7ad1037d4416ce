// Generated columns (issue 12, item 4) against real throwaway servers, driving the real `cutover`
// binary.
//
// A chinook-shaped PostgreSQL "InvoiceLine" (CamelCase quoted names) has a stored generated
// "LineTotal" = "UnitPrice" * "Quantity" and a text "Label" = '#' || "Note". pgoutput and COPY
// never carry their values, so each target must compute them: the tests check, by SQL on both
// sides (sqlite_support's canonical rows, no engine code), that after the full load and after CDC
// changes to the inputs the target's generated columns hold the source's values; that
// `cutover validate` says equal; and that once the target lacks the column, `cutover validate`
// exits 1 naming it (it used to compare only the columns the source described, and say equal).
// Expressions a target cannot compute identically, and pre-created target tables whose column
// is plain, are refused at start naming table, column and expression.
#include <signal.h>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

const char* kInvoiceLine =
    "CREATE TABLE \"InvoiceLine\" (\"InvoiceLineId\" int PRIMARY KEY, \"InvoiceId\" int NOT NULL, "
    "\"UnitPrice\" numeric(10,2) NOT NULL, \"Quantity\" int NOT NULL, "
    "\"LineTotal\" numeric(10,2) GENERATED ALWAYS AS (\"UnitPrice\" * \"Quantity\") STORED, "
    "\"Note\" text, \"Label\" text GENERATED ALWAYS AS ('#' || \"Note\") STORED);"
    "INSERT INTO \"InvoiceLine\" (\"InvoiceLineId\", \"InvoiceId\", \"UnitPrice\", \"Quantity\", "
    "\"Note\") SELECT g, g / 10, (g % 100) + 0.99, 1 + g % 7, "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 500) g;";

// CDC: every change touches an input of a generated column.
const char* kChanges =
    "UPDATE \"InvoiceLine\" SET \"Quantity\" = \"Quantity\" + 3 WHERE \"InvoiceLineId\" % 5 = 0;"
    "UPDATE \"InvoiceLine\" SET \"UnitPrice\" = 12345678.91, \"Note\" = 'changed' "
    "WHERE \"InvoiceLineId\" = 7;"
    "INSERT INTO \"InvoiceLine\" (\"InvoiceLineId\", \"InvoiceId\", \"UnitPrice\", \"Quantity\", "
    "\"Note\") VALUES (1001, 100, 0.99, 3, NULL), (1002, 100, 1.10, 2, 'x');"
    "DELETE FROM \"InvoiceLine\" WHERE \"InvoiceLineId\" = 2;"
    "BEGIN; UPDATE \"InvoiceLine\" SET \"UnitPrice\" = \"UnitPrice\" + 0.01, \"Note\" = NULL "
    "WHERE \"InvoiceLineId\" <= 50; UPDATE \"InvoiceLine\" SET \"Quantity\" = 9 "
    "WHERE \"InvoiceLineId\" = 1001; COMMIT;";

const std::vector<CanonCol> kCols = {
    {"InvoiceLineId", Canon::kInt}, {"UnitPrice", Canon::kDecimal}, {"Quantity", Canon::kInt},
    {"LineTotal", Canon::kDecimal}, {"Note", Canon::kText},         {"Label", Canon::kText},
};

class GeneratedColumns : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = StartPostgres("gen_source");
    ASSERT_TRUE(pg_);
    Sql(*pg_, kInvoiceLine);
  }

  std::vector<std::string> Source() {
    return PgCanonRows(*pg_, "\"InvoiceLine\"", "\"InvoiceLineId\"", kCols);
  }

  // Full load, then CDC changes to the inputs; the target computes the generated columns.
  void ReplicateAndCompare(const std::string& target_uri,
                           const std::function<std::vector<std::string>()>& target) {
    EngineProcess engine(
        {"replicate", "--source", pg_->uri(), "--target", target_uri, "--task", "gen"});
    ASSERT_EQ(WaitUntilSame([&] { return Source(); }, target, 60s), "") << engine.Log();
    // Announced once at start, with the expression the target computes.
    EXPECT_NE(engine.Log().find("column LineTotal is generated on the source"), std::string::npos)
        << engine.Log();
    Sql(*pg_, kChanges);
    ASSERT_EQ(WaitUntilSame([&] { return Source(); }, target, 60s), "") << engine.Log();
    EXPECT_EQ(Source().size(), 501u);
    engine.Signal(SIGINT);
    EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  }

  RunResult Validate(const std::string& target_uri) {
    return RunCutover({"validate", "--source", pg_->uri(), "--target", target_uri, "--tables",
                       "public.InvoiceLine"});
  }

  // `cutover validate`: equal now; once the target lacks "LineTotal", a named difference.
  void ValidateThenDropColumn(const std::string& target_uri, const std::function<void()>& drop) {
    RunResult v = Validate(target_uri);
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    drop();
    v = Validate(target_uri);
    EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
    EXPECT_NE((v.out + v.err).find("LineTotal"), std::string::npos) << v.out << v.err;
  }

  std::unique_ptr<harness::ThrowawayServer> pg_;
};

TEST_F(GeneratedColumns, PostgresToPostgresComputesTheSameExpression) {
  auto target = StartPostgres("gen_target");
  ASSERT_TRUE(target);
  auto rows = [&] { return PgCanonRows(*target, "\"InvoiceLine\"", "\"InvoiceLineId\"", kCols); };
  ReplicateAndCompare(target->uri(), rows);
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(attname || ' ' || attgenerated::text || ' ' || "
                "pg_get_expr(adbin, adrelid), '; ' ORDER BY attname) FROM pg_attribute "
                "JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum "
                "WHERE attrelid = '\"InvoiceLine\"'::regclass"),
            "Label s ('#'::text || \"Note\"); LineTotal s (\"UnitPrice\" * "
            "(\"Quantity\")::numeric)");
  ValidateThenDropColumn(target->uri(), [&] {
    Sql(*target, "ALTER TABLE \"InvoiceLine\" DROP COLUMN \"LineTotal\"");
  });
}

TEST_F(GeneratedColumns, PrecreatedPostgresTargetMustComputeTheColumn) {
  auto target = StartPostgres("gen_precreated");
  ASSERT_TRUE(target);
  auto rows = [&] { return PgCanonRows(*target, "\"InvoiceLine\"", "\"InvoiceLineId\"", kCols); };
  std::vector<std::string> load = {"replicate",   "--source",     pg_->uri(), "--target",
                                   target->uri(), "--task",       "pre",      "--type",
                                   "full-load",   "--table-prep", "truncate"};
  // The target's "LineTotal" is a plain column: CDC would never fill it. Refused, nothing loaded.
  Sql(*target,
      "CREATE TABLE \"InvoiceLine\" (\"InvoiceLineId\" int PRIMARY KEY, \"InvoiceId\" int, "
      "\"UnitPrice\" numeric(10,2), \"Quantity\" int, \"LineTotal\" numeric(10,2), \"Note\" "
      "text, \"Label\" text GENERATED ALWAYS AS ('#' || \"Note\") STORED)");
  RunResult r = RunCutover(load, 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("column public.InvoiceLine.LineTotal: is generated on the source as "
                       "((\"UnitPrice\" * (\"Quantity\")::numeric)) and target table "
                       "public.InvoiceLine has it as a plain column"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("InvoiceLine.Label"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM \"InvoiceLine\""), "0");
  // Generated there too (the user's own expression): loaded, and the target computes it.
  Sql(*target,
      "ALTER TABLE \"InvoiceLine\" DROP COLUMN \"LineTotal\"; ALTER TABLE \"InvoiceLine\" ADD "
      "COLUMN \"LineTotal\" numeric(10,2) GENERATED ALWAYS AS (\"Quantity\" * \"UnitPrice\") "
      "STORED");
  r = RunCutover(load, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("the target table's own generated column computes it"), std::string::npos)
      << r.err;
  EXPECT_EQ(CompareCanonRows(Source(), rows()), "");
}

TEST_F(GeneratedColumns, PostgresToMariaDbComputesATranslation) {
  auto maria = StartMariaDb("gen_maria");
  ASSERT_TRUE(maria);
  auto rows = [&] { return MariaCanonRows(*maria, "`InvoiceLine`", "`InvoiceLineId`", kCols); };
  ReplicateAndCompare(maria->uri(), rows);
  auto conn = MariaConnect(*maria);
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT GROUP_CONCAT(COLUMN_NAME, ' ', EXTRA, ' ', GENERATION_EXPRESSION "
                       "ORDER BY COLUMN_NAME SEPARATOR '; ') FROM information_schema.COLUMNS "
                       "WHERE TABLE_NAME = 'InvoiceLine' AND IS_GENERATED = 'ALWAYS'"),
            "Label STORED GENERATED concat('#',`Note`); LineTotal STORED GENERATED "
            "`UnitPrice` * `Quantity`");
  ValidateThenDropColumn(
      maria->uri(), [&] { MariaExec(*conn, "ALTER TABLE `InvoiceLine` DROP COLUMN `LineTotal`"); });
}

TEST_F(GeneratedColumns, PostgresToSqliteComputesATranslation) {
  SqliteDir dir;
  std::string dst = dir.path("dst.db");
  auto rows = [&] { return SqliteCanonRows(dst, "InvoiceLine", "\"InvoiceLineId\"", kCols); };
  ReplicateAndCompare(dir.uri("dst.db"), rows);
  EXPECT_EQ(SqliteValue(dst,
                        "SELECT group_concat(name || ' ' || hidden, '; ') FROM "
                        "pragma_table_xinfo('InvoiceLine') WHERE hidden IN (2, 3)"),
            "LineTotal 3; Label 3");
  // A target table created without the column (do-nothing keeps it) is refused at start...
  SqliteExec(dst,
             "ALTER TABLE \"InvoiceLine\" RENAME TO \"Old\"; CREATE TABLE \"InvoiceLine\" "
             "(\"InvoiceLineId\" INTEGER PRIMARY KEY, \"InvoiceId\" INTEGER, \"UnitPrice\" "
             "DECIMAL TEXT(10,2), \"Quantity\" INTEGER, \"LineTotal\" DECIMAL TEXT(10,2), "
             "\"Note\" TEXT, \"Label\" TEXT)");
  RunResult r =
      RunCutover({"replicate", "--source", pg_->uri(), "--target", dir.uri("dst.db"), "--task",
                  "plain", "--type", "full-load", "--table-prep", "do-nothing"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("column public.InvoiceLine.LineTotal: is generated on the source as "
                       "((\"UnitPrice\" * (\"Quantity\")::numeric)) and target table "
                       "main.InvoiceLine has it as a plain column"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("column public.InvoiceLine.Label"), std::string::npos) << r.err;
  EXPECT_EQ(SqliteValue(dst, "SELECT count(*) FROM \"InvoiceLine\""), "0");
  SqliteExec(dst, "DROP TABLE \"InvoiceLine\"; ALTER TABLE \"Old\" RENAME TO \"InvoiceLine\"");
  ValidateThenDropColumn(dir.uri("dst.db"), [&] {
    SqliteExec(dst,
               "CREATE TABLE t2 AS SELECT \"InvoiceLineId\", \"InvoiceId\", \"UnitPrice\", "
               "\"Quantity\", \"Note\", \"Label\" FROM \"InvoiceLine\"; DROP TABLE "
               "\"InvoiceLine\"; ALTER TABLE t2 RENAME TO \"InvoiceLine\"");
  });
}

TEST_F(GeneratedColumns, UntranslatableExpressionIsRefusedAtStart) {
  Sql(*pg_,
      "CREATE TABLE \"Track\" (\"TrackId\" int PRIMARY KEY, \"Name\" text, "
      "\"Milliseconds\" int, \"Seconds\" int GENERATED ALWAYS AS (\"Milliseconds\" / 1000) "
      "STORED, \"Key\" text GENERATED ALWAYS AS (lower(\"Name\")) STORED)");
  SqliteDir dir;
  RunResult r = RunCutover({"replicate", "--source", pg_->uri(), "--target", dir.uri("dst.db"),
                            "--task", "untranslatable"},
                           30s);  // a start that is not refused streams until killed
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("column public.Track.Seconds: is generated on the source as "
                       "((\"Milliseconds\" / 1000))"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("division"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column public.Track.Key: is generated on the source as "
                       "(lower(\"Name\"))"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--exclude-tables 'public.Track'"), std::string::npos) << r.err;
  // Refused before anything was created: no slot, no target table.
  EXPECT_EQ(Sql(*pg_, "SELECT count(*) FROM pg_replication_slots"), "0");
  // Leaving the table out, the rest replicates.
  r = RunCutover({"replicate", "--source", pg_->uri(), "--target", dir.uri("dst.db"), "--task",
                  "untranslatable", "--type", "full-load", "--exclude-tables", "public.Track"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqliteValue(dir.path("dst.db"),
                        "SELECT count(*) || ' ' || max(\"LineTotal\") FROM "
                        "\"InvoiceLine\" WHERE \"InvoiceLineId\" = 1"),
            "1 3.98");
}

}  // namespace
}  // namespace cutover::testing

namespace cutover::testing {
namespace {

// MariaDB and SQLite sources hold their generated columns' values (binlog row images, the
// tables themselves): they arrive as plain columns with the source's values, announced.
const std::vector<CanonCol> kLineCols = {
    {"LineId", Canon::kInt},    {"Price", Canon::kDecimal}, {"Qty", Canon::kInt},
    {"Total", Canon::kDecimal}, {"Name", Canon::kText},     {"Shout", Canon::kText},
};

TEST(GeneratedColumnsFromOtherSources, MariaDbVirtualAndStoredArriveAsValues) {
  auto maria = StartMariaDb("gen_msrc");
  ASSERT_TRUE(maria);
  auto conn = MariaConnect(*maria);
  MariaExec(*conn,
            "CREATE TABLE `Line` (`LineId` int PRIMARY KEY, `Price` decimal(10,2) NOT NULL, "
            "`Qty` int NOT NULL, `Total` decimal(10,2) AS (`Price` * `Qty`) STORED, "
            "`Name` varchar(40), `Shout` varchar(41) AS (UPPER(`Name`)) VIRTUAL)");
  MariaExec(*conn,
            "INSERT INTO `Line` (`LineId`, `Price`, `Qty`, `Name`) VALUES (1, 0.99, 3, 'a'), "
            "(2, 1.10, 2, NULL), (3, 5.00, 1, 'héllo')");
  SqliteDir dir;
  std::string dst = dir.path("dst.db");
  EngineProcess engine(
      {"replicate", "--source", maria->uri(), "--target", dir.uri("dst.db"), "--task", "gm"});
  auto source = [&] { return MariaCanonRows(*maria, "`Line`", "`LineId`", kLineCols); };
  auto target = [&] { return SqliteCanonRows(dst, "Line", "\"LineId\"", kLineCols); };
  ASSERT_EQ(WaitUntilSame(source, target, 60s), "") << engine.Log();
  EXPECT_NE(engine.Log().find("column Shout is generated on the source"), std::string::npos)
      << engine.Log();
  MariaExec(*conn,
            "UPDATE `Line` SET `Qty` = 7, `Name` = 'b' WHERE `LineId` = 1; "
            "INSERT INTO `Line` (`LineId`, `Price`, `Qty`, `Name`) VALUES (4, 2.50, 4, 'new'); "
            "DELETE FROM `Line` WHERE `LineId` = 2");
  ASSERT_EQ(WaitUntilSame(source, target, 60s), "") << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  RunResult v = RunCutover({"validate", "--source", maria->uri(), "--target", dir.uri("dst.db")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST(GeneratedColumnsFromOtherSources, SqliteGeneratedArriveAsValues) {
  SqliteDir dir;
  std::string src = dir.path("src.db"), dst = dir.path("dst.db");
  SqliteExec(src,
             "PRAGMA journal_mode = WAL; CREATE TABLE \"Line\" (\"LineId\" INTEGER PRIMARY KEY, "
             "\"Price\" DECIMAL TEXT(10,2) NOT NULL, \"Qty\" INTEGER NOT NULL, \"Total\" "
             "INTEGER GENERATED ALWAYS AS (\"Qty\" * 2) STORED, "
             "\"Name\" TEXT, \"Shout\" TEXT AS (upper(\"Name\")));"
             "INSERT INTO \"Line\" (\"LineId\", \"Price\", \"Qty\", \"Name\") VALUES "
             "(1, '0.99', 3, 'a'), (2, '1.10', 2, NULL)");
  EngineProcess engine(
      {"replicate", "--source", dir.uri("src.db"), "--target", dir.uri("dst.db"), "--task", "gs"});
  const std::vector<CanonCol> cols = {{"LineId", Canon::kInt},
                                      {"Qty", Canon::kInt},
                                      {"Total", Canon::kInt},
                                      {"Shout", Canon::kText}};
  auto source = [&] { return SqliteCanonRows(src, "Line", "\"LineId\"", cols); };
  auto target = [&] { return SqliteCanonRows(dst, "Line", "\"LineId\"", cols); };
  ASSERT_EQ(WaitUntilSame(source, target, 60s), "") << engine.Log();
  EXPECT_NE(engine.Log().find("column Shout is generated on the source (upper(\"Name\"))"),
            std::string::npos)
      << engine.Log();
  SqliteExec(src, "UPDATE \"Line\" SET \"Qty\" = 5, \"Name\" = 'z' WHERE \"LineId\" = 2");
  ASSERT_EQ(WaitUntilSame(source, target, 60s), "") << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

}  // namespace
}  // namespace cutover::testing
