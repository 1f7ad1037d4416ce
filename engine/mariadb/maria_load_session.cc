// MariaDB adapter of loadgen::Session (engine/core/load_session.h): a transaction travels as one
// multi-statement text query "START TRANSACTION; ...; COMMIT" with client-escaped literals, so it
// costs one round trip; bulk loads are multi-row INSERTs of about 1 MiB each.
#include <errmsg.h>
#include <mysql.h>

#include <charconv>
#include <cmath>

#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_load_session.h"
#include "engine/mariadb/maria_types.h"

namespace cutover::loadgen {
namespace {

// The column type text of a workload column type on this engine.
const char* TypeSql(ColType type) {
  switch (type) {
    case ColType::kInt:
      return "INT";
    case ColType::kBigInt:
      return "BIGINT";
    case ColType::kMoney:
      return "DECIMAL(12,2)";
    case ColType::kTimestampTz:
      return "TIMESTAMP(6)";  // stored as UTC (docs/types.md)
    case ColType::kTimestamp:
      return "DATETIME(6)";
    case ColType::kJson:
      return "JSON";
    case ColType::kBytes:
      return "LONGBLOB";
    case ColType::kUuid:
      return "UUID";
    case ColType::kShortText:
      return "VARCHAR(200)";
    case ColType::kLongText:
      return "MEDIUMTEXT";  // TEXT stops at 65,535 bytes
  }
  return "text";
}

constexpr size_t kInsertBatchBytes = 1 << 20;

class MariaSession : public Session {
 public:
  explicit MariaSession(std::unique_ptr<mariadb::MariaConn> conn) : conn_(std::move(conn)) {}

  std::string engine() const override { return "mariadb"; }

  std::string ColumnSql(const ColumnDef& c) const override {
    std::string sql = std::string(TypeSql(c.type)) + (c.nullable ? " NULL" : " NOT NULL");
    // MariaDB gives the first NOT NULL TIMESTAMP an implicit ON UPDATE CURRENT_TIMESTAMP unless
    // it has an explicit default (explicit_defaults_for_timestamp=OFF); values must only ever
    // change when the workload writes them.
    if (c.type == ColType::kTimestampTz && !c.nullable) sql += " DEFAULT CURRENT_TIMESTAMP(6)";
    return sql;
  }

  std::string TableOptionsSql() const override { return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"; }

  std::string AnalyzeSql(const std::string& table) const override {
    return "ANALYZE TABLE " + table;
  }
  bool broken() const override { return broken_; }

  Status RunTransaction(std::span<const Statement> statements,
                        std::vector<int64_t>& affected) override {
    affected.assign(statements.size(), 0);
    sql_ = "START TRANSACTION";
    for (const Statement& s : statements) {
      sql_ += ";\n";
      AppendStatement(s, sql_);
    }
    sql_ += ";\nCOMMIT";
    MYSQL* m = conn_->raw();
    // Result i belongs to: 0 START TRANSACTION, 1..n the statements, n+1 COMMIT.
    auto describe = [&](size_t i) -> std::string {
      if (i == 0) return "START TRANSACTION";
      if (i > statements.size()) return "COMMIT";
      return std::string(statements[i - 1].sql.substr(0, 120));
    };
    size_t index = 0;
    Status error;
    if (mysql_real_query(m, sql_.data(), sql_.size()) != 0) {
      error = Check(conn_->LastError(describe(0)));
    } else {
      for (;;) {
        int64_t rows = 0;
        if (MYSQL_RES* res = mysql_store_result(m)) {
          rows = static_cast<int64_t>(mysql_num_rows(res));
          mysql_free_result(res);
        } else if (mysql_field_count(m) != 0) {
          error = Check(conn_->LastError(describe(index)));
          break;
        } else {
          rows = static_cast<int64_t>(mysql_affected_rows(m));
        }
        if (index >= 1 && index <= statements.size()) affected[index - 1] = rows;
        int next = mysql_next_result(m);
        ++index;
        if (next == -1) break;
        if (next > 0) {
          error = Check(conn_->LastError(describe(index)));
          break;
        }
      }
    }
    if (error.ok()) return error;
    // The batch stopped at the failing statement with the transaction open: roll it back.
    if (!broken_) {
      Status rb = Check(conn_->Exec("ROLLBACK", "rolling back after an error"));
      (void)rb;  // the first error is the one to report; a failed rollback marks the session
    }
    return error;
  }

  Status Exec(std::string_view sql) override { return Check(conn_->Exec(sql)); }

  Result<int64_t> QueryInt(std::string_view sql) override {
    auto r = conn_->Query(sql);
    if (!r.ok()) return Check(r.status());
    if (r->rows.empty() || r->rows[0].empty() || !r->rows[0][0]) return int64_t{0};
    return static_cast<int64_t>(std::atoll(r->rows[0][0]->c_str()));
  }

  Status BulkInsert(const TableDef& table, const RowSource& rows,
                    const std::function<void(int64_t)>& on_rows) override {
    std::string head = "INSERT INTO " + table.name + " (";
    for (size_t i = 0; i < table.columns.size(); ++i)
      head += (i ? ", " : "") + table.columns[i].name;
    head += ") VALUES ";
    std::vector<Value> row;
    std::string sql;
    int64_t in_batch = 0;
    auto flush = [&]() -> Status {
      RETURN_IF_ERROR(Check(conn_->Exec(sql, "table " + table.name + ": bulk INSERT")));
      if (on_rows) on_rows(in_batch);
      sql.clear();
      in_batch = 0;
      return Status::Ok();
    };
    while (rows(row)) {
      sql += sql.empty() ? head : ",";
      sql.push_back('(');
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) sql.push_back(',');
        AppendLiteral(row[i], sql);
      }
      sql.push_back(')');
      ++in_batch;
      if (sql.size() >= kInsertBatchBytes) RETURN_IF_ERROR(flush());
    }
    if (!sql.empty()) RETURN_IF_ERROR(flush());
    return Status::Ok();
  }

