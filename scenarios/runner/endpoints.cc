#include "scenarios/runner/endpoints.h"

#include <sqlite3.h>

#include <cctype>
#include <cstdlib>

#include "engine/mariadb/maria_conn.h"
#include "engine/pg/pg_conn.h"

namespace cutover::scenario {

namespace {

// "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"; "10.11.6-MariaDB-0+deb12u2-log" -> "10.11.6".
std::string LeadingVersion(std::string_view text) {
  size_t n = 0;
  while (n < text.size() && (std::isdigit(static_cast<unsigned char>(text[n])) || text[n] == '.'))
    ++n;
  return std::string(text.substr(0, n));
}

// Splits "scheme://[userinfo@]host[:port][/rest]" into the authority's span.
struct Authority {
  size_t host_begin = 0, end = 0;  // [host_begin, end) is host[:port]
};
Result<Authority> FindAuthority(std::string_view uri) {
  size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos)
    return InvalidArgument("URI '" + RedactUri(uri) + "' has no scheme://");
  size_t begin = scheme + 3;
  size_t end = uri.find_first_of("/?", begin);
  if (end == std::string_view::npos) end = uri.size();
  size_t at = uri.rfind('@', end);
  Authority a;
  a.host_begin = (at != std::string_view::npos && at >= begin) ? at + 1 : begin;
  a.end = end;
  return a;
}

}  // namespace

Result<std::string> ServerVersion(const std::string& uri) {
  ASSIGN_OR_RETURN(EngineKind kind, EngineOfUri(uri, "endpoint"));
  if (kind == EngineKind::kPostgres) {
    ASSIGN_OR_RETURN(auto conn,
                     pg::PgConn::Connect(uri, pg::ConnMode::kNormal, "cutover-scenario"));
    ASSIGN_OR_RETURN(auto r, conn->Exec("SHOW server_version"));
    return "PostgreSQL " + LeadingVersion(r.rows() ? r.get(0, 0) : "");
  }
  if (kind == EngineKind::kMariaDb) {
    ASSIGN_OR_RETURN(auto conn, mariadb::MariaConn::Connect(uri, "scenario version"));
    ASSIGN_OR_RETURN(auto rows, conn->Query("SELECT VERSION()"));
    std::string v = rows.rows.empty() || !rows.rows[0][0] ? "" : *rows.rows[0][0];
    return "MariaDB " + LeadingVersion(v);
  }
  return std::string("SQLite ") + sqlite3_libversion();
}

std::string HeartbeatMicrosSql(EngineKind engine) {
  switch (engine) {
    case EngineKind::kPostgres:
      return "SELECT (extract(epoch FROM source_time) * 1000000)::bigint FROM cutover_heartbeat "
             "WHERE id = 1";
    case EngineKind::kMariaDb:
      return "SELECT CAST(UNIX_TIMESTAMP(source_time) * 1000000 AS SIGNED) FROM "
             "cutover_heartbeat WHERE id = 1";
    case EngineKind::kSqlite:
      return "SELECT CAST((julianday(source_time) - 2440587.5) * 86400000000.0 AS INTEGER) FROM "
             "cutover_heartbeat WHERE id = 1";
  }
  return "";
}

Result<HostPort> HostPortOfUri(std::string_view uri) {
  ASSIGN_OR_RETURN(Authority a, FindAuthority(uri));
  std::string_view hp = uri.substr(a.host_begin, a.end - a.host_begin);
  HostPort out;
  size_t colon = hp.rfind(':');
  if (colon != std::string_view::npos && hp.find(']', colon) == std::string_view::npos) {
    out.host = std::string(hp.substr(0, colon));
    out.port = std::atoi(std::string(hp.substr(colon + 1)).c_str());
  } else {
    out.host = std::string(hp);
    ASSIGN_OR_RETURN(EngineKind kind, EngineOfUri(uri, "endpoint"));
    out.port = kind == EngineKind::kMariaDb ? 3306 : 5432;
  }
  if (out.host.empty()) out.host = "127.0.0.1";
  if (out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  if (out.port <= 0 || out.port > 65535)
    return InvalidArgument("URI '" + RedactUri(uri) + "': bad port");
  return out;
}

Result<std::string> UriWithPort(std::string_view uri, int port) {
  ASSIGN_OR_RETURN(Authority a, FindAuthority(uri));
  return std::string(uri.substr(0, a.host_begin)) + "127.0.0.1:" + std::to_string(port) +
         std::string(uri.substr(a.end));
}

}  // namespace cutover::scenario
