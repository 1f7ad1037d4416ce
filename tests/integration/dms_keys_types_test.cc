// DMS define-primary-key, change-data-type, lob-settings and per-component log severities on
// real servers, through full load and CDC:
//   PostgreSQL -> MariaDB: a keyless table (REPLICA IDENTITY FULL) keyed by the mapping, a table
//     whose source key is replaced by another column (key updates included), wider types; the
//     target's keys and types are read from information_schema, the rows compared by SQL, and
//     `validate --table-mappings` pairs rows by the defined key and still finds a corruption;
//   MariaDB -> PostgreSQL: a keyless table keyed by the mapping, wider types, the LOB report of
//     the values DMS would truncate (task LobMaxSize and a table's bulk-max-size) while every
//     value lands whole, and Logging.LogComponents silencing one part of the task;
//   changes that would lose data, and a defined key the source's old images cannot carry, are
//     refused naming the rule.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + (dir.empty() || dir.back() == '/' ? "" : "/") + "dmskt-" +
                     std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kPgSource = R"sql(
CREATE SCHEMA shop;
CREATE TABLE shop.events (host text NOT NULL, seq int NOT NULL, payload text);
ALTER TABLE shop.events REPLICA IDENTITY FULL;
INSERT INTO shop.events SELECT 'h' || (g % 3), g, 'p' || g FROM generate_series(1, 60) g;
CREATE TABLE shop.items (id int PRIMARY KEY, code varchar(12) NOT NULL UNIQUE, qty int,
                         name varchar(20), price numeric(10,2));
ALTER TABLE shop.items REPLICA IDENTITY FULL;
INSERT INTO shop.items SELECT g, 'c' || g, g * 10, 'item ' || g, g * 1.25
  FROM generate_series(1, 50) g;
)sql";

constexpr const char* kPgMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "shop", "rule-action": "include",
   "object-locator": {"schema-name": "shop", "table-name": "%"}},
  {"rule-type": "transformation", "rule-id": "2", "rule-name": "events-key",
   "rule-action": "define-primary-key", "rule-target": "table",
   "object-locator": {"schema-name": "shop", "table-name": "events"},
   "primary-key-def": {"name": "events_pk", "origin": "primary-key", "columns": ["host", "seq"]}},
  {"rule-type": "transformation", "rule-id": "3", "rule-name": "items-key",
   "rule-action": "define-primary-key", "rule-target": "table",
   "object-locator": {"schema-name": "shop", "table-name": "items"},
   "primary-key-def": {"name": "items_pk", "columns": ["code"]}},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "qty-wide",
   "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "shop", "table-name": "items", "column-name": "qty"},
   "data-type": {"type": "int8"}},
  {"rule-type": "transformation", "rule-id": "5", "rule-name": "name-longer",
   "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "shop", "table-name": "items", "column-name": "name"},
   "data-type": {"type": "string", "length": 100}},
  {"rule-type": "transformation", "rule-id": "6", "rule-name": "price-digits",
   "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "shop", "table-name": "items", "column-name": "price"},
   "data-type": {"type": "numeric", "precision": 14, "scale": 4}}
]})";

constexpr const char* kPgChanges = R"sql(
UPDATE shop.events SET payload = 'changed' WHERE seq IN (4, 5);
DELETE FROM shop.events WHERE seq = 7;
INSERT INTO shop.events VALUES ('h9', 1000, 'new'), ('h1', 1001, NULL);
UPDATE shop.events SET host = 'moved' WHERE seq = 10;           -- a defined-key update
UPDATE shop.items SET code = 'renamed' WHERE id = 3;           -- a defined-key update
UPDATE shop.items SET id = 3000, qty = 2147483647 WHERE id = 4;  -- the source key only
UPDATE shop.items SET name = 'x' WHERE code = 'c5';
DELETE FROM shop.items WHERE code = 'c6';
INSERT INTO shop.items VALUES (77, 'c77', 7, 'seven', 99999999.99);
)sql";

std::string PgEvents(const harness::ThrowawayServer& pg) {
  return Sql(pg,
             "SELECT string_agg(concat_ws(':', host, seq, coalesce(payload, '-')), ',' "
             "ORDER BY host, seq) FROM shop.events");
}
std::string PgItems(const harness::ThrowawayServer& pg) {
  return Sql(pg,
             "SELECT string_agg(concat_ws(':', code, id, qty, name, price::numeric(14,4)), ',' "
             "ORDER BY code) FROM shop.items");
}
std::string MariaEvents(mariadb::MariaConn& c) {
  return MariaValue(c,
                    "SELECT group_concat(concat_ws(':', host, seq, ifnull(payload, '-')) ORDER BY "
                    "host, seq SEPARATOR ',') FROM events");
}
std::string MariaItems(mariadb::MariaConn& c) {
  return MariaValue(c,
                    "SELECT group_concat(concat_ws(':', code, id, qty, name, price) ORDER BY code "
                    "SEPARATOR ',') FROM items");
}
std::string MariaKey(mariadb::MariaConn& c, const std::string& table) {
  return MariaValue(c,
                    "SELECT group_concat(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM "
                    "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
                    "TABLE_NAME = '" +
                        table + "' AND INDEX_NAME = 'PRIMARY'");
}

