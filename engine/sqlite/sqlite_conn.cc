#include "engine/sqlite/sqlite_conn.h"

#include <unistd.h>

#include "engine/core/log.h"
#include "engine/core/uri.h"

namespace cutover::sqlite {

Result<std::string> SqlitePathOfUri(std::string_view uri) {
  constexpr std::string_view kScheme = "sqlite://";
  if (uri.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("invalid SQLite URI " + RedactUri(uri) +
                           ": expected sqlite:///path/to/file.db");
  }
  std::string_view path = uri.substr(kScheme.size());
  if (path.find('?') != std::string_view::npos) {
    return InvalidArgument("invalid SQLite URI " + RedactUri(uri) +
                           ": query parameters are not supported");
  }
  if (path.empty() || path == "/") {
    return InvalidArgument("invalid SQLite URI " + RedactUri(uri) +
                           ": no file path (expected sqlite:///path/to/file.db)");
  }
  return std::string(path);
}

StatusCode CodeForSqliteError(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
      return StatusCode::kUnavailable;
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return StatusCode::kPermissionDenied;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTFOUND:
      return StatusCode::kNotFound;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
    case SQLITE_ERROR:
      return StatusCode::kInvalidArgument;
    case SQLITE_INTERRUPT:
    case SQLITE_ABORT:
      return StatusCode::kAborted;
    default:
      return StatusCode::kInternal;
  }
}

// ---------------------------------------------------------------- SqliteStmt

SqliteStmt::~SqliteStmt() {
  sqlite3_finalize(stmt_);
}

Status SqliteStmt::Check(int rc, std::string_view action) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return conn_->ErrorFrom(rc, what_ + ": " + std::string(action));
}

Status SqliteStmt::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "bind NULL");
}

Status SqliteStmt::BindInt64(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind integer");
}

Status SqliteStmt::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value), "bind real");
}

Status SqliteStmt::BindText(int index, std::string_view text) {
  return Check(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind text");
}

Status SqliteStmt::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: give SQLite a non-null pointer.
  static const char kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  return Check(sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT),
               "bind blob");
}

Status SqliteStmt::BindColumnOf(int index, SqliteStmt& other, int col) {
  return Check(sqlite3_bind_value(stmt_, index, sqlite3_column_value(other.stmt_, col)),
               "bind value");
}

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->ErrorFrom(rc, what_);
}

Result<int64_t> SqliteStmt::Run() {
  for (;;) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) break;
  }
  return conn_->changes();
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view SqliteStmt::column_text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
           : std::string_view();
}

std::string_view SqliteStmt::column_blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n))
           : std::string_view();
}

// ---------------------------------------------------------------- SqliteConn

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& uri,
                                                     std::string_view purpose,
                                                     const SqliteOpenOptions& options) {
  ASSIGN_OR_RETURN(std::string path, SqlitePathOfUri(uri));
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    if (!options.create && (rc & 0xff) == SQLITE_CANTOPEN && access(path.c_str(), F_OK) != 0)
      return NotFound("SQLite database " + path + " does not exist");
    return Status(CodeForSqliteError(rc), "cannot open SQLite database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db, path));
  // Opening is lazy: reading the schema is what finds a file that is not a database.
  RETURN_IF_ERROR(conn->Exec("SELECT count(*) FROM sqlite_schema", "reading the schema"));
  if (options.wal) {
    RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL", "enabling WAL journal"));
    RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous=NORMAL", "setting synchronous=NORMAL"));
  }
  Log(LogLevel::kDebug, "opened SQLite database {} ({})", path, purpose);
  return conn;
}

SqliteConn::~SqliteConn() {
  sqlite3_close_v2(db_);
}

Status SqliteConn::ErrorFrom(int rc, std::string_view what) const {
  std::string msg = sqlite3_errmsg(db_);
  return Status(CodeForSqliteError(rc), std::string(what) + ": " + msg + " (SQLite error " +
                                            std::to_string(rc) + ", " + path_ + ")");
}

Status SqliteConn::Exec(std::string_view sql, std::string_view what) {
  std::string q(sql);
  int rc = sqlite3_exec(db_, q.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return Status::Ok();
  return ErrorFrom(rc, what.empty() ? std::string_view(q).substr(0, 200) : what);
}

Result<std::unique_ptr<SqliteStmt>> SqliteConn::Prepare(std::string_view sql,
                                                        std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  std::string context(what.empty() ? sql.substr(0, 200) : what);
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorFrom(rc, context);
  }
  if (!stmt) return InvalidArgument(context + ": empty statement");
  return std::unique_ptr<SqliteStmt>(new SqliteStmt(this, stmt, std::move(context)));
}

std::string SqliteConn::QuoteIdent(std::string_view ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace cutover::sqlite
