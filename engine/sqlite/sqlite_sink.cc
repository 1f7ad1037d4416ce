#include "engine/sqlite/sqlite_sink.h"

#include <map>
#include <regex>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_sink_internal.h"
#include "engine/sqlite/sqlite_task_state.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

Status CreateControlTables(SqliteConn& conn) {
  RETURN_IF_ERROR(
      conn.Exec(std::string("CREATE TABLE IF NOT EXISTS ") + kCheckpointTable +
                    " (task TEXT NOT NULL PRIMARY KEY, position TEXT NOT NULL, updated_at "
                    "TEXT NOT NULL); CREATE TABLE IF NOT EXISTS " +
                    kTableStateTable +
                    " (task TEXT NOT NULL, table_schema TEXT NOT NULL, table_name TEXT NOT "
                    "NULL, snapshot_position TEXT NOT NULL, rows INTEGER NOT NULL, loaded_at "
                    "TEXT NOT NULL, PRIMARY KEY (task, table_schema, table_name)); CREATE TABLE "
                    "IF NOT EXISTS " +
                    kTableStatsTable +
                    " (task TEXT NOT NULL, table_schema TEXT NOT NULL, table_name TEXT NOT "
                    "NULL, inserts INTEGER NOT NULL, updates INTEGER NOT NULL, deletes INTEGER "
                    "NOT NULL, ddls INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY "
                    "(task, table_schema, table_name)); CREATE TABLE IF NOT EXISTS " +
                    kLoadRangeTable +
                    " (task TEXT NOT NULL, table_schema TEXT NOT NULL, table_name TEXT NOT "
                    "NULL, range_no INTEGER NOT NULL, key_column TEXT NOT NULL, lo INTEGER, hi "
                    "INTEGER, snapshot_position TEXT, rows INTEGER, loaded_at TEXT, shape TEXT, "
                    "PRIMARY KEY (task, table_schema, table_name, range_no))",
                "creating the control tables on the target"));
  // A target set up by an older cutover: `shape` is added once.
  ASSIGN_OR_RETURN(auto q, conn.Prepare(std::string("SELECT count(*) FROM pragma_table_info('") +
                                            kLoadRangeTable + "') WHERE name = 'shape'",
                                        "reading the columns of " + std::string(kLoadRangeTable)));
  ASSIGN_OR_RETURN(bool row, q->Step());
  if (row && q->column_int64(0) == 0)
    return conn.Exec(std::string("ALTER TABLE ") + kLoadRangeTable + " ADD COLUMN shape TEXT",
                     "adding the shape column to " + std::string(kLoadRangeTable));
  return Status::Ok();
}

TablePlan MakePlan(const TableSchema& t) {
  TablePlan p;
  p.target = TableName{"main", LandingTableName(t)};  // one schema (engine/core/naming.h)
  p.quoted = Q(p.target.name);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    p.column_list += (i ? ", " : "") + Q(t.columns[i].name);
    p.columns.push_back(PlanSqliteColumn(t.columns[i], t.engine));
  }
  return p;
}

static std::string KeyList(const TableSchema& t) {
  std::string s;
  for (size_t j = 0; j < t.key.size(); ++j) s += (j ? ", " : "") + Q(t.columns[t.key[j]].name);
  return s;
}

// `INSERT INTO t (...) VALUES (?1, ...)`, as an upsert when `upsert` and the table has a key.
std::string InsertSql(const TableSchema& t, const TablePlan& plan, bool upsert) {
  std::string sql = "INSERT INTO " + plan.quoted + " (" + plan.column_list + ") VALUES (";
  for (size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 1);
  sql += ")";
  if (!upsert || t.key.empty()) return sql;
  std::string set;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.IsKeyColumn(i)) continue;
    std::string c = Q(t.columns[i].name);
    set += (set.empty() ? "" : ", ") + c + " = excluded." + c;
  }
  return sql + " ON CONFLICT (" + KeyList(t) + ") DO " +
         (set.empty() ? std::string("NOTHING") : "UPDATE SET " + set);
}

// load and both apply modes): a lossy rule it hits is reported, errors name table, key, column.
Status BindOne(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row, size_t i,
               SqliteStmt& st, int index) {
  LossyRule applied;
  Status s = BindForSqlite(plan.columns[i], t.columns[i].name, row[i], st, index, applied);
  if (!s.ok()) return RowContext(s, t, row);
  if (applied != LossyRule::kNone) LossyNotices::Run().Hit(t, i, applied, row);
  return Status::Ok();
}