TEST(DmsKeysAndTypes, PgToMariaDbDefinedKeysAndWiderTypesThroughCdcAndValidate) {
  auto source = StartPostgres("dmskt_src");
  auto target = StartMariaDb("dmskt_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSource);
  std::string mapping = WriteTemp("pg.json", kPgMapping);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmskt", "--table-mappings", mapping});
  auto conn = MariaConnect(*target);
  auto same = [&] {
    return MariaEvents(*conn) == PgEvents(*source) && MariaItems(*conn) == PgItems(*source);
  };
  auto loaded = [&] {
    return MariaValue(*conn,
                      "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME IN ('events', 'items')") == "2" &&
           same();
  };
  ASSERT_TRUE(Eventually(loaded, 120s)) << engine.Log();
  // The keys the mapping defines, and the types it asks for.
  EXPECT_EQ(MariaKey(*conn, "events"), "host,seq");
  EXPECT_EQ(MariaKey(*conn, "items"), "code");
  EXPECT_EQ(MariaValue(*conn,
                       "SELECT group_concat(concat(COLUMN_NAME, ' ', COLUMN_TYPE) ORDER BY "
                       "ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                       "DATABASE() AND TABLE_NAME = 'items' AND COLUMN_NAME IN ('qty', 'name', "
                       "'price')"),
            "qty bigint(20),name varchar(100),price decimal(14,4)");

  Sql(*source, kPgChanges);
  EXPECT_TRUE(Eventually(same, 60s))
      << engine.Log() << "\ntarget " << MariaEvents(*conn) << "\n"
      << MariaItems(*conn) << "\nsource " << PgEvents(*source) << "\n"
      << PgItems(*source);
  // Rows were found by the defined keys: no update or delete missed its row.
  EXPECT_EQ(engine.Log().find("not found"), std::string::npos) << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();

  // The validator pairs rows by the defined keys (events has no key on the source) ...
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
  // ... and still finds a corruption, named by that key.
  MariaExec(*conn, "UPDATE events SET payload = 'corrupt' WHERE host = 'h2' AND seq = 2");
  v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                  "--table-mappings", mapping, "--json"});
  EXPECT_EQ(v.exit_code, 1) << v.err << v.out;
  EXPECT_NE(v.out.find("\"different\""), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("h2"), std::string::npos) << v.out;
}

// MariaDB -> PostgreSQL, with task settings: a keyless table keyed by the mapping, wider types,
// the LOB report and per-component log severities.
constexpr const char* kMariaSource = R"sql(
CREATE TABLE audit (who varchar(20) NOT NULL, at_seq int NOT NULL, what varchar(30)) ENGINE=InnoDB;
CREATE TABLE docs (id int PRIMARY KEY, title varchar(20), body longtext, raw longblob) ENGINE=InnoDB;
CREATE TABLE notes (id int PRIMARY KEY, body text) ENGINE=InnoDB;
)sql";

constexpr const char* kMariaMapping = R"({"rules": [
  {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
   "object-locator": {"schema-name": "%", "table-name": "%"}},
  {"rule-type": "transformation", "rule-id": "2", "rule-name": "audit-key",
   "rule-action": "define-primary-key", "rule-target": "table",
   "object-locator": {"schema-name": "%", "table-name": "audit"},
   "primary-key-def": {"name": "audit_pk", "origin": "unique-index",
                       "columns": ["who", "at_seq"]}},
  {"rule-type": "transformation", "rule-id": "3", "rule-name": "seq-wide",
   "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "audit", "column-name": "at_seq"},
   "data-type": {"type": "int8"}},
  {"rule-type": "transformation", "rule-id": "4", "rule-name": "strings-longer",
   "rule-action": "change-data-type", "rule-target": "column",
   "object-locator": {"schema-name": "%", "table-name": "%", "column-name": "%",
                      "data-type": "string"},
   "data-type": {"type": "string", "length": 50}},
  {"rule-type": "table-settings", "rule-id": "5", "rule-name": "docs-lobs",
   "object-locator": {"schema-name": "%", "table-name": "docs"},
   "lob-settings": {"mode": "limited", "bulk-max-size": "2"}}
]})";

