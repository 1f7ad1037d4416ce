#include "engine/pg/pg_sink.h"

#include <deque>
#include <map>
#include <unordered_map>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/lossy.h"
#include "engine/core/naming.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_target_types.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

namespace {

constexpr const char* kControlDdl =
    "CREATE SCHEMA IF NOT EXISTS cutover;"
    "CREATE TABLE IF NOT EXISTS cutover.checkpoint ("
    "  task text PRIMARY KEY, position text NOT NULL, updated_at timestamptz NOT NULL);"
    "CREATE TABLE IF NOT EXISTS cutover.table_state ("
    "  task text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
    "  snapshot_position text NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL,"
    "  PRIMARY KEY (task, table_schema, table_name));";

std::string ColumnList(PgConn& conn, const TableSchema& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i) out += ", ";
    out += conn.QuoteIdent(t.columns[i].name);
  }
  return out;
}

std::string KeyList(PgConn& conn, const TableSchema& t) {
  std::string out;
  for (size_t i = 0; i < t.key.size(); ++i) {
    if (i) out += ", ";
    out += conn.QuoteIdent(t.columns[t.key[i]].name);
  }
  return out;
}

// Checks column `i` of `row` for the target (PgTargetValue: the one check of the full load and
// both apply modes): reports a lossy rule it hits, errors name table, key, column and value.
Result<PgWrite> CheckValue(const TableSchema& t, const std::vector<Value>& row, size_t i) {
  LossyRule applied;
  Result<PgWrite> w = PgTargetValue(t.columns[i], t.engine, row[i], applied);
  if (!w.ok()) return RowContext(w.status(), t, row);
  if (applied != LossyRule::kNone) LossyNotices::Run().Hit(t, i, applied, row);
  return w;
}

}  // namespace

// Where a source table lands here (engine/core/naming.h).
static TableName TargetName(const TableSchema& t) {
  return TargetTableName(t, "postgresql", "");
}

// ---------------------------------------------------------------------------------------------
// Sessions (engine/core/target_session.h)

static constexpr const char* kReplicaRoleGrant =
    "GRANT SET ON PARAMETER session_replication_role TO <cutover's role> (PostgreSQL 15+), or "
    "connect as a superuser";

// Connects a target session whose lock waits are bounded; `replica` also switches off the
// target's triggers and foreign keys for it.
static Result<std::unique_ptr<PgConn>> ConnectTarget(const std::string& uri,
                                                     const SinkOptions& options,
                                                     std::string_view application, bool replica) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri, ConnMode::kNormal, application));
  RETURN_IF_ERROR(
      conn->ExecOk("SET lock_timeout = '" + std::to_string(options.lock_timeout.count()) + "s'",
                   "bounding lock waits of the target session (lock_timeout)"));
  if (replica) {
    RETURN_IF_ERROR(conn->ExecOk(
        "SET session_replication_role = replica",
        std::string("switching off target triggers and foreign keys for cutover's session "
                    "(session_replication_role = replica; ") +
            kReplicaRoleGrant + ")"));
  }
  return conn;
}

static bool IsLockTimeout(const Status& s) {
  return !s.ok() && s.message().find("[SQLSTATE 55P03]") != std::string::npos;
}

// `s` when it is not a lock wait that timed out; else `s` naming `table` and the sessions that
// hold locks on it (asked on a connection of its own: the failed one may be unusable).
static Status ExplainLockWait(const std::string& uri, const SinkOptions& options, const Status& s,
                              const TableName& table) {
  if (!IsLockTimeout(s)) return s;
  std::vector<std::string> holders;
  auto conn = PgConn::Connect(uri, ConnMode::kNormal, "cutover lock diagnosis");
  if (conn.ok()) {
    std::string qualified = QualifiedName(**conn, table);
    auto r = (*conn)->ExecParams(
        "SELECT format('session %s (user %s, application %s, %s%s, holding %s; its last "
        "statement: %s)', a.pid, a.usename, coalesce(nullif(a.application_name, ''), '-'), "
        "a.state, coalesce(' for ' || extract(epoch FROM now() - a.xact_start)::bigint || ' s "
        "in its transaction', ''), string_agg(DISTINCT l.mode, ', '), "
        "left(regexp_replace(a.query, '[[:space:]]+', ' ', 'g'), 100)) "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'relation' AND l.granted AND l.relation = to_regclass($1) "
        "AND l.pid <> pg_backend_pid() GROUP BY a.pid, a.usename, a.application_name, a.state, "
        "a.xact_start, a.query ORDER BY a.xact_start",
        {qualified.c_str()}, "looking for the holders of locks on " + table.ToString());
    if (r.ok()) {
      for (int i = 0; i < r->rows(); ++i) holders.push_back(r->str(i, 0));
    }
  }
  return LockWaitTimedOut(s, "table " + table.ToString(), holders, options.lock_timeout);
}

