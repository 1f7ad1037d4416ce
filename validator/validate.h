// Validate: prove the target holds exactly the source's rows, or name every row that differs.
//
// Algorithm (docs/validation.md has the reasoning):
//   1. Pair tables and columns (table_pairing.h).
//   2. Cut each keyed table into key ranges of about `chunk_rows` source rows (RangeScanner::
//      SplitKeys: arithmetic on an integer key, every N-th key otherwise); the first and last
//      ranges are open so rows outside the source's key span are still seen on the target.
//   3. `threads` workers take ranges from one queue; each reads the range on both sides at once
//      (two connections, two threads), streaming, and keeps only the count and the sum modulo
//      2^128 of the XXH3-128 row hashes (RowHashSum): bounded memory whatever the table size.
//      Same-engine pairs with identical column types let the servers summarise the range
//      instead (RangeScanner::SummarizeOnServer; `server_hash`), which moves no rows at all but
//      measured slower here than client hashing (bench/RESULTS.md), so it is opt-in.
//   4. A range whose summaries differ is bisected at the median key of its larger side, each
//      half re-summarised and equal halves dropped, until a range holds at most `leaf_rows`
//      rows; its rows are then matched by key in memory (missing-in-target, extra-in-target,
//      different), and the differing rows are read once more with their values to name each
//      differing column with both values.
//   5. With `recheck_seconds` > 0, differing rows are re-read by key after that delay, up to
//      `recheck_rounds` times; rows that became equal are counted as in flight (CDC catching up)
//      rather than reported.
// Tables without a usable key are compared as multisets of rows (count and hash sum).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/progress.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"
#include "engine/task/table_mapping.h"

namespace cutover::validator {

struct ValidateOptions {
  std::string source_uri, target_uri;
  std::vector<std::string> tables;  // patterns; empty: all
  std::string task;                 // non-empty: that task's tables
  // A DMS table mapping (selection and renames), as the task was run with; null: none.
  std::shared_ptr<const task::TableMapping> mapping;
  int threads = 2;
  int64_t chunk_rows = 100000;
  int64_t leaf_rows = 0;     // 0: min(chunk_rows, 100000)
  int recheck_seconds = 0;   // 0: no recheck
  int recheck_rounds = 5;    // rechecks at most this many times
  size_t max_listed = 1000;  // differing rows listed in detail per table (all are counted)
  bool server_hash = false;  // let same-engine pairs summarise ranges on the servers
  Progress::Mode progress = Progress::Mode::kAuto;
};

enum class DiffKind { kMissingInTarget, kExtraInTarget, kDifferent };
const char* DiffKindName(DiffKind kind);  // "missing-in-target", ...

struct ColumnDiff {
  std::string column, source_value, target_value;
};

struct RowDiff {
  DiffKind kind = DiffKind::kDifferent;
  std::vector<std::pair<std::string, std::string>> key;  // (column, value) in key order
  std::vector<ColumnDiff> columns;                       // kDifferent only
};

struct TableResult {
  TableName source_name, target_name;
  int64_t source_rows = 0, target_rows = 0;
  int64_t chunks = 0, chunks_differing = 0;
  int64_t chunks_hashed_on_server = 0;  // summarised by the servers rather than the client
  double seconds = 0;                   // from the first range read to the last, for this table
  std::vector<std::string> schema_differences;
  std::string keyless_reason;        // non-empty: compared as a multiset (see validate.h)
  bool multiset_differs = false;     // keyless tables: the row multisets differ
  int64_t differing_rows = 0;        // all differing rows found (listed or not)
  int64_t in_flight = 0;             // differed, then became equal on recheck
  std::vector<RowDiff> differences;  // at most max_listed

  bool equal() const {
    return schema_differences.empty() && !multiset_differs && differing_rows == 0;
  }
};

struct ValidationResult {
  std::string source, target;  // redacted URIs
  std::vector<TableResult> tables;
  double seconds = 0;
  int64_t source_rows = 0, target_rows = 0;
  bool equal() const {
    for (const auto& t : tables)
      if (!t.equal()) return false;
    return true;
  }
};

// Runs the validation. Errors (could not validate) are returned as a Status; differences are
// data in the result. `stop` (SIGINT) ends it early with kAborted.
Result<ValidationResult> Validate(const ValidateOptions& options, const std::atomic<bool>& stop);

}  // namespace cutover::validator
