// Session: the engine-neutral connection the workloads talk to, one adapter per engine.
//
// Design: workloads are written once. They describe their tables with a small column-type
// vocabulary (TableDef) and their work as whole transactions of statements in one neutral SQL
// form: plain lower-case identifiers, `$1..$n` placeholders, and only SQL that PostgreSQL,
// MariaDB and SQLite all accept (UPDATE ... SET c = c + $1, INSERT ... VALUES, DELETE,
// SELECT ... WHERE). Parameters are engine-neutral Values (engine/core/value.h), so the types a
// workload writes are exactly the kinds the replication engine carries. Everything dialect-
// specific lives in the adapters and dialect.h: DDL type names, placeholder syntax, how a
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
#include "engine/core/uri.h"
#include "engine/core/value.h"

namespace cutover::loadgen {

// Column types of the workloads' tables, mapped per engine by dialect.h.
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

  virtual EngineKind engine() const = 0;

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

// Opens a session on the engine named by the URI's scheme (postgresql://, mariadb://, mysql://,
// sqlite://). Errors name the redacted URI.
Result<std::unique_ptr<Session>> OpenSession(const std::string& uri);

// Adapters (one file each); OpenSession dispatches to them.
Result<std::unique_ptr<Session>> OpenPgSession(const std::string& uri);
Result<std::unique_ptr<Session>> OpenMariaSession(const std::string& uri);
Result<std::unique_ptr<Session>> OpenSqliteSession(const std::string& uri);

}  // namespace cutover::loadgen
