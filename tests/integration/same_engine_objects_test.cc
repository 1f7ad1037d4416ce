// Views, functions, procedures and triggers between servers of the same engine (issue 14,
// docs/types.md "Views, functions and triggers"), on real servers: after the load and CDC the
// source's view and function exist and answer on the target as on the source; a view over a
// table outside the task is named in the schema report as not carried, and the task goes on;
// the audit trigger did not fire while CDC applied (the target's audit table holds exactly the
// source's rows, which the source's own trigger wrote and cutover replicated); after
// `cutover switch` it fires on an application INSERT on the target; a second switch changes
// nothing. Triggers in every source mode (ENABLE, ENABLE ALWAYS, ENABLE REPLICA, DISABLE) are
// all disabled while CDC applies and get the source's mode back at the switch; a materialized
// view is filled from the loaded rows. Every check reads the servers with their own SQL.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The schema report's JSON object for (kind, name), or "".
std::string ReportEntry(const std::string& report, const std::string& kind,
                        const std::string& name) {
  size_t at = report.find("{\"kind\": \"" + kind + "\", \"name\": \"" + name + "\"");
  if (at == std::string::npos) return "";
  return report.substr(at, report.find('}', at) - at + 1);
}

// The switch's JSON report without whitespace, to match its fields as one string.
std::string CompactReport(const std::string& path) {
  std::string out;
  for (char c : ReadFile(path))
    if (c != ' ' && c != '\n') out += c;
  return out;
}

std::string ReportPath() {
  return ::testing::TempDir() + "objects-report-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL -> PostgreSQL

constexpr const char* kPgSchema = R"sql(
CREATE TABLE account (id serial PRIMARY KEY, name text NOT NULL, balance int NOT NULL DEFAULT 0);
CREATE TABLE audit (id serial PRIMARY KEY, account_id int NOT NULL, what text NOT NULL);
CREATE TABLE outside (id int PRIMARY KEY);
CREATE FUNCTION account_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit (account_id, what) VALUES (NEW.id, TG_OP);
  RETURN NEW;
END $$;
CREATE TRIGGER account_audit AFTER INSERT OR UPDATE ON account
  FOR EACH ROW EXECUTE FUNCTION account_audit();
CREATE FUNCTION total_balance() RETURNS bigint LANGUAGE sql AS 'SELECT sum(balance) FROM account';
CREATE PROCEDURE add_account(n text) LANGUAGE sql AS $$INSERT INTO account (name) VALUES (n)$$;
CREATE VIEW rich AS SELECT id, name FROM account WHERE balance > 100;
CREATE VIEW outside_view AS SELECT id FROM outside;
INSERT INTO account (name, balance) SELECT 'a' || g, g * 10 FROM generate_series(1, 50) g;
)sql";

constexpr const char* kPgAudit =
    "SELECT count(*) || '/' || coalesce(string_agg(id || ':' || account_id || ':' || what, ',' "
    "ORDER BY id), '') FROM audit";

