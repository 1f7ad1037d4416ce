// MariaConn: the one place libmariadb (Connector/C) is called for ordinary connections.
//
// URIs: mariadb://user:password@host:port/database (mysql:// means the same). User and password
// may be percent-encoded; port defaults to 3306; "localhost" is used as a TCP host name (we never
// fall back to the Unix socket silently). Every connection is set up the same way so that values
// read and written mean the same on every session: utf8mb4, time_zone '+00:00', and an sql_mode
// that is strict and lets an explicit 0 into AUTO_INCREMENT columns.
//
// Every client error becomes a Status with the error number mapped to a StatusCode and the
// password scrubbed from the message.
#pragma once

#include <mysql.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/status.h"

namespace cutover::mariadb {

struct MariaUri {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string redacted;  // the URI as printable (password "***")
};

// Parses a mariadb:// or mysql:// URI. Errors name the redacted URI and the bad part.
Result<MariaUri> ParseMariaUri(std::string_view uri);

// A fully read (small) result: rows of nullable text cells.
struct MariaRows {
  std::vector<std::string> names;
  std::vector<std::vector<std::optional<std::string>>> rows;
  // The cell of `row` in the column named `name` (case-insensitive); nullopt if NULL or absent.
  std::optional<std::string> Get(size_t row, std::string_view name) const;
};

struct MariaConnectOptions {
  bool local_infile = false;    // allow LOAD DATA LOCAL INFILE (target bulk loads)
  unsigned read_timeout_s = 0;  // 0: none (replication streams wait indefinitely)
};

class MariaConn : NonCopyable {
 public:
  // Connects and applies the session settings above. `purpose` is logged and named in errors.
  static Result<std::unique_ptr<MariaConn>> Connect(const std::string& uri,
                                                    std::string_view purpose,
                                                    const MariaConnectOptions& options = {});
  ~MariaConn();

  // Runs one statement (or several separated by ';': connections allow multi-statements, so
  // a sink can send a transaction's statements in one round trip) and discards any result;
  // the first failing statement's error is returned. `what` describes it for the error message
  // (defaults to the SQL text).
  Status Exec(std::string_view sql, std::string_view what = {});
  // Runs one statement and reads its whole result (for catalog queries and small results).
  Result<MariaRows> Query(std::string_view sql, std::string_view what = {});

  // The Status for the connection's last error, with `what` as context.
  Status LastError(std::string_view what) const;

  // 'text' quoted as a string literal for this connection's character set.
  std::string QuoteLiteral(std::string_view text) const;
  // `ident` quoted with back-ticks (back-ticks doubled).
  static std::string QuoteIdent(std::string_view ident);
  // `db`.`table`
  static std::string QualifiedName(const TableName& name);

  MYSQL* raw() { return mysql_; }
  const MariaUri& uri() const { return uri_; }
  const std::string& redacted_uri() const { return uri_.redacted; }
  unsigned long server_version() const { return mysql_get_server_version(mysql_); }

 private:
  MariaConn(MYSQL* mysql, MariaUri uri) : mysql_(mysql), uri_(std::move(uri)) {}
  std::string Scrub(std::string text) const;

  MYSQL* mysql_;
  MariaUri uri_;
};

// Maps a client/server error number to a StatusCode (connection errors are kUnavailable).
StatusCode CodeForMariaError(unsigned error_number);

}  // namespace cutover::mariadb