// ---------------------------------------------------------------------------------------------
// Full load

// Whether the text form of values of `kind` may contain a byte COPY text must escape
// (backslash, tab, newline, carriage return).
static bool NeedsCopyEscaping(ValueKind kind) {
  switch (kind) {
    case ValueKind::kText:
    case ValueKind::kBytes:  // "\x..." has a backslash
    case ValueKind::kJson:
    case ValueKind::kOther:
      return true;
    default:
      return false;
  }
}

class PgTableLoader : public TableLoader {
 public:
  PgTableLoader(std::unique_ptr<PgConn> conn, std::string task, const TableSchema& table,
                bool add_key_after_load)
      : conn_(std::move(conn)),
        task_(std::move(task)),
        table_(table),
        qualified_(QualifiedName(*conn_, TargetName(table))),
        add_key_after_load_(add_key_after_load) {
    buf_.reserve(kFlushBytes + 4096);
  }

  Status Start() {
    std::string copy = "COPY " + qualified_ + " (" + ColumnList(*conn_, table_) + ") FROM STDIN";
    return conn_->ExecOk(copy, "table " + table_.name.ToString() + ": COPY FROM STDIN");
  }

  Status Write(const std::vector<Value>& row) override {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) buf_ += '\t';
      const Value& v = row[i];
      ASSIGN_OR_RETURN(PgWrite w, CheckValue(table_, row, i));
      if (w == PgWrite::kNull) {
        AppendCopyNull(buf_);
      } else if (!NeedsCopyEscaping(v.kind())) {
        EncodeText(v, buf_);  // digits, dates, uuids: nothing COPY would have to escape
      } else {
        scratch_.clear();
        EncodeText(v, scratch_);
        AppendCopyField(buf_, scratch_);
      }
    }
    buf_ += '\n';
    if (buf_.size() >= kFlushBytes) return Flush();
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    std::string what = "table " + table_.name.ToString();
    RETURN_IF_ERROR(Flush());
    if (PQputCopyEnd(conn_->raw(), nullptr) != 1)
      return conn_->ConnectionError(what + ": ending COPY");
    PgResult res(PQgetResult(conn_->raw()));
    if (PQresultStatus(res.raw()) != PGRES_COMMAND_OK)
      return conn_->ErrorFrom(res.raw(), what + ": COPY FROM STDIN");
    while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);
    if (add_key_after_load_ && !table_.key.empty()) {
      RETURN_IF_ERROR(conn_->ExecOk(
          "ALTER TABLE " + qualified_ + " ADD PRIMARY KEY (" + KeyList(*conn_, table_) + ")",
          what + ": adding primary key"));
    }
    if (add_key_after_load_) {
      // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
      for (const ForeignKey& fk : table_.foreign_keys) {
        if (!fk.HasAction()) continue;
        std::string cols;
        for (size_t j = 0; j < fk.columns.size(); ++j)
          cols += (j ? ", " : "") + conn_->QuoteIdent(table_.columns[fk.columns[j]].name);
        RETURN_IF_ERROR(conn_->ExecOk("CREATE INDEX ON " + qualified_ + " (" + cols + ")",
                                      what + ": indexing foreign key " + fk.name));
      }
    }
    std::string rows_text = std::to_string(rows);
    RETURN_IF_ERROR(
        conn_
            ->ExecParams("INSERT INTO cutover.table_state VALUES ($1, $2, $3, $4, $5, now()) "
                         "ON CONFLICT (task, table_schema, table_name) DO UPDATE SET "
                         "snapshot_position = excluded.snapshot_position, rows = "
                         "excluded.rows, loaded_at = excluded.loaded_at",
                         {task_.c_str(), table_.name.schema.c_str(), table_.name.name.c_str(),
                          snapshot.text.c_str(), rows_text.c_str()},
                         what + ": recording load state")
            .status());
    return conn_->ExecOk("COMMIT", what + ": COMMIT");
  }

 private:
  static constexpr size_t kFlushBytes = 256 * 1024;

  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    if (PQputCopyData(conn_->raw(), buf_.data(), static_cast<int>(buf_.size())) != 1)
      return conn_->ConnectionError("table " + table_.name.ToString() + ": COPY data");
    buf_.clear();
    return Status::Ok();
  }

  std::unique_ptr<PgConn> conn_;
  std::string task_;
  TableSchema table_;
  std::string qualified_;
  bool add_key_after_load_;
  std::string buf_;
  std::string scratch_;
};

