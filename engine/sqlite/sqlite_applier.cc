// SqliteSink's CDC apply (sqlite_sink.h): one connection, prepared statements cached per table
// and operation, upserts for inserts, the checkpoint in the same transaction. Source schema
// changes (docs/ddl.md) run as ALTER TABLE in that same transaction.
#include <map>
#include <set>

#include "engine/core/column_diff.h"
#include "engine/core/log.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_sink_internal.h"

namespace cutover::sqlite {

namespace {

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

  // A source schema change (Applier::AlterTable). SQLite's ALTER TABLE is transactional: it
  // runs in the open target transaction and commits with the data and the checkpoint. Each
  // change the table already shows (a replay after a crash) is skipped. SQLite is dynamically
  // typed, so a widened type keeps its declared type (see RetypeKeepsValues).
  Status AlterTable(const TableSchema& before, const TableSchema& after,
                    const std::vector<ColumnChange>& changes) override {
    // Cached statements name the table's columns, and a prepared statement may hold the table
    // open: all are dropped and prepared again as needed.
    statements_.clear();
    plans_.clear();
    const TablePlan plan = MakePlan(after);
    const std::string table = "table " + after.name.ToString();
    ASSIGN_OR_RETURN(std::set<std::string> has, ColumnNames(plan));
    for (const ColumnChange& c : changes) {
      std::string sql = "ALTER TABLE " + plan.quoted + " ";
      switch (c.kind) {
        case ColumnChange::Kind::kRename:
          if (!has.contains(c.name) && has.contains(c.new_name)) continue;  // already renamed
          sql += "RENAME COLUMN " + Q(c.name) + " TO " + Q(c.new_name);
          has.erase(c.name);
          has.insert(c.new_name);
          break;
        case ColumnChange::Kind::kDrop:
          if (!has.contains(c.name)) continue;
          RETURN_IF_ERROR(DropIndexesOn(plan, c.name, table));
          sql += "DROP COLUMN " + Q(c.name);
          has.erase(c.name);
          break;
        case ColumnChange::Kind::kRetype:
          RETURN_IF_ERROR(RetypeKeepsValues(before, after, c, table));
          continue;
        case ColumnChange::Kind::kAdd: {
          if (has.contains(after.columns[c.after_index].name)) continue;
          sql += "ADD COLUMN " + AddedColumn(after, plan, c.after_index);
          has.insert(after.columns[c.after_index].name);
          break;
        }
      }
      Status s = conn_->Exec(sql, table + ": " + sql);
      if (!s.ok() && c.kind == ColumnChange::Kind::kDrop) {
        return FailedPrecondition(
            table + ": SQLite cannot drop column " + c.name + " (" + s.message() +
            "): it is part of the primary key, a UNIQUE or CHECK constraint, a foreign key, a "
            "generated column, a view or a trigger on the target; drop it on the target by hand "
            "and restart the task");
      }
      RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) override {
    if (!table_stats_) {
      ASSIGN_OR_RETURN(
          table_stats_,
          conn_->Prepare(std::string("INSERT INTO ") + kTableStatsTable +
                             " AS s (task, table_schema, table_name, inserts, updates, deletes, "
                             "ddls, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, " +
                             kNowUtc +
                             ") ON CONFLICT (task, table_schema, table_name) DO UPDATE SET "
                             "inserts = s.inserts + excluded.inserts, updates = s.updates + "
                             "excluded.updates, deletes = s.deletes + excluded.deletes, ddls = "
                             "s.ddls + excluded.ddls, updated_at = excluded.updated_at",
                         "counting changes per table"));
    }
    for (const auto& [table, n] : counts) {
      table_stats_->Reset();
      RETURN_IF_ERROR(table_stats_->BindText(1, task_));
      RETURN_IF_ERROR(table_stats_->BindText(2, table.schema));
      RETURN_IF_ERROR(table_stats_->BindText(3, table.name));
      RETURN_IF_ERROR(table_stats_->BindInt64(4, n.inserts));
      RETURN_IF_ERROR(table_stats_->BindInt64(5, n.updates));
      RETURN_IF_ERROR(table_stats_->BindInt64(6, n.deletes));
      RETURN_IF_ERROR(table_stats_->BindInt64(7, n.ddls));
      RETURN_IF_ERROR(
          table_stats_->Run().status().WithContext("counting changes of " + table.ToString()));
      table_stats_->Reset();
    }
    return Status::Ok();
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
    std::string mask = UpdateGroup::ColumnsOf(c.after);
    std::vector<size_t> set;
    for (size_t i = 0; i < c.after.size(); ++i)
      if (mask[i] == '1') set.push_back(i);
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
    ReportMissing(c, /*inserted=*/whole);
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
      ReportMissing(c, /*inserted=*/false);
    }
    return Status::Ok();
  }

  // The target table's column names.
  Result<std::set<std::string>> ColumnNames(const TablePlan& plan) {
    ASSIGN_OR_RETURN(auto st, conn_->Prepare("SELECT name FROM pragma_table_xinfo(?1)",
                                             "reading the columns of " + plan.target.name));
    RETURN_IF_ERROR(st->BindText(1, plan.target.name));
    std::set<std::string> names;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      names.emplace(st->column_text(0));
    }
    return names;
  }

