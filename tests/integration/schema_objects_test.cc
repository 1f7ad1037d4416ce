// Schema objects on the target (docs/types.md, "Schema objects"), against real throwaway servers
// and the real `cutover` binary: after a full load and CDC of a sakila/chinook-shaped schema
// (tests/integration/support/schema_fixtures.h), the target's own catalog, read with SQL here
// and never through engine code, holds the indexes, foreign keys with their actions, defaults,
// checks and identity columns the rules promise; an application INSERT without a key succeeds
// above every loaded key; an orphan is refused; a lookup by a foreign-key column can use an
// index; and what is not carried is named in the schema report.
#include <signal.h>
#include <sqlite3.h>

#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/schema_fixtures.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// The report entry of the `kind` object `name` (its JSON object), "" when absent.
std::string ReportEntry(const std::string& report, const std::string& kind,
                        const std::string& name) {
  size_t at = report.find("\"kind\": \"" + kind + "\", \"name\": \"" + name + "\"");
  if (at == std::string::npos) return "";
  size_t begin = report.rfind('{', at), end = report.find('}', at);
  return report.substr(begin, end - begin + 1);
}

std::vector<std::string> Replicate(const harness::ThrowawayServer& source,
                                   const harness::ThrowawayServer& target,
                                   const std::string& report) {
  return {"replicate", "--source",   source.uri(), "--target",        target.uri(), "--task",
          "schema",    "--parallel", "3",          "--schema-report", report};
}

// A statement refused by the server (an orphan row).
bool Refused(const harness::ThrowawayServer& server, const std::string& sql) {
  return !server.Sql(sql).ok();
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL target catalog

std::string PgIndexes(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE "
             "schemaname = 'public' AND tablename = '" +
                 table + "'");
}

// "name:<delete action><update action>:<validated>" per foreign key of `table`.
std::string PgForeignKeys(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT string_agg(conname || ':' || confdeltype::text || confupdtype::text || ':' || "
             "convalidated, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND "
             "conrelid = 'public." +
                 table + "'::regclass");
}

std::string PgChecks(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE "
             "contype = 'c' AND conrelid = 'public." +
                 table + "'::regclass");
}

std::string PgDefault(const harness::ThrowawayServer& s, const std::string& table,
                      const std::string& column) {
  return Sql(s,
             "SELECT coalesce(column_default, '-') || '/' || is_identity FROM "
             "information_schema.columns WHERE table_schema = 'public' AND table_name = '" +
                 table + "' AND column_name = '" + column + "'");
}

bool PgForeignKeysValidated(const harness::ThrowawayServer& s, int expected) {
  auto r = s.Sql(
      "SELECT count(*) FILTER (WHERE convalidated) || '/' || count(*) FROM "
      "pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE contype "
      "= 'f' AND n.nspname = 'public'");
  return r.ok() && *r == std::to_string(expected) + "/" + std::to_string(expected);
}

// EXPLAIN of a lookup by `column` of `table`, sequential scans discouraged (the tables are
// small: the question is whether an index exists that the lookup can use).
std::string PgExplain(const harness::ThrowawayServer& s, const std::string& table,
                      const std::string& column) {
  return Sql(s, "SET enable_seqscan = off; EXPLAIN SELECT * FROM public." + table + " WHERE " +
                    column + " = 7");
}

// ---------------------------------------------------------------------------------------------
// MariaDB target catalog

std::string MariaIndexes(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM "
             "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
             "'" +
                 table + "'");
}

// "name:<DELETE_RULE>/<UPDATE_RULE>" per foreign key of `table`.
std::string MariaForeignKeys(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT GROUP_CONCAT(CONCAT(CONSTRAINT_NAME, ':', DELETE_RULE, '/', UPDATE_RULE) "
             "ORDER BY CONSTRAINT_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
             "CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '" +
                 table + "'");
}

std::string MariaChecks(const harness::ThrowawayServer& s, const std::string& table) {
  return Sql(s,
             "SELECT GROUP_CONCAT(CONSTRAINT_NAME ORDER BY CONSTRAINT_NAME) FROM "
             "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND "
             "TABLE_NAME = '" +
                 table + "'");
}

std::string MariaColumn(const harness::ThrowawayServer& s, const std::string& table,
                        const std::string& column) {
  return Sql(s,
             "SELECT CONCAT(COLUMN_TYPE, '/', IFNULL(COLUMN_DEFAULT, '-'), '/', EXTRA) FROM "
             "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" +
                 table + "' AND COLUMN_NAME = '" + column + "'");
}

