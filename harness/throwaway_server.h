// ThrowawayServer: a real PostgreSQL or MariaDB server, configured for CDC, that lives as long
// as the C++ object that started it. Used by integration tests and the scenario runner.
//
// Design: this is a thin wrapper over scripts/servers.sh, so tests, demos and humans get the
// exact same server setup (wal_level=logical / ROW binlog with FULL image and metadata,
// `cutover` superuser, 127.0.0.1 only). Every server gets its own fresh mkdtemp state directory
// (CUTOVER_SERVERS_DIR) and a name made unique by pid and a counter, so concurrent test
// processes never collide. The script is found through the CUTOVER_SOURCE_DIR environment
// variable, else the CUTOVER_SOURCE_DIR compile definition. Child processes get their
// passwords through the environment or a client option file, never through argv.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/core/status.h"

namespace cutover::harness {

enum class ServerKind { kPostgres, kMariaDb };

// "postgres" or "mariadb", as servers.sh spells them (EngineDriver::throwaway_server()).
std::string_view ServerKindName(ServerKind kind);
// The kind servers.sh calls `name`; kInvalidArgument for a name it does not know.
Result<ServerKind> ServerKindNamed(std::string_view name);

class ThrowawayServer {
 public:
  // Starts a server configured for CDC in a new temp dir on a free 127.0.0.1 port. `name` is
  // a human-readable prefix (e.g. the test name); it is sanitized and made unique.
  static Result<std::unique_ptr<ThrowawayServer>> Start(ServerKind kind, std::string name);
  // The same, by servers.sh's name of the kind ("postgres", "mariadb").
  static Result<std::unique_ptr<ThrowawayServer>> Start(std::string_view kind, std::string name);

  ThrowawayServer(const ThrowawayServer&) = delete;
  ThrowawayServer& operator=(const ThrowawayServer&) = delete;
  ~ThrowawayServer();  // Stop(); errors are reported on stderr.

  ServerKind kind() const { return kind_; }
  const std::string& name() const { return name_; }  // unique servers.sh NAME
  // postgresql://cutover:cutover@127.0.0.1:PORT/cutover or mariadb://...: as servers.sh prints.
  const std::string& uri() const { return uri_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }  // the server's own directory
  bool running() const { return !stopped_; }

  // Stops the server (fast shutdown) and removes its directories. Idempotent.
  Status Stop();

  // Restarts the server in place: fast shutdown, then start with the same data and port (the
  // URI stays valid). Clients see their connections dropped. For tests of reconnecting clients.
  Status Restart();

  // An outage: Halt stops the server (fast shutdown) keeping its data and port; Resume starts
  // it again, so uri() stays valid. Resume of a running server does nothing.
  Status Halt();
  Status Resume();

  // Runs SQL (one or more statements) through psql / the mariadb client, connecting over TCP as
  // `cutover`, and returns stdout with surrounding whitespace trimmed. Rows are separated by
  // '\n'; columns by '|' (psql -A) or '\t' (mariadb -B). Stops at the first error.
  Result<std::string> Sql(const std::string& sql, const std::string& db = "cutover") const;

 private:
  ThrowawayServer() = default;
  // Runs `servers.sh VERB name` on this server (restart, halt, resume).
  Status InPlace(const char* verb, const char* doing);

  ServerKind kind_ = ServerKind::kPostgres;
  std::string name_;
  std::string base_dir_;  // mkdtemp dir given to servers.sh as CUTOVER_SERVERS_DIR
  std::string dir_;       // base_dir_/name_
  std::string uri_;
  int port_ = 0;
  bool stopped_ = false;
};

// Where scripts/servers.sh lives: $CUTOVER_SOURCE_DIR, else the compile-time source dir.
std::string SourceDir();

}  // namespace cutover::harness
