#include "engine/sqlite/sqlite_sink.h"

#include <map>
#include <regex>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/sqlite/sqlite_catalog.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_types.h"

namespace cutover::sqlite {

namespace {

constexpr const char* kCheckpointTable = "_cutover_checkpoint";
constexpr const char* kTableStateTable = "_cutover_table_state";
constexpr const char* kNowUtc = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

std::string Q(std::string_view ident) {
  return SqliteConn::QuoteIdent(ident);
}

Status CreateControlTables(SqliteConn& conn) {
  return conn.Exec(std::string("CREATE TABLE IF NOT EXISTS ") + kCheckpointTable +
                       " (task TEXT NOT NULL PRIMARY KEY, position TEXT NOT NULL, updated_at "
                       "TEXT NOT NULL); CREATE TABLE IF NOT EXISTS " +
                       kTableStateTable +
                       " (task TEXT NOT NULL, table_schema TEXT NOT NULL, table_name TEXT NOT "
                       "NULL, snapshot_position TEXT NOT NULL, rows INTEGER NOT NULL, loaded_at "
                       "TEXT NOT NULL, PRIMARY KEY (task, table_schema, table_name))",
                   "creating the control tables on the target");
}

// Everything a statement about one table needs, computed once per table schema.
struct TablePlan {
  TableName target;
  std::string quoted;       // "table"
  std::string column_list;  // "a", "b", ...
  std::vector<SqliteTargetColumn> columns;
};

TablePlan MakePlan(const TableSchema& t) {
  TablePlan p;
  p.target = TargetTableName(t, kSqliteEngine, "");
  p.quoted = Q(p.target.name);
  for (size_t i = 0; i < t.columns.size(); ++i) {
    p.column_list += (i ? ", " : "") + Q(t.columns[i].name);
    p.columns.push_back(PlanSqliteColumn(t.columns[i], t.engine));
  }
  return p;
}

std::string CreateTableSql(const TableSchema& t, const TablePlan& plan) {
  std::string sql = "CREATE TABLE " + plan.quoted + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    sql += (i ? ", " : "") + Q(t.columns[i].name);
    if (!plan.columns[i].declared.empty()) sql += " " + plan.columns[i].declared;
    if (!t.columns[i].nullable || t.IsKeyColumn(i)) sql += " NOT NULL";
  }
  for (const Column& c : t.computed) {  // columns the target computes itself
    auto expr = TranslateGeneratedExpression(t, c, kSqliteEngine);
    std::string declared = PlanSqliteColumn(c, t.engine).declared;
    sql += ", " + Q(c.name) + (declared.empty() ? "" : " " + declared) + " GENERATED ALWAYS AS (" +
           (expr.ok() ? *expr : c.generated) + ") " + (c.generated_stored ? "STORED" : "VIRTUAL");
  }
  if (!t.key.empty()) {
    sql += ", PRIMARY KEY (";
    for (size_t j = 0; j < t.key.size(); ++j) sql += (j ? ", " : "") + Q(t.columns[t.key[j]].name);
    sql += ")";
  }
  sql += ")";
  // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
  for (const ForeignKey& fk : t.foreign_keys) {
    if (!fk.HasAction()) continue;
    sql += "; CREATE INDEX " + Q("cutover_fk_" + t.name.name + "_" + fk.name) + " ON " +
           plan.quoted + " (";
    for (size_t j = 0; j < fk.columns.size(); ++j)
      sql += (j ? ", " : "") + Q(t.columns[fk.columns[j]].name);
    sql += ")";
  }
  return sql;
}

std::string KeyList(const TableSchema& t) {
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

// Binds column `i` of `row` as parameter `index` (BindForSqlite: the one conversion of the full
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
// Full load

class SqliteTableLoader : public TableLoader {
 public:
  SqliteTableLoader(std::unique_lock<std::mutex> lock, std::unique_ptr<SqliteConn> conn,
                    std::string task, const TableSchema& table, TablePlan plan,
                    std::unique_ptr<SqliteStmt> insert)
      : lock_(std::move(lock)),
        conn_(std::move(conn)),
        task_(std::move(task)),
        table_(table),
        plan_(std::move(plan)),
        insert_(std::move(insert)) {}

  ~SqliteTableLoader() override {
    insert_.reset();
    (void)RollbackIfOpen(*conn_);  // abandoned without Commit: nothing stays
  }

  Status Write(const std::vector<Value>& row) override {
    insert_->Reset();
    RETURN_IF_ERROR(BindRow(plan_, table_, row, *insert_));
    RETURN_IF_ERROR(insert_->Run().status().WithContext("table " + table_.name.ToString()));
    ++rows_;
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    std::string what = "table " + table_.name.ToString();
    if (rows != rows_)
      return Internal(what + ": " + std::to_string(rows_) + " rows written but " +
                      std::to_string(rows) + " reported");
    ASSIGN_OR_RETURN(auto st,
                     conn_->Prepare(std::string("INSERT OR REPLACE INTO ") + kTableStateTable +
                                        " (task, table_schema, table_name, snapshot_position, "
                                        "rows, loaded_at) VALUES (?1, ?2, ?3, ?4, ?5, " +
                                        kNowUtc + ")",
                                    what + ": recording load state"));
    RETURN_IF_ERROR(st->BindText(1, task_));
    RETURN_IF_ERROR(st->BindText(2, table_.name.schema));
    RETURN_IF_ERROR(st->BindText(3, table_.name.name));
    RETURN_IF_ERROR(st->BindText(4, snapshot.text));
    RETURN_IF_ERROR(st->BindInt64(5, rows));
    RETURN_IF_ERROR(st->Run().status());
    st.reset();
    insert_.reset();
    return conn_->Exec("COMMIT", what + ": COMMIT");
  }

 private:
  std::unique_lock<std::mutex> lock_;  // released last, after the rollback
  std::unique_ptr<SqliteConn> conn_;
  std::string task_;
  TableSchema table_;
  TablePlan plan_;
  std::unique_ptr<SqliteStmt> insert_;
  int64_t rows_ = 0;
};

// ---------------------------------------------------------------------------------------------
// CDC apply

class SqliteApplier : public Applier {
 public:
  SqliteApplier(std::unique_ptr<SqliteConn> conn, std::string task)
      : conn_(std::move(conn)), task_(std::move(task)) {}

  ~SqliteApplier() override {
    statements_.clear();
    checkpoint_.reset();
    (void)RollbackIfOpen(*conn_);
  }

  Status Begin() override {
    return conn_->Exec("BEGIN IMMEDIATE", "starting a target transaction");
  }

  Status Apply(const Change& c) override {
    switch (c.op) {
      case ChangeOp::kRead:
      case ChangeOp::kInsert:
        return Insert(c.table, c.after);
      case ChangeOp::kUpdate:
        return Update(c);
      case ChangeOp::kDelete:
        return Delete(c.table, c.before.empty() ? c.after : c.before);
      case ChangeOp::kTruncate:
        for (const TableSchemaPtr& t : c.truncated)
          RETURN_IF_ERROR(
              conn_->Exec("DELETE FROM " + Plan(t).quoted, "truncate of " + t->name.ToString()));
        return Status::Ok();
    }
    return Internal("unknown change op");
  }

  // One statement on the child table; when the caller needs the touched rows' values, a SELECT
  // of them first, returned with their storage class (so they bind back exactly).
  Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& st) override {
    const TableSchema& t = *st.table;
    const TablePlan& plan = Plan(st.table);
    std::string cols_key;
    for (size_t c : st.columns) cols_key += std::to_string(c) + ",";
    auto where = [&](size_t first) {
      std::string w = " WHERE ";
      for (size_t j = 0; j < st.columns.size(); ++j)
        w += (j ? " AND " : "") + Q(t.columns[st.columns[j]].name) + " = ?" +
             std::to_string(first + j + 1);
      return w;
    };
    auto bind_match = [&](SqliteStmt& stmt, size_t first) -> Status {
      for (size_t j = 0; j < st.columns.size(); ++j)
        RETURN_IF_ERROR(
            BindMatch(plan, t, st.columns[j], st.match[j], stmt, static_cast<int>(first + j + 1)));
      return Status::Ok();
    };
    std::string what =
        std::string(st.kind == ReferentialStep::Kind::kDelete ? "delete" : "update") + " on " +
        t.name.ToString() + " by foreign key " + st.constraint;
    std::vector<std::vector<Value>> rows;
    if (!st.returning.empty()) {
      std::string ret_key;
      for (size_t c : st.returning) ret_key += std::to_string(c) + ",";
      ASSIGN_OR_RETURN(SqliteStmt * sel,
                       Statement(st.table, "fk select " + cols_key + ":" + ret_key, [&] {
                         std::string sql = "SELECT ";
                         for (size_t j = 0; j < st.returning.size(); ++j)
                           sql += (j ? ", " : "") + Q(t.columns[st.returning[j]].name);
                         return sql + " FROM " + plan.quoted + where(0);
                       }));
      RETURN_IF_ERROR(bind_match(*sel, 0));
      for (;;) {
        ASSIGN_OR_RETURN(bool more, sel->Step());
        if (!more) break;
        auto& out = rows.emplace_back();
        for (int i = 0; i < sel->column_count(); ++i) {
          switch (sqlite3_column_type(sel->raw(), i)) {
            case SQLITE_NULL:
              out.push_back(Value::Null());
              break;
            case SQLITE_INTEGER:
              out.push_back(Value::Int64(sel->column_int64(i)));
              break;
            case SQLITE_FLOAT:
              out.push_back(Value::Float64(sel->column_double(i)));
              break;
            case SQLITE_BLOB:
              out.push_back(Value::String(ValueKind::kBytes, std::string(sel->column_blob(i))));
              break;
            default:
              out.push_back(Value::String(ValueKind::kText, std::string(sel->column_text(i))));
          }
        }
      }
      sel->Reset();
    }
    char kind = st.kind == ReferentialStep::Kind::kDelete    ? 'd'
                : st.kind == ReferentialStep::Kind::kSetNull ? 'n'
                                                             : 'v';
    size_t first = st.kind == ReferentialStep::Kind::kSetValues ? st.columns.size() : 0;
    ASSIGN_OR_RETURN(
        SqliteStmt * stmt, Statement(st.table, std::string("fk ") + kind + cols_key, [&] {
          if (st.kind == ReferentialStep::Kind::kDelete)
            return "DELETE FROM " + plan.quoted + where(first);
          std::string sql = "UPDATE " + plan.quoted + " SET ";
          for (size_t j = 0; j < st.columns.size(); ++j) {
            sql += (j ? ", " : "") + Q(t.columns[st.columns[j]].name) + " = " +
                   (st.kind == ReferentialStep::Kind::kSetNull ? std::string("NULL")
                                                               : "?" + std::to_string(j + 1));
          }
          return sql + where(first);
        }));
    if (st.kind == ReferentialStep::Kind::kSetValues) {
      for (size_t j = 0; j < st.columns.size(); ++j)
        RETURN_IF_ERROR(
            BindMatch(plan, t, st.columns[j], st.values[j], *stmt, static_cast<int>(j + 1)));
    }
    RETURN_IF_ERROR(bind_match(*stmt, first));
    RETURN_IF_ERROR(stmt->Run().status().WithContext(what));
    return rows;
  }

  Status Commit(const Position& applied) override {
    if (!checkpoint_) {
      ASSIGN_OR_RETURN(
          checkpoint_,
          conn_->Prepare(std::string("INSERT INTO ") + kCheckpointTable +
                             " (task, position, updated_at) VALUES (?1, ?2, " + kNowUtc +
                             ") ON CONFLICT (task) DO UPDATE SET position = "
                             "excluded.position, updated_at = excluded.updated_at",
                         "writing the checkpoint"));
    }
    checkpoint_->Reset();
    RETURN_IF_ERROR(checkpoint_->BindText(1, task_));
    RETURN_IF_ERROR(checkpoint_->BindText(2, applied.text));
    RETURN_IF_ERROR(checkpoint_->Run().status().WithContext("checkpoint " + applied.text));
    checkpoint_->Reset();
    return conn_->Exec("COMMIT", "COMMIT at " + applied.text);
  }

 private:
  struct PlanEntry {
    TableSchemaPtr keep;
    TablePlan plan;
  };

  const TablePlan& Plan(const TableSchemaPtr& t) {
    auto it = plans_.find(t.get());
    if (it == plans_.end()) it = plans_.emplace(t.get(), PlanEntry{t, MakePlan(*t)}).first;
    return it->second.plan;
  }

  // The cached statement for (table, kind); `build` makes its SQL the first time.
  template <typename F>
  Result<SqliteStmt*> Statement(const TableSchemaPtr& t, const std::string& kind, F build) {
    std::string key = std::to_string(reinterpret_cast<uintptr_t>(t.get())) + "/" + kind;
    auto it = statements_.find(key);
    if (it == statements_.end()) {
      ASSIGN_OR_RETURN(auto st, conn_->Prepare(build(), kind + " on " + t->name.ToString()));
      it = statements_.emplace(key, std::move(st)).first;
    }
    it->second->Reset();
    return it->second.get();
  }

  // ` WHERE "k1" = ?n+1 AND ...` binding the key of `row` after `first` parameters.
  static std::string WhereKey(const TableSchema& t, size_t first) {
    std::string s = " WHERE ";
    for (size_t j = 0; j < t.key.size(); ++j)
      s +=
          (j ? " AND " : "") + Q(t.columns[t.key[j]].name) + " = ?" + std::to_string(first + j + 1);
    return s;
  }

  Status BindKey(const TablePlan& plan, const TableSchema& t, const std::vector<Value>& row,
                 size_t first, SqliteStmt& st) {
    for (size_t j = 0; j < t.key.size(); ++j)
      RETURN_IF_ERROR(BindOne(plan, t, row, t.key[j], st, static_cast<int>(first + j + 1)));
    return Status::Ok();
  }

  Status Insert(const TableSchemaPtr& tp, const std::vector<Value>& row) {
    const TableSchema& t = *tp;
    const TablePlan& plan = Plan(tp);
    ASSIGN_OR_RETURN(SqliteStmt * st,
                     Statement(tp, "insert", [&] { return InsertSql(t, plan, true); }));
    RETURN_IF_ERROR(BindRow(plan, t, row, *st));
    return st->Run().status().WithContext("table " + t.name.ToString());
  }

  Status Update(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = Plan(c.table);
    std::string mask(c.after.size(), '1');
    std::vector<size_t> set;
    for (size_t i = 0; i < c.after.size(); ++i) {
      if (c.after[i].is_unchanged())
        mask[i] = '0';
      else
        set.push_back(i);
    }
    if (set.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(SqliteStmt * st, Statement(c.table, "update " + mask, [&] {
                       std::string sql = "UPDATE " + plan.quoted + " SET ";
                       for (size_t j = 0; j < set.size(); ++j)
                         sql += (j ? ", " : "") + Q(t.columns[set[j]].name) + " = ?" +
                                std::to_string(j + 1);
                       return sql + WhereKey(t, set.size());
                     }));
    for (size_t j = 0; j < set.size(); ++j)
      RETURN_IF_ERROR(BindOne(plan, t, c.after, set[j], *st, static_cast<int>(j + 1)));
    const std::vector<Value>& key_source = c.before.empty() ? c.after : c.before;
    RETURN_IF_ERROR(BindKey(plan, t, key_source, set.size(), *st));
    ASSIGN_OR_RETURN(int64_t n, st->Run());
    if (n > 0) return Status::Ok();
    bool whole = set.size() == c.after.size();
    ReportMissing(c, whole ? "; inserted it" : "");
    return whole ? Insert(c.table, c.after) : Status::Ok();
  }

  Status Delete(const TableSchemaPtr& tp, const std::vector<Value>& key_source) {
    const TableSchema& t = *tp;
    const TablePlan& plan = Plan(tp);
    ASSIGN_OR_RETURN(SqliteStmt * st, Statement(tp, "delete", [&] {
                       return "DELETE FROM " + plan.quoted + WhereKey(t, 0);
                     }));
    RETURN_IF_ERROR(BindKey(plan, t, key_source, 0, *st));
    ASSIGN_OR_RETURN(int64_t n, st->Run());
    if (n == 0) {
      Change c;
      c.op = ChangeOp::kDelete;
      c.table = tp;
      c.before = key_source;
      ReportMissing(c, "");
    }
    return Status::Ok();
  }

  void ReportMissing(const Change& c, const char* done) {
    if (++missing_ > 10) return;
    const std::vector<Value>& src = c.before.empty() ? c.after : c.before;
    std::string key;
    for (size_t j = 0; j < c.table->key.size(); ++j)
      key += (j ? ", " : "") + src[c.table->key[j]].DebugString();
    Log(LogLevel::kWarn,
        "{} on {} key ({}): target row not found (the target differs from the "
        "source){}",
        ChangeOpName(c.op), c.table->name.ToString(), key, done);
  }

  std::unique_ptr<SqliteConn> conn_;
  std::string task_;
  std::map<const TableSchema*, PlanEntry> plans_;
  std::map<std::string, std::unique_ptr<SqliteStmt>> statements_;
  std::unique_ptr<SqliteStmt> checkpoint_;
  int64_t missing_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

SqliteSink::SqliteSink(std::string uri, SinkOptions options)
    : uri_(std::move(uri)), options_(options), write_mu_(std::make_shared<std::mutex>()) {}

Result<std::unique_ptr<SqliteConn>> SqliteSink::OpenWriter(std::string_view purpose) const {
  SqliteOpenOptions o;
  o.busy_timeout_ms = static_cast<int>(options_.lock_timeout.count() * 1000);
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri_, purpose, o));
  RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys = OFF",
                             "switching foreign keys off for cutover's connection"));
  return conn;
}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(SqliteConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  ASSIGN_OR_RETURN(auto st, conn.Prepare("SELECT name, hidden IN (2, 3) FROM "
                                         "pragma_table_xinfo(?1) WHERE hidden <> 1",
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
    CheckPrecreatedColumns(*t, target, columns, false, problems);
  }
  return Status::Ok();
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

std::vector<std::string> SqliteSink::MappingWarnings(const TableSchema& table) const {
  std::vector<std::string> out;
  for (const Column& c : table.columns) {
    SqliteTargetColumn tc = PlanSqliteColumn(c, table.engine);
    if (!tc.warning.empty()) out.push_back(tc.warning);
  }
  return out;
}

Result<std::unique_ptr<TableLoader>> SqliteSink::BeginTableLoad(const std::string& task,
                                                                const TableSchema& table,
                                                                TablePrep prep) {
  std::unique_lock<std::mutex> lock(*write_mu_);  // one writer per file: loaders take turns
  ASSIGN_OR_RETURN(auto conn, OpenWriter("load"));
  TablePlan plan = MakePlan(table);
  std::string what = "target table " + plan.target.ToString();
  RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -65536", what + ": setting the cache size"));
  RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE", what + ": BEGIN IMMEDIATE"));
  Status s = CreateControlTables(*conn);
  switch (prep) {
    case TablePrep::kDropAndCreate:
      if (s.ok()) s = conn->Exec("DROP TABLE IF EXISTS " + plan.quoted, what + ": dropping");
      if (s.ok()) s = conn->Exec(CreateTableSql(table, plan), what + ": creating");
      break;
    case TablePrep::kTruncate:
      if (s.ok()) s = conn->Exec("DELETE FROM " + plan.quoted, what + ": emptying");
      break;
    case TablePrep::kDoNothing:
      break;
  }
  Result<std::unique_ptr<SqliteStmt>> insert =
      s.ok() ? conn->Prepare(InsertSql(table, plan, false), what + ": INSERT") : s;
  if (!insert.ok()) {
    (void)RollbackIfOpen(*conn);
    return insert.status();
  }
  return std::unique_ptr<TableLoader>(new SqliteTableLoader(
      std::move(lock), std::move(conn), task, table, std::move(plan), std::move(*insert)));
}

Result<std::unique_ptr<Applier>> SqliteSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, OpenWriter("apply"));
  RETURN_IF_ERROR(CreateControlTables(*conn));
  return std::unique_ptr<Applier>(new SqliteApplier(std::move(conn), task));
}

