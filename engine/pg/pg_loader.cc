// PgSink's full load (pg_sink.h): one connection and one transaction per table; COPY in, the
// primary key and the indexes of foreign keys with actions after the data, the table_state row,
// COMMIT.
#include <memory>
#include <optional>
#include <string>

#include "engine/core/generated_columns.h"
#include "engine/core/naming.h"
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

// The primary key and the indexes of foreign keys with actions, after the data of a table this
// load created.
Status AddKeyAfterLoad(PgConn& conn, const TableSchema& table) {
  std::string what = "table " + table.name.ToString();
  std::string qualified = QualifiedName(conn, TargetName(table));
  if (!table.key.empty()) {
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

class PgTableLoader : public TableLoader {
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
  Status started = loader->Start();
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
    RETURN_IF_ERROR(conn->ExecParams("INSERT INTO cutover.load_range (task, table_schema, "
                                     "table_name, range_no, key_column, lo, hi) VALUES ($1, $2, "
                                     "$3, $4, $5, $6, $7)",
                                     {task.c_str(), table.name.schema.c_str(),
                                      table.name.name.c_str(), index.c_str(), column.c_str(),
                                      lo ? lo->c_str() : nullptr, hi ? hi->c_str() : nullptr},
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
  Status started = loader->Start();
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