Result<std::unique_ptr<TableLoader>> PgSink::BeginTableLoad(const std::string& task,
                                                            const TableSchema& table,
                                                            TablePrep prep) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-load",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  std::string qualified = QualifiedName(*conn, TargetName(table));
  if (prep == TablePrep::kDropAndCreate) {
    // Outside the table's transaction: parallel loaders may create the same schema.
    Status s =
        conn->ExecOk("CREATE SCHEMA IF NOT EXISTS " + conn->QuoteIdent(TargetName(table).schema));
    if (!s.ok()) {  // a concurrent CREATE SCHEMA can lose the race once; the schema then exists
      RETURN_IF_ERROR(
          conn->ExecOk("CREATE SCHEMA IF NOT EXISTS " + conn->QuoteIdent(TargetName(table).schema),
                       what + ": creating schema"));
    }
  }
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", what + ": BEGIN"));
  switch (prep) {
    case TablePrep::kDropAndCreate: {
      std::string ddl = "DROP TABLE IF EXISTS " + qualified + "; CREATE TABLE " + qualified + " (";
      for (size_t i = 0; i < table.columns.size(); ++i) {
        const Column& c = table.columns[i];
        if (i) ddl += ", ";
        ddl += conn->QuoteIdent(c.name) + " " + TargetColumnType(c, table.engine);
        if (!c.nullable) ddl += " NOT NULL";
      }
      for (const Column& c : table.computed) {  // columns the target computes itself
        ASSIGN_OR_RETURN(std::string expr, TranslateGeneratedExpression(table, c, engine()));
        ddl += ", " + conn->QuoteIdent(c.name) + " " + TargetColumnType(c, table.engine) +
               " GENERATED ALWAYS AS (" + expr + ") STORED";
      }
      ddl += ")";
      RETURN_IF_ERROR(conn->ExecOk(ddl, what + ": creating table"));
      break;
    }
    case TablePrep::kTruncate:  // emptied by PrepareTables, together with the other tables
    case TablePrep::kDoNothing:
      break;
  }
  auto loader = std::make_unique<PgTableLoader>(std::move(conn), task, table,
                                                prep == TablePrep::kDropAndCreate);
  Status started = loader->Start();
  if (!started.ok()) return ExplainLockWait(uri_, options_, started, TargetName(table));
  return std::unique_ptr<TableLoader>(std::move(loader));
}

// ---------------------------------------------------------------------------------------------
// CDC apply

class PgApplier : public Applier {
 public:
  PgApplier(std::unique_ptr<PgConn> conn, std::string task, std::string uri, SinkOptions options)
      : conn_(std::move(conn)), task_(std::move(task)), uri_(std::move(uri)), options_(options) {}

