// Source schema changes during CDC (docs/ddl.md), against real servers: the source adds a column
// with a default and fills it, renames a column, widens a type and drops a column while rows
// keep changing around each step; every target engine follows, in order with the data, across
// a kill -9 in the middle and one at the end. Both sides are read with SQL written here (the
// lakehouse files with DuckDB), never with engine code; `cutover validate` must agree too.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/integration/support/lakehouse_support.h"
#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {
namespace {

using namespace std::chrono_literals;

// The source's table before the changes, its rows, and the steps: each a DDL then writes that
// need it (the new column, the new name, the wider type, the missing column). The task is
// killed (kill -9) and restarted after kKillAfter steps.
const char* kSetup =
    "CREATE SCHEMA ddl;"
    "CREATE TABLE ddl.t (id int PRIMARY KEY, a text, b varchar(10), gone int);"
    "CREATE INDEX t_gone ON ddl.t (gone);"
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
constexpr size_t kKillAfter = 2;  // after the add and its fill

// The rows as one text ("count|id:a:b:note,..." by id, `a` the current name of column a), the
// same expression on every engine.
std::string PgRows(const std::string& a) {
  return "SELECT count(*) || '|' || string_agg(id || ':' || coalesce(" + a +
         ", '~') || ':' || coalesce(b, '~') || ':' || note, ',' ORDER BY id) FROM ";
}
std::string MariaRows(const std::string& a) {
  return "SELECT CONCAT(count(*), '|', group_concat(CONCAT(id, ':', coalesce(" + a +
         ", '~'), ':', coalesce(b, '~'), ':', note) ORDER BY id SEPARATOR ',')) FROM ";
}
std::string SqliteRows(const std::string& a) {
  return "SELECT count(*) || '|' || group_concat(id || ':' || coalesce(" + a +
         ", '~') || ':' || coalesce(b, '~') || ':' || note, ',') FROM (SELECT * FROM t ORDER BY "
         "id)";
}

// A target of one engine: its URI, its rows and its columns read independently.
class DdlTarget {
 public:
  // `kind`: postgresql, mariadb, sqlite, lakehouse_csv, lakehouse_parquet. `schema`: where the
  // source table lands (PostgreSQL and lakehouse targets keep the source's schema).
  DdlTarget(std::string kind, std::string schema)
      : kind_(std::move(kind)), schema_(std::move(schema)) {
    if (kind_ == "postgresql") {
      server_ = StartPostgres("tgt");
    } else if (kind_ == "mariadb") {
      server_ = StartMariaDb("tgt");
    } else if (Lake()) {
      settings_ = dir_.path("settings.json");
      std::ofstream(settings_) << R"({"AddColumnName": true, "CdcMaxBatchInterval": 1)"
                               << (kind_ == "lakehouse_parquet" ? R"(, "DataFormat": "parquet")"
                                                                : "")
                               << "}";
    }
  }

  bool ok() const { return server_ || kind_ == "sqlite" || Lake(); }
  bool Lake() const { return kind_.starts_with("lakehouse"); }

  std::string uri() const {
    if (server_) return server_->uri();
    if (kind_ == "sqlite") return dir_.uri("dst.db");
    return "file://" + dir_.path("lake");
  }

