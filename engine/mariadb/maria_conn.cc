#include "engine/mariadb/maria_conn.h"

#include <errmsg.h>
#include <mysqld_error.h>

#include <cctype>
#include <charconv>
#include <mutex>

#include "engine/core/log.h"
#include "engine/core/uri.h"

namespace cutover::mariadb {

namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// mysql_library_init is not thread-safe; connections are opened from several threads.
void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

Result<MariaUri> ParseMariaUri(std::string_view uri) {
  MariaUri out;
  out.redacted = RedactUri(uri);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid MariaDB URI " + out.redacted + ": " + std::string(why));
  };
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected mariadb://user:pass@host:port/db");
  std::string_view scheme = uri.substr(0, scheme_end);
  if (scheme != "mariadb" && scheme != "mysql") return bad("scheme must be mariadb:// or mysql://");
  std::string_view rest = uri.substr(scheme_end + 3);
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    return bad("query parameters are not supported ('" + std::string(rest.substr(q)) + "')");
  }
  std::string_view authority = rest, path;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    out.user = PercentDecode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) out.password = PercentDecode(userinfo.substr(colon + 1));
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:3306
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("junk after ']' in host");
    if (!after.empty()) port = after.substr(1);
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535) {
      return bad("port '" + std::string(port) + "' is not a number in 1-65535");
    }
    out.port = p;
  }
  if (!host.empty()) out.host = std::string(host);
  out.database = PercentDecode(path);
  if (out.database.empty()) return bad("a database name is required (mariadb://host/DB)");
  if (out.user.empty()) return bad("a user name is required (mariadb://USER@host/db)");
  return out;
}

std::optional<std::string> MariaRows::Get(size_t row, std::string_view name) const {
  for (size_t c = 0; c < names.size(); ++c) {
    if (names[c].size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < name.size() && eq; ++i)
      eq = std::tolower(static_cast<unsigned char>(names[c][i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return row < rows.size() ? rows[row][c] : std::nullopt;
  }
  return std::nullopt;
}

StatusCode CodeForMariaError(unsigned e) {
  switch (e) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_UNKNOWN_HOST:
    case ER_SERVER_SHUTDOWN:
    case ER_CON_COUNT_ERROR:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK:
      return StatusCode::kUnavailable;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
      return StatusCode::kPermissionDenied;
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
    case ER_BAD_TABLE_ERROR:
      return StatusCode::kNotFound;
    case ER_MASTER_FATAL_ERROR_READING_BINLOG:
      return StatusCode::kDataLoss;
    default:
      if (e >= 2000 && e < 3000) return StatusCode::kUnavailable;  // other client errors
      if (e >= 1000 && e < 2000) return StatusCode::kInvalidArgument;
      return StatusCode::kInternal;
  }
}

Result<std::unique_ptr<MariaConn>> MariaConn::Connect(const std::string& uri,
                                                      std::string_view purpose,
                                                      const MariaConnectOptions& options) {
  ASSIGN_OR_RETURN(MariaUri parsed, ParseMariaUri(uri));
  InitLibraryOnce();
  MYSQL* m = mysql_init(nullptr);
  if (!m) return Internal("mysql_init failed: out of memory");
  unsigned timeout = 10;
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (options.read_timeout_s) mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &options.read_timeout_s);
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  my_bool local_infile = options.local_infile ? 1 : 0;
  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  std::string program = "cutover " + std::string(purpose);
  mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", program.c_str());
  mysql_optionsv(m, MYSQL_INIT_COMMAND,
                 "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,"
                 "NO_AUTO_VALUE_ON_ZERO'");
  if (!mysql_real_connect(m, parsed.host.c_str(), parsed.user.c_str(), parsed.password.c_str(),
                          parsed.database.c_str(), parsed.port, nullptr,
                          CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS)) {
    unsigned e = mysql_errno(m);
    std::string msg = RedactSecret(mysql_error(m), parsed.password);
    mysql_close(m);
    return Status(CodeForMariaError(e), "cannot connect to " + parsed.redacted + ": " + msg);
  }
  Log(LogLevel::kDebug, "connected to {} ({})", parsed.redacted, purpose);
  return std::unique_ptr<MariaConn>(new MariaConn(m, std::move(parsed)));
}

MariaConn::~MariaConn() {
  if (mysql_) mysql_close(mysql_);
}

std::string MariaConn::Scrub(std::string text) const {
  return RedactSecret(std::move(text), uri_.password);
}

Status MariaConn::LastError(std::string_view what) const {
  unsigned e = mysql_errno(mysql_);
  std::string msg = Scrub(mysql_error(mysql_));
  return Status(CodeForMariaError(e),
                std::string(what) + ": " + msg + " (error " + std::to_string(e) + ")");
}

Status MariaConn::Exec(std::string_view sql, std::string_view what) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    return LastError(what.empty() ? sql.substr(0, 200) : what);
  }
  // Drain every result (multi-statement or a statement that returns rows).
  do {
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res)
      mysql_free_result(res);
    else if (mysql_field_count(mysql_) != 0)
      return LastError(what.empty() ? sql.substr(0, 200) : what);
  } while (mysql_next_result(mysql_) == 0);
  if (mysql_errno(mysql_)) return LastError(what.empty() ? sql.substr(0, 200) : what);
  return Status::Ok();
}

Result<MariaRows> MariaConn::Query(std::string_view sql, std::string_view what) {
  std::string_view context = what.empty() ? sql.substr(0, 200) : what;
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return LastError(context);
  MYSQL_RES* res = mysql_store_result(mysql_);
  MariaRows out;
  if (!res) {
    if (mysql_field_count(mysql_) != 0) return LastError(context);
    return out;  // statement without a result set
  }
  unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) out.names.emplace_back(fields[i].name, fields[i].name_length);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    auto& r = out.rows.emplace_back();
    r.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      if (row[i])
        r.emplace_back(std::string(row[i], lengths[i]));
      else
        r.emplace_back(std::nullopt);
    }
  }
  mysql_free_result(res);
  return out;
}

std::string MariaConn::QuoteLiteral(std::string_view text) const {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(mysql_, out.data() + 1, text.data(), text.size());
  out.resize(n + 1);
  out.push_back('\'');
  return out;
}

std::string MariaConn::QuoteIdent(std::string_view ident) {
  std::string out = "`";
  for (char c : ident) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string MariaConn::QualifiedName(const TableName& name) {
  return QuoteIdent(name.schema) + "." + QuoteIdent(name.name);
}

}  // namespace cutover::mariadb
