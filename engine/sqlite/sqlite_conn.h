// SqliteConn: the one place the sqlite3 C API is called for ordinary connections.
//
// URIs: sqlite:///absolute/path/to/file.db (three slashes: empty host, absolute path) or
// sqlite://relative/path.db; a query string is refused. The file is created if missing, unless
// the caller says it must exist (a replication source).
// Every connection is set up the same way: WAL journal (one writer and many readers at once,
// what a replication source or target needs), synchronous=NORMAL (durable at checkpoints, the
// usual WAL pairing), a busy timeout so concurrent writers wait instead of failing at once, and
// foreign keys off (SQLite's default; replicated data arrives in commit order, not FK order).
//
// Every error becomes a Status with the SQLite result code mapped to a StatusCode (BUSY/LOCKED
// are kUnavailable: worth retrying) and the statement's description as context. SQLite URIs
// carry no password, so nothing needs scrubbing.
//
// Threading: a SqliteConn and its statements belong to one thread at a time (the library is
// built serialized, but a prepared statement's state is per use).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/core/endpoint.h"
#include "engine/core/status.h"

namespace cutover::sqlite {

// The file path of a sqlite:// URI; kInvalidArgument naming the URI if it has none.
Result<std::string> SqlitePathOfUri(std::string_view uri);

// Maps a SQLite (extended) result code to a StatusCode.
StatusCode CodeForSqliteError(int rc);

class SqliteConn;

// A prepared statement. Parameters are 1-based as in SQLite; columns are 0-based. Text and
// blob binds are copied (SQLITE_TRANSIENT), so the caller's buffers may go away at once.
class SqliteStmt : NonCopyable {
 public:
  ~SqliteStmt();

  Status BindNull(int index);
  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view text);
  Status BindBlob(int index, std::string_view bytes);
  // Binds column `col` of `other`'s current row exactly as stored (storage class and bytes).
  Status BindColumnOf(int index, SqliteStmt& other, int col);

  // Advances: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Runs the statement to completion (rows are discarded); returns rows changed (DML).
  Result<int64_t> Run();
  // Makes the statement runnable again and clears its bindings.
  void Reset();

  int column_count() const { return sqlite3_column_count(stmt_); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double column_double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view column_text(int col) const;
  std::string_view column_blob(int col) const;

  sqlite3_stmt* raw() { return stmt_; }
  const std::string& what() const { return what_; }

 private:
  friend class SqliteConn;
  SqliteStmt(SqliteConn* conn, sqlite3_stmt* stmt, std::string what)
      : conn_(conn), stmt_(stmt), what_(std::move(what)) {}
  Status Check(int rc, std::string_view action) const;

  SqliteConn* conn_;
  sqlite3_stmt* stmt_;
  std::string what_;  // description used as error context
};

struct SqliteOpenOptions {
  int busy_timeout_ms = 5000;
  bool wal = true;
  // Create the file if it does not exist (targets). A source must exist: a missing file is
  // kNotFound, and a file that is not a SQLite database is refused at open.
  bool create = true;
};

class SqliteConn : NonCopyable {
 public:
  // Opens (creating if needed) the database named by a sqlite:// URI and applies the settings
  // above. `purpose` is logged.
  static Result<std::unique_ptr<SqliteConn>> Open(const std::string& uri, std::string_view purpose,
                                                  const SqliteOpenOptions& options = {});
  ~SqliteConn();

  // Runs one or more statements, discarding any rows. `what` describes them for errors
  // (defaults to the SQL text).
  Status Exec(std::string_view sql, std::string_view what = {});
  // Compiles one statement. `what` describes it for errors (defaults to the SQL text).
  Result<std::unique_ptr<SqliteStmt>> Prepare(std::string_view sql, std::string_view what = {});

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t changes() const { return sqlite3_changes64(db_); }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  // The Status for `rc` with the connection's error message and `what` as context.
  Status ErrorFrom(int rc, std::string_view what) const;

  // `ident` quoted with double quotes (double quotes doubled).
  static std::string QuoteIdent(std::string_view ident);

  sqlite3* raw() { return db_; }
  const std::string& path() const { return path_; }

 private:
  SqliteConn(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

}  // namespace cutover::sqlite
