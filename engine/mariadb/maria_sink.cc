#include "engine/mariadb/maria_sink.h"

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/naming.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_sink_internal.h"
#include "engine/mariadb/maria_target_types.h"
#include "engine/mariadb/maria_task_state.h"

namespace cutover::mariadb {

std::string CheckpointDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kCheckpointTable +
         " (task VARCHAR(255) NOT NULL PRIMARY KEY, position VARCHAR(255) NOT NULL,"
         " updated_at DATETIME(6) NOT NULL)"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string TableStateDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kTableStateTable +
         " (task VARCHAR(255) NOT NULL, table_schema VARCHAR(255) NOT NULL,"
         " table_name VARCHAR(255) NOT NULL, snapshot_position VARCHAR(255) NOT NULL,"
         " `rows` BIGINT NOT NULL, loaded_at DATETIME(6) NOT NULL,"
         " PRIMARY KEY (task, table_schema, table_name))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string TableStatsDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kTableStatsTable +
         " (task VARCHAR(255) NOT NULL, table_schema VARCHAR(255) NOT NULL,"
         " table_name VARCHAR(255) NOT NULL, inserts BIGINT NOT NULL, updates BIGINT NOT NULL,"
         " deletes BIGINT NOT NULL, ddls BIGINT NOT NULL, updated_at DATETIME(6) NOT NULL,"
         " PRIMARY KEY (task, table_schema, table_name))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string LoadRangeDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kLoadRangeTable +
         " (task VARCHAR(255) NOT NULL, table_schema VARCHAR(255) NOT NULL,"
         " table_name VARCHAR(255) NOT NULL, range_no INT NOT NULL,"
         " key_column VARCHAR(255) NOT NULL, lo BIGINT NULL, hi BIGINT NULL,"
         " snapshot_position VARCHAR(255) NULL, `rows` BIGINT NULL, loaded_at DATETIME(6) NULL,"
         " shape VARCHAR(32) NULL, PRIMARY KEY (task, table_schema, table_name, range_no))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string ApplyExceptionsDdl(const std::string& db) {
  return "CREATE TABLE IF NOT EXISTS " + MariaConn::QuoteIdent(db) + "." + kApplyExceptionsTable +
         " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, task VARCHAR(255) NOT NULL,"
         " table_schema VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL,"
         " target_schema VARCHAR(255) NOT NULL, target_table VARCHAR(255) NOT NULL,"
         " operation VARCHAR(16) NOT NULL, row_key TEXT NOT NULL,"
         " source_position VARCHAR(255) NOT NULL, source_xid VARCHAR(255) NOT NULL,"
         " policy VARCHAR(32) NOT NULL, error TEXT NOT NULL, row_values LONGTEXT,"
         " recorded_at DATETIME(6) NOT NULL, KEY (task))"
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

Status CreateControlTables(MariaConn& conn, const std::string& db) {
  RETURN_IF_ERROR(conn.Exec(
      LoadRangeDdl(db), "creating control table " + db + "." + kLoadRangeTable + " on the target"));
  // A target set up by an older cutover: `shape` is added once (an ALTER every time would wait
  // for another task's range loads holding the table's metadata lock).
  ASSIGN_OR_RETURN(MariaRows has_shape,
                   conn.Query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
                              "TABLE_SCHEMA = " +
                                  conn.QuoteLiteral(db) + " AND TABLE_NAME = '" + kLoadRangeTable +
                                  "' AND COLUMN_NAME = 'shape'",
                              "reading the columns of " + db + "." + kLoadRangeTable));
  if (has_shape.rows.empty() || has_shape.rows[0][0].value_or("0") == "0")
    RETURN_IF_ERROR(conn.Exec("ALTER TABLE " + MariaConn::QuoteIdent(db) + "." + kLoadRangeTable +
                                  " ADD COLUMN IF NOT EXISTS shape VARCHAR(32) NULL",
                              "adding the shape column to " + db + "." + kLoadRangeTable));
  RETURN_IF_ERROR(conn.Exec(TableStatsDdl(db), "creating control table " + db + "." +
                                                   kTableStatsTable + " on the target"));
  RETURN_IF_ERROR(conn.Exec("ALTER TABLE " + MariaConn::QuoteIdent(db) + "." + kTableStatsTable +
                                " ADD COLUMN IF NOT EXISTS state VARCHAR(32) NULL",
                            "adding the state column to " + db + "." + kTableStatsTable));
  RETURN_IF_ERROR(conn.Exec(ApplyExceptionsDdl(db), "creating control table " + db + "." +
                                                        kApplyExceptionsTable + " on the target"));
  RETURN_IF_ERROR(conn.Exec(CheckpointDdl(db), "creating control table " + db + "." +
                                                   kCheckpointTable + " on the target"));
  return conn.Exec(TableStateDdl(db),
                   "creating control table " + db + "." + kTableStateTable + " on the target");
}