int MariaForeignKeyCount(const harness::ThrowawayServer& s) {
  auto r = s.Sql(
      "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
      "CONSTRAINT_SCHEMA = DATABASE()");
  return r.ok() ? std::atoi(r->c_str()) : -1;
}

// ---------------------------------------------------------------------------------------------
// SQLite target catalog (read with SQLite itself)

// Indexes of `table` created by CREATE INDEX (not the key's, not a UNIQUE constraint's).
std::string SqliteIndexes(const std::string& db, const std::string& table) {
  return SqliteValue(
      db, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_list('" + table +
              "') WHERE origin = 'c' ORDER BY name)");
}

// "parent:<on delete>/<on update>" per foreign key of `table`.
std::string SqliteForeignKeys(const std::string& db, const std::string& table) {
  return SqliteValue(db,
                     "SELECT group_concat(x, ',') FROM (SELECT \"table\" || ':' || on_delete || "
                     "'/' || on_update AS x FROM pragma_foreign_key_list('" +
                         table + "') WHERE seq = 0 ORDER BY 1)");
}

// The query plan's lines of `sql`, joined.
std::string SqlitePlan(const std::string& db, const std::string& sql) {
  std::string out;
  sqlite3* h = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(h, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW)
      out += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return out;
}

// Whether `sql` fails on a connection that enforces foreign keys and checks, as the
// application's would with PRAGMA foreign_keys = ON.
bool SqliteRefused(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) return false;
  sqlite3_busy_timeout(h, 5000);
  int rc = sqlite3_exec(h, ("PRAGMA foreign_keys = ON; " + sql).c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(h);
  return rc != SQLITE_OK;
}

// ---------------------------------------------------------------------------------------------

class SchemaObjects : public ::testing::Test {
 protected:
  // A SQLite source file holding the sakila/chinook-shaped fixture.
  std::string SqliteSource(const SqliteDir& dir) {
    const std::string db = dir.path("source.db");
    SqliteExec(db, kSqliteSakilaSchema);
    SqliteExec(db, kSqliteSakilaRows);
    return db;
  }

  // The report entries every SQLite-source test expects: what SQLite has and no other target
  // (the expression index) or no other engine (the view, the trigger) takes is named.
  void ExpectSqliteNotCarried(const std::string& report, bool expression_index) {
    EXPECT_TRUE(Contains(ReportEntry(report, "view", "main.actor_names"), "not carried")) << report;
    EXPECT_TRUE(Contains(ReportEntry(report, "trigger", "main.actor.actor_touch"), "not carried"))
        << report;
    if (expression_index) {
      EXPECT_TRUE(
          Contains(ReportEntry(report, "index", "main.film.film_lower_title"), "not carried"))
          << report;
    }
  }

  std::string ReportPath() {
    return ::testing::TempDir() + "schema-report-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  }

  // Runs the task until `ready` holds on the target (the load and the objects are there) and
  // CDC applied `changes` (made on the source after the load), then stops it: with SIGTERM, or
  // with `cutover switch` when `switch_uris` (source, target) are given.
  void RunUntil(EngineProcess& engine, const std::function<bool()>& ready,
                const std::function<void()>& changes, const std::function<bool()>& applied,
                std::optional<std::pair<std::string, std::string>> switch_uris = std::nullopt) {
    ASSERT_TRUE(Eventually([&] { return ready() || !engine.Running(); }, 90s) && ready())
        << engine.Log();
    changes();
    ASSERT_TRUE(Eventually([&] { return applied() || !engine.Running(); }, 60s) && applied())
        << engine.Log();
    if (switch_uris) {
      RunResult r =
          RunCutover({"switch", "--source", switch_uris->first, "--target", switch_uris->second,
                      "--task", "schema", "--validate", "none", "--quiet-seconds", "1"},
                     120s);
      ASSERT_EQ(r.exit_code, 0) << r.err << r.out << engine.Log();
      EXPECT_EQ(engine.Wait(30s), 0) << "the switch stops the task\n" << engine.Log();
      return;
    }
    engine.Signal(SIGTERM);
    EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  }
};

TEST_F(SchemaObjects, PostgresToPostgresKeepsTheSchema) {
  auto source = StartPostgres("src");
  auto target = StartPostgres("tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSakilaSchema);
  Sql(*source, kPgSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine(Replicate(*source, *target, report_path));
  RunUntil(
      engine, [&] { return PgForeignKeysValidated(*target, 6); },
      [&] {
        Sql(*source,
            "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5;"
            "DELETE FROM film WHERE film_id = 300;"
            "INSERT INTO film_actor (actor_id, film_id) VALUES (5, 299) "
            "ON CONFLICT DO NOTHING");
      },
      [&] {
        return TableFingerprint(*source, "public.film_actor", "actor_id, film_id") ==
                   TableFingerprint(*target, "public.film_actor", "actor_id, film_id") &&
               TableFingerprint(*source, "public.actor", "actor_id") ==
                   TableFingerprint(*target, "public.actor", "actor_id");
      });

  // Types, defaults, identity.
  EXPECT_EQ(Sql(*target,
                "SELECT string_agg(typname || ':' || typtype::text, ',' ORDER BY typname) "
                "FROM pg_type WHERE typname IN ('mpaa_rating', 'year')"),
            "mpaa_rating:e,year:d");
  EXPECT_EQ(PgDefault(*target, "actor", "actor_id"), "nextval('actor_actor_id_seq'::regclass)/NO");
  EXPECT_EQ(PgDefault(*target, "film", "film_id"), "-/YES");
  EXPECT_EQ(PgDefault(*target, "film", "rating"), "'G'::mpaa_rating/NO");
  EXPECT_EQ(PgDefault(*target, "film", "rental_rate"), "4.99/NO");
  EXPECT_EQ(PgDefault(*target, "film", "last_update"), "now()/NO");
  EXPECT_EQ(PgDefault(*target, "customer", "create_date"), "CURRENT_DATE/NO");
  EXPECT_EQ(PgDefault(*target, "payment", "note"), "'it''s paid'::character varying/NO");
  // Indexes (unique, partial, expression), checks, foreign keys with their actions.
  EXPECT_EQ(PgIndexes(*target, "film"), "film_lower_title,film_pkey,idx_fk_language_id,idx_title");
  EXPECT_EQ(PgIndexes(*target, "customer"), "customer_email_key,customer_pkey,idx_active_store");
  EXPECT_EQ(PgChecks(*target, "film"), "film_length_check");
  EXPECT_EQ(PgChecks(*target, "track"), "track_Milliseconds_check");
  EXPECT_EQ(PgForeignKeys(*target, "film_actor"),
            "film_actor_actor_id_fkey:cc:true,film_actor_film_id_fkey:cc:true");
  EXPECT_EQ(PgForeignKeys(*target, "payment"), "payment_customer_id_fkey:na:true");
  EXPECT_TRUE(Contains(PgExplain(*target, "film_actor", "film_id"), "idx_fk_film_id"));
  EXPECT_TRUE(Contains(PgExplain(*target, "track", "\"AlbumId\""), "IFK_TrackAlbumId"));

  // The application: keys from the sequences past every loaded one, orphans and bad values
  // refused.
  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                "RETURNING actor_id > 200"),
            "t");
  EXPECT_EQ(Sql(*target,
                "INSERT INTO film (title, language_id) VALUES ('New film', 1) "
                "RETURNING film_id > 300"),
            "t");
  EXPECT_EQ(Sql(*target, "INSERT INTO artist (\"Name\") VALUES ('New') RETURNING artistid > 20"),
            "t");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (99999, 1)"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET length = -1 WHERE film_id = 1"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET release_year = 1800 WHERE film_id = 1"));

  // Same engine: the view and the function carried, the trigger created disabled (the task
  // was stopped, not switched: it stays disabled).
  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "public.actor_names"), "\"carried\"")) << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "function", "public.touch_last_update()"), "\"carried\""))
      << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "trigger", "public.actor.actor_touch"), "created disabled"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "index", "public.film.film_lower_title"), "\"carried\""))
      << report;
  EXPECT_EQ(Sql(*target, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'actor_touch'"), "D");

  // pg_dump --schema-only of both, statement by statement: what differs is documented
  // (docs/types.md, "Schema objects"): GENERATED ALWAYS kept BY DEFAULT, the task's publication
  // on the source, cutover's control schema and the trigger disabled until the switch on the
  // target.
  auto dump = [&](const harness::ThrowawayServer& s) {
    std::string out = ::testing::TempDir() + "dump-" + std::to_string(s.port()) + ".sql";
    std::string cmd =
        "pg_dump --schema-only --no-owner --no-privileges --no-comments '" + s.uri() + "' > " + out;
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "pg_dump failed: " << cmd;
    std::set<std::string> statements;
    std::string all = ReadFile(out), cur;
    std::istringstream in(all);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line.rfind("--", 0) == 0 || line.rfind("SET ", 0) == 0 ||
          line.rfind("\\restrict", 0) == 0 || line.rfind("\\unrestrict", 0) == 0 ||
          line.rfind("SELECT pg_catalog.set_config", 0) == 0)
        continue;
      cur += line + "\n";
      if (line.back() == ';') {
        statements.insert(cur);
        cur.clear();
      }
    }
    return statements;
  };
  std::set<std::string> a = dump(*source), b = dump(*target);
  std::string only_source, only_target;
  for (const auto& st : a) {
    if (b.count(st)) continue;
    bool documented = Contains(st, "PUBLICATION") || Contains(st, "GENERATED ALWAYS AS IDENTITY");
    if (!documented) only_source += st;
  }
  for (const auto& st : b) {
    if (a.count(st)) continue;
    bool documented = Contains(st, "cutover") || Contains(st, "GENERATED BY DEFAULT AS IDENTITY") ||
                      Contains(st, "DISABLE TRIGGER actor_touch");
    if (!documented) only_target += st;
  }
  EXPECT_EQ(only_source, "") << "statements of the source's schema missing on the target";
  EXPECT_EQ(only_target, "") << "statements of the target's schema the source lacks";
}

