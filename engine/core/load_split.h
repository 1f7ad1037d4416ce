// Same-table split of the full load: one large table read and written as several key ranges at
// once, each committed on the target with its own state row so that a crash redoes only the
// ranges that had not committed.
//
// Design: a table is split on its first primary-key column when that column is an integer
// (ValueKind::kInt64): ranges are half-open intervals of that column's values, compared as
// int64 by every source's WHERE clause and by the pipeline alike, so the pipeline can tell
// which range a CDC change's key falls in without asking the source (a text key would depend on
// the source's collation; a physical range such as a PostgreSQL ctid block does not follow a
// row that moves). All ranges of one run are read from the run's one snapshot (PostgreSQL: the
// exported snapshot every reader imports; MariaDB: the aligned snapshots; SQLite: the one read
// transaction, its statements interleaved). After a crash the ranges that committed keep their
// snapshot and the others are loaded from a later one, so one table holds ranges of two
// snapshots: CDC then applies a change by the snapshot of the range its key falls in
// (engine/pipeline/split_snapshots.h). The ranges and their state live in the target's
// control tables (Sink::BeginSplitLoad ... FinishSplitLoad; TaskState::ranges).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/position.h"
#include "engine/core/schema.h"
#include "engine/core/status.h"

namespace cutover {

// Rows of `column` (an index into the source table's columns) with lo <= value < hi; an absent
// bound is unbounded on that side. NULL never occurs (a key column).
struct KeyRange {
  size_t column = 0;
  std::optional<int64_t> lo, hi;

  bool Contains(int64_t v) const { return (!lo || v >= *lo) && (!hi || v < *hi); }
  // "[lo, hi)" with "-inf" / "+inf" for absent bounds, for messages.
  std::string ToString() const;
};

// One range of a split table as the target records it.
struct RangeLoadState {
  int index = 0;       // 0-based, ranges in key order
  std::string column;  // the split column's name (KeyRange::column is set by the pipeline)
  KeyRange range;
  bool done = false;  // committed with its rows
  Position snapshot;  // done: the snapshot its rows were read from
  int64_t rows = 0;   // done: rows written
  // ColumnsFingerprint of the source table when the split load began, the same in every range of a
  // table; empty when unknown (ranges recorded by an older cutover). A resume keeps done
  // ranges only while the table still has this shape: rows read from a fresh snapshot must
  // have the columns of those already loaded.
  std::string shape;
};

// A short fingerprint (16 hex digits) of `table`'s columns: names, kinds, declared types and
// nullability, in order. Equal for the same columns; different when one is added, dropped,
// renamed, retyped or made (not) nullable.
std::string ColumnsFingerprint(const TableSchema& table);

// The column a table is split on: its first key column when that is an integer. nullopt: the
// table cannot be split (no key, or a key of another type).
std::optional<size_t> SplitColumn(const TableSchema& table);

// `n` ranges of about equal width covering [min, max], the first unbounded below and the last
// unbounded above (so that together they cover every value). Fewer when the span is narrower.
std::vector<KeyRange> EvenRanges(size_t column, int64_t min, int64_t max, int n);

// Ranges between the given upper bounds (DMS parallel-load "ranges": segment i holds the values
// greater than boundary i-1 and at most boundary i, the last one the values above the last
// boundary). `bounds` strictly increasing; else kInvalidArgument.
Result<std::vector<KeyRange>> RangesFromBounds(size_t column, const std::vector<int64_t>& bounds);

// Parses a size such as "512MB", "1GB", "64kB", "1000" (bytes; k/M/G/T powers of 1024,
// case-insensitive, optional "B"/"iB"); "off" or "0" is 0 (never split). kInvalidArgument.
Result<int64_t> ParseByteSize(const std::string& text);

}  // namespace cutover