TablePlan MakePlan(const TableSchema& t, const std::string& db) {
  TablePlan p;
  p.target = TableName{db, LandingTableName(t)};  // the URI's database (engine/core/naming.h)
  p.qualified = MariaConn::QualifiedName(p.target);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) p.column_list += ", ";
    p.column_list += MariaConn::QuoteIdent(t.columns[i].name);
  }
  p.columns = PlanMariaTable(t);
  return p;
}

// Appends `text` escaped for a string literal (backslash escapes, the server's default
// sql_mode here; the connection is utf8mb4, where no multi-byte character contains a quote or
// backslash byte).
static void AppendEscaped(std::string& out, const std::string& text) {
  for (char ch : text) {
    switch (ch) {
      case '\0':
        out += "\\0";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out.push_back(ch);
    }
  }
}

void AppendLiteral(std::string& out, MariaText how, const std::string& text) {
  switch (how) {
    case MariaText::kNull:
      out += "NULL";
      return;
    case MariaText::kBare:
      out += text;
      return;
    case MariaText::kString:
      out.push_back('\'');
      break;
    case MariaText::kBinary:
      out += "_binary'";
      break;
  }
  AppendEscaped(out, text);
  out.push_back('\'');
}

// Encodes column `i` of `row` (the full load's and both apply modes' one conversion): a value
// hitting a lossy rule is reported (engine/core/lossy.h), errors name table, key and column.
Result<MariaText> Encode(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
                         size_t i, std::string& scratch) {
  LossyRule applied;
  Result<MariaText> how = EncodeForMaria(plan.columns[i], row[i], scratch, applied);
  if (!how.ok()) return RowContext(how.status(), t, row);
  if (applied != LossyRule::kNone) LossyNotices::Run().Hit(t, i, applied, row);
  return how;
}

// Appends the SQL literal of column `i` of `row`.
Status AppendValue(std::string& out, const TablePlan& plan, const TableSchema& t,
                   const std::vector<Value>& row, size_t i, std::string& scratch) {
  ASSIGN_OR_RETURN(MariaText how, Encode(plan, t, row, i, scratch));
  AppendLiteral(out, how, scratch);
  return Status::Ok();
}

// Appends the SQL literal of `v` for column `i`: a parameter of a foreign-key action step (a
// value the target already holds), encoded by the rule it was written with; nothing to announce.
Status AppendMatchValue(std::string& out, const TablePlan& plan, const TableSchema& t, size_t i,
                        const Value& v, std::string& scratch) {
  LossyRule applied;
  Result<MariaText> how = EncodeForMaria(plan.columns[i], v, scratch, applied);
  if (!how.ok()) return how.status().WithContext("table " + t.name.ToString());
  AppendLiteral(out, *how, scratch);
  return Status::Ok();
}

