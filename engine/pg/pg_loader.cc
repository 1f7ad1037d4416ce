// PgSink's full load (pg_sink.h): one connection and one transaction per table; COPY in, the
// primary key and the indexes of foreign keys with actions after the data, the table_state row,
// COMMIT. The COPY starts with the first row: text COPY for Values (Write), binary COPY for a
// PostgreSQL source's bytes passed through unchanged (WriteRaw, engine/core/raw_rows.h) when the
// target table's columns read them as the same values. Under error policies that divert a
// refused row (engine/core/load_refusals.h), rows go instead through PgLoadApplier: a text COPY
// per window of rows, each under a savepoint, so a refused row is isolated and recorded.
#include <memory>
#include <optional>
#include <string>

#include "engine/core/generated_columns.h"
#include "engine/core/load_refusals.h"
#include "engine/core/naming.h"
#include "engine/core/raw_rows.h"
#include "engine/core/schema_objects.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_sink.h"
#include "engine/pg/pg_sink_internal.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

namespace {

// Whether the text form of values of `kind` may contain a byte COPY text must escape
// (backslash, tab, newline, carriage return).
bool NeedsCopyEscaping(ValueKind kind) {
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

// Appends `row` as one line of text COPY to `buf` (`scratch`: room for one value's text).
Status AppendCopyRow(const TableSchema& table, const std::vector<Value>& row, std::string& buf,
                     std::string& scratch) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) buf += '\t';
    const Value& v = row[i];
    ASSIGN_OR_RETURN(PgWrite w, CheckValue(table, row, i));
    if (w == PgWrite::kNull) {
      AppendCopyNull(buf);
    } else if (!NeedsCopyEscaping(v.kind())) {
      EncodeText(v, buf);  // digits, dates, uuids: nothing COPY would have to escape
    } else {
      scratch.clear();
      EncodeText(v, scratch);
      AppendCopyField(buf, scratch);
    }
  }
  buf += '\n';
  return Status::Ok();
}

// Sends `data` (text COPY lines) as one COPY into `qualified` and waits for its result.
Status CopyText(PgConn& conn, const TableSchema& table, const std::string& qualified,
                std::string_view data) {
  std::string what = "table " + table.name.ToString() + ": COPY FROM STDIN";
  RETURN_IF_ERROR(
      conn.ExecOk("COPY " + qualified + " (" + ColumnList(conn, table) + ") FROM STDIN", what));
  if (PQputCopyData(conn.raw(), data.data(), static_cast<int>(data.size())) != 1)
    return conn.ConnectionError(what);
  if (PQputCopyEnd(conn.raw(), nullptr) != 1) return conn.ConnectionError(what + ": ending COPY");
  PgResult res(PQgetResult(conn.raw()));
  Status s = PQresultStatus(res.raw()) == PGRES_COMMAND_OK ? Status::Ok()
                                                           : conn.ErrorFrom(res.raw(), what);
  while (PGresult* extra = PQgetResult(conn.raw())) PQclear(extra);
  return s;
}

// The rows of a load under error policies that divert a refused row (engine/core/
// load_refusals.h): ApplyErrors (engine/pipeline/apply_errors.h) sends them in windows under
// savepoints of the loader's open transaction; each window is one text COPY, sent at Flush. Its
// refusals are classified, and recorded, as the CDC applier's (pg_refusals.cc).
class PgLoadApplier : public Applier {
 public:
  PgLoadApplier(PgConn& conn, const std::string& task, const TableSchema& table,
                const std::string& qualified)
      : conn_(conn), task_(task), table_(table), qualified_(qualified) {}

  Status Begin() override { return Internal("a load's rows have no Begin"); }
  Status Commit(const Position&) override { return Internal("a load's rows have no Commit"); }

  Status Apply(const Change& c) override {
    row_.clear();  // a value cutover cannot write refuses the row before anything is kept
    RETURN_IF_ERROR(AppendCopyRow(table_, c.after, row_, scratch_));
    buf_ += row_;
    ++buffered_;
    return Status::Ok();
  }
  Status Flush() override {
    if (buf_.empty()) return Status::Ok();
    std::string data;
    data.swap(buf_);
    int64_t n = buffered_;
    buffered_ = 0;
    RETURN_IF_ERROR(CopyText(conn_, table_, qualified_, data));
    applied_.Flushed(n);
    return Status::Ok();
  }
  int64_t applied() const { return applied_.count(); }

