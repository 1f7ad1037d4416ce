// SqliteSink's CDC apply (sqlite_sink.h): one connection, prepared statements cached per table
// and operation, upserts for inserts, the checkpoint in the same transaction.
#include <map>

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
