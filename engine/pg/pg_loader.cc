// PgSink's full load (pg_sink.h): one connection and one transaction per table; COPY in, the
// primary key and the indexes of foreign keys with actions after the data, the table_state row,
// COMMIT.
#include <memory>
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
        if (!fk.HasAction() || IndexCovers(table_, fk)) continue;
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

}  // namespace

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
  auto loader = std::make_unique<PgTableLoader>(std::move(conn), task, table,
                                                prep == TablePrep::kDropAndCreate);
  Status started = loader->Start();
  if (!started.ok()) return ExplainLockWait(uri_, options_, started, TargetName(table));
  return std::unique_ptr<TableLoader>(std::move(loader));
}

}  // namespace cutover::pg