// Binds `v` for column `i`: a parameter of a foreign-key action step (a value the target already
// holds), bound by the rule it was written with; nothing to announce.
Status BindMatch(const TablePlan& plan, const TableSchema& t, size_t i, const Value& v,
                 SqliteStmt& st, int index) {
  LossyRule applied;
  return BindForSqlite(plan.columns[i], t.columns[i].name, v, st, index, applied)
      .WithContext("table " + t.name.ToString());
}

// Binds the whole row as ?1...?n.
Status BindRow(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
               SqliteStmt& st) {
  for (size_t i = 0; i < row.size(); ++i)
    RETURN_IF_ERROR(BindOne(plan, t, row, i, st, static_cast<int>(i + 1)));
  return Status::Ok();
}

Status RollbackIfOpen(SqliteConn& conn) {
  if (!conn.in_transaction()) return Status::Ok();
  return conn.Exec("ROLLBACK", "rolling back");
}

// ---------------------------------------------------------------------------------------------

SqliteSink::SqliteSink(std::string uri, SinkOptions options)
    : uri_(std::move(uri)), options_(options), write_mu_(std::make_shared<std::mutex>()) {}

Result<std::unique_ptr<SqliteConn>> SqliteSink::OpenWriter(std::string_view purpose) const {
  SqliteOpenOptions o;
  o.busy_timeout_ms = static_cast<int>(options_.lock_timeout.count() * 1000);
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri_, purpose, o));
  RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = OFF",
                             "switching foreign keys off for cutover's connection"));
  // CHECKs too: the source checked the rows it sends (docs/types.md, "Schema objects").
  RETURN_IF_ERROR(conn->Exec("PRAGMA ignore_check_constraints = ON",
                             "switching CHECK constraints off for cutover's connection"));
  return conn;
}

// The columns of each of `tables`' target tables in their order (none: no such table), to `use`.
template <typename Use>
static Status ReadColumns(SqliteConn& conn, const std::vector<TableSchemaPtr>& tables, Use use) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, hidden IN (2, 3) FROM "
                                         "pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid",
                                         "reading target columns"));
  for (const TableSchemaPtr& t : tables) {
    TableName target = MakePlan(*t).target;
    st->Reset();
    RETURN_IF_ERROR(st->BindText(1, target.name));
    std::vector<TargetColumn> columns;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      columns.push_back({std::string(st->column_text(0)), st->column_int64(1) != 0});
    }
    use(*t, target, std::move(columns));
  }
  return Status::Ok();
}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(SqliteConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  return ReadColumns(
      conn, tables,
      [&](const TableSchema& t, const TableName& target, std::vector<TargetColumn> columns) {
        CheckPrecreatedColumns(t, target, columns, false, problems);
      });
}

Result<std::map<TableName, TargetTableColumns>> SqliteSink::ReadTargetColumns(
    const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TargetTableColumns> out;
  if (tables.empty()) return out;
  auto opened = SqliteConn::Open(uri_, "check", SqliteOpenOptions{.wal = false, .create = false});
  if (!opened.ok() && opened.status().code() == StatusCode::kNotFound) return out;
  if (!opened.ok()) return opened.status();
  RETURN_IF_ERROR(
      ReadColumns(**opened, tables,
                  [&](const TableSchema& t, const TableName&, std::vector<TargetColumn> columns) {
                    if (columns.empty()) return;
                    TargetTableColumns& c = out[t.name];
                    c.columns = std::move(columns);
                    c.case_insensitive = true;  // SQLite's column names ignore case
                  }));
  return out;
}

