// SQLite as a source, driving the real `cutover` binary: SQLite -> SQLite, -> PostgreSQL and
// -> MariaDB full load and CDC (insert, update of every column, delete, key change, NULL vs '',
// BLOBs with zero bytes, INSERT OR REPLACE with and without recursive_triggers, UPSERT), kill -9
// during CDC while another writer commits, prepare/drop leaving the file as it was, schema
// changes and bad input.
//
// Equality is checked independently of the engine (tests/integration/support/sqlite_support.h):
// SQLite read through the sqlite3 C API, the servers through their clients, each value rendered
// to one canonical text per kind.
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The type table: every SQLite declared type cutover maps, with edge values.
constexpr const char* kZtDdl =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE zt (id INTEGER PRIMARY KEY, i BIGINT, t TEXT, r REAL, b BLOB, d DATE, "
    "ts DATETIME, dec DECIMAL(12,2), ok BOOLEAN, u UUID);"
    "INSERT INTO zt VALUES "
    "(1, 9223372036854775807, 'héllo 🙂', 0.1, X'00010200', '1969-07-20', "
    "'2024-02-29 23:59:59.123456', 12.5, 1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
    "(2, -9223372036854775808, '', 1e-300, X'', '0001-01-01', '1970-01-01 00:00:00.000001', "
    "-0.25, 0, NULL),"
    "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
    "(4, 0, 'trailing  ', 1.7976931348623157e308, zeroblob(3), '9999-12-31', "
    "'1900-01-01 12:00:00.500000', 0, 1, '00000000-0000-0000-0000-000000000000');"
    "CREATE TABLE ck (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b));"
    "INSERT INTO ck VALUES ('x', 1, 'one'), ('x', 2, NULL), ('', 0, '');";

// CDC on both tables: every column of a row updated, NULL <-> '', key changes, deletes,
// REPLACE with and without recursive triggers, UPSERT, blobs with zero bytes.
constexpr const char* kZtChanges =
    "INSERT INTO zt VALUES (5, 5, 'five', 5.5, X'0000', '2000-02-29', '2000-02-29 00:00:00.000000',"
    " 5.05, 0, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A55');"
    "UPDATE zt SET i = -1, t = 'changed', r = -2.5e-10, b = X'ff00ff', d = '1600-03-01', "
    "ts = '2038-01-19 03:14:08.999999', dec = -99.99, ok = 0, "
    "u = 'ffffffff-ffff-ffff-ffff-ffffffffffff' WHERE id = 1;"
    "UPDATE zt SET t = '' WHERE id = 3;"
    "UPDATE zt SET t = NULL WHERE id = 2;"
    "UPDATE zt SET id = 40 WHERE id = 2;"
    "DELETE FROM zt WHERE id = 4;"
    "BEGIN; INSERT INTO zt (id, t) VALUES (6, 'gone'); DELETE FROM zt WHERE id = 6; COMMIT;"
    "BEGIN; DELETE FROM zt WHERE id = 5; INSERT INTO zt (id, t, b) VALUES (5, 'reborn', "
    "X'00'); COMMIT;"
    "PRAGMA recursive_triggers = OFF;"
    "INSERT OR REPLACE INTO zt (id, t) VALUES (1, 'replaced without recursive triggers');"
    "PRAGMA recursive_triggers = ON;"
    "INSERT OR REPLACE INTO zt (id, t, b) VALUES (3, 'replaced with recursive triggers', X'00');"
    "INSERT INTO zt (id, i) VALUES (40, 41) ON CONFLICT (id) DO UPDATE SET i = excluded.i;"
    "INSERT OR IGNORE INTO zt (id, t) VALUES (40, 'ignored');"
    "UPDATE ck SET a = 'y' WHERE a = 'x' AND b = 1;"
    "UPDATE ck SET b = 3, v = 'moved' WHERE a = 'x' AND b = 2;"
    "DELETE FROM ck WHERE a = '';"
    "INSERT INTO ck VALUES ('', 0, NULL);";

const std::vector<CanonCol> kZtCols = {
    {"id", Canon::kInt},       {"i", Canon::kInt},       {"t", Canon::kText},
    {"r", Canon::kFloat},      {"b", Canon::kBytes},     {"d", Canon::kDate},
    {"ts", Canon::kTimestamp}, {"dec", Canon::kDecimal}, {"ok", Canon::kBool},
};
const std::vector<CanonCol> kCkCols = {
    {"a", Canon::kText}, {"b", Canon::kInt}, {"v", Canon::kText}};

// One transaction touching both tables.
std::string fmt_ck(int i) {
  return "BEGIN; INSERT INTO ck VALUES ('w', " + std::to_string(i) +
         ", 'v'); UPDATE zt SET i = " + std::to_string(i) + " WHERE id = 1; COMMIT;";
}

class SqliteSource : public ::testing::Test {
 protected:
  std::string src() const { return dir_.path("src.db"); }
  std::string src_uri() const { return dir_.uri("src.db"); }

  static std::vector<std::string> Args(const std::string& source, const std::string& target,
                                       const std::string& task,
                                       std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"replicate", "--source", source, "--target",
                                  target,      "--task",   task};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // Every sqlite_schema entry, to see what prepare/drop leave behind.
  std::vector<std::string> SchemaDump() const {
    return SqliteColumn(src(),
                        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM "
                        "sqlite_schema ORDER BY type, name");
  }

  SqliteDir dir_;
};

TEST_F(SqliteSource, ToSqliteFullLoadAndCdcAreExact) {
  SqliteExec(src(), kZtDdl);
  std::string dst = dir_.path("dst.db");
  EngineProcess engine(Args(src_uri(), dir_.uri("dst.db"), "s2s"));
  auto zt = [&](const std::string& f) {
    return [&, f] { return SqliteCanonRows(f, "zt", "id", kZtCols); };
  };
  auto ck = [&](const std::string& f) {
    return [&, f] { return SqliteCanonRows(f, "ck", "a, b", kCkCols); };
  };
  EXPECT_EQ(WaitUntilSame(zt(src()), zt(dst), 60s), "") << engine.Log();
  EXPECT_EQ(WaitUntilSame(ck(src()), ck(dst), 30s), "") << engine.Log();
  SqliteExec(src(), kZtChanges);
  EXPECT_EQ(WaitUntilSame(zt(src()), zt(dst), 60s), "") << engine.Log();
  EXPECT_EQ(WaitUntilSame(ck(src()), ck(dst), 30s), "") << engine.Log();
  // SQLite -> SQLite keeps declared types and storage classes.
  EXPECT_EQ(SqliteColumn(src(),
                         "SELECT group_concat(typeof(r) || typeof(dec) || typeof(b)) FROM "
                         "(SELECT * FROM zt ORDER BY id)"),
            SqliteColumn(dst,
                         "SELECT group_concat(typeof(r) || typeof(dec) || typeof(b)) FROM "
                         "(SELECT * FROM zt ORDER BY id)"));
  EXPECT_EQ(SqliteValue(dst, "SELECT type FROM pragma_table_info('zt') WHERE name = 'dec'"),
            "DECIMAL(12,2)");
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  // The checkpoint was written with the data; pruning left at most the last change row.
  EXPECT_NE(SqliteValue(dst, "SELECT position FROM _cutover_checkpoint WHERE task = 's2s'"), "");
  EXPECT_LE(std::stoi(SqliteValue(src(), "SELECT count(*) FROM _cutover_changes_s2s")), 1);

  RunResult v = RunCutover({"validate", "--source", src_uri(), "--target", dir_.uri("dst.db")});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(SqliteSource, ToPostgresFullLoadCdcAndValidate) {
  auto pg = StartPostgres("sqlite_to_pg");
  ASSERT_TRUE(pg);
  SqliteExec(src(), kZtDdl);
  EngineProcess engine(Args(src_uri(), pg->uri(), "s2p"));
  std::vector<CanonCol> cols = kZtCols;
  cols.push_back({"u", Canon::kText});
  auto s = [&] { return SqliteCanonRows(src(), "zt", "id", cols); };
  auto t = [&] { return PgCanonRows(*pg, "public.zt", "id", cols); };
  auto sck = [&] { return SqliteCanonRows(src(), "ck", "a, b", kCkCols); };
  auto tck = [&] { return PgCanonRows(*pg, "public.ck", "a COLLATE \"C\", b", kCkCols); };
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  SqliteExec(src(), kZtChanges);
  // UUIDs arrive lower-case (kUuid is canonical text): the source wrote one upper-case.
  SqliteExec(src(), "UPDATE zt SET u = lower(u)");
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  EXPECT_EQ(WaitUntilSame(sck, tck, 30s), "") << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();

  RunResult v = RunCutover({"validate", "--source", src_uri(), "--target", pg->uri()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  Sql(*pg, "UPDATE public.zt SET t = 'injected' WHERE id = 1");
  v = RunCutover({"validate", "--source", src_uri(), "--target", pg->uri()});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.err.find("main.zt -> public.zt: DIFFERS (4 source rows, 4 target rows, 1 differing"),
            std::string::npos)
      << v.out << v.err;
}

TEST_F(SqliteSource, ToMariaDbFullLoadAndCdc) {
  auto maria = StartMariaDb("sqlite_to_maria");
  ASSERT_TRUE(maria);
  SqliteExec(src(), kZtDdl);
  EngineProcess engine(Args(src_uri(), maria->uri(), "s2m"));
  auto s = [&] { return SqliteCanonRows(src(), "zt", "id", kZtCols); };
  auto t = [&] { return MariaCanonRows(*maria, "zt", "id", kZtCols); };
  auto sck = [&] { return SqliteCanonRows(src(), "ck", "a, b", kCkCols); };
  auto tck = [&] { return MariaCanonRows(*maria, "ck", "a, b", kCkCols); };
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  SqliteExec(src(), kZtChanges);
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  EXPECT_EQ(WaitUntilSame(sck, tck, 30s), "") << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST_F(SqliteSource, KillNineDuringCdcWithConcurrentWriterLosesAndDuplicatesNothing) {
  auto pg = StartPostgres("sqlite_kill");
  ASSERT_TRUE(pg);
  CreateKcTables(src(), 2000);
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunSqliteKcWriter, src(), 1, /*recursive=*/false, std::cref(stop),
                     std::ref(committed));
  auto args = Args(src_uri(), pg->uri(), "kc");
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually(
      [&] {  // the control table may not exist yet: not a failure
        auto r = pg->Sql("SELECT count(*) FROM cutover.table_state WHERE task = 'kc'");
        return r.ok() && *r == "2";
      },
      60s))
      << engine->Log();
  KillNineAndRestart(engine, args, 3, 7);
  std::this_thread::sleep_for(2s);
  stop = true;
  writer.join();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GT(committed.load(), 100);
  std::printf("[ measure ] the SQLite writer committed %ld transactions during the kill test\n",
              committed.load());
  EXPECT_EQ(WaitUntilSame([&] { return SqliteCanonRows(src(), "kc", "id", kKcCols); },
                          [&] { return PgCanonRows(*pg, "public.kc", "id", kKcCols); }, 120s),
            "")
      << engine->Log();
  EXPECT_EQ(
      WaitUntilSame([&] { return SqliteCanonRows(src(), "kc_events", "id", kKcEventCols); },
                    [&] { return PgCanonRows(*pg, "public.kc_events", "id", kKcEventCols); }, 60s),
      "")
      << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

TEST_F(SqliteSource, LargeSourceTransactionStreamsWithBoundedMemory) {
  CreateKcTables(src(), 10);
  std::string dst = dir_.path("dst.db");
  EngineProcess engine(Args(src_uri(), dir_.uri("dst.db"), "big"));
  ASSERT_TRUE(Eventually(
      [&] { return SqliteValue(dst, "SELECT count(*) FROM _cutover_table_state") == "2"; }, 60s))
      << engine.Log();
  // One source transaction: 200,000 inserts of ~270 bytes each, then 200,000 updates.
  SqliteExec(src(),
             "BEGIN; WITH RECURSIVE g(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM g "
             "WHERE i < 200999) INSERT INTO kc SELECT i, i, hex(randomblob(128)), "
             "randomblob(i % 7) FROM g; UPDATE kc SET balance = -balance; COMMIT;");
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(Eventually(
      [&] {
        return SqliteValue(dst, "SELECT count(*) FROM kc WHERE balance < 0 AND id >= 1000") ==
               "200000";
      },
      180s))
      << engine.Log();
  std::printf(
      "[ measure ] the 200,000-row transaction reached the target %.1f s after its "
      "commit\n",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  EXPECT_EQ(CompareCanonRows(SqliteCanonRows(src(), "kc", "id", kKcCols),
                             SqliteCanonRows(dst, "kc", "id", kKcCols)),
            "");
  long peak_kb = engine.PeakRssKb();
  std::printf(
      "[ measure ] peak RSS of the engine across a 200,000-row SQLite transaction "
      "(~55 MB of row data): %ld KiB\n",
      peak_kb);
  EXPECT_GT(peak_kb, 0);
  EXPECT_LT(peak_kb, 150 * 1024) << "the transaction was held in memory?";
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

// A table added to a task later is loaded from a later snapshot S2 while the stream resumes
// before it: no stream transaction may straddle S2, or the new table would get changes its copy
// already holds (a duplicate key on PostgreSQL).
TEST_F(SqliteSource, TableAddedLaterLinesUpWithTheStream) {
  auto pg = StartPostgres("sqlite_added");
  ASSERT_TRUE(pg);
  SqliteExec(src(), kZtDdl);
  RunResult r = RunCutover({"task", "prepare", "--source", src_uri(), "--task", "add"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCutover(Args(src_uri(), pg->uri(), "add", {"--tables", "zt", "--type", "full-load"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop && i < 20000; ++i) {
      SqliteExec(src(), fmt_ck(i));
      std::this_thread::sleep_for(5ms);
    }
  });
  std::this_thread::sleep_for(300ms);  // changes to both tables after zt's snapshot
  EngineProcess engine(Args(src_uri(), pg->uri(), "add"));
  std::this_thread::sleep_for(3s);
  stop = true;
  writer.join();
  auto s = [&] { return SqliteCanonRows(src(), "ck", "a, b", kCkCols); };
  auto t = [&] { return PgCanonRows(*pg, "public.ck", "a COLLATE \"C\", b", kCkCols); };
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  EXPECT_EQ(WaitUntilSame([&] { return SqliteCanonRows(src(), "zt", "id", kZtCols); },
                          [&] { return PgCanonRows(*pg, "public.zt", "id", kZtCols); }, 30s),
            "")
      << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST_F(SqliteSource, PrepareAndDropLeaveTheFileAsItWas) {
  SqliteExec(src(), kZtDdl);
  SqliteExec(src(), "CREATE UNIQUE INDEX zt_t ON zt (t)");
  std::vector<std::string> before = SchemaDump();
  RunResult r = RunCutover({"task", "prepare", "--source", src_uri(), "--task", "pd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteValue(src(), "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "10");
  // Preparing again changes nothing; a new unique index regenerates the triggers.
  r = RunCutover({"task", "prepare", "--source", src_uri(), "--task", "pd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("regenerated"), std::string::npos) << r.err;
  SqliteExec(src(), "CREATE UNIQUE INDEX ck_v ON ck (v)");
  r = RunCutover({"task", "prepare", "--source", src_uri(), "--task", "pd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("main.ck: change-capture triggers of task pd regenerated"),
            std::string::npos)
      << r.err;
  // INSERT OR REPLACE colliding on the unique index, without recursive triggers, is captured.
  SqliteExec(src(), "INSERT OR REPLACE INTO zt (id, t) VALUES (77, 'héllo 🙂')");
  EXPECT_EQ(SqliteValue(src(),
                        "SELECT group_concat(k0 || ':' || existed, ' ') FROM (SELECT * "
                        "FROM _cutover_changes_pd ORDER BY seq)"),
            "1:1 77:0");
  r = RunCutover({"task", "drop", "--source", src_uri(), "--task", "pd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SqliteExec(src(), "DROP INDEX ck_v");
  EXPECT_EQ(SchemaDump(), before);
}

TEST_F(SqliteSource, SchemaChangesAreDetected) {
  SqliteExec(src(), kZtDdl);
  std::string dst = dir_.uri("dst.db");
  EngineProcess engine(Args(src_uri(), dst, "sc"));
  ASSERT_TRUE(Eventually(
      [&] {
        return SqliteValue(dir_.path("dst.db"), "SELECT count(*) FROM _cutover_table_state") == "2";
      },
      60s))
      << engine.Log();
  SqliteExec(src(),
             "ALTER TABLE ck ADD COLUMN extra TEXT; INSERT INTO ck VALUES ('n', 1, 'v', 'e')");
  EXPECT_EQ(engine.Wait(30s), 2) << engine.Log();
  EXPECT_NE(engine.Log().find("table main.ck: its columns changed while replicating"),
            std::string::npos)
      << engine.Log();
  // A table rebuilt behind cutover's back (drop and create) lost its triggers: refused.
  SqliteExec(src(),
             "ALTER TABLE ck DROP COLUMN extra; CREATE TABLE zt2 AS SELECT * FROM zt; "
             "DROP TABLE zt; CREATE TABLE zt (id INTEGER PRIMARY KEY, i BIGINT, t TEXT, "
             "r REAL, b BLOB, d DATE, ts DATETIME, dec DECIMAL(12,2), ok BOOLEAN, u UUID);"
             "INSERT INTO zt SELECT * FROM zt2; DROP TABLE zt2;");
  RunResult r = RunCutover(Args(src_uri(), dst, "sc", {"--tables", "zt"}), 60s);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("table main.zt: the change-capture triggers of task sc are gone"),
            std::string::npos)
      << r.err;
}

TEST_F(SqliteSource, BadInputIsOneClearLine) {
  std::string dst = dir_.uri("dst.db");
  RunResult r = RunCutover(Args(dir_.uri("missing.db"), dst, "bad"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("SQLite database " + dir_.path("missing.db") + " does not exist"),
            std::string::npos)
      << r.err;
  SqliteExec(dir_.path("junk.db"), "");  // creates an empty file, then overwrite it with text
  {
    FILE* f = std::fopen(dir_.path("junk.db").c_str(), "w");
    std::fputs(
        "this is not a database, just some text long enough to have a header......"
        "...............................................................",
        f);
    std::fclose(f);
  }
  r = RunCutover(Args(dir_.uri("junk.db"), dst, "bad"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("file is not a database"), std::string::npos) << r.err;
  // A table without a primary key: full load works, CDC is refused naming it.
  SqliteExec(src(),
             "CREATE TABLE nokey (a INTEGER, b TEXT); INSERT INTO nokey VALUES (1, 'x');"
             "CREATE TABLE bad_int (id INTEGER PRIMARY KEY, n INTEGER);"
             "INSERT INTO bad_int VALUES (1, 'not a number');");
  r = RunCutover(Args(src_uri(), dst, "bad", {"--tables", "nokey"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("table main.nokey: has no primary key"), std::string::npos) << r.err;
  SqliteExec(src(), "CREATE TABLE nocase (k TEXT COLLATE NOCASE PRIMARY KEY)");
  r = RunCutover({"task", "prepare", "--source", src_uri(), "--task", "bad", "--tables", "nocase"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("table main.nocase: key column k (COLLATE NOCASE) does not compare "
                       "bytewise"),
            std::string::npos)
      << r.err;
  r = RunCutover(Args(src_uri(), dst, "bad", {"--tables", "nokey", "--type", "full-load"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqliteValue(dir_.path("dst.db"), "SELECT a || b FROM nokey"), "1x");
  // A value of the wrong storage class names table, key, column and value.
  r = RunCutover(Args(src_uri(), dst, "bad2", {"--tables", "bad_int", "--type", "full-load"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("table main.bad_int, row with key (id=1): column n (INTEGER): stored value "
                       "'not a number' (TEXT) is not a 64-bit integer"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("cutover: error: "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cutover::testing