  bool SupportsSavepoints() const override { return true; }
  Status Savepoint(const std::string& name) override {
    RETURN_IF_ERROR(Flush());
    applied_.Savepoint(name);
    return conn_.ExecOk("SAVEPOINT " + name, "savepoint " + name);
  }
  Status ReleaseSavepoint(const std::string& name) override {
    RETURN_IF_ERROR(Flush());
    return conn_.ExecOk("RELEASE SAVEPOINT " + name, "release of savepoint " + name);
  }
  Status RollbackToSavepoint(const std::string& name) override {
    buf_.clear();
    buffered_ = 0;
    applied_.RolledBack(name);
    return conn_.ExecOk("ROLLBACK TO SAVEPOINT " + name, "rollback to savepoint " + name);
  }
  ApplyErrorKind ClassifyError(const Status& s) const override { return ClassifyPgError(s); }

  Status RecordException(const ApplyException& e) override {
    std::vector<std::string> params = ExceptionParams(task_, e);
    std::vector<const char*> p;
    for (const std::string& v : params) p.push_back(v.c_str());
    return conn_
        .ExecParams(kRecordExceptionSql, p,
                    "recording a refused row of " + e.table->name.ToString())
        .status();
  }
  Status AddChangeCounts(const std::map<TableName, TableChangeTotals>& counts) override {
    for (const auto& [table, n] : counts) {
      std::vector<std::string> params = TableStatsParams(task_, table, n);
      std::vector<const char*> p;
      for (const std::string& v : params) p.push_back(v.c_str());
      if (n.state.empty()) p.back() = nullptr;
      RETURN_IF_ERROR(
          conn_.ExecParams(kAddTableStatsSql, p, "recording the state of " + table.ToString())
              .status());
    }
    return Status::Ok();
  }

 private:
  PgConn& conn_;
  const std::string& task_;
  const TableSchema& table_;
  const std::string& qualified_;
  std::string buf_, row_, scratch_;
  int64_t buffered_ = 0;  // rows in buf_
  AppliedRows applied_;
};

// The primary key and the indexes of foreign keys with actions, after the data of a table this
// load created.
Status AddKeyAfterLoad(PgConn& conn, const TableSchema& table) {
  std::string what = "table " + table.name.ToString();
  std::string qualified = QualifiedName(conn, TargetName(table));
  if (!table.key.empty()) {
    // Room to sort the key in memory, as the index sessions have (pg_schema_objects.cc).
    RETURN_IF_ERROR(conn.ExecOk("SET LOCAL maintenance_work_mem = '256MB'",
                                what + ": sizing the primary key's build"));
    RETURN_IF_ERROR(
        conn.ExecOk("ALTER TABLE " + qualified + " ADD PRIMARY KEY (" + KeyList(conn, table) + ")",
                    what + ": adding primary key"));
  }
  // Foreign keys with actions are looked up by their columns (ForeignKey::HasAction).
  for (const ForeignKey& fk : table.foreign_keys) {
    if (!fk.HasAction() || IndexCovers(table, fk)) continue;
    std::string cols;
    for (size_t j = 0; j < fk.columns.size(); ++j)
      cols += (j ? ", " : "") + conn.QuoteIdent(table.columns[fk.columns[j]].name);
    RETURN_IF_ERROR(conn.ExecOk("CREATE INDEX ON " + qualified + " (" + cols + ")",
                                what + ": indexing foreign key " + fk.name));
  }
  return Status::Ok();
}

// The table_state row of a loaded table, in the open transaction.
Status RecordTableLoaded(PgConn& conn, const std::string& task, const TableSchema& table,
                         const Position& snapshot, int64_t rows) {
  std::string rows_text = std::to_string(rows);
  return conn
      .ExecParams(
          "INSERT INTO cutover.table_state VALUES ($1, $2, $3, $4, $5, now()) "
          "ON CONFLICT (task, table_schema, table_name) DO UPDATE SET "
          "snapshot_position = excluded.snapshot_position, rows = "
          "excluded.rows, loaded_at = excluded.loaded_at",
          {task.c_str(), table.name.schema.c_str(), table.name.name.c_str(), snapshot.text.c_str(),
           rows_text.c_str()},
          "table " + table.name.ToString() + ": recording load state")
      .status();
}

