// Session: the engine-neutral connection the load generator's workloads talk to. Each engine
// folder implements it (engine/<x>/<x>_load_session.cc) and its driver opens it
// (engine/core/driver.h); the scenario runner's lag probe uses it too. It lives in engine/core
// because it is part of the contract every engine driver fulfils; the namespace says who
// consumes it.
//
// Design: workloads are written once. They describe their tables with a small column-type
// vocabulary (TableDef) and their work as whole transactions of statements in one neutral SQL
// form: plain lower-case identifiers, `$1..$n` placeholders, and only SQL that PostgreSQL,
// MariaDB and SQLite all accept (UPDATE ... SET c = c + $1, INSERT ... VALUES, DELETE,
// SELECT ... WHERE). Parameters are engine-neutral Values (engine/core/value.h), so the types a
// workload writes are exactly the kinds the replication engine carries. Everything dialect-
// specific lives in the adapters: DDL type names, placeholder syntax, how a
// Value becomes a parameter or literal, how a transaction travels:
//
//   PostgreSQL  prepared statements sent in libpq pipeline mode: one round trip per
//               transaction (the statements before one Sync form an implicit transaction)
//   MariaDB     one multi-statement text query START TRANSACTION; ...; COMMIT with literals
//               escaped by the client library: also one round trip per transaction
//   SQLite      cached prepared statements inside BEGIN IMMEDIATE ... COMMIT
//
// A transaction's statements never depend on each other's results, which is what lets the two
// servers take it in one round trip. RunTransaction either commits all statements or none.
//
// Errors: a Status as everywhere. `broken()` tells the runner that the connection is gone
// (server restart, network): it then drops the session and reconnects with backoff; any other
// error (deadlock, lock timeout, constraint) only fails that transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover::loadgen {

// Column types of the workloads' tables, mapped per engine by Session::ColumnSql.
enum class ColType {
  kInt,          // 32-bit integer
  kBigInt,       // 64-bit integer
  kMoney,        // decimal(12,2)
  kTimestampTz,  // instant, µs precision
  kTimestamp,    // wall time without zone, µs precision
  kJson,
  kBytes,
  kUuid,
  kShortText,  // up to 200 characters
  kLongText,   // up to 64 KB (TOASTed by PostgreSQL beyond ~2 KB)
};

struct ColumnDef {
  std::string name;
  ColType type;
  bool nullable = false;
};

struct TableDef {
  std::string name;  // plain lower-case identifier, lands in the default schema/database
  std::vector<ColumnDef> columns;
  std::vector<std::string> primary_key;
};

// One statement of a transaction: neutral SQL (see above) and its parameters ($1 = params[0]).
struct Statement {
  std::string_view sql;  // must outlive the call; workloads use string constants
  std::vector<Value> params;
};

// Produces the rows of a bulk load one at a time: fills `row` (one Value per column) and
// returns true, or returns false at the end.
using RowSource = std::function<bool(std::vector<Value>& row)>;

class Session {
 public:
  virtual ~Session() = default;

  // The driver's engine name ("postgresql", "mariadb", "sqlite").
  virtual std::string engine() const = 0;

  // DDL of one workload column on this engine after its name: type, NULL / NOT NULL, and
  // anything the engine needs so that values change only when a workload writes them
  // (MariaDB: an explicit DEFAULT for a NOT NULL TIMESTAMP).
  virtual std::string ColumnSql(const ColumnDef& column) const = 0;
  // Table options after CREATE TABLE's closing parenthesis ("" when none).
  virtual std::string TableOptionsSql() const { return ""; }
  // Statement refreshing the planner statistics of `table`.
  virtual std::string AnalyzeSql(const std::string& table) const = 0;

  // Runs `statements` as one transaction. On success `affected[i]` holds rows changed by
  // statement i (UPDATE counts rows matched, as PostgreSQL does) or rows returned by a SELECT.
  // On error nothing is committed; the Status names the failing statement.
  virtual Status RunTransaction(std::span<const Statement> statements,
                                std::vector<int64_t>& affected) = 0;

  // Runs dialect-specific SQL as it is (DDL, maintenance), outside any workload transaction.
  virtual Status Exec(std::string_view sql) = 0;

  // First column of the first row of `sql` (neutral SQL without parameters) as an integer;
  // 0 when there is no row or the value is NULL.
  virtual Result<int64_t> QueryInt(std::string_view sql) = 0;

  // Inserts rows into `table` (columns in `columns` order) as fast as the engine allows
  // (PostgreSQL COPY, MariaDB multi-row INSERTs, SQLite one prepared INSERT), in one or more
  // transactions. `on_rows` is called with the number of rows written after each chunk.
  virtual Status BulkInsert(const TableDef& table, const RowSource& rows,
                            const std::function<void(int64_t)>& on_rows) = 0;

  // True once the connection is unusable (the runner reconnects).
  virtual bool broken() const = 0;
};

// CREATE TABLE for `table` (with its primary key) on `session`'s engine, and DROP TABLE IF EXISTS.
std::string CreateTableSql(const Session& session, const TableDef& table);
std::string DropTableSql(const TableDef& table);

// Rewrites the `$n` placeholders of neutral SQL with `replace(n)` (n is 1-based). A '$' not
// followed by a digit is kept. Neutral SQL has no string literals, so no quoting is parsed.
template <typename F>
std::string RewritePlaceholders(std::string_view sql, F replace) {
  std::string out;
  out.reserve(sql.size() + 16);
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
      replace(n, out);
      i = j - 1;
    } else {
      out.push_back(sql[i]);
    }
  }
  return out;
}

// "YYYY-MM-DD HH:MM:SS.ffffff" for µs since the epoch (UTC), as MariaDB and SQLite read it.
std::string FormatMicros(int64_t micros);

// Current wall-clock time as a Value of kind kTimestampTz (µs).
Value NowTimestampTz();

}  // namespace cutover::loadgen
