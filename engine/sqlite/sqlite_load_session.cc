// SQLite adapter of loadgen::Session (engine/core/load_session.h): cached prepared statements
// inside BEGIN IMMEDIATE ... COMMIT (the write lock is taken up front, so concurrent clients queue
// on the busy timeout instead of failing at their first write).
#include <unordered_map>

#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_load_session.h"

namespace cutover::loadgen {
namespace {

// The column type text of a workload column type on this engine: declared names that say what
// the column holds (a SQLite source maps them back); affinities: INTEGER, NUMERIC for
// DECIMAL/TIMESTAMP*/JSON/UUID, TEXT, BLOB.
const char* TypeSql(ColType type) {
  switch (type) {
    case ColType::kInt:
      return "INTEGER";
    case ColType::kBigInt:
      return "BIGINT";
    case ColType::kMoney:
      return "DECIMAL(12,2)";
    case ColType::kTimestampTz:
      return "TIMESTAMPTZ";
    case ColType::kTimestamp:
      return "TIMESTAMP";
    case ColType::kJson:
      return "JSON";
    case ColType::kBytes:
      return "BLOB";
    case ColType::kUuid:
      return "UUID";
    case ColType::kShortText:
      return "VARCHAR(200)";
    case ColType::kLongText:
      return "TEXT";
  }
  return "text";
}

constexpr int64_t kBulkRowsPerTransaction = 50000;

class SqliteSession : public Session {
 public:
  explicit SqliteSession(std::unique_ptr<sqlite::SqliteConn> conn) : conn_(std::move(conn)) {}

  std::string engine() const override { return "sqlite"; }

  std::string ColumnSql(const ColumnDef& c) const override {
    return std::string(TypeSql(c.type)) + (c.nullable ? " NULL" : " NOT NULL");
  }

  std::string AnalyzeSql(const std::string& table) const override { return "ANALYZE " + table; }
  bool broken() const override { return false; }  // a file cannot go away like a server

  Status RunTransaction(std::span<const Statement> statements,
                        std::vector<int64_t>& affected) override {
    affected.assign(statements.size(), 0);
    RETURN_IF_ERROR(conn_->Exec("BEGIN IMMEDIATE"));
    Status st = RunAll(statements, affected);
    if (st.ok()) st = conn_->Exec("COMMIT");
    if (!st.ok() && conn_->in_transaction()) {
      Status rb = conn_->Exec("ROLLBACK");
      (void)rb;  // the first error is the one to report
    }
    return st;
  }

  Status Exec(std::string_view sql) override { return conn_->Exec(sql); }

  Result<int64_t> QueryInt(std::string_view sql) override {
    ASSIGN_OR_RETURN(auto stmt, conn_->Prepare(sql));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row || stmt->column_count() == 0 || stmt->is_null(0)) return int64_t{0};
    return stmt->column_int64(0);
  }

  Status BulkInsert(const TableDef& table, const RowSource& rows,
                    const std::function<void(int64_t)>& on_rows) override {
    std::string sql = "INSERT INTO " + table.name + " (";
    std::string marks;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      sql += (i ? ", " : "") + table.columns[i].name;
      marks += (i ? ", ?" : "?");
    }
    sql += ") VALUES (" + marks + ")";
    ASSIGN_OR_RETURN(auto stmt, conn_->Prepare(sql, "table " + table.name + ": bulk INSERT"));
    std::vector<Value> row;
    int64_t in_txn = 0;
    RETURN_IF_ERROR(conn_->Exec("BEGIN IMMEDIATE"));
    Status st;
    while (st.ok() && rows(row)) {
      for (size_t i = 0; i < row.size() && st.ok(); ++i)
        st = Bind(*stmt, static_cast<int>(i + 1), row[i]);
      if (st.ok()) st = stmt->Run().status();
      stmt->Reset();
      if (st.ok() && ++in_txn == kBulkRowsPerTransaction) {
        st = conn_->Exec("COMMIT; BEGIN IMMEDIATE");
        if (on_rows) on_rows(in_txn);
        in_txn = 0;
      }
    }
    if (st.ok()) st = conn_->Exec("COMMIT");
    if (!st.ok()) {
      if (conn_->in_transaction()) (void)conn_->Exec("ROLLBACK");
      return st;
    }
    if (on_rows && in_txn) on_rows(in_txn);
    return Status::Ok();
  }

  // Binds a Value as SQLite stores the workloads' types: integers, decimals as text (NUMERIC
  // affinity then keeps the exact text when it has more digits than a double), timestamps as
  // "YYYY-MM-DD HH:MM:SS.ffffff" (UTC for kTimestampTz), bytes as blobs, the rest as text.
  static Status Bind(sqlite::SqliteStmt& stmt, int index, const Value& v) {
    switch (v.kind()) {
      case ValueKind::kNull:
      case ValueKind::kUnchanged:
        return stmt.BindNull(index);
      case ValueKind::kBool:
      case ValueKind::kInt64:
        return stmt.BindInt64(index, v.as_int64());
      case ValueKind::kUInt64:
        return stmt.BindText(index, std::to_string(v.as_uint64()));
      case ValueKind::kFloat64:
        return stmt.BindDouble(index, v.as_double());
      case ValueKind::kBytes:
        return stmt.BindBlob(index, v.str());
      case ValueKind::kTimestamp:
      case ValueKind::kTimestampTz:
        return stmt.BindText(index, FormatMicros(v.as_micros_or_days()));
      case ValueKind::kDate:
      case ValueKind::kTime:
        return stmt.BindInt64(index, v.as_micros_or_days());
      default:
        return stmt.BindText(index, v.str());
    }
  }

 private:
  Status RunAll(std::span<const Statement> statements, std::vector<int64_t>& affected) {
    for (size_t i = 0; i < statements.size(); ++i) {
      const Statement& s = statements[i];
      auto it = cache_.find(std::string(s.sql));
      if (it == cache_.end()) {
        // $n -> ?n: SQLite's numbered parameters.
        std::string sql = RewritePlaceholders(
            s.sql, [](int n, std::string& out) { out += "?" + std::to_string(n); });
        ASSIGN_OR_RETURN(auto stmt, conn_->Prepare(sql));
        it = cache_.emplace(std::string(s.sql), std::move(stmt)).first;
      }
      sqlite::SqliteStmt& stmt = *it->second;
      Status st;
      for (size_t p = 0; p < s.params.size() && st.ok(); ++p)
        st = Bind(stmt, static_cast<int>(p + 1), s.params[p]);
      int64_t rows = 0;
      bool is_query = stmt.column_count() > 0;
      while (st.ok()) {
        auto r = stmt.Step();
        if (!r.ok()) {
          st = r.status();
        } else if (*r) {
          ++rows;
          continue;
        }
        break;
      }
      stmt.Reset();
      RETURN_IF_ERROR(st);
      affected[i] = is_query ? rows : conn_->changes();
    }
    return Status::Ok();
  }

  std::unique_ptr<sqlite::SqliteConn> conn_;
  std::unordered_map<std::string, std::unique_ptr<sqlite::SqliteStmt>> cache_;
};

}  // namespace

Result<std::unique_ptr<Session>> OpenSqliteSession(const std::string& uri) {
  ASSIGN_OR_RETURN(auto conn, sqlite::SqliteConn::Open(uri, "load"));
  return std::unique_ptr<Session>(new SqliteSession(std::move(conn)));
}

}  // namespace cutover::loadgen
