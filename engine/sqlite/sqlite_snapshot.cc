#include "engine/sqlite/sqlite_snapshot.h"

#include <mutex>

#include "engine/core/log.h"
#include "engine/core/read_filter.h"
#include "engine/sqlite/sqlite_capture.h"
#include "engine/sqlite/sqlite_codec.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_position.h"
#include "engine/sqlite/sqlite_row.h"

namespace cutover::sqlite {

namespace {

// The snapshot's connection and the lock its readers take around every use of it.
struct Shared {
  std::mutex mu;
  std::unique_ptr<SqliteConn> conn;
};

class SqliteTableReader : public TableReader {
 public:
  SqliteTableReader(std::shared_ptr<Shared> shared, std::unique_ptr<SqliteStmt> stmt,
                    const TableSchema& table)
      : shared_(std::move(shared)), stmt_(std::move(stmt)), table_(table) {}

  ~SqliteTableReader() override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    stmt_.reset();
  }

  Result<bool> Next(std::vector<Value>& row) override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ASSIGN_OR_RETURN(bool more, stmt_->Step());
    if (!more) return false;
    RETURN_IF_ERROR(DecodeSqliteRow(table_, *stmt_, 0, row));
    return true;
  }

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<SqliteStmt> stmt_;
  TableSchema table_;
};

// SQLite compares as cutover does only where a column's stored values have one storage class:
// integers in a column of INTEGER affinity (text that is not a number there is an error of the
// load anyway), and text in a column of TEXT affinity under COLLATE BINARY (byte order) in a
// UTF-8 database. Not pushed: dates and times (stored in several text and number forms),
// decimals, booleans, floating point.
class SqliteFilterDialect : public ReadFilterDialect {
 public:
  explicit SqliteFilterDialect(bool utf8) : utf8_(utf8) {}
  std::string QuoteIdent(const std::string& name) const override {
    return SqliteConn::QuoteIdent(name);
  }
  FilterColumnSql ColumnSql(const Column& c) const override {
    FilterColumnSql out;
    out.ident = SqliteConn::QuoteIdent(c.name);
    Affinity a = AffinityOfDeclaredType(c.type_name);
    if (c.kind == ValueKind::kInt64 && a == Affinity::kInteger) out.compared = out.ident;
    if (c.kind == ValueKind::kText && a == Affinity::kText && utf8_)
      out.compared = out.ident + " COLLATE BINARY";
    return out;
  }
  std::optional<std::string> Literal(const Column& c, const Value& v) const override {
    (void)c;
    if (v.kind() == ValueKind::kInt64) return std::to_string(v.as_int64());
    if (v.kind() != ValueKind::kText || v.str().find('\0') != std::string::npos)
      return std::nullopt;
    std::string out = "'";
    for (char ch : v.str()) {
      out += ch;
      if (ch == '\'') out += ch;
    }
    return out + "'";
  }

 private:
  bool utf8_;
};

class SqliteSnapshot : public Snapshot, public FilterPushdown {
 public:
  SqliteSnapshot(std::shared_ptr<Shared> shared, Position position)
      : shared_(std::move(shared)), position_(std::move(position)) {}