constexpr const char* kMariaSettings = R"({
  "TargetMetadata": {"SupportLobs": true, "FullLobMode": false, "LimitedSizeLobMode": true,
                     "LobMaxSize": 1},
  "Logging": {"LogComponents": [{"Id": "TARGET_LOAD", "Severity": "LOGGER_SEVERITY_ERROR"},
                                {"Id": "TARGET_APPLY", "Severity": "LOGGER_SEVERITY_DEFAULT"}]}
})";

TEST(DmsKeysAndTypes, MariaDbToPgDefinedKeyTypesLobReportAndLogComponents) {
  auto source = StartMariaDb("dmskt_msrc");
  auto target = StartPostgres("dmskt_mtgt");
  ASSERT_TRUE(source && target);
  auto conn = MariaConnect(*source);
  MariaExec(*conn, kMariaSource);
  // docs bodies of 500 B, 1.5 KB and 3 KB (limit 2 KB: one over); notes of 1.5 KB (task limit
  // 1 KB: every other one over).
  MariaExec(*conn,
            "INSERT INTO audit SELECT CONCAT('u', seq % 4), seq, CONCAT('did ', seq) "
            "FROM seq_1_to_40;"
            "INSERT INTO docs VALUES (1, 'small', REPEAT('a', 500), NULL),"
            "(2, 'mid', REPEAT('b', 1536), REPEAT('x', 10)), (3, 'big', REPEAT('c', 3072), NULL);"
            "INSERT INTO notes SELECT seq, REPEAT('n', IF(seq % 2 = 0, 1536, 100)) "
            "FROM seq_1_to_10");
  std::string mapping = WriteTemp("maria.json", kMariaMapping);
  std::string settings = WriteTemp("maria-settings.json", kMariaSettings);
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsktm", "--table-mappings", mapping, "--task-settings", settings});
  std::string schema;
  ASSERT_TRUE(Eventually(
      [&] {
        schema = Sql(*target,
                     "SELECT CASE WHEN count(*) = 3 THEN max(table_schema) ELSE '' END FROM "
                     "information_schema.tables WHERE table_name IN ('audit', 'docs', 'notes')");
        return !schema.empty();
      },
      120s))
      << engine.Log();
  std::string q = "\"" + schema + "\".";
  auto audit = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(concat_ws(':', who, at_seq, ifnull(what, '-')) ORDER "
                      "BY who, at_seq SEPARATOR ',') FROM audit") ==
           Sql(*target,
               "SELECT string_agg(concat_ws(':', who, at_seq, coalesce(what, '-')), ',' "
               "ORDER BY who COLLATE \"C\", at_seq) FROM " +
                   q + "audit");
  };
  auto docs = [&] {
    return MariaValue(*conn,
                      "SELECT group_concat(concat_ws(':', id, title, md5(body), ifnull(md5(raw), "
                      "'-')) ORDER BY id SEPARATOR ',') FROM docs") ==
           Sql(*target,
               "SELECT string_agg(concat_ws(':', id, title, md5(body), "
               "coalesce(md5(raw), '-')), ',' ORDER BY id) FROM " +
                   q + "docs");
  };
  ASSERT_TRUE(Eventually([&] { return audit() && docs(); }, 120s)) << engine.Log();
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index i CROSS JOIN "
                "LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON "
                "a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE i.indisprimary AND "
                "i.indrelid = '" +
                    q + "audit'::regclass"),
            "who,at_seq");
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || "
                "character_maximum_length || ')', ''), ',' ORDER BY ordinal_position) FROM "
                "information_schema.columns WHERE table_name = 'audit'"),
            "who character varying(50),at_seq bigint,what character varying(50)");
  // Every value landed whole: cutover never truncates.
  EXPECT_EQ(
      Sql(*target, "SELECT string_agg(length(body)::text, ',' ORDER BY id) FROM " + q + "docs"),
      "500,1536,3072");

  MariaExec(*conn,
            "UPDATE audit SET what = 'changed' WHERE who = 'u1' AND at_seq = 5;"
            "UPDATE audit SET who = 'u9' WHERE at_seq = 6;"
            "DELETE FROM audit WHERE at_seq IN (7, 8);"
            "INSERT INTO audit VALUES ('u1', 2147483647, NULL);"
            "INSERT INTO docs VALUES (4, 'cdc', REPEAT('d', 4096), NULL);"
            "UPDATE docs SET body = REPEAT('e', 100) WHERE id = 3");
  EXPECT_TRUE(Eventually([&] { return audit() && docs(); }, 60s)) << engine.Log();
  ASSERT_TRUE(Eventually(
      [&] { return engine.Log().find("a value of 4 KB (key (id=4))") != std::string::npos; }, 30s))
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  std::string log = engine.Log();
  // The LOB report: docs against its rule's 2 KB, notes against the task's 1 KB.
  EXPECT_NE(log.find("column body: 1 value(s) longer than bulk-max-size 2 KB (table-settings "
                     "rule 5, lob-settings mode limited) (largest 3 KB, first key (id=3))"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("column body: 5 value(s) longer than LobMaxSize 1 KB (TargetMetadata, "
                     "limited LOB mode) (largest 1536 bytes, first key (id=2))"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("column body: a value of 4 KB (key (id=4)) is longer than "
                     "bulk-max-size 2 KB"),
            std::string::npos)
      << log;
  // TARGET_LOAD at ERROR: the full load's per-table lines are gone, the task's own remain.
  EXPECT_NE(log.find("full load of 3 table(s)"), std::string::npos) << log;
  EXPECT_EQ(log.find(" rows in "), std::string::npos) << log;

  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target->uri(),
                            "--table-mappings", mapping});
  EXPECT_EQ(v.exit_code, 0) << v.err << v.out;
}