  // Drops the indexes made by CREATE INDEX that cover `column` (the source dropped them with the
  // column; SQLite refuses to drop an indexed column). Indexes of constraints stay: the drop then
  // fails with a message.
  Status DropIndexesOn(const TablePlan& plan, const std::string& column, const std::string& what) {
    ASSIGN_OR_RETURN(auto st, conn_->Prepare("SELECT DISTINCT l.name FROM pragma_index_list(?1) l, "
                                             "pragma_index_xinfo(l.name) x WHERE l.origin = 'c' "
                                             "AND x.name = ?2",
                                             what + ": reading the indexes on " + column));
    RETURN_IF_ERROR(st->BindText(1, plan.target.name));
    RETURN_IF_ERROR(st->BindText(2, column));
    std::vector<std::string> indexes;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      indexes.emplace_back(st->column_text(0));
    }
    st.reset();
    for (const std::string& index : indexes) {
      Log(LogLevel::kInfo, "{}: dropping index {} on the target before dropping column {}", what,
          index, column);
      RETURN_IF_ERROR(conn_->Exec("DROP INDEX " + Q(index), what + ": dropping index " + index));
    }
    return Status::Ok();
  }

  // `"c" TYPE [NOT NULL] [DEFAULT ...]` for ADD COLUMN. SQLite adds a column only with a constant
  // default, and NOT NULL only with a non-NULL default: otherwise the column is added nullable
  // and without the default (rows that existed get NULL; docs/ddl.md).
  static std::string AddedColumn(const TableSchema& t, const TablePlan& plan, size_t i) {
    const Column& col = t.columns[i];
    std::string clause = PlanSqliteSchema(t, {}, plan).column_clauses[i];
    const bool keep_default = clause.starts_with(" DEFAULT ") && !clause.starts_with(" DEFAULT (");
    const bool keep_not_null = !col.nullable && keep_default && clause != " DEFAULT NULL";
    if ((!col.nullable && !keep_not_null) || (!clause.empty() && !keep_default)) {
      Log(LogLevel::kWarn,
          "table {}: column {} is added on the SQLite target{}{} (SQLite adds a column only with "
          "a constant default, and a NOT NULL one only with a non-NULL default)",
          t.name.ToString(), col.name, keep_not_null || col.nullable ? "" : " as nullable",
          keep_default || clause.empty()
              ? ""
              : (keep_not_null || col.nullable ? " without" : ", without") + clause);
    }
    std::string d = Q(col.name);
    if (!plan.columns[i].declared.empty()) d += " " + plan.columns[i].declared;
    if (keep_not_null) d += " NOT NULL";
    return keep_default ? d + clause : d;
  }

  // A column's type changed. SQLite keeps each value with its own storage class whatever the
  // declared type says, so a change that keeps the stored form (the same declared type once the
  // length or precision is left out, and the same decimal scale: int -> bigint, varchar(10) ->
  // varchar(50), numeric(10,2) -> numeric(12,2)) keeps the table as it is. Others would need
  // the stored values rewritten: the task stops.
  static Status RetypeKeepsValues(const TableSchema& before, const TableSchema& after,
                                  const ColumnChange& c, const std::string& what) {
    const Column* old = nullptr;
    for (const Column& col : before.columns)
      if (col.name == c.name) old = &col;
    const Column& now = after.columns[c.after_index];
    std::string was = old ? PlanSqliteColumn(*old, before.engine).declared : "";
    std::string is = PlanSqliteColumn(now, after.engine).declared;
    auto base = [](const std::string& d) { return d.substr(0, d.find('(')); };
    auto scale = [](const std::string& d) {
      size_t comma = d.find(',');
      return comma == std::string::npos ? std::string() : d.substr(comma);
    };
    if (old && base(was) == base(is) && scale(was) == scale(is)) return Status::Ok();
    return FailedPrecondition(
        what + ": column " + c.name + " changed type to " + now.type_name + " (SQLite " + is +
        (old ? ", was " + was : "") +
        "), which changes how its values are stored on a SQLite target; cutover follows only "
        "changes that keep the stored values (a longer length, a larger precision). Rewrite the "
        "column on the target by hand and restart the task");
  }

  void ReportMissing(const Change& c, bool inserted) {
    const std::vector<Value>& src = c.before.empty() ? c.after : c.before;
    RowsNotFound r{.op = c.op, .table = c.table->name, .inserted = inserted};
    for (size_t k : c.table->key) r.key.push_back(src[k]);
    ReportRowsNotFound(r);
  }

  std::unique_ptr<SqliteConn> conn_;
  std::string task_;
  std::map<const TableSchema*, PlanEntry> plans_;
  std::map<std::string, std::unique_ptr<SqliteStmt>> statements_;
  std::unique_ptr<SqliteStmt> checkpoint_;
  std::unique_ptr<SqliteStmt> table_stats_;
};

}  // namespace

Result<std::unique_ptr<Applier>> SqliteSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, OpenWriter("apply"));
  return std::unique_ptr<Applier>(new SqliteApplier(std::move(conn), task));
}

}  // namespace cutover::sqlite
