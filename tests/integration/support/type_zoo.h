// The type zoo: one logical table of edge values (issue 4 part 3), rendered for every engine, and
// an independent value-by-value comparison of a replicated copy with its source.
//
// Design.
//   - One definition. Each zoo column has a logical class (integer, decimal, float, text, ...),
//     its type on each engine (absent where the engine has no such type: unsigned integers exist
//     only on MariaDB), and one logical value per edge row. A value is written once and rendered
//     as each engine's literal (text and bytes from their raw bytes, so a tab, a trailing space or
//     a 4-byte character is the same bytes everywhere). Where an engine cannot hold a value at all
//     (NaN in MariaDB, a zero date in PostgreSQL), the definition names what that engine stores
//     instead, usually NULL; rows are otherwise identical on every source.
//   - Independent comparison. Each side is read with its own client (psql, the mariadb client,
//     the SQLite library directly: the sqlite3 shell does not print doubles exactly): every
//     column rendered in SQL by its class to an unambiguous text (hex of the bytes for strings,
//     microseconds for times, the exact double for floats) -- never through the engine's
//     decoders or the validator. The C++ side only undoes client spelling
//     (`1.50` vs `1.5`, `t` vs `1`) and then applies, to the source value, exactly the lossy
//     rules docs/types.md states for that pair and column (ZooRule: one function each, commented
//     with the docs line). Anything else that differs is reported with row, column and both
//     values.
//   - The same rules say which columns the engine must announce: type-level rules once per
//     column at task start (EngineDriver::TargetRules), value-level rules once per column and rule
//     when a value hits them (engine/core/lossy.h), and no other column.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "harness/throwaway_server.h"

namespace cutover::testing {

enum class ZooEngine { kPostgres, kMariaDb, kSqlite };
const char* ZooEngineName(ZooEngine e);  // "pg", "mariadb", "sqlite" (test names)

// Where a zoo lives: a throwaway server, or a SQLite file.
struct ZooEndpoint {
  ZooEngine engine = ZooEngine::kPostgres;
  const harness::ThrowawayServer* server = nullptr;  // kPostgres, kMariaDb
  std::string sqlite_path;                           // kSqlite: absolute path of the file

  std::string uri() const;
  // The zoo table's name as the engine's SQL names it ("public.zoo", "zoo").
  std::string table() const;
  // The zoo table's name in the engine's log lines ("public.zoo", "cutover.zoo", "main.zoo").
  std::string logged_table() const;
  // Runs statements with the engine's own client (psql, mariadb, the SQLite library); output
  // trimmed, rows '\n'-separated, columns '|' (psql, SQLite) or '\t' (mariadb).
  Result<std::string> Sql(const std::string& sql) const;
};

// DDL of the zoo table plus its edge rows (ids 1..ZooRowCount()), for a source.
std::string ZooCreateSql(ZooEngine engine);
// The CDC workload, one script: inserts every edge row again (ids 101..), updates every column of
// some rows to other edge values, to NULL and from NULL, changes a key, deletes rows.
std::string ZooCdcSql(ZooEngine engine);
// A second CDC workload, for a restarted engine: more rows to other edge values, from and to
// NULL, an insert and a delete in one transaction, then a row set to the 1 MiB value.
std::string ZooSecondCdcSql(ZooEngine engine);
int ZooRowCount();          // rows of ZooCreateSql
int ZooRowCountAfterCdc();  // rows after both CDC workloads

// Compares the zoo on `target` (replicated from `source`) with the source, value by value under
// the pair's docs/types.md rules. "" when equal, else the first differences (row, column, both
// values, the rules applied).
std::string CompareZoo(const ZooEndpoint& source, const ZooEndpoint& target);
// Polls CompareZoo every 500 ms until equal or `timeout`; returns "" or the last difference.
std::string WaitZooEqual(const ZooEndpoint& source, const ZooEndpoint& target,
                         std::chrono::seconds timeout);

// Source columns whose mapping to `target` is lossy by a documented rule, so the engine must
// announce them once at task start.
std::vector<std::string> ZooAnnouncedColumns(ZooEngine source, ZooEngine target);
// Checks one run's engine log ("warn  table T: column C...: Ln ..."): a type-level rule (L6) is
// announced exactly once per column; a value-level rule at most once per (column, rule), and, in
// the run that loaded the zoo (`first_run`), exactly once when the source holds a value the rule
// changes; no other zoo column is announced. "" when so, else what is wrong.
std::string CheckZooWarnings(const std::string& log, const ZooEndpoint& source, ZooEngine target,
                             bool first_run);

}  // namespace cutover::testing
