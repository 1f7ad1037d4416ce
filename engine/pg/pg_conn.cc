#include "engine/pg/pg_conn.h"

#include <cstring>

#include "engine/core/log.h"
#include "engine/core/uri.h"

namespace cutover::pg {

namespace {

std::string FirstLine(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  auto nl = s.find('\n');
  if (nl != std::string::npos) s = s.substr(0, nl);
  return s;
}

StatusCode CodeForSqlState(std::string_view state) {
  if (state.size() < 2) return StatusCode::kInternal;
  std::string_view cls = state.substr(0, 2);
  if (cls == "08") return StatusCode::kUnavailable;       // connection exception
  if (cls == "28") return StatusCode::kPermissionDenied;  // invalid authorization
  if (state == "42501") return StatusCode::kPermissionDenied;
  if (cls == "42" && (state == "42P01" || state == "42704")) return StatusCode::kNotFound;
  if (cls == "57") return StatusCode::kUnavailable;  // operator intervention (shutdown)
  if (cls == "53") return StatusCode::kUnavailable;  // insufficient resources
  if (cls == "40") return StatusCode::kUnavailable;  // deadlock / serialization: roll back, retry
  // lock_not_available: a bounded lock wait ran out (lock_timeout); the holder may let go.
  if (state == "55P03") return StatusCode::kUnavailable;
  if (cls == "55") return StatusCode::kFailedPrecondition;
  if (cls == "22" || cls == "23" || cls == "42") return StatusCode::kInvalidArgument;
  return StatusCode::kInternal;
}

}  // namespace

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& uri, ConnMode mode,
                                                std::string_view application_name) {
  std::string redacted = RedactUri(uri);
  std::string password = PasswordOfUri(uri);
  char* parse_err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(uri.c_str(), &parse_err);
  if (!parsed) {
    std::string msg = parse_err ? FirstLine(parse_err) : "unparseable";
    if (parse_err) PQfreemem(parse_err);
    return InvalidArgument(
        RedactSecret("invalid PostgreSQL URI " + redacted + ": " + msg, password));
  }
  PQconninfoFree(parsed);

  std::string app(application_name);
  std::vector<const char*> keys{"dbname", "options", "application_name", "connect_timeout"};
  std::vector<const char*> vals{uri.c_str(),
                                "-c DateStyle=ISO -c TimeZone=UTC -c extra_float_digits=3 "
                                "-c IntervalStyle=postgres -c statement_timeout=0",
                                app.c_str(), "10"};
  if (mode == ConnMode::kReplication) {
    keys.push_back("replication");
    vals.push_back("database");
  }
  keys.push_back(nullptr);
  vals.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), vals.data(), /*expand_dbname=*/1);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = FirstLine(PQerrorMessage(conn));
    PQfinish(conn);
    StatusCode code = StatusCode::kUnavailable;
    if (msg.find("password") != std::string::npos ||
        msg.find("authentication") != std::string::npos ||
        msg.find("no pg_hba.conf entry") != std::string::npos)
      code = StatusCode::kPermissionDenied;
    else if (msg.find("does not exist") != std::string::npos)
      code = StatusCode::kNotFound;
    return Status(code, RedactSecret("cannot connect to " + redacted + ": " + msg, password));
  }
  // Server notices ("relation already exists, skipping") go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) { Log(LogLevel::kDebug, "server: {}", FirstLine(message)); },
      nullptr);
  return std::unique_ptr<PgConn>(new PgConn(conn, redacted, password));
}

PgConn::~PgConn() {
  if (conn_) PQfinish(conn_);
}

std::string PgConn::Scrub(std::string text) const {
  return RedactSecret(std::move(text), password_);
}

Status PgConn::ErrorFrom(const PGresult* res, std::string_view what) const {
  if (!res) return ConnectionError(what);
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
  std::string msg = primary ? primary : FirstLine(PQresultErrorMessage(res));
  if (msg.empty()) msg = FirstLine(PQerrorMessage(conn_));
  if (const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) {
    msg += " (" + FirstLine(detail) + ")";
  }
  // A value the server refuses during COPY: the context names the line and the column
  // ("COPY t, line 3, column c: \"25:00:00\"", the value cut to 100 bytes by the server).
  if (const char* context = PQresultErrorField(res, PG_DIAG_CONTEXT)) {
    std::string first = FirstLine(context);
    if (first.rfind("COPY ", 0) == 0) msg += " (" + first + ")";
  }
  StatusCode code = state ? CodeForSqlState(state) : StatusCode::kUnavailable;
  if (PQstatus(conn_) == CONNECTION_BAD) code = StatusCode::kUnavailable;
  std::string text = std::string(what) + ": " + msg;
  if (state) text += " [SQLSTATE " + std::string(state) + "]";
  return Status(code, Scrub(text));
}

Status PgConn::ConnectionError(std::string_view what) const {
  return Unavailable(Scrub(std::string(what) + ": " + FirstLine(PQerrorMessage(conn_)) + " (" +
                           redacted_uri_ + ")"));
}

Result<PgResult> PgConn::Exec(std::string_view sql, std::string_view what) {
  std::string q(sql);
  PgResult res(PQexec(conn_, q.c_str()));
  ExecStatusType st = res.raw() ? PQresultStatus(res.raw()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN ||
      st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH || st == PGRES_EMPTY_QUERY)
    return res;
  return ErrorFrom(res.raw(), what.empty() ? std::string_view(q).substr(0, 200) : what);
}

Result<PgResult> PgConn::ExecParams(std::string_view sql, const std::vector<const char*>& params,
                                    std::string_view what) {
  std::string q(sql);
  PgResult res(PQexecParams(conn_, q.c_str(), static_cast<int>(params.size()), nullptr,
                            params.data(), nullptr, nullptr, 0));
  ExecStatusType st = res.raw() ? PQresultStatus(res.raw()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  return ErrorFrom(res.raw(), what.empty() ? std::string_view(q).substr(0, 200) : what);
}

std::string PgConn::QuoteIdent(std::string_view ident) const {
  char* q = PQescapeIdentifier(conn_, ident.data(), ident.size());
  std::string out = q ? q : "";
  if (q) PQfreemem(q);
  return out;
}

std::string PgConn::QuoteLiteral(std::string_view literal) const {
  char* q = PQescapeLiteral(conn_, literal.data(), literal.size());
  std::string out = q ? q : "";
  if (q) PQfreemem(q);
  return out;
}

std::string QualifiedName(PgConn& conn, const TableName& name) {
  return conn.QuoteIdent(name.schema) + "." + conn.QuoteIdent(name.name);
}

}  // namespace cutover::pg
