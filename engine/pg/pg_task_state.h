// Reading a task's state on a PostgreSQL target, creating nothing.
//
// The state (engine/core/checkpoint.h) lives in the control tables cutover.checkpoint (the last
// applied position per task) and cutover.table_state (per task and source table: the snapshot
// position it was loaded at and its row count). Whoever only looks (a restart deciding where to
// resume, the validator listing a task's tables, a status command) reads them here; creating
// them is PgSink::CreateControlTables, an explicit step of a task that is about to write.
#pragma once

#include <optional>
#include <string>

#include "engine/core/checkpoint.h"
#include "engine/core/status.h"
#include "engine/pg/pg_conn.h"

namespace cutover::pg {

// The state of `task` on the target `conn` is connected to: std::nullopt when the target has no
// control tables (cutover never wrote there), else what they hold for the task (empty when
// nothing). Runs only SELECTs: creates and changes nothing, whatever the target holds.
Result<std::optional<TaskState>> ReadPgTaskState(PgConn& conn, const std::string& task);

// The same on a connection of its own to `uri` (a postgresql:// URI or conninfo).
Result<std::optional<TaskState>> ReadPgTaskState(const std::string& uri, const std::string& task);

}  // namespace cutover::pg
