#include "engine/pg/pg_sink.h"

#include <deque>
#include <unordered_map>

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
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover-load"));
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
      ddl += ")";
      RETURN_IF_ERROR(conn->ExecOk(ddl, what + ": creating table"));
      break;
    }
    case TablePrep::kTruncate:
      RETURN_IF_ERROR(conn->ExecOk("TRUNCATE " + qualified, what + ": TRUNCATE"));
      break;
    case TablePrep::kDoNothing:
      break;
  }
  auto loader = std::make_unique<PgTableLoader>(std::move(conn), task, table,
                                                prep == TablePrep::kDropAndCreate);
  RETURN_IF_ERROR(loader->Start());
  return std::unique_ptr<TableLoader>(std::move(loader));
}

// ---------------------------------------------------------------------------------------------
// CDC apply

class PgApplier : public Applier {
 public:
  PgApplier(std::unique_ptr<PgConn> conn, std::string task)
      : conn_(std::move(conn)), task_(std::move(task)) {}

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

    std::string Describe() const {
      if (!table) return what;
      std::string s = std::string(ChangeOpName(op)) + " on " + table->name.ToString() + " key (";
      for (size_t i = 0; i < key.size(); ++i) s += (i ? ", " : "") + key[i].DebugString();
      return s + ")";
    }
  };

  static Pending Text(std::string what, int64_t expected_rows = -1) {
    Pending p;
    p.what = std::move(what);
    p.expected_rows = expected_rows;
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
        Text("insert of " + std::to_string(rows.size()) + " row(s) into " + t.name.ToString()));
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
             static_cast<int64_t>(rows.size())));
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
             static_cast<int64_t>(rows.size())));
  }

  Status AddParam(const TableSchema& t, const std::vector<Value>& row, size_t i) {
    ASSIGN_OR_RETURN(PgWrite w, CheckValue(t, row, i));
    if (w == PgWrite::kNull) {
      values_.emplace_back();
      present_.push_back(false);
    } else {
      std::string s;
      EncodeText(row[i], s);
      values_.push_back(std::move(s));
      present_.push_back(true);
    }
    return Status::Ok();
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
    for (Pending& p : pending_) {
      PGresult* r = PQgetResult(conn_->raw());
      if (!r) {
        if (first.ok()) first = conn_->ConnectionError(p.Describe());
        continue;
      }
      ExecStatusType st = PQresultStatus(r);
      if (st == PGRES_FATAL_ERROR && first.ok()) {
        first = conn_->ErrorFrom(r, p.Describe());
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
    return first;
  }

  std::unique_ptr<PgConn> conn_;
  std::string task_;
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
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover-apply"));
  RETURN_IF_ERROR(conn->ExecOk(kControlDdl, "creating control tables"));
  auto applier = std::make_unique<PgApplier>(std::move(conn), task);
  RETURN_IF_ERROR(applier->Init());
  return std::unique_ptr<Applier>(std::move(applier));
}

// ---------------------------------------------------------------------------------------------

Result<TaskState> PgSink::ReadTaskState(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
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
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
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

std::vector<std::string> PgSink::MappingWarnings(const TableSchema& table) const {
  return PgMappingWarnings(table);
}

}  // namespace cutover::pg
