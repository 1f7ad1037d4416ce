// Checkpoint and TaskState: what the target remembers about a task, so a restart neither loses
// nor duplicates anything.
//
// The checkpoint is written by the sink in the same target transaction as the data it covers;
// per-table load state is written in the same transaction as the table's last loaded rows; the
// per-table change totals in the same transaction as the changes they count. So after a crash
// the three say exactly what the target holds.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/load_split.h"
#include "engine/core/position.h"
#include "engine/core/schema.h"

namespace cutover {

struct TableLoadState {
  Position snapshot;  // position of the snapshot the table was loaded from
  int64_t rows = 0;
  std::string loaded_at;  // when its load committed, UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"
};

// CDC changes applied to one table over the task's life (`cutover task stats`, in the shape of
// DMS's describe-table-statistics). Counted per source change before net-effect folding, once
// per applied source transaction: a transaction skipped after a restart is not counted again.
struct TableChangeTotals {
  int64_t inserts = 0, updates = 0, deletes = 0;
  int64_t ddls = 0;        // TRUNCATEs (the only table-level statement cutover replicates)
  std::string updated_at;  // UTC time of the target commit of the last counted change
  // "suspended": a change of the table was refused under SUSPEND_TABLE (error_policy.h) and
  // none of its later changes are applied; empty: the table is replicated. Written with the
  // counts (a non-empty state replaces the stored one; empty keeps it).
  std::string state;
};

// The last `cutover validate --task` verdict on one source table (DMS's ValidationState in
// describe-table-statistics), kept in the target's control tables. A table never validated has
// none: "Not enabled".
struct TableValidationState {
  // "Pending records" (a validation is comparing it), "Validated" (equal), "Mismatched records"
  // (rows or schema differ), "Error" (the validation stopped before judging it).
  std::string state;
  int64_t failed_records = 0;  // differing rows found (DMS ValidationFailedRecords)
  std::string detail;          // one line: what differed, or the error
  std::string validated_at;    // UTC "YYYY-MM-DD HH:MM:SS" when written (read back only)
};

struct TaskState {
  std::optional<Position> applied;                 // last source transaction applied by CDC
  std::map<TableName, TableLoadState> loaded;      // tables whose full load committed
  std::string applied_at;                          // when the checkpoint was last written (UTC)
  std::map<TableName, TableChangeTotals> changes;  // by source table; absent: none applied
  // Tables whose full load was split (engine/core/load_split.h): their ranges in key order, done
  // or not. Kept after the table is loaded (CDC needs each range's snapshot); an unsplit load of
  // the table removes them.
  std::map<TableName, std::vector<RangeLoadState>> ranges;
  std::map<TableName, TableValidationState> validation;  // by source table; absent: not enabled
};

}  // namespace cutover