// "(v1, v2, ...)" of a whole row.
Status AppendRowTuple(std::string& out, const TablePlan& plan, const TableSchema& t,
                      const std::vector<Value>& row, std::string& scratch) {
  out.push_back('(');
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ", ";
    RETURN_IF_ERROR(AppendValue(out, plan, t, row, i, scratch));
  }
  out.push_back(')');
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Sessions (engine/core/target_session.h)

// Connects a target session whose lock waits are bounded; `writes_rows` (load and apply) also
// switches foreign-key checks and actions off for it.
Result<std::unique_ptr<MariaConn>> ConnectTarget(const std::string& uri, const SinkOptions& o,
                                                 std::string_view purpose, bool writes_rows,
                                                 const MariaConnectOptions& connect) {
  ASSIGN_OR_RETURN(auto conn, MariaConn::Connect(uri, purpose, connect));
  std::string bound = std::to_string(o.lock_timeout.count());
  std::string set =
      "SET SESSION lock_wait_timeout = " + bound + ", innodb_lock_wait_timeout = " + bound;
  if (writes_rows) set += ", foreign_key_checks = 0";
  RETURN_IF_ERROR(
      conn->Exec(set, "setting up the target session (lock wait bounds" +
                          std::string(writes_rows ? ", foreign_key_checks = 0)" : ")")));
  return conn;
}

static bool IsLockTimeout(const Status& s) {
  return !s.ok() && s.message().find("(error 1205)") != std::string::npos;
}

// `s` when it is not a lock wait that ran out; else `s` naming `table` and the sessions that may
// hold it (asked on a connection of its own).
Status ExplainLockWait(const std::string& uri, const SinkOptions& o, const Status& s,
                       const TableName& table) {
  if (!IsLockTimeout(s)) return s;
  std::vector<std::string> holders;
  auto conn = MariaConn::Connect(uri, "lock diagnosis");
  if (conn.ok()) {
    MariaConn& c = **conn;
    auto describe = [](const MariaRows& r, size_t i, const std::string& prefix) {
      return prefix + "session " + r.rows[i][0].value_or("?") + " (" + r.rows[i][1].value_or("?") +
             "@" + r.rows[i][2].value_or("?") + ", " + r.rows[i][3].value_or("?") + " for " +
             r.rows[i][4].value_or("?") + " s" +
             (r.rows[i][5] ? ", running: " + *r.rows[i][5] : "") + ")";
    };
    auto mdl = c.Query(
        "SELECT p.ID, p.USER, p.HOST, GROUP_CONCAT(DISTINCT m.LOCK_MODE), p.TIME, LEFT(p.INFO, "
        "100) FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p "
        "ON p.ID = m.THREAD_ID WHERE m.TABLE_SCHEMA = " +
        c.QuoteLiteral(table.schema) + " AND m.TABLE_NAME = " + c.QuoteLiteral(table.name) +
        " GROUP BY p.ID, p.USER, p.HOST, p.TIME, p.INFO");
    if (mdl.ok()) {
      for (size_t i = 0; i < mdl->rows.size(); ++i) holders.push_back(describe(*mdl, i, ""));
    } else {  // without the metadata_lock_info plugin: the sessions in a transaction
      auto trx = c.Query(
          "SELECT p.ID, p.USER, p.HOST, CONCAT('transaction open, ', p.COMMAND), "
          "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), LEFT(p.INFO, 100) FROM "
          "information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = "
          "t.trx_mysql_thread_id WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started");
      for (size_t i = 0; trx.ok() && i < trx->rows.size(); ++i)
        holders.push_back(describe(*trx, i, i ? "" : "one of: "));
    }
  }
  return LockWaitTimedOut(s, "table " + table.ToString(), holders, o.lock_timeout);
}
Result<size_t> MaxAllowedPacket(MariaConn& conn) {
  ASSIGN_OR_RETURN(MariaRows r,
                   conn.Query("SELECT @@max_allowed_packet", "reading max_allowed_packet"));
  if (r.rows.empty() || !r.rows[0][0])
    return Internal("SELECT @@max_allowed_packet returned nothing");
  return static_cast<size_t>(std::stoull(*r.rows[0][0]));
}

