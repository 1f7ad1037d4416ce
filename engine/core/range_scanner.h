// RangeScanner: the per-engine part of the validator. It reads the rows of one table whose key
// lies in a range and hands each row over as canonical bytes (engine/core/canonical.h): the key's
// encoding, the XXH3-128 hash of the whole row, and on request the decoded Values.
//
// Design: everything engine-specific about validation lives behind this interface (how to read
// a key range fast, how the server's text becomes canonical bytes, how to cut a table into
// ranges), so each engine folder implements it (engine/<x>/<x>_scanner.cc) and its driver opens
// it (EngineDriver::OpenScanner); it lives in engine/core because it is part of the contract
// every driver fulfils, and the namespace says who consumes it. Scanners stream: a row's bytes live
// only during the callback, so memory does not depend on the range's size. The comparison itself
// (validator/validate.h) is order-independent, so scanners need not agree on row order, only on
// which rows a range holds: ranges are half-open [lo, hi) on the key in each engine's own
// comparison, and both sides get the same bound Values. Text keys of cross-engine pairs are
// compared bytewise (PostgreSQL COLLATE "C", MariaDB binary collations) so both engines agree.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/canonical.h"
#include "engine/core/endpoint.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover::validator {

// One side's view of a table being validated. `columns` are the compared columns in comparison
// order, which is the same on both sides, so equal rows give equal bytes.
struct ScanTable {
  TableName name;                    // on this side
  std::vector<Column> columns;       // this side's columns (names, kinds, type text)
  std::vector<CanonicalRule> rules;  // one per column (validator/table_pairing.h)
  std::vector<size_t> key;           // indexes into `columns`; empty: the table has no key
  bool bytewise_text_keys = false;   // compare text keys as bytes (cross-engine pairs)
  // When set, only rows for which it returns true belong to the table (the task's source
  // filters): it sees the decoded row in `columns` order. Scanners ignore it; the validator's
  // FilteredScanner (validator/filtered_scanner.h) applies it around them.
  std::function<bool(const std::vector<Value>&)> keep_row;
  // When set, the decoded row (after keep_row) is rewritten before it is encoded: the task's
  // change-data-type conversions turn source values into the target's kinds, so both sides
  // encode the same values. FilteredScanner applies it around the engine's scanner too.
  std::function<void(std::vector<Value>&)> convert_row;
};

// Key range [lo, hi) (or [lo, hi] with hi_inclusive); a missing bound is unbounded. Bounds hold
// one Value per key column.
struct KeyRange {
  std::optional<std::vector<Value>> lo;
  std::optional<std::vector<Value>> hi;
  bool hi_inclusive = false;
  static KeyRange All() { return {}; }
  static KeyRange Exactly(const std::vector<Value>& key) { return {key, key, true}; }
};

struct ScannedRow {
  std::string_view key;                        // canonical bytes of the key columns, in key order
  RowHash hash;                                // XXH3-128 of the canonical bytes of all columns
  const std::vector<Value>* values = nullptr;  // decoded row, when asked for
};

using RowCallback = std::function<Status(const ScannedRow&)>;

// One connection; used by one thread at a time.
class RangeScanner : NonCopyable {
 public:
  virtual ~RangeScanner() = default;

  // Calls `on_row` for every row of `table` in `range` (in no promised order). A non-OK Status
  // from the callback stops the scan and is returned.
  virtual Status Scan(const ScanTable& table, const KeyRange& range, bool want_values,
                      const RowCallback& on_row) = 0;

  // Key values that cut `range` into pieces of about `every` rows, ascending in this engine's
  // key comparison, strictly inside the range. `known_rows` is the number of rows in the range
  // when the caller knows it, else -1. Empty when the range needs no cut. Only for keyed tables.
  virtual Result<std::vector<std::vector<Value>>> SplitKeys(const ScanTable& table,
                                                            const KeyRange& range, int64_t every,
                                                            int64_t known_rows) = 0;

  // A summary of `range` computed by the server itself, or nullopt when this engine has none.
  // Two server summaries are comparable only between two servers of the same engine reading
  // identical column types (validator/validate.cc decides): equal rows give equal summaries,
  // and a differing row changes it except with probability about 2^-128. `count` is exact.
  struct ServerSummary {
    int64_t count = 0;
    std::string digest;
  };
  virtual Result<std::optional<ServerSummary>> SummarizeOnServer(const ScanTable& table,
                                                                 const KeyRange& range) {
    (void)table;
    (void)range;
    return std::optional<ServerSummary>();
  }

  // Human-readable text of a value read from this engine (for reports).
  virtual std::string Display(const Value& v) const = 0;
};

}  // namespace cutover::validator