// Whether binary COPY bytes of a column of type `oid` (typtype `typtype`; for a domain, its base
// type's) mean the same value on another server: built-in base, range and multirange types and
// their arrays (their binary forms carry nothing server-specific; an array's carries its
// element type's OID, the same on every server for a built-in one), and enums (sent as their
// label). Not composite types (their binary form carries each field's type OID), nor types of
// extensions or users (their OIDs and binary forms vary).
bool SameBytesEverywhere(uint32_t oid, char typtype) {
  constexpr uint32_t kFirstNormalObjectId = 16384;
  if (typtype == 'e') return true;
  return oid < kFirstNormalObjectId && (typtype == 'b' || typtype == 'r' || typtype == 'm');
}

class PgTableLoader : public TableLoader, public RawRowLoader, public LoadRefusals {
 public:
  // `range`: the loader of one range of a split load (Commit marks the range done); else the
  // whole table.
  PgTableLoader(std::unique_ptr<PgConn> conn, std::string task, const TableSchema& table,
                bool add_key_after_load, std::optional<int> range = std::nullopt)
      : conn_(std::move(conn)),
        task_(std::move(task)),
        table_(table),
        qualified_(QualifiedName(*conn_, TargetName(table))),
        add_key_after_load_(add_key_after_load),
        range_(range) {
    buf_.reserve(kFlushBytes + 4096);
  }

  // Takes the lock COPY FROM takes, so that a wait for it is explained by BeginTableLoad; the
  // COPY itself starts with the first row.
  Status Lock() {
    return conn_->ExecOk("LOCK TABLE " + qualified_ + " IN ROW EXCLUSIVE MODE",
                         "table " + table_.name.ToString() + ": locking for COPY");
  }

  Status Write(const std::vector<Value>& row) override {
    if (!copying_) RETURN_IF_ERROR(StartCopy(false));
    RETURN_IF_ERROR(AppendCopyRow(table_, row, buf_, scratch_));
    if (buf_.size() >= kFlushBytes) return Flush();
    return Status::Ok();
  }

  Result<Applier*> ApplyRows() override {
    if (copying_) return Internal("table " + table_.name.ToString() + ": rows already written");
    if (!rows_) rows_ = std::make_unique<PgLoadApplier>(*conn_, task_, table_, qualified_);
    return rows_.get();
  }
  int64_t RowsApplied() const override { return rows_ ? rows_->applied() : 0; }
  ApplyErrorKind ClassifyError(const Status& error) const override {
    return ClassifyPgError(error);
  }

