// PgSource's snapshots (pg_source.h): an exported snapshot, from a slot created with one or from a
// plain REPEATABLE READ transaction, that every full-load reader imports on its own connection;
// each reader streams one table with COPY ... TO STDOUT, of a query when it reads a key range or
// with the task's source filter pushed into it (engine/core/read_filter.h); text, or binary
// passed through to a PostgreSQL target (engine/core/raw_rows.h).
#include <unistd.h>

#include <set>

#include "engine/core/log.h"
#include "engine/core/raw_rows.h"
#include "engine/core/read_filter.h"
#include "engine/pg/copy_binary.h"
#include "engine/pg/copy_text.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pg_types.h"
#include "engine/pg/pgoutput.h"

namespace cutover::pg {

namespace {

// Reads one table with COPY ... TO STDOUT, started at the first Next (text COPY, decoded into
// Values) or NextRaw (binary COPY, handed over as it comes: engine/core/raw_rows.h).
class PgTableReader : public TableReader, public RawRowReader {
 public:
  // `copy_sql`: the COPY statement, ending in TO STDOUT; `what` names the table (and range).
  PgTableReader(std::unique_ptr<PgConn> conn, const TableSchema& table, std::string copy_sql,
                std::string what)
      : conn_(std::move(conn)),
        table_(table),
        copy_sql_(std::move(copy_sql)),
        what_(std::move(what)),
        counter_(table_.columns.size()) {}
  ~PgTableReader() override {
    if (raw_) PQfreemem(raw_);
  }

  Result<bool> Next(std::vector<Value>& row) override {
    if (!started_) RETURN_IF_ERROR(Start(false));
    char* buf = nullptr;
    int n = PQgetCopyData(conn_->raw(), &buf, 0);
    if (n == -1) return End();
    if (n < 0) return conn_->ConnectionError("table " + table_.name.ToString() + ": COPY TO");
    std::string_view line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    Status s = decoder_.Decode(line, fields_);
    if (s.ok() && fields_.size() != table_.columns.size()) {
      s = Internal("expected " + std::to_string(table_.columns.size()) + " fields, got " +
                   std::to_string(fields_.size()));
    }
    if (s.ok()) {
      row.resize(fields_.size());
      for (size_t i = 0; i < fields_.size() && s.ok(); ++i) {
        if (!fields_[i]) {
          row[i] = Value::Null();
          continue;
        }
        s = DecodeColumnText(table_.columns[i], *fields_[i], row[i]);
        if (!s.ok()) s = s.WithContext("column " + table_.columns[i].name);
      }
    }
    PQfreemem(buf);
    if (!s.ok()) return s.WithContext("table " + table_.name.ToString());
    return true;
  }

  // Binary COPY's bytes depend on the server's major version (send functions), the session's
  // client encoding (text values) and the column types: the loader compares all three.
  Result<std::optional<RawRowFormat>> RawFormat() override {
    RawRowFormat f;
    const char* encoding = PQparameterStatus(conn_->raw(), "client_encoding");
    f.name = "postgresql " + std::to_string(conn_->server_version() / 10000) +
             " binary COPY, client_encoding " + (encoding ? encoding : "unknown");
    for (const Column& c : table_.columns) {
      if (c.type_name.empty()) return std::optional<RawRowFormat>();
      f.column_types.push_back(c.type_name);
    }
    return std::optional<RawRowFormat>(std::move(f));
  }

  Result<bool> NextRaw(std::string_view& bytes, int64_t& rows) override {
    if (!started_) RETURN_IF_ERROR(Start(true));
    if (raw_) {
      PQfreemem(raw_);
      raw_ = nullptr;
    }
    int n = PQgetCopyData(conn_->raw(), &raw_, 0);
    if (n == -1) {
      ASSIGN_OR_RETURN(bool more, End());
      if (!counter_.ended()) return Internal(what_ + ": binary COPY ended without its trailer");
      return more;
    }
    if (n < 0) return conn_->ConnectionError(what_ + ": COPY TO");
    bytes = std::string_view(raw_, static_cast<size_t>(n));
    auto counted = counter_.Count(bytes);
    if (!counted.ok()) return counted.status().WithContext(what_);
    rows = *counted;
    return true;
  }

 private:
  Status Start(bool binary) {
    started_ = true;
    return conn_->ExecOk(binary ? copy_sql_ + " (FORMAT binary)" : copy_sql_,
                         what_ + ": COPY TO STDOUT");
  }

  Result<bool> End() {
    PgResult res(PQgetResult(conn_->raw()));
    if (PQresultStatus(res.raw()) != PGRES_COMMAND_OK)
      return conn_->ErrorFrom(res.raw(), "table " + table_.name.ToString() + ": COPY TO");
    return false;
  }

