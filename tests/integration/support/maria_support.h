// Integration-test helpers for MariaDB endpoints: throwaway MariaDB servers, a plain client
// connection for writers and checks, and an independent row-by-row comparison of a table on
// two servers of any engines.
//
// The comparison shares no code with the replication engine: each side computes, in SQL,
// md5 of one canonical text per row (per-column expressions the test chooses, so a lossy
// mapping is normalised exactly where docs/types.md says and nowhere else), ordered by key.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "engine/mariadb/maria_conn.h"
#include "harness/throwaway_server.h"

namespace cutover::testing {

// Starts a MariaDB (log_bin, ROW, FULL, FULL). `extra_args` are appended to mariadbd's options.
std::unique_ptr<harness::ThrowawayServer> StartMariaDb(const std::string& name,
                                                       const std::string& extra_args = "");

// A client connection (utf8mb4, time_zone +00:00); fails the test when it cannot connect.
std::unique_ptr<mariadb::MariaConn> MariaConnect(const harness::ThrowawayServer& server);

// Runs statements; fails the test with the server's message on error.
void MariaExec(mariadb::MariaConn& conn, const std::string& sql);
// First cell of the first row ("" when none).
std::string MariaValue(mariadb::MariaConn& conn, const std::string& sql);

// One compared column: the canonical text of its value on each engine (NULL stays NULL).
struct CanonColumn {
  std::string maria;  // expression over the MariaDB column
  std::string pg;     // expression over the PostgreSQL column
};

// Columns compared as their text on both engines (CAST(c AS CHAR) on MariaDB, c on PostgreSQL).
std::vector<CanonColumn> PlainColumns(std::initializer_list<const char*> names);

// "key<TAB>md5(canonical row)" per row, ordered by `key`; {"error: ..."} when the query
// fails (e.g. the target table does not exist yet), so pollers can keep waiting.
std::vector<std::string> RowDigests(const harness::ThrowawayServer& server,
                                    const std::string& table, const std::string& key,
                                    const std::vector<CanonColumn>& columns);

// "" when both digest lists are equal, else the row count of each and up to 5 differing keys.
std::string CompareDigests(std::vector<std::string> source, std::vector<std::string> target);

// Polls (every 250 ms, up to `timeout`) until RowDigests of `source_table` on `source` equals
// that of `target_table` on `target`; returns "" or the last difference.
std::string WaitUntilRowsEqual(const harness::ThrowawayServer& source,
                               const std::string& source_table,
                               const harness::ThrowawayServer& target,
                               const std::string& target_table, const std::string& key,
                               const std::vector<CanonColumn>& columns,
                               std::chrono::seconds timeout);

}  // namespace cutover::testing