  Status Init() {
    // Changes are located by key, as PostgreSQL's own apply worker does. Without this the
    // planner picks sequential scans for small tables, which inside a long target transaction
    // read every dead version the transaction itself left behind (3.5x slower in row mode).
    RETURN_IF_ERROR(conn_->ExecOk("SET enable_seqscan = off", "configuring the apply session"));
    if (PQenterPipelineMode(conn_->raw()) != 1)
      return conn_->ConnectionError("entering pipeline mode");
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
    if (!b.updates.empty()) {
      // Rows with the same unchanged (TOAST) columns share a statement.
      std::unordered_map<std::string, std::vector<const std::vector<Value>*>> by_mask;
      for (const auto& row : b.updates) {
        std::string mask(row.size(), '1');
        for (size_t i = 0; i < row.size(); ++i)
          if (row[i].is_unchanged()) mask[i] = '0';
        by_mask[mask].push_back(&row);
      }
      for (auto& [mask, rows] : by_mask) RETURN_IF_ERROR(BulkUpdate(t, mask, rows));
    }
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

  Status Commit(const Position& applied) override {
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
    return Sync();
  }

 private:
  static constexpr size_t kSyncEvery = 1000;

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

    std::string Describe() const {
      if (!table) return what;
      std::string s = std::string(ChangeOpName(op)) + " on " + table->name.ToString() + " key (";
      for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + key[i].DebugString();
      return s + ")";
    }
  };

  static Pending Text(std::string what, int64_t expected_rows = -1,
                      TableSchemaPtr about = nullptr) {
    Pending p;
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
    return SendPrepared(
        "bd" + t.name.ToString(),
        [&] {
          std::string sql = "DELETE FROM " + QualifiedName(*conn_, TargetName(t)) +
                            " AS t_ USING " + Unnest(t.key.size()) + " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND t_." : "t_.") + conn_->QuoteIdent(t.columns[t.key[j]].name) +
                   " = v_.p" + std::to_string(j + 1) + Cast(t, t.key[j]);
          }
          return sql;
        },
        arrays_, present_,
        Text("delete of " + std::to_string(rows.size()) + " row(s) from " + t.name.ToString(),
             static_cast<int64_t>(rows.size()), Shared(t)));
  }

  Status BulkUpdate(const TableSchema& t, const std::string& mask,
                    const std::vector<const std::vector<Value>*>& rows) {
    std::vector<size_t> set_cols;
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (mask[c] == '1' && !t.IsKeyColumn(c)) set_cols.push_back(c);
    if (set_cols.empty()) return Status::Ok();  // nothing but the key: the row is unchanged
    arrays_.clear();
    present_.clear();
    auto get = [](const std::vector<Value>* r) -> const std::vector<Value>& { return *r; };
    for (size_t k : t.key) RETURN_IF_ERROR(AddArrayParam(t, rows, k, get));
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
          sql += " FROM " + Unnest(t.key.size() + set_cols.size()) + " WHERE ";
          for (size_t j = 0; j < t.key.size(); ++j) {
            sql += (j ? " AND t_." : "t_.") + conn_->QuoteIdent(t.columns[t.key[j]].name) +
                   " = v_.p" + std::to_string(j + 1) + Cast(t, t.key[j]);
          }
          return sql;
        },
        arrays_, present_,
        Text("update of " + std::to_string(rows.size()) + " row(s) of " + t.name.ToString(),
             static_cast<int64_t>(rows.size()), Shared(t)));
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
      std::string name = "s" + std::to_string(statements_.size());
      std::string sql = make_sql();
      std::string preparing = "preparing statement for " + what.Describe();
      if (PQsendPrepare(conn_->raw(), name.c_str(), sql.c_str(), 0, nullptr) != 1)
        return conn_->ConnectionError(preparing);
      pending_.push_back(Text(std::move(preparing)));
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
    if (PQpipelineSync(conn_->raw()) != 1) return conn_->ConnectionError("pipeline sync");
    Status first;
    TableSchemaPtr first_table;  // the table the first failing statement wrote
    for (Pending& p : pending_) {
      PGresult* r = PQgetResult(conn_->raw());
      if (!r) {
        if (first.ok()) first = conn_->ConnectionError(p.Describe());
        continue;
      }
      ExecStatusType st = PQresultStatus(r);
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
          missing_rows_ += p.expected_rows - touched;
          if (++missing_reports_ <= 10) {
            Log(LogLevel::kWarn,
                "{}: {} of {} target row(s) not found (the target differs from the source)",
                p.Describe(), p.expected_rows - touched, p.expected_rows);
          }
        }
      }
      PQclear(r);
      while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);  // end of this query
    }
    pending_.clear();
    // The sync point's own result.
    while (PGresult* r = PQgetResult(conn_->raw())) {
      bool is_sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
      PQclear(r);
      if (is_sync) break;
    }
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
  std::deque<Pending> pending_;
  std::vector<std::string> values_;
  std::vector<bool> present_;
  std::vector<const char*> params_;
  std::string scratch_;
  int64_t missing_rows_ = 0;
  int64_t missing_reports_ = 0;
  std::vector<std::string> arrays_;  // bulk parameters, one text[] literal per column
};