// ---------------------------------------------------------------------------------------------

MariaSink::MariaSink(std::string uri, SinkOptions options)
    : uri_(std::move(uri)), options_(options) {}

// The columns of target table `target` in their order; none when it does not exist.
static Result<std::vector<TargetColumn>> ReadColumns(MariaConn& conn, const TableName& target) {
  ASSIGN_OR_RETURN(MariaRows r,
                   conn.Query("SELECT COLUMN_NAME, IS_GENERATED FROM information_schema.COLUMNS "
                              "WHERE TABLE_SCHEMA = " +
                                  conn.QuoteLiteral(target.schema) + " AND TABLE_NAME = " +
                                  conn.QuoteLiteral(target.name) + " ORDER BY ORDINAL_POSITION",
                              "target table " + target.ToString() + ": reading columns"));
  std::vector<TargetColumn> columns;
  for (const auto& row : r.rows)
    columns.push_back({row[0].value_or(""), row[1].value_or("NEVER") == "ALWAYS"});
  return columns;
}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(MariaConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  for (const TableSchemaPtr& t : tables) {
    TableName target = MakePlan(*t, conn.uri().database).target;
    ASSIGN_OR_RETURN(std::vector<TargetColumn> columns, ReadColumns(conn, target));
    CheckPrecreatedColumns(*t, target, columns, true, problems);
  }
  return Status::Ok();
}

Result<std::map<TableName, TargetTableColumns>> MariaSink::ReadTargetColumns(
    const std::vector<TableSchemaPtr>& tables) {
  std::map<TableName, TargetTableColumns> out;
  if (tables.empty()) return out;
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "check", /*writes_rows=*/false));
  for (const TableSchemaPtr& t : tables) {
    ASSIGN_OR_RETURN(std::vector<TargetColumn> columns,
                     ReadColumns(*conn, MakePlan(*t, conn->uri().database).target));
    if (columns.empty()) continue;
    TargetTableColumns& c = out[t->name];
    c.columns = std::move(columns);
    c.case_insensitive = true;
  }
  return out;
}

Status MariaSink::CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                              TablePrep prep, StartReport& problems) {
  (void)task;
  if (!tables.empty() && !options_.load_change_log) {
    // Asked before any table is touched: a load session that cannot switch its binary log off
    // would stop the task at its first table.
    ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "check", /*writes_rows=*/false));
    Status off = conn->Exec("SET SESSION sql_log_bin = 0", "switching the binary log off");
    if (!off.ok())
      problems.Refuse("target " + conn->redacted_uri(),
                      "--target-load-binlog off needs the SUPER or BINLOG ADMIN privilege (" +
                          std::string(off.message()) + ")",
                      "GRANT BINLOG ADMIN ON *.* TO the task's user, or load with the binary "
                      "log on (--target-load-binlog on, the default)");
  }
  if (tables.empty() || !TriggersSurvive(prep)) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "check", /*writes_rows=*/false));
  const std::string& db = conn->uri().database;
  std::string names;
  for (const auto& t : tables)
    names += (names.empty() ? "" : ", ") + conn->QuoteLiteral(MakePlan(*t, db).target.name);
  ASSIGN_OR_RETURN(
      MariaRows r,
      conn->Query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION "
                  "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = " +
                      conn->QuoteLiteral(db) + " AND EVENT_OBJECT_TABLE IN (" + names +
                      ") ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME",
                  "looking up triggers of the task's target tables"));
  std::vector<TargetTrigger> triggers;
  for (const auto& row : r.rows) {
    TargetTrigger t;
    t.name = row[0].value_or("");
    t.table = TableName{db, row[1].value_or("")};
    t.event = row[2].value_or("") + " " + row[3].value_or("");
    t.show_definition =
        "SHOW CREATE TRIGGER " + MariaConn::QuoteIdent(db) + "." + MariaConn::QuoteIdent(t.name);
    triggers.push_back(std::move(t));
  }
  RefuseTriggers(triggers, "MariaDB", problems);
  RETURN_IF_ERROR(CheckPrecreatedGenerated(*conn, tables, problems));
  return Status::Ok();
}

