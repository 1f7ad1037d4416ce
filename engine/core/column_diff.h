// ColumnDiff: how a table's columns changed between two schemas of the same source table, as
// the operations a target runs to follow (add, drop, rename, retype).
//
// Design: sources do not decode DDL (pgoutput sends a new Relation message after a schema change;
// MariaDB's table map carries the columns). What every source can give is the table's columns
// before and after, so the change is recovered here, once for every engine, from the two
// column lists:
//   - a column whose name is in both lists is kept; it is retyped when its source type text or
//     type id changed;
//   - the others are dropped (only before) or added (only after), except that a column dropped
//     and a column added at the same place among the kept columns, with the same type, is a
//     rename: a rename keeps the column's position, a drop and an add do not (new columns come
//     last on every engine);
// Two schemas alike in names and types have no changes. The order of the result is the order
// a target runs them in: renames, drops, retypes, adds (an add may reuse a dropped name).
#pragma once

#include <string>
#include <vector>

#include "engine/core/schema.h"

namespace cutover {

struct ColumnChange {
  enum class Kind : uint8_t { kRename, kDrop, kRetype, kAdd };
  Kind kind = Kind::kAdd;
  std::string name;      // the column's name before the change (kAdd: its new name)
  std::string new_name;  // kRename: its name after
  // kAdd, kRetype, kRename: the column in the `after` schema (its type, default, nullability).
  size_t after_index = 0;
};

// The changes that turn `before`'s columns into `after`'s (see the header comment).
std::vector<ColumnChange> DiffColumns(const TableSchema& before, const TableSchema& after);

// "add column note text DEFAULT 'x'; rename column a to b": for logs and messages.
std::string DescribeColumnChanges(const std::vector<ColumnChange>& changes,
                                  const TableSchema& after);

}  // namespace cutover
