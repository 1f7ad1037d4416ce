// Same-table split of the full load (engine/core/load_split.h) against real servers, driving the
// real `cutover` binary: a table above --split-tables-larger-than loads as key ranges, each with
// its own state row on the target, from every source engine and into PostgreSQL and MariaDB;
// a kill -9 in the middle of a split table resumes only the ranges that had not committed and
// ends exact with CDC running; a DMS parallel-load "ranges" rule splits at its boundaries.
// Equality is checked by SQL on both sides (test_support.h, sqlite_support.h), never by
// engine code; the range rows are read from the target's control table.
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<CanonCol> kBigCols = {
    {"id", Canon::kInt}, {"v", Canon::kText}, {"n", Canon::kInt}};

// The split table's ranges on a PostgreSQL target: "no|lo|hi|rows" per range (NULL as empty).
std::vector<std::string> PgRanges(const harness::ThrowawayServer& pg, const std::string& task) {
  std::string out =
      Sql(pg,
          "SELECT string_agg(concat_ws('|', range_no, coalesce(lo::text, ''), "
          "coalesce(hi::text, ''), coalesce(rows::text, '')), ',' ORDER BY range_no) FROM "
          "cutover.load_range WHERE task = '" +
              task + "'");
  std::vector<std::string> rows;
  size_t start = 0;
  while (!out.empty() && start <= out.size()) {
    size_t end = out.find(',', start);
    rows.push_back(out.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return rows;
}

std::vector<std::string> Replicate(const std::string& source, const std::string& target,
                                   const std::string& task, std::vector<std::string> extra) {
  std::vector<std::string> args = {"replicate", "--source",   source, "--target",
                                   target,      "--task",     task,   "--split-tables-larger-than",
                                   "64kB",      "--parallel", "4"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// 60,000 rows; CDC after the load touches every range (first, middle, last, past the end).
constexpr const char* kPgBig =
    "CREATE TABLE public.big (id bigint PRIMARY KEY, v text, n int);"
    "INSERT INTO public.big SELECT g, md5(g::text), g % 97 FROM generate_series(1, 60000) g;"
    "CREATE INDEX big_n ON public.big (n); ANALYZE public.big;";
constexpr const char* kPgBigChanges =
    "UPDATE public.big SET v = 'changed' WHERE id % 1000 = 7;"
    "DELETE FROM public.big WHERE id BETWEEN 30000 AND 30010;"
    "INSERT INTO public.big VALUES (90000, 'past the end', 1), (-5, 'before the start', 2);"
    "UPDATE public.big SET id = 95000 WHERE id = 3;";

// Every range committed, one snapshot, their rows add up to the table.
void ExpectAllRangesDone(const std::vector<std::string>& ranges, size_t n, int64_t total) {
  ASSERT_EQ(ranges.size(), n);
  int64_t sum = 0;
  for (const auto& r : ranges) {
    std::string rows = r.substr(r.rfind('|') + 1);
    ASSERT_FALSE(rows.empty()) << "range not done: " << r;
    sum += std::stoll(rows);
  }
  EXPECT_EQ(sum, total);
}

TEST(SplitLoad, PgToPgSplitTableLoadsExactAndFollowsCdc) {
  auto source = StartPostgres("split_src");
  auto target = StartPostgres("split_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgBig);
  EngineProcess engine(Replicate(source->uri(), target->uri(), "sp", {"--tables", "public.big"}));
  std::vector<TableSpec> tables = {{"public.big", "id"}};
  ASSERT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine.Log();
  ExpectAllRangesDone(PgRanges(*target, "sp"), 4, 60000);
  // One snapshot for every range of a run.
  EXPECT_EQ(Sql(*target, "SELECT count(DISTINCT snapshot_position) FROM cutover.load_range"), "1");
  EXPECT_NE(engine.Log().find("in 4 key ranges of id"), std::string::npos) << engine.Log();
  Sql(*source, kPgBigChanges);
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 60s), "") << engine.Log();
  // The primary key was added after the ranges (the table was created without it).
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.big'::regclass "
                "AND contype = 'p'"),
            "1");
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST(SplitLoad, MariaDbToPgSplitTableLoadsExact) {
  auto maria = StartMariaDb("split_msrc");
  auto pg = StartPostgres("split_mtgt");
  ASSERT_TRUE(maria && pg);
  auto conn = MariaConnect(*maria);
  MariaExec(*conn,
            "CREATE TABLE big (id BIGINT PRIMARY KEY, v VARCHAR(40), n INT) ENGINE=InnoDB;"
            "INSERT INTO big SELECT seq, md5(seq), seq % 97 FROM seq_1_to_60000;"
            "ANALYZE TABLE big;");
  EngineProcess engine(Replicate(maria->uri(), pg->uri(), "sm", {}));
  auto s = [&] { return MariaCanonRows(*maria, "big", "id", kBigCols); };
  auto t = [&] { return PgCanonRows(*pg, "public.big", "id", kBigCols); };
  ASSERT_EQ(WaitUntilSame(s, t, 90s), "") << engine.Log();
  ExpectAllRangesDone(PgRanges(*pg, "sm"), 4, 60000);
  MariaExec(*conn,
            "UPDATE big SET v = 'changed' WHERE id % 1000 = 7;"
            "DELETE FROM big WHERE id BETWEEN 30000 AND 30010;"
            "INSERT INTO big VALUES (90000, 'past the end', 1);");
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST(SplitLoad, PgToMariaDbSplitTableLoadsExact) {
  auto pg = StartPostgres("split_psrc");
  auto maria = StartMariaDb("split_ptgt");
  ASSERT_TRUE(pg && maria);
  Sql(*pg, kPgBig);
  EngineProcess engine(Replicate(pg->uri(), maria->uri(), "pm", {"--tables", "public.big"}));
  auto s = [&] { return PgCanonRows(*pg, "public.big", "id", kBigCols); };
  auto t = [&] { return MariaCanonRows(*maria, "big", "id", kBigCols); };
  ASSERT_EQ(WaitUntilSame(s, t, 90s), "") << engine.Log();
  auto conn = MariaConnect(*maria);
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT concat(count(*), '/', sum(`rows`)) FROM "
                       "cutover._cutover_load_range WHERE task = 'pm' AND "
                       "snapshot_position IS NOT NULL"),
            "4/60000");
  Sql(*pg, kPgBigChanges);
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

TEST(SplitLoad, SqliteToPgSplitTableLoadsExact) {
  SqliteDir dir;
  auto pg = StartPostgres("split_stgt");
  ASSERT_TRUE(pg);
  const std::string src = dir.path("src.db");
  SqliteExec(src,
             "PRAGMA journal_mode=WAL;"
             "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT, n INTEGER);"
             "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 60000) "
             "INSERT INTO big SELECT x, hex(randomblob(8)), x % 97 FROM g; ANALYZE;");
  EngineProcess engine(Replicate(dir.uri("src.db"), pg->uri(), "sq", {}));
  auto s = [&] { return SqliteCanonRows(src, "big", "id", kBigCols); };
  auto t = [&] { return PgCanonRows(*pg, "public.big", "id", kBigCols); };
  ASSERT_EQ(WaitUntilSame(s, t, 90s), "") << engine.Log();
  ExpectAllRangesDone(PgRanges(*pg, "sq"), 4, 60000);
  SqliteExec(src,
             "UPDATE big SET v = 'changed' WHERE id % 1000 = 7;"
             "DELETE FROM big WHERE id BETWEEN 30000 AND 30010;"
             "INSERT INTO big VALUES (90000, 'past the end', 1);");
  EXPECT_EQ(WaitUntilSame(s, t, 60s), "") << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
}

// A DMS parallel-load "ranges" rule splits kf.a at 1000, 2000, 3000 (four segments, the last one
// large). The load is killed once the three small segments committed; while it is down the
// source changes rows in done and in unfinished segments, and moves keys between them. The
// restart loads only the last segment (from a later snapshot), keeps the done ones untouched,
// and CDC applies each change by the snapshot of the segment its key falls in: exact.
TEST(SplitLoad, KillNineMidSplitResumesOnlyUnfinishedRanges) {
  auto source = StartPostgres("splitk_src");
  auto target = StartPostgres("splitk_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE SCHEMA kf; CREATE TABLE kf.a (id int PRIMARY KEY, v text);"
      "INSERT INTO kf.a SELECT g, md5(g::text) FROM generate_series(1, 600000) g; ANALYZE;");
  SqliteDir dir;  // a temp directory for the mapping file
  const std::string mapping = dir.path("mapping.json");
  std::ofstream(mapping) << R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "kf", "rule-action": "include",
     "object-locator": {"schema-name": "kf", "table-name": "%"}},
    {"rule-type": "table-settings", "rule-id": "2", "rule-name": "split-a",
     "object-locator": {"schema-name": "kf", "table-name": "a"},
     "parallel-load": {"type": "ranges", "columns": ["id"],
                       "boundaries": [["1000"], ["2000"], ["3000"]]}}]})";
  std::vector<std::string> args = {
      "replicate",        "--source", source->uri(), "--target", target->uri(), "--task", "kr",
      "--table-mappings", mapping,    "--parallel",  "2"};
  auto engine = std::make_unique<EngineProcess>(args);
  auto done_ranges = [&] {
    auto r = target->Sql(
        "SELECT count(*) FROM cutover.load_range WHERE task = 'kr' AND rows IS NOT NULL");
    return r.ok() ? std::atoi(r->c_str()) : -1;
  };
  ASSERT_TRUE(Eventually([&] { return done_ranges() >= 3 || !engine->Running(); }, 90s))
      << engine->Log();
  engine->Signal(SIGKILL);
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  ASSERT_EQ(done_ranges(), 3) << "the kill did not land between the small and the large segment";
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM cutover.table_state WHERE task = 'kr'"), "0");
  // The segments are the rule's boundaries; the three small ones hold their rows.
  EXPECT_EQ(PgRanges(*target, "kr"), (std::vector<std::string>{"0||1001|1000", "1|1001|2001|1000",
                                                               "2|2001|3001|1000", "3|3001||"}));
  const std::string done_before =
      Sql(*target,
          "SELECT string_agg(range_no || snapshot_position || loaded_at, ',' ORDER BY "
          "range_no) FROM cutover.load_range WHERE task = 'kr' AND rows IS NOT NULL");
  // Row-level evidence: the transactions that wrote the done segments' rows (those no change
  // below touches) stay the same; a reload would write them again.
  const std::string writers_sql =
      "SELECT string_agg(DISTINCT xmin::text, ',') FROM kf.a WHERE id BETWEEN 11 AND 3000 AND "
      "id NOT IN (1500, 2500)";
  const std::string writers_before = Sql(*target, writers_sql);
  EXPECT_EQ(std::count(writers_before.begin(), writers_before.end(), ','), 2) << writers_before;

  Sql(*source,
      "UPDATE kf.a SET v = 'down, done segment' WHERE id <= 10;"       // applied by CDC
      "INSERT INTO kf.a VALUES (700000, 'down, unfinished segment');"  // in the reload's copy
      "UPDATE kf.a SET id = 800000 WHERE id = 5;"                      // done -> unfinished
      "DELETE FROM kf.a WHERE id = 1500;"                              // done segment
      "UPDATE kf.a SET id = 1500 WHERE id = 600000;"                   // unfinished -> done
      "UPDATE kf.a SET v = 'down, unfinished segment' WHERE id BETWEEN 5000 AND 5010;");
  engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*target, "SELECT count(*) FROM cutover.table_state WHERE task = 'kr'") == "1" ||
               !engine->Running();
      },
      90s))
      << engine->Log();
  EXPECT_NE(engine->Log().find("resuming its split load in 4 key ranges of id, 3 already done"),
            std::string::npos)
      << engine->Log();
  // The done segments were not loaded again: same snapshot, same commit time.
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(range_no || snapshot_position || loaded_at, ',' ORDER "
                "BY range_no) FROM cutover.load_range WHERE task = 'kr' AND range_no < 3"),
            done_before);
  EXPECT_EQ(Sql(*target,
                "SELECT count(DISTINCT snapshot_position) FROM cutover.load_range WHERE "
                "task = 'kr'"),
            "2");
  std::vector<TableSpec> tables = {{"kf.a", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine->Log();
  EXPECT_EQ(Sql(*target, writers_sql), writers_before);
  Sql(*source, "UPDATE kf.a SET v = 'after the reload' WHERE id IN (1, 1500, 2500, 500000);");
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine->Log();
  EXPECT_TRUE(engine->Running()) << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
}

// The source's schema changes while the engine is down between a kill -9 in the middle of a
// split table's load and the restart: a column is added (with a default, then filled for some
// rows of done and unfinished segments) and another widened. The restart reads the unfinished
// segment from a fresh snapshot that has the new shape, while the done segments and CDC's
// changes from before the change have the old one; the end must be exact, the new column's
// values included, with no segment loaded twice.
TEST(SplitLoad, KillNineMidSplitThenSourceSchemaChangeResumesExact) {
  auto source = StartPostgres("splits_src");
  auto target = StartPostgres("splits_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE SCHEMA kf; CREATE TABLE kf.a (id int PRIMARY KEY, v varchar(40));"
      "INSERT INTO kf.a SELECT g, md5(g::text) FROM generate_series(1, 600000) g; ANALYZE;");
  SqliteDir dir;
  const std::string mapping = dir.path("mapping.json");
  std::ofstream(mapping) << R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "kf", "rule-action": "include",
     "object-locator": {"schema-name": "kf", "table-name": "%"}},
    {"rule-type": "table-settings", "rule-id": "2", "rule-name": "split-a",
     "object-locator": {"schema-name": "kf", "table-name": "a"},
     "parallel-load": {"type": "ranges", "columns": ["id"],
                       "boundaries": [["1000"], ["2000"], ["3000"]]}}]})";
  std::vector<std::string> args = {
      "replicate",        "--source", source->uri(), "--target", target->uri(), "--task", "ks",
      "--table-mappings", mapping,    "--parallel",  "2"};
  auto engine = std::make_unique<EngineProcess>(args);
  auto done_ranges = [&] {
    auto r = target->Sql(
        "SELECT count(*) FROM cutover.load_range WHERE task = 'ks' AND rows IS NOT NULL");
    return r.ok() ? std::atoi(r->c_str()) : -1;
  };
  ASSERT_TRUE(Eventually([&] { return done_ranges() >= 3 || !engine->Running(); }, 90s))
      << engine->Log();
  engine->Signal(SIGKILL);
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  ASSERT_EQ(done_ranges(), 3) << "the kill did not land between the small and the large segment";

  Sql(*source,
      "UPDATE kf.a SET v = 'before the change' WHERE id IN (10, 5000);"
      "ALTER TABLE kf.a ADD COLUMN w int DEFAULT 7;"
      "ALTER TABLE kf.a ALTER COLUMN v TYPE varchar(80);"
      "UPDATE kf.a SET w = id, v = repeat('x', 70) WHERE id IN (11, 1500, 5001, 500000);"
      "INSERT INTO kf.a VALUES (700000, 'after the change', 70);");
  engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*target, "SELECT count(*) FROM cutover.table_state WHERE task = 'ks'") == "1" ||
               !engine->Running();
      },
      90s))
      << engine->Log();
  EXPECT_NE(engine->Log().find("table kf.a: its columns changed since its split load began"),
            std::string::npos)
      << engine->Log();
  // Loaded again whole: every range from the restart's one snapshot.
  EXPECT_EQ(Sql(*target,
                "SELECT count(DISTINCT snapshot_position) || '/' || count(*) FROM "
                "cutover.load_range WHERE task = 'ks' AND rows IS NOT NULL"),
            "1/4");
  std::vector<TableSpec> tables = {{"kf.a", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine->Log();
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM kf.a WHERE w = 7"), "599996");
  Sql(*source, "UPDATE kf.a SET w = -1 WHERE id IN (1, 2500, 400000);");
  EXPECT_EQ(WaitUntilEqual(*source, *target, tables, 90s), "") << engine->Log();
  EXPECT_TRUE(engine->Running()) << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
}

// ---------------------------------------------------------------------------------------------
// The same kill -9 in the middle of a split table's load for the other engines: a DMS
// parallel-load "ranges" rule splits `a` at 1000, 2000, 3000; the load is killed once the three
// small segments committed (the large one is still loading); the source changes rows in done and
// unfinished segments and moves keys between them while the engine is down; the restart loads
// only the last segment, leaves the done ones' state rows (snapshot, commit time) as they were,
// and ends exact with CDC running.

const std::vector<CanonCol> kACols = {{"id", Canon::kInt}, {"v", Canon::kText}};

constexpr const char* kSplitAMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "a"}},
  {"rule-type": "table-settings", "rule-id": "2", "rule-name": "split-a",
   "object-locator": {"schema-name": "%", "table-name": "a"},
   "parallel-load": {"type": "ranges", "columns": ["id"],
                     "boundaries": [["1000"], ["2000"], ["3000"]]}}]})";

