// Columns added on the source while the task was stopped (docs/ddl.md, "Restarts").
//
// While a task runs, a source schema change reaches the CDC loop as a change whose table has
// other columns than the last one seen, and the target follows (replicate.cc FollowSchema). A
// task that is stopped when the source table changes starts again with the source's catalog as
// it is now: the first change after the restart already has the new columns, so nothing differs
// from what the loop starts with, and the target, which still has the old columns, refuses the
// first write naming the column. This closes that gap for the commonest change, added columns:
// at CDC start the loop starts each table from the columns the target table has
// (Sink::ReadTargetColumns) instead of the source's, so the table's next change differs from it
// by exactly the added columns and is followed like any schema change (in the open target
// transaction, or committed on its own where the target's DDL is not transactional, under the
// task's HandleSourceTableAltered).
//
// Only what can be told apart safely is followed. A column added at the end of the table (every
// PostgreSQL ADD COLUMN, a MariaDB one without FIRST/AFTER) is. Anything else the target lacks
// stops the task at start with one line naming the table and columns, before anything is
// written: a column the target lacks in the middle of the table or in its key, or columns the
// target lacks while it has others the source no longer has (a rename, or a drop and an add,
// which look the same from two column lists). Columns the target has and the task does not
// write (dropped on the source while stopped, or the target's own) are left as they are.
#pragma once

#include <string>
#include <vector>

#include "engine/core/endpoint.h"
#include "engine/core/status.h"

namespace cutover {

// The schema the CDC loop starts `table` from (a target-shaped schema, table_transform.h),
// given the columns its target table has now: `table` itself when the target has all of them;
// a copy without its last columns when exactly those are missing on the target (they were
// added on the source while the task was stopped); an error naming the table and the columns
// otherwise (see the header comment). Target columns the target generates itself are ignored.
Result<TableSchemaPtr> StartShapeOnTarget(const TableSchemaPtr& table,
                                          const TargetTableColumns& target);

// The schemas the CDC loop starts from: each of `targets` (the task's target-shaped tables) as
// StartShapeOnTarget gives it from the columns `sink` reads for it (a table the target does not
// report starts as it is). Logs each table whose target lacks columns. Errors: the first
// table's that cannot be followed, or the sink's.
Result<std::vector<TableSchemaPtr>> StartShapes(Sink& sink,
                                                const std::vector<TableSchemaPtr>& targets);

}  // namespace cutover
