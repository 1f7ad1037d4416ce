#include "tests/conformance/support/engines.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include "tests/integration/support/maria_support.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing::conformance {

namespace {

// A loopback port nothing listens on: bind port 0, note it, close it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Database `name` on `server`, created with `create_sql` unless `own` (the server's own one).
std::unique_ptr<Database> OnServer(const harness::ThrowawayServer* server, const std::string& name,
                                   bool own, const std::string& create_sql) {
  if (!server) return nullptr;
  auto db = std::make_unique<Database>();
  db->server = server;
  const std::string& uri = server->uri();
  db->name = own ? uri.substr(uri.rfind('/') + 1) : name;
  db->uri = uri.substr(0, uri.rfind('/') + 1) + db->name;
  if (!own) {
    auto r = server->Sql(create_sql);
    if (!r.ok()) {
      ADD_FAILURE() << "cannot create database " << name << ": " << r.status().message();
      return nullptr;
    }
  }
  return db;
}

// "scheme://cutover:kSecret@127.0.0.1:PORT/cutover"
std::string WithSecret(const std::string& scheme, int port) {
  return scheme + "://cutover:" + kSecret + "@127.0.0.1:" + std::to_string(port) + "/cutover";
}

std::vector<Engine> MakeEngines() {
  std::vector<Engine> engines;

  Engine pg;
  pg.name = "pg";
  pg.zoo = ZooEngine::kPostgres;
  pg.types = {"integer", "bigint",       "numeric(12,4)", "varchar(40)",
              "text",    "timestamp(6)", "bytea",         ""};
  pg.start_server = [](const std::string& label) { return StartPostgres(label); };
  pg.create = [](const harness::ThrowawayServer* server, const std::string& name, bool own,
                 const std::string&) {
    return OnServer(server, name, own, "CREATE DATABASE " + name);
  };
  pg.sql = [](const Database& db, const std::string& sql) {
    return db.server->Sql("SET TimeZone = 'UTC';\n" + sql, db.name);
  };
  pg.canon_rows = [](const Database& db, const std::string& table,
                     const std::vector<CanonCol>& cols) {
    return PgCanonRows(*db.server, "public.\"" + table + "\"", "1", cols, db.name);
  };
  pg.bytes_literal = [](const std::string& hex) { return "decode('" + hex + "', 'hex')"; };
  pg.bad_uris = [](const Database& real, const std::string&) {
    return std::vector<BadUri>{{"unreachable", WithSecret("postgresql", ClosedPort()),
                                "cannot connect to postgresql://cutover:***@127.0.0.1"},
                               {"wrong password", WithSecret("postgresql", real.server->port()),
                                "password authentication failed"}};
  };
  engines.push_back(std::move(pg));

  Engine maria;
  maria.name = "mariadb";
  maria.zoo = ZooEngine::kMariaDb;
  maria.types = {"int",  "bigint",      "decimal(12,4)", "varchar(40)",
                 "text", "datetime(6)", "blob",          " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"};
  maria.start_server = [](const std::string& label) { return StartMariaDb(label); };
  maria.create = [](const harness::ThrowawayServer* server, const std::string& name, bool own,
                    const std::string&) {
    return OnServer(server, name, own, "CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
  };
  maria.sql = [](const Database& db, const std::string& sql) {
    return db.server->Sql(
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES,NO_BACKSLASH_ESCAPES');\n"
        "SET NAMES utf8mb4; SET time_zone = '+00:00';\n" +
            sql,
        db.name);
  };
  maria.canon_rows = [](const Database& db, const std::string& table,
                        const std::vector<CanonCol>& cols) {
    return MariaCanonRows(*db.server, "`" + db.name + "`.`" + table + "`", "1", cols);
  };
  maria.bytes_literal = [](const std::string& hex) { return "X'" + hex + "'"; };
  maria.bad_uris = [](const Database& real, const std::string&) {
    return std::vector<BadUri>{{"unreachable", WithSecret("mariadb", ClosedPort()),
                                "cannot connect to mariadb://cutover:***@127.0.0.1:"},
                               // mysql:// is the scheme's alias: refused the same way.
                               {"wrong password", WithSecret("mysql", real.server->port()),
                                "Access denied for user 'cutover'"}};
  };
  engines.push_back(std::move(maria));

  Engine sqlite;
  sqlite.name = "sqlite";
  sqlite.zoo = ZooEngine::kSqlite;
  sqlite.types = {"INTEGER", "BIGINT",   "DECIMAL(12,4)", "VARCHAR(40)",
                  "TEXT",    "DATETIME", "BLOB",          ""};
  sqlite.create = [](const harness::ThrowawayServer*, const std::string& name, bool,
                     const std::string& scratch) {
    auto db = std::make_unique<Database>();
    db->path = scratch + "/" + name + ".db";
    db->uri = "sqlite://" + db->path;
    // A source file in WAL mode, as an application with concurrent readers runs it.
    ZooEndpoint file;
    file.engine = ZooEngine::kSqlite;
    file.sqlite_path = db->path;
    auto r = file.Sql("PRAGMA journal_mode=WAL");
    if (!r.ok()) {
      ADD_FAILURE() << "cannot create " << db->path << ": " << r.status().message();
      return std::unique_ptr<Database>();
    }
    return db;
  };
  sqlite.sql = [](const Database& db, const std::string& sql) { return db.Zoo().Sql(sql); };
  sqlite.canon_rows = [](const Database& db, const std::string& table,
                         const std::vector<CanonCol>& cols) {
    return SqliteCanonRows(db.path, table, "1", cols);
  };
  sqlite.bytes_literal = [](const std::string& hex) { return "X'" + hex + "'"; };
  sqlite.bad_uris = [](const Database&, const std::string& scratch) {
    std::string junk = scratch + "/not-a-database.db";
    if (FILE* f = std::fopen(junk.c_str(), "w")) {
      std::fputs("this is a text file, not a database; long enough to hold a header........", f);
      std::fclose(f);
    }
    return std::vector<BadUri>{
        {"unreachable", "sqlite://" + scratch + "/no/such/directory/x.db", "no/such/directory"},
        {"not a database", "sqlite://" + junk, "file is not a database"}};
  };
  engines.push_back(std::move(sqlite));

  return engines;
}

}  // namespace

const std::vector<Engine>& Engines() {
  static const std::vector<Engine> engines = MakeEngines();
  return engines;
}

Result<std::string> Database::Sql(const std::string& sql) const {
  return engine->sql(*this, sql);
}

std::vector<std::string> Database::Rows(const std::string& table,
                                        const std::vector<CanonCol>& cols) const {
  std::vector<std::string> rows = engine->canon_rows(*this, table, cols);
  std::sort(rows.begin(), rows.end());
  return rows;
}

ZooEndpoint Database::Zoo() const {
  ZooEndpoint z;
  z.engine = engine->zoo;
  z.server = server;
  z.sqlite_path = path;
  return z;
}

}  // namespace cutover::testing::conformance