  ~SqliteSnapshot() override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->conn->in_transaction()) (void)shared_->conn->Exec("COMMIT");
  }

  const Position& position() const override { return position_; }

  Result<std::unique_ptr<TableReader>> OpenReader(const TableSchema& table) override {
    return Open(table, SelectColumnsSql(table));
  }

  // Every range reader steps its own statement on the one connection of the read transaction
  // (one reader, taking turns under the lock); the loads they feed run in parallel.
  Result<std::unique_ptr<TableReader>> OpenRangeReader(const TableSchema& table,
                                                       const KeyRange& range) override {
    return OpenWhere(table, &range, nullptr);
  }

  Result<std::unique_ptr<TableReader>> OpenFilteredReader(const TableSchema& table,
                                                          const KeyRange* range,
                                                          const ReadFilter& filter) override {
    return OpenWhere(table, range, &filter);
  }

  Result<std::optional<std::pair<int64_t, int64_t>>> KeyBounds(const TableSchema& table,
                                                               size_t column) override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    std::string col = SqliteConn::QuoteIdent(table.columns.at(column).name);
    std::string what = "table " + table.name.ToString() + ": reading the key's bounds";
    ASSIGN_OR_RETURN(auto stmt,
                     shared_->conn->Prepare("SELECT min(" + col + "), max(" + col + ") FROM " +
                                                SqliteConn::QuoteIdent(table.name.name) +
                                                " WHERE typeof(" + col + ") = 'integer'",
                                            what));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row || stmt->is_null(0)) return std::optional<std::pair<int64_t, int64_t>>();
    return std::optional<std::pair<int64_t, int64_t>>(
        std::pair<int64_t, int64_t>{stmt->column_int64(0), stmt->column_int64(1)});
  }

 private:
  Result<std::unique_ptr<TableReader>> OpenWhere(const TableSchema& table, const KeyRange* range,
                                                 const ReadFilter* filter) {
    bool utf8 = false;
    if (filter) {
      std::lock_guard<std::mutex> lock(shared_->mu);
      ASSIGN_OR_RETURN(auto st, shared_->conn->Prepare("PRAGMA encoding", "reading the encoding"));
      ASSIGN_OR_RETURN(bool row, st->Step());
      utf8 = row && st->column_text(0) == "UTF-8";
    }
    std::string where = ReadCondition(table, range, filter, SqliteFilterDialect(utf8));
    return Open(table, SelectColumnsSql(table) + (where.empty() ? "" : " WHERE " + where));
  }

  Result<std::unique_ptr<TableReader>> Open(const TableSchema& table, const std::string& sql) {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ASSIGN_OR_RETURN(auto stmt, shared_->conn->Prepare(
                                    sql, "table " + table.name.ToString() + ": reading rows"));
    return std::unique_ptr<TableReader>(new SqliteTableReader(shared_, std::move(stmt), table));
  }

 public:
 private:
  std::shared_ptr<Shared> shared_;
  Position position_;
};

}  // namespace

Result<std::unique_ptr<Snapshot>> OpenSqliteSnapshot(const std::string& uri,
                                                     const std::string& task) {
  auto shared = std::make_shared<Shared>();
  ASSIGN_OR_RETURN(shared->conn,
                   SqliteConn::Open(uri, "snapshot", SqliteOpenOptions{.create = false}));
  SqliteConn& conn = *shared->conn;
  ASSIGN_OR_RETURN(bool captured, CaptureExists(conn, task));
  RETURN_IF_ERROR(conn.Exec("BEGIN", "starting the snapshot's read transaction"));
  uint64_t seq = 0;
  {
    // The first read starts the read transaction: its view is the snapshot.
    std::string sql = captured ? "SELECT coalesce(max(seq), 0) FROM " +
                                     SqliteConn::QuoteIdent(ChangeTableName(task))
                               : "SELECT count(*) FROM sqlite_schema";
    ASSIGN_OR_RETURN(auto st, conn.Prepare(sql, "reading the snapshot's change sequence"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row && captured) seq = static_cast<uint64_t>(st->column_int64(0));
  }
  if (captured) {
    // A second connection records the boundary; the read transaction above is already fixed.
    ASSIGN_OR_RETURN(auto writer, SqliteConn::Open(uri, "snapshot boundary",
                                                   SqliteOpenOptions{.create = false}));
    ASSIGN_OR_RETURN(auto st, writer->Prepare("INSERT OR IGNORE INTO " +
                                                  SqliteConn::QuoteIdent(MetaTableName(task)) +
                                                  " (kind, name) VALUES ('snapshot', ?1)",
                                              "recording the snapshot position of task " + task));
    RETURN_IF_ERROR(st->BindText(1, BoundaryName(seq)));
    RETURN_IF_ERROR(st->Run().status());
  }
  Log(LogLevel::kDebug, "SQLite snapshot at change seq {}", seq);
  return std::unique_ptr<Snapshot>(new SqliteSnapshot(std::move(shared), SnapshotPosition(seq)));
}

}  // namespace cutover::sqlite
