// Helpers of the lakehouse tests: DuckDB (npm @duckdb/node-api, the independent reader) run on
// a lakehouse target's files through tests/lakehouse_readers/duckdb_fold.mjs.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace cutover::testing {

// Runs a shell command; its stdout (and stderr when redirected), exit code in `exit_code`.
std::string Shell(const std::string& cmd, int* exit_code = nullptr);

// Installs DuckDB for node once per process (scripts/install-lakehouse-readers.sh, a no-op when
// present); "" or the failure.
const std::string& DuckDbReady();

// The files of a table folder: CSV with a header line, gzipped CSV, or Parquet.
enum class LakeFiles { kCsv, kCsvGzip, kParquet };

// DuckDB's fold of a table folder's files: the current rows, each a JSON object column -> text
// or null (Parquet values printed in the CSV files' spelling), without Op, `timestamp_column`
// and cutover_position. False (with `error`) when DuckDB could not read the files.
bool DuckDbFold(const std::string& folder, const std::string& key,
                const std::string& timestamp_column, std::vector<nlohmann::json>& rows,
                std::string& error, LakeFiles files = LakeFiles::kCsv);

// Rows of the folder's files whose (id, cutover_position) another row has too: a change
// written twice. The fold alone would hide them (it keeps one row per key), so exactly-once is
// checked on the files themselves. "" when there are none.
std::string Duplicates(const std::string& folder, LakeFiles files = LakeFiles::kCsv);

// Every *.parquet file under `folder` read by DuckDB and by hyparquet (tests/lakehouse_readers/
// read.mjs): both must read every file and give the same column names and the same values, row
// by row (decimals compared as doubles, which is all hyparquet gives). "" when they agree, else
// the first differences. `files_read` counts the files.
std::string HyparquetAgreesWithDuckDb(const std::string& folder, int* files_read = nullptr);

// Polls `compare` every 500 ms until it returns "" or `timeout`; the last result.
template <typename F>
std::string WaitEqual(F compare, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = compare();
    if (last.empty()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return last;
}

}  // namespace cutover::testing