TEST_F(SchemaObjects, PostgresToMariaDbTranslatesTheSchema) {
  auto source = StartPostgres("src");
  auto target = StartMariaDb("tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSakilaSchema);
  Sql(*source, kPgSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine(Replicate(*source, *target, report_path));
  RunUntil(
      engine, [&] { return MariaForeignKeyCount(*target) == 6; },
      [&] {
        Sql(*source,
            "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5;"
            "DELETE FROM film WHERE film_id = 300");
      },
      [&] {
        auto r = target->Sql("SELECT COUNT(*) FROM film_actor WHERE film_id = 300");
        auto a = target->Sql("SELECT last_name FROM actor WHERE actor_id = 5");
        return r.ok() && *r == "0" && a.ok() && *a == "Changed";
      });

  // Column types no wider than the source's; defaults; AUTO_INCREMENT for serial and identity.
  EXPECT_EQ(MariaColumn(*target, "actor", "last_name"), "varchar(45)/-/");
  EXPECT_EQ(MariaColumn(*target, "film", "rental_duration"), "smallint(6)/3/");
  EXPECT_EQ(MariaColumn(*target, "actor", "actor_id"), "int(11)/-/auto_increment");
  EXPECT_EQ(MariaColumn(*target, "film", "film_id"), "int(11)/-/auto_increment");
  EXPECT_EQ(MariaColumn(*target, "film", "rental_rate"), "decimal(4,2)/4.99/");
  EXPECT_EQ(MariaColumn(*target, "film", "last_update"), "datetime(6)/current_timestamp(6)/");
  EXPECT_EQ(MariaColumn(*target, "film", "release_year"), "int(11)/NULL/");
  EXPECT_EQ(MariaColumn(*target, "payment", "note"), "varchar(20)/'it''s paid'/");
  // Indexes: the expression index is not carried, the partial one covers every row.
  EXPECT_EQ(MariaIndexes(*target, "film"), "idx_fk_language_id,idx_title,PRIMARY");
  EXPECT_EQ(MariaIndexes(*target, "customer"), "customer_email_key,idx_active_store,PRIMARY");
  // Checks: the table's, the enum's labels, the domain's.
  EXPECT_EQ(MariaChecks(*target, "film"),
            "film_length_check,rating_in_mpaa_rating,release_year_year_check");
  EXPECT_EQ(MariaForeignKeys(*target, "film_actor"),
            "film_actor_actor_id_fkey:CASCADE/CASCADE,film_actor_film_id_fkey:CASCADE/CASCADE");
  EXPECT_EQ(MariaForeignKeys(*target, "payment"), "payment_customer_id_fkey:SET NULL/RESTRICT");
  std::string explain = Sql(*target, "EXPLAIN SELECT * FROM film_actor WHERE film_id = 7");
  EXPECT_TRUE(Contains(explain, "idx_fk_film_id")) << explain;

  // The application.
  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person');"
                "SELECT LAST_INSERT_ID() > 200"),
            "1");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET release_year = 1800 WHERE film_id = 1"));

  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "index", "public.film.film_lower_title"), "not carried"))
      << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "default", "public.customer.create_date"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", "public.actor.actor_touch"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "public.actor_names"), "not carried")) << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "index", "public.customer.idx_active_store"), "translated"))
      << report;
}