// The source side: its URI, statements run on it (`{a}` stands for the table), its rows.
struct KillSource {
  std::string uri;
  std::function<void(const std::string&)> exec;
  std::function<std::vector<std::string>()> rows;
  std::string table;  // how `{a}` is written in its SQL
};

// The target side: its URI, its rows, and a query's first cell ("" on error, e.g. before the
// control tables exist).
struct KillTarget {
  std::string uri;
  std::function<std::vector<std::string>()> rows;
  std::function<std::string(const std::string&)> value;
  bool pg = true;     // the SQL dialect of the control-table queries
  std::string table;  // PostgreSQL: the loaded table, for the rows' xmin
};

std::string WithTable(std::string sql, const std::string& table) {
  for (size_t at; (at = sql.find("{a}")) != std::string::npos;) sql.replace(at, 3, table);
  return sql;
}

void KillNineMidSplitAndResume(const KillSource& source, const KillTarget& target,
                               const std::string& task) {
  const std::string ranges_table = target.pg ? "cutover.load_range" : "cutover._cutover_load_range";
  const std::string state_table =
      target.pg ? "cutover.table_state" : "cutover._cutover_table_state";
  const std::string rows_col = target.pg ? "rows" : "`rows`";
  const std::string where = " FROM " + ranges_table + " WHERE task = '" + task + "'";
  // "no|lo|hi|rows" per range, in range order.
  const std::string ranges_sql =
      target.pg ? "SELECT string_agg(concat_ws('|', range_no, coalesce(lo::text, ''), "
                  "coalesce(hi::text, ''), coalesce(rows::text, '')), ',' ORDER BY range_no)" +
                      where
                : "SELECT group_concat(concat_ws('|', range_no, coalesce(lo, ''), coalesce(hi, "
                  "''), coalesce(`rows`, '')) ORDER BY range_no SEPARATOR ',')" +
                      where;
  // What a reload of a range would change: its snapshot and its commit time.
  const std::string stamps_sql =
      target.pg ? "SELECT string_agg(range_no || '@' || snapshot_position || '@' || loaded_at, "
                  "',' ORDER BY range_no)" +
                      where + " AND range_no < 3"
                : "SELECT group_concat(concat_ws('@', range_no, snapshot_position, loaded_at) "
                  "ORDER BY range_no SEPARATOR ',')" +
                      where + " AND range_no < 3";
  auto done_ranges = [&] {
    std::string n = target.value("SELECT count(*)" + where + " AND " + rows_col + " IS NOT NULL");
    return n.empty() ? -1 : std::atoi(n.c_str());
  };
  auto tables_loaded = [&] {
    return target.value("SELECT count(*) FROM " + state_table + " WHERE task = '" + task + "'");
  };

  SqliteDir dir;  // a temp directory for the mapping file
  const std::string mapping = dir.path("mapping.json");
  std::ofstream(mapping) << kSplitAMapping;
  std::vector<std::string> args = {"replicate", "--source",         source.uri, "--target",
                                   target.uri,  "--task",           task,       "--parallel",
                                   "2",         "--table-mappings", mapping};
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return done_ranges() >= 3 || !engine->Running(); }, 90s))
      << engine->Log();
  engine->Signal(SIGKILL);
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  ASSERT_EQ(done_ranges(), 3) << "the kill did not land between the small and the large segment\n"
                              << engine->Log();
  EXPECT_EQ(tables_loaded(), "0");
  EXPECT_EQ(target.value(ranges_sql), "0||1001|1000,1|1001|2001|1000,2|2001|3001|1000,3|3001||");
  const std::string stamps_before = target.value(stamps_sql);
  ASSERT_FALSE(stamps_before.empty());
  // PostgreSQL target: row-level evidence too. The transactions that wrote the done segments'
  // rows (those no change touches) stay the same: a reload would write them again.
  const std::string writers_sql =
      target.pg ? "SELECT string_agg(DISTINCT xmin::text, ',') FROM " + target.table +
                      " WHERE id BETWEEN 11 AND 3000 AND id NOT IN (1500, 2500)"
                : "";
  const std::string writers_before = target.pg ? target.value(writers_sql) : "";
  if (target.pg) {
    ASSERT_FALSE(writers_before.empty());
  }

  source.exec(
      WithTable("UPDATE {a} SET v = 'down, done segment' WHERE id <= 10;"
                "INSERT INTO {a} VALUES (700000, 'down, unfinished segment');"
                "UPDATE {a} SET id = 800000 WHERE id = 5;"
                "DELETE FROM {a} WHERE id = 1500;"
                "UPDATE {a} SET id = 1500 WHERE id = 600000;"
                "UPDATE {a} SET v = 'down, unfinished segment' WHERE id BETWEEN 5000 AND 5010;",
                source.table));
  engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return tables_loaded() == "1" || !engine->Running(); }, 90s))
      << engine->Log();
  EXPECT_NE(engine->Log().find("resuming its split load in 4 key ranges of id, 3 already done"),
            std::string::npos)
      << engine->Log();
  // The done segments were not loaded again: same snapshot, same commit time.
  EXPECT_EQ(target.value(stamps_sql), stamps_before);
  EXPECT_EQ(target.value("SELECT count(DISTINCT snapshot_position)" + where), "2");
  EXPECT_EQ(WaitUntilSame(source.rows, target.rows, 90s), "") << engine->Log();
  if (target.pg) {
    EXPECT_EQ(target.value(writers_sql), writers_before);
  }
  source.exec(WithTable(
      "UPDATE {a} SET v = 'after the reload' WHERE id IN (1, 1500, 2500, 500000);", source.table));
  EXPECT_EQ(WaitUntilSame(source.rows, target.rows, 60s), "") << engine->Log();
  EXPECT_TRUE(engine->Running()) << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(30s), 0) << engine->Log();
}