Result<std::unique_ptr<Applier>> PgSink::OpenApplier(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-apply",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  RETURN_IF_ERROR(conn->ExecOk(kControlDdl, "creating control tables"));
  auto applier = std::make_unique<PgApplier>(std::move(conn), task, uri_, options_);
  RETURN_IF_ERROR(applier->Init());
  return std::unique_ptr<Applier>(std::move(applier));
}

// ---------------------------------------------------------------------------------------------

Result<TaskState> PgSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  RETURN_IF_ERROR(conn->ExecOk(kControlDdl, "creating control tables on the target"));
  TaskState state;
  ASSIGN_OR_RETURN(auto cp,
                   conn->ExecParams("SELECT position FROM cutover.checkpoint WHERE task = $1",
                                    {task.c_str()}, "reading checkpoint"));
  if (cp.rows() == 1) state.applied = Position{0, 0, cp.str(0, 0)};
  ASSIGN_OR_RETURN(auto ts, conn->ExecParams("SELECT table_schema, table_name, snapshot_position, "
                                             "rows FROM cutover.table_state WHERE task = $1",
                                             {task.c_str()}, "reading table state"));
  for (int r = 0; r < ts.rows(); ++r) {
    TableLoadState s;
    s.snapshot.text = ts.str(r, 2);
    s.rows = std::stoll(ts.str(r, 3));
    state.loaded[TableName{ts.str(r, 0), ts.str(r, 1)}] = s;
  }
  return state;
}

Status PgSink::DropTask(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover", /*replica=*/false));
  ASSIGN_OR_RETURN(auto exists, conn->Exec("SELECT to_regclass('cutover.checkpoint') IS NOT NULL"));
  if (exists.get(0, 0) != "t") return Status::Ok();
  RETURN_IF_ERROR(conn->ExecParams("DELETE FROM cutover.checkpoint WHERE task = $1", {task.c_str()},
                                   "removing checkpoint")
                      .status());
  return conn
      ->ExecParams("DELETE FROM cutover.table_state WHERE task = $1", {task.c_str()},
                   "removing table state")
      .status();
}