Status SqliteSink::CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                               TablePrep prep, StartReport& problems) {
  (void)task;
  if (tables.empty() || !TriggersSurvive(prep)) return Status::Ok();
  auto opened = SqliteConn::Open(uri_, "check", SqliteOpenOptions{.wal = false, .create = false});
  if (!opened.ok() && opened.status().code() == StatusCode::kNotFound) return Status::Ok();
  if (!opened.ok()) return opened.status();
  SqliteConn& conn = **opened;
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, upper(sql) FROM sqlite_schema WHERE type = "
                                         "'trigger' AND tbl_name = ?1 COLLATE NOCASE ORDER BY name",
                                         "looking up triggers of the task's target tables"));
  static const std::regex kEvent(R"(\b(BEFORE|AFTER|INSTEAD\s+OF)?\s*\b(DELETE|INSERT|UPDATE)\b)");
  std::vector<TargetTrigger> triggers;
  for (const auto& t : tables) {
    TablePlan plan = MakePlan(*t);
    st->Reset();
    RETURN_IF_ERROR(st->BindText(1, plan.target.name));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      TargetTrigger trig;
      trig.name = std::string(st->column_text(0));
      trig.table = plan.target;
      std::string sql(st->column_text(1));
      std::smatch m;
      if (std::regex_search(sql, m, kEvent))
        trig.event = (m[1].matched ? m[1].str() : std::string("BEFORE")) + " " + m[2].str();
      else
        trig.event = "on writes";
      std::string quoted = trig.name;
      for (size_t i = 0; (i = quoted.find('\'', i)) != std::string::npos; i += 2)
        quoted.insert(i, 1, '\'');
      trig.show_definition =
          "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = '" + quoted + "'";
      triggers.push_back(std::move(trig));
    }
  }
  RefuseTriggers(triggers, "SQLite", problems);
  RETURN_IF_ERROR(CheckPrecreatedGenerated(conn, tables, problems));
  return Status::Ok();
}

Result<TaskState> SqliteSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(std::optional<TaskState> state, ReadSqliteTaskState(uri_, task));
  return state ? std::move(*state) : TaskState{};
}

Status SqliteSink::CreateControlTables() {
  std::lock_guard<std::mutex> lock(*write_mu_);
  ASSIGN_OR_RETURN(auto conn, OpenWriter("control tables"));
  return sqlite::CreateControlTables(*conn);
}

Status SqliteSink::RecordValidation(const std::string& task,
                                    const std::map<TableName, TableValidationState>& tables) {
  std::lock_guard<std::mutex> lock(*write_mu_);
  ASSIGN_OR_RETURN(auto conn, OpenWriter("validation state"));
  RETURN_IF_ERROR(conn->Exec(std::string("CREATE TABLE IF NOT EXISTS ") + kTableValidationTable +
                                 " (task TEXT NOT NULL, table_schema TEXT NOT NULL, table_name "
                                 "TEXT NOT NULL, state TEXT NOT NULL, failed_records INTEGER NOT "
                                 "NULL, detail TEXT NOT NULL, validated_at TEXT NOT NULL, PRIMARY "
                                 "KEY (task, table_schema, table_name))",
                             std::string("creating ") + kTableValidationTable + " on the target"));
  ASSIGN_OR_RETURN(auto st,
                   conn->Prepare(std::string("INSERT OR REPLACE INTO ") + kTableValidationTable +
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                     "strftime('%Y-%m-%d %H:%M:%f', 'now'))",
                                 "recording validation state"));
  for (const auto& [table, v] : tables) {
    st->Reset();
    RETURN_IF_ERROR(st->BindText(1, task));
    RETURN_IF_ERROR(st->BindText(2, table.schema));
    RETURN_IF_ERROR(st->BindText(3, table.name));
    RETURN_IF_ERROR(st->BindText(4, v.state));
    RETURN_IF_ERROR(st->BindInt64(5, v.failed_records));
    RETURN_IF_ERROR(st->BindText(6, v.detail));
    RETURN_IF_ERROR(
        st->Run().status().WithContext("recording the validation state of " + table.ToString()));
  }
  return Status::Ok();
}

Status SqliteSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri_, "task drop"));
  for (const char* table : {kCheckpointTable, kTableStateTable, kTableStatsTable,
                            kTableValidationTable, kLoadRangeTable}) {
    ASSIGN_OR_RETURN(bool exists, TableExists(*conn, table));
    if (!exists) continue;
    ASSIGN_OR_RETURN(auto st,
                     conn->Prepare(std::string("DELETE FROM ") + table + " WHERE task = ?1",
                                   std::string("removing task rows from ") + table));
    RETURN_IF_ERROR(st->BindText(1, task));
    RETURN_IF_ERROR(st->Run().status());
  }
  return Status::Ok();
}

}  // namespace cutover::sqlite