TEST(SameEngineObjects, PgToPgCarriesViewsFunctionsAndTriggersEnabledAtSwitch) {
  auto source = StartPostgres("obj-src");
  auto target = StartPostgres("obj-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgSchema);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "objects", "--tables", "public.account", "--tables", "public.audit",
                        "--schema-report", report_path});
  // Loaded, and the trigger created disabled.
  ASSERT_TRUE(Eventually(
      [&] {
        auto r = target->Sql("SELECT tgenabled FROM pg_trigger WHERE tgname = 'account_audit'");
        return (r.ok() && *r == "D") || !engine.Running();
      },
      60s))
      << engine.Log();
  // CDC: the source's trigger writes audit rows, which cutover replicates; the target's must not
  // write its own.
  Sql(*source,
      "INSERT INTO account (name, balance) VALUES ('late', 500);"
      "UPDATE account SET balance = balance + 1000 WHERE id <= 3;"
      "CALL add_account('by procedure')");
  ASSERT_TRUE(Eventually([&] { return Sql(*target, kPgAudit) == Sql(*source, kPgAudit); }, 30s))
      << Sql(*target, kPgAudit) << "\n"
      << engine.Log();
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM audit"), "55");  // 50 + 1 + 3 + 1

  // The view, the function and the procedure are there and answer as on the source.
  EXPECT_EQ(Sql(*target, "SELECT count(*) || '/' || sum(id) FROM rich"),
            Sql(*source, "SELECT count(*) || '/' || sum(id) FROM rich"));
  EXPECT_EQ(Sql(*target, "SELECT total_balance()"), Sql(*source, "SELECT total_balance()"));
  EXPECT_EQ(Sql(*target,
                "SELECT count(*) FROM pg_proc WHERE proname = 'add_account' AND "
                "prokind = 'p'"),
            "1");
  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "public.rich"), "\"carried\"")) << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "function", "public.total_balance()"), "\"carried\""))
      << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "trigger", "public.account.account_audit"), "created disabled"))
      << report;
  std::string outside = ReportEntry(report, "view", "public.outside_view");
  EXPECT_TRUE(Contains(outside, "not carried") && Contains(outside, "public.outside")) << report;
  EXPECT_EQ(Sql(*target, "SELECT to_regclass('public.outside_view') IS NULL"), "t");

  std::string switch_report = ReportPath() + ".switch";
  RunResult r = RunCutover(
      {"switch", "--source", source->uri(), "--target", target->uri(), "--task", "objects",
       "--report", switch_report, "--quiet-seconds", "1", "--validate", "none"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << engine.Log();
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_TRUE(Contains(CompactReport(switch_report),
                       "\"triggers_enabled\":[\"public.account.account_audit\"]"))
      << CompactReport(switch_report);
  EXPECT_EQ(Sql(*target, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'account_audit'"), "O");
  EXPECT_EQ(Sql(*target, kPgAudit), Sql(*source, kPgAudit));

  // The application on the target: its INSERT fires the trigger.
  std::string id = Sql(*target, "INSERT INTO account (name) VALUES ('app') RETURNING id");
  EXPECT_EQ(Sql(*target, "SELECT what FROM audit WHERE account_id = " + id), "INSERT");
  EXPECT_EQ(Sql(*target, "SELECT count(*) FROM audit"), "56");

  // A second switch changes nothing.
  RunResult again = RunCutover({"switch", "--source", source->uri(), "--target", target->uri(),
                                "--task", "objects", "--quiet-seconds", "1", "--validate", "none"},
                               60s);
  EXPECT_EQ(again.exit_code, 0) << again.err << again.out;
  EXPECT_EQ(Sql(*target, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'account_audit'"), "O");
}

// Triggers in every mode the source gives them, and a materialized view. While CDC applies,
// every trigger is disabled on the target, ENABLE ALWAYS included (that mode would fire under
// session_replication_role = replica); the switch gives each the source's mode back. The
// materialized view is created from the loaded rows, so it holds what the source's holds once
// the source refreshed it at the same point.
constexpr const char* kPgTriggerModes = R"sql(
CREATE TABLE item (id int PRIMARY KEY, grp int NOT NULL, qty int NOT NULL);
CREATE TABLE item_log (id serial PRIMARY KEY, item_id int NOT NULL, via text NOT NULL);
CREATE FUNCTION log_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO item_log (item_id, via) VALUES (NEW.id, TG_NAME);
  RETURN NEW;
END $$;
CREATE TRIGGER t_origin AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item();
CREATE TRIGGER t_always AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item();
CREATE TRIGGER t_replica AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item();
CREATE TRIGGER t_disabled AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION log_item();
ALTER TABLE item ENABLE ALWAYS TRIGGER t_always;
ALTER TABLE item ENABLE REPLICA TRIGGER t_replica;
ALTER TABLE item DISABLE TRIGGER t_disabled;
INSERT INTO item SELECT g, g % 7, g * 3 FROM generate_series(1, 700) g;
CREATE MATERIALIZED VIEW grp_totals AS SELECT grp, count(*) AS n, sum(qty) AS qty FROM item GROUP BY grp;
)sql";

constexpr const char* kPgModes =
    "SELECT string_agg(tgname || '=' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger "
    "WHERE tgrelid = to_regclass('public.item') AND NOT tgisinternal";
constexpr const char* kPgItemLog =
    "SELECT count(*) || '/' || coalesce(string_agg(item_id || ':' || via, ',' ORDER BY id), '') "
    "FROM item_log";
constexpr const char* kPgTotals =
    "SELECT string_agg(grp || ':' || n || ':' || qty, ',' ORDER BY grp) FROM grp_totals";

TEST(SameEngineObjects, PgToPgTriggersKeepTheirSourceModeAndMaterializedViewsAreFilled) {
  auto source = StartPostgres("mode-src");
  auto target = StartPostgres("mode-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kPgTriggerModes);
  // Each insert fired t_origin and t_always on the source (an ordinary session: origin role).
  ASSERT_EQ(Sql(*source, "SELECT count(*) FROM item_log"), "1400");
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "modes", "--schema-report", report_path});
  ASSERT_TRUE(Eventually(
      [&] {
        return Sql(*target, kPgModes) == std::string(
                                             "t_always=D,t_disabled=D,t_origin=D,"
                                             "t_replica=D") ||
               !engine.Running();
      },
      60s))
      << Sql(*target, kPgModes) << "\n"
      << engine.Log();
  // The materialized view was filled from the loaded rows: the source's as of the snapshot. (It
  // is created once every table is loaded, maybe after the triggers.)
  const std::string totals = Sql(*source, kPgTotals);
  EXPECT_TRUE(Eventually(
      [&] {
        auto t = target->Sql(kPgTotals);
        return (t.ok() && *t == totals) || !engine.Running();
      },
      30s))
      << Sql(*target, kPgTotals) << " vs " << totals << "\n"
      << engine.Log();
  EXPECT_TRUE(Contains(ReportEntry(ReadFile(report_path), "materialized view", "public.grp_totals"),
                       "\"carried\""))
      << ReadFile(report_path);

  // CDC: the source's triggers log the new rows (t_origin, t_always), cutover replicates those
  // log rows; no trigger of the target may add its own, t_always and t_replica included.
  Sql(*source, "INSERT INTO item SELECT g, g % 7, g FROM generate_series(701, 760) g");
  ASSERT_TRUE(Eventually([&] { return Sql(*target, kPgItemLog) == Sql(*source, kPgItemLog); }, 30s))
      << Sql(*target, "SELECT count(*) FROM item_log") << " vs "
      << Sql(*source, "SELECT count(*) FROM item_log") << "\n"
      << engine.Log();
  EXPECT_EQ(Sql(*source, "SELECT count(*) FROM item_log"), "1520");

  RunResult r = RunCutover({"switch", "--source", source->uri(), "--target", target->uri(),
                            "--task", "modes", "--quiet-seconds", "1", "--validate", "none"},
                           120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << engine.Log();
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_EQ(Sql(*target, kPgModes), Sql(*source, kPgModes));
  EXPECT_EQ(Sql(*target, kPgModes), "t_always=A,t_disabled=D,t_origin=O,t_replica=R");
  // The application on the target (origin role) fires what the source would: t_origin and
  // t_always, not t_replica or t_disabled.
  Sql(*target, "INSERT INTO item VALUES (9001, 1, 1)");
  EXPECT_EQ(
      Sql(*target, "SELECT string_agg(via, ',' ORDER BY via) FROM item_log WHERE item_id = 9001"),
      "t_always,t_origin");
  // Refreshed on both sides, the view agrees again.
  Sql(*source, "INSERT INTO item VALUES (9001, 1, 1); REFRESH MATERIALIZED VIEW grp_totals");
  Sql(*target, "REFRESH MATERIALIZED VIEW grp_totals");
  EXPECT_EQ(Sql(*target, kPgTotals), Sql(*source, kPgTotals));
}

// ---------------------------------------------------------------------------------------------
// MariaDB -> MariaDB

constexpr const char* kMariaSchema = R"sql(
CREATE TABLE account (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL,
  balance INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
CREATE TABLE audit (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL,
  what VARCHAR(10) NOT NULL) ENGINE=InnoDB;
CREATE TABLE outside (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TRIGGER account_audit AFTER INSERT ON account FOR EACH ROW
  INSERT INTO audit (account_id, what) VALUES (NEW.id, 'INSERT');
CREATE FUNCTION total_balance() RETURNS BIGINT READS SQL DATA
  RETURN (SELECT SUM(balance) FROM account);
CREATE PROCEDURE add_account(n VARCHAR(50)) MODIFIES SQL DATA
  INSERT INTO account (name) VALUES (n);
CREATE VIEW rich AS SELECT id, name FROM account WHERE balance > 100;
CREATE VIEW outside_view AS SELECT id FROM outside;
INSERT INTO account (name, balance) VALUES ('a1', 10), ('a2', 200), ('a3', 3000);
)sql";

constexpr const char* kMariaAudit =
    "SELECT CONCAT(COUNT(*), '/', COALESCE(GROUP_CONCAT(CONCAT(id, ':', account_id, ':', what) "
    "ORDER BY id), '')) FROM audit";

TEST(SameEngineObjects, MariaDbToMariaDbCarriesViewsRoutinesAndCreatesTriggersAtSwitch) {
  auto source = StartMariaDb("obj-src");
  auto target = StartMariaDb("obj-tgt");
  ASSERT_TRUE(source && target);
  Sql(*source, kMariaSchema);
  const std::string db = Sql(*source, "SELECT DATABASE()");
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", source->uri(), "--target", target->uri(), "--task",
                        "objects", "--tables", db + ".account", "--tables", db + ".audit",
                        "--schema-report", report_path});
  ASSERT_TRUE(Eventually(
      [&] {
        auto r = target->Sql(
            "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()");
        return (r.ok() && *r == "1") || !engine.Running();
      },
      60s))
      << engine.Log();
  Sql(*source,
      "INSERT INTO account (name, balance) VALUES ('late', 500);"
      "UPDATE account SET balance = balance + 1000 WHERE id = 1;"
      "CALL add_account('by procedure')");
  ASSERT_TRUE(
      Eventually([&] { return Sql(*target, kMariaAudit) == Sql(*source, kMariaAudit); }, 30s))
      << Sql(*target, kMariaAudit) << "\n"
      << engine.Log();
  EXPECT_EQ(Sql(*source, "SELECT COUNT(*) FROM audit"), "5");
  EXPECT_EQ(Sql(*target,
                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
                "TRIGGER_SCHEMA = DATABASE()"),
            "0")
      << "MariaDB gets the triggers only at the switch";

  EXPECT_EQ(Sql(*target, "SELECT CONCAT(COUNT(*), '/', SUM(id)) FROM rich"),
            Sql(*source, "SELECT CONCAT(COUNT(*), '/', SUM(id)) FROM rich"));
  EXPECT_EQ(Sql(*target, "SELECT total_balance()"), Sql(*source, "SELECT total_balance()"));
  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "view", db + ".rich"), "\"carried\"")) << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "procedure", db + ".add_account"), "\"carried\""))
      << report;
  EXPECT_TRUE(Contains(ReportEntry(report, "trigger", db + ".account.account_audit"),
                       "created by cutover switch"))
      << report;
  std::string outside = ReportEntry(report, "view", db + ".outside_view");
  EXPECT_TRUE(Contains(outside, "not carried") && Contains(outside, db + ".outside")) << report;

  std::string switch_report = ReportPath() + ".switch";
  RunResult r = RunCutover(
      {"switch", "--source", source->uri(), "--target", target->uri(), "--task", "objects",
       "--report", switch_report, "--quiet-seconds", "1", "--validate", "none"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << engine.Log();
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_TRUE(Contains(CompactReport(switch_report),
                       "\"triggers_enabled\":[\"" + db + ".account.account_audit\"]"))
      << CompactReport(switch_report);
  EXPECT_EQ(Sql(*target, kMariaAudit), Sql(*source, kMariaAudit));

  // The application on the target: its INSERT fires the trigger; the procedure works too.
  Sql(*target, "CALL add_account('app')");
  EXPECT_EQ(Sql(*target,
                "SELECT what FROM audit WHERE account_id = (SELECT id FROM account "
                "WHERE name = 'app')"),
            "INSERT");
  EXPECT_EQ(Sql(*target, "SELECT COUNT(*) FROM audit"), "6");
}

// ---------------------------------------------------------------------------------------------
// SQLite -> SQLite

constexpr const char* kSqliteSchema = R"sql(
CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance INTEGER NOT NULL
  DEFAULT 0);
