// MariaSink's CDC apply (maria_sink.h): statements appended to multi-statement packets sent in one
// round trip, results read back per statement; net-effect batches as multi-row statements; the
// checkpoint in the same target transaction.
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "engine/core/log.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_sink_internal.h"

namespace cutover::mariadb {

namespace {

// Parses "Label: N" out of mysql_info() text; -1 when absent.
int64_t InfoNumber(const char* info, const char* label) {
  if (!info) return -1;
  const char* p = std::strstr(info, label);
  if (!p) return -1;
  return std::atoll(p + std::strlen(label));
}

class MariaApplier : public Applier {
 public:
  MariaApplier(std::unique_ptr<MariaConn> conn, std::string task, size_t max_packet,
               std::string uri, SinkOptions options)
      : conn_(std::move(conn)),
        task_(std::move(task)),
        uri_(std::move(uri)),
        options_(options),
        db_(conn_->uri().database),
        packet_bytes_(std::min<size_t>(kPacketBytes, max_packet - 1024)),
        statement_bytes_(std::min<size_t>(kStatementBytes, packet_bytes_)),
        max_statement_(max_packet - 1024) {}

  Status Init() {
    if (mysql_set_server_option(conn_->raw(), MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
      return conn_->LastError("enabling multi-statement packets on the apply connection");
    return Status::Ok();
  }

  Status Begin() override { return Queue("START TRANSACTION", Text("START TRANSACTION")); }

  Status Apply(const Change& c) override {
    switch (c.op) {
      case ChangeOp::kRead:
      case ChangeOp::kInsert:
        return ApplyInsert(c);
      case ChangeOp::kUpdate:
        return ApplyUpdate(c);
      case ChangeOp::kDelete:
        return ApplyDelete(c);
      case ChangeOp::kTruncate:
        return ApplyTruncate(c);
    }
    return Internal("unknown change op");
  }

  // A source schema change (Applier::AlterTable). MariaDB commits DDL implicitly, so the
  // pipeline has committed the group before this runs, and each statement is written to be
  // run again harmlessly (IF EXISTS / IF NOT EXISTS): after a crash between the DDL and the next
  // checkpoint, the replayed transaction asks for it again.
  bool DdlIsTransactional() const override { return false; }
  Status AlterTable(const TableSchema& before, const TableSchema& after,
                    const std::vector<ColumnChange>& changes) override {
    (void)before;
    RETURN_IF_ERROR(Flush());
    const TablePlan plan = MakePlan(after, db_);
    auto definition = [&](size_t i) {
      const Column& col = after.columns[i];
      std::string d = MariaConn::QuoteIdent(col.name) + " " + plan.columns[i].ddl_type;
      if (!col.nullable || after.IsKeyColumn(i)) d += " NOT NULL";
      return d + MariaColumnClause(after, i, plan);
    };
    for (const ColumnChange& c : changes) {
      std::string sql = "ALTER TABLE " + plan.qualified + " ";
      switch (c.kind) {
        case ColumnChange::Kind::kRename:
          sql += "CHANGE COLUMN IF EXISTS " + MariaConn::QuoteIdent(c.name) + " " +
                 definition(c.after_index);
          break;
        case ColumnChange::Kind::kDrop:
          sql += "DROP COLUMN IF EXISTS " + MariaConn::QuoteIdent(c.name);
          break;
        case ColumnChange::Kind::kRetype:
          sql += "MODIFY COLUMN IF EXISTS " + definition(c.after_index);
          break;
        case ColumnChange::Kind::kAdd:
          sql += "ADD COLUMN IF NOT EXISTS " + definition(c.after_index);
          break;
      }
      RETURN_IF_ERROR(conn_->Exec(sql, "table " + after.name.ToString() + ": " + sql));
    }
    // Plans name the table's columns: later changes of the table are planned again.
    std::erase_if(plans_, [&](const auto& p) { return p.second.keep->name == after.name; });
    return Status::Ok();
  }

  Status ApplyBatch(const TableBatch& b) override {
    const TableSchema& t = *b.table;
    const TablePlan& plan = PlanOf(b.table);
    bulk_target_ = plan.target;
    bulk_source_ = t.name;
    if (!b.deletes.empty()) RETURN_IF_ERROR(BulkDelete(t, plan, b.deletes));
    // Rows with the same unchanged (TOAST) columns share a statement.
    for (const UpdateGroup& g : b.updates) {
      bool keeps_columns = false;  // some non-key column is Unchanged (a TOASTed value)
      for (size_t c = 0; c < t.columns.size(); ++c)
        keeps_columns = keeps_columns || (g.columns[c] == '0' && !t.IsKeyColumn(c));
      RETURN_IF_ERROR(keeps_columns ? UpdateEach(b.table, plan, g.columns, g.rows)
                                    : BulkUpsert(t, plan, g.columns, g.rows));
    }
    if (!b.inserts.empty()) RETURN_IF_ERROR(BulkInsert(t, plan, b.inserts));
    return Status::Ok();
  }

  // One statement on the child table, queued like any change; when the caller needs the touched
  // rows' values, the packet is sent and a SELECT ... FOR UPDATE reads them first.
  Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& st) override {
    const TableSchema& t = *st.table;
    const TablePlan& plan = PlanOf(st.table);
    std::string where = " WHERE ";
    for (size_t j = 0; j < st.columns.size(); ++j) {
      where += (j ? " AND " : "") + MariaConn::QuoteIdent(t.columns[st.columns[j]].name) + " = ";
      RETURN_IF_ERROR(AppendMatchValue(where, plan, t, st.columns[j], st.match[j], scratch_));
    }
    std::string what =
        std::string(st.kind == ReferentialStep::Kind::kDelete ? "delete" : "update") + " on " +
        t.name.ToString() + " by foreign key " + st.constraint;
    std::vector<std::vector<Value>> rows;
    if (!st.returning.empty()) {
      RETURN_IF_ERROR(Flush());
      std::string sql = "SELECT ";
      for (size_t j = 0; j < st.returning.size(); ++j)
        sql += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[st.returning[j]].name);
      sql += " FROM " + plan.qualified + where + " FOR UPDATE";
      RETURN_IF_ERROR(ReadRows(sql, "reading the rows of the " + what, rows));
    }
    if (st.kind == ReferentialStep::Kind::kDelete) {
      stmt_ = "DELETE FROM " + plan.qualified + where;
    } else {
      stmt_ = "UPDATE " + plan.qualified + " SET ";
      for (size_t j = 0; j < st.columns.size(); ++j) {
        stmt_ += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[st.columns[j]].name) + " = ";
        if (st.kind == ReferentialStep::Kind::kSetNull)
          stmt_ += "NULL";
        else
          RETURN_IF_ERROR(AppendMatchValue(stmt_, plan, t, st.columns[j], st.values[j], scratch_));
      }
      stmt_ += where;
    }
    RETURN_IF_ERROR(Queue(stmt_, Text(what)));
    return rows;
  }

  Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) override {
    for (const auto& [table, n] : counts) {
      std::string sql = AddTableStatsSql(db_, task_, table, n);
      RETURN_IF_ERROR(Queue(sql, Text("counting changes of " + table.ToString())));
    }
    return Status::Ok();
  }