TEST(DmsKeysAndTypes, LossyTypeChangesAndKeysWithoutOldImagesAreRefusedNamingTheRule) {
  auto source = StartPostgres("dmskt_bad");
  auto target = StartPostgres("dmskt_badt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL, qty bigint, name varchar(40));"
      "INSERT INTO t SELECT g, 'c' || g, g, 'n' || g FROM generate_series(1, 5) g;");
  auto rules = [](const std::string& extra) {
    return std::string(R"({"rules": [
    {"rule-type": "selection", "rule-id": "1", "rule-name": "all", "rule-action": "include",
     "object-locator": {"schema-name": "public", "table-name": "%"}},)") +
           extra + "]}";
  };
  std::string narrow = WriteTemp("narrow.json", rules(R"(
    {"rule-type": "transformation", "rule-id": "8", "rule-name": "narrow",
     "rule-action": "change-data-type", "rule-target": "column",
     "object-locator": {"schema-name": "public", "table-name": "t", "column-name": "qty"},
     "data-type": {"type": "int4"}},
    {"rule-type": "transformation", "rule-id": "9", "rule-name": "shorter",
     "rule-action": "change-data-type", "rule-target": "column",
     "object-locator": {"schema-name": "public", "table-name": "t", "column-name": "name"},
     "data-type": {"type": "string", "length": 10}})"));
  RunResult r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(),
                            "--task", "bad", "--table-mappings", narrow});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("table mapping rule 8 (change-data-type int4) on column qty (bigint): a "
                       "64-bit integer does not fit in 32 bits; the change would lose data"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0");

  // Bad input: exit 2, one line per problem naming file, JSON path and what was expected.
  std::string bad_key = WriteTemp("badkey.json", rules(R"(
    {"rule-type": "transformation", "rule-id": "3", "rule-name": "pk",
     "rule-action": "define-primary-key", "rule-target": "table",
     "object-locator": {"schema-name": "public", "table-name": "t"},
     "primary-key-def": {"name": "pk", "columns": "code"}},
    {"rule-type": "transformation", "rule-id": "4", "rule-name": "ty",
     "rule-action": "change-data-type", "rule-target": "column",
     "object-locator": {"schema-name": "public", "table-name": "t", "column-name": "qty"},
     "data-type": {"type": "bigint"}},
    {"rule-type": "table-settings", "rule-id": "6", "rule-name": "lob",
     "object-locator": {"schema-name": "public", "table-name": "t"},
     "lob-settings": {"mode": "limitd", "bulk-max-size": "16"}})"));
  std::string bad_log = WriteTemp("badlog.json", R"({"Logging": {"LogComponents": [
    {"Id": "TARGET_APLY", "Severity": "LOGGER_SEVERITY_DEBUG"}]}})");
  r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                  "bad", "--table-mappings", bad_key});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const std::string& expected :
       {bad_key + ": $.rules[1].primary-key-def.columns: expected a JSON array",
        bad_key + ": $.rules[2].data-type.type: 'bigint' is not one of",
        bad_key + ": $.rules[3].lob-settings.mode: 'limitd' is not one of limited, unlimited, "
                  "none (did you mean limited?)"})
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  r = RunCutover({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                  "bad", "--task-settings", bad_log});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad_log + ": $.Logging.LogComponents[0].Id: 'TARGET_APLY' is not one of "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(did you mean TARGET_APPLY?)"), std::string::npos) << r.err;
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM pg_replication_slots"), "0");

  // A key of a column outside the source's key, with key-only old images (the default replica
  // identity): the first update stops the task naming the rule and the remedy.
  std::string by_code = WriteTemp("bycode.json", rules(R"(
    {"rule-type": "transformation", "rule-id": "5", "rule-name": "by-code",
     "rule-action": "define-primary-key", "rule-target": "table",
     "object-locator": {"schema-name": "public", "table-name": "t"},
     "primary-key-def": {"name": "t_pk", "columns": ["code"]}})"));
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "bycode", "--table-mappings", by_code, "--retry-for", "0"});
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*target, "SELECT count(*) FROM pg_tables WHERE tablename = 't'") == "1" &&
               Sql(*target, "SELECT count(*) FROM public.t WHERE code = 'c5'") == "1";
      },
      120s))
      << engine.Log();
  Sql(*source, "UPDATE t SET qty = 0 WHERE id = 2");
  EXPECT_NE(engine.Wait(60s), 0) << engine.Log();
  EXPECT_NE(engine.Log().find("table mapping rule 5 (define-primary-key) keys the table by "
                              "columns the source's change does not carry in its old image"),
            std::string::npos)
      << engine.Log();
  EXPECT_NE(engine.Log().find("REPLICA IDENTITY FULL"), std::string::npos) << engine.Log();
  EXPECT_EQ(Sql(*target, "SELECT qty FROM public.t WHERE id = 2"), "2");  // nothing applied
}

}  // namespace
}  // namespace cutover::testing

