// PgConn: the one place libpq is called for ordinary queries and connections.
//
// Every libpq error becomes a Status carrying the SQLSTATE class mapped to a StatusCode and the
// server's one-line message, scrubbed of the password. Connections always use the session
// settings pgoutput and COPY output depend on: DateStyle=ISO, TimeZone=UTC,
// extra_float_digits=3 (shortest exact floats), IntervalStyle=postgres.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "engine/core/endpoint.h"
#include "engine/core/status.h"

namespace cutover::pg {

struct PGresultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

// An owned query result with bounds-unchecked, cheap accessors (callers check rows()/cols()).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  int cols() const { return r_ ? PQnfields(r_.get()) : 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
  std::string_view get(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string str(int row, int col) const { return std::string(get(row, col)); }
  PGresult* raw() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, PGresultDeleter> r_;
};

enum class ConnMode { kNormal, kReplication };

class PgConn : NonCopyable {
 public:
  // Connects to a libpq URI (or conninfo). `mode` kReplication opens a logical replication
  // connection (replication=database). Errors name the redacted URI.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& uri, ConnMode mode,
                                                 std::string_view application_name);
  ~PgConn();

  // Runs one or more statements; returns the last result. `what` describes the statement for the
  // error message (defaults to the SQL text itself).
  Result<PgResult> Exec(std::string_view sql, std::string_view what = {});
  Status ExecOk(std::string_view sql, std::string_view what = {}) {
    auto r = Exec(sql, what);
    return r.ok() ? Status::Ok() : r.status();
  }
  // Runs a statement with text parameters (nullptr = NULL).
  Result<PgResult> ExecParams(std::string_view sql, const std::vector<const char*>& params,
                              std::string_view what = {});

  // The status of a failed result or connection, scrubbed, with SQLSTATE mapped to a code.
  Status ErrorFrom(const PGresult* res, std::string_view what) const;
  Status ConnectionError(std::string_view what) const;

  std::string QuoteIdent(std::string_view ident) const;
  std::string QuoteLiteral(std::string_view literal) const;

  PGconn* raw() { return conn_; }
  const std::string& redacted_uri() const { return redacted_uri_; }
  int server_version() const { return PQserverVersion(conn_); }

 private:
  PgConn(PGconn* conn, std::string redacted_uri, std::string password)
      : conn_(conn), redacted_uri_(std::move(redacted_uri)), password_(std::move(password)) {}
  std::string Scrub(std::string text) const;

  PGconn* conn_;
  std::string redacted_uri_;
  std::string password_;
};

// "schema"."table", quoted for SQL.
std::string QualifiedName(PgConn& conn, const TableName& name);

}  // namespace cutover::pg