  // Error policies (engine/pipeline/apply_errors.h). A refused statement leaves the MariaDB
  // transaction open (only the statement is undone), so a rollback to a savepoint suffices.
  bool SupportsSavepoints() const override { return true; }
  Status Savepoint(const std::string& name) override {
    return Queue("SAVEPOINT " + name, Text("savepoint " + name));
  }
  Status ReleaseSavepoint(const std::string& name) override {
    return Queue("RELEASE SAVEPOINT " + name, Text("release of savepoint " + name));
  }
  Status RollbackToSavepoint(const std::string& name) override {
    RETURN_IF_ERROR(Queue("ROLLBACK TO SAVEPOINT " + name, Text("rollback to savepoint " + name)));
    return Flush();
  }

  // By MariaDB error number; a statement the server adjusted (warnings: it would not store the
  // values exactly) is a truncation, a value cutover refused before sending it a data error.
  ApplyErrorKind ClassifyError(const Status& s) const override { return ClassifyMariaError(s); }

  Status RecordException(const ApplyException& e) override {
    return Queue(RecordExceptionSql(db_, task_, e, PlanOf(e.table).target),
                 Text("recording a refused change of " + e.table->name.ToString()));
  }

  Status Commit(const Position& applied) override {
    std::string sql = "INSERT INTO " + MariaConn::QuoteIdent(db_) + "." + kCheckpointTable +
                      " (task, position, updated_at) VALUES (";
    AppendLiteral(sql, MariaText::kString, task_);
    sql += ", ";
    AppendLiteral(sql, MariaText::kString, applied.text);
    sql +=
        ", UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE position = VALUES(position), updated_at = "
        "VALUES(updated_at)";
    // The changes first, on their own: a statement MariaDB adjusted (a warning or Note) must stop
    // the task before the COMMIT is sent, not in the same packet after it.
    RETURN_IF_ERROR(Flush());
    RETURN_IF_ERROR(Queue(sql, Text("writing checkpoint " + applied.text)));
    RETURN_IF_ERROR(Queue("COMMIT", Text("COMMIT at " + applied.text)));
    return Flush();
  }