  // `replicate` for `source`, task `task`, with `extra` arguments.
  std::vector<std::string> Replicate(const std::string& source, const std::string& task,
                                     std::vector<std::string> extra) const {
    std::vector<std::string> args{"replicate", "--source", source, "--target",
                                  uri(),       "--task",   task};
    if (Lake()) extra.insert(extra.end(), {"--target-settings", settings_});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::string Count() {
    if (Lake()) return std::to_string(FoldRows().size());
    return Read(kind_ == "postgresql" ? "SELECT count(*) FROM " + schema_ + ".t"
                                      : "SELECT count(*) FROM t");
  }

  std::string Rows(const std::string& a = "a2") {
    if (kind_ == "postgresql") return Read(PgRows(a) + schema_ + ".t");
    if (kind_ == "mariadb")
      return Read("SET SESSION group_concat_max_len = 1000000; " + MariaRows(a) + "t");
    if (kind_ == "sqlite") return Read(SqliteRows(a));
    // DuckDB's fold of the files: a column renamed since a file was written is read under
    // either name, a column added since is the source's default ('none') in files before it.
    std::vector<nlohmann::json> rows = FoldRows();
    auto text = [](const nlohmann::json& r, std::initializer_list<const char*> names,
                   const char* otherwise) {
      for (const char* n : names)
        if (r.contains(n) && !r.at(n).is_null()) return r.at(n).get<std::string>();
      return std::string(otherwise);
    };
    std::vector<std::pair<long, std::string>> lines;
    for (const auto& r : rows)
      lines.emplace_back(std::stol(r.at("id").get<std::string>()),
                         text(r, {"id"}, "") + ":" + text(r, {"a2", "a"}, "~") + ":" +
                             text(r, {"b"}, "~") + ":" + text(r, {"note"}, "none"));
    std::sort(lines.begin(), lines.end());
    std::string out = std::to_string(lines.size()) + "|";
    for (size_t i = 0; i < lines.size(); ++i) out += (i ? "," : "") + lines[i].second;
    return fold_error_.empty() ? out : "error: " + fold_error_;
  }

  // The table's columns on the target: "name type(length)" for the servers, names for SQLite
  // and the lakehouse (its manifest's current columns).
  std::string Columns() {
    if (kind_ == "postgresql")
      return Read(
          "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || "
          "character_maximum_length || ')', ''), ', ' ORDER BY ordinal_position) FROM "
          "information_schema.columns WHERE table_schema = '" +
          schema_ + "' AND table_name = 't'");
    if (kind_ == "mariadb")
      return Read(
          "SELECT group_concat(CONCAT(column_name, ' ', data_type, coalesce(CONCAT('(', "
          "character_maximum_length, ')'), '')) ORDER BY ordinal_position SEPARATOR ', ') "
          "FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = "
          "'t'");
    if (kind_ == "sqlite")
      return Read("SELECT group_concat(name || ' ' || type, ', ') FROM pragma_table_info('t')");
    std::ifstream in(dir_.path("lake") + "/_cutover/" + task_ + "/manifest.json");
    std::string names;
    try {
      nlohmann::json m = nlohmann::json::parse(in);
      for (const auto& t : m.at("tables"))
        if (t.at("name") == "t")
          for (const auto& c : t.at("columns"))
            names += (names.empty() ? "" : ", ") + c.at("name").get<std::string>() + " ";
    } catch (const std::exception& e) {
      return std::string("error: ") + e.what();
    }
    return names;
  }

  // Every change written once (the lakehouse files); "" elsewhere.
  std::string Duplicates() {
    if (!Lake()) return "";
    return cutover::testing::Duplicates(Folder(), Files());
  }

  void set_task(const std::string& task) { task_ = task; }
  std::string Path() const { return dir_.path("dst.db"); }
  bool sized_types() const { return server_ != nullptr; }  // reports varchar lengths

 private:
  std::string Read(const std::string& sql) {
    if (kind_ == "sqlite") return SqliteValue(dir_.path("dst.db"), sql);
    auto r = server_->Sql(sql);
    return r.ok() ? *r : "error: " + r.status().ToString();
  }
  std::string Folder() const { return dir_.path("lake") + "/" + schema_ + "/t"; }
  LakeFiles Files() const {
    return kind_ == "lakehouse_parquet" ? LakeFiles::kParquet : LakeFiles::kCsv;
  }
  std::vector<nlohmann::json> FoldRows() {
    std::vector<nlohmann::json> rows;
    fold_error_.clear();
    if (!DuckDbFold(Folder(), "id", "", rows, fold_error_, Files())) rows.clear();
    return rows;
  }

  std::string kind_, schema_, task_;
  SqliteDir dir_;
  std::string settings_, fold_error_;
  std::unique_ptr<harness::ThrowawayServer> server_;
};

void ExpectColumnsFollowed(DdlTarget& target) {
  std::string columns = target.Columns();
  EXPECT_EQ(columns.find("gone"), std::string::npos) << columns;
  EXPECT_EQ(columns.find("a "), std::string::npos) << columns;
  EXPECT_NE(columns.find("a2 "), std::string::npos) << columns;
  EXPECT_NE(columns.find("note "), std::string::npos) << columns;
  if (target.sized_types()) {
    EXPECT_NE(columns.find("(50)"), std::string::npos) << columns;
  }
}

bool CdcStarted(EngineProcess& engine) {
  return Eventually(
             [&] {
               return !engine.Running() || engine.Log().find("cdc started") != std::string::npos;
             },
             60s) &&
         engine.Running();
}

class SchemaChanges : public ::testing::TestWithParam<std::string> {};

TEST_P(SchemaChanges, TargetFollowsAddRenameWidenAndDropInOrderWithTheData) {
  if (GetParam().starts_with("lakehouse")) {
    ASSERT_EQ(DuckDbReady(), "");
  }
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  DdlTarget target(GetParam(), "ddl");
  ASSERT_TRUE(target.ok());
  target.set_task("ddl");
  Sql(*source, kSetup);
  const auto args = target.Replicate(source->uri(), "ddl", {"--tables", "ddl.%"});
  auto source_rows = [&](const std::string& a = "a2") { return Sql(*source, PgRows(a) + "ddl.t"); };
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return !engine->Running() || target.Count() == "100"; }, 120s))
      << engine->Log();
  for (size_t i = 0; i < kSteps.size(); ++i) {
    Sql(*source, kSteps[i]);
    std::this_thread::sleep_for(300ms);  // each step lands in its own apply group or not
    if (i + 1 != kKillAfter) continue;
    // kill -9 once the target has the new column and its fill, then go on from the checkpoint.
    const std::string want = source_rows("a");
    ASSERT_TRUE(Eventually([&] { return !engine->Running() || target.Rows("a") == want; }, 60s))
        << "source " << want << " target " << target.Rows("a") << "\n"
        << engine->Log();
    engine->Signal(SIGKILL);
    engine->Wait(30s);
    engine = std::make_unique<EngineProcess>(args);
    // The next change waits for the restarted task to have read the catalog (a schema change
    // made while it starts is the limit docs/ddl.md describes).
    ASSERT_TRUE(CdcStarted(*engine)) << engine->Log();
  }
  const std::string want = source_rows();
  bool equal = Eventually([&] { return !engine->Running() || target.Rows() == want; }, 90s);
  ASSERT_TRUE(engine->Running()) << engine->Log();
  EXPECT_TRUE(equal) << "source " << want << " target " << target.Rows() << "\n" << engine->Log();
  ExpectColumnsFollowed(target);
  EXPECT_NE(engine->Log().find("source schema changed"), std::string::npos) << engine->Log();
  if (GetParam() == "sqlite") {  // SQLite refuses to drop an indexed column: the index goes first
    EXPECT_NE(engine->Log().find("on the target before dropping column gone"), std::string::npos)
        << engine->Log();
  }

  // A restart after the changes: nothing is applied twice, later rows still arrive.
  engine->Signal(SIGKILL);
  engine->Wait(30s);
  Sql(*source, "INSERT INTO ddl.t (id, a2, b) VALUES (105, 'after restart', 'r');");
  EngineProcess again(args);
  const std::string want2 = source_rows();
  EXPECT_TRUE(Eventually([&] { return !again.Running() || target.Rows() == want2; }, 90s))
      << "source " << want2 << " target " << target.Rows() << "\n"
      << again.Log();
  EXPECT_TRUE(again.Running()) << again.Log();
  EXPECT_EQ(target.Duplicates(), "");
  again.Signal(SIGTERM);
  again.Wait(30s);
  RunResult v = RunCutover(
      {"validate", "--source", source->uri(), "--target", target.uri(), "--tables", "ddl.%"}, 60s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

INSTANTIATE_TEST_SUITE_P(Targets, SchemaChanges,
                         ::testing::Values("postgresql", "mariadb", "sqlite", "lakehouse_csv",
                                           "lakehouse_parquet"),
                         [](const auto& info) { return info.param; });

// A type change SQLite cannot follow without rewriting the stored values (int -> text): the
// task stops naming the table, the column and both types, and commits nothing of it.
TEST(SchemaChangesToSqlite, ATypeChangeThatRewritesValuesStopsTheTask) {
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  DdlTarget target("sqlite", "ddl");
  Sql(*source,
      "CREATE SCHEMA ddl; CREATE TABLE ddl.u (id int PRIMARY KEY, n int);"
      "INSERT INTO ddl.u VALUES (1, 10);");
  EngineProcess engine(target.Replicate(source->uri(), "u", {"--tables", "ddl.%"}));
  ASSERT_TRUE(CdcStarted(engine)) << engine.Log();
  Sql(*source, "ALTER TABLE ddl.u ALTER COLUMN n TYPE text; UPDATE ddl.u SET n = 'ten';");
  EXPECT_NE(engine.Wait(60s), 0) << engine.Log();
  EXPECT_NE(engine.Log().find("table ddl.u: column n changed type to text (SQLite TEXT, was "
                              "INTEGER)"),
            std::string::npos)
      << engine.Log();
  EXPECT_EQ(SqliteValue(target.Path(), "SELECT typeof(n) || ':' || n FROM u"), "integer:10");
}

// SQLite adds a NOT NULL column only with a constant default: a column added NOT NULL DEFAULT
// now() is added nullable, without the default, with a warning; the rows that existed hold NULL
// (docs/ddl.md), later rows the source's values, and the task goes on.
TEST(SchemaChangesToSqlite, ANotNullColumnWithAnExpressionDefaultIsAddedNullable) {
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  DdlTarget target("sqlite", "ddl");
  Sql(*source,
      "CREATE SCHEMA ddl; CREATE TABLE ddl.u (id int PRIMARY KEY, n int);"
      "INSERT INTO ddl.u VALUES (1, 10);");
  EngineProcess engine(target.Replicate(source->uri(), "u", {"--tables", "ddl.%"}));
  ASSERT_TRUE(CdcStarted(engine)) << engine.Log();
  Sql(*source,
      "ALTER TABLE ddl.u ADD COLUMN at timestamptz NOT NULL DEFAULT now();"
      "INSERT INTO ddl.u VALUES (2, 20, '2024-05-06 07:08:09+00');");
  EXPECT_TRUE(Eventually(
      [&] {
        return !engine.Running() || SqliteValue(target.Path(), "SELECT count(*) FROM u") == "2";
      },
      60s))
      << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
  EXPECT_NE(engine.Log().find("table ddl.u: column at is added on the SQLite target as nullable, "
                              "without DEFAULT ("),
            std::string::npos)
      << engine.Log();
  EXPECT_EQ(SqliteValue(target.Path(), "SELECT coalesce(at, 'NULL') FROM u WHERE id = 1"), "NULL");
  EXPECT_EQ(SqliteValue(target.Path(), "SELECT at FROM u WHERE id = 2").substr(0, 19),
            "2024-05-06 07:08:09");
  EXPECT_EQ(SqliteValue(target.Path(),
                        "SELECT \"notnull\" FROM pragma_table_info('u') WHERE "
                        "name = 'at'"),
            "0");
}

// A MariaDB source: the binlog's schema statements mark the table, its next rows event reads
// the catalog again, and the target follows.
class SchemaChangesFromMariaDb : public ::testing::TestWithParam<std::string> {};

TEST_P(SchemaChangesFromMariaDb, TargetFollowsAddRenameWidenAndDrop) {
  auto source = StartMariaDb("msrc");
  ASSERT_TRUE(source);
  if (GetParam().starts_with("lakehouse")) {
    ASSERT_EQ(DuckDbReady(), "");
  }
  // The MariaDB database lands as PostgreSQL's public schema, and as its own folder of files.
  DdlTarget target(GetParam(), GetParam().starts_with("lakehouse") ? "cutover" : "public");
  ASSERT_TRUE(target.ok());
  target.set_task("mddl");
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, a text, b varchar(10), gone int, KEY t_gone "
            "(gone));"
            "INSERT INTO t SELECT seq, CONCAT('a', seq), CONCAT('b', seq), seq FROM seq_1_to_100");
  const auto args = target.Replicate(source->uri(), "mddl", {});
  auto engine = std::make_unique<EngineProcess>(args);
  ASSERT_TRUE(Eventually([&] { return !engine->Running() || target.Count() == "100"; }, 120s))
      << engine->Log();
  MariaExec(*conn, "SET SESSION group_concat_max_len = 1000000");
  auto source_rows = [&](const std::string& a = "a2") {
    return MariaValue(*conn, MariaRows(a) + "t");
  };
  const std::vector<std::string> steps{
      "INSERT INTO t VALUES (101, 'before', 'x', 1)",
      "ALTER TABLE t ADD COLUMN note varchar(20) NOT NULL DEFAULT 'none'",
      "INSERT INTO t (id, a, b, gone, note) VALUES (102, 'with note', 'y', 2, 'given')",
      "UPDATE t SET note = CONCAT('n', id) WHERE id % 2 = 0",
      "ALTER TABLE t RENAME COLUMN a TO a2",
      "UPDATE t SET a2 = CONCAT(a2, '!') WHERE id % 3 = 0",
      "ALTER TABLE t MODIFY COLUMN b varchar(50)",
      "UPDATE t SET b = REPEAT('w', 45) WHERE id < 10",
      "ALTER TABLE t DROP COLUMN gone",
      "INSERT INTO t (id, a2, b) VALUES (104, 'after drop', 'q')",
      "DELETE FROM t WHERE id BETWEEN 50 AND 59"};
  for (size_t i = 0; i < steps.size(); ++i) {
    MariaExec(*conn, steps[i]);
    if (i != 3) continue;
    // kill -9 once the target has the new column and its fill, then go on from the checkpoint.
    const std::string want = source_rows("a");
    ASSERT_TRUE(Eventually([&] { return !engine->Running() || target.Rows("a") == want; }, 60s))
        << "source " << want << " target " << target.Rows("a") << "\n"
        << engine->Log();
    engine->Signal(SIGKILL);
    engine->Wait(30s);
    engine = std::make_unique<EngineProcess>(args);
    // The next change waits for the restarted task to have read the catalog (a schema change
    // made while it starts is the limit docs/ddl.md describes).
    ASSERT_TRUE(CdcStarted(*engine)) << engine->Log();
  }
  const std::string want = source_rows();
  EXPECT_TRUE(Eventually([&] { return !engine->Running() || target.Rows() == want; }, 90s))
      << "source " << want << " target " << target.Rows() << "\n"
      << engine->Log();
  EXPECT_TRUE(engine->Running()) << engine->Log();
  ExpectColumnsFollowed(target);
  EXPECT_EQ(target.Duplicates(), "");
  engine->Signal(SIGTERM);
  engine->Wait(30s);
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target.uri()}, 60s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