TEST_F(SchemaObjects, MariaDbToPostgresTranslatesTheSchema) {
  auto source = StartMariaDb("src");
  auto target = StartPostgres("tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kMariaSakilaSchema);
  Sql(*source, kMariaSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine(Replicate(*source, *target, report_path));
  RunUntil(
      engine, [&] { return PgForeignKeysValidated(*target, 4); },
      [&] {
        Sql(*source,
            "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5;"
            "DELETE FROM film WHERE film_id = 300");
      },
      [&] {
        auto r = target->Sql("SELECT count(*) FROM film_actor WHERE film_id = 300");
        auto a = target->Sql("SELECT last_name FROM actor WHERE actor_id = 5");
        return r.ok() && *r == "0" && a.ok() && *a == "Changed";
      });

  EXPECT_EQ(Sql(*target,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                "attrelid = 'public.actor'::regclass AND attname = 'last_name'"),
            "character varying(45)");
  EXPECT_EQ(PgDefault(*target, "actor", "actor_id"), "-/YES");
  EXPECT_EQ(PgDefault(*target, "film", "rental_rate"), "4.99/NO");
  EXPECT_EQ(PgDefault(*target, "film", "rating"), "'G'::text/NO");
  EXPECT_EQ(PgDefault(*target, "payment", "payment_date"), "CURRENT_TIMESTAMP/NO");
  EXPECT_EQ(PgDefault(*target, "film", "rental_duration"), "3/NO");
  EXPECT_EQ(PgIndexes(*target, "film"),
            "film_idx_description,film_idx_fk_language_id,film_idx_title,film_pkey");
  EXPECT_EQ(PgIndexes(*target, "customer"), "customer_customer_email_key,customer_pkey");
  EXPECT_EQ(PgChecks(*target, "film"), "film_length_check,film_rating_check");
  EXPECT_EQ(PgForeignKeys(*target, "film_actor"),
            "fk_film_actor_actor:cc:true,fk_film_actor_film:cc:true");
  EXPECT_EQ(PgForeignKeys(*target, "payment"), "fk_payment_customer:nc:true");
  EXPECT_TRUE(Contains(PgExplain(*target, "film_actor", "film_id"), "film_actor_idx_fk_film_id"));

  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                "RETURNING actor_id > 200"),
            "t");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET length = 0 WHERE film_id = 1"));

  std::string report = ReadFile(report_path);
  const std::string db = Sql(*source, "SELECT DATABASE()");
  EXPECT_TRUE(
      Contains(ReportEntry(report, "index", db + ".film.idx_title_description"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "on update", db + ".actor.last_update"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", db + ".actor.actor_touch"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "view", db + ".actor_names"), "not carried")) << report;
}

TEST_F(SchemaObjects, MariaDbToMariaDbKeepsTheSchema) {
  auto source = StartMariaDb("src");
  auto target = StartMariaDb("tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kMariaSakilaSchema);
  Sql(*source, kMariaSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine(Replicate(*source, *target, report_path));
  RunUntil(
      engine, [&] { return MariaForeignKeyCount(*target) == 4; },
      [&] { Sql(*source, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        auto a = target->Sql("SELECT last_name FROM actor WHERE actor_id = 5");
        return a.ok() && *a == "Changed";
      });
  EXPECT_EQ(MariaIndexes(*target, "film"),
            "idx_description,idx_fk_language_id,idx_title,idx_title_description,PRIMARY");
  EXPECT_EQ(Sql(*target,
                "SELECT SUB_PART FROM information_schema.STATISTICS WHERE TABLE_SCHEMA "
                "= DATABASE() AND INDEX_NAME = 'idx_description'"),
            "40");
  EXPECT_EQ(MariaChecks(*target, "film"), "film_length_check");
  EXPECT_EQ(MariaForeignKeys(*target, "film_actor"),
            "fk_film_actor_actor:CASCADE/CASCADE,fk_film_actor_film:CASCADE/CASCADE");
  EXPECT_EQ(MariaColumn(*target, "actor", "actor_id"), "smallint(5) unsigned/-/auto_increment");
  EXPECT_EQ(MariaColumn(*target, "actor", "last_update"),
            "timestamp/current_timestamp()/on update current_timestamp()");
  EXPECT_EQ(MariaColumn(*target, "film", "rating"), "enum('G','PG','PG-13','R','NC-17')/'G'/");
  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person');"
                "SELECT LAST_INSERT_ID() > 200"),
            "1");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  std::string report = ReadFile(report_path);
  const std::string db = Sql(*source, "SELECT DATABASE()");
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", db + ".actor.actor_touch"),
                       "created by cutover switch"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "view", db + ".actor_names"), "\"carried\"")) << report;
}

TEST_F(SchemaObjects, PostgresToSqliteDeclaresTheSchema) {
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  SqliteDir dir;
  const std::string db = dir.path("target.db");
  Sql(*source, kPgSakilaSchema);
  Sql(*source, kPgSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", dir.uri("target.db"),
                        "--task", "schema", "--schema-report", report_path});
  auto indexes = [&](const std::string& table) {
    return SqliteValue(db,
                       "SELECT group_concat(name, ',') FROM (SELECT name FROM "
                       "pragma_index_list('" +
                           table + "') WHERE origin = 'c' ORDER BY name)");
  };
  RunUntil(
      engine, [&] { return indexes("track") == "IFK_TrackAlbumId"; },
      [&] { Sql(*source, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        return SqliteValue(db, "SELECT last_name FROM actor WHERE actor_id = 5") == "Changed";
      });

  EXPECT_EQ(indexes("film"), "idx_fk_language_id,idx_title");
  // The unique constraint, and the partial index with its predicate.
  EXPECT_EQ(indexes("customer"), "customer_email_key,idx_active_store");
  EXPECT_EQ(SqliteValue(db, "SELECT sql FROM sqlite_master WHERE name = 'idx_active_store'"),
            "CREATE INDEX \"idx_active_store\" ON \"customer\" (\"store_id\") WHERE \"active\"");
  EXPECT_EQ(SqliteValue(db,
                        "SELECT group_concat(x, ',') FROM (SELECT \"table\" || ':' || "
                        "on_delete AS x FROM pragma_foreign_key_list('film_actor') ORDER BY 1)"),
            "actor:CASCADE,film:CASCADE");
  std::string ddl = SqliteValue(db, "SELECT sql FROM sqlite_master WHERE name = 'film'");
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"film_length_check\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"rating_in_mpaa_rating\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(ddl, "DEFAULT 4.99") || Contains(ddl, "DEFAULT '4.99'")) << ddl;

  // The application: a key from the rowid.
  EXPECT_EQ(SqliteValue(db,
                        "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                        "RETURNING actor_id > 200"),
            "1");
  EXPECT_EQ(indexes("film_actor"), "idx_fk_film_id");
  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "index", "public.film.film_lower_title"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "public.actor_names"), "not carried")) << report;
}