 private:
  static constexpr size_t kPacketBytes = 4 * 1024 * 1024;
  static constexpr size_t kStatementBytes = 1024 * 1024;
  static constexpr size_t kFlushStatements = 1000;
  static constexpr size_t kBulkRows = 1000;

  // What a statement in the packet does and how its result is checked. Row changes keep their
  // table and key and are formatted only if a message needs them.
  enum class Check : uint8_t {
    kNone,
    kDeleted,   // affected rows must equal `expected`
    kMatched,   // UPDATE: "Rows matched" must equal `expected`
    kUpserted,  // INSERT ... ON DUPLICATE KEY UPDATE: every row must have existed
  };
  struct Pending {
    std::string what;
    ChangeOp op = ChangeOp::kInsert;
    TableSchemaPtr table;  // set for a row change
    std::vector<Value> key;
    Check check = Check::kNone;
    int64_t expected = 0;
    TableName about;   // the target table a statement writes, when known (lock-wait messages)
    TableName source;  // the source table of a bulk statement (for reports)

    std::string Describe() const {
      if (!table) return what;
      std::string s = std::string(ChangeOpName(op)) + " on " + table->name.ToString() + " key (";
      for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + key[i].DebugString();
      return s + ")";
    }
  };

  static Pending Text(std::string what, Check check = Check::kNone, int64_t expected = 0) {
    Pending p;
    p.what = std::move(what);
    p.check = check;
    p.expected = expected;
    return p;
  }

  static Pending RowChange(const Change& c, const std::vector<Value>& key_source, Check check) {
    Pending p;
    p.op = c.op;
    p.table = c.table;
    p.check = check;
    p.expected = 1;
    for (size_t k : c.table->key) p.key.push_back(key_source[k]);
    return p;
  }

  const TablePlan& PlanOf(const TableSchemaPtr& t) {
    auto it = plans_.find(t.get());
    if (it == plans_.end()) it = plans_.emplace(t.get(), PlanEntry{t, MakePlan(*t, db_)}).first;
    return it->second.plan;
  }