// Pre-created target tables: their generated columns against the source's (generated_columns.h).
static Status CheckPrecreatedGenerated(PgConn& conn, const std::vector<TableSchemaPtr>& tables,
                                       StartReport& problems) {
  for (const TableSchemaPtr& t : tables) {
    TableName target = TargetName(*t);
    std::string rel = QualifiedName(conn, target);
    ASSIGN_OR_RETURN(
        auto r,
        conn.ExecParams("SELECT attname, attgenerated <> '' FROM pg_attribute "
                        "WHERE attrelid = to_regclass($1) AND attnum > 0 "
                        "AND NOT attisdropped",
                        {rel.c_str()}, "target table " + target.ToString() + ": reading columns"));
    std::vector<TargetColumn> columns;
    for (int i = 0; i < r.rows(); ++i) columns.push_back({r.str(i, 0), r.get(i, 1) == "t"});
    CheckPrecreatedColumns(*t, target, columns, false, problems);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Checking and preparing the target's tables

namespace {

// A text[] literal of `items`.
std::string TextArray(const std::vector<std::string>& items) {
  std::string a = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    a += i ? ",\"" : "\"";
    for (char ch : items[i]) {
      if (ch == '"' || ch == '\\') a += '\\';
      a += ch;
    }
    a += '"';
  }
  return a + "}";
}

// A task table as it exists on the target.
struct ExistingTable {
  TableName name;
  std::string oid;
  bool partitioned = false;  // relkind 'p': TRUNCATE/LOCK cannot say ONLY
  std::string Only() const { return partitioned ? "" : "ONLY "; }
};

// The target tables of `tables` that exist, keyed by oid.
Result<std::map<std::string, ExistingTable>> ExistingTargetTables(
    PgConn& conn, const std::vector<TableSchemaPtr>& tables) {
  std::vector<std::string> schemas, names;
  for (const auto& t : tables) {
    TableName n = TargetName(*t);
    schemas.push_back(n.schema);
    names.push_back(n.name);
  }
  std::string sa = TextArray(schemas), na = TextArray(names);
  ASSIGN_OR_RETURN(
      auto r, conn.ExecParams("SELECT c.oid, n.nspname, c.relname, c.relkind = 'p' FROM "
                              "unnest($1::text[], $2::text[]) AS w(s, t) JOIN pg_namespace n ON "
                              "n.nspname = w.s JOIN pg_class c ON c.relnamespace = n.oid AND "
                              "c.relname = w.t AND c.relkind IN ('r', 'p')",
                              {sa.c_str(), na.c_str()}, "looking up the task's target tables"));
  std::map<std::string, ExistingTable> out;
  for (int i = 0; i < r.rows(); ++i) {
    out[r.str(i, 0)] =
        ExistingTable{TableName{r.str(i, 1), r.str(i, 2)}, r.str(i, 0), r.get(i, 3) == "t"};
  }
  return out;
}

std::string OidArray(const std::map<std::string, ExistingTable>& tables) {
  std::string a = "{";
  for (const auto& [oid, t] : tables) a += (a.size() > 1 ? "," : "") + oid;
  return a + "}";
}

// A foreign key touching the task's tables.
struct ForeignKeyRef {
  std::string name;  // constraint name
  std::string from_oid, to_oid;
  std::string from, to;  // qualified table names
};

Result<std::vector<ForeignKeyRef>> ForeignKeysTouching(
    PgConn& conn, const std::map<std::string, ExistingTable>& tables) {
  std::string oids = OidArray(tables);
  ASSIGN_OR_RETURN(
      auto r, conn.ExecParams("SELECT conname, conrelid, confrelid, conrelid::regclass::text, "
                              "confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                              "AND (conrelid = ANY($1::oid[]) OR confrelid = ANY($1::oid[])) "
                              "ORDER BY 4, 1",
                              {oids.c_str()}, "looking up foreign keys of the task's tables"));
  std::vector<ForeignKeyRef> out;
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({r.str(i, 0), r.str(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4)});
  return out;
}

// "BEFORE INSERT OR UPDATE" from pg_trigger.tgtype.
std::string TriggerEvent(int type) {
  std::string when = (type & 2) ? "BEFORE" : (type & 64) ? "INSTEAD OF" : "AFTER";
  std::string events;
  for (auto [bit, name] : {std::pair{4, "INSERT"}, {16, "UPDATE"}, {8, "DELETE"}, {32, "TRUNCATE"}})
    if (type & bit) events += (events.empty() ? "" : " OR ") + std::string(name);
  return when + " " + events + ((type & 1) ? " FOR EACH ROW" : "");
}

}  // namespace

Status PgSink::CheckTarget(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                           TablePrep prep, StartReport& problems) {
  (void)task;
  if (tables.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover check", /*replica=*/false));
  // Whether this role may switch triggers and foreign keys off for its sessions.
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", "checking the target"));
  Status replica = conn->ExecOk("SET LOCAL session_replication_role = replica");
  RETURN_IF_ERROR(conn->ExecOk("ROLLBACK", "checking the target"));
  if (!replica.ok() && replica.code() != StatusCode::kPermissionDenied) return replica;
  const bool can_replica = replica.ok();

  ASSIGN_OR_RETURN(auto existing, ExistingTargetTables(*conn, tables));
  if (existing.empty()) {
    replica_role_ = can_replica ? ReplicaRole::kOn : ReplicaRole::kNotNeeded;
    return Status::Ok();
  }
  std::string oids = OidArray(existing);
  ASSIGN_OR_RETURN(auto triggers,
                   conn->ExecParams("SELECT tgrelid, tgname, tgtype, tgenabled FROM pg_trigger "
                                    "WHERE NOT tgisinternal AND tgenabled <> 'D' AND "
                                    "tgrelid = ANY($1::oid[]) ORDER BY tgrelid, tgname",
                                    {oids.c_str()}, "looking up triggers of the task's tables"));
  ASSIGN_OR_RETURN(std::vector<ForeignKeyRef> fks, ForeignKeysTouching(*conn, existing));
  ASSIGN_OR_RETURN(auto role, conn->Exec("SELECT current_user", "reading the target role"));
  const std::string user = role.rows() ? role.str(0, 0) : "?";

  auto trigger_object = [&](int i) {
    const ExistingTable& t = existing.at(triggers.str(i, 0));
    return "trigger " + triggers.str(i, 1) + " on target table " + t.name.ToString();
  };
  auto trigger_fires = [&](int i) {
    return "fires " + TriggerEvent(std::atoi(triggers.str(i, 2).c_str())) +
           " on the rows cutover writes and would change what the source wrote";
  };
  const bool triggers_survive = TriggersSurvive(prep);
  if (can_replica) {
    replica_role_ = ReplicaRole::kOn;
    // ENABLE ALWAYS / ENABLE REPLICA triggers fire under session_replication_role = replica too.
    for (int i = 0; triggers_survive && i < triggers.rows(); ++i) {
      char mode = triggers.get(i, 3).empty() ? 'O' : triggers.get(i, 3)[0];
      if (mode != 'A' && mode != 'R') continue;
      const ExistingTable& t = existing.at(triggers.str(i, 0));
      problems.Refuse(trigger_object(i),
                      trigger_fires(i) + " (it is enabled " + (mode == 'A' ? "ALWAYS" : "REPLICA") +
                          ", so session_replication_role = replica does not switch it off)",
                      "ALTER TABLE " + QualifiedName(*conn, t.name) + " ENABLE TRIGGER " +
                          conn->QuoteIdent(triggers.str(i, 1)) +
                          " while replicating (it then fires for the application only)");
    }
  } else {
    // Without the switch, whatever would act on replicated rows refuses the task; with nothing
    // to switch off, the sessions run without it.
    bool any = false;
    std::string why =
        "; cutover switches these off for its own sessions with "
        "session_replication_role = replica, which role " +
        user + " may not set";
    std::string remedy = "GRANT SET ON PARAMETER session_replication_role TO " +
                         conn->QuoteIdent(user) + " (PostgreSQL 15+), or connect as a superuser";
    for (int i = 0; triggers_survive && i < triggers.rows(); ++i) {
      if (triggers.get(i, 3) == "R") continue;  // fires only in replica mode
      problems.Refuse(trigger_object(i), trigger_fires(i) + why, remedy);
      any = true;
    }
    for (const ForeignKeyRef& fk : fks) {
      bool dropped = prep == TablePrep::kDropAndCreate && existing.count(fk.from_oid);
      if (dropped) continue;  // goes with its table
      problems.Refuse(
          "foreign key " + fk.name + " of target table " + fk.from + " (references " + fk.to + ")",
          "would reject rows loaded or applied out of parent/child order and its "
          "actions would change rows the source sends itself" +
              why,
          remedy);
      any = true;
    }
    replica_role_ = any ? ReplicaRole::kOn : ReplicaRole::kNotNeeded;
  }
  if (prep == TablePrep::kDropAndCreate) {
    for (const ForeignKeyRef& fk : fks) {
      if (existing.count(fk.from_oid)) continue;
      problems.Refuse(
          "foreign key " + fk.name + " of target table " + fk.from + " (not in the task)",
          "references " + fk.to +
              ", which --table-prep drop-and-create drops: the constraint "
              "would have to be dropped with it, changing a table outside the task",
          "keep the target's schema with --table-prep truncate, add " + fk.from +
              " to the task, or drop the constraint");
    }
  }
  if (prep != TablePrep::kDropAndCreate)
    RETURN_IF_ERROR(CheckPrecreatedGenerated(*conn, tables, problems));
  return Status::Ok();
}

Status PgSink::PrepareTables(const std::string& task, const std::vector<TableSchemaPtr>& tables,
                             TablePrep prep) {
  (void)task;
  if (tables.empty() || prep == TablePrep::kDoNothing) return Status::Ok();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-prepare",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  ASSIGN_OR_RETURN(auto existing, ExistingTargetTables(*conn, tables));
  if (existing.empty()) return Status::Ok();
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", "preparing the target tables: BEGIN"));
  // One table at a time, so that a lock wait names its table and who holds it.
  for (const auto& [oid, t] : existing) {
    Status locked = conn->ExecOk(
        "LOCK TABLE " + t.Only() + QualifiedName(*conn, t.name) + " IN ACCESS EXCLUSIVE MODE",
        "target table " + t.name.ToString() + ": locking it to prepare it for the load");
    if (!locked.ok()) {
      (void)conn->ExecOk("ROLLBACK");
      return ExplainLockWait(uri_, options_, locked, t.name);
    }
  }
  if (prep == TablePrep::kDropAndCreate) {
    // Together: foreign keys between them do not block the drop.
    std::string sql = "DROP TABLE ";
    for (const auto& [oid, t] : existing)
      sql += (sql.size() > 11 ? ", " : "") + QualifiedName(*conn, t.name);
    RETURN_IF_ERROR(conn->ExecOk(sql, "dropping the target tables to create them anew"));
    return conn->ExecOk("COMMIT", "preparing the target tables: COMMIT");
  }
  // Truncate: together, except tables a foreign key of a table not being emptied references
  // (outside the task, or loaded already): TRUNCATE would refuse them (or cascade with CASCADE).
  ASSIGN_OR_RETURN(std::vector<ForeignKeyRef> fks, ForeignKeysTouching(*conn, existing));
  std::map<std::string, const ForeignKeyRef*> kept_by;  // oid emptied with DELETE -> why
  for (bool changed = true; changed;) {
    changed = false;
    for (const ForeignKeyRef& fk : fks) {
      bool from_truncated = existing.count(fk.from_oid) && !kept_by.count(fk.from_oid);
      if (existing.count(fk.to_oid) && !kept_by.count(fk.to_oid) && !from_truncated) {
        kept_by[fk.to_oid] = &fk;
        changed = true;
      }
    }
  }
  std::string truncate;
  for (const auto& [oid, t] : existing) {
    std::string q = t.Only() + QualifiedName(*conn, t.name);
    auto why = kept_by.find(oid);
    if (why == kept_by.end()) {
      truncate += (truncate.empty() ? "TRUNCATE " : ", ") + q;
      continue;
    }
    Log(LogLevel::kInfo,
        "target table {}: emptied with DELETE rather than TRUNCATE, because foreign key {} of {} "
        "references it and that table is not being reloaded (it is left as it is)",
        t.name.ToString(), why->second->name, why->second->from);
    RETURN_IF_ERROR(
        conn->ExecOk("DELETE FROM " + q, "target table " + t.name.ToString() + ": emptying it"));
  }
  if (!truncate.empty())
    RETURN_IF_ERROR(conn->ExecOk(truncate, "emptying the target tables (TRUNCATE)"));
  return conn->ExecOk("COMMIT", "preparing the target tables: COMMIT");
}

std::vector<std::string> PgSink::MappingWarnings(const TableSchema& table) const {
  return PgMappingWarnings(table);
}

}  // namespace cutover::pg