KillTarget PgKillTarget(const harness::ThrowawayServer& pg, const std::string& table) {
  return KillTarget{pg.uri(), [&pg, table] { return PgCanonRows(pg, table, "id", kACols); },
                    [&pg](const std::string& sql) {
                      auto r = pg.Sql(sql);
                      return r.ok() ? *r : std::string();
                    },
                    true, table};
}

KillTarget MariaKillTarget(const harness::ThrowawayServer& maria, mariadb::MariaConn& conn) {
  return KillTarget{maria.uri(),
                    [&maria] { return MariaCanonRows(maria, "cutover.a", "id", kACols); },
                    [&conn](const std::string& sql) {
                      auto r = conn.Query(sql);
                      if (!r.ok() || r->rows.empty() || r->rows[0].empty()) return std::string();
                      return r->rows[0][0].value_or("");
                    },
                    false, ""};
}

KillSource MariaKillSource(const harness::ThrowawayServer& maria, mariadb::MariaConn& conn) {
  MariaExec(conn,
            "CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(40)) ENGINE=InnoDB;"
            "INSERT INTO a SELECT seq, md5(seq) FROM seq_1_to_600000;");
  return KillSource{maria.uri(), [&conn](const std::string& sql) { MariaExec(conn, sql); },
                    [&maria] { return MariaCanonRows(maria, "cutover.a", "id", kACols); }, "a"};
}