INSTANTIATE_TEST_SUITE_P(Targets, SchemaChangesFromMariaDb,
                         ::testing::Values("postgresql", "sqlite", "lakehouse_parquet"),
                         [](const auto& info) { return info.param; });

// Runs `args` until the target has the table's 100 rows and CDC has started; then `during_cdc`
// (when set) writes on the source and the target must reach `rows_after` rows; then stops the
// task (SIGTERM), which must exit 0.
::testing::AssertionResult RunThenStop(const std::vector<std::string>& args, DdlTarget& target,
                                       const std::function<void()>& during_cdc = nullptr,
                                       const std::string& rows_after = "100") {
  EngineProcess engine(args);
  auto has = [&](const std::string& n) {
    return Eventually([&] { return !engine.Running() || target.Count() == n; }, 120s) &&
           engine.Running();
  };
  if (!has("100") || !CdcStarted(engine))
    return ::testing::AssertionFailure() << "not loaded\n" << engine.Log();
  if (during_cdc) during_cdc();
  if (!has(rows_after))
    return ::testing::AssertionFailure() << "target never had " << rows_after << " rows\n"
                                         << engine.Log();
  engine.Signal(SIGTERM);
  if (int rc = engine.Wait(60s); rc != 0)
    return ::testing::AssertionFailure() << "exit " << rc << "\n" << engine.Log();
  return ::testing::AssertionSuccess();
}

