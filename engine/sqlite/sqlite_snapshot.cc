#include "engine/sqlite/sqlite_snapshot.h"

#include <mutex>

#include "engine/core/log.h"
#include "engine/sqlite/sqlite_capture.h"
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

class SqliteSnapshot : public Snapshot {
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
    std::string col = SqliteConn::QuoteIdent(table.columns.at(range.column).name), where;
    if (range.lo) where = col + " >= " + std::to_string(*range.lo);
    if (range.hi) where += (where.empty() ? "" : " AND ") + col + " < " + std::to_string(*range.hi);
    return Open(table, SelectColumnsSql(table) + (where.empty() ? "" : " WHERE " + where));
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