CREATE TABLE audit (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, what TEXT NOT NULL);
CREATE TABLE outside (id INTEGER PRIMARY KEY);
CREATE TRIGGER account_audit AFTER INSERT ON account BEGIN
  INSERT INTO audit (account_id, what) VALUES (NEW.id, 'INSERT');
END;
CREATE VIEW rich AS SELECT id, name FROM account WHERE balance > 100;
CREATE VIEW outside_view AS SELECT id FROM outside;
INSERT INTO account (name, balance) VALUES ('a1', 10), ('a2', 200), ('a3', 3000);
)sql";

constexpr const char* kSqliteAudit =
    "SELECT count(*) || '/' || coalesce(group_concat(id || ':' || account_id || ':' || what), "
    "'') FROM (SELECT * FROM audit ORDER BY id)";

TEST(SameEngineObjects, SqliteToSqliteCarriesViewsAndCreatesTriggersAtSwitch) {
  SqliteDir dir;
  const std::string src = dir.path("source.db"), tgt = dir.path("target.db");
  SqliteExec(src, kSqliteSchema);
  const std::string report_path = ReportPath();
  EngineProcess engine({"replicate", "--source", dir.uri("source.db"), "--target",
                        dir.uri("target.db"), "--task", "objects", "--tables", "main.account",
                        "--tables", "main.audit", "--schema-report", report_path});
  ASSERT_TRUE(Eventually(
      [&] {
        return SqliteValue(tgt, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'") == "1" ||
               !engine.Running();
      },
      60s))
      << engine.Log();
  SqliteExec(src,
             "INSERT INTO account (name, balance) VALUES ('late', 500);"
             "UPDATE account SET balance = balance + 1000 WHERE id = 1");
  // A SQLite source delivers batches of changed rows, not source transactions (sqlite_capture.h):
  // the audit rows and the account rows they describe may land in different target commits, so
  // both are waited for.
  constexpr const char* kRich = "SELECT count(*) || '/' || sum(id) FROM rich";
  ASSERT_TRUE(Eventually(
      [&] {
        return SqliteValue(tgt, kSqliteAudit) == SqliteValue(src, kSqliteAudit) &&
               SqliteValue(tgt, kRich) == SqliteValue(src, kRich);
      },
      30s))
      << SqliteValue(tgt, kSqliteAudit) << "\n"
      << engine.Log();
  EXPECT_EQ(SqliteValue(src, "SELECT count(*) FROM audit"), "4");
  EXPECT_EQ(SqliteValue(tgt, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"), "0")
      << "SQLite gets the triggers only at the switch";
  EXPECT_EQ(SqliteValue(tgt, kRich), SqliteValue(src, kRich));
  std::string report = ReadFile(report_path);
  EXPECT_TRUE(Contains(ReportEntry(report, "view", "main.rich"), "\"carried\"")) << report;
  EXPECT_TRUE(
      Contains(ReportEntry(report, "trigger", "main.account.account_audit"), "cutover switch"))
      << report;
  std::string outside = ReportEntry(report, "view", "main.outside_view");
  EXPECT_TRUE(Contains(outside, "not carried") && Contains(outside, "main.outside")) << report;

  std::string switch_report = ReportPath() + ".switch";
  RunResult r = RunCutover(
      {"switch", "--source", dir.uri("source.db"), "--target", dir.uri("target.db"), "--task",
       "objects", "--report", switch_report, "--quiet-seconds", "1", "--validate", "none"},
      120s);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << engine.Log();
  EXPECT_EQ(engine.Wait(30s), 0) << engine.Log();
  EXPECT_TRUE(Contains(CompactReport(switch_report),
                       "\"triggers_enabled\":[\"main.account.account_audit\"]"))
      << CompactReport(switch_report);
  EXPECT_EQ(SqliteValue(tgt, kSqliteAudit), SqliteValue(src, kSqliteAudit));

  EXPECT_EQ(SqliteValue(tgt, "INSERT INTO account (name) VALUES ('app') RETURNING id"), "5");
  EXPECT_EQ(SqliteValue(tgt, "SELECT what FROM audit WHERE account_id = 5"), "INSERT");
  EXPECT_EQ(SqliteValue(tgt, "SELECT count(*) FROM audit"), "5");
}

}  // namespace
}  // namespace cutover::testing
