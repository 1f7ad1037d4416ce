// PostgreSQL -> PostgreSQL replication against real throwaway servers, driving the real
// `cutover` binary. Equality is always checked by TableFingerprint (SQL on both servers), which
// shares no code with the engine.
#include <signal.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

class PgToPg : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = StartPostgres("src");
    target_ = StartPostgres("tgt");
    ASSERT_TRUE(source_ && target_);
  }

  std::vector<std::string> Replicate(const std::string& task, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "replicate", "--source", source_->uri(), "--target", target_->uri(), "--task", task};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  int LoadedTables(const std::string& task) {
    auto r = target_->Sql("SELECT count(*) FROM cutover.table_state WHERE task = '" + task + "'");
    return r.ok() ? std::atoi(r->c_str()) : -1;
  }

  // Waits until the task's full load has committed `n` tables.
  bool WaitLoaded(const std::string& task, int n, EngineProcess& engine) {
    return Eventually([&] { return LoadedTables(task) == n || !engine.Running(); }, 120s) &&
           LoadedTables(task) == n;
  }

  std::unique_ptr<harness::ThrowawayServer> source_, target_;
};

// The rich-types table, created in schema `fl`; TypesTableIn() moves it to another schema.
constexpr const char* kTypesTable = R"sql(
CREATE SCHEMA IF NOT EXISTS fl;
CREATE TABLE fl.types (
  id int PRIMARY KEY, b boolean, i2 smallint, i4 int, i8 bigint, n numeric, n2 numeric(38,10),
  f4 real, f8 double precision, t text, vc varchar(10), c char(5), by bytea, d date, tm time,
  ts timestamp, tstz timestamptz, j json, jb jsonb, u uuid, arr int[], tarr text[],
  iv interval, addr inet);
-- rows
INSERT INTO fl.types VALUES
 (1, true, 32767, 2147483647, 9223372036854775807, 123456789012345678901234567890.123456789,
  -1234567890123456789012345678.1234567891, 3.4028235e38, 1.7976931348623157e308,
  'plain', 'ten chars.', 'ab', '\x00ff00', '0001-01-01', '23:59:59.999999',
  '1900-01-01 00:00:00.000001', '2000-01-01 00:00:00.123456+05:30', '{"a": 1, "a": 2}',
  '{"b": [1, 2.50, null], "a": "x"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}',
  '{"with \"quote\"", NULL, "comma,here"}', '1 year 2 mons -3 days 04:05:06.789', '10.1.2.3/8'),
 (2, false, -32768, -2147483648, -9223372036854775808, 'NaN', 0.0000000001, '-0', '-0',
  '', '', '', '\x', '4713-01-01 BC', '24:00:00', 'infinity', '-infinity', 'null', '[]',
  '00000000-0000-0000-0000-000000000000', '{}', '{}', '0', '::1'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', 'Infinity', E'tab\there\nnewline\\back \\N',
  'trailing  ', NULL, NULL, 'infinity', NULL, '1969-12-31 23:59:59.999999',
  '1970-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (4, true, 0, 0, 0, -0.5, 5, 1e-30, 5e-324, '𝄞 four-byte 😀 utf8', '\N', '😀', '\x5c4e',
  '1970-01-01', '00:00:00', '2038-01-19 03:14:08', '2262-04-11 23:47:16.854775+00',
  '"just a string"', '{"nested": {"deep": [true, false]}}', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '{{1,2},{3,4}}', '{""}', '-178000000 years', '2001:db8::1'),
 (5, false, 1, 1, 1, 1e-30, -0.0000000001, '-Infinity', 1e-300, repeat('x', 100000), NULL, 'x',
  decode(repeat('00ff', 5000), 'hex'), '2024-02-29', '12:00:00.5', '2024-02-29 12:00:00.5',
  '2024-02-29 12:00:00.5-08', '{}', '{}', NULL, NULL, NULL, NULL, NULL);
)sql";

// The DDL (or the rows) of the rich-types table in `schema`.
std::string TypesTableIn(const std::string& schema, bool rows) {
  std::string all = kTypesTable;
  size_t split = all.find("-- rows");
  std::string part = rows ? all.substr(split) : all.substr(0, split);
  for (size_t p = 0; (p = part.find("fl.", p)) != std::string::npos; p += schema.size() + 1)
    part.replace(p, 3, schema + ".");
  for (size_t p = 0; (p = part.find("SCHEMA IF NOT EXISTS fl;", p)) != std::string::npos;)
    part.replace(p, 24, "SCHEMA IF NOT EXISTS " + schema + ";");
  return part;
}