  Result<bool> AcceptsRaw(const RawRowFormat& format) override {
    std::string what = "table " + table_.name.ToString() + ": reading its column types";
    const char* encoding = PQparameterStatus(conn_->raw(), "client_encoding");
    std::string own = "postgresql " + std::to_string(conn_->server_version() / 10000) +
                      " binary COPY, client_encoding " + (encoding ? encoding : "unknown");
    if (format.name != own || format.column_types.size() != table_.columns.size()) return false;
    ASSIGN_OR_RETURN(
        auto res,
        conn_->ExecParams("SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                          "CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, "
                          "CASE WHEN t.typtype = 'd' THEN b.typtype ELSE t.typtype END "
                          "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                          "LEFT JOIN pg_type b ON b.oid = t.typbasetype "
                          "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                          {qualified_.c_str()}, what));
    for (size_t i = 0; i < table_.columns.size(); ++i) {
      int r = 0;
      while (r < res.rows() && res.get(r, 0) != table_.columns[i].name) ++r;
      if (r == res.rows() || res.get(r, 1) != format.column_types[i]) return false;
      std::string_view typtype = res.get(r, 3);
      if (typtype.size() != 1 ||
          !SameBytesEverywhere(static_cast<uint32_t>(std::stoul(res.str(r, 2))), typtype[0]))
        return false;
    }
    return true;
  }

  Status WriteRaw(std::string_view bytes) override {
    if (!copying_) RETURN_IF_ERROR(StartCopy(true));
    buf_.append(bytes);
    if (buf_.size() >= kFlushBytes) return Flush();
    return Status::Ok();
  }

  Status Commit(const Position& snapshot, int64_t rows) override {
    std::string what = "table " + table_.name.ToString();
    if (copying_) {
      RETURN_IF_ERROR(Flush());
      if (PQputCopyEnd(conn_->raw(), nullptr) != 1)
        return conn_->ConnectionError(what + ": ending COPY");
      PgResult res(PQgetResult(conn_->raw()));
      if (PQresultStatus(res.raw()) != PGRES_COMMAND_OK)
        return conn_->ErrorFrom(res.raw(), what + ": COPY FROM STDIN");
      while (PGresult* extra = PQgetResult(conn_->raw())) PQclear(extra);
    }
    if (range_) {
      std::string index = std::to_string(*range_), rows_text = std::to_string(rows);
      RETURN_IF_ERROR(
          conn_
              ->ExecParams("UPDATE cutover.load_range SET snapshot_position = $5, "
                           "rows = $6, loaded_at = now() WHERE task = $1 AND "
                           "table_schema = $2 AND table_name = $3 AND range_no = $4",
                           {task_.c_str(), table_.name.schema.c_str(), table_.name.name.c_str(),
                            index.c_str(), snapshot.text.c_str(), rows_text.c_str()},
                           what + ": recording range " + index + " loaded")
              .status());
      return conn_->ExecOk("COMMIT", what + ": COMMIT");
    }
    if (add_key_after_load_) RETURN_IF_ERROR(AddKeyAfterLoad(*conn_, table_));
    RETURN_IF_ERROR(RecordTableLoaded(*conn_, task_, table_, snapshot, rows));
    // A whole load replaces the ranges of an earlier split load of the table.
    RETURN_IF_ERROR(
        conn_
            ->ExecParams("DELETE FROM cutover.load_range WHERE task = $1 AND "
                         "table_schema = $2 AND table_name = $3",
                         {task_.c_str(), table_.name.schema.c_str(), table_.name.name.c_str()},
                         what + ": removing earlier ranges")
            .status());
    return conn_->ExecOk("COMMIT", what + ": COMMIT");
  }

 private:
  static constexpr size_t kFlushBytes = 256 * 1024;

  Status StartCopy(bool binary) {
    copying_ = true;
    std::string copy = "COPY " + qualified_ + " (" + ColumnList(*conn_, table_) + ") FROM STDIN";
    // FREEZE: rows of a table created in this transaction are written frozen and all-visible,
    // so the index builds, the foreign keys' validation and later vacuums do not visit every
    // page again to set hint bits.
    bool freeze = add_key_after_load_ && !range_;
    if (binary || freeze) {
      copy += " (";
      if (binary) copy += "FORMAT binary";
      if (freeze) copy += binary ? ", FREEZE" : "FREEZE";
      copy += ")";
    }
    return conn_->ExecOk(copy, "table " + table_.name.ToString() + ": COPY FROM STDIN");
  }

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
  std::optional<int> range_;
  bool copying_ = false;                 // the COPY FROM has started
  std::unique_ptr<PgLoadApplier> rows_;  // ApplyRows
  std::string buf_;
  std::string scratch_;
};

}  // namespace

// Opens a target session for a load of `table`: creates its schema for kDropAndCreate (outside
// any transaction: parallel loaders may create the same schema).
Result<std::unique_ptr<PgConn>> PgSink::ConnectLoad(const TableSchema& table, TablePrep prep) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "cutover-load",
                                            replica_role_ != ReplicaRole::kNotNeeded));
  if (prep == TablePrep::kDropAndCreate) {
    Status s =
        conn->ExecOk("CREATE SCHEMA IF NOT EXISTS " + conn->QuoteIdent(TargetName(table).schema));
    if (!s.ok()) {  // a concurrent CREATE SCHEMA can lose the race once; the schema then exists
      RETURN_IF_ERROR(
          conn->ExecOk("CREATE SCHEMA IF NOT EXISTS " + conn->QuoteIdent(TargetName(table).schema),
                       what + ": creating schema"));
    }
  }
  return conn;
}

// In the open transaction: what `prep` leaves for the table's own load (kDropAndCreate: drop and
// create it, without its primary key, added after the data).
Status PgSink::CreateLoadTable(PgConn& conn_ref, const TableSchema& table, TablePrep prep) {
  PgConn* conn = &conn_ref;
  std::string what = "target table " + table.name.ToString();
  std::string qualified = QualifiedName(*conn, TargetName(table));
  switch (prep) {
    case TablePrep::kDropAndCreate: {
      std::string ddl = "DROP TABLE IF EXISTS " + qualified + "; CREATE TABLE " + qualified + " (";
      for (size_t i = 0; i < table.columns.size(); ++i) {
        const Column& c = table.columns[i];
        if (i) ddl += ", ";
        ddl += conn->QuoteIdent(c.name) + " " + TargetColumnType(c, table.engine);
        if (!c.nullable) ddl += " NOT NULL";
        ddl += PgColumnClause(table, c);
      }
      for (const Column& c : table.computed) {  // columns the target computes itself
        ASSIGN_OR_RETURN(std::string expr, TranslateGeneratedExpression(table, c, engine()));
        ddl += ", " + conn->QuoteIdent(c.name) + " " + TargetColumnType(c, table.engine) +
               " GENERATED ALWAYS AS (" + expr + ") STORED";
      }
      ddl += ")";
      RETURN_IF_ERROR(conn->ExecOk(ddl, what + ": creating table"));
      RETURN_IF_ERROR(OwnPgSequences(*conn, table));
      break;
    }
    case TablePrep::kTruncate:  // emptied by PrepareTables, together with the other tables
    case TablePrep::kDoNothing:
      break;
  }
  return Status::Ok();
}

