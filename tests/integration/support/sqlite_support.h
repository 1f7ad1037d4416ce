// Integration-test helpers for SQLite endpoints: temp database files, a plain sqlite3
// connection for writers and checks, and an independent comparison of a table across engines.
//
// Nothing here uses engine code: SQLite is read through the sqlite3 C API directly, PostgreSQL
// and MariaDB through their command-line clients. Each side renders every column to one
// canonical text per kind (Canon), so a row compares equal exactly when its values are equal
// under the rules docs/types.md states for the pair and nothing else.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/throwaway_server.h"
#include "tests/integration/support/test_support.h"

namespace cutover::testing {

// A fresh temp directory for a test's database files; removed with its contents at the end.
class SqliteDir {
 public:
  SqliteDir();
  ~SqliteDir();
  std::string path(const std::string& file) const { return dir_ + "/" + file; }
  std::string uri(const std::string& file) const { return "sqlite://" + path(file); }

 private:
  std::string dir_;
};

// Runs statements on the file (busy timeout 10 s); fails the test with SQLite's message.
void SqliteExec(const std::string& path, const std::string& sql);
// The first column of the first row as text ("" when none; "NULL" for NULL).
std::string SqliteValue(const std::string& path, const std::string& sql);
// Every row's first column (ordered as the query says).
std::vector<std::string> SqliteColumn(const std::string& path, const std::string& sql);

// How a column is compared; every side renders it to the same text.
enum class Canon {
  kInt,        // decimal integer
  kBool,       // 0 / 1
  kText,       // hex of the UTF-8 bytes (text, JSON, UUID text)
  kBytes,      // hex of the bytes
  kFloat,      // shortest text of the IEEE double
  kDecimal,    // decimal text without trailing fraction zeros
  kDate,       // YYYY-MM-DD
  kTimestamp,  // YYYY-MM-DD HH:MM:SS.ffffff (a timestamptz in UTC)
};
struct CanonCol {
  std::string name;
  Canon canon;
};

// Rows "v1|v2|..." (NULL as N) ordered by `order_by` (column names, comma-separated).
std::vector<std::string> SqliteCanonRows(const std::string& path, const std::string& table,
                                         const std::string& order_by,
                                         const std::vector<CanonCol>& cols);
// `db`: the database on the server holding `table`.
std::vector<std::string> PgCanonRows(const harness::ThrowawayServer& pg, const std::string& table,
                                     const std::string& order_by, const std::vector<CanonCol>& cols,
                                     const std::string& db = "cutover");
std::vector<std::string> MariaCanonRows(const harness::ThrowawayServer& maria,
                                        const std::string& table, const std::string& order_by,
                                        const std::vector<CanonCol>& cols);

// "" when equal, else the row counts and the first differing rows.
std::string CompareCanonRows(const std::vector<std::string>& source,
                             const std::vector<std::string>& target);

// Polls both sides every 250 ms until equal (or `timeout`); "" or the last difference.
std::string WaitUntilSame(const std::function<std::vector<std::string>()>& source,
                          const std::function<std::vector<std::string>()>& target,
                          std::chrono::seconds timeout);

// Kills the engine with SIGKILL `times` times, at random moments 1.5-4 s apart (seeded), each
// time restarting it with `args`; fails the test if it died on its own before a kill.
void KillNineAndRestart(std::unique_ptr<EngineProcess>& engine,
                        const std::vector<std::string>& args, int times, int seed);

// Random OLTP transactions on kc(id INTEGER PRIMARY KEY, balance INTEGER, note TEXT, data
// BLOB) and kc_events(id INTEGER PRIMARY KEY, account INTEGER, amount INTEGER) of a SQLite file,
// from its own connection, until `stop` (at most 10 minutes): transfers, delete-and-reinsert,
// INSERT OR REPLACE (with recursive_triggers as `recursive`), key changes, bulk updates.
void CreateKcTables(const std::string& path, int accounts);
void RunSqliteKcWriter(const std::string& path, int seed, bool recursive,
                       const std::atomic<bool>& stop, std::atomic<long>& committed);
extern const std::vector<CanonCol> kKcCols;
extern const std::vector<CanonCol> kKcEventCols;

}  // namespace cutover::testing