 private:
  Status Check(Status st) {
    // Client-side errors (2000-2999: server gone, lost, cannot connect) leave the connection
    // unusable; server errors (deadlock, duplicate key) do not.
    unsigned e = mysql_errno(conn_->raw());
    if (!st.ok() && e >= 2000 && e < 3000) broken_ = true;
    return st;
  }

  void AppendStatement(const Statement& s, std::string& out) {
    out += RewritePlaceholders(s.sql, [&](int n, std::string& o) {
      if (n >= 1 && static_cast<size_t>(n) <= s.params.size())
        AppendLiteral(s.params[n - 1], o);
      else
        o += "NULL";
    });
  }

  // The SQL literal for `v` on this connection (session time zone is UTC: MariaConn).
  void AppendLiteral(const Value& v, std::string& out) {
    switch (v.kind()) {
      case ValueKind::kNull:
      case ValueKind::kUnchanged:
        out += "NULL";
        return;
      case ValueKind::kFloat64:
        if (!std::isfinite(v.as_double())) {
          out += "NULL";
          return;
        }
        [[fallthrough]];
      case ValueKind::kBool:
      case ValueKind::kInt64:
      case ValueKind::kUInt64:
      case ValueKind::kDecimal:
        out += mariadb::EncodeMariaText(v);  // bare numbers
        return;
      case ValueKind::kBytes: {
        static const char* kHex = "0123456789abcdef";
        out += "X'";
        for (unsigned char c : v.str()) {
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        }
        out.push_back('\'');
        return;
      }
      default:
        AppendQuoted(mariadb::EncodeMariaText(v), out);
        return;
    }
  }

  void AppendQuoted(std::string_view text, std::string& out) {
    size_t at = out.size();
    out.resize(at + text.size() * 2 + 2);
    out[at] = '\'';
    unsigned long n =
        mysql_real_escape_string(conn_->raw(), out.data() + at + 1, text.data(), text.size());
    out.resize(at + 1 + n);
    out.push_back('\'');
  }

  std::unique_ptr<mariadb::MariaConn> conn_;
  bool broken_ = false;
  std::string sql_;
};

}  // namespace

Result<std::unique_ptr<Session>> OpenMariaSession(const std::string& uri) {
  mariadb::MariaConnectOptions options;
  options.client_flags = CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS;
  options.read_timeout_s = 60;  // a dead server must not hang a client forever
  ASSIGN_OR_RETURN(auto conn, mariadb::MariaConn::Connect(uri, "load", options));
  // Connector/C does not always honour CLIENT_MULTI_STATEMENTS given at connect; ask again.
  if (mysql_set_server_option(conn->raw(), MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0)
    return conn->LastError("enabling multi-statement queries");
  return std::unique_ptr<Session>(new MariaSession(std::move(conn)));
}

}  // namespace cutover::loadgen