TEST_F(SchemaObjects, SqliteToPostgresTranslatesTheSchema) {
  SqliteDir dir;
  const std::string src = SqliteSource(dir);
  auto target = StartPostgres("tgt");
  ASSERT_TRUE(target);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", dir.uri("source.db"), "--target", target->uri(),
                        "--task", "schema", "--parallel", "3", "--schema-report", report_path});
  RunUntil(
      engine, [&] { return PgForeignKeysValidated(*target, 5); },
      [&] { SqliteExec(src, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        auto a = target->Sql("SELECT last_name FROM actor WHERE actor_id = 5");
        return a.ok() && *a == "Changed";
      },
      std::make_pair(dir.uri("source.db"), target->uri()));

  // After the switch: past the source's AUTOINCREMENT, which is ahead of the largest key.
  EXPECT_EQ(Sql(*target, "INSERT INTO language (name) VALUES ('New') RETURNING language_id >= 5"),
            "t");
  // SQLite enforces no declared length: text keeps every value the source may hold.
  EXPECT_EQ(Sql(*target,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                "attrelid = 'public.actor'::regclass AND attname = 'last_name'"),
            "text");
  EXPECT_EQ(PgDefault(*target, "actor", "actor_id"), "-/YES");
  EXPECT_EQ(PgDefault(*target, "film", "rental_duration"), "3/NO");
  EXPECT_EQ(PgDefault(*target, "film", "last_update"), "CURRENT_TIMESTAMP/NO");
  EXPECT_EQ(PgDefault(*target, "payment", "note"), "'it''s paid'::text/NO");
  EXPECT_EQ(PgIndexes(*target, "film"), "film_pkey,idx_fk_language_id,idx_title");
  EXPECT_EQ(PgIndexes(*target, "customer"), "customer_email_key,customer_pkey,idx_active_store");
  EXPECT_TRUE(Contains(Sql(*target,
                           "SELECT indexdef FROM pg_indexes WHERE indexname = "
                           "'idx_active_store'"),
                       "WHERE active"));
  EXPECT_EQ(PgChecks(*target, "film"), "film_length_check,film_rating_check");
  EXPECT_EQ(PgChecks(*target, "payment"), "payment_amount_check");
  EXPECT_EQ(PgForeignKeys(*target, "film_actor"),
            "film_actor_actor_id_fkey:cc:true,film_actor_film_id_fkey:cc:true");
  EXPECT_EQ(PgForeignKeys(*target, "payment"), "payment_customer_id_fkey:na:true");
  EXPECT_TRUE(Contains(PgExplain(*target, "film_actor", "film_id"), "idx_fk_film_id"));

  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                "RETURNING actor_id > 200"),
            "t");
  EXPECT_EQ(Sql(*target, "INSERT INTO artist (\"Name\") VALUES ('New') RETURNING artist_id > 20"),
            "t");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET length = 0 WHERE film_id = 1"));
  ExpectSqliteNotCarried(ReadFile(report_path), true);
}

