// SplitSnapshots: CDC's view of tables whose full load was split into key ranges that were
// read from different snapshots (a split load resumed after a crash: the ranges that had
// committed keep the first snapshot, the others come from a later one; engine/core/
// load_split.h).
//
// Design: for a whole table the rule is "a change is applied when its transaction is at or
// after the table's snapshot". For such a table the same rule holds per range: a change is
// judged by the snapshot of the range its key falls in. An update that moves a key from one
// range to another is judged on both sides: applied whole when both apply, as the delete of
// the old row when only the old range applies, as the insert of the new row when only the new
// range applies, not at all when neither does. A TRUNCATE between the earliest and the latest
// of a table's range snapshots cannot be applied to part of a table and is an error telling the
// user to reload the table. Tables whose ranges share one snapshot are not registered: the
// table rule already covers them.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "engine/core/change.h"
#include "engine/core/load_split.h"
#include "engine/core/status.h"

namespace cutover {

class SplitSnapshots {
 public:
  enum class Verdict { kNotSplit, kApply, kSkip };

  // Registers `table` (source name) with its ranges (KeyRange::column: the source column) and
  // the snapshot each was loaded from. Only tables whose ranges' snapshots differ are kept.
  void Add(const TableName& table, std::vector<std::pair<KeyRange, Position>> ranges);
  bool empty() const { return tables_.empty(); }

  // For a row change `c` (source-shaped: before the task's transforms) of a transaction at
  // `txn`: kNotSplit when its table is not registered, else whether to apply it. May rewrite an
  // update into the delete or insert that is left (see above). An update whose new row only
  // lands in a range but carries unchanged (TOAST) values is an error: the row cannot be
  // inserted from it.
  Result<Verdict> Decide(Change& c, const Position& txn) const;

  // Whether a TRUNCATE of `table` at `txn` falls between its ranges' snapshots: an error saying
  // the table must be reloaded; OK otherwise.
  Status CheckTruncate(const TableName& table, const Position& txn) const;

 private:
  struct Table {
    std::vector<std::pair<KeyRange, Position>> ranges;
    Position earliest, latest;
  };
  std::map<TableName, Table> tables_;
};

}  // namespace cutover