TEST_F(PgToPg, FullLoadOfSeveralTablesIncludingOneMillionRowsIsExact) {
  Sql(*source_, kTypesTable);
  Sql(*source_,
      "CREATE TABLE fl.big (id bigint PRIMARY KEY, k int NOT NULL, filler text);"
      "INSERT INTO fl.big SELECT g, g % 1000, md5(g::text) FROM generate_series(1, 1000000) g;"
      "CREATE TABLE fl.composite (a int, b text, v numeric, PRIMARY KEY (a, b));"
      "INSERT INTO fl.composite SELECT g % 100, 'k' || g, g / 7.0 FROM generate_series(1, 5000) g;"
      "CREATE TABLE fl.empty (id int PRIMARY KEY);"
      "CREATE SCHEMA \"Mixed Case\";"
      "CREATE TABLE \"Mixed Case\".\"Odd Table\" (\"Id\" int PRIMARY KEY, \"select\" text);"
      "INSERT INTO \"Mixed Case\".\"Odd Table\" VALUES (1, 'a'), (2, NULL);"
      "CREATE TABLE public.not_selected (id int PRIMARY KEY); ANALYZE;");
  RunResult r = RunCutover(Replicate("fl", {"--type", "full-load", "--tables", "fl.%", "--tables",
                                            "Mixed Case.Odd%", "--parallel", "4"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TableSpec> tables = {{"fl.types", "id"},
                                   {"fl.big", "id"},
                                   {"fl.composite", "a, b"},
                                   {"fl.empty", "id"},
                                   {"\"Mixed Case\".\"Odd Table\"", "\"Id\""}};
  EXPECT_EQ(DescribeDifference(*source_, *target_, tables), "");
  EXPECT_EQ(TableFingerprint(*target_, "fl.big", "id").substr(0, 8), "1000000:");
  // Same column types and primary keys on the target.
  std::string q =
      "SELECT string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, "
      "a.atttypmod) || ':' || a.attnotnull, ',' ORDER BY c.relname, a.attnum) FROM pg_attribute a "
      "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'fl' AND c.relkind = 'r' AND a.attnum > 0";
  EXPECT_EQ(Sql(*source_, q), Sql(*target_, q));
  std::string pk =
      "SELECT string_agg(conrelid::regclass::text || ':' || pg_get_constraintdef(oid), ',' "
      "ORDER BY conrelid::regclass::text) FROM pg_constraint WHERE contype = 'p' AND connamespace "
      "= 'fl'::regnamespace";
  EXPECT_EQ(Sql(*source_, pk), Sql(*target_, pk));
  EXPECT_EQ(Sql(*target_, "SELECT to_regclass('public.not_selected') IS NULL"), "t");
  // No replication slot is left behind by a full-load-only task.
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "0");

  // Running the task again reloads nothing.
  Sql(*source_, "INSERT INTO fl.empty VALUES (1)");
  r = RunCutover(
      Replicate("fl", {"--type", "full-load", "--tables", "fl.%", "--tables", "Mixed Case.Odd%"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("5 already loaded, 0 to load"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM fl.empty"), "0");
}

// Same-engine tables whose rows travel unchanged go as binary COPY bytes passed through
// (engine/core/raw_rows.h): built-in types (arrays, intervals, inet, NaN, infinities, NULLs,
// escapes), enums and domains; a column whose binary form names server-specific OIDs (an array
// of an enum) and a target table whose column types differ (truncate prep) go as Values. Every
// table is exact either way and its recorded row count is the table's.
TEST_F(PgToPg, FullLoadPassesBinaryCopyThroughWhereTheTypesReadTheSame) {
  Sql(*source_, kTypesTable);
  Sql(*source_,
      "CREATE TYPE fl.mood AS ENUM ('sad', 'ok', 'happy');"
      "CREATE DOMAIN fl.posint AS int CHECK (VALUE > 0);"
      "CREATE TABLE fl.user_typed (id int PRIMARY KEY, m fl.mood, p fl.posint, t text);"
      "INSERT INTO fl.user_typed SELECT g, (ARRAY['sad','ok','happy'])[g % 3 + 1]::fl.mood, g,"
      "  CASE WHEN g % 7 = 0 THEN NULL ELSE E'x\\ty' || g END FROM generate_series(1, 20000) g;"
      "CREATE TABLE fl.enum_array (id int PRIMARY KEY, ms fl.mood[]);"
      "INSERT INTO fl.enum_array VALUES (1, '{sad,happy}'), (2, NULL), (3, '{}');"
      "CREATE TABLE fl.widened (id int PRIMARY KEY, v int);"
      "INSERT INTO fl.widened SELECT g, -g FROM generate_series(1, 100) g;");
  // The target keeps its own (wider) definition of fl.widened: truncate prep.
  Sql(*target_,
      "CREATE SCHEMA fl; CREATE TABLE fl.widened (id bigint PRIMARY KEY, v bigint);"
      "INSERT INTO fl.widened VALUES (-5, 5)");
  RunResult wide = RunCutover(Replicate(
      "wide", {"--type", "full-load", "--tables", "fl.widened", "--table-prep", "truncate"}));
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  std::vector<std::string> args =
      Replicate("bin", {"--type", "full-load", "--tables", "fl.types", "--tables", "fl.user_typed",
                        "--tables", "fl.enum_array", "--parallel", "2"});
  args.insert(args.begin(), "-v");
  RunResult r = RunCutover(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TableSpec> tables = {
      {"fl.types", "id"}, {"fl.user_typed", "id"}, {"fl.enum_array", "id"}, {"fl.widened", "id"}};
  EXPECT_EQ(DescribeDifference(*source_, *target_, tables), "");
  // Which way each table went.
  auto binary = [](const std::string& log, const std::string& table) {
    return log.find("loading " + table + " as postgresql ") != std::string::npos &&
           log.find(" binary COPY, client_encoding ") != std::string::npos;
  };
  EXPECT_TRUE(binary(r.err, "fl.types")) << r.err;
  EXPECT_TRUE(binary(r.err, "fl.user_typed")) << r.err;
  EXPECT_FALSE(binary(r.err, "fl.enum_array")) << r.err;
  EXPECT_FALSE(binary(wide.err, "fl.widened")) << wide.err;
  // Row counts recorded as the tables hold them.
  EXPECT_EQ(Sql(*target_,
                "SELECT string_agg(table_name || ':' || rows, ',' ORDER BY table_name) FROM "
                "cutover.table_state WHERE task = 'bin'"),
            "enum_array:3,types:5,user_typed:20000");
}

class PgToPgApplyModes : public PgToPg, public ::testing::WithParamInterface<const char*> {};

// Both apply modes: net effect in bulk (default) and one statement per change.
TEST_P(PgToPgApplyModes, CdcReplicatesEveryOperationKind) {
  const std::string mode = GetParam();
  Sql(*source_,
      "CREATE SCHEMA cdc;"
      "CREATE TABLE cdc.items (id int PRIMARY KEY, name text, qty int, price numeric(12,2),"
      "  updated timestamptz, doc jsonb);"
      "INSERT INTO cdc.items SELECT g, 'item ' || g, g, g * 1.25, '2024-01-01'::timestamptz + "
      "  g * interval '1 minute', jsonb_build_object('g', g) FROM generate_series(1, 100) g;"
      "CREATE TABLE cdc.toasty (id int PRIMARY KEY, counter int, big text);"
      "INSERT INTO cdc.toasty SELECT g, 0, (SELECT string_agg(md5(random()::text || i), '') "
      "  FROM generate_series(1, 4000) i) FROM generate_series(1, 3) g;"
      "CREATE TABLE cdc.other (id int PRIMARY KEY, v text);"
      "INSERT INTO cdc.other SELECT g, 'v' FROM generate_series(1, 50) g;"
      "CREATE TABLE cdc.multi (a int, b int, v text, PRIMARY KEY (a, b));");
  Sql(*source_, TypesTableIn("cdc", false));
  EngineProcess engine(Replicate("cdc", {"--tables", "cdc.%", "--apply-mode", mode}));
  ASSERT_TRUE(WaitLoaded("cdc", 5, engine)) << engine.Log();

  // Every type through CDC: insert the edge rows, update each column kind, delete one.
  Sql(*source_, TypesTableIn("cdc", true));
  Sql(*source_,
      "UPDATE cdc.types SET n = n * 2, n2 = -n2, f8 = -f8, ts = ts + interval '1 microsecond',"
      "  tstz = tstz - interval '1 microsecond', by = by || '\\x00'::bytea, arr = '{7,NULL,9}',"
      "  jb = jb || '{\"z\": 1}', u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', b = NOT b,"
      "  t = t || ' ', c = 'z' WHERE id IN (1, 4);"
      "UPDATE cdc.types SET t = NULL, vc = '' WHERE id = 3; DELETE FROM cdc.types WHERE id = 2;");

  Sql(*source_,
      "INSERT INTO cdc.items VALUES (1001, NULL, 1, 1, now(), NULL), (1002, '', 2, 2, now(), "
      "  '{}'), (1003, 'tab\there', 3, 3.5, '1999-12-31 23:59:59.999999+00', '[1,2]');"
      "UPDATE cdc.items SET qty = qty * 10, price = price + 0.01 WHERE id % 3 = 0;"
      "UPDATE cdc.items SET id = id + 5000 WHERE id <= 5;"  // key-changing update
      "UPDATE cdc.items SET name = NULL WHERE id = 10;"
      "UPDATE cdc.items SET name = '' WHERE id = 11;"
      "DELETE FROM cdc.items WHERE id BETWEEN 20 AND 30;"
      "UPDATE cdc.toasty SET counter = counter + 1;"  // big stays unchanged (TOAST)
      "TRUNCATE cdc.other;"
      "INSERT INTO cdc.other VALUES (1, 'after truncate');"
      "INSERT INTO cdc.multi VALUES (1, 1, 'a'), (1, 2, 'b');"
      "UPDATE cdc.multi SET b = 3 WHERE a = 1 AND b = 2;"
      "BEGIN; INSERT INTO cdc.items VALUES (2000, 'in txn', 0, 0, now(), NULL);"
      "  UPDATE cdc.items SET qty = -1 WHERE id = 2000; DELETE FROM cdc.items WHERE id = 50;"
      "  UPDATE cdc.toasty SET big = 'small now' WHERE id = 3; COMMIT;");
  std::vector<TableSpec> tables = {{"cdc.items", "id"},
                                   {"cdc.toasty", "id"},
                                   {"cdc.other", "id"},
                                   {"cdc.multi", "a, b"},
                                   {"cdc.types", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 60s), "") << engine.Log();
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM cdc.toasty WHERE big IS NULL"), "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM cdc.items WHERE id BETWEEN 5001 AND 5005"), "5");

  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_NE(Sql(*target_, "SELECT position FROM cutover.checkpoint WHERE task = 'cdc'"), "");

  // Changes made while the engine is stopped arrive after a restart.
  Sql(*source_,
      "INSERT INTO cdc.items VALUES (3000, 'while stopped', 0, 0, now(), NULL);"
      "DELETE FROM cdc.items WHERE id = 60;");
  EngineProcess again(Replicate("cdc", {"--tables", "cdc.%", "--apply-mode", mode}));
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 60s), "") << again.Log();
  again.Signal(SIGTERM);
  EXPECT_EQ(again.Wait(30s), 0) << again.Log();
  EXPECT_NE(again.Log().find("5 already loaded, 0 to load"), std::string::npos) << again.Log();

  // task drop removes the slot, the publication and the checkpoint rows.
  RunResult drop = RunCutover(
      {"task", "drop", "--source", source_->uri(), "--target", target_->uri(), "--task", "cdc"});
  EXPECT_EQ(drop.exit_code, 0) << drop.err;
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(Sql(*source_, "SELECT count(*) FROM pg_publication"), "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM cutover.checkpoint"), "0");
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM cutover.table_state"), "0");
}

TEST_F(PgToPg, LargeTransactionIsAppliedWholeWithBoundedMemory) {
  // A small decoding budget makes PostgreSQL stream the big transaction in chunks (protocol 2
  // streaming), which the engine spools to disk.
  Sql(*source_,
      "ALTER SYSTEM SET logical_decoding_work_mem = '64kB'; SELECT pg_reload_conf();"
      "CREATE SCHEMA lt;"
      "CREATE TABLE lt.big (id int PRIMARY KEY, v int, pad text);"
      "CREATE TABLE lt.side (id int PRIMARY KEY, v text);");
  EngineProcess engine(Replicate("lt", {"--tables", "lt.%"}));
  ASSERT_TRUE(WaitLoaded("lt", 2, engine)) << engine.Log();

  // Interleave a small transaction with a big one, and abort a subtransaction and a whole
  // streamed transaction: none of the aborted rows may appear.
  Sql(*source_,
      "BEGIN; INSERT INTO lt.side SELECT g, 'kept' FROM generate_series(1, 20000) g;"
      "SAVEPOINT s; INSERT INTO lt.side SELECT g, 'rolled back' FROM generate_series(20001, "
      "40000) g; ROLLBACK TO s; INSERT INTO lt.side VALUES (-1, 'after savepoint'); COMMIT;"
      "BEGIN; INSERT INTO lt.side SELECT g, 'aborted' FROM generate_series(50001, 70000) g;"
      "ROLLBACK;");
  std::atomic<bool> watching{true};
  std::atomic<long> partial_seen{-1};
  std::thread watcher([&] {
    while (watching) {
      auto r = target_->Sql("SELECT count(*) FROM lt.big");
      if (r.ok()) {
        long n = std::atol(r->c_str());
        if (n != 0 && n != 200000) partial_seen = n;
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  Sql(*source_,
      "INSERT INTO lt.big SELECT g, g, repeat(md5(g::text), 6) FROM generate_series(1, 200000) g");
  std::vector<TableSpec> tables = {{"lt.big", "id"}, {"lt.side", "id"}};
  std::string diff = WaitUntilEqual(*source_, *target_, tables, 240s);
  watching = false;
  watcher.join();
  EXPECT_EQ(diff, "") << engine.Log();
  EXPECT_EQ(partial_seen.load(), -1) << "target showed a partial transaction";
  long rss_kb = engine.PeakRssKb();
  std::printf("[ measure ] peak RSS of the engine after a 200,000-row transaction: %.1f MiB\n",
              rss_kb / 1024.0);
  RecordProperty("peak_rss_kb", std::to_string(rss_kb));
  EXPECT_GT(rss_kb, 0);
  EXPECT_LT(rss_kb, 300 * 1024);
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

INSTANTIATE_TEST_SUITE_P(Modes, PgToPgApplyModes, ::testing::Values("net", "row"));

TEST_F(PgToPg, TruncatePrepKeepsTargetTablesAndCdcOnlyStreamsFromNow) {
  const char* ddl =
      "CREATE SCHEMA tp; CREATE TABLE tp.t (id int PRIMARY KEY, v text DEFAULT 'target default');";
  Sql(*source_, ddl);
  Sql(*target_, ddl);
  Sql(*source_, "INSERT INTO tp.t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
  Sql(*target_, "INSERT INTO tp.t VALUES (-1, 'junk on the target')");
  RunResult r = RunCutover(
      Replicate("tp", {"--type", "full-load", "--tables", "tp.%", "--table-prep", "truncate"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TableSpec> tables = {{"tp.t", "id"}};
  EXPECT_EQ(DescribeDifference(*source_, *target_, tables), "");
  // The target's own table definition was kept (its column default survives).
  EXPECT_EQ(Sql(*target_,
                "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = "
                "'tp.t'::regclass"),
            "'target default'::text");

  // --type cdc: no load; only changes made after the task starts are applied.
  EngineProcess engine(Replicate("tp_cdc", {"--type", "cdc", "--tables", "tp.%"}));
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*source_,
                   "SELECT count(*) FROM pg_replication_slots WHERE slot_name = "
                   "'cutover_tp_cdc' AND active") == "1" ||
               !engine.Running();
      },
      60s))
      << engine.Log();
  Sql(*source_,
      "INSERT INTO tp.t VALUES (5000, 'new'); UPDATE tp.t SET v = 'upd' WHERE id < 10;"
      "DELETE FROM tp.t WHERE id = 500;");
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 60s), "") << engine.Log();
  engine.Signal(SIGINT);
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_EQ(Sql(*target_, "SELECT count(*) FROM cutover.table_state WHERE task = 'tp_cdc'"), "0");
}

TEST_F(PgToPg, ServerRestartsDuringCdcAreWaitedOutAndResumeExactly) {
  CreateKcSchema(*source_);
  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::thread writer(RunKcOltpWriter, source_->uri(), 7, std::cref(stop), std::ref(committed));
  EngineProcess engine(Replicate("kc", {"--tables", "kc.%"}));
  ASSERT_TRUE(WaitLoaded("kc", 2, engine)) << engine.Log();
  // The target goes away twice while the writer keeps committing on the source; then the source
  // goes away once (after the writer stopped: it does not reconnect) and is written to after.
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(target_->Restart().ok());
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(target_->Restart().ok());
  std::this_thread::sleep_for(2s);
  stop = true;
  writer.join();
  ASSERT_TRUE(source_->Restart().ok());
  Sql(*source_, "UPDATE kc.accounts SET note = 'after source restart' WHERE id <= 50");
  std::vector<TableSpec> tables = {{"kc.accounts", "id"}, {"kc.events", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 120s), "") << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
  EXPECT_NE(engine.Log().find("reconnecting in"), std::string::npos) << engine.Log();
  std::printf("[ measure ] writer committed %ld transactions around the restarts\n",
              committed.load());
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

TEST_F(PgToPg, RetryForZeroExitsOnTheFirstOutage) {
  Sql(*source_, "CREATE TABLE public.r (id int PRIMARY KEY, v text);");
  EngineProcess engine(Replicate("r0", {"--tables", "public.r", "--retry-for", "0"}));
  ASSERT_TRUE(WaitLoaded("r0", 1, engine)) << engine.Log();
  ASSERT_TRUE(target_->Restart().ok());
  Sql(*source_, "INSERT INTO public.r VALUES (1, 'x')");
  EXPECT_EQ(engine.Wait(60s), 2) << engine.Log();
  EXPECT_EQ(engine.Log().find("reconnecting in"), std::string::npos) << engine.Log();
}

TEST_F(PgToPg, KillNineDuringFullLoadThenRestartIsExact) {
  Sql(*source_,
      "CREATE SCHEMA kf;"
      "CREATE TABLE kf.a (id int PRIMARY KEY, v text);"
      "INSERT INTO kf.a SELECT g, md5(g::text) FROM generate_series(1, 1500000) g;"
      "CREATE TABLE kf.b (id int PRIMARY KEY, v text);"
      "INSERT INTO kf.b SELECT g, md5(g::text) FROM generate_series(1, 1000) g;"
      "CREATE TABLE kf.c (id int PRIMARY KEY, v int);"
      "INSERT INTO kf.c SELECT g, g FROM generate_series(1, 1000) g; ANALYZE;");
  auto engine =
      std::make_unique<EngineProcess>(Replicate("kf", {"--tables", "kf.%", "--parallel", "2"}));
  // Kill once the small tables are loaded but the big one is still being copied.
  ASSERT_TRUE(Eventually([&] { return LoadedTables("kf") >= 1 || !engine->Running(); }, 60s));
  Sql(*source_,
      "UPDATE kf.b SET v = 'changed during load' WHERE id <= 10;"
      "INSERT INTO kf.a VALUES (2000000, 'new during load');"
      "DELETE FROM kf.c WHERE id <= 5;");
  engine->Signal(SIGKILL);
  EXPECT_EQ(engine->Wait(10s), 128 + SIGKILL);
  int loaded_at_kill = LoadedTables("kf");
  std::printf("[ measure ] tables loaded when killed: %d of 3\n", loaded_at_kill);
  EXPECT_LT(loaded_at_kill, 3) << "the kill did not land inside the full load";

  Sql(*source_,
      "UPDATE kf.a SET v = 'changed while down' WHERE id <= 100;"
      "INSERT INTO kf.b VALUES (5000, 'while down'); UPDATE kf.c SET v = -v;");
  engine =
      std::make_unique<EngineProcess>(Replicate("kf", {"--tables", "kf.%", "--parallel", "2"}));
  ASSERT_TRUE(WaitLoaded("kf", 3, *engine)) << engine->Log();
  Sql(*source_, "UPDATE kf.a SET v = 'after reload' WHERE id > 1499990;");
  std::vector<TableSpec> tables = {{"kf.a", "id"}, {"kf.b", "id"}, {"kf.c", "id"}};
  EXPECT_EQ(WaitUntilEqual(*source_, *target_, tables, 120s), "") << engine->Log();
  engine->Signal(SIGTERM);
  EXPECT_EQ(engine->Wait(60s), 0) << engine->Log();
}

}  // namespace
}  // namespace cutover::testing
