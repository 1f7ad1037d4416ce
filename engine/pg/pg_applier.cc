// PgSink's CDC apply (pg_sink.h): one connection in libpq pipeline mode, statements prepared per
// table and operation, synchronised every kSyncEvery statements and at commit; net-effect
// batches as unnest() bulk statements; the checkpoint in the same target transaction.
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/naming.h"
#include "engine/core/pipelined_commit.h"
#include "engine/pg/pg_read_ahead.h"
#include "engine/pg/pg_sink.h"
#include "engine/pg/pg_sink_internal.h"
#include "engine/pg/pg_target_types.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

namespace {

class PgApplier : public Applier, public PipelinedCommit {
 public:
  PgApplier(std::unique_ptr<PgConn> conn, std::string task, std::string uri, SinkOptions options)
      : conn_(std::move(conn)), task_(std::move(task)), uri_(std::move(uri)), options_(options) {}
  ~PgApplier() override {
    if (statements_sent_ > 0)
      Log(LogLevel::kInfo,
          "apply session: {} statement(s) in {} sync(s), {:.2f} s waiting for the target; {} "
          "read-ahead(s), {} skipped",
          statements_sent_, syncs_, std::chrono::duration<double>(sync_wait_).count(),
          read_ahead_ ? read_ahead_->sent() : 0, read_ahead_ ? read_ahead_->skipped() : 0);
  }

  Status Init() {
    // Changes are located by key, as PostgreSQL's own apply worker does. Without this the
    // planner picks sequential scans for small tables, which inside a long target transaction
    // read every dead version the transaction itself left behind (3.5x slower in row mode).
    RETURN_IF_ERROR(conn_->ExecOk("SET enable_seqscan = off", "configuring the apply session"));
    if (PQenterPipelineMode(conn_->raw()) != 1)
      return conn_->ConnectionError("entering pipeline mode");
    read_ahead_ = PgReadAhead::Open(uri_, options_);
    return Status::Ok();
  }

  Status Begin() override { return Send("BEGIN", {}, "BEGIN"); }

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

  // Bulk apply: one statement per (table, kind) whose parameters are text[] arrays, one per
  // column, unnested into rows and cast to the column types. Statements are prepared per table
  // (and, for updates, per set of unchanged columns).
  Status ApplyBatch(const TableBatch& b) override {
    const TableSchema& t = *b.table;
    batch_table_ = b.table;
    if (!b.deletes.empty()) RETURN_IF_ERROR(BulkDelete(t, b.deletes));
    // Rows with the same unchanged (TOAST) columns share a statement.
    for (const UpdateGroup& g : b.updates) RETURN_IF_ERROR(BulkUpdate(t, g.columns, g.rows));
    if (!b.inserts.empty()) RETURN_IF_ERROR(BulkInsert(t, b.inserts));
    return Status::Ok();
  }