  // `WHERE k1 = v1 AND k2 = v2` for the key of `src`.
  Status AppendKeyMatch(std::string& sql, const TableSchema& t, const TablePlan& plan,
                        const std::vector<Value>& src) {
    sql += " WHERE ";
    for (size_t j = 0; j < t.key.size(); ++j) {
      size_t k = t.key[j];
      sql += (j ? " AND " : "") + MariaConn::QuoteIdent(t.columns[k].name) + " = ";
      RETURN_IF_ERROR(AppendValue(sql, plan, t, src, k, scratch_));
    }
    return Status::Ok();
  }

  const std::vector<Value>& KeySource(const Change& c) const {
    return c.before.empty() ? c.after : c.before;
  }

  Status ApplyInsert(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "INSERT INTO " + plan.qualified + " (" + plan.column_list + ") VALUES ";
    RETURN_IF_ERROR(AppendRowTuple(stmt_, plan, t, c.after, scratch_));
    return Queue(stmt_, RowChange(c, c.after, Check::kNone));
  }

  Status ApplyUpdate(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "UPDATE " + plan.qualified + " SET ";
    int n = 0;
    for (size_t i = 0; i < c.after.size(); ++i) {
      if (c.after[i].is_unchanged()) continue;
      stmt_ += (n++ ? ", " : "") + MariaConn::QuoteIdent(t.columns[i].name) + " = ";
      RETURN_IF_ERROR(AppendValue(stmt_, plan, t, c.after, i, scratch_));
    }
    if (n == 0) return Status::Ok();
    RETURN_IF_ERROR(AppendKeyMatch(stmt_, t, plan, KeySource(c)));
    return Queue(stmt_, RowChange(c, KeySource(c), Check::kMatched));
  }

  Status ApplyDelete(const Change& c) {
    const TableSchema& t = *c.table;
    const TablePlan& plan = PlanOf(c.table);
    stmt_ = "DELETE FROM " + plan.qualified;
    RETURN_IF_ERROR(AppendKeyMatch(stmt_, t, plan, KeySource(c)));
    return Queue(stmt_, RowChange(c, KeySource(c), Check::kDeleted));
  }

  // TRUNCATE TABLE would commit the open transaction: DELETE keeps it atomic.
  Status ApplyTruncate(const Change& c) {
    for (const TableSchemaPtr& t : c.truncated) {
      RETURN_IF_ERROR(
          Queue("DELETE FROM " + PlanOf(t).qualified, Text("truncate of " + t->name.ToString())));
    }
    return Status::Ok();
  }

  // Multi-row statements: `head` + tuples (+ `tail`), cut every kBulkRows rows or
  // statement_bytes_. `tuple(row, out)` appends one row's part.
  template <typename Rows, typename Tuple>
  Status Bulk(const Rows& rows, const std::string& head, const std::string& tail,
              const std::string& what, Check check, Tuple tuple) {
    size_t n = 0;
    stmt_.clear();
    auto flush = [&]() -> Status {
      if (n == 0) return Status::Ok();
      stmt_ += tail;
      Pending p =
          Text(what + " of " + std::to_string(n) + " row(s)", check, static_cast<int64_t>(n));
      p.about = bulk_target_;
      p.source = bulk_source_;
      Status s = Queue(stmt_, std::move(p));
      stmt_.clear();
      n = 0;
      return s;
    };
    for (const auto& row : rows) {
      stmt_ += n == 0 ? head : ", ";
      RETURN_IF_ERROR(tuple(row, stmt_));
      if (++n >= kBulkRows || stmt_.size() >= statement_bytes_) RETURN_IF_ERROR(flush());
    }
    return flush();
  }

  Status BulkInsert(const TableSchema& t, const TablePlan& plan,
                    const std::vector<std::vector<Value>>& rows) {
    return Bulk(rows, "INSERT INTO " + plan.qualified + " (" + plan.column_list + ") VALUES ", "",
                "insert into " + t.name.ToString(), Check::kNone,
                [&](const std::vector<Value>& row, std::string& out) {
                  return AppendRowTuple(out, plan, t, row, scratch_);
                });
  }