KillSource PgKillSource(const harness::ThrowawayServer& pg) {
  Sql(pg,
      "CREATE TABLE public.a (id int PRIMARY KEY, v text);"
      "INSERT INTO public.a SELECT g, md5(g::text) FROM generate_series(1, 600000) g; ANALYZE;");
  return KillSource{pg.uri(), [&pg](const std::string& sql) { Sql(pg, sql); },
                    [&pg] { return PgCanonRows(pg, "public.a", "id", kACols); }, "public.a"};
}

TEST(SplitLoad, KillNineMidSplitMariaDbToMariaDb) {
  auto source = StartMariaDb("splitk_mm_src");
  auto target = StartMariaDb("splitk_mm_tgt");
  ASSERT_TRUE(source && target);
  auto sconn = MariaConnect(*source);
  auto tconn = MariaConnect(*target);
  KillNineMidSplitAndResume(MariaKillSource(*source, *sconn), MariaKillTarget(*target, *tconn),
                            "kmm");
}

TEST(SplitLoad, KillNineMidSplitMariaDbToPg) {
  auto source = StartMariaDb("splitk_mp_src");
  auto target = StartPostgres("splitk_mp_tgt");
  ASSERT_TRUE(source && target);
  auto sconn = MariaConnect(*source);
  KillNineMidSplitAndResume(MariaKillSource(*source, *sconn), PgKillTarget(*target, "public.a"),
                            "kmp");
}