  // One statement on the child table; when the caller needs the touched rows' values, a SELECT
  // of them first (`col::text`, given back as text parameters: exact for every type).
  Result<std::vector<std::vector<Value>>> ApplyReferential(const ReferentialStep& st) override {
    const TableSchema& t = *st.table;
    std::string cols_key;
    for (size_t c : st.columns) cols_key += std::to_string(c) + ",";
    auto where = [&](size_t first) {
      std::string w = " WHERE ";
      for (size_t j = 0; j < st.columns.size(); ++j) {
        w += (j ? " AND " : "") + conn_->QuoteIdent(t.columns[st.columns[j]].name) + " = $" +
             std::to_string(first + j + 1);
      }
      return w;
    };
    std::string what =
        std::string(st.kind == ReferentialStep::Kind::kDelete ? "delete" : "update") + " on " +
        t.name.ToString() + " by foreign key " + st.constraint;
    std::vector<std::vector<Value>> rows;
    if (!st.returning.empty()) {
      values_.clear();
      present_.clear();
      for (size_t j = 0; j < st.columns.size(); ++j)
        RETURN_IF_ERROR(AddMatchParam(t.columns[st.columns[j]], t.engine, st.match[j]));
      std::string ret_key;
      for (size_t c : st.returning) ret_key += std::to_string(c) + ",";
      Pending p = Text("reading the rows of the " + what);
      p.rows = &rows;
      RETURN_IF_ERROR(SendPrepared(
          "rs" + t.name.ToString() + ":" + cols_key + ":" + ret_key,
          [&] {
            std::string sql = "SELECT ";
            for (size_t j = 0; j < st.returning.size(); ++j)
              sql +=
                  (j ? ", " : "") + conn_->QuoteIdent(t.columns[st.returning[j]].name) + "::text";
            return sql + " FROM " + QualifiedName(*conn_, TargetName(t)) + where(0) + " FOR UPDATE";
          },
          values_, present_, std::move(p)));
      RETURN_IF_ERROR(Sync());
    }
    values_.clear();
    present_.clear();
    if (st.kind == ReferentialStep::Kind::kSetValues) {
      for (size_t j = 0; j < st.columns.size(); ++j)
        RETURN_IF_ERROR(AddMatchParam(t.columns[st.columns[j]], t.engine, st.values[j]));
    }
    size_t first = values_.size();
    for (size_t j = 0; j < st.columns.size(); ++j)
      RETURN_IF_ERROR(AddMatchParam(t.columns[st.columns[j]], t.engine, st.match[j]));
    char kind = st.kind == ReferentialStep::Kind::kDelete    ? 'd'
                : st.kind == ReferentialStep::Kind::kSetNull ? 'n'
                                                             : 'v';
    RETURN_IF_ERROR(SendPrepared(
        std::string("r") + kind + t.name.ToString() + ":" + cols_key,
        [&] {
          std::string target = QualifiedName(*conn_, TargetName(t));
          if (st.kind == ReferentialStep::Kind::kDelete)
            return "DELETE FROM " + target + where(first);
          std::string sql = "UPDATE " + target + " SET ";
          for (size_t j = 0; j < st.columns.size(); ++j) {
            sql += (j ? ", " : "") + conn_->QuoteIdent(t.columns[st.columns[j]].name) + " = " +
                   (st.kind == ReferentialStep::Kind::kSetNull ? std::string("NULL")
                                                               : "$" + std::to_string(j + 1));
          }
          return sql + where(first);
        },
        values_, present_, Text(what)));
    return rows;
  }

  Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) override {
    for (const auto& [table, n] : counts) {
      RETURN_IF_ERROR(SendPrepared(
          "table_stats", [] { return std::string(kAddTableStatsSql); },
          TableStatsParams(task_, table, n),
          {true, true, true, true, true, true, true, !n.state.empty()},
          Text("counting changes of " + table.ToString())));
    }
    return Status::Ok();
  }

  // Error policies (engine/pipeline/apply_errors.h): savepoints in the pipeline; a failed Sync
  // leaves the transaction aborted until the rollback to a savepoint.
  bool SupportsSavepoints() const override { return true; }
  Status Savepoint(const std::string& name) override {
    return Send("SAVEPOINT " + name, {}, "savepoint " + name);
  }
  Status ReleaseSavepoint(const std::string& name) override {
    return Send("RELEASE SAVEPOINT " + name, {}, "release of savepoint " + name);
  }
  Status RollbackToSavepoint(const std::string& name) override {
    RETURN_IF_ERROR(Send("ROLLBACK TO SAVEPOINT " + name, {}, "rollback to savepoint " + name));
    return Sync();
  }
  Status Flush() override { return pending_.empty() ? Status::Ok() : Sync(); }

  ApplyErrorKind ClassifyError(const Status& s) const override { return ClassifyPgError(s); }

  Status RecordException(const ApplyException& e) override {
    return SendPrepared(
        "apply_exception", [] { return std::string(kRecordExceptionSql); },
        ExceptionParams(task_, e), {},
        Text("recording a refused change of " + e.table->name.ToString()));
  }