  Status BulkDelete(const TableSchema& t, const TablePlan& plan,
                    const std::vector<std::vector<Value>>& rows) {
    std::string head = "DELETE FROM " + plan.qualified + " WHERE (";
    for (size_t j = 0; j < t.key.size(); ++j)
      head += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[t.key[j]].name);
    head += ") IN (";
    return Bulk(rows, head, ")", "delete from " + t.name.ToString(), Check::kDeleted,
                [&](const std::vector<Value>& row, std::string& out) -> Status {
                  out.push_back('(');
                  for (size_t j = 0; j < t.key.size(); ++j) {
                    if (j) out += ", ";
                    RETURN_IF_ERROR(AppendValue(out, plan, t, row, t.key[j], scratch_));
                  }
                  out.push_back(')');
                  return Status::Ok();
                });
  }

  // Updates that leave some columns Unchanged, one UPDATE per row (SET of the carried columns,
  // matched by key). Not an upsert: its INSERT half would name only the carried columns, and
  // MariaDB's strict mode refuses that for a NOT NULL column without a default (error 1364)
  // even when the row exists and only the UPDATE half would run.
  Status UpdateEach(const TableSchemaPtr& table, const TablePlan& plan, const std::string& mask,
                    const std::vector<std::vector<Value>>& rows) {
    const TableSchema& t = *table;
    for (const auto& row : rows) {
      stmt_ = "UPDATE " + plan.qualified + " SET ";
      int n = 0;
      for (size_t c = 0; c < t.columns.size(); ++c) {
        if (mask[c] != '1' || t.IsKeyColumn(c)) continue;
        stmt_ += (n++ ? ", " : "") + MariaConn::QuoteIdent(t.columns[c].name) + " = ";
        RETURN_IF_ERROR(AppendValue(stmt_, plan, t, row, c, scratch_));
      }
      if (n == 0) continue;  // only the key: the row is unchanged
      RETURN_IF_ERROR(AppendKeyMatch(stmt_, t, plan, row));
      Pending p;
      p.what = "update of " + t.name.ToString();
      p.op = ChangeOp::kUpdate;
      p.table = table;
      p.check = Check::kMatched;
      p.expected = 1;
      for (size_t k : t.key) p.key.push_back(row[k]);
      p.about = bulk_target_;
      p.source = bulk_source_;
      RETURN_IF_ERROR(Queue(stmt_, std::move(p)));
    }
    return Status::Ok();
  }

  // Updates of existing rows as INSERT ... ON DUPLICATE KEY UPDATE of every column: the row
  // carries them all (UpdateEach takes rows with Unchanged columns).
  Status BulkUpsert(const TableSchema& t, const TablePlan& plan, const std::string& mask,
                    const std::vector<std::vector<Value>>& rows) {
    std::vector<size_t> cols, set_cols;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      if (t.IsKeyColumn(c)) {
        cols.push_back(c);
      } else if (mask[c] == '1') {
        cols.push_back(c);
        set_cols.push_back(c);
      }
    }
    if (set_cols.empty()) return Status::Ok();  // nothing but the key: the row is unchanged
    std::string head = "INSERT INTO " + plan.qualified + " (";
    for (size_t j = 0; j < cols.size(); ++j)
      head += (j ? ", " : "") + MariaConn::QuoteIdent(t.columns[cols[j]].name);
    head += ") VALUES ";
    std::string tail = " ON DUPLICATE KEY UPDATE ";
    for (size_t j = 0; j < set_cols.size(); ++j) {
      std::string ident = MariaConn::QuoteIdent(t.columns[set_cols[j]].name);
      tail += (j ? ", " : "") + ident + " = VALUES(" + ident + ")";
    }
    return Bulk(rows, head, tail, "update of " + t.name.ToString(), Check::kUpserted,
                [&](const std::vector<Value>& row, std::string& out) -> Status {
                  out.push_back('(');
                  for (size_t j = 0; j < cols.size(); ++j) {
                    if (j) out += ", ";
                    RETURN_IF_ERROR(AppendValue(out, plan, t, row, cols[j], scratch_));
                  }
                  out.push_back(')');
                  return Status::Ok();
                });
  }

  // Appends one statement to the packet, sending the packet first if it would grow too big.
  Status Queue(const std::string& sql, Pending what) {
    if (sql.size() > max_statement_) {
      return FailedPrecondition(what.Describe() + ": the statement needs " +
                                std::to_string(sql.size()) +
                                " bytes, more than the target's max_allowed_packet allows; raise "
                                "max_allowed_packet on the target");
    }
    if (!packet_.empty() && packet_.size() + sql.size() + 1 > packet_bytes_)
      RETURN_IF_ERROR(Flush());
    if (!packet_.empty()) packet_.push_back(';');
    packet_ += sql;
    pending_.push_back(std::move(what));
    if (pending_.size() >= kFlushStatements) return Flush();
    return Status::Ok();
  }

  // Sends the packet and reads one result per statement. The server stops at the first failing
  // statement; its error, with what the statement did, is returned.
  Status Flush() override {
    if (pending_.empty()) return Status::Ok();
    MYSQL* m = conn_->raw();
    Status first;
    Status adjusted;  // the first statement the server reported warnings (or Notes) for
    size_t i = 0;
    TableName about;
    if (mysql_real_query(m, packet_.data(), packet_.size()) != 0) {
      first = conn_->LastError(pending_[0].Describe());
      about = AboutOf(pending_[0]);
    } else {
      for (;;) {
        if (MYSQL_RES* res = mysql_store_result(m)) mysql_free_result(res);
        if (i < pending_.size()) CheckResult(pending_[i]);
        if (unsigned w = mysql_warning_count(m); w > 0 && adjusted.ok()) {
          adjusted = FailedPrecondition(
              (i < pending_.size() ? pending_[i].Describe() : std::string("applying changes")) +
              ": MariaDB reported " + std::to_string(w) + " warning(s): it " + kNotStoredExactly +
              " (a value cutover does not check before sending); nothing of this target "
              "transaction is committed");
        }
        ++i;
        int next = mysql_next_result(m);
        if (next == -1) break;
        if (next > 0) {
          first =
              conn_->LastError(i < pending_.size() ? pending_[i].Describe() : "applying changes");
          if (i < pending_.size()) about = AboutOf(pending_[i]);
          break;
        }
      }
    }
    packet_.clear();
    pending_.clear();
    if (!about.name.empty()) return ExplainLockWait(uri_, options_, first, about);
    return first.ok() ? adjusted : first;
  }

  TableName AboutOf(const Pending& p) { return p.table ? PlanOf(p.table).target : p.about; }

  // Runs a SELECT (the packet is empty) and returns its rows as values AppendValue gives back
  // exactly: integers and decimals as numbers, binary strings as bytes, the rest as text
  // literals the server converts to the column's type.
  Status ReadRows(const std::string& sql, const std::string& what,
                  std::vector<std::vector<Value>>& rows) {
    MYSQL* m = conn_->raw();
    if (mysql_real_query(m, sql.data(), sql.size()) != 0) return conn_->LastError(what);
    MYSQL_RES* res = mysql_store_result(m);
    if (!res) return conn_->LastError(what);
    unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res)) {
      unsigned long* lengths = mysql_fetch_lengths(res);
      auto& out = rows.emplace_back();
      for (unsigned i = 0; i < n; ++i) {
        if (!row[i]) {
          out.push_back(Value::Null());
          continue;
        }
        std::string text(row[i], lengths[i]);
        const MYSQL_FIELD* f = mysql_fetch_field_direct(res, i);
        switch (f->type) {
          case MYSQL_TYPE_TINY:
          case MYSQL_TYPE_SHORT:
          case MYSQL_TYPE_INT24:
          case MYSQL_TYPE_LONG:
          case MYSQL_TYPE_LONGLONG:
            if (f->flags & UNSIGNED_FLAG)
              out.push_back(Value::UInt64(std::strtoull(text.c_str(), nullptr, 10)));
            else
              out.push_back(Value::Int64(std::strtoll(text.c_str(), nullptr, 10)));
            break;
          case MYSQL_TYPE_DECIMAL:
          case MYSQL_TYPE_NEWDECIMAL:
            out.push_back(Value::String(ValueKind::kDecimal, std::move(text)));
            break;
          case MYSQL_TYPE_STRING:
          case MYSQL_TYPE_VAR_STRING:
          case MYSQL_TYPE_VARCHAR:
          case MYSQL_TYPE_TINY_BLOB:
          case MYSQL_TYPE_MEDIUM_BLOB:
          case MYSQL_TYPE_LONG_BLOB:
          case MYSQL_TYPE_BLOB:
            out.push_back(Value::String(f->charsetnr == 63 ? ValueKind::kBytes : ValueKind::kText,
                                        std::move(text)));
            break;
          default:
            out.push_back(Value::String(ValueKind::kText, std::move(text)));
        }
      }
    }
    mysql_free_result(res);
    return Status::Ok();
  }

  void CheckResult(const Pending& p) {
    if (p.check == Check::kNone) return;
    MYSQL* m = conn_->raw();
    int64_t missing = 0;
    switch (p.check) {
      case Check::kDeleted:
        missing = p.expected - static_cast<int64_t>(mysql_affected_rows(m));
        break;
      case Check::kMatched: {
        int64_t matched = InfoNumber(mysql_info(m), "Rows matched: ");
        if (matched >= 0) missing = p.expected - matched;
        break;
      }
      case Check::kUpserted: {
        // Multi-row: "Records: N  Duplicates: D"; a single row: 1 affected row = inserted.
        const char* info = mysql_info(m);
        int64_t records = InfoNumber(info, "Records: ");
        int64_t dups = InfoNumber(info, "Duplicates: ");
        if (records >= 0 && dups >= 0)
          missing = records - dups;
        else if (p.expected == 1)
          missing = mysql_affected_rows(m) == 1 ? 1 : 0;
        break;
      }
      case Check::kNone:
        break;
    }
    if (missing <= 0) return;
    ReportRowsNotFound(
        RowsNotFound{.op = p.check == Check::kDeleted ? ChangeOp::kDelete : ChangeOp::kUpdate,
                     .table = p.table ? p.table->name : p.source,
                     .key = p.key,
                     .expected = p.expected,
                     .missing = missing,
                     .inserted = p.check == Check::kUpserted});
  }

  struct PlanEntry {
    TableSchemaPtr keep;  // keeps the key pointer valid
    TablePlan plan;
  };

  std::unique_ptr<MariaConn> conn_;
  std::string task_;
  std::string uri_;
  SinkOptions options_;
  TableName bulk_target_;  // the target table of the batch being applied
  TableName bulk_source_;  // and its source table
  std::string db_;
  size_t packet_bytes_;
  size_t statement_bytes_;
  size_t max_statement_;
  std::unordered_map<const TableSchema*, PlanEntry> plans_;
  std::string packet_;
  std::vector<Pending> pending_;
  std::string stmt_;
  std::string scratch_;
};

}  // namespace

Result<std::unique_ptr<Applier>> MariaSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "apply", /*writes_rows=*/true));
  ASSIGN_OR_RETURN(size_t max_packet, MaxAllowedPacket(*conn));
  auto applier = std::make_unique<MariaApplier>(std::move(conn), task, max_packet, uri_, options_);
  RETURN_IF_ERROR(applier->Init());
  return std::unique_ptr<Applier>(std::move(applier));
}

}  // namespace cutover::mariadb