namespace cutover::testing {
namespace {

// ValidationSettings.EnableValidation: the task validates its tables once the full load is done,
// while CDC applies a concurrent writer's changes (rows in flight are rechecked, not reported),
// and records each verdict where `cutover task stats` reads it. Table u's target holds a row the
// source never had (TargetTablePrepMode DO_NOTHING into a pre-created table): the in-task
// validation reports it, so it compared for real.
TEST(DmsInTaskValidation, PgToMariaDbValidatesAfterTheFullLoadWhileCdcRuns) {
  auto source = StartPostgres("dmsv_src");
  auto target = StartMariaDb("dmsv_tgt");
  ASSERT_TRUE(source && target);
  Sql(*source,
      "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int PRIMARY KEY, v text);"
      "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 3000) g;"
      "INSERT INTO u SELECT g, 'u' || g FROM generate_series(1, 500) g;");
  auto conn = MariaConnect(*target);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int PRIMARY KEY, "
            "v text); INSERT INTO u VALUES (99999, 'only on the target')");
  std::string settings = WriteTemp("validation.json", R"({
    "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"},
    "ValidationSettings": {"EnableValidation": true, "ThreadCount": 2, "PartitionSize": 1000,
                           "ValidationQueryCdcDelaySeconds": 2}})");
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "dmsv", "--task-settings", settings});
  // A writer keeps changing t while the task loads, then validates.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 0; writing; ++i) {
      Sql(*source, "UPDATE t SET v = 'w" + std::to_string(i) +
                       "' WHERE id = " + std::to_string(1 + (i * 37) % 3000));
      std::this_thread::sleep_for(20ms);
    }
  });
  bool validated = Eventually(
      [&] { return engine.Log().find("validation of task dmsv: ") != std::string::npos; }, 120s);
  writing = false;
  writer.join();
  ASSERT_TRUE(validated) << engine.Log();
  std::string log = engine.Log();
  EXPECT_NE(log.find("validation of task dmsv: differences found"), std::string::npos) << log;
  EXPECT_NE(log.find("public.t -> "), std::string::npos) << log;
  EXPECT_NE(log.find(": equal ("), std::string::npos) << log;  // t, despite the writer
  // t is "Validated" once the writer's last rows are revalidated (they may be pending a moment).
  RunResult r;
  EXPECT_TRUE(Eventually(
      [&] {
        r = RunCutover({"task", "stats", "--target", target->uri(), "--task", "dmsv"}, 30s);
        return r.exit_code == 0 && r.out.find("Validated") != std::string::npos &&
               r.out.find("Mismatched records") != std::string::npos;
      },
      60s))
      << r.out << r.err;
  // The task goes on applying changes after its validation.
  Sql(*source, "INSERT INTO t VALUES (5000, 'after')");
  EXPECT_TRUE(Eventually(
      [&] { return MariaValue(*conn, "SELECT count(*) FROM t WHERE id = 5000") == "1"; }, 60s))
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
}

}  // namespace
}  // namespace cutover::testing