Status MariaSink::PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                                TablePrep prep) {
  (void)task;
  if (tables.empty() || prep == TablePrep::kDoNothing) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "prepare", /*writes_rows=*/true));
  for (const auto& t : tables) {
    TablePlan plan = MakePlan(*t, conn->uri().database);
    std::string what = "target table " + plan.target.ToString();
    Status s = prep == TablePrep::kTruncate
                   ? conn->Exec("TRUNCATE TABLE " + plan.qualified, what + ": TRUNCATE")
                   : conn->Exec("DROP TABLE IF EXISTS " + plan.qualified, what + ": dropping");
    if (!s.ok()) return ExplainLockWait(uri_, options_, s, plan.target);
  }
  return Status::Ok();
}

Result<TaskState> MariaSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "state", /*writes_rows=*/false));
  ASSIGN_OR_RETURN(std::optional<TaskState> state, ReadMariaTaskState(*conn, task));
  return state ? std::move(*state) : TaskState{};
}

Status MariaSink::CreateControlTables() {
  ASSIGN_OR_RETURN(auto conn,
                   ConnectTarget(uri_, options_, "control tables", /*writes_rows=*/false));
  return mariadb::CreateControlTables(*conn, conn->uri().database);
}

Status MariaSink::RecordValidation(const std::string& task,
                                   const std::map<TableName, TableValidationState>& tables) {
  ASSIGN_OR_RETURN(auto conn,
                   ConnectTarget(uri_, options_, "validation state", /*writes_rows=*/false));
  const std::string qualified =
      MariaConn::QuoteIdent(conn->uri().database) + "." + kTableValidationTable;
  RETURN_IF_ERROR(conn->Exec(
      "CREATE TABLE IF NOT EXISTS " + qualified +
          " (task VARCHAR(255) NOT NULL, table_schema VARCHAR(255) NOT NULL,"
          " table_name VARCHAR(255) NOT NULL, state VARCHAR(64) NOT NULL,"
          " failed_records BIGINT NOT NULL, detail TEXT NOT NULL,"
          " validated_at DATETIME(6) NOT NULL, PRIMARY KEY (task, table_schema, table_name))"
          " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      "creating control table " + qualified + " on the target"));
  for (const auto& [table, v] : tables) {
    RETURN_IF_ERROR(conn->Exec(
        "REPLACE INTO " + qualified + " VALUES (" + conn->QuoteLiteral(task) + ", " +
            conn->QuoteLiteral(table.schema) + ", " + conn->QuoteLiteral(table.name) + ", " +
            conn->QuoteLiteral(v.state) + ", " + std::to_string(v.failed_records) + ", " +
            conn->QuoteLiteral(v.detail) + ", UTC_TIMESTAMP(6))",
        "recording the validation state of " + table.ToString()));
  }
  return Status::Ok();
}

Status MariaSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "task drop", /*writes_rows=*/false));
  const std::string& db = conn->uri().database;
  for (const char* table : {kCheckpointTable, kTableStateTable, kTableStatsTable,
                            kApplyExceptionsTable, kTableValidationTable, kLoadRangeTable}) {
    ASSIGN_OR_RETURN(MariaRows exists,
                     conn->Query("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                     conn->QuoteLiteral(db) + " AND TABLE_NAME = '" + table + "'",
                                 "looking for control tables"));
    if (exists.rows.empty()) continue;
    RETURN_IF_ERROR(conn->Exec("DELETE FROM " + MariaConn::QuoteIdent(db) + "." + table +
                                   " WHERE task = " + conn->QuoteLiteral(task),
                               std::string("removing task rows from ") + table));
  }
  return Status::Ok();
}

}  // namespace cutover::mariadb