TEST_F(SchemaObjects, SqliteToMariaDbTranslatesTheSchema) {
  SqliteDir dir;
  const std::string src = SqliteSource(dir);
  auto target = StartMariaDb("tgt");
  ASSERT_TRUE(target);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", dir.uri("source.db"), "--target", target->uri(),
                        "--task", "schema", "--parallel", "3", "--schema-report", report_path});
  RunUntil(
      engine, [&] { return MariaForeignKeyCount(*target) == 5; },
      [&] { SqliteExec(src, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        auto a = target->Sql("SELECT last_name FROM actor WHERE actor_id = 5");
        return a.ok() && *a == "Changed";
      });

  EXPECT_EQ(MariaColumn(*target, "actor", "last_name"), "longtext/-/");
  EXPECT_TRUE(Contains(MariaColumn(*target, "actor", "actor_id"), "auto_increment"));
  EXPECT_TRUE(Contains(MariaColumn(*target, "film", "rental_rate"), "/4.99/"));
  EXPECT_TRUE(Contains(MariaColumn(*target, "payment", "payment_date"), "current_timestamp"));
  EXPECT_EQ(MariaIndexes(*target, "film"), "idx_fk_language_id,idx_title,PRIMARY");
  EXPECT_EQ(MariaIndexes(*target, "customer"), "customer_email_key,idx_active_store,PRIMARY");
  EXPECT_EQ(MariaChecks(*target, "film"), "film_length_check,film_rating_check");
  EXPECT_EQ(MariaForeignKeys(*target, "film_actor"),
            "film_actor_actor_id_fkey:CASCADE/CASCADE,film_actor_film_id_fkey:CASCADE/CASCADE");
  EXPECT_TRUE(Contains(MariaForeignKeys(*target, "payment"), "payment_customer_id_fkey:SET NULL"));
  std::string explain = Sql(*target, "EXPLAIN SELECT * FROM film_actor WHERE film_id = 7");
  EXPECT_TRUE(Contains(explain, "idx_fk_film_id")) << explain;

  EXPECT_EQ(Sql(*target,
                "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person');"
                "SELECT LAST_INSERT_ID() > 200"),
            "1");
  EXPECT_TRUE(Refused(*target, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(Refused(*target, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  std::string report = ReadFile(report_path);
  ExpectSqliteNotCarried(report, true);
  EXPECT_TRUE(
      Contains(ReportEntry(report, "index", "main.customer.idx_active_store"), "translated"))
      << report;
}

TEST_F(SchemaObjects, SqliteToSqliteKeepsTheSchema) {
  SqliteDir dir;
  const std::string src = SqliteSource(dir);
  const std::string db = dir.path("target.db");
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", dir.uri("source.db"), "--target",
                        dir.uri("target.db"), "--task", "schema", "--schema-report", report_path});
  RunUntil(
      engine, [&] { return SqliteIndexes(db, "album") == "IFK_AlbumArtistId"; },
      [&] { SqliteExec(src, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        return SqliteValue(db, "SELECT last_name FROM actor WHERE actor_id = 5") == "Changed";
      },
      std::make_pair(dir.uri("source.db"), dir.uri("target.db")));

  // Every index, the expression index too; the partial index with its predicate.
  EXPECT_EQ(SqliteIndexes(db, "film"), "film_lower_title,idx_fk_language_id,idx_title");
  EXPECT_EQ(SqliteIndexes(db, "customer"), "customer_email_key,idx_active_store");
  EXPECT_EQ(SqliteValue(db, "SELECT sql FROM sqlite_master WHERE name = 'idx_active_store'"),
            "CREATE INDEX \"idx_active_store\" ON \"customer\" (\"store_id\") WHERE active");
  EXPECT_EQ(SqliteForeignKeys(db, "film_actor"), "actor:CASCADE/CASCADE,film:CASCADE/CASCADE");
  EXPECT_EQ(SqliteForeignKeys(db, "payment"), "customer:SET NULL/NO ACTION");
  std::string ddl = SqliteValue(db, "SELECT sql FROM sqlite_master WHERE name = 'film'");
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"film_length_check\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"film_rating_check\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(ddl, "DEFAULT CURRENT_TIMESTAMP")) << ddl;
  EXPECT_TRUE(
      Contains(SqlitePlan(db, "SELECT * FROM film_actor WHERE film_id = 7"), "idx_fk_film_id"));

  EXPECT_EQ(SqliteValue(db,
                        "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                        "RETURNING actor_id > 200"),
            "1");
  EXPECT_EQ(SqliteValue(db, "SELECT last_update IS NOT NULL FROM actor WHERE first_name = 'New'"),
            "1");
  EXPECT_TRUE(SqliteRefused(db, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(SqliteRefused(db, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  std::string report = ReadFile(report_path);
  // Same engine: the view carried, the trigger created by the switch.
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "main.actor_names"), "\"carried\"")) << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", "main.actor.actor_touch"),
                       "created by cutover switch"))
      << report;
  EXPECT_EQ(SqliteValue(db, "SELECT name FROM actor_names WHERE actor_id = 5"),
            SqliteValue(src, "SELECT name FROM actor_names WHERE actor_id = 5"));
  EXPECT_EQ(SqliteValue(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'"),
            "actor_touch");
  EXPECT_TRUE(Contains(ReportEntry(report, "index", "main.film.film_lower_title"), "\"carried\""))
      << report;
}

TEST_F(SchemaObjects, MariaDbToSqliteDeclaresTheSchema) {
  auto source = StartMariaDb("src");
  ASSERT_TRUE(source);
  SqliteDir dir;
  const std::string db = dir.path("target.db");
  Sql(*source, kMariaSakilaSchema);
  Sql(*source, kMariaSakilaRows);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", dir.uri("target.db"),
                        "--task", "schema", "--schema-report", report_path});
  RunUntil(
      engine, [&] { return SqliteIndexes(db, "payment") == "payment_idx_fk_customer_id"; },
      [&] { Sql(*source, "UPDATE actor SET last_name = 'Changed' WHERE actor_id = 5"); },
      [&] {
        return SqliteValue(db, "SELECT last_name FROM actor WHERE actor_id = 5") == "Changed";
      });

  // MariaDB's per-table index names get the table's; the prefix index becomes substr().
  EXPECT_EQ(SqliteIndexes(db, "film"),
            "film_idx_description,film_idx_fk_language_id,film_idx_title");
  EXPECT_EQ(SqliteIndexes(db, "customer"), "customer_customer_email_key");
  EXPECT_EQ(SqliteForeignKeys(db, "film_actor"), "actor:CASCADE/CASCADE,film:CASCADE/CASCADE");
  EXPECT_EQ(SqliteForeignKeys(db, "payment"), "customer:SET NULL/CASCADE");
  std::string ddl = SqliteValue(db, "SELECT sql FROM sqlite_master WHERE name = 'film'");
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"film_length_check\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(ddl, "CONSTRAINT \"rating_check\" CHECK")) << ddl;
  EXPECT_TRUE(Contains(SqlitePlan(db, "SELECT * FROM film_actor WHERE film_id = 7"),
                       "film_actor_idx_fk_film_id"));

  EXPECT_EQ(SqliteValue(db,
                        "INSERT INTO actor (first_name, last_name) VALUES ('New', 'Person') "
                        "RETURNING actor_id > 200"),
            "1");
  EXPECT_TRUE(SqliteRefused(db, "INSERT INTO film_actor (actor_id, film_id) VALUES (9999, 1)"));
  EXPECT_TRUE(SqliteRefused(db, "UPDATE film SET rating = 'X' WHERE film_id = 1"));
  std::string report = ReadFile(report_path);
  const std::string sdb = Sql(*source, "SELECT DATABASE()");
  EXPECT_TRUE(
      Contains(ReportEntry(report, "index", sdb + ".film.idx_title_description"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "on update", sdb + ".actor.last_update"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", sdb + ".actor.actor_touch"), "not carried"))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "view", sdb + ".actor_names"), "not carried")) << report;
}

}  // namespace
}  // namespace cutover::testing