// Columns added on the source while the task is stopped (columns_added_while_stopped.h): the
// restarted task starts the table from the columns the target has, adds the new ones on the
// target at the table's next change (the rows it already has take the source's default, as on
// the source), and the rows are equal again; `cutover validate` agrees.
class SchemaChangesWhileStopped : public ::testing::TestWithParam<std::string> {};

TEST_P(SchemaChangesWhileStopped, ColumnsAddedWhileTheTaskIsStoppedAreAddedAtItsNextChange) {
  if (GetParam().starts_with("lakehouse")) {
    ASSERT_EQ(DuckDbReady(), "");
  }
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  DdlTarget target(GetParam(), "ddl");
  ASSERT_TRUE(target.ok());
  target.set_task("ds");
  Sql(*source, kSetup);
  const auto args = target.Replicate(source->uri(), "ds", {"--tables", "ddl.%"});
  ASSERT_TRUE(RunThenStop(
      args, target, [&] { Sql(*source, "INSERT INTO ddl.t VALUES (101, 'before', 'x', 1)"); },
      "101"));
  Sql(*source,
      "ALTER TABLE ddl.t ADD COLUMN note text NOT NULL DEFAULT 'none';"
      "ALTER TABLE ddl.t ADD COLUMN n int;"
      "UPDATE ddl.t SET note = 'n' || id, n = id WHERE id % 2 = 0;"
      "INSERT INTO ddl.t (id, a, b, gone, note, n) VALUES (102, 'with note', 'y', 2, 'given', 7);");
  EngineProcess engine(args);
  const std::string want = Sql(*source, PgRows("a") + "ddl.t");
  EXPECT_TRUE(Eventually([&] { return !engine.Running() || target.Rows("a") == want; }, 90s))
      << "source " << want << " target " << target.Rows("a") << "\n"
      << engine.Log();
  ASSERT_TRUE(engine.Running()) << engine.Log();
  EXPECT_NE(engine.Log().find("the target lacks column(s) note, n of the source (added while the "
                              "task was stopped)"),
            std::string::npos)
      << engine.Log();
  EXPECT_NE(engine.Log().find("source schema changed"), std::string::npos) << engine.Log();
  const std::string columns = target.Columns();
  EXPECT_NE(columns.find("note "), std::string::npos) << columns;
  EXPECT_NE(columns.find(", n "), std::string::npos) << columns;
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  // `validate` compares every column, n included.
  RunResult v = RunCutover(
      {"validate", "--source", source->uri(), "--target", target.uri(), "--tables", "ddl.%"}, 60s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

INSTANTIATE_TEST_SUITE_P(Targets, SchemaChangesWhileStopped,
                         ::testing::Values("postgresql", "mariadb", "sqlite", "lakehouse_csv"),
                         [](const auto& info) { return info.param; });

// A rename while the task is stopped cannot be told from a drop and an add: the restarted task
// stops before writing anything, naming both columns and the remedy; the target is unchanged.
TEST(SchemaChangesWhileStoppedRename, ARenameStopsTheRestartNamingBothColumns) {
  auto source = StartPostgres("src");
  ASSERT_TRUE(source);
  DdlTarget target("postgresql", "ddl");
  ASSERT_TRUE(target.ok());
  Sql(*source, kSetup);
  const auto args = target.Replicate(source->uri(), "dr", {"--tables", "ddl.%"});
  ASSERT_TRUE(RunThenStop(args, target));
  Sql(*source,
      "ALTER TABLE ddl.t RENAME COLUMN b TO b2;"
      "UPDATE ddl.t SET b2 = 'changed' WHERE id = 1;");
  EngineProcess engine(args);
  const int rc = engine.Wait(90s);
  EXPECT_NE(rc, 0) << engine.Log();
  EXPECT_NE(engine.Log().find("table ddl.t: the target lacks column(s) b2 of the source and has "
                              "column(s) b the source no longer has"),
            std::string::npos)
      << engine.Log();
  EXPECT_EQ(engine.Log().find("cutover:cutover@"), std::string::npos) << engine.Log();
  const std::string columns = target.Columns();
  EXPECT_NE(columns.find("b character varying(10)"), std::string::npos) << columns;
  EXPECT_EQ(columns.find("b2"), std::string::npos) << columns;
}

// A MariaDB source and target: the binlog's ALTER marks the table, its next rows event has the
// new columns, and the MariaDB target (names without case, DDL committed on its own) adds them.
TEST(SchemaChangesWhileStoppedMariaDb, AColumnAddedWhileStoppedIsAddedAtTheNextChange) {
  auto source = StartMariaDb("msrc");
  ASSERT_TRUE(source);
  DdlTarget target("mariadb", "cutover");
  ASSERT_TRUE(target.ok());
  auto conn = MariaConnect(*source);
  MariaExec(*conn,
            "CREATE TABLE t (id int PRIMARY KEY, a text, b varchar(10), gone int);"
            "INSERT INTO t SELECT seq, CONCAT('a', seq), CONCAT('b', seq), seq FROM seq_1_to_100");
  const auto args = target.Replicate(source->uri(), "dm", {});
  ASSERT_TRUE(RunThenStop(
      args, target, [&] { MariaExec(*conn, "INSERT INTO t VALUES (101, 'before', 'x', 1)"); },
      "101"));
  MariaExec(*conn,
            "ALTER TABLE t ADD COLUMN Note varchar(20) NOT NULL DEFAULT 'none';"
            "INSERT INTO t (id, a, b, gone, note) VALUES (102, 'with note', 'y', 2, 'given');"
            "UPDATE t SET note = CONCAT('n', id) WHERE id % 2 = 0");
  MariaExec(*conn, "SET SESSION group_concat_max_len = 1000000");
  const std::string want = MariaValue(*conn, MariaRows("a") + "t");
  EngineProcess engine(args);
  EXPECT_TRUE(Eventually([&] { return !engine.Running() || target.Rows("a") == want; }, 90s))
      << "source " << want << " target " << target.Rows("a") << "\n"
      << engine.Log();
  EXPECT_TRUE(engine.Running()) << engine.Log();
  EXPECT_NE(engine.Log().find("the target lacks column(s) Note of the source"), std::string::npos)
      << engine.Log();
  engine.Signal(SIGTERM);
  EXPECT_EQ(engine.Wait(60s), 0) << engine.Log();
  RunResult v = RunCutover({"validate", "--source", source->uri(), "--target", target.uri()}, 60s);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace cutover::testing