  Status Commit(const Position& applied) override {
    RETURN_IF_ERROR(SendCommit(applied));
    return Sync();
  }

  // PipelinedCommit: the checkpoint, COMMIT and a sync point, sent; AwaitCommit reads their
  // results (and those of everything before them) up to that sync point.
  Status SendCommit(const Position& applied) override {
    RETURN_IF_ERROR(SendPrepared(
        "checkpoint",
        [&] {
          return std::string(
              "INSERT INTO cutover.checkpoint (task, position, updated_at) VALUES ($1, $2, now()) "
              "ON CONFLICT (task) DO UPDATE SET position = excluded.position, "
              "updated_at = excluded.updated_at");
        },
        {task_, applied.text}, {true, true}, Text("writing checkpoint " + applied.text)));
    RETURN_IF_ERROR(Send("COMMIT", {}, "COMMIT at " + applied.text));
    return SendSync();
  }
  Status AwaitCommit() override { return Collect(); }

 private:
  static constexpr size_t kSyncEvery = 1000;
  static constexpr size_t kReadAheadMinRows = 256;

  // What a statement in flight does, for messages. Row changes keep their table and key and are
  // formatted only if a message needs them, not on the per-change path.
  struct Pending {
    std::string what;  // statements other than row changes
    ChangeOp op = ChangeOp::kInsert;
    TableSchemaPtr table;  // set for a row change
    std::vector<Value> key;
    int64_t expected_rows = -1;  // UPDATE/DELETE: rows it must touch (-1: not checked)
    TableSchemaPtr about;        // the table a bulk statement writes (for lock-wait messages)
    std::vector<std::vector<Value>>* rows = nullptr;  // a SELECT's rows go here, as text
    std::string prepared_key;  // a PREPARE: its statements_ key, forgotten if it fails
    bool sync_point = false;   // a pipeline sync point, not a statement

    std::string Describe() const {
      if (!table) return what;
      std::string s = std::string(ChangeOpName(op)) + " on " + table->name.ToString() + " key (";
      for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + key[i].DebugString();
      return s + ")";
    }
  };

  static Pending Text(std::string what, int64_t expected_rows = -1, TableSchemaPtr about = nullptr,
                      ChangeOp op = ChangeOp::kInsert) {
    Pending p;
    p.op = op;
    p.what = std::move(what);
    p.expected_rows = expected_rows;
    p.about = std::move(about);
    return p;
  }

  static Pending RowChange(const Change& c, const std::vector<Value>& key_source,
                           int64_t expected_rows) {
    Pending p;
    p.op = c.op;
    p.table = c.table;
    p.expected_rows = expected_rows;
    for (size_t k : c.table->key) p.key.push_back(key_source[k]);
    return p;
  }

  const std::vector<Value>& KeySource(const Change& c) const {
    return c.before.empty() ? c.after : c.before;
  }

  Status ApplyInsert(const Change& c) {
    const TableSchema& t = *c.table;
    std::string key = "i" + t.name.ToString();
    values_.clear();
    present_.clear();
    for (size_t i = 0; i < c.after.size(); ++i) RETURN_IF_ERROR(AddParam(t, c.after, i));
    return SendPrepared(
        key,
        [&] {
          std::string sql = "INSERT INTO " + QualifiedName(*conn_, TargetName(t)) + " (" +
                            ColumnList(*conn_, t) + ") VALUES (";
          for (size_t i = 0; i < t.columns.size(); ++i)
            sql += (i ? ", $" : "$") + std::to_string(i + 1);
          return sql + ")";
        },
        values_, present_, RowChange(c, c.after, -1));
  }