Result<std::unique_ptr<TableLoader>> PgSink::BeginTableLoad(const std::string& task,
                                                            const TableSchema& table,
                                                            TablePrep prep) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectLoad(table, prep));
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", what + ": BEGIN"));
  RETURN_IF_ERROR(CreateLoadTable(*conn, table, prep));
  auto loader = std::make_unique<PgTableLoader>(std::move(conn), task, table,
                                                prep == TablePrep::kDropAndCreate);
  Status started = loader->Lock();
  if (!started.ok()) return ExplainLockWait(uri_, options_, started, TargetName(table));
  return std::unique_ptr<TableLoader>(std::move(loader));
}

Status PgSink::BeginSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                              const std::vector<RangeLoadState>& ranges) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectLoad(table, prep));
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", what + ": BEGIN"));
  Status created = CreateLoadTable(*conn, table, prep);
  if (!created.ok()) return ExplainLockWait(uri_, options_, created, TargetName(table));
  RETURN_IF_ERROR(
      conn->ExecParams("DELETE FROM cutover.load_range WHERE task = $1 AND "
                       "table_schema = $2 AND table_name = $3",
                       {task.c_str(), table.name.schema.c_str(), table.name.name.c_str()},
                       what + ": removing earlier ranges")
          .status());
  for (size_t i = 0; i < ranges.size(); ++i) {
    std::string index = std::to_string(ranges[i].index);
    const std::string& column = ranges[i].column;
    std::optional<std::string> lo, hi;
    if (ranges[i].range.lo) lo = std::to_string(*ranges[i].range.lo);
    if (ranges[i].range.hi) hi = std::to_string(*ranges[i].range.hi);
    RETURN_IF_ERROR(
        conn->ExecParams("INSERT INTO cutover.load_range (task, table_schema, "
                         "table_name, range_no, key_column, lo, hi, shape) VALUES "
                         "($1, $2, $3, $4, $5, $6, $7, $8)",
                         {task.c_str(), table.name.schema.c_str(), table.name.name.c_str(),
                          index.c_str(), column.c_str(), lo ? lo->c_str() : nullptr,
                          hi ? hi->c_str() : nullptr, ranges[i].shape.c_str()},
                         what + ": recording its ranges")
            .status());
  }
  return conn->ExecOk("COMMIT", what + ": COMMIT");
}

Result<std::unique_ptr<TableLoader>> PgSink::BeginRangeLoad(const std::string& task,
                                                            const TableSchema& table, int index) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectLoad(table, TablePrep::kDoNothing));
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", what + ": BEGIN"));
  auto loader = std::make_unique<PgTableLoader>(std::move(conn), task, table, false, index);
  Status started = loader->Lock();
  if (!started.ok()) return ExplainLockWait(uri_, options_, started, TargetName(table));
  return std::unique_ptr<TableLoader>(std::move(loader));
}

Status PgSink::FinishSplitLoad(const std::string& task, const TableSchema& table, TablePrep prep,
                               const Position& snapshot, int64_t rows) {
  std::string what = "target table " + table.name.ToString();
  ASSIGN_OR_RETURN(auto conn, ConnectLoad(table, TablePrep::kDoNothing));
  RETURN_IF_ERROR(conn->ExecOk("BEGIN", what + ": BEGIN"));
  if (prep == TablePrep::kDropAndCreate) RETURN_IF_ERROR(AddKeyAfterLoad(*conn, table));
  RETURN_IF_ERROR(RecordTableLoaded(*conn, task, table, snapshot, rows));
  return conn->ExecOk("COMMIT", what + ": COMMIT");
}

}  // namespace cutover::pg
