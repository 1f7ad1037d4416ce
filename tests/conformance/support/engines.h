// The engines the conformance suite runs against: one table, one row per engine.
//
// Design. Everything the suite knows about an engine is in Engines(): its name, how to start a
// throwaway server of it and make a fresh database there, how to run SQL on it, how to read a table
// back as canonical rows, the column types of the contract's tables in its dialect, and URIs that
// must fail (nothing listening, a wrong password). The tests themselves are engine-neutral: they
// are instantiated over every (source, target) pair of this table. Adding an engine to the suite is
// one more row here (later this table is meant to come from the engine registry).
//
// Nothing here uses engine code: servers are read with their own clients (psql, mariadb) and
// SQLite files with the sqlite3 C API, and every value is rendered in SQL to one canonical text
// per kind (tests/integration/support/sqlite_support.h, Canon), so a replicated row compares equal
// exactly when its values are equal.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "harness/throwaway_server.h"
#include "tests/integration/support/sqlite_support.h"
#include "tests/integration/support/type_zoo.h"

namespace cutover::testing::conformance {

struct Engine;

// One fresh database of an engine for one test: a database on a (shared) throwaway server, or a
// file in the test's scratch directory. Tests of one pair share the pair's servers (starting one
// costs seconds) and never each other's databases.
struct Database {
  const Engine* engine = nullptr;
  const harness::ThrowawayServer* server = nullptr;  // server engines (not owned)
  std::string name;                                  // server engines: the database's name
  std::string path;                                  // file engines: the database file
  std::string uri;                                   // what `cutover --source/--target` takes

  // Runs statements in the engine's dialect with identifiers in "double quotes", string literals
  // without backslash escapes and timestamps in UTC (the engine row sets the session up so).
  // Rows '\n'-separated, columns '|' (psql, SQLite) or '\t' (mariadb).
  Result<std::string> Sql(const std::string& sql) const;
  // Every row of `table` (the name the source gave it; where a sink puts it is the engine's
  // business) rendered canonically and sorted, so both sides compare as sets whatever the
  // engines' collations; {"error: ..."} while the table cannot be read.
  std::vector<std::string> Rows(const std::string& table, const std::vector<CanonCol>& cols) const;
  // The type zoo's view of this database (tests/integration/support/type_zoo.h).
  ZooEndpoint Zoo() const;
};

// Column types of the contract's tables, in the engine's dialect.
struct ColumnTypes {
  std::string integer, bigint, decimal_12_4, key_text, text, timestamp_us, bytes;
  std::string table_options;  // appended after CREATE TABLE's column list
};

// A URI that must be refused: one error line, exit 2, no password anywhere in the output.
struct BadUri {
  std::string what;      // "unreachable", "wrong password" (test messages)
  std::string uri;       // may hold kSecret
  std::string expected;  // a fragment the error line must contain
};
inline constexpr const char* kSecret = "Conf0rmanceS3cret";

struct Engine {
  std::string name;  // "pg", "mariadb", "sqlite": used in test names
  ZooEngine zoo;     // the same engine in the type zoo
  ColumnTypes types;
  // Starts a throwaway server (`label` names it in logs); null for an engine without servers.
  std::function<std::unique_ptr<harness::ThrowawayServer>(const std::string& label)> start_server;
  // A fresh empty database `name` on `server` (server engines; with `own`, the server's own
  // database instead, which the type zoo's table names assume) or in directory `scratch` (file
  // engines). nullptr (and a test failure) when it cannot be made.
  std::function<std::unique_ptr<Database>(const harness::ThrowawayServer* server,
                                          const std::string& name, bool own,
                                          const std::string& scratch)>
      create;
  std::function<Result<std::string>(const Database&, const std::string& sql)> sql;
  // Canonical rows of `table` as named by this engine's SQL (see Database::Rows).
  std::function<std::vector<std::string>(const Database&, const std::string& table,
                                         const std::vector<CanonCol>& cols)>
      canon_rows;
  // A bytes literal from lower-case hex digits.
  std::function<std::string(const std::string& hex)> bytes_literal;
  // URIs of this engine that cannot work; `real` is a running database of it (for a wrong
  // password on a live server), `scratch` the test's directory.
  std::function<std::vector<BadUri>(const Database& real, const std::string& scratch)> bad_uris;
};

// Every engine under test, in a fixed order.
const std::vector<Engine>& Engines();

}  // namespace cutover::testing::conformance