  std::unique_ptr<PgConn> conn_;
  TableSchema table_;
  std::string copy_sql_;
  std::string what_;
  bool started_ = false;
  CopyLineDecoder decoder_;
  std::vector<CopyField> fields_;
  CopyBinaryCounter counter_;
  char* raw_ = nullptr;  // the message NextRaw handed over last
};

// PostgreSQL compares integers, numerics, booleans, dates, times and timestamps as cutover does
// (NaN aside: it sorts above every number, cutover's filter finds it equal to any, so NaN rows are
// always read), and text and varchar in byte order under COLLATE "C". Not pushed: character(n)
// (its comparison ignores trailing blanks), domains, enums and other types.
class PgFilterDialect : public ReadFilterDialect {
 public:
  explicit PgFilterDialect(PgConn& conn) : conn_(conn) {}
  std::string QuoteIdent(const std::string& name) const override { return conn_.QuoteIdent(name); }
  FilterColumnSql ColumnSql(const Column& c) const override {
    FilterColumnSql out;
    out.ident = conn_.QuoteIdent(c.name);
    if (c.user_type) return out;
    switch (c.type_id) {
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kBoolOid:
      case kDateOid:
      case kTimeOid:
      case kTimestampOid:
      case kTimestampTzOid:
        out.compared = out.ident;
        break;
      case kNumericOid:
        out.compared = out.ident;
        out.unsure = out.ident + " = 'NaN'::numeric";
        break;
      case kTextOid:
      case kVarcharOid:
        out.compared = out.ident + " COLLATE \"C\"";
        break;
      default:
        break;
    }
    return out;
  }
  std::optional<std::string> Literal(const Column& c, const Value& v) const override {
    (void)c;
    std::string text;
    EncodeText(v, text);
    switch (v.kind()) {
      case ValueKind::kInt64:
        return "'" + text + "'::bigint";
      case ValueKind::kDecimal:
        return "'" + text + "'::numeric";
      case ValueKind::kBool:
        return v.as_bool() ? std::string("true") : std::string("false");
      case ValueKind::kDate:
        return conn_.QuoteLiteral(text) + "::date";
      case ValueKind::kTime:
        return conn_.QuoteLiteral(text) + "::time";
      case ValueKind::kTimestamp:
        return conn_.QuoteLiteral(text) + "::timestamp";
      case ValueKind::kTimestampTz:
        return conn_.QuoteLiteral(text) + "::timestamptz";
      case ValueKind::kText:
        return conn_.QuoteLiteral(text) + "::text";
      default:
        return std::nullopt;
    }
  }

 private:
  PgConn& conn_;
};

class PgSnapshot : public Snapshot, public FilterPushdown {
 public:
  PgSnapshot(std::unique_ptr<PgConn> holder, std::string uri, std::string name, Position pos,
             std::set<TableName> partitioned)
      : holder_(std::move(holder)),
        uri_(std::move(uri)),
        name_(std::move(name)),
        pos_(std::move(pos)),
        partitioned_(std::move(partitioned)) {}

  const Position& position() const override { return pos_; }

  Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) override {
    return Open(table, nullptr);
  }

  Result<std::unique_ptr<TableReader>> OpenRangeReader(const TableSchema& table,
                                                       const KeyRange& range) override {
    return Open(table, &range);
  }

  Result<std::unique_ptr<TableReader>> OpenFilteredReader(const TableSchema& table,
                                                          const KeyRange* range,
                                                          const ReadFilter& filter) override {
    return Open(table, range, &filter);
  }

  Result<std::optional<std::pair<int64_t, int64_t>>> KeyBounds(const TableSchema& table,
                                                               size_t column) override {
    std::string what = "table " + table.name.ToString();
    ASSIGN_OR_RETURN(auto conn, Import(what));
    std::string col = conn->QuoteIdent(table.columns.at(column).name);
    ASSIGN_OR_RETURN(
        auto res, conn->Exec("SELECT min(" + col + "), max(" + col + ") FROM " + From(*conn, table),
                             what + ": reading the key's bounds"));
    (void)conn->ExecOk("COMMIT");
    if (res.rows() != 1 || res.is_null(0, 0)) return std::optional<std::pair<int64_t, int64_t>>();
    return std::optional<std::pair<int64_t, int64_t>>(
        std::pair<int64_t, int64_t>{std::stoll(res.str(0, 0)), std::stoll(res.str(0, 1))});
  }