  Status ApplyUpdate(const Change& c) {
    const TableSchema& t = *c.table;
    const std::vector<Value>& keysrc = KeySource(c);
    std::string key = "u" + t.name.ToString() + ":";
    values_.clear();
    present_.clear();
    for (size_t i = 0; i < c.after.size(); ++i) {
      bool unchanged = c.after[i].is_unchanged();
      key += unchanged ? '0' : '1';
      if (!unchanged) RETURN_IF_ERROR(AddParam(t, c.after, i));
    }
    for (size_t k : t.key) RETURN_IF_ERROR(AddParam(t, keysrc, k));
    return SendPrepared(
        key,
        [&] {
          std::string sql = "UPDATE " + QualifiedName(*conn_, TargetName(t)) + " SET ";
          int n = 0;
          for (size_t i = 0; i < c.after.size(); ++i) {
            if (c.after[i].is_unchanged()) continue;
            sql += (n ? ", " : "") + conn_->QuoteIdent(t.columns[i].name) + " = $" +
                   std::to_string(n + 1);
            ++n;
          }
          sql += " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND " : "") + conn_->QuoteIdent(t.columns[t.key[j]].name) + " = $" +
                   std::to_string(++n);
          }
          return sql;
        },
        values_, present_, RowChange(c, keysrc, /*expected_rows=*/1));
  }

  Status ApplyDelete(const Change& c) {
    const TableSchema& t = *c.table;
    const std::vector<Value>& keysrc = KeySource(c);
    values_.clear();
    present_.clear();
    for (size_t k : t.key) RETURN_IF_ERROR(AddParam(t, keysrc, k));
    return SendPrepared(
        "d" + t.name.ToString(),
        [&] {
          std::string sql = "DELETE FROM " + QualifiedName(*conn_, TargetName(t)) + " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND " : "") + conn_->QuoteIdent(t.columns[t.key[j]].name) + " = $" +
                   std::to_string(j + 1);
          }
          return sql;
        },
        values_, present_, RowChange(c, keysrc, /*expected_rows=*/1));
  }

  // A source schema change (Applier::AlterTable): PostgreSQL DDL is transactional, so it runs
  // in the open target transaction and commits or rolls back with the checkpoint. Prepared
  // statements name the table's columns: they are all dropped and prepared again as needed.
  Status AlterTable(const TableSchema& before, const TableSchema& after,
                    const std::vector<ColumnChange>& changes) override {
    (void)before;
    RETURN_IF_ERROR(Sync());
    const std::string table = QualifiedName(*conn_, TargetName(after));
    for (const ColumnChange& c : changes) {
      std::string sql = "ALTER TABLE " + table + " ";
      switch (c.kind) {
        case ColumnChange::Kind::kRename:
          sql +=
              "RENAME COLUMN " + conn_->QuoteIdent(c.name) + " TO " + conn_->QuoteIdent(c.new_name);
          break;
        case ColumnChange::Kind::kDrop:
          sql += "DROP COLUMN IF EXISTS " + conn_->QuoteIdent(c.name);
          break;
        case ColumnChange::Kind::kRetype: {
          const Column& col = after.columns[c.after_index];
          const std::string type = TargetColumnType(col, after.engine);
          sql += "ALTER COLUMN " + conn_->QuoteIdent(c.name) + " TYPE " + type + " USING " +
                 conn_->QuoteIdent(c.name) + "::" + type;
          break;
        }
        case ColumnChange::Kind::kAdd: {
          const Column& col = after.columns[c.after_index];
          sql += "ADD COLUMN IF NOT EXISTS " + conn_->QuoteIdent(col.name) + " " +
                 TargetColumnType(col, after.engine);
          if (!col.nullable) sql += " NOT NULL";
          sql += PgColumnClause(after, col);
          break;
        }
      }
      RETURN_IF_ERROR(Send(sql, {}, "table " + after.name.ToString() + ": " + sql));
    }
    RETURN_IF_ERROR(Send("DEALLOCATE ALL", {}, "dropping prepared statements"));
    statements_.clear();
    read_ahead_sql_.clear();
    return Sync();
  }

  Status ApplyTruncate(const Change& c) {
    std::string sql = "TRUNCATE ";
    std::string names;
    for (size_t i = 0; i < c.truncated.size(); ++i) {
      if (i) sql += ", ", names += ", ";
      sql += QualifiedName(*conn_, TargetName(*c.truncated[i]));
      names += c.truncated[i]->name.ToString();
    }
    if (c.truncated.empty()) return Status::Ok();
    return Send(sql, {}, "truncate of " + names);
  }

  // Appends the text[] literal of column `col` over `rows` to arrays_ (and a present flag).
  template <typename Rows, typename Get>
  Status AddArrayParam(const TableSchema& t, const Rows& rows, size_t col, Get get) {
    std::string& a = arrays_.emplace_back();
    a += '{';
    for (size_t r = 0; r < rows.size(); ++r) {
      if (r) a += ',';
      const Value& v = get(rows[r])[col];
      ASSIGN_OR_RETURN(PgWrite w, CheckValue(t, get(rows[r]), col));
      if (w == PgWrite::kNull) {
        a += "NULL";
        continue;
      }
      scratch_.clear();
      EncodeText(v, scratch_);
      a += '"';
      for (char ch : scratch_) {
        if (ch == '"' || ch == '\\') a += '\\';
        a += ch;
      }
      a += '"';
    }
    a += '}';
    present_.push_back(true);
    return Status::Ok();
  }

  std::string Cast(const TableSchema& t, size_t col) const {
    return "::" + TargetColumnType(t.columns[col], t.engine);
  }

  static std::string Unnest(size_t n) {
    std::string s = "unnest(";
    for (size_t i = 0; i < n; ++i) s += (i ? ", $" : "$") + std::to_string(i + 1) + "::text[]";
    s += ") AS v_(";
    for (size_t i = 0; i < n; ++i) s += (i ? ", p" : "p") + std::to_string(i + 1);
    return s + ")";
  }

  // Unnest(n) whose first t.key.size() columns are `t`'s key, in key order: the join then
  // walks the key index and the heap in order, each page once per statement, instead of at
  // random (about 30% less server time for 5,000 random pgbench_accounts rows).
  std::string KeyOrderedUnnest(const TableSchema& t, size_t n) const {
    std::string s = "(SELECT * FROM " + Unnest(n) + " ORDER BY ";
    for (size_t j = 0; j < t.key.size(); ++j)
      s += (j ? ", v_.p" : "v_.p") + std::to_string(j + 1) + Cast(t, t.key[j]);
    return s + ") AS v_";
  }

  // Has the read-ahead session (pg_read_ahead.h) read the rows whose keys are the first
  // t.key.size() arrays_ (their index and heap pages: ctid keeps it from an index-only scan),
  // for a batch large enough to be worth it.
  void ReadAhead(const TableSchema& t, size_t rows) {
    if (!read_ahead_ || rows < kReadAheadMinRows) return;
    auto it = read_ahead_sql_.find(t.name.ToString());
    if (it == read_ahead_sql_.end()) {
      std::string sql = "SELECT count(t_.ctid) FROM " + QualifiedName(*conn_, TargetName(t)) +
                        " AS t_, " + KeyOrderedUnnest(t, t.key.size()) + " WHERE ";
      for (size_t j = 0; j < t.key.size(); ++j) {
        sql += (j ? " AND t_." : "t_.") + conn_->QuoteIdent(t.columns[t.key[j]].name) + " = v_.p" +
               std::to_string(j + 1) + Cast(t, t.key[j]);
      }
      it = read_ahead_sql_.emplace(t.name.ToString(), std::move(sql)).first;
    }
    read_ahead_params_.assign(arrays_.begin(), arrays_.begin() + t.key.size());
    read_ahead_->Read(it->second, read_ahead_params_);
  }

  Status BulkInsert(const TableSchema& t, const std::vector<std::vector<Value>>& rows) {
    arrays_.clear();
    present_.clear();
    auto get = [](const std::vector<Value>& r) -> const std::vector<Value>& { return r; };
    for (size_t c = 0; c < t.columns.size(); ++c) RETURN_IF_ERROR(AddArrayParam(t, rows, c, get));
    return SendPrepared(
        "bi" + t.name.ToString(),
        [&] {
          std::string sql = "INSERT INTO " + QualifiedName(*conn_, TargetName(t)) + " (" +
                            ColumnList(*conn_, t) + ") SELECT ";
          for (size_t c = 0; c < t.columns.size(); ++c)
            sql += (c ? ", v_.p" : "v_.p") + std::to_string(c + 1) + Cast(t, c);
          return sql + " FROM " + Unnest(t.columns.size());
        },
        arrays_, present_,
        Text("insert of " + std::to_string(rows.size()) + " row(s) into " + t.name.ToString(), -1,
             Shared(t)));
  }

  Status BulkDelete(const TableSchema& t, const std::vector<std::vector<Value>>& rows) {
    arrays_.clear();
    present_.clear();
    auto get = [](const std::vector<Value>& r) -> const std::vector<Value>& { return r; };
    for (size_t k : t.key) RETURN_IF_ERROR(AddArrayParam(t, rows, k, get));
    ReadAhead(t, rows.size());
    return SendPrepared(
        "bd" + t.name.ToString(),
        [&] {
          std::string sql = "DELETE FROM " + QualifiedName(*conn_, TargetName(t)) +
                            " AS t_ USING " + KeyOrderedUnnest(t, t.key.size()) + " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND t_." : "t_.") + conn_->QuoteIdent(t.columns[t.key[j]].name) +
                   " = v_.p" + std::to_string(j + 1) + Cast(t, t.key[j]);
          }
          return sql;
        },
        arrays_, present_,
        Text("delete of " + std::to_string(rows.size()) + " row(s) from " + t.name.ToString(),
             static_cast<int64_t>(rows.size()), Shared(t), ChangeOp::kDelete));
  }

  Status BulkUpdate(const TableSchema& t, const std::string& mask,
                    const std::vector<std::vector<Value>>& rows) {
    std::vector<size_t> set_cols;
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (mask[c] == '1' && !t.IsKeyColumn(c)) set_cols.push_back(c);
    if (set_cols.empty()) return Status::Ok();  // nothing but the key: the row is unchanged
    arrays_.clear();
    present_.clear();
    auto get = [](const std::vector<Value>& r) -> const std::vector<Value>& { return r; };
    for (size_t k : t.key) RETURN_IF_ERROR(AddArrayParam(t, rows, k, get));
    ReadAhead(t, rows.size());
    for (size_t c : set_cols) RETURN_IF_ERROR(AddArrayParam(t, rows, c, get));
    return SendPrepared(
        "bu" + t.name.ToString() + ":" + mask,
        [&] {
          std::string sql = "UPDATE " + QualifiedName(*conn_, TargetName(t)) + " AS t_ SET ";
          size_t p = t.key.size();
          for (size_t j = 0; j < set_cols.size(); ++j) {
            sql += (j ? ", " : "") + conn_->QuoteIdent(t.columns[set_cols[j]].name) + " = v_.p" +
                   std::to_string(++p) + Cast(t, set_cols[j]);
          }
          sql += " FROM " + KeyOrderedUnnest(t, t.key.size() + set_cols.size()) + " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND t_." : "t_.") + conn_->QuoteIdent(t.columns[t.key[j]].name) +
                   " = v_.p" + std::to_string(j + 1) + Cast(t, t.key[j]);
          }
          return sql;
        },
        arrays_, present_,
        Text("update of " + std::to_string(rows.size()) + " row(s) of " + t.name.ToString(),
             static_cast<int64_t>(rows.size()), Shared(t), ChangeOp::kUpdate));
  }

  // A parameter of a foreign-key action step: a value the target holds already (a parent's
  // old key, or one read back), encoded by the rule it was written with; nothing to announce.
  Status AddMatchParam(const Column& column, const std::string& engine, const Value& v) {
    LossyRule applied;
    ASSIGN_OR_RETURN(PgWrite w, PgTargetValue(column, engine, v, applied));
    PushParam(w, v);
    return Status::Ok();
  }

  Status AddParam(const TableSchema& t, const std::vector<Value>& row, size_t i) {
    ASSIGN_OR_RETURN(PgWrite w, CheckValue(t, row, i));
    PushParam(w, row[i]);
    return Status::Ok();
  }

  // Appends one statement parameter: NULL, or `v`'s text.
  void PushParam(PgWrite w, const Value& v) {
    if (w == PgWrite::kNull) {
      values_.emplace_back();
      present_.push_back(false);
      return;
    }
    std::string s;
    EncodeText(v, s);
    values_.push_back(std::move(s));
    present_.push_back(true);
  }

  // Sends a statement prepared under `key` (preparing it first, from `make_sql`, if new).
  template <typename MakeSql>
  Status SendPrepared(const std::string& key, MakeSql make_sql,
                      const std::vector<std::string>& values, const std::vector<bool>& present,
                      Pending what) {
    auto it = statements_.find(key);
    if (it == statements_.end()) {
      // Names are never reused: a PREPARE aborted with its pipeline is forgotten (Sync) while
      // the others stay prepared on the server.
      std::string name = "s" + std::to_string(next_statement_++);
      std::string sql = make_sql();
      std::string preparing = "preparing statement for " + what.Describe();
      if (PQsendPrepare(conn_->raw(), name.c_str(), sql.c_str(), 0, nullptr) != 1)
        return conn_->ConnectionError(preparing);
      Pending prepare = Text(std::move(preparing));
      prepare.prepared_key = key;
      pending_.push_back(std::move(prepare));
      it = statements_.emplace(key, name).first;
    }
    params_.clear();
    for (size_t i = 0; i < values.size(); ++i)
      params_.push_back(present.size() > i && !present[i] ? nullptr : values[i].c_str());
    if (PQsendQueryPrepared(conn_->raw(), it->second.c_str(), static_cast<int>(params_.size()),
                            params_.data(), nullptr, nullptr, 0) != 1)
      return conn_->ConnectionError(what.Describe());
    pending_.push_back(std::move(what));
    return MaybeSync();
  }

  Status Send(const std::string& sql, const std::vector<const char*>& params, std::string what) {
    if (PQsendQueryParams(conn_->raw(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                          params.data(), nullptr, nullptr, 0) != 1)
      return conn_->ConnectionError(what);
    pending_.push_back(Text(std::move(what)));
    return MaybeSync();
  }

  Status MaybeSync() {
    if (pending_.size() >= kSyncEvery) return Sync();
    return Status::Ok();
  }

  // Sends a sync point and consumes every pending result. The first failure wins; later
  // statements of the pipeline are aborted by the server and reported through it.
  Status Sync() {
    RETURN_IF_ERROR(SendSync());
    return Collect();
  }

  // Ends the statements sent so far with a sync point (their results are read by Collect).
  Status SendSync() {
    if (PQpipelineSync(conn_->raw()) != 1) return conn_->ConnectionError("pipeline sync");
    Pending marker;
    marker.sync_point = true;
    pending_.push_back(std::move(marker));
    ++syncs_in_flight_;
    return Status::Ok();
  }

  // Consumes the results of the pending statements up to the last sync point sent (statements
  // sent after it stay pending). A pipeline that failed reports its first failure; a sync
  // point ends the failure (statements after it run again).
  Status Collect() {
    if (syncs_in_flight_ == 0) return Status::Ok();
    auto wait_started = std::chrono::steady_clock::now();
    ++syncs_;
    Status first;
    TableSchemaPtr first_table;  // the table the first failing statement wrote
    while (syncs_in_flight_ > 0) {
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      if (p.sync_point) {
        // The sync point's own result.
        while (PGresult* r = PQgetResult(conn_->raw())) {
          bool is_sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
          PQclear(r);
          if (is_sync) break;
        }
        --syncs_in_flight_;
        continue;
      }
      ++statements_sent_;
      PGresult* r = PQgetResult(conn_->raw());
      if (!r) {
        if (first.ok()) first = conn_->ConnectionError(p.Describe());
        if (!p.prepared_key.empty()) statements_.erase(p.prepared_key);
        continue;
      }
      ExecStatusType st = PQresultStatus(r);
      // A PREPARE that failed or was aborted with an earlier failure of the pipeline did not
      // create its statement: the next use prepares it again.
      if (!p.prepared_key.empty() && st != PGRES_COMMAND_OK) statements_.erase(p.prepared_key);
      if (st == PGRES_FATAL_ERROR && first.ok()) {
        first = conn_->ErrorFrom(r, p.Describe());
        first_table = p.table ? p.table : p.about;
      } else if (st == PGRES_TUPLES_OK && p.rows) {
        for (int row = 0; row < PQntuples(r); ++row) {
          auto& out = p.rows->emplace_back();
          for (int col = 0; col < PQnfields(r); ++col) {
            out.push_back(PQgetisnull(r, row, col)
                              ? Value::Null()
                              : Value::String(ValueKind::kText, PQgetvalue(r, row, col)));
          }
        }
      } else if (st == PGRES_COMMAND_OK && p.expected_rows >= 0) {
        int64_t touched = std::atoll(PQcmdTuples(r));
        if (touched < p.expected_rows) {
          const TableSchemaPtr& t = p.table ? p.table : p.about;
          ReportRowsNotFound(RowsNotFound{.op = p.op,
                                          .table = t ? t->name : TableName{},
                                          .key = p.key,
                                          .expected = p.expected_rows,
                                          .missing = p.expected_rows - touched});
        }
      }
      PQclear(r);
      while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);  // end of this query
    }
    sync_wait_ += std::chrono::steady_clock::now() - wait_started;
    if (PQstatus(conn_->raw()) == CONNECTION_BAD && first.ok())
      first = conn_->ConnectionError("applying changes");
    if (first_table) return ExplainLockWait(uri_, options_, first, TargetName(*first_table));
    return first;
  }

  // The table of the batch being applied, kept alive for messages about its statements.
  TableSchemaPtr Shared(const TableSchema& t) {
    return &t == batch_table_.get() ? batch_table_ : nullptr;
  }
  TableSchemaPtr batch_table_;

  std::unique_ptr<PgConn> conn_;
  std::string task_;
  std::string uri_;
  SinkOptions options_;
  std::unordered_map<std::string, std::string> statements_;  // key -> prepared name
  size_t next_statement_ = 0;
  std::deque<Pending> pending_;
  std::vector<std::string> values_;
  std::vector<bool> present_;
  std::vector<const char*> params_;
  std::string scratch_;
  std::vector<std::string> arrays_;          // bulk parameters, one text[] literal per column
  size_t syncs_in_flight_ = 0;               // sync points in pending_
  std::unique_ptr<PgReadAhead> read_ahead_;  // null: none
  std::unordered_map<std::string, std::string> read_ahead_sql_;  // table -> its SELECT
  std::vector<std::string> read_ahead_params_;
  int64_t statements_sent_ = 0, syncs_ = 0;  // for the closing log line
  std::chrono::steady_clock::duration sync_wait_{};
};

}  // namespace

Result<std::unique_ptr<Applier>> PgSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-apply",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  auto applier = std::make_unique<PgApplier>(std::move(conn), task, uri_, options_);
  RETURN_IF_ERROR(applier->Init());
  return std::unique_ptr<Applier>(std::move(applier));
}
}  // namespace cutover::pg