Result<TaskState> SqliteSink::ReadTaskState(const std::string& task) {
  std::lock_guard<std::mutex> lock(*write_mu_);
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri_, "state"));
  RETURN_IF_ERROR(CreateControlTables(*conn));
  TaskState state;
  ASSIGN_OR_RETURN(auto cp, conn->Prepare(std::string("SELECT position FROM ") + kCheckpointTable +
                                              " WHERE task = ?1",
                                          "reading the checkpoint"));
  RETURN_IF_ERROR(cp->BindText(1, task));
  ASSIGN_OR_RETURN(bool row, cp->Step());
  if (row) state.applied = Position{0, 0, std::string(cp->column_text(0))};
  ASSIGN_OR_RETURN(auto ts, conn->Prepare(std::string("SELECT table_schema, table_name, "
                                                      "snapshot_position, rows FROM ") +
                                              kTableStateTable + " WHERE task = ?1",
                                          "reading the table state"));
  RETURN_IF_ERROR(ts->BindText(1, task));
  for (;;) {
    ASSIGN_OR_RETURN(bool r, ts->Step());
    if (!r) break;
    TableLoadState s;
    s.snapshot.text = std::string(ts->column_text(2));
    s.rows = ts->column_int64(3);
    state.loaded[TableName{std::string(ts->column_text(0)), std::string(ts->column_text(1))}] = s;
  }
  return state;
}

Status SqliteSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(uri_, "task drop"));
  for (const char* table : {kCheckpointTable, kTableStateTable}) {
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

Result<std::vector<TableName>> ReadSqliteTaskTables(const std::string& uri,
                                                    const std::string& task) {
  ASSIGN_OR_RETURN(auto conn,
                   SqliteConn::Open(uri, "validate", SqliteOpenOptions{.create = false}));
  std::vector<TableName> out;
  ASSIGN_OR_RETURN(bool exists, TableExists(*conn, kTableStateTable));
  if (!exists) return out;
  ASSIGN_OR_RETURN(auto st, conn->Prepare(std::string("SELECT table_schema, table_name FROM ") +
                                              kTableStateTable + " WHERE task = ?1 ORDER BY 1, 2",
                                          "reading task " + task + "'s tables on the target"));
  RETURN_IF_ERROR(st->BindText(1, task));
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(TableName{std::string(st->column_text(0)), std::string(st->column_text(1))});
  }
  return out;
}

}  // namespace cutover::sqlite