 private:
  // A connection inside a transaction that imported the snapshot.
  Result<std::unique_ptr<PgConn>> Import(const std::string& what) {
    ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover-read"));
    RETURN_IF_ERROR(conn->ExecOk("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    RETURN_IF_ERROR(conn->ExecOk("SET TRANSACTION SNAPSHOT " + conn->QuoteLiteral(name_),
                                 what + ": importing snapshot " + name_));
    return conn;
  }

  // `table`'s own rows: ONLY for a plain table (never an inheritance child's, which is a table
  // of its own, selected or not); a partitioned table whole.
  std::string From(PgConn& conn, const TableSchema& table) const {
    std::string rel = QualifiedName(conn, table.name);
    return partitioned_.count(table.name) ? rel : "ONLY " + rel;
  }

  Result<std::unique_ptr<TableReader>> Open(const TableSchema& table, const KeyRange* range,
                                            const ReadFilter* filter = nullptr) {
    std::string what = "table " + table.name.ToString();
    ASSIGN_OR_RETURN(auto conn, Import(what));
    std::string cols;
    for (size_t i = 0; i < table.columns.size(); ++i)
      cols += (i ? ", " : "") + conn->QuoteIdent(table.columns[i].name);
    std::string rel = QualifiedName(*conn, table.name);
    std::string sql;
    std::string where = ReadCondition(table, range, filter, PgFilterDialect(*conn));
    if (range) what += " range " + range->ToString();
    if (range || !where.empty()) {
      sql = "COPY (SELECT " + cols + " FROM " + From(*conn, table) +
            (where.empty() ? "" : " WHERE " + where) + ") TO STDOUT";
    } else {
      // `COPY t TO` reads t's own rows only and refuses a partitioned table, read by a query.
      sql = partitioned_.count(table.name) ? "COPY (SELECT " + cols + " FROM " + rel + ") TO STDOUT"
                                           : "COPY " + rel + " (" + cols + ") TO STDOUT";
    }
    return std::unique_ptr<TableReader>(new PgTableReader(std::move(conn), table, sql, what));
  }

  std::unique_ptr<PgConn> holder_;  // keeps the exported snapshot alive; must stay idle
  std::string uri_;
  std::string name_;
  Position pos_;
  std::set<TableName> partitioned_;
};

}  // namespace

// Creates a logical slot with an exported snapshot on a fresh replication connection.
Result<std::unique_ptr<Snapshot>> CreateSlotWithSnapshot(const std::string& uri,
                                                         const std::string& slot, bool temporary,
                                                         std::set<TableName> partitioned) {
  ASSIGN_OR_RETURN(auto repl, PgConn::Connect(uri, ConnMode::kReplication, "cutover-snapshot"));
  std::string sql = "CREATE_REPLICATION_SLOT " + repl->QuoteIdent(slot) +
                    (temporary ? " TEMPORARY" : "") + " LOGICAL pgoutput (SNAPSHOT 'export')";
  ASSIGN_OR_RETURN(auto res, repl->Exec(sql, "creating replication slot " + slot));
  if (res.rows() != 1 || res.cols() < 3)
    return Internal("CREATE_REPLICATION_SLOT: unexpected reply");
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(res.get(0, 1)));
  std::string snapshot_name = res.str(0, 2);
  Log(LogLevel::kInfo, "{}slot {} created at {} (snapshot {})", temporary ? "temporary " : "", slot,
      FormatLsn(lsn), snapshot_name);
  return std::unique_ptr<Snapshot>(new PgSnapshot(std::move(repl), uri, snapshot_name,
                                                  LsnPosition(lsn), std::move(partitioned)));
}

Result<std::unique_ptr<Snapshot>> PgSource::OpenSnapshot(const std::string& task) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  ASSIGN_OR_RETURN(auto wl, conn->Exec("SELECT current_setting('wal_level')"));
  if (wl.get(0, 0) == "logical") {
    // A temporary slot gives a snapshot whose position is comparable with the task's stream.
    std::string tmp = SlotName(task) + "_tmp_" + std::to_string(getpid());
    return CreateSlotWithSnapshot(uri_, tmp, true, partitioned_);
  }
  // Full load only, without logical decoding: an exported snapshot of a plain transaction.
  RETURN_IF_ERROR(conn->ExecOk("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  ASSIGN_OR_RETURN(auto snap, conn->Exec("SELECT pg_export_snapshot(), pg_current_wal_lsn()"));
  ASSIGN_OR_RETURN(uint64_t lsn, ParseLsn(snap.get(0, 1)));
  std::string name = snap.str(0, 0);
  return std::unique_ptr<Snapshot>(
      new PgSnapshot(std::move(conn), uri_, name, LsnPosition(lsn), partitioned_));
}

}  // namespace cutover::pg