TEST(SplitLoad, KillNineMidSplitPgToMariaDb) {
  auto source = StartPostgres("splitk_pm_src");
  auto target = StartMariaDb("splitk_pm_tgt");
  ASSERT_TRUE(source && target);
  auto tconn = MariaConnect(*target);
  KillNineMidSplitAndResume(PgKillSource(*source), MariaKillTarget(*target, *tconn), "kpm");
}

// SQLite: one reader (the snapshot's read transaction), the ranges written in parallel.
TEST(SplitLoad, KillNineMidSplitSqliteToPg) {
  SqliteDir dir;
  auto target = StartPostgres("splitk_sp_tgt");
  ASSERT_TRUE(target);
  const std::string src = dir.path("src.db");
  SqliteExec(src,
             "PRAGMA journal_mode=WAL;"
             "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);"
             "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 600000) "
             "INSERT INTO a SELECT x, hex(randomblob(8)) FROM g;");
  KillSource source{dir.uri("src.db"), [&src](const std::string& sql) { SqliteExec(src, sql); },
                    [&src] { return SqliteCanonRows(src, "a", "id", kACols); }, "a"};
  KillNineMidSplitAndResume(source, PgKillTarget(*target, "public.a"), "ksp");
}

}  // namespace
}  // namespace cutover::testing
